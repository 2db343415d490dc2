"""Opening a data directory: folders, database connection, start-up check, migrations,
calendar top-up.

The start-up check: `PRAGMA quick_check` on every existing database, the full
`integrity_check` when a non-empty -wal file was left over (the last run ended without closing:
a crash, a power cut, a killed process). A damaged or unreadable database is refused with
DamagedDatabaseError naming the newest good backup; the file is never "repaired" or
overwritten, so nothing is lost that an expert could still recover.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import peewee

from xinfang_desk.core.errors import StorageError
from xinfang_desk.core.paths import DataDir
from xinfang_desk.core.store import migrations
from xinfang_desk.core.store.backup import brief_check_result
from xinfang_desk.core.store.backup import latest_good_backup as latest
from xinfang_desk.core.store.db import database, make_sqlite, storage_errors
from xinfang_desk.core.store.holiday_seed import top_up_calendar

log = logging.getLogger(__name__)

_DAMAGE_WORDS = ("not a database", "malformed", "corrupt", "file is encrypted")


class DamagedDatabaseError(StorageError):
    """The database file is damaged or not a database; it was left as it is."""

    def __init__(self, message: str, backup: Path | None = None):
        super().__init__(message)
        self.backup = backup


def latest_good_backup(data_dir: DataDir | Path):
    """The newest backup whose file still matches its manifest (core.store.backup.BackupInfo), or
    None."""
    return latest(data_dir if isinstance(data_dir, DataDir) else DataDir(Path(data_dir)))


def damaged_message(data_dir: DataDir, what: str) -> tuple[str, Path | None]:
    """The user's message for a damaged database: what happened and the backup to restore."""
    try:
        good = latest_good_backup(data_dir)
    except Exception:  # noqa: BLE001 - the message must come out whatever the backups folder holds
        log.exception("looking for a good backup failed")
        good = None
    text = (f"数据库文件已损坏（{what}），无法打开：{data_dir.database}。程序没有改动该文件，"
            "请不要删除或覆盖它。")
    if good is None:
        return text + "没有找到可用的备份，请联系技术支持。", None
    return (text + f"最近的完好备份：{good.describe()}。可用命令 xinfang-desk restore "
            f"\"{good.path}\" 从该备份恢复（会先另存当前文件）。"), good.path


def _check_result(rows: list) -> str | None:
    """None when a quick_check/integrity_check said "ok", else what it said, briefly."""
    if [r[0] for r in rows] == ["ok"]:
        return None
    return "完整性检查未通过：" + brief_check_result([r[0] for r in rows], limit=1)


def _is_damage(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc
    return any(word in str(cause).lower() for word in _DAMAGE_WORDS)


def _damaged(data_dir: DataDir, problem: str, crashed: bool) -> DamagedDatabaseError:
    if crashed:
        problem = f"上次未正常退出，{problem}"
    message, good = damaged_message(data_dir, problem)
    log.info("damaged database %s: %s", data_dir.database, problem)
    return DamagedDatabaseError(message, good)


@dataclass(frozen=True)
class StartupCheck:
    """The start-up check of an existing database: `PRAGMA quick_check`, or the full
    `integrity_check` after an unclean exit (`full`). It reads every page (3 s on a 2 GB file),
    so the GUI runs it on a thread of its own while the sign-in dialog is shown
    (ui.startup.recovery), and `open_data_dir` runs it at once for everyone else."""

    data_dir: DataDir
    full: bool

    def run(self) -> None:
        """Raise DamagedDatabaseError (file untouched, backup named) unless the check passes.
        Uses a connection of its own: safe on any thread, beside the program's connections."""
        pragma = "integrity_check" if self.full else "quick_check"
        try:
            con = sqlite3.connect(str(self.data_dir.database), timeout=30)
            try:
                problem = _check_result(con.execute(f"PRAGMA {pragma}").fetchall())
            finally:
                con.close()
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):
                raise StorageError(f"无法检查数据库：{exc}") from exc
            problem = "读取时发现数据页损坏"
        if problem is not None:
            raise _damaged(self.data_dir, problem, self.full)


def open_unchecked(root: Path, *, today: dt.date | None = None
                   ) -> tuple[DataDir, StartupCheck | None]:
    """Create the folder if needed, open (migrate) the database and bind the models to it,
    leaving the start-up check to the caller: (data dir, the check still owed or None for a
    new database). A file that is no database at all, or damaged where opening reads, raises
    DamagedDatabaseError here; so does any damage before a migration (checked first: a
    migration never runs on a damaged file)."""
    data_dir = DataDir(Path(root))
    with storage_errors():
        data_dir.ensure()
    path = data_dir.database
    existed = path.exists() and path.stat().st_size > 0
    wal = Path(f"{path}-wal")
    crashed = existed and wal.exists() and wal.stat().st_size > 0
    check = StartupCheck(data_dir, full=crashed) if existed else None
    problem = None
    try:
        with storage_errors():
            db = make_sqlite(path)
            database.initialize(db)
            db.connect(reuse_if_open=True)
            if check is not None and migrations.current_version(db) < migrations.LATEST:
                check, owed = None, check
                owed.run()
    except DamagedDatabaseError:
        close()
        raise
    except StorageError as exc:
        if not _is_damage(exc):
            raise
        problem = "不是有效的数据库文件" if "not a database" in str(exc.__cause__).lower() \
            else "读取时发现数据页损坏"
    if problem is not None:
        close()
        raise _damaged(data_dir, problem, crashed)
    with storage_errors():
        migrations.migrate(data_dir.database, data_dir.backups)
        top_up_calendar(today or dt.date.today())
    return data_dir, check


def open_data_dir(root: Path, *, today: dt.date | None = None) -> DataDir:
    """Create the folder if needed, open (check, migrate) the database, bind the models to it.
    DamagedDatabaseError (a StorageError) when the file is damaged: untouched, backup named."""
    data_dir, check = open_unchecked(root, today=today)
    if check is not None:
        try:
            check.run()
        except StorageError:
            close()
            raise
    return data_dir


def open_url(url: str) -> peewee.Database:
    """A shared server database (e.g. postgresql://…) for a multi-seat office."""
    from playhouse.db_url import connect

    db = connect(url)
    database.initialize(db)
    db.connect(reuse_if_open=True)
    migrations.migrate(None, None)
    return db


def close() -> None:
    db = database.obj
    if db is not None and not db.is_closed():
        db.close()
