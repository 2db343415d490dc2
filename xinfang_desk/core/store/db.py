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

from xinfang_desk.core.errors import StorageError, XinfangError

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


def copy_sqlite_file(source: Path, target: Path, *, timeout: float = 5.0) -> None:
    """A consistent, page-exact copy of a (possibly live) SQLite database file via the online
    backup API, from connections of its own."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(str(source), timeout=timeout)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


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


def _chain(exc: BaseException):
    """exc, then the errors it was raised from or while handling (__cause__/__context__)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def chained_storage_message(exc: BaseException) -> str | None:
    """storage_message of the first error in exc's chain that has one: a failed COMMIT is often
    followed by a failed clean-up ROLLBACK whose own text says nothing useful."""
    for link in _chain(exc):
        message = storage_message(link)
        if message is not None:
            return message
    return None


_DB_ERRORS = (peewee.OperationalError, peewee.DatabaseError, sqlite3.OperationalError,
              sqlite3.DatabaseError)

# A value the database driver cannot take: the input checks should have refused it, naming the
# field (core.rules.validators); this is the last line, for a path without such a check.
UNSAVABLE_TEXT = ("输入的文字中含有无法保存的字符（多为复制粘贴带入的残缺字符），未保存。"
                  "请检查刚输入的文字后重试。")
NUMBER_TOO_LARGE = "输入的数字过大，未保存。请检查刚输入的数字后重试。"


def _unsavable_value_message(exc: BaseException) -> str | None:
    if isinstance(exc, UnicodeEncodeError) and exc.reason == "surrogates not allowed":
        return UNSAVABLE_TEXT
    if isinstance(exc, OverflowError) and ("too large" in str(exc) or "too big" in str(exc)):
        return NUMBER_TOO_LARGE
    return None


@contextmanager
def storage_errors():
    """Turn SQLite/peewee environment errors into StorageError with a Chinese message, and a
    value the driver cannot take (a lone surrogate, an integer beyond 64 bits) into
    XinfangError."""
    try:
        yield
    except _DB_ERRORS as exc:
        if isinstance(exc, peewee.IntegrityError):
            raise
        message = chained_storage_message(exc)
        if message is None:
            raise
        raise StorageError(message) from exc
    except (UnicodeEncodeError, OverflowError) as exc:
        message = _unsavable_value_message(exc)
        if message is None:
            raise
        raise XinfangError(message) from exc


_NOTHING_TO_ROLL_BACK = ("no transaction is active", "no such savepoint")


def _nothing_to_roll_back(exc: BaseException) -> bool:
    text = str(exc).lower()
    return any(words in text for words in _NOTHING_TO_ROLL_BACK)


class _WriteTransaction:
    """database.atomic(), except that a clean-up ROLLBACK finding nothing to roll back never
    hides the error that made it necessary.

    SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR, ...,
    in particular when COMMIT cannot grow the WAL on a full disk). peewee then sends its own
    ROLLBACK, which fails with "cannot rollback - no transaction is active"; without this
    wrapper that error would replace "database or disk is full"."""

    def __init__(self):
        self._inner = None

    def __enter__(self):
        self._inner = database.atomic()
        return self._inner.__enter__()

    def __exit__(self, exc_type, exc, tb):
        inner, self._inner = self._inner, None
        try:
            return inner.__exit__(exc_type, exc, tb)
        except _DB_ERRORS as cleanup:
            if not _nothing_to_roll_back(cleanup):
                raise
            if exc is not None:
                return False  # the body's own error goes on, as if the rollback had worked
            # COMMIT failed, then peewee's ROLLBACK did: raise the COMMIT's error.
            original = next((link for link in _chain(cleanup)
                             if not _nothing_to_roll_back(link)), None)
            if original is None:
                raise
            raise original from None


def write_transaction() -> _WriteTransaction:
    """A write transaction (BEGIN IMMEDIATE on SQLite, via the database's lock_type); nested,
    a savepoint."""
    return _WriteTransaction()
