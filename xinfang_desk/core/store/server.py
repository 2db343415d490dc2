"""The shared server of a multi-seat office: which PostgreSQL database a desk uses, how it
connects, and preparing an empty one.

A desk chooses the server by `--db-url postgresql://user@host:port/db`, the XINFANG_DB_URL
environment variable, or the 连接服务器 dialog, whose choice is remembered per PC in the data
directory's server.json: host, port, database and user, never the password. The password
travels in the URL (scripts), sits in the operating system's keyring where one exists (the
Windows Credential Manager), or is asked for at start. The local data directory stays the
home of what is the PC's own: window layout, backups made here, saved ledger mappings, logs.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import peewee

from xinfang_desk.core import atomic
from xinfang_desk.core.errors import BackupError, StorageError, XinfangError
from xinfang_desk.core.paths import DataDir
from xinfang_desk.core.store import migrations
from xinfang_desk.core.store.db import connection_problem, database, storage_errors
from xinfang_desk.core.store.models import Meta

log = logging.getLogger(__name__)

ENV_URL = "XINFANG_DB_URL"
ENV_PASSWORD = "XINFANG_DB_PASSWORD"
DEFAULT_PORT = 5432
CONNECT_TIMEOUT = 5  # seconds: a desk must not hang at start on a server that is down
KEYRING_SERVICE = "xinfang-desk"
SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class ServerChoice:
    host: str
    database: str
    user: str
    port: int = DEFAULT_PORT
    password: str = ""

    @classmethod
    def from_url(cls, url: str) -> ServerChoice:
        """Parse postgresql://user[:password]@host[:port]/database; XinfangError in Chinese."""
        parts = urlsplit((url or "").strip())
        if parts.scheme not in SCHEMES:
            raise XinfangError(f"数据库地址应以 postgresql:// 开头，例如 "
                               f"postgresql://xinfang@192.168.1.10:5432/xinfang（收到：{url}）")
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError:
            raise XinfangError(f"数据库地址中的端口不是有效数字：{url}") from None
        name = unquote(parts.path.lstrip("/"))
        if not parts.hostname or not name or not parts.username:
            raise XinfangError("数据库地址须写明服务器、用户名和数据库名，例如 "
                               "postgresql://xinfang@192.168.1.10:5432/xinfang")
        return cls(host=parts.hostname, database=name, user=unquote(parts.username), port=port,
                   password=unquote(parts.password or ""))

    def url(self, *, with_password: bool = True) -> str:
        secret = f":{quote(self.password, safe='')}" if self.password and with_password else ""
        return (f"postgresql://{quote(self.user, safe='')}{secret}@{self.host}:{self.port}/"
                f"{quote(self.database, safe='')}")

    @property
    def label(self) -> str:
        """What the status bar and messages show: user@host:port/database, no password."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    def with_password(self, password: str) -> ServerChoice:
        return ServerChoice(self.host, self.database, self.user, self.port, password)

    @property
    def keyring_key(self) -> str:
        return self.label


# ------------------------------------------------------------------ remembered per PC


def load_choice(data_dir: DataDir) -> ServerChoice | None:
    """The server this PC uses (without the password), or None for the local database."""
    path = data_dir.server_choice
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise StorageError(f"服务器设置文件 {path} 无法读取：{exc}。可删除该文件后重新连接。") from exc
    try:
        return ServerChoice(host=str(data["host"]), database=str(data["database"]),
                            user=str(data["user"]), port=int(data.get("port", DEFAULT_PORT)))
    except (KeyError, TypeError, ValueError) as exc:
        raise StorageError(f"服务器设置文件 {path} 内容不完整：{exc}。可删除该文件后重新连接。") from exc


def save_choice(data_dir: DataDir, choice: ServerChoice, *, remember_password: bool) -> bool:
    """Remember the server for this PC (never the password in the file). With
    `remember_password`, the password goes to the OS keyring; returns whether it could."""
    data = {"host": choice.host, "port": choice.port, "database": choice.database,
            "user": choice.user}
    data_dir.root.mkdir(parents=True, exist_ok=True)
    atomic.write_text(data_dir.server_choice, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    if remember_password and choice.password:
        return store_password(choice)
    forget_password(choice)
    return False


def forget_choice(data_dir: DataDir) -> None:
    """Back to the local database on this PC (the server's data is untouched)."""
    choice = load_choice(data_dir)
    if choice is not None:
        forget_password(choice)
    data_dir.server_choice.unlink(missing_ok=True)


def _keyring():
    """The OS keyring, or None where there is none usable (a Linux box without a secret
    service, a locked-down PC): then the password is asked at start."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
            return None  # the "fail" and "null" backends: nowhere safe to keep a password
        return keyring
    except Exception:  # noqa: BLE001 - no keyring is a normal situation, not an error
        return None


def has_keyring() -> bool:
    return _keyring() is not None


def store_password(choice: ServerChoice) -> bool:
    kr = _keyring()
    if kr is None:
        return False
    try:
        kr.set_password(KEYRING_SERVICE, choice.keyring_key, choice.password)
        return True
    except Exception:  # noqa: BLE001 - the password is then asked at the next start
        return False


def stored_password(choice: ServerChoice) -> str | None:
    kr = _keyring()
    if kr is None:
        return None
    try:
        return kr.get_password(KEYRING_SERVICE, choice.keyring_key)
    except Exception:  # noqa: BLE001
        return None


def forget_password(choice: ServerChoice) -> None:
    kr = _keyring()
    if kr is None:
        return
    try:
        kr.delete_password(KEYRING_SERVICE, choice.keyring_key)
    except Exception:  # noqa: BLE001 - nothing stored
        pass


def url_from_environment(cli_value: str | None = None) -> str | None:
    """--db-url beats XINFANG_DB_URL; None means: no server named on the command line."""
    url = (cli_value or os.environ.get(ENV_URL) or "").strip()
    return url or None


def with_known_password(choice: ServerChoice) -> ServerChoice:
    """Fill the password from XINFANG_DB_PASSWORD or the keyring when the choice has none."""
    if choice.password:
        return choice
    password = os.environ.get(ENV_PASSWORD) or stored_password(choice)
    return choice.with_password(password) if password else choice


# ------------------------------------------------------------------ connecting


class _Psycopg3(peewee.Psycopg3Adapter):
    """peewee's psycopg 3 adapter with psycopg imported here, when a server is first opened,
    instead of when peewee was imported (core.drivers): the methods of peewee's adapter that
    name its module-level psycopg, given the driver this one imported."""

    def __init__(self):
        import psycopg
        from psycopg.pq import TransactionStatus
        from psycopg.types.json import Json, Jsonb

        super().__init__()
        self._psycopg, self._status = psycopg, TransactionStatus
        self.txn_idle = TransactionStatus.IDLE
        self.txn_inerror = TransactionStatus.INERROR
        self.txn_unknown = TransactionStatus.UNKNOWN
        self.json_type, self.jsonb_type = Json, Jsonb

    def check_driver(self):
        pass  # imported in __init__, or ImportError there

    def get_binary_type(self):
        return self._psycopg.Binary

    def connect(self, db, **params):
        if db._encoding:
            params.setdefault("client_encoding", db._encoding)
        if db.database.startswith("postgresql://"):
            params.setdefault("conninfo", db.database)
        else:
            params.setdefault("dbname", db.database)
        # No JIT on a desk's connection: it compiled the monthly figures' one large query
        # first (0.2-0.4 s, docs/performance.md) and sped up no plan of ours.
        params["options"] = f"{params.get('options', '')} -c jit=off".strip()
        return self._psycopg.connect(**params)

    def server_side_cursor(self, conn):
        in_txn = self.txn_status(conn) == self._status.INTRANS
        return conn.cursor(name=str(uuid.uuid1()), withhold=not in_txn)


class ServerDatabase(peewee.PostgresqlDatabase):
    """PostgreSQL through psycopg 3 whether or not peewee saw psycopg when it was imported."""

    psycopg2_adapter = psycopg3_adapter = _Psycopg3


def database_for_url(url: str) -> ServerDatabase:
    """An unconnected database for postgresql://user:password@host:port/db."""
    choice = ServerChoice.from_url(url)
    return make_database(choice)


def make_database(choice: ServerChoice) -> ServerDatabase:
    return ServerDatabase(
        choice.database, host=choice.host, port=choice.port, user=choice.user,
        password=choice.password or None, connect_timeout=CONNECT_TIMEOUT,
        application_name="xinfang-desk")


def _connect_error(exc: BaseException, choice: ServerChoice) -> StorageError:
    message = connection_problem(exc)
    text = str(exc)
    if message is None and "does not exist" in text and "database" in text:
        message = f"服务器 {choice.host} 上没有名为“{choice.database}”的数据库，请检查数据库名。"
    if message is None:
        message = f"无法连接数据库服务器：{text.strip()}"
    return StorageError(f"{message}（{choice.label}）")


def test_connection(choice: ServerChoice) -> str:
    """Connect once and say what is there ("PostgreSQL 15.8，数据结构版本 8" / "空数据库");
    StorageError in Chinese when it cannot."""
    db = make_database(choice)
    try:
        db.connect()
        (version,) = db.execute_sql("SHOW server_version").fetchone()
        with db.bind_ctx([Meta], bind_refs=False, bind_backrefs=False):
            schema = migrations.current_version(db)
    except peewee.PeeweeException as exc:
        raise _connect_error(exc, choice) from exc
    finally:
        if not db.is_closed():
            db.close()
    state = f"数据结构版本 {schema}" if schema else "空数据库，尚未初始化"
    return f"PostgreSQL {version.split()[0]}，{state}"


def open_server(data_dir_root: Path, choice: ServerChoice) -> DataDir:
    """Bind the models to the server (migrating it, refusing a newer schema untouched) and
    prepare the PC's own data directory beside it."""
    data_dir = DataDir(Path(data_dir_root))
    with storage_errors():
        data_dir.ensure()
    db = make_database(choice)
    try:
        db.connect()
    except peewee.PeeweeException as exc:
        raise _connect_error(exc, choice) from exc
    database.initialize(db)
    with storage_errors():
        migrations.migrate(None, None,
                           before_upgrade=lambda version: backup_before_upgrade(data_dir, version))
    global _in_use
    _in_use = (db, choice.with_password(""))
    return data_dir


def backup_before_upgrade(data_dir: DataDir, version: int) -> Path:
    """Before the shared schema is upgraded from `version`, the desk whose turn it is keeps a
    pg_dump backup of the server as it was (reason pre-migration: listed for restore, never
    rotated out) in its backups folder, as a desk keeps a copy of its SQLite file. Without
    one (no pg_dump on this PC, a full disk …) the upgrade is refused, the server untouched."""
    from xinfang_desk.core.store import backup

    try:
        info = backup.make_backup(data_dir, reason="pre-migration")
    except BackupError as exc:
        raise BackupError(
            f"服务器数据库需要升级数据结构（版本 {version} → {migrations.LATEST}），升级前必须先"
            f"在本机备份，但备份没有成功，服务器数据库未作任何改动。{exc}") from exc
    log.info("backed the server up to %s before migrating from v%s", info.path, version)
    return info.path


_in_use: tuple[peewee.Database, ServerChoice] | None = None


def in_use() -> ServerChoice | None:
    """The server the models are bound to now (no password), or None (the local file)."""
    if _in_use is not None and database.obj is _in_use[0]:
        return _in_use[1]
    return None


def is_empty(db: peewee.Database) -> bool:
    return not db.get_tables()


def server_summary() -> dict:
    """What the bound server holds (for `server init` and the status bar)."""
    from xinfang_desk.core.store.models import Case, User

    return {"schema": migrations.current_version(database.obj), "cases": Case.select().count(),
            "users": User.select().count()}
