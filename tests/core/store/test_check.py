"""“检查数据库”: a sound database passes; edits behind the program's back are named."""

import datetime as dt
import os
import sqlite3
import subprocess
import sys

import pytest

from tests import paths
from tests.core.helpers import intake
from xinfang_desk.core import session
from xinfang_desk.core.cases.records import register_case
from xinfang_desk.core.session import PermissionDenied
from xinfang_desk.core.store import audit, backup, restore, storage
from xinfang_desk.core.store.check import check_database
from xinfang_desk.core.store.models import AuditLog

ROOT = paths.ROOT
TODAY = dt.date(2026, 9, 21)


def _work():
    with session.acting_as(session.Actor("张敏", session.CLERK)):
        audit.record("login", "张敏")
        register_case(intake(), today=TODAY)
        audit.record("printed", "XF2026-000001", {"doc": "receipt"})


def _behind_the_back(store, *statements):
    """Someone with the file and the sqlite3 tool, triggers dropped first."""
    storage.close()
    con = sqlite3.connect(store.database)
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    for sql in statements:
        con.execute(sql)
    con.commit()
    con.close()
    storage.open_data_dir(store.root)


def _line(report, label):
    return next(line for line in report.lines if line.label == label)


def test_a_sound_database_passes_and_the_check_is_audited(store):
    _work()
    backup.backup_now(store)
    report = check_database(store)
    assert report.ok, report.text()
    assert [line.label for line in report.lines] == ["完整性", "关联记录", "数据结构", "附件文件",
                                                     "审计日志", "备份"]
    assert "已与备份 manual-" in _line(report, "审计日志").text
    assert report.text().endswith("检查完毕：数据库完好。")
    row = AuditLog.select().order_by(AuditLog.id.desc()).first()
    assert row.action == "check" and row.success


def test_an_audit_row_edited_behind_the_back_is_named(store):
    _work()
    rows = AuditLog.select().count()
    _behind_the_back(store, "UPDATE audit_log SET actor='李四' WHERE id=2")
    report = check_database(store)
    assert not report.ok
    line = _line(report, "审计日志")
    assert not line.ok and "第 2 条" in line.text and "内容与哈希不符" in line.text
    assert report.summary().startswith("检查完毕：发现 1 项问题")
    last = AuditLog.select().order_by(AuditLog.id.desc()).first()
    assert last.id == rows + 1 and last.action == "check" and not last.success


def test_a_cut_tail_is_found_with_the_head_from_the_last_backup(store):
    _work()
    backup.backup_now(store)  # manifest head: the printed row; then the backup's own row
    n = AuditLog.select().count()
    _behind_the_back(store, f"DELETE FROM audit_log WHERE id >= {n - 1}")
    assert audit.verify().ok  # consistent in itself…
    line = _line(check_database(store), "审计日志")
    assert not line.ok and "末尾记录被删除" in line.text  # …but not with the backup's record


def test_a_restore_is_not_mistaken_for_a_cut_tail(store):
    _work()
    early = backup.backup_now(store)
    audit.record("login", "张敏")
    backup.backup_now(store)  # records a longer head…
    restore.restore(store, early)  # …of a history the restore replaced
    assert check_database(store).ok
    backup.backup_now(store)
    assert check_database(store).ok


def test_a_dangling_reference_and_a_missing_backup_are_reported(store):
    _work()
    storage.close()
    con = sqlite3.connect(store.database)
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("UPDATE case_petitioner SET petitioner_id = 9999")
    con.commit()
    con.close()
    storage.open_data_dir(store.root)
    report = check_database(store)
    fk = _line(report, "关联记录")
    assert not fk.ok and "case_petitioner" in fk.text
    assert _line(report, "备份").warning and "还没有任何备份" in _line(report, "备份").text
    assert [line.label for line in report.problems] == ["关联记录"]


def test_an_old_backup_is_a_finding(store):
    backup.exit_backup(store, now=dt.datetime(2026, 1, 5, 17, 0))
    report = check_database(store, today=dt.date(2026, 3, 1))
    line = _line(report, "备份")
    assert line.warning and "已有 55 天没有备份" in line.text and str(line).startswith("! 备份")
    assert report.ok and report.summary() == "检查完毕：数据库完好。另有 1 项提示。"


def test_only_those_allowed_may_check(store):
    with session.acting_as(session.Actor("张敏", session.CLERK)), \
            pytest.raises(PermissionDenied, match="无权检查数据库"):
        check_database(store)


def run(*args, data_dir):
    return subprocess.run([sys.executable, "-m", "xinfang_desk", "--data-dir", str(data_dir),
                           *args], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          encoding="utf-8", env=dict(os.environ))


def test_cli_check_and_audit_verify(tmp_path):
    store = storage.open_data_dir(tmp_path)
    _work()
    storage.close()
    ok = run("check", data_dir=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "✓ 完整性：通过" in ok.stdout and "检查完毕：数据库完好。" in ok.stdout
    assert "! 备份：还没有任何备份" in ok.stdout
    verified = run("audit", "verify", data_dir=tmp_path)
    assert verified.returncode == 0 and "哈希链校验通过" in verified.stdout

    con = sqlite3.connect(store.database)
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    con.execute("UPDATE audit_log SET details='{}' WHERE id=3")
    con.commit()
    con.close()
    broken = run("audit", "verify", data_dir=tmp_path)
    lines = broken.stderr.strip().splitlines()
    assert broken.returncode == 1 and len(lines) == 1
    assert lines[0].startswith("错误：审计日志被改动") and "第 3 条" in lines[0]
    checked = run("check", data_dir=tmp_path)
    assert checked.returncode == 1 and "✗ 审计日志" in checked.stdout and "第 3 条" in checked.stdout
    assert "发现" in checked.stderr
    usage = run("audit", data_dir=tmp_path)
    assert usage.returncode == 2 and "命令行参数有误" in usage.stderr


def test_integrity_findings_are_shortened_to_one_line():
    rows = ["*** in database main ***\nPage 38: btreeInitPage() returns error code 11\n"
            "On tree page 37 cell 29: Extends off end of page", "Page 41: never used"]
    assert backup.brief_check_result(rows, limit=1) == \
        "Page 38: btreeInitPage() returns error code 11 等共 3 处"
    assert backup.brief_check_result(["ok"]) == "ok"
