"""The papers of a matter on the command line (issue 16):

    xinfang-desk attach CASE_NO FILE --kind K [--title T]
    xinfang-desk attachments CASE_NO [--json]

`add_parsers` adds them; COMMANDS maps the command names to their handlers."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from xinfang_desk.cli.common import open_data
from xinfang_desk.core.papers.kinds import PAPER_KINDS as KINDS


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("attach", help="为事项添加附件（按文件内容识别类型，存入数据库）")
    p.add_argument("case_no", metavar="CASE_NO")
    p.add_argument("file", metavar="FILE", help="要添加的文件（图片、PDF、Word/WPS/Excel、文本）")
    p.add_argument("--kind", required=True, choices=KINDS, metavar="K",
                   help="附件类别：" + "、".join(KINDS))
    p.add_argument("--title", default="", metavar="T", help="附件标题（默认：文件名）")

    p = sub.add_parser("attachments", help="列出事项的附件（含已移除的）")
    p.add_argument("case_no", metavar="CASE_NO")
    p.add_argument("--json", action="store_true", help="输出 JSON")


def cmd_attach(args) -> int:
    from xinfang_desk.core.papers.attachments import attach_path

    open_data(args)
    info = attach_path(args.case_no, Path(args.file), kind=args.kind, title=args.title)
    pages = f"，{info.pages} 页" if info.pages > 1 or info.file_type in ("pdf", "tiff") else ""
    print(f"已为 {info.case_no} 添加附件 {info.id}：“{info.title}”（{info.kind}）"
          f"，{info.type_label}{pages}，{info.size_text}（{info.size} 字节），"
          f"校验值 {info.sha256[:12]}")
    return 0


def _json_row(a) -> dict:
    return {"id": a.id, "kind": a.kind, "title": a.title, "file_name": a.file_name,
            "file_type": a.file_type, "pages": a.pages, "size": a.size, "sha256": a.sha256,
            "added_by": a.added_by, "added_at": a.added_at.strftime("%Y-%m-%d %H:%M:%S"),
            "removed": a.removed,
            "removed_at": a.removed_at.strftime("%Y-%m-%d %H:%M:%S") if a.removed_at else None,
            "removed_by": a.removed_by, "removed_reason": a.removed_reason}


def cmd_attachments(args) -> int:
    from xinfang_desk.core.papers.attachments import list_attachments

    open_data(args, daily_check=False)
    found = list_attachments(args.case_no)
    if args.json:
        print(json.dumps([_json_row(a) for a in found], ensure_ascii=False, indent=1))
        return 0
    if not found:
        print(f"{args.case_no} 没有附件。")
        return 0
    print("编号\t类别\t标题\t类型\t页数\t大小\t添加人\t添加时间\t校验值\t状态")
    for a in found:
        state = (f"已移除（{a.removed_at:%Y-%m-%d}，{a.removed_by}：{a.removed_reason}）"
                 if a.removed else "在卷")
        print(f"{a.id}\t{a.kind}\t{a.title}\t{a.type_label}\t{a.pages}\t{a.size_text}\t"
              f"{a.added_by}\t{a.added_at:%Y-%m-%d %H:%M}\t{a.sha256[:12]}\t{state}")
    return 0


COMMANDS = {"attach": cmd_attach, "attachments": cmd_attachments}
