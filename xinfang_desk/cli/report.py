"""The monthly report subcommand: the figures on screen, as JSON, a workbook or a PDF.
`add_parsers` adds it; COMMANDS maps its name to the handler."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from xinfang_desk.cli.common import open_data, parse_date, parse_month


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="月度统计报表（屏幕、JSON、Excel 工作簿或 PDF）")
    period = p.add_mutually_exclusive_group(required=True)
    period.add_argument("--month", type=parse_month, metavar="YYYY-MM", help="统计月份")
    period.add_argument("--from", dest="date_from", type=parse_date, metavar="YYYY-MM-DD",
                        help="统计起日（与 --to 一起使用，任意期间）")
    p.add_argument("--to", dest="date_to", type=parse_date, metavar="YYYY-MM-DD", help="统计止日")
    p.add_argument("--xlsx", metavar="FILE.xlsx", help="另存为 Excel 工作簿")
    p.add_argument("--pdf", metavar="FILE.pdf", help="另存为 PDF 报表（含图表）")
    p.add_argument("--unmasked", action="store_true", help="工作簿中的证件号码不遮蔽")
    p.add_argument("--json", action="store_true", help="输出 JSON")


def cmd_report(args) -> int:
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.report.figures import (
        HEADLINE,
        HEADLINE_LABELS,
        format_rate,
        monthly_figures,
        report_json,
    )
    from xinfang_desk.core.report.xlsx import write_xlsx

    if args.month:
        if args.date_to is not None:
            raise XinfangError("--to 只能与 --from 一起使用")
        start, end = args.month
    elif args.date_to is None:
        raise XinfangError("使用 --from 时须同时给出 --to")
    elif args.date_to < args.date_from:
        raise XinfangError("统计止日不能早于起日")
    else:
        start, end = args.date_from, args.date_to
    open_data(args, daily_check=False)
    from xinfang_desk.core.people.access import audit_report

    outputs = [name for name, on in (("xlsx", args.xlsx), ("pdf", args.pdf), ("json", args.json))
               if on] or ["screen"]
    audit_report(start, end, outputs, masked=not (args.xlsx and args.unmasked))
    report = monthly_figures(start, end)
    if args.xlsx:
        write_xlsx(report, Path(args.xlsx), cases_masked=not args.unmasked)
        print(f"已生成统计工作簿：{args.xlsx}", file=sys.stderr)
    if args.pdf:
        from xinfang_desk.core.report.pdf import write_pdf

        write_pdf(report, Path(args.pdf))
        print(f"已生成统计报表：{args.pdf}", file=sys.stderr)
    if args.json:
        print(json.dumps(report_json(report), ensure_ascii=False, indent=1))
        return 0
    if args.xlsx or args.pdf:
        return 0
    print(f"统计期间：{start:%Y-%m-%d} 至 {end:%Y-%m-%d}")
    for key in HEADLINE:
        now, change = getattr(report, key), report.change.get(key)
        if key.endswith("_rate"):
            shown = format_rate(now)
            diff = "—" if change is None else f"{change * 100:+.1f}个百分点"
        else:
            shown, diff = str(now), f"{change:+d}"
        print(f"{HEADLINE_LABELS[key]}\t{shown}\t较上期{diff}")
    return 0


COMMANDS = {"report": cmd_report}
