"""Administrator subcommands of the CLI (backup, restore, check, audit …), kept apart from
the everyday ones in cli.cases. `add_parsers` adds them; COMMANDS maps names to handlers.

    xinfang-desk backup [--out FILE] [--passphrase-env VAR]
    xinfang-desk backup --list
    xinfang-desk restore FILE [--passphrase-env VAR] [--yes]
    xinfang-desk check
    xinfang-desk audit verify
    xinfang-desk purge [--mode delete|anonymise] [--list] [--yes]
"""

from __future__ import annotations

import argparse
import os
import sys

from xinfang_desk.cli.common import open_data
from xinfang_desk.core.errors import XinfangError


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Add the administrator subcommands to the CLI parser."""
    p = sub.add_parser("backup", help="立即备份数据库（管理员）")
    p.add_argument("--out", metavar="FILE", help="备份到指定文件（默认存入数据目录的 backups 文件夹）")
    p.add_argument("--passphrase-env", metavar="VAR",
                   help="从该环境变量读取口令，加密备份（AES-256-GCM）")
    p.add_argument("--list", action="store_true", help="列出 backups 文件夹中的备份")

    p = sub.add_parser("restore", help="从备份恢复数据库（管理员；先另存当前数据库）")
    p.add_argument("file", metavar="FILE", help="备份文件")
    p.add_argument("--passphrase-env", metavar="VAR", help="加密备份的口令所在的环境变量")
    p.add_argument("--yes", action="store_true", help="不再询问，直接恢复")

    sub.add_parser("check", help="检查数据库：完整性、关联记录、数据结构版本、审计日志、备份")

    p = sub.add_parser("audit", help="审计日志")
    actions = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    actions.add_parser("verify", help="校验审计日志的哈希链（并与最近备份记下的末条核对）")

    p = sub.add_parser("purge", help="清理超过保存年限的办结事项（管理员；删除或匿名化）")
    p.add_argument("--mode", choices=("delete", "anonymise"), default="delete",
                   help="delete：删除事项及只与之相关的信访人；anonymise：保留统计数字，清除个人信息和"
                        "文字内容（默认 delete）")
    p.add_argument("--list", action="store_true", help="只列出到期的事项，不清理")
    p.add_argument("--yes", action="store_true", help="不再询问，直接清理")


def _passphrase(args) -> str | None:
    var = getattr(args, "passphrase_env", None)
    if not var:
        return None
    value = os.environ.get(var, "")
    if not value:
        raise XinfangError(f"环境变量 {var} 未设置或为空（应存放备份口令）。")
    return value


def cmd_backup(args) -> int:
    from xinfang_desk.core.store import backup

    data_dir = open_data(args, daily_check=False)
    if args.list:
        found = backup.list_backups(data_dir.backups)
        if not found:
            print("backups 文件夹中还没有备份。")
        for b in found:
            cases = "" if b.cases is None else f"{b.cases}件"
            lock = "加密" if b.encrypted else ""
            print(f"{b.created:%Y-%m-%d %H:%M:%S}\t{b.reason}\t{cases}\t{lock}\t{b.path}")
        return 0
    path = backup.backup_now(data_dir, out=args.out, passphrase=_passphrase(args))
    info = backup.read_manifest(path)
    facts = []
    if info is not None:
        if info.cases is not None:
            facts.append(f"事项 {info.cases} 件")
        if info.audit_head:
            facts.append(f"审计日志至第 {info.audit_head[0]} 条")
        if info.encrypted:
            facts.append("已加密")
        facts.append(f"SHA-256 {info.sha256[:16]}…")
    print(f"已备份：{path}（{'，'.join(facts)}）" if facts else f"已备份：{path}")
    return 0


def _confirm(prompt: str,
             refusal: str = "恢复会用备份替换当前数据库。确认无误后请加 --yes 再运行。") -> bool:
    """Ask at a terminal; without one, refuse with `refusal` (the caller's --yes skips this)."""
    if not sys.stdin or not sys.stdin.isatty():
        raise XinfangError(refusal)
    answer = input(prompt + " [y/N] ").strip().lower()
    return answer in ("y", "yes", "是")


def cmd_restore(args) -> int:
    from pathlib import Path

    from xinfang_desk.core.paths import DataDir, resolve_data_dir
    from xinfang_desk.core.store import backup, instance_lock, restore
    from xinfang_desk.core.store.storage import DamagedDatabaseError

    passphrase = _passphrase(args)
    root = resolve_data_dir(args.data_dir)
    file = Path(args.file)
    if not file.is_file():
        raise XinfangError(f"找不到备份文件 {file}。")
    lock = instance_lock.acquire(root)
    try:
        try:
            data_dir = open_data(args)
        except DamagedDatabaseError:
            # Nobody can sign in to a database that cannot be read; whoever can replace the
            # file can do so anyway. The damaged file is kept (moved to backups/damaged-*).
            data_dir = DataDir(root)
            print("注意：当前数据库已损坏，无法核对用户身份，将以系统身份恢复；"
                  "损坏的文件会移到 backups 文件夹保留。", file=sys.stderr)
        info = backup.read_manifest(file)
        about = f"（{info.created:%Y-%m-%d %H:%M}，事项 {info.cases} 件）" if info else ""
        if not args.yes and not _confirm(
                f"将用 {file}{about} 替换 {restore.target_label(data_dir)} 中的全部数据"
                "（当前数据库会先另存到 backups 文件夹）。确定恢复吗？"):
            print("已取消，数据未作改动。")
            return 1
        try:
            result = restore.restore(data_dir, file, passphrase=passphrase)
        except backup.WrongPassphrase as exc:
            if passphrase is None:
                raise XinfangError(f"{exc}请用 --passphrase-env 指定存放口令的环境变量。") from exc
            raise
    finally:
        instance_lock.release(lock)
    print(f"已从 {file} 恢复：事项 {result.cases} 件，审计日志 {result.audit_rows} 条，"
          f"数据结构版本 {result.schema_version}。")
    if result.pre_restore:
        print(f"恢复前的数据库已另存为 {result.pre_restore}")
    if result.moved_aside:
        print(f"损坏的原数据库文件已移到 {result.moved_aside}")
    return 0


def cmd_check(args) -> int:
    from xinfang_desk.core.store.check import check_database

    data_dir = open_data(args, daily_check=False)
    report = check_database(data_dir)
    for line in report.lines:
        print(line)
    if report.ok:
        print(report.summary())
        return 0
    print(report.summary(), file=sys.stderr)
    return 1


def cmd_audit(args) -> int:
    from xinfang_desk.core import session
    from xinfang_desk.core.store import audit, backup

    data_dir = open_data(args)
    session.require("audit")
    known = backup.known_audit_head(data_dir)
    result = audit.verify(known_head=known.audit_head if known else None)
    if not result.ok:
        raise XinfangError(result.message)
    suffix = f"（已与备份 {known.path.name} 记下的末条核对）" if known else ""
    print(result.message + suffix)
    return 0


def cmd_purge(args) -> int:
    import datetime as dt

    from xinfang_desk.core.cases import retention

    open_data(args)
    today = dt.date.today()
    due = retention.purge_candidates(today)  # needs `purge`: the administrator
    years = retention.retention_years()
    cutoff = retention.cutoff_date(today, years)
    if not due:
        print(f"没有需要清理的事项（保存年限 {years} 年，办结于 {cutoff:%Y-%m-%d} 之前的事项）。")
        return 0
    print(f"保存年限 {years} 年：办结于 {cutoff:%Y-%m-%d} 之前的事项共 {len(due)} 件。")
    print("事项编号\t登记日期\t办结日期\t类别")
    for c in due:
        print(f"{c.case_no}\t{c.received_on:%Y-%m-%d}\t{c.closed_on:%Y-%m-%d}\t{c.category}")
    if args.list:
        return 0
    verb = retention.MODES[args.mode]
    effect = ("事项、办理记录及只与这些事项有关的信访人信息将被删除，统计中不再计入"
              if args.mode == "delete" else
              "事项保留统计所需的日期、类别等，文字内容和信访人个人信息将被清除")
    if not args.yes and not _confirm(
            f"将{verb}以上 {len(due)} 件事项：{effect}。此操作不可撤销（此前的备份仍含这些数据）。"
            "确定清理吗？",
            f"清理会{verb}以上 {len(due)} 件事项，不可撤销。确认无误后请加 --yes 再运行。"):
        print("已取消，数据未作改动。")
        return 1
    report = retention.purge([c.case_no for c in due], mode=args.mode, today=today)
    print(report.summary)
    return 0


COMMANDS: dict = {
    "backup": cmd_backup,
    "restore": cmd_restore,
    "check": cmd_check,
    "audit": cmd_audit,
    "purge": cmd_purge,
}
