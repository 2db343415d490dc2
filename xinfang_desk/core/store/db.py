"""The database connection: one proxy, initialised by whoever opens the data directory.

SQLite is the default (WAL, foreign keys, BEGIN IMMEDIATE for every write transaction so that
two writers wait for each other instead of failing). The same models run on PostgreSQL via
`open_url`; nothing outside this module and the migrations may assume SQLite.

On PostgreSQL every outermost write transaction first takes one transaction-level advisory
lock, so the desks of an office write one at a time, exactly as BEGIN IMMEDIATE makes them do
on SQLite. The core's read-check-write sequences (the next case number, a unique query code,
the audit chain's head, a case's state before an event) were written for that guarantee and
stay correct under several writers; an office's write rate (a save every few seconds) is far
below what one writer at a time can do (about 5 ms a save).
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


WRITE_LOCK_KEY = 0x58460001  # pg_advisory_xact_lock key of the write lock ("XF" 0001)

# What psycopg says when the server went away (restart, network, idle timeout) or cannot be
# reached: the connection is dropped so that the next attempt connects afresh.
_CONNECTION_LOST = ("server closed the connection", "terminating connection",
                    "connection is closed", "connection already closed", "connection is lost",
                    "the connection is bad", "ssl connection has been closed", "consuming input failed",
                    "sending query failed", "connection timeout expired", "no connection to the server")
_CANNOT_CONNECT = ("connection refused", "could not connect", "connection failed",
                   "could not translate host name", "name or service not known", "timeout expired")
CONNECTION_LOST = ("与数据库服务器的连接中断（服务器重启或网络故障），本次操作未保存；已填写的内容仍在。"
                   "请检查网络后再试一次。")
CANNOT_CONNECT = "无法连接数据库服务器，请检查服务器地址、端口和网络，或请管理员确认服务器已启动。"
BAD_LOGIN = "数据库服务器拒绝登录：用户名或密码不正确。"


def connection_problem(exc: BaseException) -> str | None:
    """The Chinese sentence for a lost or impossible server connection, else None."""
    text = str(exc).lower()
    if any(words in text for words in _CONNECTION_LOST):
        return CONNECTION_LOST
    if "password authentication failed" in text or "no password supplied" in text:
        return BAD_LOGIN
    if any(words in text for words in _CANNOT_CONNECT):
        return CANNOT_CONNECT
    return None


def drop_connection() -> None:
    """Forget this thread's connection (it is broken): the next query connects again."""
    db = database.obj
    if db is None or is_sqlite(db):
        return
    try:
        db.close()
    except Exception:  # noqa: BLE001 - a broken connection may fail to close; it is gone anyway
        db._state.reset()


def storage_message(exc: BaseException) -> str | None:
    """A plain Chinese sentence for an environment error, or None if it looks like a bug."""
    text = str(exc).lower()
    lost = connection_problem(exc)
    if lost is not None:
        return lost
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


_DB_ERRORS = (peewee.OperationalError, peewee.DatabaseError, peewee.InterfaceError,
              sqlite3.OperationalError, sqlite3.DatabaseError)

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
        if message in (CONNECTION_LOST, CANNOT_CONNECT):
            drop_connection()
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
        entered = self._inner.__enter__()
        db = database.obj
        if not is_sqlite(db) and db.transaction_depth() == 1:
            try:  # one writer at a time, as BEGIN IMMEDIATE on SQLite (see the module doc)
                db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
            except BaseException as exc:
                self.__exit__(type(exc), exc, exc.__traceback__)
                raise
        return entered

    def __exit__(self, exc_type, exc, tb):
        inner, self._inner = self._inner, None
        try:
            return inner.__exit__(exc_type, exc, tb)
        except IndexError:
            # The server connection died inside the transaction: peewee noticed it while
            # rolling back, reconnected and forgot the open transactions, so the outer levels
            # find nothing to pop. The body's error (the lost connection) is the one to tell.
            if exc is None:
                raise
            return False
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
