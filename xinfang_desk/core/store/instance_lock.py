"""One program per data directory: an OS-level lock on a file in that directory.

The lock is taken with fcntl.flock (POSIX) or msvcrt.locking (Windows) on an open file, so the
operating system drops it when the holding process ends in any way, SIGKILL and power loss
included: a crashed holder never blocks the next start, and there is no stale-lock guessing.
The file itself stays in place (deleting it would let two processes lock two different files
of the same name); it holds the holder's process id, host and start time for the message
shown to a second program.

Lock per data directory (that is, per database file), not per OS user. Locks on network
file systems are unreliable, which is one more reason the database must not live on one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

from xinfang_desk.core.errors import StorageError
from xinfang_desk.core.paths import DataDir

LOCK_FILENAME = "xinfang.lock"
# Windows locks byte ranges, and a locked range cannot be read by others: lock one byte far
# past the holder's note so that a second program can still read who holds the lock.
_WIN_LOCK_OFFSET = 1 << 20


@dataclass
class InstanceLock:
    """A held lock; pass it to `release` (or use it as a context manager)."""

    path: Path
    fd: int | None = field(default=None, repr=False)

    @property
    def held(self) -> bool:
        return self.fd is not None

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, *exc) -> None:
        release(self)


def _root(data_dir: DataDir | os.PathLike | str) -> Path:
    return data_dir.root if isinstance(data_dir, DataDir) else Path(data_dir)


def try_lock(fd: int) -> bool:
    """Take the OS lock on an open file without waiting: False when another holds it."""
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    return True


def unlock(fd: int) -> None:
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


def _holder_note(path: Path) -> str:
    """'（进程 1234，主机 PC-01，自 2026-09-21 08:30 起）' from the file, or '' if unreadable."""
    try:
        with open(path, "rb") as fh:
            info = json.loads(fh.read(4096).split(b"\0", 1)[0].decode("utf-8"))
        return f"（进程 {int(info['pid'])}，主机 {info['host']}，自 {info['since']} 起）"
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def acquire(data_dir: DataDir | os.PathLike | str) -> InstanceLock:
    """Lock the data directory for the life of this process, or StorageError if another
    program (or another window of this one) already holds it."""
    root = _root(data_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
        path = root / LOCK_FILENAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StorageError(
            f"无法在数据目录中建立锁文件（{exc.strerror or exc}），请检查数据目录 {root} 是否存在且可写。"
        ) from exc
    try:
        locked = try_lock(fd)
    except OSError:
        os.close(fd)
        raise
    if not locked:
        os.close(fd)
        raise StorageError(
            f"该数据目录已被另一个信访接待台窗口打开{_holder_note(path)}。"
            "请切换到那个窗口继续工作；同一数据目录同时只能由一个窗口使用。"
            "如果那个窗口已经关闭，请稍候片刻再试。"
        )
    note = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                       "since": dt.datetime.now().strftime("%Y-%m-%d %H:%M")},
                      ensure_ascii=False).encode("utf-8")
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, note + b"\0")
        if os.name != "nt":  # Windows: truncating across the locked byte would fail
            os.ftruncate(fd, len(note) + 1)
    except OSError:
        pass  # the note is only for the message; the lock is what counts
    return InstanceLock(path, fd)


def release(handle: InstanceLock | None) -> None:
    """Give the lock up (idempotent). The file stays, emptied of the holder's note."""
    let_go(handle, empty=True)


def let_go(handle, *, empty: bool = False) -> bool:
    """Unlock and close the locked file a handle (with an `fd`) holds; False when it holds
    none (idempotent). `empty`: truncate it first (not on Windows, where truncating across
    the locked byte fails). Errors are ignored: the OS drops the lock with the descriptor."""
    if handle is None or handle.fd is None:
        return False
    fd, handle.fd = handle.fd, None
    try:
        if empty and os.name != "nt":
            os.ftruncate(fd, 0)
        unlock(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
    return True
