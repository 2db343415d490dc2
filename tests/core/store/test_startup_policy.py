"""The start-up check policy (core.store.storage, run_state): the whole file is read after an
unclean stop, before a migration, once a day, and on check / backup; a clean start on a file
checked today reads none of it, so damage there is found by those, not by every command."""

import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.cli.test_cli import run
from tests.core.helpers import damage_last_page, intake, make_check_due, stop_uncleanly
from xinfang_desk.core.cases.records import count_cases, register_case
from xinfang_desk.core.paths import DataDir
from xinfang_desk.core.people import users
from xinfang_desk.core.store import backup, run_state, storage
from xinfang_desk.core.store.check import check_database

ROOT = Path(__file__).resolve().parents[3]
TODAY = dt.date(2026, 9, 21)


@pytest.fixture
def root(tmp_path):
    """A closed data directory with 40 cases, closed cleanly."""
    path = tmp_path / "data"
    storage.open_data_dir(path)
    for i in range(40):
        register_case(intake(summary=f"反映第{i + 1}件事"), today=TODAY)
    storage.close()
    return path


@pytest.fixture
def checks(monkeypatch):
    """The reasons of every start-up check run from now on."""
    seen = []
    real = storage.StartupCheck.run
    monkeypatch.setattr(storage.StartupCheck, "run", lambda self: seen.append(self.reason) or real(self))
    return seen


def test_a_clean_start_on_a_file_checked_today_reads_none_of_it(root, checks):
    before = damage_last_page(DataDir(root).database)
    storage.open_data_dir(root)  # damage in a page opening never reads: not found, no scan
    try:
        assert count_cases() == 40 and checks == []
    finally:
        storage.close()
    assert DataDir(root).database.read_bytes() == before
    # ... and `check` finds it, at once
    storage.open_data_dir(root)
    try:
        report = check_database()
    finally:
        storage.close()
    assert not report.ok and "完整性" in [line.label for line in report.problems]


def test_damage_is_found_at_the_next_start_after_an_unclean_stop(root, checks):
    stop_uncleanly(root)
    [mark] = (root / "running").glob("*.mark")  # left behind, nobody holds it
    before = damage_last_page(DataDir(root).database)
    with pytest.raises(storage.DamagedDatabaseError) as err:
        storage.open_data_dir(root, scheduled=False)  # even a read-only command waits for it
    assert checks == [storage.UNCLEAN]
    assert "上次未正常退出" in str(err.value) and "完整性检查未通过" in str(err.value)
    assert DataDir(root).database.read_bytes() == before  # never "repaired"
    assert mark.exists()  # the next start checks again


def test_after_an_unclean_stop_of_a_sound_file_the_check_passes_once(root, checks):
    stop_uncleanly(root)
    storage.open_data_dir(root)
    storage.close()
    assert checks == [storage.UNCLEAN]
    assert list((root / "running").glob("*.mark")) == []  # the left mark is gone
    storage.open_data_dir(root)
    storage.close()
    assert checks == [storage.UNCLEAN]


def test_a_program_still_running_is_no_unclean_stop(root, checks):
    """The desk has the directory open (its mark held, its WAL not empty) while a script runs
    a command: the command does not take that for a crash."""
    code = textwrap.dedent("""
        import sys, datetime as dt
        from pathlib import Path
        from tests.core.helpers import intake
        from xinfang_desk.core.cases.records import register_case
        from xinfang_desk.core.store import storage
        storage.open_data_dir(Path(sys.argv[1]))
        register_case(intake(summary="另一个程序登记的"), today=dt.date(2026, 9, 21))
        print("OPEN", flush=True)
        sys.stdin.readline()
        storage.close()
    """)
    other = subprocess.Popen([sys.executable, "-c", code, str(root)], cwd=ROOT, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert other.stdout.readline().strip() == "OPEN"
        assert Path(f"{DataDir(root).database}-wal").stat().st_size > 0
        assert run_state.last_stop(DataDir(root)).clean
        storage.open_data_dir(root)
        assert count_cases() == 41
        storage.close()
    finally:
        other.communicate("\n", timeout=60)
    assert other.returncode == 0 and checks == []
    assert list((root / "running").glob("*.mark")) == []  # both closed cleanly


def test_the_daily_check_is_due_a_day_after_the_last(root, checks):
    make_check_due(root)
    before = damage_last_page(DataDir(root).database)
    storage.open_data_dir(root, scheduled=False)  # a read-only command does not wait
    storage.close()
    assert checks == []
    with pytest.raises(storage.DamagedDatabaseError) as err:
        storage.open_data_dir(root)  # any other opening runs it
    assert checks == [storage.SCHEDULED] and "上次未正常退出" not in str(err.value)
    assert DataDir(root).database.read_bytes() == before


def test_a_passed_check_is_recorded_and_not_repeated_that_day(root, checks):
    make_check_due(root)
    storage.open_data_dir(root)
    storage.close()
    storage.open_data_dir(root)
    storage.close()
    assert checks == [storage.SCHEDULED]
    state = json.loads((root / "state.json").read_text(encoding="utf-8"))
    last = dt.datetime.fromisoformat(state["last_full_check"])
    assert dt.datetime.now() - last < dt.timedelta(minutes=5)


def test_an_unreadable_state_file_only_makes_the_check_due(root, checks):
    (root / "state.json").write_text("{not json", encoding="utf-8")
    storage.open_data_dir(root)
    storage.close()
    assert checks == [storage.SCHEDULED]
    assert run_state.last_full_check(DataDir(root)) is not None


def test_an_explicit_backup_checks_the_live_file_and_refuses_a_damaged_one(root, tmp_path):
    storage.open_data_dir(root)
    users.create_user("admin", "Admin-Pass-2026", "admin", "王建国")
    storage.close()
    make_check_due(root)
    damage_last_page(DataDir(root).database)
    storage.open_data_dir(root, scheduled=False)
    try:
        with pytest.raises(backup.BackupError, match="未通过完整性检查，本次不做备份"):
            backup.backup_now(root)
    finally:
        storage.close()
    assert backup.list_backups(DataDir(root).backups) == []
    assert run_state.check_due(DataDir(root))


def test_cli_read_only_commands_skip_the_daily_check_and_check_finds_the_damage(root):
    make_check_due(root)
    damage_last_page(DataDir(root).database)
    for command in (["search", "反映", "--json"], ["deadlines", "--json"], ["export"]):
        result = run(*command, data_dir=root)
        assert result.returncode == 0, (command, result.stderr)
    # a command that happens to read the damaged page says so, in one Chinese line
    result = run("search", "第12件", "--json", data_dir=root)
    assert result.returncode == 1 and result.stderr.strip() == \
        "错误：数据库文件已损坏，无法读取。请不要覆盖该文件，并从最近的备份恢复。"
    result = run("check", data_dir=root)
    assert result.returncode == 1 and "✗ 完整性" in result.stdout
    assert run_state.check_due(DataDir(root))  # not passed: still due


def test_a_migration_never_runs_on_a_damaged_file(tmp_path, checks):
    """An older database (schema v2) checked today and closed cleanly: the migration still
    waits for the whole-file check, which finds the damage; the file stays as it was."""
    import shutil

    from tests import paths
    from xinfang_desk.core.store import migrations

    shutil.copy(paths.FIXTURES / "schema-v2-demo40.sqlite3", tmp_path / "xinfang.sqlite3")
    run_state.record_full_check(DataDir(tmp_path))
    before = damage_last_page(tmp_path / "xinfang.sqlite3")
    with pytest.raises(storage.DamagedDatabaseError):
        storage.open_data_dir(tmp_path, scheduled=False)
    assert checks == [storage.SCHEDULED]
    # every page as it was (opening set WAL mode: header bytes 18-19 only)
    assert (tmp_path / "xinfang.sqlite3").read_bytes()[100:] == before[100:]
    assert not list(DataDir(tmp_path).backups.glob("pre-migration-*"))
    assert migrations.LATEST > 2


def test_a_restore_counts_as_the_days_check(root, checks):
    storage.open_data_dir(root)
    good = backup.backup_now(root)
    storage.close()
    make_check_due(root)
    from xinfang_desk.core.store import restore

    storage.open_data_dir(root, scheduled=False)
    try:
        restore.restore(root, good)  # the backup passed integrity_check before replacing
    finally:
        storage.close()
    assert not run_state.check_due(DataDir(root)) and checks == []
