"""扫描文件夹: the folder this PC's copier scans into (a per-PC setting, kept in the data
directory's `scan_folder.json`, since the path differs from PC to PC), the finished scans
waiting there, and taking an attached scan out of it (moved to `scans/taken/YYYY-MM-DD/` in the
data directory, never deleted: the copy in the database is the record, this one a spare).

A file still being written by the copier is not offered: it must be at least `SETTLE_SECONDS`
old, or have kept its size between two looks (`new_files(..., previous=...)`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from xinfang_desk.core import atomic
from xinfang_desk.core.errors import XinfangError
from xinfang_desk.core.papers.kinds import Judged, UnknownKind, judge
from xinfang_desk.core.paths import DataDir

FILE_NAME = "scan_folder.json"
SETTLE_SECONDS = 2.0
MAX_OFFERED = 30  # the newest ones; an untidy folder must not flood the intake
_HEAD_BYTES = 1 << 20
_WHOLE_BYTES = 8 << 20


@dataclass(frozen=True)
class ScanFile:
    path: Path
    size: int
    modified: float  # seconds since the epoch
    judged: Judged

    @property
    def name(self) -> str:
        return self.path.name


def _settings_file(data_dir: DataDir) -> Path:
    return data_dir.root / FILE_NAME


def get_folder(data_dir: DataDir) -> Path | None:
    """The scan folder set on this PC, or None (never set, or the file is unreadable)."""
    try:
        value = json.loads(_settings_file(data_dir).read_text("utf-8")).get("folder", "")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(value).expanduser() if isinstance(value, str) and value.strip() else None


def set_folder(data_dir: DataDir, folder: str | os.PathLike | None) -> Path | None:
    """Remember (or, with None/"", forget) this PC's scan folder; it must exist."""
    text = str(folder or "").strip()
    if not text:
        try:
            _settings_file(data_dir).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise XinfangError(f"无法清除扫描文件夹设置：{exc.strerror or exc}") from None
        return None
    path = Path(text).expanduser()
    if not path.is_dir():
        raise XinfangError(f"文件夹 {path} 不存在或无法访问")
    try:
        data_dir.root.mkdir(parents=True, exist_ok=True)
        atomic.write_text(_settings_file(data_dir),
                          json.dumps({"folder": str(path)}, ensure_ascii=False))
    except OSError as exc:
        raise XinfangError(f"无法保存扫描文件夹设置：{exc.strerror or exc}") from None
    return path


def _judge_head(path: Path, size: int) -> tuple[Judged | None, bool]:
    """What the file is, from its content: the whole file when small, else its first MB (a
    big TIFF or PDF is known by its first bytes; its pages are counted when attached); and
    whether the answer holds for this size and time (False: unreadable now, look again)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(size if size <= _WHOLE_BYTES else _HEAD_BYTES)
    except OSError:
        return None, False  # locked by the copier, gone meanwhile: look again next time
    if head[:4] in (b"II*\x00", b"MM\x00*") and len(head) < size:
        return Judged("tiff"), True
    try:
        return judge(head, path.name), True
    except UnknownKind:
        return None, True


def new_files(folder: str | os.PathLike | None, *, now: float | None = None,
              previous: dict[str, int] | None = None,
              judged: dict[tuple, Judged | None] | None = None) -> list[ScanFile]:
    """The finished files in `folder` that can be attached, newest first. A file counts as
    finished once modified more than SETTLE_SECONDS ago, or when its size equals the one
    `previous` (name -> size, from the last look) recorded. Sub-folders, hidden files, empty
    files and what `judge` refuses are left out. A missing folder gives an empty list.
    `judged` ((name, size, modified) -> Judged or None), if given, is used and filled in, so
    that a folder looked into every few seconds is not read again and again."""
    if not folder:
        return []
    folder = Path(folder)
    now = time.time() if now is None else now
    previous = previous or {}
    found: list[ScanFile] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if entry.name.startswith(".") or entry.name.startswith("~"):
            continue
        try:
            if not entry.is_file():
                continue
            stat = entry.stat()
        except OSError:
            continue
        if stat.st_size == 0:
            continue
        settled = now - stat.st_mtime > SETTLE_SECONDS or previous.get(entry.name) == stat.st_size
        if not settled:
            continue
        found.append(ScanFile(Path(entry.path), stat.st_size, stat.st_mtime, Judged("txt")))
    found.sort(key=lambda f: (-f.modified, f.name))
    offered: list[ScanFile] = []
    for f in found:
        if len(offered) >= MAX_OFFERED:
            break
        key = (f.name, f.size, f.modified)
        if judged is not None and key in judged:
            kind = judged[key]
        else:
            kind, lasting = _judge_head(f.path, f.size)
            if judged is not None and lasting:
                judged[key] = kind
        if kind is not None:
            offered.append(ScanFile(f.path, f.size, f.modified, kind))
    return offered


def sizes(files: list[ScanFile]) -> dict[str, int]:
    """name -> size, to pass as `previous` at the next look."""
    return {f.name: f.size for f in files}


def taken_folder(data_dir: DataDir, on: dt.date | None = None) -> Path:
    return data_dir.root / "scans" / "taken" / (on or dt.date.today()).isoformat()


def take(data_dir: DataDir, path: str | os.PathLike, *, on: dt.date | None = None) -> Path:
    """Move an attached scan out of the scan folder into `scans/taken/YYYY-MM-DD/` (a name
    already there gets a number); returns where it went. A file already gone is no error:
    another desk or the clerk took it. Refusals in Chinese."""
    source = Path(path)
    target_dir = taken_folder(data_dir, on)
    if not source.exists():
        return target_dir / source.name
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / source.name
        n = 1
        while target.exists():
            n += 1
            target = target_dir / f"{source.stem}（{n}）{source.suffix}"
        shutil.move(str(source), str(target))
    except OSError as exc:
        raise XinfangError(f"扫描件“{source.name}”已附入事项，但未能移出扫描文件夹："
                           f"{exc.strerror or exc}") from None
    return target
