"""Backups and restore as an office notices them: every case comes back, bad files are refused
and leave the database alone, old backups are thinned, the USB stick may be missing."""

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests import paths
from tests.core.helpers import intake
from xinfang_desk.core import session
from xinfang_desk.core.cases.records import count_cases, register_case
from xinfang_desk.core.errors import StorageError
from xinfang_desk.core.session import PermissionDenied
from xinfang_desk.core.store import audit, backup, migrations, restore, storage
from xinfang_desk.core.store.db import database
from xinfang_desk.core.store.models import AuditLog, Case, Setting

ROOT = paths.ROOT
TODAY = dt.date(2026, 9, 21)
CLERK = session.Actor("张敏", session.CLERK)


@pytest.fixture(autouse=True)
def _cheap_scrypt(monkeypatch):
    """The scrypt cost travels in each file's header, so decryption is unaffected."""
    monkeypatch.setattr(backup, "SCRYPT_LOG_N", 10)


def _register(n, start=0):
    return [register_case(intake(summary=f"反映第{start + i + 1}件事"), today=TODAY).case_no
            for i in range(n)]


def _case_nos():
    return sorted(c.case_no for c in Case.select(Case.case_no))


def _manual(store, **kw):
    return backup.backup_now(store, **kw)


# --- round trip -------------------------------------------------------------------------------

def test_backup_and_restore_bring_back_every_case(store):
    first = _register(3)
    audit.record("login", "张敏")
    path = _manual(store)
    later = _register(2, start=3)
    assert count_cases() == 5

    result = restore.restore(store, path)

    assert _case_nos() == sorted(first) and count_cases() == 3
    assert result.cases == 3 and result.pre_restore is not None
    # The database as it was (5 cases) is kept, and the restore is the restored trail's last row.
    old = sqlite3.connect(result.pre_restore)
    assert sorted(r[0] for r in old.execute("SELECT case_no FROM xf_case")) == sorted(first + later)
    old.close()
    last = AuditLog.select().order_by(AuditLog.id.desc()).first()
    assert last.action == "restore" and last.object == path.name
    assert audit.verify().ok
    # No stale WAL of the replaced file, and the program works on: the next number follows on.
    assert register_case(intake(), today=TODAY).case_no == "XF2026-000004"


def test_manifest_records_time_reason_schema_cases_audit_head_and_checksum(store):
    _register(2)
    audit.record("login", "张敏")
    head = audit.head()
    path = _manual(store)
    data = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
    assert data["reason"] == "manual" and data["cases"] == 2 and data["schema_version"] == migrations.LATEST
    assert data["audit_head"] == list(head)
    assert data["sha256"] == backup.sha256_file(path) and data["size"] == path.stat().st_size
    assert dt.datetime.fromisoformat(data["created"]).date() == dt.date.today()
    # A backup is a plain SQLite file that opens anywhere, with no -wal of its own.
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert con.execute("SELECT count(*) FROM xf_case").fetchone()[0] == 2
    con.close()
    # …and the backup itself is audited, by the acting user.
    row = AuditLog.select().order_by(AuditLog.id.desc()).first()
    assert row.action == "backup" and row.object == path.name and row.actor == "系统"


def test_backup_to_a_chosen_file_never_overwrites(store, tmp_path):
    out = tmp_path / "usb" / "周五备份.sqlite3"
    with pytest.raises(StorageError, match="找不到备份目标文件夹"):
        _manual(store, out=out)
    out.parent.mkdir()
    assert _manual(store, out=out) == out.absolute()
    assert Path(f"{out}.json").exists()
    before = out.read_bytes()
    with pytest.raises(StorageError, match="已存在"):
        _manual(store, out=out)
    assert out.read_bytes() == before


# --- permissions ------------------------------------------------------------------------------

def test_a_clerk_may_not_back_up_or_restore_but_automatic_backups_run(store):
    path = _manual(store)
    with session.acting_as(CLERK):
        with pytest.raises(PermissionDenied, match="无权备份"):
            _manual(store)
        with pytest.raises(PermissionDenied, match="无权恢复数据"):
            restore.restore(store, path)
        result = backup.auto_backup(store)
    assert result is not None and result.path.exists()
    assert AuditLog.select().order_by(AuditLog.id.desc()).first().actor == "张敏"


# --- rotation ---------------------------------------------------------------------------------

def _at(day: dt.date, hour=9):
    return dt.datetime.combine(day, dt.time(hour))


def test_thin_keeps_the_newest_14_days_and_the_newest_of_12_months():
    start = dt.date(2025, 1, 1)
    stamps = [_at(start + dt.timedelta(days=i)) for i in range(500)]  # to 2026-05-15
    doomed = set(backup.thin([(s, s) for s in stamps]))
    kept = sorted(set(stamps) - doomed)
    newest_14 = stamps[-14:]
    month_ends = [max(s for s in stamps if (s.year, s.month) == ym)
                  for ym in sorted({(s.year, s.month) for s in stamps})[-12:]]
    assert kept == sorted(set(newest_14) | set(month_ends))
    assert len(kept) == 14 + 11  # May's newest is also one of the 14 days
    assert _at(dt.date(2025, 6, 30)) in kept and _at(dt.date(2025, 5, 31)) not in kept


def test_thin_counts_only_days_that_have_a_backup_and_keeps_the_newest_of_a_day():
    # Office closed for a month: the 14 days reach back past the gap.
    days = [dt.date(2026, 1, d) for d in range(1, 11)] + [dt.date(2026, 2, d) for d in (20, 21, 22)]
    items = [(f"{d}-{h}", _at(d, h)) for d in days for h in (9, 17)]
    doomed = backup.thin(items, keep_days=14, keep_months=12)
    kept = {k for k, _ in items} - set(doomed)
    assert kept == {f"{d}-17" for d in days}
    assert backup.thin([], keep_days=14) == []


def test_thin_with_no_monthly_allowance():
    items = [(i, _at(dt.date(2026, 1, 1) + dt.timedelta(days=i))) for i in range(40)]
    assert sorted(backup.thin(items, keep_days=3, keep_months=0)) == list(range(37))


def test_auto_backup_once_a_day_and_old_automatic_ones_thinned(store):
    manual = _manual(store)
    days = [dt.date(2026, 7, 1) + dt.timedelta(days=i) for i in range(60)]
    for day in days:
        assert backup.auto_backup(store, today=day) is not None
        assert backup.auto_backup(store, today=day) is None  # second start that day
    daily = sorted(b.created.date() for b in backup.list_backups(store.backups)
                   if b.reason == "daily")
    assert daily == [dt.date(2026, 7, 31)] + days[-14:]
    assert manual.exists()  # manual backups are never thinned
    names = {p.name for p in store.backups.iterdir()}
    assert all(f"{n}.json" in names for n in names if not n.endswith(".json"))


def test_exit_backups_are_thinned_separately(store):
    for i in range(3):
        backup.exit_backup(store, now=dt.datetime(2026, 9, 21, 17, 0, i))
    backup.auto_backup(store, today=dt.date(2026, 9, 21))
    kinds = sorted(b.reason for b in backup.list_backups(store.backups))
    assert kinds == ["daily", "exit"]
    exit_ = [b for b in backup.list_backups(store.backups) if b.reason == "exit"][0]
    assert exit_.created == dt.datetime(2026, 9, 21, 17, 0, 2)


# --- the second folder (USB stick) --------------------------------------------------------------

def test_a_missing_second_folder_is_a_warning_and_the_backup_is_still_made(store, tmp_path):
    from xinfang_desk.core.store import settings

    settings.put("backup_mirror_dir", str(tmp_path / "U盘"))
    result = backup.auto_backup(store)
    assert result.path.exists() and result.mirror is None
    assert len(result.warnings) == 1 and "U盘是否已插入" in result.warnings[0]
    assert str(tmp_path / "U盘") in result.warnings[0]


def test_the_second_folder_gets_a_copy_encrypted_with_the_stored_passphrase(store, tmp_path):
    from xinfang_desk.core.store import settings

    _register(2)
    usb = tmp_path / "usb"
    usb.mkdir()
    settings.put("backup_mirror_dir", str(usb))
    result = backup.auto_backup(store)
    assert result.warnings == [] and result.mirror.parent == usb
    assert result.mirror.suffix == ".sqlite3" and result.mirror.read_bytes() == result.path.read_bytes()

    backup.set_backup_passphrase("正确的口令 2026")
    assert "正确的口令" not in json.dumps([r.details for r in AuditLog.select()], ensure_ascii=False)
    assert "backup_passphrase" not in settings.all_settings()
    result = backup.exit_backup(store)
    assert result.mirror.suffix == ".xfbak" and backup.is_encrypted(result.mirror)
    assert b"SQLite format 3" not in result.mirror.read_bytes()
    assert not backup.is_encrypted(result.path)  # the local copy stays readable
    _register(1, start=2)
    restore.restore(store, result.mirror, passphrase="正确的口令 2026")
    assert count_cases() == 2


# --- encryption ---------------------------------------------------------------------------------

def test_encrypted_backup_round_trip(store):
    cases = _register(2)
    path = _manual(store, passphrase="办公室保险柜里的口令")
    assert path.suffix == ".xfbak" and backup.read_manifest(path).encrypted
    raw = path.read_bytes()
    assert raw.startswith(backup.MAGIC) and "王秀英".encode() not in raw
    _register(1, start=2)
    result = restore.restore(store, path, passphrase="办公室保险柜里的口令")
    assert result.cases == 2 and _case_nos() == sorted(cases)


def test_wrong_passphrase_missing_passphrase_and_one_flipped_bit_are_refused(store, tmp_path):
    _register(2)
    path = _manual(store, passphrase="正确的口令")
    raw = bytearray(path.read_bytes())
    bad = tmp_path / "flipped.xfbak"
    raw[len(raw) // 2] ^= 0x01
    bad.write_bytes(bytes(raw))
    _register(1, start=2)
    before = _case_nos()

    with pytest.raises(backup.WrongPassphrase, match="口令不正确"):
        restore.restore(store, path, passphrase="错误的口令")
    with pytest.raises(backup.WrongPassphrase, match="已加密，请提供备份口令"):
        restore.restore(store, path)
    with pytest.raises(backup.BackupError, match="已损坏或被改动") as flipped:
        restore.restore(store, bad, passphrase="正确的口令")
    assert not isinstance(flipped.value, backup.WrongPassphrase)
    header = bytearray(path.read_bytes())
    header[20] ^= 0x80  # in the salt: the header checksum finds it
    bad.write_bytes(bytes(header))
    with pytest.raises(backup.BackupError, match="已损坏或被改动"):
        restore.restore(store, bad, passphrase="正确的口令")
    bad.write_bytes(path.read_bytes()[:40])
    with pytest.raises(backup.BackupError, match="不完整"):
        restore.restore(store, bad, passphrase="正确的口令")
    assert _case_nos() == before
    assert not list(store.backups.glob("pre-restore-*"))
    assert not list(store.backups.glob(".*tmp"))


# --- bad files are refused and change nothing ---------------------------------------------------

def _snapshot_counts():
    return {t: database.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in ("xf_case", "petitioner", "audit_log", "case_event")}


@pytest.mark.parametrize("with_manifest", [True, False])
def test_a_truncated_backup_is_refused_and_the_database_untouched(store, tmp_path, with_manifest):
    _register(3)
    path = _manual(store)
    cut = tmp_path / path.name
    cut.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
    if with_manifest:
        shutil.copy(f"{path}.json", f"{cut}.json")
    _register(1, start=3)
    before = _snapshot_counts()
    message = "清单记录的长度或校验值不符" if with_manifest else "不完整"
    with pytest.raises(backup.BackupError, match=message):
        restore.restore(store, cut)
    assert _snapshot_counts() == before
    assert not list(store.backups.glob("pre-restore-*"))


def test_foreign_and_newer_files_are_refused(store, tmp_path):
    _register(1)
    text = tmp_path / "notes.sqlite3"
    text.write_text("这不是数据库" * 100, encoding="utf-8")
    with pytest.raises(backup.BackupError, match="不是信访接待台的备份文件"):
        restore.restore(store, text)
    other = tmp_path / "other.sqlite3"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    with pytest.raises(backup.BackupError, match="缺少本程序的数据表"):
        restore.restore(store, other)
    newer = _manual(store)
    os.remove(f"{newer}.json")
    con = sqlite3.connect(newer)
    con.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    con.commit()
    con.close()
    with pytest.raises(backup.BackupError, match="更新版本"):
        restore.restore(store, newer)
    with pytest.raises(backup.BackupError, match="找不到备份文件"):
        restore.restore(store, tmp_path / "missing.sqlite3")
    assert count_cases() == 1


def test_a_backup_whose_audit_trail_was_edited_is_refused(store, tmp_path):
    audit.record("login", "张敏")
    audit.record("case_created", "XF2026-000001")
    path = _manual(store)
    forged = tmp_path / "forged.sqlite3"
    shutil.copy(path, forged)
    con = sqlite3.connect(forged)
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    con.execute("UPDATE audit_log SET actor='李四' WHERE id=1")
    con.commit()
    con.close()
    with pytest.raises(backup.BackupError, match="第 1 条"):
        restore.restore(store, forged)


def test_restore_is_refused_while_another_program_has_the_database_open(store):
    _register(1)
    path = _manual(store)
    _register(1, start=1)
    other = sqlite3.connect(store.database)
    other.execute("SELECT count(*) FROM xf_case").fetchone()
    try:
        with pytest.raises(backup.BackupError, match="仍被另一个信访接待台窗口或其他程序打开"):
            restore.restore(store, path)
    finally:
        other.close()
    assert count_cases() == 2  # reopened, nothing replaced


# --- disk full --------------------------------------------------------------------------------

def test_a_failing_write_leaves_no_partial_backup_and_says_so_in_chinese(store, tmp_path,
                                                                       monkeypatch):
    _register(2)
    target = tmp_path / "stick"
    target.mkdir()

    def full(db_path, tmp):
        Path(tmp).write_bytes(b"SQLite format 3\0" + b"\0" * 5000)  # half written…
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup, "_snapshot", full)
    with pytest.raises(backup.BackupError, match="磁盘空间不足") as err:
        _manual(store, out=target / "b.sqlite3")
    assert "未留下不完整的备份文件" in str(err.value)
    assert list(target.iterdir()) == []
    with pytest.raises(backup.BackupError, match="磁盘空间不足"):
        backup.auto_backup(store)
    assert list(store.backups.iterdir()) == []


def test_a_full_disk_for_real_on_a_tiny_tmpfs(tmp_path):
    """A 1 MiB tmpfs in a private mount namespace; skipped where mounting is not permitted."""
    if not shutil.which("unshare"):
        pytest.skip("unshare not available")
    script = textwrap.dedent("""
        import sys
        from pathlib import Path
        from tests.core.helpers import intake
        from xinfang_desk.core.store import backup, storage
        from xinfang_desk.core.cases.records import register_case
        import datetime as dt
        store = storage.open_data_dir(Path(sys.argv[1]))
        for i in range(400):
            register_case(intake(facts="拖欠工资" * 300 + str(i)), today=dt.date(2026, 9, 21))
        mnt = Path(sys.argv[2])
        try:
            backup.backup_now(store, out=mnt / "full.sqlite3")
        except backup.BackupError as exc:
            print("REFUSED", exc)
        print("LEFT", sorted(p.name for p in mnt.iterdir()))
    """)
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    shell = (f'mount -t tmpfs -o size=1m tmpfs "{mnt}" || exit 77; '
             f'"{sys.executable}" -c "$0" "{tmp_path / "data"}" "{mnt}"')
    result = subprocess.run(["unshare", "-rm", "sh", "-c", shell, script], capture_output=True,
                            text=True, cwd=ROOT, timeout=300, encoding="utf-8")
    if result.returncode == 77 or "Operation not permitted" in result.stderr:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    assert "REFUSED 备份目标磁盘空间不足" in result.stdout
    assert "LEFT []" in result.stdout


# --- start-up check -----------------------------------------------------------------------------

def _damage(path: Path):
    """Scribble over the second half of the file (the header stays, so SQLite opens it)."""
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(size // 2)
        fh.write(b"\xa5\x5a" * ((size - size // 2) // 2))


def test_a_damaged_database_is_refused_at_start_naming_the_backup_and_left_unchanged(tmp_path):
    store = storage.open_data_dir(tmp_path)
    _register(30)
    good = backup.backup_now(store)
    storage.close()
    _damage(store.database)
    before = store.database.read_bytes()

    with pytest.raises(storage.DamagedDatabaseError) as err:
        storage.open_data_dir(tmp_path)
    storage.close()
    message = str(err.value)
    assert "已损坏" in message and str(good) in message and "xinfang-desk restore" in message
    assert err.value.backup == good
    assert store.database.read_bytes() == before
    assert storage.latest_good_backup(tmp_path).path == good


def test_a_damaged_database_without_backups_says_so(tmp_path):
    storage.open_data_dir(tmp_path)
    _register(30)
    storage.close()
    _damage(tmp_path / "xinfang.sqlite3")
    with pytest.raises(storage.DamagedDatabaseError, match="没有找到可用的备份"):
        storage.open_data_dir(tmp_path)
    storage.close()


def test_latest_good_backup_skips_a_backup_that_changed_since(store):
    older = _manual(store)
    newer = _manual(store)
    with open(newer, "r+b") as fh:
        fh.seek(5000)
        fh.write(b"x")
    assert backup.latest_good_backup(store).path == older


def test_a_leftover_wal_after_a_crash_gets_the_full_integrity_check(tmp_path, monkeypatch):
    code = textwrap.dedent("""
        import os, sys, datetime as dt
        from pathlib import Path
        from tests.core.helpers import intake
        from xinfang_desk.core.store import storage
        from xinfang_desk.core.cases.records import register_case
        storage.open_data_dir(Path(sys.argv[1]))
        register_case(intake(), today=dt.date(2026, 9, 21))
        os._exit(0)  # no close, no checkpoint: as after a crash
    """)
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "xinfang.sqlite3-wal").stat().st_size > 0
    calls = []
    real = storage.StartupCheck.run
    monkeypatch.setattr(storage.StartupCheck, "run",
                        lambda self: calls.append(self.reason) or real(self))
    storage.open_data_dir(tmp_path)
    assert calls == [storage.UNCLEAN] and count_cases() == 1  # the committed case survived
    storage.close()
    storage.open_data_dir(tmp_path)
    assert calls == [storage.UNCLEAN]  # closed cleanly, checked today: no scan this time
    storage.close()


def test_restore_over_a_damaged_database_moves_it_aside_unchanged(tmp_path):
    store = storage.open_data_dir(tmp_path)
    cases = _register(5)
    good = backup.backup_now(store)
    storage.close()
    store.database.write_bytes(b"garbage" * 3000)
    before = store.database.read_bytes()
    with pytest.raises(storage.DamagedDatabaseError):
        storage.open_data_dir(tmp_path)
    storage.close()

    result = restore.restore(tmp_path, good)
    try:
        assert _case_nos() == sorted(cases)
        assert result.moved_aside is not None and result.moved_aside.read_bytes() == before
        assert result.pre_restore is None
    finally:
        storage.close()


# --- the command line -------------------------------------------------------------------------

def run(*args, data_dir, env=None):
    cmd = [sys.executable, "-m", "xinfang_desk", "--data-dir", str(data_dir), *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120,
                          encoding="utf-8", env={**os.environ, **(env or {})},
                          stdin=subprocess.DEVNULL)


def test_cli_backup_restore_round_trip(tmp_path):
    storage.open_data_dir(tmp_path)
    cases = _register(2)
    storage.close()
    made = run("backup", data_dir=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("已备份：") and "事项 2 件" in made.stdout
    path = next(tmp_path.joinpath("backups").glob("manual-*.sqlite3"))
    storage.open_data_dir(tmp_path)
    _register(1, start=2)
    storage.close()

    asked = run("restore", str(path), data_dir=tmp_path)
    assert asked.returncode == 1 and "--yes" in asked.stderr
    done = run("restore", str(path), "--yes", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "事项 2 件" in done.stdout and "pre-restore-" in done.stdout
    storage.open_data_dir(tmp_path)
    try:
        assert _case_nos() == sorted(cases)
    finally:
        storage.close()
    listed = run("backup", "--list", data_dir=tmp_path)
    assert listed.returncode == 0 and "manual" in listed.stdout and "pre-restore" in listed.stdout


def test_cli_refusals_are_one_chinese_line_with_exit_1(tmp_path):
    storage.open_data_dir(tmp_path)
    _register(2)
    storage.close()
    bad = tmp_path / "cut.sqlite3"
    assert run("backup", "--out", str(bad), data_dir=tmp_path).returncode == 0
    bad.write_bytes(bad.read_bytes()[:3000])
    os.remove(f"{bad}.json")
    for args, words in (
        (("restore", str(bad), "--yes"), "不完整"),
        (("restore", str(tmp_path / "nope.sqlite3"), "--yes"), "找不到备份文件"),
        (("backup", "--passphrase-env", "XF_NO_SUCH_VAR"), "XF_NO_SUCH_VAR"),
        (("backup", "--out", str(tmp_path / "cut.sqlite3")), "已存在"),
    ):
        result = run(*args, data_dir=tmp_path)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1, (args, result.stderr)
        assert len(lines) == 1 and lines[0].startswith("错误：") and words in lines[0], lines
    storage.open_data_dir(tmp_path)
    try:
        assert count_cases() == 2
    finally:
        storage.close()


def test_cli_encrypted_backup_needs_the_passphrase_to_restore(tmp_path):
    storage.open_data_dir(tmp_path)
    _register(1)
    storage.close()
    out = tmp_path / "off-site.xfbak"
    env = {"XF_PASS": "正确的口令"}
    made = run("backup", "--out", str(out), "--passphrase-env", "XF_PASS", data_dir=tmp_path,
               env=env)
    assert made.returncode == 0 and "已加密" in made.stdout, made.stderr
    none = run("restore", str(out), "--yes", data_dir=tmp_path)
    assert none.returncode == 1 and "--passphrase-env" in none.stderr
    wrong = run("restore", str(out), "--yes", "--passphrase-env", "XF_PASS", data_dir=tmp_path,
                env={"XF_PASS": "错误"})
    assert wrong.returncode == 1 and "口令不正确" in wrong.stderr
    right = run("restore", str(out), "--yes", "--passphrase-env", "XF_PASS", data_dir=tmp_path,
                env=env)
    assert right.returncode == 0, right.stderr


def test_cli_restore_over_a_damaged_database(tmp_path):
    storage.open_data_dir(tmp_path)
    _register(2)
    good = backup.backup_now(tmp_path)
    storage.close()
    _damage(tmp_path / "xinfang.sqlite3")
    refused = run("deadlines", data_dir=tmp_path)
    assert refused.returncode == 1 and str(good) in refused.stderr
    done = run("restore", str(good), "--yes", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "当前数据库已损坏" in done.stderr and "damaged-" in done.stdout
    assert run("deadlines", data_dir=tmp_path).returncode == 0


def test_no_passphrase_is_stored_in_clear_in_settings_listing(store):
    backup.set_backup_passphrase("12345678")
    assert Setting.get(Setting.key == backup.PASSPHRASE_KEY)
    assert backup.stored_passphrase() == "12345678"
    with pytest.raises(backup.BackupError, match="至少需要8个字符"):
        backup.set_backup_passphrase("短")
    backup.set_backup_passphrase(None)
    assert backup.stored_passphrase() == ""
    with session.acting_as(CLERK), pytest.raises(PermissionDenied):
        backup.set_backup_passphrase("12345678")


def test_no_backup_is_taken_of_a_database_that_fails_its_check(store, monkeypatch):
    older = backup.backup_now(store)

    def bad_copy(db_path, tmp):
        shutil.copyfile(older, tmp)
        with open(tmp, "r+b") as fh:
            fh.seek(older.stat().st_size // 2)
            fh.write(b"\xff" * 8192)

    monkeypatch.setattr(backup, "_snapshot", bad_copy)
    with pytest.raises(backup.BackupError, match="当前数据库未通过检查，本次不做备份"):
        backup.auto_backup(store)
    assert [b.path for b in backup.list_backups(store.backups)] == [older]
