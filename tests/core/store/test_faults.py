"""Environment faults: a full disk, read-only data, a database another program holds, a damaged
database file, a truncated export. Each gives the clerk a plain Chinese message and loses
nothing that was saved before (tests/core/test_locked_db.py has the basic locked save)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import peewee
import pytest

from tests import paths
from tests.core.helpers import intake
from xinfang_desk.core.cases import records as cases
from xinfang_desk.core.cases import search
from xinfang_desk.core.errors import StorageError, XinfangError
from xinfang_desk.core.intake import desk as intake_service
from xinfang_desk.core.interchange import jsonl as interchange
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store import audit, db, settings, storage
from xinfang_desk.core.store.db import database, storage_message
from xinfang_desk.core.store.models import Case, Unit

ROOT = paths.ROOT
TODAY = dt.date(2026, 11, 28)
DISK_FULL = storage_message(sqlite3.OperationalError("database or disk is full"))
READ_ONLY = storage_message(sqlite3.OperationalError("attempt to write a readonly database"))
LOCKED = storage_message(sqlite3.OperationalError("database is locked"))
assert DISK_FULL and READ_ONLY and LOCKED and len({DISK_FULL, READ_ONLY, LOCKED}) == 3


@pytest.fixture
def store(tmp_path):
    data_dir = storage.open_data_dir(tmp_path / "data", today=TODAY)
    yield data_dir
    storage.close()


def dump() -> list[str]:
    """Every row of every table, as SQL: equal dumps mean nothing at all was written."""
    return list(database.connection().iterdump())


def unit_name() -> str:
    return Unit.select(Unit.name).order_by(Unit.id).first().name


def saved_case_nos() -> list[str]:
    return [no for (no,) in Case.select(Case.case_no).order_by(Case.id).tuples()]


def assert_whole(case_nos: list[str]) -> None:
    """Each case is there with its petitioners and is found by its summary."""
    for no in case_nos:
        case = cases.get_case(no)
        assert cases.petitioners_of(case), no
        assert no in [r.case_no for r in search.search_cases(case.summary).rows]


# --------------------------------------------------------------------------- disk full


@contextlib.contextmanager
def write_fails_at(n: int, message: str = "database or disk is full"):
    """The n-th INSERT/UPDATE/DELETE from now fails the way SQLite reports a full disk."""
    real = database.obj.execute_sql
    state = {"writes": 0, "fired": False}

    def execute_sql(sql, params=None, *args, **kwargs):
        if sql.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE", "REPLACE"):
            state["writes"] += 1
            if state["writes"] == n:
                state["fired"] = True
                raise peewee.OperationalError(message)
        return real(sql, params, *args, **kwargs)

    database.obj.execute_sql = execute_sql
    try:
        yield state
    finally:
        del database.obj.execute_sql


def _import_file(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    lines = [
        {"received_on": "2026-10-08", "channel": "来访", "category": "咨询",
         "petitioners": [{"name": "陈昇", "phone": "15908171234"}],
         "summary": "咨询退休待遇计算办法", "request": "询问养老金如何计算",
         "disposition": "当场答复", "answer": "已解释计发办法",
         "events": [{"type": "satisfaction", "on": "2026-10-10", "rating": "满意"}]},
        {"received_on": "2026-08-03", "channel": "来信", "category": "检举控告",
         "petitioners": [{"name": "周喆", "address": "顺庆区北湖路8号"}],
         "field": "纪检监察/新领域", "summary": "举报村干部优亲厚友", "request": "请求调查处理",
         "facts": "村主任将亲属纳入低保", "disposition": "转送", "unit": "某某镇纪委",
         "events": [{"type": "forwarded", "on": "2026-08-05", "unit": "某某镇纪委"}]},
    ]
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in lines),
                    encoding="utf-8")
    return path


OPERATIONS = {
    "register": lambda tmp: cases.register_case(intake(summary="第二件拖欠工资"), today=TODAY),
    "intake_forwarded": lambda tmp: intake_service.save_intake(
        intake(summary="转送的拖欠工资", disposition="转送", unit=unit_name()), today=TODAY),
    "event": lambda tmp: cases.record_event(
        "XF2026-000001", EventData(type="notified", on=TODAY, note="送达受理告知书")),
    "import": lambda tmp: interchange.import_cases(_import_file(tmp), today=TODAY),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_a_full_disk_at_any_write_loses_nothing_and_says_so(store, tmp_path, operation):
    """SQLite's own method: make the 1st, 2nd, 3rd … write of a save fail with SQLITE_FULL
    until the save gets through. Each failure gives the disk-full message and leaves the
    database exactly as it was; then the same save succeeds."""
    first = cases.register_case(intake(), today=TODAY).case_no
    op = OPERATIONS[operation]
    failures = 0
    for n in range(1, 200):
        before = dump()
        with write_fails_at(n) as fault:
            try:
                op(tmp_path)
            except StorageError as exc:
                assert str(exc) == DISK_FULL
                assert fault["fired"]
                failures += 1
            else:
                assert not fault["fired"]  # the save needed fewer than n writes
                break
        assert dump() == before, f"write {n} failed but something was kept"
    else:
        pytest.fail("the save never got through")
    assert failures >= 3  # a case, its petitioner link and its audit row at least
    assert_whole(saved_case_nos())
    assert first in saved_case_nos()
    assert audit.verify().ok


def test_a_database_that_cannot_grow_is_reported_and_keeps_its_cases(store):
    """A real SQLITE_FULL from SQLite itself: the file may not grow by a single page."""
    saved = [cases.register_case(intake(summary=f"拖欠工资第{i}件"), today=TODAY).case_no
             for i in range(3)]
    pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
    database.execute_sql(f"PRAGMA max_page_count={pages}")
    before = dump()
    for _ in range(2):  # and again: the program keeps working, it only cannot save
        with pytest.raises(StorageError) as info:
            cases.register_case(intake(facts="工资未发放。" * 3000), today=TODAY)
        assert str(info.value) == DISK_FULL
    assert dump() == before
    database.execute_sql("PRAGMA max_page_count=1073741823")  # space freed
    saved.append(cases.register_case(intake(facts="工资未发放。" * 3000), today=TODAY).case_no)
    storage.close()
    storage.open_data_dir(store.root, today=TODAY)
    assert saved_case_nos() == saved
    assert_whole(saved)


def _commit_fails_like_a_full_disk():
    """What SQLite does when the WAL cannot grow at COMMIT: it rolls the transaction back by
    itself and reports SQLITE_FULL (measured on a real 2 MiB tmpfs, see below)."""
    def commit():
        database.obj.connection().execute("ROLLBACK")
        raise peewee.OperationalError("database or disk is full")
    return commit


def test_a_full_disk_at_commit_gives_the_disk_full_message(store):
    """SQLite has rolled back by itself; peewee's own ROLLBACK then fails ('cannot rollback -
    no transaction is active'), which must not hide the disk-full error."""
    cases.register_case(intake(), today=TODAY)
    before = dump()
    database.obj.commit = _commit_fails_like_a_full_disk()
    try:
        with pytest.raises(StorageError) as info:
            cases.register_case(intake(summary="第二件拖欠工资"), today=TODAY)
    finally:
        del database.obj.commit
    assert str(info.value) == DISK_FULL
    assert dump() == before


def test_a_full_disk_at_commit_keeps_every_case_and_saving_works_again(store):
    """Nothing is half-saved and the program can save again once space is freed."""
    first = cases.register_case(intake(), today=TODAY).case_no
    before = dump()
    database.obj.commit = _commit_fails_like_a_full_disk()
    try:
        with pytest.raises(StorageError):
            cases.register_case(intake(summary="第二件拖欠工资"), today=TODAY)
    finally:
        del database.obj.commit
    assert dump() == before
    second = cases.register_case(intake(summary="第二件拖欠工资"), today=TODAY).case_no
    assert saved_case_nos() == [first, second]
    assert audit.verify().ok


# The real thing: the data directory on a 2 MiB tmpfs, in a user + mount namespace.
DISK_FULL_SCRIPT = r"""
import datetime as dt, hashlib, json, sys
from pathlib import Path
from tests import paths
from tests.core.helpers import intake
from xinfang_desk.core.cases import records as cases
from xinfang_desk.core.interchange import jsonl as interchange
from xinfang_desk.core.store import storage
from xinfang_desk.core.store.db import database
from xinfang_desk.core.errors import StorageError

TODAY = dt.date(2026, 11, 28)
mount = Path(sys.argv[1])
filler = mount / "filler.bin"
filler.write_bytes(b"\1" * 400_000)  # freed later, as a clerk would clean the disk
root, export = mount / "data", mount / "export.jsonl"
out = {"saved": [], "failure": None}

def describe(exc):
    return {"type": type(exc).__name__, "storage_error": isinstance(exc, StorageError),
            "message": str(exc)}

def big(i):
    return intake(summary=f"拖欠工资第{i}件", facts=f"第{i}件，" + "工资未发放。" * 300)

def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()

storage.open_data_dir(root, today=TODAY)
for i in range(2000):
    try:
        out["saved"].append(cases.register_case(big(i), today=TODAY).case_no)
    except Exception as exc:
        out["failure"] = describe(exc)
        break
    if i == 2:
        interchange.export_cases(export)
        out["export_before"] = digest(export)
try:
    out["retry"] = cases.register_case(big(9999), today=TODAY).case_no
except Exception as exc:
    out["retry"] = describe(exc)
try:
    interchange.export_cases(export)
    out["export"] = "written"
except Exception as exc:
    out["export"] = describe(exc)
out["export_after"] = digest(export)
storage.close()
storage.open_data_dir(root, today=TODAY)
out["integrity"] = database.execute_sql("PRAGMA integrity_check").fetchone()[0]
out["after_reopen"] = [c.case_no for c in cases.Case.select().order_by(cases.Case.id)]
out["half_cases"] = database.execute_sql(
    "SELECT COUNT(*) FROM xf_case WHERE id NOT IN (SELECT case_id FROM case_petitioner)"
).fetchone()[0]
filler.unlink()
try:
    out["after_freeing"] = cases.register_case(big(10000), today=TODAY).case_no
except Exception as exc:
    out["after_freeing"] = describe(exc)
out["final"] = [c.case_no for c in cases.Case.select().order_by(cases.Case.id)]
storage.close()
print(json.dumps(out, ensure_ascii=False))
"""


def _namespace_mount(tmp_path: Path, mount_cmd: str, script: str, *args: str):
    """Run `script` with python in a new user + mount namespace after `mount_cmd` (sh, $1 is
    the mount point). None if namespaces or mounts are not permitted here."""
    if os.name != "posix" or shutil.which("unshare") is None:
        return None
    point = tmp_path / "mnt"
    point.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", mount_cmd, "sh", str(point)],
                           capture_output=True, env=env)
    if probe.returncode != 0:
        return None
    run = subprocess.run(
        ["unshare", "-rm", "sh", "-c", mount_cmd + ' && shift && exec "$@"', "sh", str(point),
         sys.executable, "-c", script, str(point), *args],
        capture_output=True, env=env, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-3000:]
    return json.loads(run.stdout.decode().strip().splitlines()[-1])


@pytest.fixture(scope="module")
def real_disk_full(tmp_path_factory):
    out = _namespace_mount(tmp_path_factory.mktemp("diskfull"),
                           'mount -t tmpfs -o size=2m tmpfs "$1"', DISK_FULL_SCRIPT)
    if out is None:
        pytest.skip("no user/mount namespaces here (unshare -rm + tmpfs not permitted)")
    return out


def test_a_real_full_disk_keeps_every_saved_case_and_saving_works_after_cleaning(
        real_disk_full):
    out = real_disk_full
    assert out["failure"] is not None, "the 2 MiB disk never filled up"
    assert len(out["saved"]) >= 5
    assert out["integrity"] == "ok"
    assert out["half_cases"] == 0
    retried = [out["retry"]] if isinstance(out["retry"], str) else []
    assert out["after_reopen"] == out["saved"] + retried  # nothing lost, nothing half
    assert isinstance(out["after_freeing"], str), out["after_freeing"]
    assert out["final"] == out["after_reopen"] + [out["after_freeing"]]
    # The export that could not be written left the previous export file as it was.
    assert out["export"] != "written"
    assert out["export_after"] == out["export_before"]


def test_a_real_full_disk_gives_the_disk_full_message(real_disk_full):
    """SQLite rolls back by itself when COMMIT fails with SQLITE_FULL; the clean-up ROLLBACK
    that then fails must not hide the disk-full error."""
    failure = real_disk_full["failure"]
    assert failure["storage_error"], failure
    assert failure["message"] == DISK_FULL


# --------------------------------------------------------------------------- read-only


@pytest.fixture
def read_only_store(tmp_path, monkeypatch):
    """Two cases saved normally; then the data directory opened read-only (mode=ro: root
    ignores file permissions, so a read-only medium is simulated by the URI)."""
    root = tmp_path / "data"
    storage.open_data_dir(root, today=TODAY)
    saved = [cases.register_case(intake(summary=f"拖欠工资第{i}件"), today=TODAY).case_no
             for i in range(2)]
    storage.close()
    real = db.make_sqlite

    def read_only(path):
        ro = real(f"file:{path}?mode=ro")  # the program's own settings, opened read-only
        ro.connect_params["uri"] = True
        return ro

    monkeypatch.setattr(storage, "make_sqlite", read_only)
    before = (root / "xinfang.sqlite3").read_bytes()
    storage.open_data_dir(root, today=TODAY)
    yield root, saved
    storage.close()
    monkeypatch.undo()
    assert (root / "xinfang.sqlite3").read_bytes() == before
    storage.open_data_dir(root, today=TODAY)
    try:
        assert saved_case_nos() == saved
    finally:
        storage.close()


def test_read_only_data_can_be_read_but_saving_says_read_only(read_only_store, tmp_path):
    root, saved = read_only_store
    assert saved_case_nos() == saved
    assert_whole(saved)  # reading and searching still work
    attempts = {
        "register": lambda: cases.register_case(intake(summary="第三件"), today=TODAY),
        "event": lambda: cases.record_event(saved[0], EventData(type="notified", on=TODAY)),
        "import": lambda: interchange.import_cases(_import_file(tmp_path), today=TODAY),
    }
    for name, attempt in attempts.items():
        with pytest.raises(StorageError) as info:
            attempt()
        assert str(info.value) == READ_ONLY, name
    assert saved_case_nos() == saved


READ_ONLY_MEDIA_SCRIPT = r"""
import datetime as dt, json, sys
from pathlib import Path
from xinfang_desk.core.cases import records as cases
from xinfang_desk.core.store import storage
from xinfang_desk.core.errors import StorageError
root = Path(sys.argv[1]) / "data"
out = {}
try:
    storage.open_data_dir(root, today=dt.date(2026, 11, 28))
    out["opened"] = [c.case_no for c in cases.Case.select()]
    from tests.core.helpers import intake
    cases.register_case(intake(), today=dt.date(2026, 11, 28))
    out["saved"] = True
except Exception as exc:
    out["error"] = {"type": type(exc).__name__, "storage_error": isinstance(exc, StorageError),
                    "message": str(exc)}
print(json.dumps(out, ensure_ascii=False))
"""


def test_data_on_read_only_media_is_refused_in_chinese_and_left_untouched(tmp_path):
    """The data folder on a read-only file system (a write-protected USB stick): a read-only
    bind mount in a mount namespace."""
    source = tmp_path / "src"
    storage.open_data_dir(source / "data", today=TODAY)
    cases.register_case(intake(), today=TODAY)
    storage.close()
    files = {p.name: p.read_bytes() for p in (source / "data").iterdir() if p.is_file()}
    out = _namespace_mount(
        tmp_path, f'mount --bind "{source}" "$1" && mount -o remount,bind,ro "$1"',
        READ_ONLY_MEDIA_SCRIPT)
    if out is None:
        pytest.skip("no user/mount namespaces here (unshare -rm + bind mount not permitted)")
    error = out.get("error")
    assert error is not None and error["storage_error"], out
    assert error["message"] in (READ_ONLY, storage_message(
        sqlite3.OperationalError("unable to open database file")))
    assert {p.name: p.read_bytes() for p in (source / "data").iterdir()
            if p.is_file()} == files


# --------------------------------------------------------------------------- locked


@contextlib.contextmanager
def another_program_writing(path: Path):
    other = sqlite3.connect(path)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        other.rollback()
        other.close()


def test_every_kind_of_save_waits_then_reports_a_locked_database(store, tmp_path):
    first = cases.register_case(intake(), today=TODAY).case_no
    database.execute_sql("PRAGMA busy_timeout=200")
    before = dump()
    attempts = {
        "intake_forwarded": lambda: intake_service.save_intake(
            intake(summary="转送的拖欠工资", disposition="转送", unit=unit_name()), today=TODAY),
        "event": lambda: cases.record_event(first, EventData(type="notified", on=TODAY)),
        "visit": lambda: intake_service.record_repeat_visit(first, TODAY, note="再次来访"),
        "import": lambda: interchange.import_cases(_import_file(tmp_path), today=TODAY),
    }
    with another_program_writing(store.database):
        for name, attempt in attempts.items():
            with pytest.raises(StorageError) as info:
                attempt()
            assert str(info.value) == LOCKED, name
    assert dump() == before
    for attempt in attempts.values():  # once the other program is done, each save works
        attempt()
    assert len(saved_case_nos()) == 4
    assert audit.verify().ok


def test_the_program_opens_and_reads_while_another_program_is_writing(store, monkeypatch):
    """Start-up only reads when nothing needs writing (the calendar top-up included): it never
    waits for another program's write lock."""
    monkeypatch.setitem(db.SQLITE_PRAGMAS, "busy_timeout", 300)  # fail fast, not after 10 s
    saved = [cases.register_case(intake(summary=f"拖欠工资第{i}件"), today=TODAY).case_no
             for i in range(2)]
    storage.close()
    with another_program_writing(store.database):
        started = time.monotonic()
        storage.open_data_dir(store.root, today=TODAY)
        assert saved_case_nos() == saved
        assert_whole(saved)
        assert time.monotonic() - started < 5  # no waiting for the other program's lock


# --------------------------------------------------------------------------- damaged file


def _damage_pages(data: bytes) -> bytes:
    rng = random.Random(7)
    out = bytearray(data)
    page = 4096
    for start in range(3 * page, len(out) - page, 3 * page):
        offset = start + rng.randrange(8, 200)
        out[offset:offset + 300] = rng.randbytes(300)
    return bytes(out)


DAMAGE = {
    "junk_pages": _damage_pages,
    "cut_in_half": lambda data: data[: len(data) // 2],
    "header_overwritten": lambda data: b"\0" * 100 + data[100:],
    "text_file": lambda data: "信访事项登记表（请勿删除）\n".encode() * 200,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_database_file_is_refused_and_left_exactly_as_it_was(tmp_path, damage):
    root = tmp_path / "data"
    storage.open_data_dir(root, today=TODAY)
    for i in range(30):
        cases.register_case(intake(summary=f"拖欠工资第{i}件", facts="工资未发放。" * 400),
                            today=TODAY)
    storage.close()
    path = root / "xinfang.sqlite3"
    assert not Path(f"{path}-wal").exists()
    path.write_bytes(DAMAGE[damage](path.read_bytes()))
    before = path.read_bytes()
    names = sorted(p.name for p in root.iterdir())
    for _ in range(2):  # trying again changes nothing either
        with pytest.raises(StorageError) as info:
            storage.open_data_dir(root, today=TODAY)
        storage.close()
        assert "损坏" in str(info.value)
        assert path.read_bytes() == before
    assert set(names) <= {p.name for p in root.iterdir()}  # nothing moved or deleted


# --------------------------------------------------------------------------- truncated export


@pytest.fixture
def export_text(store, tmp_path):
    """Three cases exported (rare characters, an event), and the importing office's own case."""
    cases.register_case(intake(summary="反映𠀀村土地征收补偿", request="要求按标准补偿䶮"),
                        today=TODAY)
    saved = intake_service.save_intake(
        intake(summary="转送的拖欠工资😀", disposition="转送", unit=unit_name()), today=TODAY)
    cases.record_event(saved.case_no, EventData(type="feedback", on=TODAY, note="已核实"))
    cases.register_case(intake(summary="第三件：物业费纠纷"), today=TODAY)
    path = tmp_path / "export.jsonl"
    assert interchange.export_cases(path) == 3
    text = path.read_bytes()
    storage.close()
    storage.open_data_dir(tmp_path / "office", today=TODAY)
    settings.put("case_prefix", "NC")  # another office: its own numbers do not clash
    cases.register_case(intake(summary="本机已有的事项"), today=TODAY)
    return text


def test_a_cut_off_export_is_refused_naming_the_line_and_nothing_is_imported(export_text,
                                                                            tmp_path):
    lines = export_text.split(b"\n")
    last_start = len(export_text) - len(lines[-2]) - 1  # the third line starts here
    # Every cut inside the last line (a complete line, with or without its newline, is a
    # valid shorter file: see the report).
    cuts = range(last_start + 1, len(export_text) - 2)
    before = dump()
    path = tmp_path / "cut.jsonl"
    for cut in cuts:
        path.write_bytes(export_text[:cut])
        with pytest.raises(XinfangError) as info:
            interchange.import_cases(path, today=TODAY)
        assert "第3行" in str(info.value), (cut, str(info.value))
        assert "未导入" in str(info.value) or "UTF-8" in str(info.value), str(info.value)
    assert dump() == before
    assert len(list(cuts)) > 300


def test_an_export_missing_a_piece_in_the_middle_is_refused_naming_the_line(export_text,
                                                                           tmp_path):
    first_end = export_text.index(b"\n")
    second_end = export_text.index(b"\n", first_end + 1)
    cut = (first_end + second_end) // 2
    damaged = export_text[:cut] + export_text[second_end:]  # line 2 lost its end
    path = tmp_path / "gap.jsonl"
    path.write_bytes(damaged)
    before = dump()
    with pytest.raises(XinfangError) as info:
        interchange.import_cases(path, today=TODAY)
    assert "第2行" in str(info.value) and "第1行" not in str(info.value)
    assert dump() == before
    path.write_bytes(export_text)  # the complete file still imports
    assert interchange.import_cases(path, today=TODAY).cases == 3
