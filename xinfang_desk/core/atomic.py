"""Writing files so that a crash, a full disk or a killed process leaves either the old file
or the complete new one, never half of it: write a temporary file in the same folder, fsync,
then rename over the target (os.replace is atomic on one volume, Windows included)."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def temp_file(folder: str | os.PathLike, prefix: str) -> Iterator[Path]:
    """An empty temporary file in `folder`, removed afterwards (with any -wal/-shm/-journal
    SQLite left beside it) unless it was renamed away meanwhile (`publish`)."""
    if not Path(folder).is_dir():  # name the folder the user chose, not our temporary file
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(folder))
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        for extra in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            with contextlib.suppress(OSError):
                extra.unlink()


def fsync_file(path: str | os.PathLike) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def publish(tmp: str | os.PathLike, target: str | os.PathLike) -> None:
    """Make a finished temporary file durable and rename it over `target` (same folder)."""
    fsync_file(tmp)
    os.replace(tmp, target)
    fsync_dir(Path(target).parent)


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to `path`; when the block ends without error the temporary
    file is fsynced and renamed over `path`, otherwise it is removed and `path` is untouched."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    with temp_file(path.parent, f".{path.name}.") as tmp:
        yield tmp
        publish(tmp, path)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with replacing(path) as tmp:
        tmp.write_bytes(data)


def write_text(path: str | os.PathLike, text: str) -> None:
    """UTF-8, '\\n' line ends on every platform."""
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open a folder, and needs not."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
