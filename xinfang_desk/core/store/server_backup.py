"""Backups of the shared server database (PostgreSQL) with pg_dump and pg_restore, and the
checks that make sense on a server. core.store.backup, .restore and .check come here whenever
the models are bound to a server instead of the local SQLite file; manifests, rotation, the
second folder and encryption stay theirs, the same for both.

Tools. pg_dump and pg_restore are taken from the folder that XINFANG_PG_BIN names (only from
there when it is set: an explicit choice must not be overridden by something on PATH), else
from PATH, else (Windows) from the newest ``PostgreSQL\\<n>\\bin`` under Program Files. The
folder is per PC, like the tools, so it is an environment variable and not a setting, which
would be shared by every desk on the server. A pg_dump older than the server cannot dump it
and a pg_restore older than the pg_dump that wrote an archive cannot read it: both are refused
first with a Chinese reason. The password reaches them only in the PGPASSWORD variable of the
child's environment, never on a command line or in a file.

Backup (`dump`). A REPEATABLE READ transaction on a connection of its own exports its
snapshot (pg_export_snapshot) and reads the schema version, the case count and the audit head;
``pg_dump --format=custom --snapshot=…`` then dumps exactly that snapshot while the
transaction stays open, so the manifest describes the dump however busy the other desks are.
``pg_restore --list`` proves the archive readable.

Reading an archive (`read_dump`). ``pg_restore --data-only`` writes the COPY data of meta,
xf_case and audit_log to a pipe: the schema version and the case count are read from it, and
the audit rows go into a scratch SQLite file where core.store.audit.verify checks the chain.
That is the very data a restore would put back, and it needs no second database on the server.

Restore (`restore_dump`): ``pg_restore --single-transaction --clean --if-exists`` into the
server database, so that either every object and row of the backup replaces the present ones
or, on any error, nothing has changed. Restoring into a fresh database and renaming it over the
old one was not chosen: that needs CREATEDB and ownership of the database and every other desk
disconnected by force, where the in-place restore needs only the rights the program already
uses. Two things it cannot do inside that transaction: (1) tables that later migrations added
are not in an older backup; their contents would survive the restore, and their foreign keys
would block the drop of the restored tables. Those of the program's own objects that the
backup lacks are therefore dropped first, in a transaction of their own; should the restore
then fail, the copy of the server taken just before (core.store.restore) is put back the same
way. (2) Other desks still connected would go on working on data that is gone: the restore is
refused while any other session uses the database, as the SQLite restore is while another
window has the file open. A lock timeout keeps it from waiting for ever all the same.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import peewee

from xinfang_desk.core import atomic
from xinfang_desk.core.errors import BackupError
from xinfang_desk.core.store import audit, migrations
from xinfang_desk.core.store.db import database, is_sqlite, write_transaction
from xinfang_desk.core.store.models import ALL_MODELS, AuditLog

log = logging.getLogger(__name__)

PG_BIN_ENV = "XINFANG_PG_BIN"
DUMP_SUFFIX = ".pgdump"
DUMP_MAGIC = b"PGDMP"
DAILY_LOCK_KEY = 0x58460003  # pg_try_advisory_lock key: one desk takes the day's backup
LOCK_TIMEOUT_MS = 30000  # a restore waiting longer for a table is refused, not left hanging
QUICK_TIMEOUT = 120  # seconds for --version and --list; dumps and restores take their time
APP_NAME = "xinfang-desk-backup"
AUDIT_GUARD = "audit_log_append_only"  # the trigger of migration v3

# libpq connection keywords passed on to the tools (the password never: it goes by PGPASSWORD).
_LIBPQ = ("host", "hostaddr", "port", "user", "passfile", "service", "sslmode", "sslcert",
          "sslkey", "sslrootcert", "sslcrl", "connect_timeout", "target_session_attrs",
          "gssencmode", "channel_binding", "krbsrvname")
_NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console flashing up in the GUI
_EXAMPLE_BIN = r"C:\Program Files\PostgreSQL\16\bin"


# --- the bound server ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Server:
    """How the tools reach the server database the models are bound to."""

    dbname: str
    params: tuple[tuple[str, str], ...]  # libpq keywords, no password
    password: str | None

    def _param(self, key: str, default: str = "") -> str:
        return dict(self.params).get(key, default)

    @property
    def label(self) -> str:
        """user@host:port/database, for messages (no password)."""
        user = self._param("user")
        return f"{user + '@' if user else ''}{self.identity}"

    @property
    def identity(self) -> str:
        """host:port/database: which server database a backup manifest belongs to."""
        return f"{self._param('host', 'localhost')}:{self._param('port', '5432')}/{self.dbname}"

    def conninfo(self) -> str:
        pairs = [("dbname", self.dbname), *self.params, ("application_name", APP_NAME)]
        return " ".join(f"{key}={_quote(value)}" for key, value in pairs)

    def env(self, *, options: str = "") -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        env.setdefault("PGCONNECT_TIMEOUT", "10")
        # English messages, so that the usual failures can be recognised and said in Chinese.
        env["LC_MESSAGES"] = "C"
        env["LANGUAGE"] = "C"
        if options:
            env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} {options}".strip()
        return env


def _quote(value: str) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def on_server() -> bool:
    """The models are bound to a server database (not the local file, and not unbound: a
    restore over a damaged file runs with the models bound to nothing usable)."""
    return database.obj is not None and not is_sqlite()


def bound_server(db: peewee.Database | None = None) -> Server:
    """The server database the models are bound to (BackupError when it is the local file)."""
    db = db if db is not None else database.obj
    if db is None or is_sqlite(db):
        raise BackupError("当前使用的是本机数据库，不是服务器数据库。")
    params = {k: v for k, v in dict(db.connect_params).items() if v is not None}
    name = str(db.database)
    if name.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(name)
        name = unquote(parts.path.lstrip("/"))
        url_params = {"host": parts.hostname, "port": parts.port,
                      "user": unquote(parts.username) if parts.username else None,
                      "password": unquote(parts.password) if parts.password else None,
                      **dict(parse_qsl(parts.query))}
        params = {**{k: v for k, v in url_params.items() if v is not None}, **params}
    password = params.pop("password", None)
    kept = tuple((key, str(params[key])) for key in _LIBPQ if key in params)
    return Server(name, kept, str(password) if password else None)


def _own_connection(db: peewee.Database | None = None) -> peewee.Database:
    """A new connection to the bound server, apart from the program's (which a transaction of
    ours must not disturb, nor theirs ours)."""
    db = db if db is not None else database.obj
    other = type(db)(db.database, **db.connect_params)
    try:
        other.connect()
    except peewee.PeeweeException as exc:
        raise BackupError(_server_error(str(exc))) from exc
    return other


def _server_error(text: str, what: str = "") -> str:
    """A Chinese sentence for a failure of the server or of a tool talking to it."""
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        reason = "数据库服务器拒绝登录（用户名或密码不正确）"
    elif any(w in low for w in ("could not connect", "connection refused", "timeout expired",
                                "could not translate host name", "server closed the connection",
                                "connection to server")):
        reason = "无法连接数据库服务器（请检查网络，或请管理员确认服务器已启动）"
    elif "lock timeout" in low:
        reason = ("数据表正被其他连接占用（其他工作站可能正在保存），等待超时。请稍后重试，"
                  "或先让其他工作站退出信访接待台")
    elif "permission denied" in low or "must be owner" in low:
        reason = f"数据库用户没有足够的权限（{_last_line(text)}），请由数据库管理员处理"
    elif "depends on" in low or "cannot drop" in low:
        reason = (f"服务器数据库中有依赖本程序数据表的其他对象（{_last_line(text)}），"
                  "请由数据库管理员处理")
    elif "no space" in low or "disk full" in low:
        reason = "磁盘空间不足"
    else:
        reason = _last_line(text) or "原因不明"
    return f"{what}失败：{reason}。" if what else f"{reason}。"


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    interesting = [line for line in lines if "error" in line.lower()] or lines
    return interesting[-1][:200] if interesting else ""


# --- the tools ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tool:
    name: str
    path: Path
    version: tuple[int, ...]

    @property
    def text(self) -> str:
        return f"{self.name} {version_text(self.version)}"


def version_of(text: str) -> tuple[int, ...]:
    """(15, 18) from 'pg_dump (PostgreSQL) 15.18 (Debian …)' or '15.18'; () when none."""
    m = re.search(r"(?:PostgreSQL\)\s*|^|\s)(\d+)(?:\.(\d+))?(?:\.(\d+))?", text.strip())
    return tuple(int(g) for g in m.groups() if g is not None) if m else ()


def version_text(version: tuple[int, ...]) -> str:
    return ".".join(str(n) for n in version) or "?"


def major(version: tuple[int, ...]) -> tuple[int, ...]:
    """The part that must match: 15 of 15.18, but 9.6 of 9.6.24 (before release 10)."""
    return version[:1] if version and version[0] >= 10 else version[:2]


def _exe(name: str) -> str:
    return f"{name}.exe" if os.name == "nt" else name


def _windows_folders() -> list[Path]:
    """PostgreSQL\\<n>\\bin under Program Files, newest release first (Windows only)."""
    if os.name != "nt":
        return []
    found = []
    for var in ("ProgramW6432", "ProgramFiles", "ProgramFiles(x86)"):
        root = os.environ.get(var)
        if root:
            with contextlib.suppress(OSError):
                found += [p for p in Path(root, "PostgreSQL").glob("*/bin") if p.is_dir()]
    return sorted(set(found), key=lambda p: version_of(p.parent.name) or (0,), reverse=True)


def find_tool(name: str) -> Path | None:
    folder = os.environ.get(PG_BIN_ENV, "").strip()
    if folder:
        path = Path(folder).expanduser() / _exe(name)
        return path if path.is_file() else None
    found = shutil.which(name)
    if found:
        return Path(found)
    for bin_dir in _windows_folders():
        if (bin_dir / _exe(name)).is_file():
            return bin_dir / _exe(name)
    return None


def _missing(name: str, what: str) -> str:
    folder = os.environ.get(PG_BIN_ENV, "").strip()
    if folder:
        return (f"环境变量 {PG_BIN_ENV} 指定的文件夹 {folder} 中没有 {name}，无法{what}服务器数据库。"
                "请把它改为 PostgreSQL 客户端工具所在的 bin 文件夹。")
    return (f"本机找不到 PostgreSQL 的 {name} 工具，无法{what}服务器数据库。请在本机安装与服务器"
            f"同版本或更新的 PostgreSQL 客户端工具，或把环境变量 {PG_BIN_ENV} 设为其 bin 文件夹"
            f"（如 {_EXAMPLE_BIN}）。")


def require_tool(name: str, what: str) -> Tool:
    """pg_dump / pg_restore with its version; BackupError in Chinese when it is missing."""
    path = find_tool(name)
    if path is None:
        raise BackupError(_missing(name, what))
    try:
        done = subprocess.run([str(path), "--version"], capture_output=True, text=True,
                              timeout=QUICK_TIMEOUT, stdin=subprocess.DEVNULL,
                              creationflags=_NO_WINDOW, errors="replace")
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackupError(f"无法运行 {path}（{getattr(exc, 'strerror', None) or exc}），"
                          f"无法{what}服务器数据库。") from exc
    version = version_of(done.stdout)
    if done.returncode != 0 or not version:
        raise BackupError(f"{path} 不是可用的 {name}（无法读出版本），无法{what}服务器数据库。")
    return Tool(name, path, version)


def server_version(db: peewee.Database | None = None) -> tuple[int, ...]:
    db = db if db is not None else database.obj
    num = int(db.execute_sql("SHOW server_version_num").fetchone()[0])
    return (num // 10000, num % 10000) if num >= 100000 else (num // 10000, num // 100 % 100,
                                                              num % 100)


def _dump_tool_for(server: tuple[int, ...], what: str = "备份") -> Tool:
    tool = require_tool("pg_dump", what)
    if major(tool.version) < major(server):
        need = version_text(major(server))
        raise BackupError(
            f"本机的 pg_dump 版本为 {version_text(tool.version)}，比数据库服务器（PostgreSQL "
            f"{version_text(server)}）旧，无法{what}。请安装 PostgreSQL {need} 或更新版本的客户端"
            f"工具，或用环境变量 {PG_BIN_ENV} 指定其 bin 文件夹。")
    return tool


def require_tools(what: str) -> None:
    """BackupError in Chinese unless pg_dump (not older than the server) and pg_restore are
    there: a restore needs both (the present state is dumped first)."""
    try:
        version = server_version()
    except peewee.PeeweeException as exc:
        raise BackupError(_server_error(str(exc), what)) from exc
    _dump_tool_for(version, what)
    require_tool("pg_restore", what)


def tools_problem() -> str | None:
    """Why backups and restores of the bound server cannot work on this PC (pg_dump or
    pg_restore missing, pg_dump older than the server), or None when they can."""
    try:
        require_tools("备份和恢复")
    except BackupError as exc:
        return str(exc)
    return None


def _run(args: list, server: Server, what: str, *, options: str = "",
         timeout: float | None = None, made_by: str = "") -> str:
    """Run a tool; its stdout. BackupError naming the reason in Chinese when it fails."""
    try:
        done = subprocess.run([str(a) for a in args], env=server.env(options=options),
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=timeout,
                              creationflags=_NO_WINDOW)
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{what}超时（{Path(args[0]).name} 超过 {timeout} 秒没有完成）。") from exc
    except OSError as exc:
        raise BackupError(f"无法运行 {args[0]}（{exc.strerror or exc}），{what}未完成。") from exc
    err = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        raise BackupError(_tool_error(err, what, made_by))
    return done.stdout.decode("utf-8", "replace")


_DAMAGED = ("not appear to be a valid archive", "did not find magic string",
            "could not read input file", "could not read from input file", "end of file",
            "could not uncompress", "corrupt", "invalid compression", "error during file seek")


def _tool_error(err: str, what: str, made_by: str = "") -> str:
    low = err.lower()
    if "unsupported version" in low and "file header" in low:
        by = f"（{made_by}）" if made_by else ""
        return (f"{what}失败：本机的 pg_restore 比生成该备份的 pg_dump{by}旧，读不了这个备份。"
                "请安装更新版本的 PostgreSQL 客户端工具。")
    if "server version mismatch" in low:
        return f"{what}失败：本机的 pg_dump 比数据库服务器旧。请安装与服务器同版本或更新的客户端工具。"
    if any(words in low for words in _DAMAGED):
        return f"{what}失败：备份文件已损坏或不完整，不能使用。"
    return _server_error(err, what)


# --- taking a dump --------------------------------------------------------------------------

@dataclass(frozen=True)
class DumpFacts:
    """What a dump holds (and, read back, what a restore of it would put on the server)."""

    schema_version: int
    cases: int
    audit_head: tuple[int, str] | None
    has_audit: bool
    audit_rows: int = 0
    server: str = ""  # host:port/database it was taken from
    tool: str = ""  # "pg_dump 15.18（PostgreSQL 15.18）"


def _live_facts(db: peewee.Database) -> tuple[int, int, tuple[int, str] | None, bool]:
    names = {r[0] for r in db.execute_sql(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema()")}
    if "meta" not in names or "xf_case" not in names:
        raise BackupError("服务器上的数据库不是信访接待台的数据库（缺少本程序的数据表），无法备份。")
    row = db.execute_sql("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    version = _int(row[0]) if row else 0
    cases = int(db.execute_sql("SELECT count(*) FROM xf_case").fetchone()[0])
    head = None
    if "audit_log" in names:
        last = db.execute_sql("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        head = (int(last[0]), str(last[1])) if last else None
    return version, cases, head, "audit_log" in names


def _int(value) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return 0


def dump(target: Path) -> DumpFacts:
    """pg_dump the bound server database into `target` (a new empty file, overwritten), in
    the snapshot that the returned facts were read in. BackupError in Chinese otherwise."""
    server = bound_server()
    own = _own_connection()
    try:
        version = server_version(own)
        tool = _dump_tool_for(version)
        restorer = require_tool("pg_restore", "备份")  # to prove the dump readable
        own.execute_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        (snapshot,) = own.execute_sql("SELECT pg_export_snapshot()").fetchone()
        schema, cases, head, has_audit = _live_facts(own)
        _run([tool.path, "--format=custom", "--no-password", f"--snapshot={snapshot}",
              f"--file={target}", f"--dbname={server.conninfo()}"], server, "备份")
        own.execute_sql("COMMIT")
    except peewee.PeeweeException as exc:
        raise BackupError(_server_error(str(exc), "备份")) from exc
    finally:
        own.close()
    listing = _listing(target, restorer, server, "备份")
    if not {"meta", "xf_case"} <= listing.data:
        raise BackupError("备份失败：pg_dump 生成的文件中没有本程序的数据。")
    return DumpFacts(schema, cases, head, has_audit, server=server.identity,
                     tool=f"{tool.text}（PostgreSQL {version_text(version)}）")


def is_dump(path: Path) -> bool:
    """A pg_dump custom-format archive (by its first bytes)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(DUMP_MAGIC)) == DUMP_MAGIC
    except OSError:
        return False


@dataclass(frozen=True)
class Listing:
    """The table of contents of an archive (pg_restore --list)."""

    dumped_by: str  # the pg_dump version line
    data: frozenset[str]  # tables with data
    objects: frozenset[tuple[str, str]]  # (TABLE/VIEW/SEQUENCE/FUNCTION…, name)


_TOC = re.compile(r"^\d+; \d+ \d+ (TABLE DATA|SEQUENCE SET|SEQUENCE OWNED BY|MATERIALIZED VIEW "
                  r"DATA|MATERIALIZED VIEW|TABLE|SEQUENCE|VIEW|FUNCTION) (\S+) ([^\s(]+)")


def _listing(path: Path, restorer: Tool, server: Server, what: str,
             made_by: str = "") -> Listing:
    text = _run([restorer.path, "--list", path], server, what, timeout=QUICK_TIMEOUT,
                made_by=made_by)
    by = re.search(r"Dumped by pg_dump version:\s*(\S+)", text)
    data, objects = set(), set()
    for line in text.splitlines():
        m = _TOC.match(line)
        if m is None:
            continue
        kind, _schema, name = m.groups()
        if kind == "TABLE DATA":
            data.add(name)
        else:
            objects.add((kind, name))
    return Listing(by.group(1) if by else made_by, frozenset(data), frozenset(objects))


# --- reading a dump back --------------------------------------------------------------------

_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.))", re.S)
_SIMPLE = {b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"v": b"\v"}
_CODECS = {"UTF8": "utf-8", "GBK": "gbk", "GB18030": "gb18030", "EUC_CN": "gb2312",
           "LATIN1": "latin-1", "SQL_ASCII": "latin-1", "WIN1252": "cp1252"}
_COPY = re.compile(rb"^COPY (?:\S+?\.)?(\"(?:[^\"]|\"\")+\"|\S+) \((.*)\) FROM stdin;")
_AUDIT_COLUMNS = ("id", "at", "actor", "action", "object", "success", "details", "prev_hash",
                  "hash")


def _unescape(m: re.Match) -> bytes:
    octal, hexa, other = m.groups()
    if octal is not None:
        return bytes([int(octal, 8) & 0xFF])
    if hexa is not None:
        return bytes([int(hexa, 16)])
    return _SIMPLE.get(other, other)


def _ident(raw: bytes) -> str:
    text = raw.decode("utf-8").strip()
    return text[1:-1].replace('""', '"') if text.startswith('"') else text


class _CopyReader:
    """The rows of the COPY blocks in pg_restore's output, by table, as text (None = NULL)."""

    def __init__(self):
        self.codec = "utf-8"

    def field(self, raw: bytes) -> str | None:
        if raw == b"\\N":
            return None
        if b"\\" in raw:
            raw = _ESCAPE.sub(_unescape, raw)
        return raw.decode(self.codec)

    def rows(self, stream) -> Iterator[tuple[str, list[str], bytes]]:
        """(table, its columns, one row's line, still to be split at tabs)."""
        table, columns = None, []
        for line in stream:
            if table is None:
                if line.startswith(b"SET client_encoding"):
                    name = line.split(b"'")[1].decode("ascii", "replace").upper()
                    self.codec = _CODECS.get(name, "utf-8")
                m = _COPY.match(line)
                if m:
                    table = _ident(m.group(1))
                    columns = [_ident(c) for c in m.group(2).split(b",")]
                continue
            line = line.rstrip(b"\r\n")
            if line == b"\\.":
                table = None
                continue
            yield table, columns, line


def _stream(restorer: Tool, path: Path, tables: tuple[str, ...], server: Server, what: str,
            made_by: str) -> Iterator[tuple[_CopyReader, str, list[str], bytes]]:
    """pg_restore --data-only of `tables` (all when empty) into a pipe, row by row."""
    args = [str(restorer.path), "--data-only", "--file=-",
            *(f"--table={t}" for t in tables), str(path)]
    reader = _CopyReader()
    with tempfile.TemporaryFile() as err:  # a pipe for stderr could fill and stall the tool
        try:
            proc = subprocess.Popen(args, env=server.env(), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=err, creationflags=_NO_WINDOW)
        except OSError as exc:
            raise BackupError(f"无法运行 {restorer.path}（{exc.strerror or exc}），{what}未完成。"
                              ) from exc
        finished = False
        try:
            for table, columns, line in reader.rows(proc.stdout):
                yield reader, table, columns, line
            finished = True
        finally:
            if not finished:  # the reader gave up: no need for the rest
                with contextlib.suppress(OSError):
                    proc.kill()
            code = proc.wait()
            proc.stdout.close()
        if code != 0:
            err.seek(0)
            raise BackupError(_tool_error(err.read().decode("utf-8", "replace"), what, made_by))


def read_dump(path: Path, *, known_head: tuple[int, str] | None = None,
              made_by: str = "") -> DumpFacts:
    """Check an archive before a restore: readable, ours, schema version not newer than this
    program, the audit chain sound (up to `known_head`, the manifest's). BackupError naming
    what is wrong otherwise. `made_by` (from the manifest) names the pg_dump in messages."""
    if not is_dump(path):
        raise BackupError("不是信访接待台的服务器备份文件（不是 pg_dump 备份，或文件已损坏）。")
    what = "读取备份"
    server = bound_server()
    restorer = require_tool("pg_restore", "恢复")
    listing = _listing(path, restorer, server, what, made_by)
    made_by = made_by or (f"pg_dump {listing.dumped_by}" if listing.dumped_by else "")
    if version_of(listing.dumped_by) and major(version_of(listing.dumped_by)) > major(
            restorer.version):
        raise BackupError(
            f"本机的 pg_restore 版本为 {version_text(restorer.version)}，比生成该备份的 pg_dump"
            f"（{listing.dumped_by}）旧，可能读不全这个备份。请安装 PostgreSQL "
            f"{version_text(major(version_of(listing.dumped_by)))} 或更新版本的客户端工具。")
    if not {"meta", "xf_case"} <= listing.data:
        raise BackupError("不是信访接待台的数据库备份（缺少本程序的数据表）。")
    meta = {}
    for reader, table, columns, line in _stream(restorer, path, ("meta",), server, what,
                                                made_by):
        if table == "meta":
            row = dict(zip(columns, line.split(b"\t"), strict=False))
            meta[reader.field(row.get("key", b""))] = reader.field(row.get("value", b""))
    version = _int(meta.get("schema_version") or 0)
    if version < 1:
        raise BackupError("不是信访接待台的数据库备份（没有数据结构版本）。")
    if version > migrations.LATEST:
        raise BackupError(f"该备份由更新版本的程序生成（数据结构版本 {version}，本程序只支持到 "
                          f"{migrations.LATEST}），请安装新版程序后再恢复。")
    has_audit = "audit_log" in listing.data
    with atomic.temp_file(path.parent, ".audit-") as scratch:
        cases, result = _read_cases_and_audit(restorer, path, server, what, made_by, scratch,
                                              known_head if has_audit else None)
    if has_audit and not result.ok:
        raise BackupError(f"备份中的{result.message}不能用于恢复。")
    return DumpFacts(version, cases, result.head if has_audit else None, has_audit,
                     result.rows if has_audit else 0, tool=made_by)


def _read_cases_and_audit(restorer: Tool, path: Path, server: Server, what: str, made_by: str,
                          scratch: Path, known_head: tuple[int, str] | None):
    """Read all the data of an archive: count the cases, and verify the audit chain (the rows
    copied into the scratch SQLite file `scratch`, where core.store.audit.verify reads them)."""
    con = sqlite3.connect(str(scratch), isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at TEXT, actor TEXT, "
                    "action TEXT, object TEXT, success INTEGER, details TEXT, prev_hash TEXT, "
                    "hash TEXT)")
        cases, batch = 0, []
        insert = f"INSERT INTO audit_log VALUES ({', '.join('?' * len(_AUDIT_COLUMNS))})"
        con.execute("BEGIN")
        # Every table's data, though only two are kept: reading all of it proves that every
        # block of the archive decompresses (the closest pg_dump has to integrity_check).
        for reader, table, columns, line in _stream(restorer, path, (), server, what, made_by):
            if table == "xf_case":
                cases += 1
            elif table == "audit_log":
                row = dict(zip(columns, line.split(b"\t"), strict=False))
                values = [reader.field(row[c]) if c in row else None for c in _AUDIT_COLUMNS]
                try:
                    values[0] = int(values[0])
                except (TypeError, ValueError):
                    raise BackupError("备份中的审计日志记录编号无效，不能用于恢复。") from None
                values[5] = 1 if values[5] == "t" else 0
                batch.append(values)
                if len(batch) >= 5000:
                    con.executemany(insert, batch)
                    batch = []
        con.executemany(insert, batch)
        con.execute("COMMIT")
    except (sqlite3.Error, UnicodeDecodeError) as exc:
        raise BackupError(f"备份中的数据无法读取（{exc}），不能用于恢复。") from exc
    finally:
        con.close()
    scratch_db = peewee.SqliteDatabase(str(scratch))
    try:
        with AuditLog.bind_ctx(scratch_db):
            scratch_db.connect()
            return cases, audit.verify(known_head=known_head)
    finally:
        scratch_db.close()


# --- restoring into the server --------------------------------------------------------------

def other_sessions() -> list[str]:
    """The other client connections to the bound database (other desks, other programs),
    each as its address or program name where the server shows it."""
    rows = database.execute_sql(
        "SELECT coalesce(host(client_addr), ''), coalesce(application_name, '') "
        "FROM pg_catalog.pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'").fetchall()
    return [addr or app or "?" for addr, app in rows]


def refuse_if_shared() -> None:
    others = other_sessions()
    if others:
        shown = "、".join(sorted(set(others))[:5])
        raise BackupError(
            f"服务器数据库还有 {len(others)} 个其他连接（{shown}），多为其他工作站正在运行的信访"
            "接待台。恢复会替换全部数据，请先让其他工作站退出程序后重试；数据未作改动。")


def _stale_objects(listing: Listing) -> list[str]:
    """DROP statements for the program's own objects on the server that the archive lacks
    (added by migrations after it was taken)."""
    tables = {m._meta.table_name for m in ALL_MODELS}
    in_dump = {name for kind, name in listing.objects if kind in ("TABLE", "VIEW")}
    present = [r[0] for r in database.execute_sql(
        "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')")]
    drops = [f'DROP TABLE IF EXISTS "{name}" CASCADE' for name in sorted(present)
             if name in tables and name not in in_dump]
    functions = {name for kind, name in listing.objects if kind == "FUNCTION"}
    for name, signature in database.execute_sql(
            "SELECT p.proname, p.oid::regprocedure::text FROM pg_catalog.pg_proc p "
            "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND NOT EXISTS (SELECT 1 FROM "
            "pg_catalog.pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"):
        if name not in functions:  # e.g. a function of a later migration, not of an extension
            drops.append(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
    return drops


def _pg_restore(restorer: Tool, path: Path, server: Server) -> None:
    # --no-owner / --no-privileges: the objects belong to the role the program connects as
    # (the one that created them in the migrations), whatever roles the old server had.
    _run([restorer.path, "--single-transaction", "--clean", "--if-exists", "--no-owner",
          "--no-privileges", "--no-password", f"--dbname={server.conninfo()}", path],
         server, "恢复", options=f"-c lock_timeout={LOCK_TIMEOUT_MS}")


def restore_dump(path: Path, *, fallback: Path | None) -> None:
    """Replace the bound server database's contents by archive `path` (checked by `read_dump`)
    in one transaction. `fallback` is the archive of the state before (put back should the
    restore fail after the objects the archive lacks were dropped). Closes this thread's
    connection; the caller reconnects (`reconnect`) whatever the outcome."""
    server = bound_server()
    restorer = require_tool("pg_restore", "恢复")
    listing = _listing(path, restorer, server, "恢复")
    try:
        drops = _stale_objects(listing)
        if drops:
            log.info("dropping before the restore: %s", "; ".join(drops))
            with write_transaction():
                for statement in drops:
                    database.execute_sql(statement)
    except peewee.PeeweeException as exc:
        raise BackupError(_server_error(str(exc), "恢复")) from exc
    database.obj.close()  # our prepared statements would name the tables being replaced
    try:
        _pg_restore(restorer, path, server)
    except BackupError as exc:
        if not drops or fallback is None:
            raise BackupError(f"{exc}服务器数据库未作改动。") from exc
        try:
            _pg_restore(restorer, fallback, server)
        except BackupError as again:
            raise BackupError(f"{exc}放回恢复前的副本 {fallback.name} 也未成功（{again}）。请立即"
                              "联系数据库管理员，用该副本恢复服务器数据库。") from exc
        raise BackupError(f"{exc}服务器数据库已放回恢复前的状态。") from exc


def reconnect() -> None:
    """This thread's connection anew, and the schema brought to this program's version (a
    restored older backup is migrated, as on opening)."""
    db = database.obj
    if not db.is_closed():
        db.close()
    db.connect()
    migrations.migrate(None, None)


# --- the automatic backup of a multi-seat office ------------------------------------------

@contextlib.contextmanager
def daily_turn() -> Iterator[bool]:
    """True to the one desk that may take the day's automatic backup now, False to the others
    meanwhile: a session advisory lock on a connection of its own, released with it."""
    own = _own_connection()
    try:
        (mine,) = own.execute_sql("SELECT pg_try_advisory_lock(%s)", (DAILY_LOCK_KEY,)).fetchone()
        yield bool(mine)
    finally:
        own.close()


_SERVER_BACKUP = '"engine":"postgresql"'  # in the details of a server backup's audit row


def daily_taken(day) -> bool:
    """Some desk already recorded today's automatic backup in the server's audit trail."""
    return (AuditLog.select(AuditLog.id)
            .where(AuditLog.action == "backup", AuditLog.success == True,  # noqa: E712
                   AuditLog.at.startswith(day.isoformat()),
                   AuditLog.details.contains('"reason":"daily"'),
                   AuditLog.details.contains(_SERVER_BACKUP))
            .exists())


# --- facts for the database check -----------------------------------------------------------

@dataclass(frozen=True)
class ServerState:
    version: str  # "15.18"
    label: str
    foreign_keys: int
    unvalidated: list[str]  # FK constraints added NOT VALID (old rows never checked)
    unenforced: list[str]  # tables whose FK triggers were disabled
    audit_guard: bool | None  # the append-only trigger exists and fires; None: no audit table


def server_state() -> ServerState:
    db = database.obj
    version = str(db.execute_sql("SHOW server_version").fetchone()[0]).split()[0]
    schema_filter = ("JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace "
                     "WHERE n.nspname = current_schema() AND c.contype = 'f'")
    fks = int(db.execute_sql(
        f"SELECT count(*) FROM pg_catalog.pg_constraint c {schema_filter}").fetchone()[0])
    unvalidated = [f"{t}.{n}" for t, n in db.execute_sql(
        f"SELECT c.conrelid::regclass::text, c.conname FROM pg_catalog.pg_constraint c "
        f"{schema_filter} AND NOT c.convalidated ORDER BY 1, 2")]
    unenforced = [r[0] for r in db.execute_sql(
        "SELECT DISTINCT t.tgrelid::regclass::text FROM pg_catalog.pg_trigger t "
        "JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND t.tgisinternal AND t.tgconstraint <> 0 "
        "AND t.tgenabled = 'D' ORDER BY 1")]
    guard = None
    if db.execute_sql("SELECT to_regclass('audit_log')").fetchone()[0] is not None:
        row = db.execute_sql(
            "SELECT tgenabled FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass('audit_log') "
            "AND tgname = %s", (AUDIT_GUARD,)).fetchone()
        guard = row is not None and row[0] in ("O", "A")  # 'D' disabled, 'R' replica only
    return ServerState(version, bound_server(db).label, fks, unvalidated, unenforced, guard)


def backups_on_record(limit: int = 1) -> list[tuple[str, str, dict]]:
    """The newest successful backups in the server's audit trail, by any desk: (at, actor,
    details)."""
    rows = (AuditLog.select(AuditLog.at, AuditLog.actor, AuditLog.details)
            .where(AuditLog.action == "backup", AuditLog.success == True,  # noqa: E712
                   AuditLog.details.contains(_SERVER_BACKUP))
            .order_by(AuditLog.id.desc()).limit(limit).tuples())
    found = []
    for at, actor, details in rows:
        try:
            data = json.loads(details) if details else {}
        except ValueError:
            data = {}
        found.append((at, actor, data if isinstance(data, dict) else {}))
    return found


