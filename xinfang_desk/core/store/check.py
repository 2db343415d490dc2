"""“检查数据库”: is the database sound, and has anyone edited it behind the program's back?

Runs SQLite's `integrity_check` and `foreign_key_check`, compares the schema version with this
program's, and verifies the audit trail's hash chain against the head recorded in the newest
backup manifest (so that rows cut off the end are found too), and says when the last backup
was taken. Read-only: nothing is repaired; each finding is one Chinese line. The check itself
is recorded in the audit trail ("check").

On a server (PostgreSQL) the SQLite PRAGMAs have no equivalent worth running: the server keeps
its own pages sound, and it enforces the foreign keys at every write, so there is nothing to
scan for. What is checked there instead, cheaply: that the foreign keys are in force (none
added NOT VALID, none with its triggers disabled), that the audit trail's append-only trigger
is still there and firing, and that this PC can back the server up (pg_dump, pg_restore). The
schema version and the audit chain are checked as on SQLite; the last backup is the newest of
this PC's backups of the server and of those any desk recorded in the server's audit trail.

On both, every attached file's bytes are hashed again and compared with the SHA-256 they
were stored under (on the server by the server itself, so the files need not cross the
network); a damaged one is named by its case and title.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import peewee

from xinfang_desk.core import session
from xinfang_desk.core.errors import StorageError
from xinfang_desk.core.paths import DataDir
from xinfang_desk.core.store import audit, backup, migrations, run_state, server_backup
from xinfang_desk.core.store.db import database, is_sqlite, storage_errors, storage_message
from xinfang_desk.core.store.models import Attachment, Case, FileBlob

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
        data_dir = _current_data_dir()
        if data_dir is not None:  # counts as the day's check (core.store.run_state)
            run_state.record_full_check(data_dir)
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


def damaged_blobs() -> list[str]:
    """The SHA-256 keys of the stored files whose bytes no longer hash to them."""
    if not is_sqlite():  # PostgreSQL hashes its own bytes (sha256(bytea), PostgreSQL 11+)
        table = FileBlob._meta.table_name
        rows = database.execute_sql(
            f'SELECT sha256 FROM "{table}" WHERE encode(sha256(data), \'hex\') <> sha256 '
            "ORDER BY sha256").fetchall()
        return [r[0] for r in rows]
    query = FileBlob.select(FileBlob.sha256, FileBlob.data).order_by(FileBlob.sha256)
    return [digest for digest, data in query.tuples().iterator()
            if hashlib.sha256(bytes(data)).hexdigest() != digest]


def damaged_titles(digests: list[str]) -> list[str]:
    """Each damaged file named by its attachments' titles (or its hash, if none uses it)."""
    named: dict[str, list[str]] = {d: [] for d in digests}
    query = (Attachment.select(Attachment.blob, Attachment.title).where(Attachment.blob.in_(digests))
             .order_by(Attachment.id))
    for digest, title in query.tuples():
        named[digest].append(title)
    return ["、".join(titles) or digest[:12] for digest, titles in named.items()]


def _files(report: CheckReport) -> None:
    total = FileBlob.select().count()
    bad = damaged_blobs()
    if not bad:
        text = f"{total} 个附件文件均与登记时的校验值（SHA-256）相符" if total else "尚无附件"
        report.lines.append(CheckLine("附件文件", True, text))
        return
    rows = list(Attachment.select(Attachment.blob, Attachment.title, Case.case_no).join(Case)
                .where(Attachment.blob.in_(bad)).order_by(Case.case_no, Attachment.id).tuples())
    names = [f"{no}“{title}”" for _blob, title, no in rows]
    names += [d[:12] for d in bad if d not in {blob for blob, _t, _n in rows}]
    shown = "、".join(names[:20]) + ("等" if len(names) > 20 else "")
    report.lines.append(CheckLine(
        "附件文件", False, f"{len(bad)} 个附件文件的内容与校验值不符（已损坏或被改动）：{shown}；"
                          "请从备份恢复"))


def _server(report: CheckReport) -> None:
    state = server_backup.server_state()
    report.lines.append(CheckLine("服务器", True, f"PostgreSQL {state.version}，数据库 {state.label}"))
    if state.unenforced:
        report.lines.append(CheckLine("关联记录", False, "以下数据表的外键检查已被停用，可能存在指向不存在"
                                      f"记录的引用：{'、'.join(state.unenforced)}"))
    elif state.unvalidated:
        report.lines.append(CheckLine("关联记录", False, f"有 {len(state.unvalidated)} 个外键约束未经验证"
                                      f"（NOT VALID，已有记录未检查）：{'、'.join(state.unvalidated)}"))
    else:
        report.lines.append(CheckLine(
            "关联记录", True, f"由 PostgreSQL 在每次写入时强制检查（外键约束 {state.foreign_keys} 个，"
                              "均已生效），无需另行扫描"))
    if state.audit_guard is False:
        report.lines.append(CheckLine("审计保护", False, "审计日志的防改触发器已被停用或删除，"
                                      "记录可能被改写或删除；请数据库管理员查明原因"))
    elif state.audit_guard:
        report.lines.append(CheckLine("审计保护", True, "审计日志只能追加（防改触发器有效）"))


def _server_tools(report: CheckReport) -> None:
    problem = server_backup.tools_problem()
    if problem is not None:
        report.lines.append(CheckLine("备份工具", True, problem, warning=True))
        return
    tool = server_backup.require_tool("pg_dump", "备份")
    report.lines.append(CheckLine("备份工具", True, f"本机可以备份服务器数据库（{tool.text}，"
                                  f"位于 {tool.path.parent}）"))


def _backup_line(report: CheckReport, newest: tuple[dt.datetime, str] | None,
                 today: dt.date) -> None:
    if newest is None:
        report.lines.append(CheckLine("备份", True, "还没有任何备份，请立即备份", warning=True))
        return
    created, where = newest
    age = (today - created.date()).days
    text = f"最近一次于 {created:%Y-%m-%d %H:%M}（{where}）"
    if age > STALE_BACKUP_DAYS:
        report.lines.append(CheckLine("备份", True, text + f"，已有 {age} 天没有备份",
                                      warning=True))
    else:
        report.lines.append(CheckLine("备份", True, text))


def _last_server_backup(report: CheckReport, data_dir: DataDir | None, today: dt.date) -> None:
    found: list[tuple[dt.datetime, str]] = []
    if data_dir is not None:
        engine, server = backup.engine_now()
        mine = [b for b in backup.list_backups(data_dir.backups) if b.reason != "pre-restore"
                and b.engine == engine and b.server == server]
        if mine:
            found.append((mine[0].created, f"本机 {mine[0].path.name}"))
    for at, actor, details in server_backup.backups_on_record():
        try:
            when = dt.datetime.strptime(at, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
        pc = f"工作站 {details['pc']}" if details.get("pc") else "工作站不详"
        found.append((when, f"{Path(str(details.get('file', ''))).name}，{pc}，{actor}"))
    _backup_line(report, max(found, default=None, key=lambda item: item[0]), today)


def _last_backup(report: CheckReport, data_dir: DataDir, today: dt.date) -> None:
    found = [b for b in backup.list_backups(data_dir.backups) if b.reason != "pre-restore"
             and b.engine == "sqlite"]
    _backup_line(report, (found[0].created, found[0].path.name) if found else None, today)


def check_database(data_dir: DataDir | None = None, *, today: dt.date | None = None
                   ) -> CheckReport:
    """Check the open database (needs `check`); `data_dir` defaults to the open database's
    folder. Audited as "check" with the outcome."""
    session.require("check")
    data_dir = data_dir or _current_data_dir()
    today = today or dt.date.today()
    report = CheckReport()
    on_server = server_backup.on_server()
    if on_server:
        steps = [("服务器", _server), ("备份工具", _server_tools)]
    else:
        steps = [("完整性", _integrity), ("关联记录", _foreign_keys)] if is_sqlite() else []
    steps += [("数据结构", _schema), ("附件文件", _files), ("审计日志", lambda r: _audit(r, data_dir))]
    if on_server:
        steps.append(("备份", lambda r: _last_server_backup(r, data_dir, today)))
    elif data_dir is not None:
        steps.append(("备份", lambda r: _last_backup(r, data_dir, today)))
    for label, step in steps:
        try:
            step(report)
        except (peewee.DatabaseError, sqlite3.DatabaseError, StorageError) as exc:
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
