"""Backups, restore and the check of a shared server database (PostgreSQL), as an office
notices them: a restore brings the old data back and the audit chain still verifies, a bad or
too new backup is refused before anything is touched, a PC without pg_dump is told so in
Chinese, the office's daily backup is taken once whichever desk starts first.

Runs when XINFANG_TEST_PG_URL names an empty database this test may wipe (CI starts a local
PostgreSQL and sets it); skipped otherwise.
"""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import paths
from tests.core.helpers import intake

PG_URL = os.environ.get("XINFANG_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="XINFANG_TEST_PG_URL not set (no PostgreSQL)")

TODAY = dt.date(2026, 11, 28)


def _wipe():
    from playhouse.db_url import connect

    raw = connect(PG_URL)
    raw.execute_sql("DROP SCHEMA public CASCADE")
    raw.execute_sql("CREATE SCHEMA public")
    raw.close()


@pytest.fixture
def desk(tmp_path, monkeypatch):
    """The models bound to a freshly migrated server database; this desk's own data directory
    (where its backups go) in tmp_path."""
    pytest.importorskip("psycopg")
    from xinfang_desk.core.paths import DataDir
    from xinfang_desk.core.store import backup, server_backup, storage

    monkeypatch.setattr(backup, "SCRYPT_LOG_N", 10)  # the cost travels in each file's header
    monkeypatch.delenv(server_backup.PG_BIN_ENV, raising=False)
    if server_backup.find_tool("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    _wipe()
    storage.open_url(PG_URL)
    yield DataDir(tmp_path / "desk").ensure()
    storage.close()


def _register(n, start=0):
    from xinfang_desk.core.cases.records import register_case

    return [register_case(intake(summary=f"反映第{start + i + 1}件事"), today=TODAY).case_no
            for i in range(n)]


def _case_nos():
    from xinfang_desk.core.store.models import Case

    return sorted(c.case_no for c in Case.select(Case.case_no))


def _audit_actions():
    from xinfang_desk.core.store.models import AuditLog

    return [a.action for a in AuditLog.select(AuditLog.action).order_by(AuditLog.id)]


def _plain_dump(target: Path) -> None:
    """pg_dump the server as a DBA would, without the program (no manifest)."""
    from xinfang_desk.core.store import server_backup

    server = server_backup.bound_server()
    subprocess.run([str(server_backup.find_tool("pg_dump")), "--format=custom", "--no-password",
                    f"--file={target}", f"--dbname={server.conninfo()}"],
                   env=server.env(), check=True, capture_output=True)


# --- round trip -------------------------------------------------------------------------------

def test_backup_then_restore_brings_back_the_old_data(desk):
    from xinfang_desk.core.cases.records import count_cases, register_case
    from xinfang_desk.core.store import audit, backup, migrations, restore, server_backup
    from xinfang_desk.core.store.models import AuditLog

    first = _register(3)
    audit.record("login", "张敏", {"note": "制表符\t换行\n反斜杠\\ 与中文"})  # COPY escapes
    head = audit.head()
    path = backup.backup_now(desk)

    assert path.parent == desk.backups and path.suffix == ".pgdump"
    assert path.read_bytes().startswith(b"PGDMP")
    data = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
    assert data["engine"] == "postgresql" and data["kind"] == "pg_dump-custom"
    assert data["cases"] == 3 and data["schema_version"] == migrations.LATEST
    assert data["audit_head"] == list(head)  # read in the dump's own snapshot
    assert data["sha256"] == backup.sha256_file(path) and data["size"] == path.stat().st_size
    assert data["server"] == server_backup.bound_server().identity
    assert data["tool"].startswith("pg_dump ")

    later = _register(2, start=3)
    assert count_cases() == 5
    result = restore.restore(desk, path)

    assert _case_nos() == sorted(first) and count_cases() == 3
    assert (result.cases, result.schema_version, result.moved_aside) == (3, migrations.LATEST, None)
    assert result.audit_rows == head[0]
    last = AuditLog.select().order_by(AuditLog.id.desc()).first()
    assert last.action == "restore" and last.object == path.name
    assert audit.verify().ok
    # The program works on: the next number follows the restored ones.
    assert register_case(intake(), today=TODAY).case_no == "XF2026-000004"

    # What the server held before is kept, and restores like any backup.
    before = backup.read_manifest(result.pre_restore)
    assert result.pre_restore.suffix == ".pgdump" and before.reason == "pre-restore"
    assert before.cases == 5 and backup.is_intact(before)
    restore.restore(desk, result.pre_restore)
    assert _case_nos() == sorted(first + later)
    assert audit.verify().ok


def test_the_password_reaches_the_tools_only_in_their_environment(desk, monkeypatch):
    from xinfang_desk.core.store import backup, server_backup

    calls = []
    real_run = subprocess.run

    def spy(args, *a, **kw):
        calls.append((list(map(str, args)), kw.get("env") or {}))
        return real_run(args, *a, **kw)

    monkeypatch.setattr(server_backup.subprocess, "run", spy)
    own_env = dict(os.environ)
    backup.backup_now(desk)
    server = server_backup.bound_server()
    tool_calls = [(args, env) for args, env in calls if args[1] != "--version"]
    assert [Path(args[0]).name for args, _ in tool_calls] == ["pg_dump", "pg_restore"]
    assert server.password
    for args, env in tool_calls:
        assert not any("password=" in arg.lower() for arg in args)
        assert env["PGPASSWORD"] == server.password
    dump_args = tool_calls[0][0]
    assert "--no-password" in dump_args  # never a prompt, never waiting for one
    assert any(a.startswith("--dbname=") and "dbname='" in a for a in dump_args)
    assert dict(os.environ) == own_env  # only the children's environment had it
    leftovers = [p.name for p in desk.backups.iterdir() if not p.name.startswith("manual-")]
    assert leftovers == []  # no temporary file, no pgpass file left behind


def test_an_encrypted_copy_in_the_second_folder_restores_with_the_passphrase(desk, tmp_path):
    from xinfang_desk.core.store import backup, restore, settings

    usb = tmp_path / "U盘"
    usb.mkdir()
    settings.put("backup_mirror_dir", str(usb))
    backup.set_backup_passphrase("保险柜口令 2026")
    _register(2)
    result = backup.auto_backup(desk)
    assert result is not None and result.warnings == []
    assert result.path.suffix == ".pgdump" and result.mirror.suffix == ".xfbak"
    copy = backup.read_manifest(result.mirror)
    assert copy.encrypted and copy.engine == "postgresql" and copy.cases == 2
    _register(1, start=2)

    with pytest.raises(backup.WrongPassphrase):
        restore.restore(desk, result.mirror, passphrase="错误的口令 2026")
    assert len(_case_nos()) == 3
    restored = restore.restore(desk, result.mirror, passphrase="保险柜口令 2026")
    assert restored.cases == 2 and len(_case_nos()) == 2


# --- refusals that leave the server untouched ---------------------------------------------------

def _untouched(desk, cases, actions):
    assert _case_nos() == cases and _audit_actions() == actions
    assert not list(desk.backups.glob("pre-restore-*"))
    assert not [p for p in desk.backups.iterdir() if p.name.startswith(".")]


def test_a_tampered_dump_is_refused_before_anything_is_touched(desk):
    from xinfang_desk.core.store import backup, restore

    _register(2)
    path = backup.backup_now(desk)
    _register(1, start=2)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    cases, actions = _case_nos(), _audit_actions()

    with pytest.raises(backup.BackupError, match="校验值不符"):
        restore.restore(desk, path)
    _untouched(desk, cases, actions)

    # Without its manifest, a cut-off archive is still found: every block is read first.
    Path(f"{path}.json").unlink()
    path.write_bytes(bytes(raw[: len(raw) * 3 // 4]))
    with pytest.raises(backup.BackupError, match="备份文件已损坏或不完整"):
        restore.restore(desk, path)
    _untouched(desk, cases, actions)


def test_a_dump_from_a_newer_schema_is_refused_untouched(desk, tmp_path):
    from xinfang_desk.core.store import backup, migrations, restore
    from xinfang_desk.core.store.models import Meta

    _register(1)
    Meta.update(value=str(migrations.LATEST + 1)).where(Meta.key == "schema_version").execute()
    newer = tmp_path / "newer.pgdump"
    _plain_dump(newer)
    Meta.update(value=str(migrations.LATEST)).where(Meta.key == "schema_version").execute()
    _register(1, start=1)
    cases, actions = _case_nos(), _audit_actions()

    with pytest.raises(backup.BackupError, match="更新版本的程序") as refused:
        restore.restore(desk, newer)
    assert f"数据结构版本 {migrations.LATEST + 1}" in str(refused.value)
    _untouched(desk, cases, actions)


def test_a_broken_audit_chain_in_the_dump_is_refused(desk, tmp_path):
    from xinfang_desk.core.store import backup, restore

    _register(2)
    # Rewrite a row behind the program's back (the append-only trigger disabled by a DBA).
    from xinfang_desk.core.store.db import database

    database.execute_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    database.execute_sql("UPDATE audit_log SET actor = '某人' WHERE id = 1")
    database.execute_sql("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    forged = tmp_path / "forged.pgdump"
    _plain_dump(forged)
    cases, actions = _case_nos(), _audit_actions()
    with pytest.raises(backup.BackupError, match="审计日志被改动：第 1 条"):
        restore.restore(desk, forged)
    _untouched(desk, cases, actions)


def test_restore_is_refused_while_another_desk_is_connected(desk):
    from xinfang_desk.core.store import backup, restore
    from xinfang_desk.core.store.db import database

    _register(1)
    path = backup.backup_now(desk)
    _register(1, start=1)
    cases, actions = _case_nos(), _audit_actions()
    other = type(database.obj)(database.obj.database, **database.obj.connect_params)
    other.connect()
    try:
        with pytest.raises(backup.BackupError, match="其他工作站"):
            restore.restore(desk, path)
    finally:
        other.close()
    _untouched(desk, cases, actions)
    restore.restore(desk, path)  # once the other desk has gone
    assert len(_case_nos()) == 1


def test_backups_of_one_kind_of_database_do_not_restore_into_the_other(desk, tmp_path):
    from xinfang_desk.core.store import backup, restore, storage

    _register(1)
    dump = backup.backup_now(desk)
    storage.close()
    local = storage.open_data_dir(tmp_path / "local")
    try:
        _register(2)
        sqlite_copy = backup.backup_now(local)
        with pytest.raises(backup.BackupError, match="服务器数据库（PostgreSQL）的备份"):
            restore.restore(local, dump)
        assert len(_case_nos()) == 2
        assert backup.latest_good_backup(desk) is None  # never offered for a damaged local file
    finally:
        storage.close()
    storage.open_url(PG_URL)
    with pytest.raises(backup.BackupError, match="不是服务器数据库的备份"):
        restore.restore(desk, sqlite_copy)
    assert len(_case_nos()) == 1


def test_a_backup_of_an_older_schema_is_restored_and_brought_up_to_date(desk, monkeypatch):
    """The older backup lacks the tables later migrations added (here the answer library of
    v6, whose case_answer refers to xf_case): they are dropped first, and migrated back."""
    from xinfang_desk.core.store import backup, migrations, restore, server_backup
    from xinfang_desk.core.store.db import database
    from xinfang_desk.core.store.models import ANSWER_MODELS, AnswerVersion, Meta

    old = _register(2)
    database.obj.drop_tables(ANSWER_MODELS)
    Meta.update(value="5").where(Meta.key == "schema_version").execute()
    v5 = backup.backup_now(desk)
    assert backup.read_manifest(v5).schema_version == 5
    migrations.migrate(None, None)  # the office upgraded the program: v6 … LATEST
    seeded = AnswerVersion.select().count()
    assert seeded > 0
    _register(1, start=2)

    # A failing pg_restore after the drop: the state before is put back.
    real = server_backup._pg_restore
    calls = []

    def fail_once(restorer, path, server):
        calls.append(path)
        if len(calls) == 1:
            raise backup.BackupError("恢复失败：测试中断。")
        real(restorer, path, server)

    monkeypatch.setattr(server_backup, "_pg_restore", fail_once)
    with pytest.raises(backup.BackupError, match="已放回恢复前的状态"):
        restore.restore(desk, v5)
    assert len(_case_nos()) == 3 and AnswerVersion.select().count() == seeded
    assert migrations.current_version(database.obj) == migrations.LATEST
    monkeypatch.setattr(server_backup, "_pg_restore", real)

    result = restore.restore(desk, v5)
    assert result.schema_version == 5 and _case_nos() == sorted(old)
    assert migrations.current_version(database.obj) == migrations.LATEST
    assert AnswerVersion.select().count() == seeded  # re-created and re-seeded by v6
    from xinfang_desk.core.store import audit

    assert audit.verify().ok


def _as_an_older_program_left_it(version=5):
    """The server as a v5 program left it (no answer library yet), the models unbound."""
    from xinfang_desk.core.store import storage
    from xinfang_desk.core.store.db import database
    from xinfang_desk.core.store.models import ANSWER_MODELS, Meta

    database.obj.drop_tables(ANSWER_MODELS)
    Meta.update(value=str(version)).where(Meta.key == "schema_version").execute()
    storage.close()


def _server_facts():
    """(schema version, has the answer library) read by a connection of its own."""
    from playhouse.db_url import connect

    raw = connect(PG_URL)
    try:
        version = raw.execute_sql("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(version[0]), raw.table_exists("answer")
    finally:
        raw.close()


def test_an_upgrade_of_the_server_schema_keeps_a_backup_of_it_as_it_was(desk, tmp_path):
    """The first desk to start the new program keeps a pg_dump of the server before upgrading
    it, listed as 升级前 like any backup; the desks after it find nothing left to do."""
    from xinfang_desk.core.store import backup, migrations, restore
    from xinfang_desk.core.store import server as srv

    before = _register(3)
    _as_an_older_program_left_it()
    assert _server_facts() == (5, False)

    choice = srv.ServerChoice.from_url(PG_URL)
    first = srv.open_server(tmp_path / "first", choice)
    assert _server_facts() == (migrations.LATEST, True)
    [kept] = backup.list_backups(first.backups)
    assert (kept.reason, kept.engine, kept.schema_version, kept.cases) == (
        "pre-migration", "postgresql", 5, 3)
    assert kept.path.name.startswith("pre-migration-") and backup.is_intact(kept)

    second = srv.open_server(tmp_path / "second", choice)
    assert backup.list_backups(second.backups) == []

    _register(1, start=3)
    restore.restore(first, kept.path)  # back to the server as it was, brought up to date
    assert _case_nos() == sorted(before)
    assert _server_facts() == (migrations.LATEST, True)


def test_without_pg_dump_the_server_schema_is_not_upgraded(desk, tmp_path, monkeypatch):
    from xinfang_desk.core.errors import StorageError
    from xinfang_desk.core.store import server as srv
    from xinfang_desk.core.store import server_backup

    _register(2)
    _as_an_older_program_left_it()
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    monkeypatch.setenv(server_backup.PG_BIN_ENV, str(empty))
    with pytest.raises(StorageError) as refused:
        srv.open_server(tmp_path / "desk2", srv.ServerChoice.from_url(PG_URL))
    assert str(refused.value).startswith(
        "服务器数据库需要升级数据结构（版本 5 → ") and "服务器数据库未作任何改动" in str(refused.value)
    assert "中没有 pg_dump" in str(refused.value)
    assert _server_facts() == (5, False)  # untouched
    assert list((tmp_path / "desk2" / "backups").iterdir()) == []  # nothing half-written


# --- the tools missing or too old ----------------------------------------------------------------

def test_without_pg_dump_backup_and_restore_say_why_in_chinese(desk, tmp_path, monkeypatch):
    from xinfang_desk.core.store import backup, restore, server_backup

    _register(1)
    path = backup.backup_now(desk)
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    monkeypatch.setenv(server_backup.PG_BIN_ENV, str(empty))
    cases, actions = _case_nos(), _audit_actions()
    with pytest.raises(backup.BackupError) as refused:
        backup.backup_now(desk)
    assert str(refused.value) == (f"环境变量 XINFANG_PG_BIN 指定的文件夹 {empty} 中没有 pg_dump，"
                                  "无法备份服务器数据库。请把它改为 PostgreSQL 客户端工具所在的 bin "
                                  "文件夹。")
    with pytest.raises(backup.BackupError, match="中没有 pg_dump，无法恢复服务器数据库"):
        restore.restore(desk, path)
    with pytest.raises(backup.BackupError, match="XINFANG_PG_BIN"):
        backup.auto_backup(desk)  # the start-up flow shows it in the status bar
    assert "XINFANG_PG_BIN" in server_backup.tools_problem()
    _untouched(desk, cases, actions)

    monkeypatch.delenv(server_backup.PG_BIN_ENV)
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(backup.BackupError, match="本机找不到 PostgreSQL 的 pg_"):
        backup.backup_now(desk)
    problem = server_backup.tools_problem()
    assert problem.startswith("本机找不到 PostgreSQL 的 pg_dump 工具") and "XINFANG_PG_BIN" in problem
    _untouched(desk, cases, actions)
    assert [b.path for b in backup.list_backups(desk.backups)] == [path]


@pytest.mark.skipif(os.name == "nt", reason="a shell script stands in for an old pg_dump")
def test_a_pg_dump_older_than_the_server_is_refused(desk, tmp_path, monkeypatch):
    from xinfang_desk.core.store import backup, server_backup

    bin_dir = tmp_path / "pg96"
    bin_dir.mkdir()
    fake = bin_dir / "pg_dump"
    fake.write_text('#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n', encoding="utf-8")
    fake.chmod(0o755)
    (bin_dir / "pg_restore").symlink_to(server_backup.find_tool("pg_restore"))
    monkeypatch.setenv(server_backup.PG_BIN_ENV, str(bin_dir))
    with pytest.raises(backup.BackupError, match=r"pg_dump 版本为 9\.6\.24，比数据库服务器"):
        backup.backup_now(desk)
    assert "比数据库服务器" in server_backup.tools_problem()
    assert list(desk.backups.iterdir()) == []


# --- the automatic backups of several desks --------------------------------------------------------

def test_the_daily_backup_is_taken_once_for_the_whole_office(desk, tmp_path):
    from xinfang_desk.core.paths import DataDir
    from xinfang_desk.core.store import backup, server_backup

    _register(1)
    other_desk = DataDir(tmp_path / "desk2").ensure()
    # While one desk takes it, another starting at that moment leaves it.
    with server_backup.daily_turn() as mine:
        assert mine
        assert backup.auto_backup(other_desk) is None
    first = backup.auto_backup(desk)
    assert first is not None and first.path.name.startswith("daily-")
    assert backup.auto_backup(desk) is None  # this desk, again
    assert backup.auto_backup(other_desk) is None  # the server's audit trail says it is done
    assert list(other_desk.backups.iterdir()) == []
    # Closing a desk dumps nothing: the day's backup covers the shared database.
    assert backup.exit_backup(desk) is None and backup.exit_backup(other_desk) is None
    assert [b.reason for b in backup.list_backups(desk.backups)] == ["daily"]


# --- the check -----------------------------------------------------------------------------------

def test_check_on_the_server_reports_schema_audit_and_backup(desk, monkeypatch, tmp_path):
    from xinfang_desk.core.store import backup, check, migrations, server_backup
    from xinfang_desk.core.store.db import database

    _register(2)
    report = check.check_database(desk, today=dt.date.today())
    labels = [line.label for line in report.lines]
    assert labels == ["服务器", "关联记录", "审计保护", "备份工具", "数据结构", "附件文件", "审计日志",
                      "备份"]
    lines = {line.label: line for line in report.lines}
    assert report.ok and "PRAGMA" not in report.text()
    assert lines["服务器"].text.startswith("PostgreSQL ")
    assert "由 PostgreSQL 在每次写入时强制检查" in lines["关联记录"].text
    assert lines["数据结构"].text == f"版本 {migrations.LATEST}，与本程序一致"
    assert "尚无可核对末尾的备份记录" in lines["审计日志"].text
    assert lines["备份"].warning and "还没有任何备份" in lines["备份"].text

    path = backup.backup_now(desk)
    report = check.check_database(desk, today=dt.date.today())
    lines = {line.label: line for line in report.lines}
    assert report.ok and report.warnings == []
    assert f"已与备份 {path.name} 记下的第" in lines["审计日志"].text
    assert path.name in lines["备份"].text
    # Another desk sees the same backup from the server's audit trail, and where it is.
    elsewhere = check.check_database(None, today=dt.date.today())
    line = {line.label: line for line in elsewhere.lines}["备份"]
    assert path.name in line.text and "工作站" in line.text and not line.warning

    database.execute_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    try:
        report = check.check_database(desk, today=dt.date.today())
    finally:
        database.execute_sql("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    assert [line.label for line in report.problems] == ["审计保护"]

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv(server_backup.PG_BIN_ENV, str(empty))
    report = check.check_database(desk, today=dt.date.today())
    tools = {line.label: line for line in report.lines}["备份工具"]
    assert report.ok and tools.warning and "XINFANG_PG_BIN" in tools.text


# --- the command line -----------------------------------------------------------------------------

def test_command_line_backup_check_and_restore_on_the_server(desk, tmp_path):
    from xinfang_desk.core.store import storage

    _register(2)
    storage.close()  # the restore wants the server to itself

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "xinfang_desk", "--data-dir", str(desk.root), "--db-url",
             PG_URL, *args], capture_output=True, text=True, cwd=paths.ROOT, timeout=300,
            encoding="utf-8")

    done = run("backup")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("已备份：") and ".pgdump" in done.stdout and "事项 2 件" in done.stdout
    dump = next(desk.backups.glob("manual-*.pgdump"))
    done = run("check")
    assert done.returncode == 0, done.stderr
    assert "✓ 服务器：PostgreSQL" in done.stdout and "✓ 审计日志" in done.stdout
    assert "✓ 备份：最近一次于" in done.stdout

    storage.open_url(PG_URL)
    _register(1, start=2)
    storage.close()
    done = run("restore", str(dump), "--yes")
    assert done.returncode == 0, done.stderr
    assert "事项 2 件" in done.stdout and "pre-restore-" in done.stdout
    done = run("audit", "verify")
    assert done.returncode == 0 and "哈希链校验通过" in done.stdout
    storage.open_url(PG_URL)
    assert len(_case_nos()) == 2
