"""What opening a data directory needs to know about the runs before it: did the last one end
cleanly, and when was the whole file last checked. Both decide whether opening must wait for
`PRAGMA integrity_check`, which reads every page (0.35 s at 100,000 cases, 3.3 s at 1,000,000).

Clean or not: every program that opens the database keeps a mark file in `running/` for as
long as it has it open, locked with an OS lock (as instance_lock does), and deletes it at a
clean close. A mark whose lock nobody holds was left by a process that ended without closing
(killed, crashed, power cut). Programs from before the marks are judged by their WAL: a
non-empty `-wal` file with no program running means the last one did not close. Marks held by
running programs (the desk open while a script runs a CLI command) are neither.

The schedule: `state.json` in the data directory records when the whole file last passed the
full check (`last_full_check`) and on which day the holiday calendar was last compared with
the `holidays` package (`calendar_checked_on`). A check is due once a day. The file is a
cache of facts, never of data: lost or unreadable, it only makes the next check due.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from xinfang_desk.core.paths import DataDir
from xinfang_desk.core.store.instance_lock import let_go, try_lock, unlock

log = logging.getLogger(__name__)

CHECK_EVERY = dt.timedelta(days=1)
_MARKS = "running"
_STATE = "state.json"


# ------------------------------------------------------------------ marks of open programs

@dataclass
class OpenMark:
    path: Path
    fd: int | None


def _held(path: Path) -> bool:
    """Whether a running program holds this mark (its lock cannot be taken)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return True  # its program closed cleanly just now
    except OSError:
        return True  # cannot tell: assume alive rather than scan for nothing
    try:
        if try_lock(fd):
            unlock(fd)
            return False
        return True
    finally:
        os.close(fd)


@dataclass(frozen=True)
class LastStop:
    """How the runs before this one ended: `clean`, and the marks they left behind (deleted
    once the full check has passed)."""

    clean: bool
    left: tuple[Path, ...] = ()


def last_stop(data_dir: DataDir) -> LastStop:
    folder = data_dir.root / _MARKS
    left, running = [], 0
    for mark in sorted(folder.glob("*.mark")) if folder.is_dir() else []:
        if _held(mark):
            running += 1
        else:
            left.append(mark)
    if left:
        return LastStop(False, tuple(left))
    wal = Path(f"{data_dir.database}-wal")
    try:
        wal_left = wal.stat().st_size > 0
    except OSError:
        wal_left = False
    return LastStop(not (wal_left and running == 0))


def mark_open(data_dir: DataDir) -> OpenMark | None:
    """Say "this program has the database open" until `mark_closed`. None when the mark cannot
    be written (a read-only folder): the program still runs, a crash then goes unnoticed by
    the marks (the WAL rule still applies)."""
    folder = data_dir.root / _MARKS
    path = folder / f"{os.getpid()}-{os.urandom(4).hex()}.mark"
    try:
        folder.mkdir(exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as exc:
        log.warning("cannot write the open mark %s: %s", path, exc)
        return None
    try:
        if not try_lock(fd):  # a fresh file nobody else knows: cannot happen, but be sure
            raise OSError("lock refused")
        os.write(fd, json.dumps({"pid": os.getpid(),
                                 "since": dt.datetime.now().isoformat(timespec="seconds")}
                                ).encode("ascii"))
    except OSError as exc:
        log.warning("cannot lock the open mark %s: %s", path, exc)
        os.close(fd)
        _remove(path)
        return None
    return OpenMark(path, fd)


def mark_closed(mark: OpenMark | None) -> None:
    """A clean close: the mark goes (idempotent)."""
    if let_go(mark):  # closed before deleting: Windows deletes no open file
        _remove(mark.path)


def forget(marks: tuple[Path, ...]) -> None:
    """The marks an unclean stop left, once the full check has passed."""
    for path in marks:
        _remove(path)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("cannot delete %s: %s", path, exc)


# ------------------------------------------------------------------ the schedule


def _read(data_dir: DataDir) -> dict:
    try:
        data = json.loads((data_dir.root / _STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(data_dir: DataDir, **changes) -> None:
    from xinfang_desk.core import atomic  # only when something is recorded

    data = _read(data_dir)
    data.update(changes)
    try:
        atomic.write_text(data_dir.root / _STATE,
                          json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    except OSError as exc:  # the next start checks again: safe, only slower
        log.warning("cannot record %s in %s: %s", sorted(changes), data_dir.root / _STATE, exc)


def last_full_check(data_dir: DataDir) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(_read(data_dir)["last_full_check"])
    except (KeyError, TypeError, ValueError):
        return None


def record_full_check(data_dir: DataDir, when: dt.datetime | None = None) -> None:
    """The whole file passed `integrity_check` (at start, by `check`, `backup` or `restore`)."""
    when = when or dt.datetime.now()
    _write(data_dir, last_full_check=when.isoformat(timespec="seconds"))


def integrity_check(data_dir: DataDir) -> list[str]:
    """`PRAGMA integrity_check` of the whole file on a connection of its own (safe on any
    thread, beside the program's connections): [] when it passed, recorded as the day's
    check; else what SQLite said. sqlite3.DatabaseError when the file cannot be read so far."""
    con = sqlite3.connect(str(data_dir.database), timeout=30)
    try:
        rows = [r[0] for r in con.execute("PRAGMA integrity_check")]
    finally:
        con.close()
    if rows != ["ok"]:
        return rows
    record_full_check(data_dir)
    return []


def check_due(data_dir: DataDir, now: dt.datetime | None = None) -> bool:
    """Whether the daily full check is due (never done, a day old, or the clock went back)."""
    last = last_full_check(data_dir)
    now = now or dt.datetime.now()
    return last is None or not (now - CHECK_EVERY < last <= now)


def calendar_checked(data_dir: DataDir, today: dt.date) -> bool:
    return _read(data_dir).get("calendar_checked_on") == today.isoformat()


def record_calendar_check(data_dir: DataDir, today: dt.date) -> None:
    _write(data_dir, calendar_checked_on=today.isoformat())
