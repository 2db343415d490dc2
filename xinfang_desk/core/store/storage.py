"""Opening a data directory: folders, database connection, start-up check, migrations,
calendar top-up.

The start-up check is `PRAGMA integrity_check`, which reads the whole file (0.35 s at 100,000
cases, 3.3 s at 1,000,000), so it runs when it is owed, not at every open (core.store.run_state
keeps the facts):

* after an unclean stop (a mark or WAL left behind): before anything else may use the file
  (the GUI runs it beside the sign-in; the main window waits for it);
* before a migration (a migration never runs on a damaged file);
* once a day (`scheduled`): in the background in the GUI, at once for the CLI commands that
  write; read-only CLI commands (search, export, deadlines, report, attachments) skip it;
* and always on `check`, an explicit backup and a restore (core.store.check, backup, restore).

Opening itself still reads the header, the schema and the meta table: a file that is no
database at all, or damaged there, is refused at once. A damaged or unreadable database is
refused with DamagedDatabaseError naming the newest good backup; the file is never "repaired"
or overwritten, so nothing is lost that an expert could still recover.
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
from xinfang_desk.core.store import migrations, run_state
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
    from xinfang_desk.core.store.backup import latest_good_backup as latest  # only on damage

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




def _is_damage(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc
    return any(word in str(cause).lower() for word in _DAMAGE_WORDS)


def _damaged(data_dir: DataDir, problem: str, crashed: bool) -> DamagedDatabaseError:
    if crashed:
        problem = f"上次未正常退出，{problem}"
    message, good = damaged_message(data_dir, problem)
    log.info("damaged database %s: %s", data_dir.database, problem)
    return DamagedDatabaseError(message, good)


UNCLEAN, SCHEDULED = "unclean", "scheduled"


@dataclass(frozen=True)
class StartupCheck:
    """The full check an opening owes: `PRAGMA integrity_check` over the whole file. After an
    unclean stop (`reason` UNCLEAN) nothing may use the database until it has passed (`gates`);
    the daily one (SCHEDULED) may run beside the work. The GUI runs it on a thread of its own
    (ui.startup.recovery), `open_data_dir` at once."""

    data_dir: DataDir
    reason: str
    left: tuple[Path, ...] = ()  # the unclean stop's marks, deleted once the check passes

    @property
    def gates(self) -> bool:
        return self.reason == UNCLEAN

    def run(self) -> None:
        """Raise DamagedDatabaseError (file untouched, backup named) unless the check passes;
        record the pass. Uses a connection of its own: safe on any thread, beside the
        program's connections."""
        _full_check(self.data_dir, crashed=self.reason == UNCLEAN)
        run_state.forget(self.left)


def _full_check(data_dir: DataDir, *, crashed: bool) -> None:
    try:
        rows = run_state.integrity_check(data_dir)
    except sqlite3.DatabaseError as exc:
        if not _is_damage(exc):
            raise StorageError(f"无法检查数据库：{exc}") from exc
        raise _damaged(data_dir, "读取时发现数据页损坏", crashed) from None
    if rows:
        from xinfang_desk.core.store.backup import brief_check_result  # only on damage

        raise _damaged(data_dir, "完整性检查未通过：" + brief_check_result(rows, limit=1), crashed)


_mark: run_state.OpenMark | None = None  # this process has the data directory open


def open_unchecked(root: Path, *, today: dt.date | None = None
                   ) -> tuple[DataDir, StartupCheck | None]:
    """Create the folder if needed, open (migrate) the database and bind the models to it,
    leaving the start-up check to the caller: (data dir, the check owed or None). A file
    that is no database at all, or damaged where opening reads, raises DamagedDatabaseError
    here; so does any damage before a migration (checked first: a migration never runs on a
    damaged file)."""
    global _mark
    data_dir = DataDir(Path(root))
    with storage_errors():
        data_dir.ensure()
    path = data_dir.database
    existed = path.exists() and path.stat().st_size > 0
    stop = run_state.last_stop(data_dir)
    check = None
    if existed and not stop.clean:
        check = StartupCheck(data_dir, UNCLEAN, stop.left)
    elif existed and run_state.check_due(data_dir):
        check = StartupCheck(data_dir, SCHEDULED)
    run_state.mark_closed(_mark)
    _mark = run_state.mark_open(data_dir)
    problem = None
    try:
        with storage_errors():
            db = make_sqlite(path)
            database.initialize(db)
            db.connect(reuse_if_open=True)
            if existed and migrations.current_version(db) < migrations.LATEST:
                owed, check = check or StartupCheck(data_dir, SCHEDULED), None
                owed.run()
    except DamagedDatabaseError:
        close()
        raise
    except StorageError as exc:
        if not _is_damage(exc):
            close()
            raise
        problem = "不是有效的数据库文件" if "not a database" in str(exc.__cause__).lower() \
            else "读取时发现数据页损坏"
    if problem is not None:
        close()
        raise _damaged(data_dir, problem, not stop.clean)
    today = today or dt.date.today()
    with storage_errors():
        migrations.migrate(data_dir.database, data_dir.backups)
        # Years missing from the calendar are seeded at every open; whether the holidays
        # package now has an official arrangement for a provisional year, once a day.
        recheck = not run_state.calendar_checked(data_dir, today)
        top_up_calendar(today, recheck_provisional=recheck)
    if recheck:
        run_state.record_calendar_check(data_dir, today)
    if not existed:
        run_state.record_full_check(data_dir)  # a new file: nothing to check yet
    return data_dir, check


def open_data_dir(root: Path, *, today: dt.date | None = None, scheduled: bool = True
                  ) -> DataDir:
    """Create the folder if needed, open (check, migrate) the database, bind the models to it.
    The check owed after an unclean stop runs at once; the daily one too unless `scheduled`
    is False (read-only CLI commands). DamagedDatabaseError (a StorageError) when the file is
    damaged: untouched, backup named."""
    data_dir, check = open_unchecked(root, today=today)
    if check is not None and (check.gates or scheduled):
        try:
            check.run()
        except StorageError:
            close()
            raise
    return data_dir


def open_url(url: str) -> peewee.Database:
    """A shared server database (postgresql://…) for a multi-seat office."""
    from xinfang_desk.core.store.server import database_for_url

    db = database_for_url(url)
    database.initialize(db)
    db.connect(reuse_if_open=True)
    migrations.migrate(None, None)
    return db


def close() -> None:
    """Close the connection; a clean close of the data directory (its open mark goes)."""
    global _mark
    db = database.obj
    if db is not None and not db.is_closed():
        db.close()
    run_state.mark_closed(_mark)
    _mark = None
