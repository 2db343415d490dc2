"""Replacing the database with a verified backup: the current file is copied (or, too damaged
to copy, moved aside) first, the connection closed, the file replaced and reopened.

On a server (PostgreSQL) the same steps, with pg_dump and pg_restore (core.store.server_backup):
the backup is checked in full first, the server's present contents are dumped to
backups/pre-restore-*.pgdump, and pg_restore replaces them in one transaction; then the
connection is opened again and the schema brought up to date."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from xinfang_desk.core import atomic, session
from xinfang_desk.core.errors import StorageError
from xinfang_desk.core.paths import DataDir
from xinfang_desk.core.store import audit, run_state, server_backup, storage
from xinfang_desk.core.store.backup import (
    PLAIN_SUFFIX,
    BackupError,
    BackupInfo,
    as_data_dir,
    file_facts,
    make_backup,
    sha256_file,
    sidecars,
    stamp_now,
    unique_path,
    verify_backup,
    write_error,
    write_manifest,
)
from xinfang_desk.core.store.db import copy_sqlite_file, storage_errors

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RestoreResult:
    file: Path
    cases: int
    schema_version: int
    audit_rows: int
    pre_restore: Path | None  # copy of the database as it was (backup API; pg_dump on a server)
    moved_aside: Path | None  # the old file itself, when it was too damaged to copy


def _backup_api_copy(src: Path, dst: Path) -> None:
    """A page-exact copy of a (possibly live, possibly damaged) database: SQLite's backup API,
    into a temporary name first."""
    with atomic.temp_file(dst.parent, f".{dst.name}.") as tmp:
        copy_sqlite_file(src, tmp, timeout=10)
        atomic.publish(tmp, dst)


def _keep_current(dd: DataDir, stamp: dt.datetime) -> tuple[Path | None, bool]:
    """Copy the current database to backups/pre-restore-*.sqlite3. (copy, readable)."""
    if not dd.database.exists():
        return None, False
    target = unique_path(dd.backups, "pre-restore", stamp, PLAIN_SUFFIX)
    try:
        _backup_api_copy(dd.database, target)
    except sqlite3.DatabaseError as exc:
        log.info("current database could not be copied before restore: %s", exc)
        return None, False
    except OSError as exc:
        raise write_error(exc, target) from exc
    try:
        facts = file_facts(target, check=None)
    except BackupError:
        facts = {"schema_version": None, "cases": None, "audit_head": None}
    info = BackupInfo(target, stamp, "pre-restore", False, facts["schema_version"],
                      facts["cases"], facts["audit_head"], sha256_file(target),
                      target.stat().st_size)
    with contextlib.suppress(OSError):
        write_manifest(info)
    return target, True


def _detach_current(dd: DataDir, readable: bool, stamp: dt.datetime) -> Path | None:
    """Make sure no connection uses the current file and no -wal/-shm of it remains. A file
    that could not be copied is moved aside whole (with its -wal/-shm), never overwritten."""
    db = dd.database
    if not db.exists():
        for side in sidecars(db):
            with contextlib.suppress(FileNotFoundError):
                side.unlink()
        return None
    if readable:
        try:
            con = sqlite3.connect(str(db), timeout=2, isolation_level=None)
            try:
                mode = con.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            finally:
                con.close()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                mode = "busy"
            else:
                readable = False
        except sqlite3.DatabaseError:
            readable = False
        if readable:
            wal, shm = sidecars(db)
            if mode != "delete" or (wal.exists() and wal.stat().st_size > 0):
                raise BackupError("数据库仍被另一个信访接待台窗口或其他程序打开，无法恢复。"
                                  "请关闭其他窗口后重试；数据未作改动。")
            for side in (wal, shm):
                with contextlib.suppress(FileNotFoundError):
                    side.unlink()
            return None
    aside = unique_path(dd.backups, "damaged", stamp, PLAIN_SUFFIX)
    os.replace(db, aside)
    for side, moved in zip(sidecars(db), sidecars(aside), strict=True):
        if side.exists():
            os.replace(side, moved)
    return aside


def restore(data_dir: DataDir | os.PathLike | str, file: os.PathLike | str, *,
            passphrase: str | None = None) -> RestoreResult:
    """Replace the database by a backup (needs `restore`).

    The backup is checked first (`verify_backup`); a damaged, truncated, foreign or too new
    file is refused and the current database is left untouched. Then the current database is
    copied to backups/pre-restore-*.sqlite3 (backup API; a file too damaged to copy is moved
    aside whole as damaged-*.sqlite3), the connection is closed, the file replaced, the
    database reopened (and migrated when older), and a `restore` row is added to the restored
    audit trail. Close every other window on this data directory first, and let no other
    thread of this process use the database meanwhile (the connection is closed and the audit
    model is briefly bound to the backup file while its chain is verified).

    On a server, every other desk must have closed the program first (`_restore_server`)."""
    session.require("restore")
    dd = as_data_dir(data_dir)
    dd.ensure()
    if server_backup.on_server():
        return _restore_server(dd, Path(file).expanduser(), passphrase)
    source = Path(file).expanduser()
    if source.exists() and dd.database.exists() and source.resolve() == dd.database.resolve():
        raise BackupError("不能用正在使用的数据库文件本身来恢复，请选择备份文件。")
    stamp = stamp_now()
    with atomic.temp_file(dd.backups, ".restore-") as work:
        checked = verify_backup(source, work, passphrase=passphrase)
        copy, readable = _keep_current(dd, stamp)
        storage.close()
        try:
            aside = _detach_current(dd, readable and copy is not None, stamp)
        except BaseException:
            if dd.database.exists():
                with contextlib.suppress(StorageError):
                    storage.open_data_dir(dd.root)
            raise
        atomic.fsync_file(work)
        os.replace(work, dd.database)
        atomic.fsync_dir(dd.root)
    run_state.record_full_check(dd)  # verify_backup ran integrity_check on this very file
    storage.open_data_dir(dd.root)
    audit.record("restore", source.name, {
        "file": str(source), "cases": checked.cases, "schema_version": checked.schema_version,
        "pre_restore": copy.name if copy else None, "moved_aside": aside.name if aside else None,
        "restored_head": list(checked.audit_head) if checked.audit_head else None})
    return RestoreResult(source, checked.cases, checked.schema_version, checked.audit_rows,
                         copy, aside)


def target_label(data_dir: DataDir | os.PathLike | str) -> str:
    """What a restore would replace, for a question to the user: the file, or the server."""
    if server_backup.on_server():
        return f"服务器数据库 {server_backup.bound_server().label}"
    return str(as_data_dir(data_dir).database)


def _restore_server(dd: DataDir, source: Path, passphrase: str | None) -> RestoreResult:
    """restore() on a server: refuse while other desks are connected, check the backup in
    full, dump the present state (pre-restore), pg_restore in one transaction, reconnect."""
    server_backup.require_tools("恢复")
    with storage_errors():
        server_backup.refuse_if_shared()
    stamp = stamp_now()
    with atomic.temp_file(dd.backups, ".restore-") as work:
        checked = verify_backup(source, work, passphrase=passphrase)
        try:
            before = make_backup(dd, reason="pre-restore", now=stamp)
        except BackupError as exc:
            raise BackupError(f"恢复前未能另存服务器数据库的当前内容，恢复未进行：{exc}") from exc
        try:
            server_backup.restore_dump(work, fallback=before.path)
        except BaseException:
            with contextlib.suppress(Exception):  # the restore's own error is the one to tell
                server_backup.reconnect()
            raise
    with storage_errors():
        server_backup.reconnect()
    audit.record("restore", source.name, {
        "file": str(source), "cases": checked.cases, "schema_version": checked.schema_version,
        "pre_restore": before.path.name, "moved_aside": None,
        "restored_head": list(checked.audit_head) if checked.audit_head else None})
    return RestoreResult(source, checked.cases, checked.schema_version, checked.audit_rows,
                         before.path, None)
