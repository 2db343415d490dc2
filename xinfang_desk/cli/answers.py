"""The answer-library subcommands of the CLI (issue 8), kept apart from the everyday ones:

    xinfang-desk answers export FILE
    xinfang-desk answers import FILE
    xinfang-desk answers suggest TEXT [--field PATH] [--category CAT] [--limit N] [--json]

`add_parsers` adds them; COMMANDS maps the command name to its handler."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from xinfang_desk.cli.common import open_data


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add `answers …` to the CLI parser."""
    p = sub.add_parser("answers", help="答复口径库：导出、导入、按事项推荐口径")
    actions = p.add_subparsers(dest="answers_command", metavar="ACTION", required=True)
    a = actions.add_parser("export", help="导出已审定的口径、草稿和政策依据（JSON 文件）")
    a.add_argument("file", metavar="FILE", help="输出文件，如 口径库.json")
    a = actions.add_parser("import", help="导入口径库文件（全部成功或全部不导入）")
    a.add_argument("file", metavar="FILE", help="口径库文件")
    a = actions.add_parser("suggest", help="按事项内容推荐最合适的已审定口径")
    a.add_argument("text", metavar="TEXT", help="事项内容，如“对处理意见不服想复查”")
    a.add_argument("--field", default="", metavar="PATH", help="涉及领域，如 劳动社保/劳动报酬")
    a.add_argument("--category", default="", metavar="CAT", help="信访类别，如 建议意见")
    a.add_argument("--limit", type=int, default=5, help="最多列出几条（默认5）")
    a.add_argument("--json", action="store_true", help="输出 JSON")


def cmd_answers(args) -> int:
    from xinfang_desk.core.answers import library as answers
    from xinfang_desk.core.answers import library_file

    open_data(args)
    if args.answers_command == "export":
        count = library_file.export_library(Path(args.file))
        print(f"已导出 {count} 条答复口径（含政策依据）到 {args.file}")
        return 0
    if args.answers_command == "import":
        report = library_file.import_library(Path(args.file))
        print(f"已导入：{report.summary()}。")
        for message in report.messages:
            print(f"提示：{message}")
        return 0
    found = answers.suggest(args.text, field=args.field, category=args.category,
                            limit=args.limit)
    if args.json:
        rows = [{"id": s.version_id, "answer_id": s.answer_id, "title": s.title,
                 "version": s.version, "basis": s.basis, "score": s.score,
                 "reasons": list(s.reasons)} for s in found]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    if not found:
        print("没有合适的已审定口径。")
        return 0
    for s in found:
        print(f"{s.version_id}\t{s.title}\t第{s.version}版\t{s.basis or '（未注明依据）'}"
              f"\t{s.score:.2f}\t{'；'.join(s.reasons)}")
    return 0


COMMANDS = {"answers": cmd_answers}
