"""The database connection: one proxy, initialised by whoever opens the data directory.

SQLite is the default (WAL, foreign keys, BEGIN IMMEDIATE for every write transaction so that
two writers wait for each other instead of failing). The same models run on PostgreSQL via
`open_url`; nothing outside this module and the migrations may assume SQLite.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

import peewee

from xinfang_desk.core.errors import StorageError

database = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    # WAL + FULL survives power loss; NORMAL may lose the last commit.
    "synchronous": "full",
}


def is_sqlite(db: peewee.Database | None = None) -> bool:
    db = db if db is not None else database.obj
    return isinstance(db, peewee.SqliteDatabase)


def make_sqlite(path: Path) -> peewee.SqliteDatabase:
    return peewee.SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")


def storage_message(exc: BaseException) -> str | None:
    """A plain Chinese sentence for an environment error, or None if it looks like a bug."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "数据库正被另一个程序或窗口占用，请稍后重试；如持续出现，请关闭其他信访接待台窗口。"
    if "full" in text or "no space" in text:
        return "磁盘空间已满，数据未能保存。请清理磁盘后重试，已保存的数据不受影响。"
    if "readonly" in text or "read-only" in text or "attempt to write" in text:
        return "数据库为只读，无法保存。请检查数据目录的权限或是否为只读介质。"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return "数据库文件已损坏，无法读取。请不要覆盖该文件，并从最近的备份恢复。"
    if "unable to open" in text:
        return "无法打开数据库文件，请检查数据目录是否存在且可写。"
    if "disk i/o" in text:
        return "读写磁盘出错，数据未能保存。请检查磁盘或U盘是否已拔出。"
    return None


@contextmanager
def storage_errors():
    """Turn SQLite/peewee environment errors into StorageError with a Chinese message."""
    try:
        yield
    except (peewee.OperationalError, peewee.DatabaseError, sqlite3.OperationalError,
            sqlite3.DatabaseError) as exc:
        if isinstance(exc, peewee.IntegrityError):
            raise
        message = storage_message(exc)
        if message is None:
            raise
        raise StorageError(message) from exc


def write_transaction():
    """A write transaction (BEGIN IMMEDIATE on SQLite, via the database's lock_type)."""
    return database.atomic()
