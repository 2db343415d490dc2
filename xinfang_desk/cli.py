"""The command line. Every subcommand calls the same core services as the GUI.

Exit codes: 0 success; 1 a refusal or error, explained in one Chinese line on stderr;
2 wrong command-line usage.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path

from xinfang_desk import APP_TITLE, __version__
from xinfang_desk.core import atomic


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own words, prefixed so the user knows
        self.print_usage(sys.stderr)
        self.exit(2, f"命令行参数有误：{message}\n")


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为YYYY-MM-DD：{raw}") from None


def _month(raw: str) -> tuple[dt.date, dt.date]:
    from xinfang_desk.core.report import month_range

    try:
        return month_range(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"月份应为YYYY-MM：{raw}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="xinfang-desk", description=f"{APP_TITLE}（xinfang-desk）")
    parser.add_argument("--version", action="version", version=f"xinfang-desk {__version__}")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="数据目录（默认为系统用户数据目录；也可用环境变量 XINFANG_DATA_DIR）")
    parser.add_argument("--user", metavar="NAME",
                        help="操作人用户名（已设置用户账户时必填；也可用环境变量 XINFANG_USER，"
                             "密码用 XINFANG_PASSWORD 或在终端输入）")
    parser.add_argument("--demo", action="store_true",
                        help="数据库为空时先填入演示数据，再打开窗口")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("demo", help="填入演示数据（仅限空数据库）")
    p.add_argument("--cases", type=int, default=300, help="事项数（默认300）")
    p.add_argument("--seed", type=int, default=1, help="随机种子（默认1）")
    p.add_argument("--force", action="store_true", help="数据库已有事项时也追加")

    p = sub.add_parser("import", help="从 JSON Lines 文件导入事项（全部成功或全部不导入）")
    p.add_argument("file", metavar="FILE.jsonl")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    p = sub.add_parser("export", help="导出全部事项为 JSON Lines")
    p.add_argument("--out", metavar="FILE.jsonl", help="输出文件（默认输出到标准输出）")
    p.add_argument("--masked", action="store_true",
                   help="遮蔽证件号码和电话（接待员只能这样导出；遮蔽后的文件不能再导入）")

    p = sub.add_parser("deadlines", help="列出已超期或临近期限的事项")
    p.add_argument("--on", type=_date, metavar="YYYY-MM-DD", help="按哪一天计算（默认今天）")
    p.add_argument("--within", type=int, metavar="DAYS", help="只列出已超期和N日内到期的")
    p.add_argument("--json", action="store_true", help="输出 JSON")

    p = sub.add_parser("search", help="检索事项（姓名、事项内容、编号、查询码、证件号、电话）")
    p.add_argument("text")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true", help="输出 JSON")

    p = sub.add_parser("print", help="生成事项文书（PDF），并记入办理过程")
    p.add_argument("case_no", metavar="CASE_NO")
    p.add_argument("--doc", required=True, metavar="DOC",
                   choices=("receipt", "register", "accept", "reject", "forward", "extend",
                            "reply", "adoption", "service"),
                   help="receipt|register|accept|reject|forward|extend|reply|adoption|service")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="输出文件")
    p.add_argument("--on", type=_date, metavar="YYYY-MM-DD", help="按哪一天出具（默认今天）")

    p = sub.add_parser("report", help="月度统计报表（屏幕、JSON、Excel 工作簿或 PDF）")
    period = p.add_mutually_exclusive_group(required=True)
    period.add_argument("--month", type=_month, metavar="YYYY-MM", help="统计月份")
    period.add_argument("--from", dest="date_from", type=_date, metavar="YYYY-MM-DD",
                        help="统计起日（与 --to 一起使用，任意期间）")
    p.add_argument("--to", dest="date_to", type=_date, metavar="YYYY-MM-DD", help="统计止日")
    p.add_argument("--xlsx", metavar="FILE.xlsx", help="另存为 Excel 工作簿")
    p.add_argument("--pdf", metavar="FILE.pdf", help="另存为 PDF 报表（含图表）")
    p.add_argument("--unmasked", action="store_true", help="工作簿中的证件号码不遮蔽")
    p.add_argument("--json", action="store_true", help="输出 JSON")

    from xinfang_desk import cli_admin, cli_answers

    cli_admin.add_parsers(sub)
    cli_answers.add_parsers(sub)
    return parser


def _configure_stdio() -> None:
    # Windows consoles default to a legacy code page; Chinese must not become '?' or crash.
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):
                pass


def _open(args):
    from xinfang_desk.cli_identity import sign_in_for_cli
    from xinfang_desk.core.paths import resolve_data_dir
    from xinfang_desk.core.storage import open_data_dir

    data_dir = open_data_dir(resolve_data_dir(args.data_dir))
    sign_in_for_cli(args)
    return data_dir


def cmd_demo(args) -> int:
    from xinfang_desk.core.demo import generate_demo

    _open(args)
    report = generate_demo(args.cases, seed=args.seed, force=args.force)
    print(f"已生成演示数据：{report.summary()}")
    return 0


def cmd_import(args) -> int:
    from xinfang_desk.core.interchange import import_cases

    _open(args)
    report = import_cases(Path(args.file), dry_run=args.dry_run)
    verb = "检查通过，可导入" if args.dry_run else "已导入"
    print(f"{verb} {report.cases} 件事项。")
    if report.new_fields:
        print("新增领域：" + "、".join(report.new_fields))
    if report.new_units:
        print("新增单位：" + "、".join(report.new_units))
    for line, text in report.warnings:
        print(f"提示 第{line}行：{text}")
    return 0


def cmd_export(args) -> int:
    from xinfang_desk.core.interchange import export_cases

    _open(args)
    if args.out:
        count = export_cases(Path(args.out), masked=args.masked)
        print(f"已导出 {count} 件事项到 {args.out}", file=sys.stderr)
    else:
        export_cases(sys.stdout, masked=args.masked)
    return 0


def cmd_deadlines(args) -> int:
    from xinfang_desk.core.deadlines import list_deadlines

    _open(args)
    items = list_deadlines(today=args.on, within=args.within)
    if args.json:
        print(json.dumps([d.as_json() for d in items], ensure_ascii=False, indent=1))
        return 0
    if not items:
        print("没有需要关注的期限。")
        return 0
    warnings = sorted({w for d in items for w in d.warnings})
    for d in items:
        state = f"超期{-d.days_left}天" if d.overdue else f"剩{d.days_left}天"
        print(f"{d.case_no}\t{d.label}\t{d.due:%Y-%m-%d}\t{state}\t{d.basis}")
    for w in warnings:
        print(f"注意：{w}", file=sys.stderr)
    return 0


def cmd_search(args) -> int:
    from xinfang_desk.core.search import search_cases

    _open(args)
    result = search_cases(args.text, limit=args.limit)
    if args.json:
        rows = [{**dataclasses.asdict(r), "received_on": r.received_on.isoformat()}
                for r in result.rows]
        print(json.dumps({"total": result.total, "rows": rows}, ensure_ascii=False, indent=1))
        return 0
    for r in result.rows:
        print(f"{r.case_no}\t{r.received_on:%Y-%m-%d}\t{r.category}\t{r.status_label}"
              f"\t{r.petitioners}\t{r.summary}")
    print(f"共 {result.total} 件", file=sys.stderr)
    return 0


def cmd_print(args) -> int:
    from xinfang_desk.core.documents import (
        DOCUMENTS,
        build_document,
        check_print_approval,
        record_printed,
    )
    from xinfang_desk.core.session import require

    _open(args)
    require("print")
    check_print_approval(args.doc)  # before a file is written: refused letters leave none
    pdf = build_document(args.case_no, args.doc, today=args.on)
    atomic.write_bytes(args.out, pdf)
    record_printed(args.case_no, args.doc, on=args.on)
    print(f"已生成 {DOCUMENTS[args.doc]}：{args.out}")
    return 0


def cmd_report(args) -> int:
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.report import (
        HEADLINE,
        HEADLINE_LABELS,
        format_rate,
        monthly_figures,
        report_json,
        write_xlsx,
    )

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
    _open(args)
    from xinfang_desk.core.access import audit_report

    outputs = [name for name, on in (("xlsx", args.xlsx), ("pdf", args.pdf), ("json", args.json))
               if on] or ["screen"]
    audit_report(start, end, outputs, masked=not (args.xlsx and args.unmasked))
    report = monthly_figures(start, end)
    if args.xlsx:
        write_xlsx(report, Path(args.xlsx), cases_masked=not args.unmasked)
        print(f"已生成统计工作簿：{args.xlsx}", file=sys.stderr)
    if args.pdf:
        from xinfang_desk.core.report_pdf import write_pdf

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


COMMANDS = {
    "demo": cmd_demo,
    "import": cmd_import,
    "export": cmd_export,
    "deadlines": cmd_deadlines,
    "search": cmd_search,
    "print": cmd_print,
    "report": cmd_report,
}


def _handler(command: str):
    from xinfang_desk import cli_admin, cli_answers

    return (COMMANDS.get(command) or cli_answers.COMMANDS.get(command)
            or cli_admin.COMMANDS[command])


def main(argv: list[str] | None = None) -> int:
    _configure_stdio()
    args = build_parser().parse_args(argv)
    if args.command is None:
        from xinfang_desk.app import run_gui

        return run_gui(args.data_dir, demo=args.demo)
    from xinfang_desk.core.errors import XinfangError

    try:
        return _handler(args.command)(args)
    except XinfangError as exc:
        print(f"错误：{exc}".replace("\n", " "), file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except OSError as exc:
        from xinfang_desk.core.errors import os_reason

        print(f"错误：无法读写 {exc.filename or '文件'}：{os_reason(exc)}。", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
