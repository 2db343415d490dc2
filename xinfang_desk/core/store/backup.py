"""Backups and restore of the database: the SQLite file, or the shared server (PostgreSQL).

A backup is a consistent snapshot taken with `VACUUM INTO` from a separate connection (never a
file copy of the live database): it is compact, holds no free pages with deleted data, and is
an ordinary rollback-journal file that opens anywhere. It is written under a temporary name in
the target folder, checked (`PRAGMA quick_check`, our schema), fsynced and only then renamed,
so a full disk or a crash leaves no half backup under a real name. Next to each backup,
`<file>.json` (the manifest) records when and why it was taken, the schema version, the number
of cases, the audit trail's head (last id and hash: kept outside the database, so a cut-off
tail of the audit trail is found later) and the SHA-256 of the file.

File names: ``<reason>-<YYYYmmdd-HHMMSS>.sqlite3`` (``.xfbak`` when encrypted) with reasons
``daily`` (first start of a day), ``exit`` (on closing the program), ``manual`` (by a user),
``pre-restore`` (the database as it was before a restore); migrations add
``pre-migration-v<N>-….sqlite3`` copies without a manifest.

Rotation (`thin`): only automatic backups (``daily`` and ``exit``, each kind on its own) are
ever deleted: of each kind the newest backup of each of the 14 most recent days that have one
is kept, and the newest of each of the 12 most recent months that have one; the rest goes.
Manual, pre-restore and pre-migration copies are never deleted by the program: somebody made
or needed them on purpose, and they are few.

Second folder (setting ``backup_mirror_dir``, e.g. a USB stick): every automatic backup is
copied there too and thinned by the same rule. A missing or unplugged folder never fails the
backup; it comes back as a warning.

Encryption (AES-256-GCM, key from scrypt(passphrase, salt)): a backup made with a passphrase
is encrypted. With the stored backup passphrase (`set_backup_passphrase`), the copies in the
second folder are encrypted: that copy leaves the PC, and a lost USB stick must not leak the
petitioners' data. Local automatic backups stay unencrypted, like the live database beside
them on the same disk: encrypting them protects nothing more and a forgotten passphrase would
make them useless. The passphrase is kept in the database, never in the audit trail and never
among the ordinary settings; keep it elsewhere as well (sealed envelope), or the encrypted
copies cannot be restored once the PC is lost.

File format of an encrypted backup: header (64 bytes: magic ``XFDBAK01``, format version,
scrypt log2 N, r, p, 16-byte salt, 12-byte nonce, 16-byte key check, 8-byte header checksum),
then the ciphertext of the SQLite file (or pg_dump archive), then the 16-byte GCM tag. The
header is authenticated as associated data. The key check tells a wrong passphrase apart from a
damaged file.

The server (PostgreSQL). When the models are bound to a server, a backup is a
``pg_dump --format=custom`` archive (``.pgdump``; core.store.server_backup) written to the
same backups folder of this PC, with the same manifest (plus ``engine``, ``kind``, the server
and the pg_dump version), rotation, second folder and encryption. The automatic backups differ:
several desks share the server, and a dump of the whole database at every desk's exit would be
many dumps a day of the same data, each a long read on the server while the others work, with
the closing window waiting for it. So on a server only the daily backup is taken, by the first
desk to start that day: an advisory lock lets one desk at a time decide, and a ``backup`` row
of that day in the server's audit trail (which every desk sees) tells the later ones it is
done. The exit backup is skipped; a manual backup (or the server's own schedule, kept by its
administrator) covers the rest of the day.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import shutil
import socket
import sqlite3
import struct
import unicodedata
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from xinfang_desk import __version__
from xinfang_desk.core import atomic, session
from xinfang_desk.core.errors import BackupError, StorageError  # BackupError: see core.errors
from xinfang_desk.core.paths import DataDir
from xinfang_desk.core.store import audit, run_state, server_backup, settings
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.migrations import LATEST
from xinfang_desk.core.store.models import AuditLog, Setting

log = logging.getLogger(__name__)

PLAIN_SUFFIX = ".sqlite3"
DUMP_SUFFIX = server_backup.DUMP_SUFFIX  # a server's backup: pg_dump's custom format
ENCRYPTED_SUFFIX = ".xfbak"
MANIFEST_SUFFIX = ".json"
AUTOMATIC = ("daily", "exit")
KEEP_DAYS = 14
KEEP_MONTHS = 12
PASSPHRASE_KEY = "backup_passphrase"  # a Setting row, deliberately not in settings.SPECS
MANIFEST_FORMAT = 1

MAGIC = b"XFDBAK01"
FORMAT_VERSION = 1
SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P = 17, 8, 1  # OWASP: N=2^17, r=8, p=1
_SALT, _NONCE, _CHECK, _SUM, _TAG = 16, 12, 16, 8, 16
_FIXED = len(MAGIC) + 4 + _SALT + _NONCE
HEADER_SIZE = _FIXED + _CHECK + _SUM
_CHUNK = 1 << 20
_SQLITE_MAGIC = b"SQLite format 3\0"


class WrongPassphrase(BackupError):
    """The passphrase does not open this encrypted backup."""


@dataclass(frozen=True)
class BackupInfo:
    """One backup file and what its manifest says about it."""

    path: Path
    created: dt.datetime
    reason: str
    encrypted: bool
    schema_version: int | None
    cases: int | None
    audit_head: tuple[int, str] | None
    sha256: str
    size: int
    engine: str = "sqlite"  # or "postgresql": a pg_dump archive of a server database
    server: str = ""  # host:port/database of the server it was taken from
    tool: str = ""  # the pg_dump (and server) version that wrote it

    @property
    def manifest_path(self) -> Path:
        return manifest_path(self.path)

    @property
    def kind(self) -> str:
        return "pg_dump-custom" if self.engine == "postgresql" else "sqlite3"

    def as_json(self) -> dict:
        data = {
            "format": MANIFEST_FORMAT, "program": f"xinfang-desk {__version__}",
            "file": self.path.name, "created": self.created.isoformat(timespec="seconds"),
            "reason": self.reason, "encrypted": self.encrypted,
            "engine": self.engine, "kind": self.kind,
            "schema_version": self.schema_version, "cases": self.cases,
            "audit_head": list(self.audit_head) if self.audit_head else None,
            "sha256": self.sha256, "size": self.size,
        }
        if self.engine != "sqlite":
            data.update(server=self.server, tool=self.tool)
        return data

    def describe(self) -> str:
        """'daily-20260921-083000.sqlite3（2026-09-21 08:30，事项 12 件）'"""
        cases = f"，事项 {self.cases} 件" if self.cases is not None else ""
        return f"{self.path}（{self.created:%Y-%m-%d %H:%M}{cases}）"


@dataclass
class BackupResult:
    """An automatic backup: the local file, and warnings (e.g. the second folder was missing)."""

    info: BackupInfo
    warnings: list[str] = field(default_factory=list)
    mirror: Path | None = None

    @property
    def path(self) -> Path:
        return self.info.path

    def __fspath__(self) -> str:
        return str(self.info.path)


# --- small helpers ----------------------------------------------------------------------------

def as_data_dir(data_dir: DataDir | os.PathLike | str) -> DataDir:
    return data_dir if isinstance(data_dir, DataDir) else DataDir(Path(data_dir))


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def sidecars(db: Path) -> tuple[Path, Path]:
    return Path(f"{db}-wal"), Path(f"{db}-shm")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_error(exc: BaseException, where: Path) -> BackupError:
    """A Chinese message for a failed write of a backup to `where`."""
    text = str(exc).lower()
    if "full" in text or "no space" in text or getattr(exc, "errno", None) == 28:
        return BackupError(f"备份目标磁盘空间不足（{where}），备份未完成，未留下不完整的备份文件。"
                           "请清理磁盘或换一个位置后重试。")
    if isinstance(exc, PermissionError) or "readonly" in text or "read-only" in text:
        return BackupError(f"无法写入备份位置 {where}（只读或没有权限），备份未完成。")
    detail = getattr(exc, "strerror", None) or str(exc)
    return BackupError(f"写入备份失败（{where}：{detail}），备份未完成，未留下不完整的备份文件。")


def stamp_now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def unique_path(folder: Path, reason: str, when: dt.datetime, suffix: str) -> Path:
    base = f"{reason}-{when:%Y%m%d-%H%M%S}"
    path, n = folder / f"{base}{suffix}", 1
    while path.exists() or manifest_path(path).exists():
        n += 1
        path = folder / f"{base}-{n}{suffix}"
    return path


# --- manifests ----------------------------------------------------------------------------------

def read_manifest(path: Path) -> BackupInfo | None:
    """The manifest next to backup `path`, or None when missing or unreadable."""
    try:
        data = json.loads(manifest_path(path).read_text(encoding="utf-8"))
        head = data.get("audit_head")
        return BackupInfo(
            path=path, created=dt.datetime.fromisoformat(data["created"]),
            reason=str(data["reason"]), encrypted=bool(data.get("encrypted")),
            schema_version=data.get("schema_version"), cases=data.get("cases"),
            audit_head=(int(head[0]), str(head[1])) if head else None,
            sha256=str(data["sha256"]), size=int(data.get("size", -1)),
            engine=str(data.get("engine") or "sqlite"), server=str(data.get("server") or ""),
            tool=str(data.get("tool") or ""))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def write_manifest(info: BackupInfo) -> None:
    atomic.write_text(manifest_path(info.path),
                      json.dumps(info.as_json(), ensure_ascii=False, indent=1) + "\n")


def list_backups(folder: Path) -> list[BackupInfo]:
    """Backups with a readable manifest in `folder`, newest first."""
    found = []
    try:
        candidates = list(folder.glob(f"*{MANIFEST_SUFFIX}"))
    except OSError:
        return []
    for man in candidates:
        info = read_manifest(man.with_name(man.name[: -len(MANIFEST_SUFFIX)]))
        if info is not None and info.path.exists():
            found.append(info)
    return sorted(found, key=lambda b: (b.created, b.path.name), reverse=True)


def is_intact(info: BackupInfo) -> bool:
    """The file is still exactly what its manifest recorded (size and SHA-256)."""
    try:
        if info.size >= 0 and info.path.stat().st_size != info.size:
            return False
        return sha256_file(info.path) == info.sha256
    except OSError:
        return False


def latest_good_backup(data_dir: DataDir | os.PathLike | str) -> BackupInfo | None:
    """The newest backup in the data directory's backups folder whose file still matches its
    manifest (every such backup passed quick_check when it was taken). Pre-restore copies are
    skipped: they copy whatever the database was, damage included; so are a server's dumps,
    which cannot replace the local file. Falls back to the newest
    pre-migration copy (no manifest) that passes quick_check. None when there is none."""
    dd = as_data_dir(data_dir)
    for info in list_backups(dd.backups):
        if info.reason != "pre-restore" and info.engine == "sqlite" and is_intact(info):
            return info
    copies = sorted(dd.backups.glob("pre-migration-*.sqlite3"), key=lambda p: p.stat().st_mtime,
                    reverse=True) if dd.backups.is_dir() else []
    for path in copies:
        try:
            facts = file_facts(path, check="quick")
        except BackupError:
            continue
        return BackupInfo(path, dt.datetime.fromtimestamp(path.stat().st_mtime).replace(
            microsecond=0), "pre-migration", False, facts["schema_version"], facts["cases"],
            facts["audit_head"], "", path.stat().st_size)
    return None


# --- rotation -----------------------------------------------------------------------------------

K = TypeVar("K", bound=Hashable)


def thin(backups: Iterable[tuple[K, dt.datetime]], *, keep_days: int = KEEP_DAYS,
         keep_months: int = KEEP_MONTHS) -> list[K]:
    """Which backups to delete, given (key, created) pairs of ONE kind of automatic backup.

    Kept: the newest of each of the `keep_days` most recent days that have a backup, and the
    newest of each of the `keep_months` most recent months that have one. Days without a
    backup (holidays, the office closed) do not use up the allowance. Everything else is
    returned, newest first. Pure: no files are touched."""
    ordered = sorted(backups, key=lambda kv: kv[1], reverse=True)
    keep: set[K] = set()
    days: set[dt.date] = set()
    months: set[tuple[int, int]] = set()
    for key, when in ordered:
        day, month = when.date(), (when.year, when.month)
        if day not in days:
            days.add(day)
            if len(days) <= keep_days:
                keep.add(key)
        if month not in months:
            months.add(month)
            if len(months) <= keep_months:
                keep.add(key)
    return [key for key, _ in ordered if key not in keep]


def _delete_backup(path: Path) -> None:
    for p in (path, manifest_path(path)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def rotate(folder: Path, *, keep_days: int = KEEP_DAYS, keep_months: int = KEEP_MONTHS
           ) -> list[Path]:
    """Delete the automatic backups in `folder` that `thin` lets go; returns them."""
    removed = []
    infos = list_backups(folder)
    for reason in AUTOMATIC:
        pairs = [(b.path, b.created) for b in infos if b.reason == reason]
        for path in thin(pairs, keep_days=keep_days, keep_months=keep_months):
            try:
                _delete_backup(path)
                removed.append(path)
            except OSError as exc:
                log.info("could not delete old backup %s: %s", path, exc)
    return removed


# --- encryption ---------------------------------------------------------------------------------

def _key(passphrase: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    if not passphrase:
        raise BackupError("备份口令不能为空。")
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return hashlib.scrypt(secret, salt=salt, n=1 << log_n, r=r, p=p, dklen=32,
                          maxmem=256 * r * (1 << log_n) + (1 << 20))


def _key_check(key: bytes) -> bytes:
    return hmac.new(key, b"xinfang-desk backup key check", hashlib.sha256).digest()[:_CHECK]


def is_encrypted(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _aesgcm():
    try:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError as exc:  # pragma: no cover - a broken installation
        raise BackupError("缺少加密组件（cryptography），无法处理加密备份。请重新安装程序。") from exc
    return Cipher, algorithms, modes


def encrypt_file(src: Path, dst: Path, passphrase: str) -> None:
    """Write the encrypted form of `src` to `dst` (dst is overwritten; use a temporary name)."""
    Cipher, algorithms, modes = _aesgcm()
    salt, nonce = secrets.token_bytes(_SALT), secrets.token_bytes(_NONCE)
    key = _key(passphrase, salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P)
    fixed = MAGIC + struct.pack(">BBBB", FORMAT_VERSION, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P) \
        + salt + nonce
    head = fixed + _key_check(key)
    header = head + hashlib.sha256(head).digest()[:_SUM]
    enc = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(header)
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        fout.write(header)
        while chunk := fin.read(_CHUNK):
            fout.write(enc.update(chunk))
        fout.write(enc.finalize())
        fout.write(enc.tag)
        fout.flush()
        os.fsync(fout.fileno())


_DAMAGED_ENCRYPTED = "加密备份文件已损坏或被改动（校验未通过），不能使用。请换一个备份文件。"


def decrypt_file(src: Path, dst: Path, passphrase: str | None) -> None:
    """Decrypt `src` into `dst`. WrongPassphrase or BackupError (damaged, truncated) otherwise;
    `dst` is only meaningful when this returns."""
    if not passphrase:
        raise WrongPassphrase("该备份文件已加密，请提供备份口令。")
    Cipher, algorithms, modes = _aesgcm()
    from cryptography.exceptions import InvalidTag

    size = src.stat().st_size
    with open(src, "rb") as fin:
        header = fin.read(HEADER_SIZE)
        if len(header) < HEADER_SIZE or size < HEADER_SIZE + _TAG:
            raise BackupError("加密备份文件不完整（可能复制中断或被截断），不能使用。")
        if header[:len(MAGIC)] != MAGIC:
            raise BackupError("不是信访接待台的加密备份文件。")
        head, checksum = header[:-_SUM], header[-_SUM:]
        if not hmac.compare_digest(hashlib.sha256(head).digest()[:_SUM], checksum):
            raise BackupError(_DAMAGED_ENCRYPTED)
        version, log_n, r, p = struct.unpack(">BBBB", header[len(MAGIC):len(MAGIC) + 4])
        if version != FORMAT_VERSION or not (10 <= log_n <= 20 and 1 <= r <= 32 and 1 <= p <= 16):
            raise BackupError("该加密备份由更新版本的程序生成或格式不符，本程序无法读取。")
        salt = header[len(MAGIC) + 4:len(MAGIC) + 4 + _SALT]
        nonce = header[len(MAGIC) + 4 + _SALT:_FIXED]
        key = _key(passphrase, salt, log_n, r, p)
        if not hmac.compare_digest(_key_check(key), header[_FIXED:_FIXED + _CHECK]):
            raise WrongPassphrase("备份口令不正确，无法解密该备份。")
        fin.seek(size - _TAG)
        tag = fin.read(_TAG)
        fin.seek(HEADER_SIZE)
        dec = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
        dec.authenticate_additional_data(header)
        remaining = size - HEADER_SIZE - _TAG
        with open(dst, "wb") as fout:
            while remaining > 0:
                chunk = fin.read(min(_CHUNK, remaining))
                if not chunk:
                    raise BackupError(_DAMAGED_ENCRYPTED)
                remaining -= len(chunk)
                fout.write(dec.update(chunk))
            try:
                fout.write(dec.finalize())
            except InvalidTag:
                raise BackupError(_DAMAGED_ENCRYPTED) from None


def stored_passphrase() -> str:
    """The backup passphrase kept in the open database ('' when none)."""
    row = Setting.get_or_none(Setting.key == PASSPHRASE_KEY)
    if row is None:
        return ""
    try:
        return str(json.loads(row.value) or "")
    except ValueError:
        return ""


def set_backup_passphrase(passphrase: str | None) -> None:
    """Store (or with None/'' remove) the passphrase that encrypts the copies in the second
    folder. Needs `settings`. Audited as a settings change without the value."""
    session.require("settings")
    passphrase = (passphrase or "").strip()
    if passphrase and len(passphrase) < 8:
        raise BackupError("备份口令至少需要8个字符。")
    with write_transaction():
        Setting.delete().where(Setting.key == PASSPHRASE_KEY).execute()
        if passphrase:
            Setting.insert(key=PASSPHRASE_KEY, value=json.dumps(passphrase)).execute()
        audit.record("settings_changed", PASSPHRASE_KEY,
                     {"key": PASSPHRASE_KEY, "set": bool(passphrase)})


# --- reading and checking a database file -------------------------------------------------------

def brief_check_result(rows: list[str], *, limit: int = 3) -> str:
    """SQLite's integrity_check output, shortened for a one-line message: the first `limit`
    findings, without the '*** in database main ***' banner, and how many there were."""
    lines = [line.strip() for row in rows for line in str(row).splitlines()]
    lines = [line for line in lines if line and not line.startswith("***")]
    shown = "；".join(line[:80] for line in lines[:limit])
    return shown + (f" 等共 {len(lines)} 处" if len(lines) > limit else "")


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), timeout=10, isolation_level=None)


def _tables(con: sqlite3.Connection) -> set[str]:
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def file_facts(path: Path, *, check: str | None = "quick") -> dict:
    """Schema version, case count and audit head of a database FILE (not the live one), after
    PRAGMA quick_check or integrity_check ('quick'/'full'/None). BackupError when unusable."""
    try:
        with open(path, "rb") as fh:
            first = fh.read(100)
    except OSError as exc:
        raise BackupError(f"无法读取文件 {path}（{exc.strerror or exc}）。") from exc
    if len(first) < 100 or not first.startswith(_SQLITE_MAGIC):
        raise BackupError("不是信访接待台的备份文件（不是数据库文件，或文件已损坏）。")
    page_size = int.from_bytes(first[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(first[28:32], "big")
    if pages and page_size and path.stat().st_size < pages * page_size:
        raise BackupError("备份文件不完整（比应有的长度短，可能复制中断或磁盘已满），不能使用。")
    con = _connect(path)
    try:
        if check:
            pragma = "quick_check" if check == "quick" else "integrity_check"
            rows = [r[0] for r in con.execute(f"PRAGMA {pragma}")]
            if rows != ["ok"]:
                raise BackupError(f"数据库完整性检查未通过（{brief_check_result(rows)}）。")
        tables = _tables(con)
        if "meta" not in tables or "xf_case" not in tables:
            raise BackupError("不是信访接待台的数据库（缺少本程序的数据表）。")
        row = con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        try:
            version = int(row[0]) if row else 0
        except ValueError:
            version = 0
        if version < 1:
            raise BackupError("不是信访接待台的数据库（没有数据结构版本）。")
        if version > LATEST:
            raise BackupError(f"该备份由更新版本的程序生成（数据结构版本 {version}，本程序只支持到 "
                              f"{LATEST}），请安装新版程序后再恢复。")
        cases = con.execute("SELECT count(*) FROM xf_case").fetchone()[0]
        head = None
        if "audit_log" in tables:
            last = con.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
            head = (int(last[0]), str(last[1])) if last else None
        return {"schema_version": version, "cases": int(cases), "audit_head": head,
                "has_audit": "audit_log" in tables}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"文件已损坏或不是信访接待台的数据库（{exc}），不能使用。") from exc
    finally:
        con.close()


def _verify_audit_file(path: Path, known_head: tuple[int, str] | None):
    """audit.verify run against a database FILE (models bound to it for the duration)."""
    import peewee

    db = peewee.SqliteDatabase(str(path))
    try:
        with AuditLog.bind_ctx(db):
            db.connect()
            return audit.verify(known_head=known_head)
    finally:
        db.close()


# --- taking a backup ----------------------------------------------------------------------------

def engine_now() -> tuple[str, str]:
    """("sqlite", "") for the local file, ("postgresql", "host:port/database") for a server."""
    if not server_backup.on_server():
        return "sqlite", ""
    return "postgresql", server_backup.bound_server().identity


def plain_suffix(engine: str) -> str:
    return DUMP_SUFFIX if engine == "postgresql" else PLAIN_SUFFIX


def _snapshot(db_path: Path, target: Path) -> None:
    """VACUUM INTO `target` (an empty file) from a separate connection to the live database."""
    if not db_path.exists():
        raise BackupError(f"找不到数据库文件 {db_path}，无法备份。")
    con = _connect(db_path)
    try:
        con.execute("PRAGMA busy_timeout=10000")
        con.execute("VACUUM INTO ?", (str(target),))
    finally:
        con.close()


def _live_check(dd: DataDir) -> None:
    """integrity_check of the live file (an explicit backup): VACUUM INTO copies the tables
    but rebuilds the indexes, so a damaged index of the live file would pass unseen."""
    try:
        rows = run_state.integrity_check(dd)
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    if rows:
        raise BackupError(f"当前数据库未通过完整性检查，本次不做备份，已有的备份保持不变："
                          f"{brief_check_result(rows)}。请运行“检查数据库”，必要时从备份恢复。")


def _sqlite_snapshot(dd: DataDir, plain: Path, *, full_check: bool = False) -> dict:
    if full_check:
        _live_check(dd)
    _snapshot(dd.database, plain)
    try:
        return file_facts(plain, check="quick")
    except BackupError as exc:  # never rotate good backups out for a bad one
        raise BackupError(f"当前数据库未通过检查，本次不做备份，已有的备份保持不变：{exc}"
                          "请运行“检查数据库”，必要时从备份恢复。") from exc


def _server_snapshot(plain: Path) -> dict:
    facts = server_backup.dump(plain)
    if not 1 <= facts.schema_version <= LATEST:
        raise BackupError(f"服务器数据库的数据结构版本（{facts.schema_version}）与本程序不符，"
                          "本次不做备份，已有的备份保持不变。")
    return {"schema_version": facts.schema_version, "cases": facts.cases,
            "audit_head": facts.audit_head, "server": facts.server, "tool": facts.tool}


def make_backup(dd: DataDir, *, reason: str, out: Path | None = None,
                passphrase: str | None = None, now: dt.datetime | None = None,
                full_check: bool = False) -> BackupInfo:
    """Write one checked backup and its manifest (of the SQLite file, or a pg_dump of the
    server); nothing is left behind on failure. `full_check`: the live SQLite file passes
    integrity_check first (an explicit backup; it counts as the day's check). Not audited:
    see backup_now."""
    engine = "postgresql" if server_backup.on_server() else "sqlite"
    when = now or stamp_now()
    dd.backups.mkdir(parents=True, exist_ok=True)
    if out is None:
        target = unique_path(dd.backups, reason, when,
                             ENCRYPTED_SUFFIX if passphrase else plain_suffix(engine))
    else:
        target = Path(out).expanduser().absolute()
        if not target.parent.is_dir():
            raise BackupError(f"找不到备份目标文件夹 {target.parent}（U盘是否已插入？）。")
        if target.exists():
            raise BackupError(f"目标文件已存在：{target}。为免覆盖已有备份，请换一个文件名。")
        if engine == "sqlite" and target.resolve() == dd.database.resolve():
            raise BackupError("备份文件不能是数据库文件本身。")
    plain_folder = dd.backups if passphrase else target.parent
    try:
        with atomic.temp_file(plain_folder, ".backup-") as plain:
            if engine == "sqlite":
                facts = _sqlite_snapshot(dd, plain, full_check=full_check)
            else:
                facts = _server_snapshot(plain)
            if passphrase:
                with atomic.temp_file(target.parent, f".{target.name}.") as sealed:
                    encrypt_file(plain, sealed, passphrase)
                    atomic.publish(sealed, target)
            else:
                atomic.publish(plain, target)
    except BackupError:
        raise
    except (OSError, sqlite3.Error) as exc:
        raise write_error(exc, target) from exc
    info = BackupInfo(target, when, reason, bool(passphrase), facts["schema_version"],
                      facts["cases"], facts["audit_head"], sha256_file(target),
                      target.stat().st_size, engine, facts.get("server", ""),
                      facts.get("tool", ""))
    try:
        write_manifest(info)
    except OSError as exc:
        _delete_backup(target)
        raise write_error(exc, target) from exc
    log.info("backup written: %s (%s)", target, reason)
    return info


def _audit_backup(info: BackupInfo, extra: dict | None = None) -> None:
    details = {"file": str(info.path), "reason": info.reason, "cases": info.cases,
               "encrypted": info.encrypted, "sha256": info.sha256, **(extra or {})}
    if info.engine != "sqlite":  # the file is on this desk's PC: say which, for the others
        details.update(engine=info.engine, pc=socket.gethostname())
    try:
        with storage_errors():
            audit.record("backup", info.path.name, details)
    except StorageError as exc:  # the backup itself is good; a read-only DB is reported elsewhere
        log.info("backup %s not recorded in the audit trail: %s", info.path, exc)


def backup_now(data_dir: DataDir | os.PathLike | str, *, out: os.PathLike | str | None = None,
               reason: str = "manual", passphrase: str | None = None) -> Path:
    """A backup now, by the signed-in user (needs `backup`): into the backups folder, or to
    `out` (a new file; its manifest is written next to it). Encrypted when `passphrase` is
    given. Audited. Returns the backup file."""
    session.require("backup")
    info = make_backup(as_data_dir(data_dir), reason=reason, out=Path(out) if out else None,
                       passphrase=passphrase or None, full_check=True)
    _audit_backup(info)
    return info.path


def _setting(key: str, default):
    try:
        return settings.get(key) if key in settings.SPECS else default
    except Exception:  # noqa: BLE001 - a setting must never stop a backup
        return default


def _mirror(info: BackupInfo, folder_text: str, passphrase: str) -> tuple[Path | None, list[str]]:
    """Copy a finished backup into the second folder; (copy, warnings)."""
    folder = Path(folder_text).expanduser()
    if not folder.is_dir():
        return None, [f"备份副本文件夹 {folder} 不存在或无法访问（U盘是否已插入？），"
                      f"本次备份只保存在本机：{info.path.name}。"]
    suffix = ENCRYPTED_SUFFIX if passphrase else plain_suffix(info.engine)
    target = folder / (info.path.name[: -len(info.path.suffix)] + suffix)
    try:
        with atomic.temp_file(folder, f".{target.name}.") as tmp:
            if passphrase:
                encrypt_file(info.path, tmp, passphrase)
            else:
                shutil.copyfile(info.path, tmp)  # a finished backup, not the live database
            atomic.publish(tmp, target)
        copy = replace(info, path=target, encrypted=bool(passphrase),
                       sha256=sha256_file(target), size=target.stat().st_size)
        write_manifest(copy)
    except (OSError, BackupError) as exc:
        _delete_backup(target)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return None, [f"未能写入备份副本文件夹 {folder}（{reason}），本次备份只保存在本机："
                      f"{info.path.name}。"]
    return target, []


def _automatic(dd: DataDir, reason: str, now: dt.datetime) -> BackupResult:
    info = make_backup(dd, reason=reason, now=now)
    mirror_dir = str(_setting("backup_mirror_dir", "") or "").strip()
    result = BackupResult(info)
    if mirror_dir:
        passphrase = ""
        with contextlib.suppress(Exception):
            passphrase = stored_passphrase()
        result.mirror, result.warnings = _mirror(info, mirror_dir, passphrase)
    _audit_backup(info, {"mirror": str(result.mirror)} if result.mirror else None)
    keep_days = int(_setting("backup_keep_days", KEEP_DAYS))
    keep_months = int(_setting("backup_keep_months", KEEP_MONTHS))
    rotate(dd.backups, keep_days=keep_days, keep_months=keep_months)
    if result.mirror is not None:
        rotate(result.mirror.parent, keep_days=keep_days, keep_months=keep_months)
    return result


def auto_backup(data_dir: DataDir | os.PathLike | str, today: dt.date | None = None
                ) -> BackupResult | None:
    """The day's automatic backup, on the first start of a day (None when today already has
    one). Runs as whoever is signed in (or SYSTEM); needs no permission. BackupError when it
    fails; a missing second folder is only a warning in the result.

    On a server, once a day for the whole office (see the module doc): None also when another
    desk is taking it right now or has recorded it in the server's audit trail today."""
    dd = as_data_dir(data_dir)
    now = stamp_now()
    day = today or now.date()
    if any(b.reason == "daily" and b.created.date() == day for b in list_backups(dd.backups)):
        return None
    when = now if day == now.date() else dt.datetime.combine(day, now.time())
    if not server_backup.on_server():
        return _automatic(dd, "daily", when)
    with server_backup.daily_turn() as mine:
        if not mine or server_backup.daily_taken(day):
            log.info("daily server backup of %s left to another desk", day)
            return None
        return _automatic(dd, "daily", when)


def exit_backup(data_dir: DataDir | os.PathLike | str, *, now: dt.datetime | None = None
                ) -> BackupResult | None:
    """The backup taken when the program closes (same rules as `auto_backup`). None on a
    server: several desks closing would each dump the whole shared database (module doc)."""
    if server_backup.on_server():
        log.info("no exit backup of a server database: the day's backup covers it")
        return None
    return _automatic(as_data_dir(data_dir), "exit", now or stamp_now())


# --- restore ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VerifiedBackup:
    """A backup file that passed every check, decrypted and copied to `work` (a temp file)."""

    source: Path
    work: Path
    schema_version: int
    cases: int
    audit_rows: int
    audit_head: tuple[int, str] | None


def verify_backup(file: os.PathLike | str, work: Path, *, passphrase: str | None = None
                  ) -> VerifiedBackup:
    """Check a backup file thoroughly, leaving a plain, checked copy at `work`: the manifest's
    checksum (when there is one), decryption, PRAGMA integrity_check (on a server: the archive
    readable by pg_restore), our schema (version ≤ this program's), and the audit chain (up to
    the manifest's head). A backup of the other kind of database (a pg_dump archive for the
    local file, an SQLite file for a server) is refused. BackupError naming what is wrong
    otherwise."""
    source = Path(file).expanduser()
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source}。")
    info = read_manifest(source)
    if info is not None and not is_intact(info):
        raise BackupError("备份文件与其清单记录的长度或校验值不符（文件不完整或被改动），不能使用。")
    try:
        if is_encrypted(source):
            decrypt_file(source, work, passphrase)
        else:
            shutil.copyfile(source, work)
            for side in sidecars(source):  # a copy with its own WAL would be a different file
                if side.exists() and side.stat().st_size > 0:
                    raise BackupError(f"备份文件旁有未合并的日志文件 {side.name}，请先用本程序打开"
                                      "该文件所在的数据目录，或选择其他备份。")
    except OSError as exc:
        raise BackupError(f"无法读取备份文件 {source}（{exc.strerror or exc}）。") from exc
    if server_backup.on_server():
        if not server_backup.is_dump(work):
            raise BackupError("该文件不是服务器数据库的备份（pg_dump 备份），不能恢复到服务器数据库。"
                              "本机数据库（SQLite）的备份只能恢复到本机数据目录。")
        known = info.audit_head if info else None
        dumped = server_backup.read_dump(work, known_head=known, made_by=info.tool if info else "")
        return VerifiedBackup(source, work, dumped.schema_version, dumped.cases,
                              dumped.audit_rows, dumped.audit_head)
    if server_backup.is_dump(work):
        raise BackupError("该文件是服务器数据库（PostgreSQL）的备份，不能恢复到本机数据库。")
    facts = file_facts(work, check="full")
    try:
        con = _connect(work)
        try:
            con.execute("PRAGMA journal_mode=DELETE")
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份文件无法使用（{exc}）。") from exc
    rows = 0
    if facts["has_audit"]:
        result = _verify_audit_file(work, info.audit_head if info else None)
        if not result.ok:
            raise BackupError(f"备份中的{result.message}不能用于恢复。")
        rows = result.rows
    return VerifiedBackup(source, work, facts["schema_version"], facts["cases"], rows,
                          facts["audit_head"])


# --- the audit head kept outside the database -----------------------------------------------

def known_audit_head(data_dir: DataDir | os.PathLike | str) -> BackupInfo | None:
    """The newest backup manifest in the backups folder that records an audit head of the
    present database's history: of the same database (this PC's file, or the same server),
    taken after the last restore (older manifests describe the history that the restore
    replaced), and not a pre-restore copy."""
    last_restore = (AuditLog.select(AuditLog.at).where(AuditLog.action == "restore")
                    .order_by(AuditLog.id.desc()).limit(1).scalar())
    since = dt.datetime.strptime(last_restore, "%Y-%m-%d %H:%M:%S") if last_restore else None
    engine, server = engine_now()
    for info in list_backups(as_data_dir(data_dir).backups):
        if info.reason == "pre-restore" or info.audit_head is None:
            continue
        if info.engine != engine or (server and info.server != server):
            continue  # another database's history (this PC's file, another server)
        if since is not None and info.created <= since:
            continue
        return info
    return None
