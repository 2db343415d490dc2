"""The everyday subcommands: demo data, JSON Lines import and export, the deadline list,
search and printing a document. `add_parsers` adds them; COMMANDS maps names to handlers."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from xinfang_desk.cli.common import open_data, parse_date


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="填入演示数据（仅限空数据库）")
    p.add_argument("--cases", type=int, default=300, help="事项数（默认300）")
    p.add_argument("--seed", type=int, default=1, help="随机种子（默认1）")
    p.add_argument("--force", action="store_true", help="数据库已有事项时也追加")

    p = sub.add_parser("import", help="导入事项：JSON Lines 文件或带附件的 .zip 交换包（全部成功或全部不导入），"
                                      "或 Excel/WPS 台账 .xlsx .xls .csv（导入合格的行，列出不合格的行）")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    p.add_argument("--sheet", metavar="NAME", help="台账：只导入这个工作表（默认：每个有表头的工作表）")
    p.add_argument("--mapping", metavar="MAP.json", help="台账：列映射文件（列名→字段，取值对应）")
    p.add_argument("--rejects", metavar="OUT.xlsx",
                   help="台账：把未导入的行连同原因另存为工作簿，改正后可再次导入")
    p.add_argument("--strict", action="store_true",
                   help="按今日登记要求检查（缺少事实、答复内容等叙述的历史记录不予导入）")

    p = sub.add_parser("export", help="导出全部事项为 JSON Lines，或（--out 为 .xlsx 时）导出台账")
    p.add_argument("--out", metavar="FILE.jsonl|FILE.xlsx", help="输出文件（默认输出到标准输出）")
    p.add_argument("--mapping", metavar="MAP.json",
                   help="导出台账时按此列映射的列名和顺序（默认：标准台账格式）")
    p.add_argument("--masked", action="store_true",
                   help="遮蔽证件号码和电话（接待员只能这样导出；遮蔽后的文件不能再导入）")
    p.add_argument("--with-attachments", action="store_true",
                   help="连同附件导出为 .zip 交换包（须用 --out FILE.zip；完整导出，由负责人操作）")

    p = sub.add_parser("deadlines", help="列出已超期或临近期限的事项")
    p.add_argument("--on", type=parse_date, metavar="YYYY-MM-DD", help="按哪一天计算（默认今天）")
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
                            "reply", "adoption", "service", "dossier"),
                   help="receipt|register|accept|reject|forward|extend|reply|adoption|service|"
                        "dossier（卷宗：目录、登记表、办理过程、文书和附件合为一个PDF）")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="输出文件")
    p.add_argument("--on", type=parse_date, metavar="YYYY-MM-DD", help="按哪一天出具（默认今天）")


def cmd_demo(args) -> int:
    from xinfang_desk.core.demo.generate import generate_demo

    open_data(args)
    report = generate_demo(args.cases, seed=args.seed, force=args.force)
    print(f"已生成演示数据：{report.summary()}")
    return 0


LEDGER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt")
SHOWN_ROWS = 200  # refused / duplicate rows printed; all of them go to --rejects


def cmd_import(args) -> int:
    if Path(args.file).suffix.lower() in LEDGER_SUFFIXES:
        return _import_ledger(args)
    from xinfang_desk.core.interchange.bundle import import_package, is_package
    from xinfang_desk.core.interchange.jsonl import import_cases

    open_data(args)
    read = import_package if is_package(args.file) else import_cases
    report = read(Path(args.file), dry_run=args.dry_run, strict=args.strict)
    verb = "检查通过，可导入" if args.dry_run else "已导入"
    papers = f"，附件 {report.attachments} 份" if is_package(args.file) else ""
    print(f"{verb} {report.cases} 件事项{papers}。")
    if report.new_fields:
        print("新增领域：" + "、".join(report.new_fields))
    if report.new_units:
        print("新增单位：" + "、".join(report.new_units))
    for line, gaps in report.gaps:
        print(f"历史记录 第{line}行：缺{gaps}（已导入并标记）")
    for line, text in report.repeats:
        print(f"历史记录 第{line}行：{text}")
    for line, text in report.warnings:
        print(f"提示 第{line}行：{text}")
    return 0


def _import_ledger(args) -> int:
    """A ledger: the good rows are taken, the refused ones listed (exit 1 if none could be)."""
    from xinfang_desk.core.interchange.ledger_columns import Mapping, load_mapping
    from xinfang_desk.core.interchange.ledger_import import import_ledger, write_rejects

    if args.strict:
        print("提示：--strict 只用于 JSON Lines 文件；台账总是按历史记录导入。", file=sys.stderr)
    mapping = load_mapping(args.mapping) if args.mapping else Mapping()
    open_data(args)
    report = import_ledger(Path(args.file), sheet=args.sheet, mapping=mapping,
                           dry_run=args.dry_run)
    lines = report.lines()
    head = [x for x in lines if not x.startswith(("未导入 ", "已有 "))]
    refused = [x for x in lines if x.startswith("未导入 ")]
    dupes = [x for x in lines if x.startswith("已有 ")]
    print("\n".join(head))
    for group in (refused, dupes):
        for line in group[:SHOWN_ROWS]:
            print(line)
        if len(group) > SHOWN_ROWS:
            print(f"……另有 {len(group) - SHOWN_ROWS} 行未列出（用 --rejects 另存全部）")
    if args.rejects:
        n = write_rejects(report, Path(args.file), Path(args.rejects), mapping=mapping,
                          sheet=args.sheet)
        print(f"未导入的 {n} 行已另存为 {args.rejects}", file=sys.stderr)
    if report.imported == 0:
        print("错误：没有可以导入的行。" if not report.duplicates else
              "没有新的事项：台账中的事项都已在本机数据中。", file=sys.stderr)
        return 0 if report.duplicates and not report.refused else 1
    return 0


def cmd_export(args) -> int:
    if args.with_attachments:
        return _export_package(args)
    if args.out and Path(args.out).suffix.lower() in (".xlsx", ".xlsm"):
        from xinfang_desk.core.interchange.ledger_columns import load_mapping
        from xinfang_desk.core.interchange.ledger_export import export_ledger

        mapping = load_mapping(args.mapping) if args.mapping else None
        open_data(args, daily_check=False)
        count = export_ledger(Path(args.out), mapping=mapping, masked=args.masked)
        print(f"已导出台账 {count} 件事项到 {args.out}", file=sys.stderr)
        return 0
    from xinfang_desk.core.interchange.jsonl import export_cases

    open_data(args, daily_check=False)
    if args.out:
        count = export_cases(Path(args.out), masked=args.masked)
        print(f"已导出 {count} 件事项到 {args.out}", file=sys.stderr)
    else:
        export_cases(sys.stdout, masked=args.masked)
    return 0


def _export_package(args) -> int:
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.interchange.bundle import export_package, is_package

    if not args.out or not is_package(args.out):
        raise XinfangError("带附件导出须用 --out 指定 .zip 文件，如 --out 交换包.zip")
    if args.masked or args.mapping:
        raise XinfangError("带附件导出是完整的交换包，不能与 --masked 或 --mapping 同用")
    open_data(args, daily_check=False)
    done = export_package(Path(args.out))
    print(f"已导出 {done.cases} 件事项、附件 {done.attachments} 份（文件 {done.files} 个）到 "
          f"{args.out}", file=sys.stderr)
    return 0


def cmd_deadlines(args) -> int:
    from xinfang_desk.core.deadlines.engine import list_deadlines

    open_data(args, daily_check=False)
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
    from xinfang_desk.core.cases.search import search_cases

    open_data(args, daily_check=False)
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
    from xinfang_desk.core.documents.build import (
        DOCUMENTS,
        build_document,
        check_print_approval,
        record_printed,
    )
    from xinfang_desk.core.session import require

    open_data(args)
    require("print")
    if args.doc == "dossier":
        return _print_dossier(args)
    check_print_approval(args.doc)  # before a file is written: refused letters leave none
    pdf = build_document(args.case_no, args.doc, today=args.on)
    from xinfang_desk.core import atomic

    atomic.write_bytes(args.out, pdf)
    record_printed(args.case_no, args.doc, on=args.on)
    print(f"已生成 {DOCUMENTS[args.doc]}：{args.out}")
    return 0


def _print_dossier(args) -> int:
    from xinfang_desk.core.papers.dossier import build_dossier, record_dossier_printed

    pdf = build_dossier(args.case_no, today=args.on)
    from xinfang_desk.core import atomic

    atomic.write_bytes(args.out, pdf)
    record_dossier_printed(args.case_no, on=args.on)
    print(f"已生成 卷宗：{args.out}")
    return 0


COMMANDS = {
    "demo": cmd_demo,
    "import": cmd_import,
    "export": cmd_export,
    "deadlines": cmd_deadlines,
    "search": cmd_search,
    "print": cmd_print,
}
