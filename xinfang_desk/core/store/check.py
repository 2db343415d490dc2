"""“检查数据库”: is the database sound, and has anyone edited it behind the program's back?

Runs SQLite's `integrity_check` and `foreign_key_check`, compares the schema version with this
program's, and verifies the audit trail's hash chain against the head recorded in the newest
backup manifest (so that rows cut off the end are found too), and says when the last backup
was taken. Read-only: nothing is repaired; each finding is one Chinese line. The check itself
is recorded in the audit trail ("check").
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import peewee

from xinfang_desk.core import session
from xinfang_desk.core.errors import StorageError
from xinfang_desk.core.paths import DataDir
from xinfang_desk.core.store import audit, backup, migrations
from xinfang_desk.core.store.db import database, is_sqlite, storage_errors, storage_message

STALE_BACKUP_DAYS = 7


@dataclass(frozen=True)
class CheckLine:
    label: str
    ok: bool
    text: str
    warning: bool = False  # worth acting on (no recent backup), but the database is sound

    def __str__(self) -> str:
        mark = "✗" if not self.ok else ("!" if self.warning else "✓")
        return f"{mark} {self.label}：{self.text}"


@dataclass
class CheckReport:
    lines: list[CheckLine] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)

    @property
    def problems(self) -> list[CheckLine]:
        return [line for line in self.lines if not line.ok]

    @property
    def warnings(self) -> list[CheckLine]:
        return [line for line in self.lines if line.ok and line.warning]

    def summary(self) -> str:
        if self.ok:
            extra = f"另有 {len(self.warnings)} 项提示。" if self.warnings else ""
            return "检查完毕：数据库完好。" + extra
        return f"检查完毕：发现 {len(self.problems)} 项问题，请联系管理员，并保留当前文件和备份。"

    def text(self) -> str:
        return "\n".join([*(str(line) for line in self.lines), self.summary()])


def _current_data_dir() -> DataDir | None:
    db = database.obj
    if db is None or not is_sqlite(db):
        return None
    return DataDir(Path(db.database).parent)


def _integrity(report: CheckReport) -> None:
    rows = [r[0] for r in database.execute_sql("PRAGMA integrity_check").fetchall()]
    if rows == ["ok"]:
        report.lines.append(CheckLine("完整性", True, "通过（PRAGMA integrity_check）"))
    else:
        shown = backup.brief_check_result(rows, limit=5)
        report.lines.append(CheckLine("完整性", False, f"未通过：{shown}"))


def _foreign_keys(report: CheckReport) -> None:
    rows = database.execute_sql("PRAGMA foreign_key_check").fetchall()
    if not rows:
        report.lines.append(CheckLine("关联记录", True, "没有指向不存在记录的引用"))
        return
    tables = sorted({r[0] for r in rows})
    report.lines.append(CheckLine(
        "关联记录", False, f"有 {len(rows)} 条记录引用了不存在的记录（表：{'、'.join(tables)}）"))


def _schema(report: CheckReport) -> None:
    version = migrations.current_version(database.obj)
    ok = version == migrations.LATEST
    text = f"版本 {version}" + ("，与本程序一致" if ok else f"，本程序为版本 {migrations.LATEST}")
    report.lines.append(CheckLine("数据结构", ok, text))


def _audit(report: CheckReport, data_dir: DataDir | None) -> None:
    known = backup.known_audit_head(data_dir) if data_dir is not None else None
    result = audit.verify(known_head=known.audit_head if known else None)
    text = result.message
    if known is not None:
        text += f"（已与备份 {known.path.name} 记下的第 {known.audit_head[0]} 条核对）"
    else:
        text += "（尚无可核对末尾的备份记录）"
    report.lines.append(CheckLine("审计日志", result.ok, text))


def _last_backup(report: CheckReport, data_dir: DataDir, today: dt.date) -> None:
    found = [b for b in backup.list_backups(data_dir.backups) if b.reason != "pre-restore"]
    if not found:
        report.lines.append(CheckLine("备份", True, "还没有任何备份，请立即备份", warning=True))
        return
    newest = found[0]
    age = (today - newest.created.date()).days
    text = f"最近一次于 {newest.created:%Y-%m-%d %H:%M}（{newest.path.name}）"
    if age > STALE_BACKUP_DAYS:
        report.lines.append(CheckLine("备份", True, text + f"，已有 {age} 天没有备份",
                                      warning=True))
    else:
        report.lines.append(CheckLine("备份", True, text))


def check_database(data_dir: DataDir | None = None, *, today: dt.date | None = None
                   ) -> CheckReport:
    """Check the open database (needs `check`); `data_dir` defaults to the open database's
    folder. Audited as "check" with the outcome."""
    session.require("check")
    data_dir = data_dir or _current_data_dir()
    report = CheckReport()
    steps = [("完整性", _integrity), ("关联记录", _foreign_keys)] if is_sqlite() else []
    steps += [("数据结构", _schema), ("审计日志", lambda r: _audit(r, data_dir))]
    if data_dir is not None:
        steps.append(("备份", lambda r: _last_backup(r, data_dir, today or dt.date.today())))
    for label, step in steps:
        try:
            step(report)
        except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:
            reason = storage_message(exc) or str(exc)
            report.lines.append(CheckLine(label, False, f"无法完成检查：{reason}"))
    try:
        with storage_errors():
            audit.record("check", "", {"ok": report.ok,
                                       "problems": [line.label for line in report.problems]},
                         success=report.ok)
    except StorageError as exc:
        report.lines.append(CheckLine("审计记录", False, f"本次检查未能记入审计日志：{exc}"))
    return report
