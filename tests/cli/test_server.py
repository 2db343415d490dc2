"""The server from the command line: `server init` prepares an empty database once, `--db-url`
runs any command there, `migrate-to` moves a desk's history over; errors in one Chinese line."""

import os
import subprocess
import sys

import pytest

from tests import paths
from tests.core.server_db import PG_URL, needs_server, wipe

pytestmark = needs_server


def run(*args, data_dir, env=None):
    cmd = [sys.executable, "-m", "xinfang_desk", "--data-dir", str(data_dir), *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=paths.ROOT, timeout=300,
                          encoding="utf-8", env={**os.environ, **(env or {})})


@pytest.fixture
def empty_server():
    pytest.importorskip("psycopg")
    wipe()
    return PG_URL


def test_server_init_once_then_commands_run_there(empty_server, tmp_path):
    desk = tmp_path / "desk"
    first = run("--db-url", empty_server, "server", "init", "--admin", "admin",
                "--admin-name", "王建国", data_dir=desk,
                env={"XINFANG_ADMIN_PASSWORD": "admin2026a"})
    assert first.returncode == 0, first.stderr
    assert "已初始化" in first.stdout and "首个管理员 admin" in first.stdout
    again = run("--db-url", empty_server, "server", "init", data_dir=desk,
                env={"XINFANG_ADMIN_PASSWORD": "admin2026a"})
    assert again.returncode == 1 and "该数据库不是空的，未作任何改动" in again.stderr
    status = run("server", "status", data_dir=desk, env={"XINFANG_DB_URL": empty_server})
    assert status.returncode == 0 and "数据结构版本" in status.stdout
    check = run("--db-url", empty_server, "--user", "admin", "audit", "verify", data_dir=desk,
                env={"XINFANG_PASSWORD": "admin2026a"})
    assert check.returncode == 0 and "哈希链校验通过" in check.stdout
    assert not (desk / "xinfang.sqlite3").exists()  # the desk's own file was never made


def test_a_weak_admin_password_writes_nothing(empty_server, tmp_path):
    result = run("--db-url", empty_server, "server", "init", data_dir=tmp_path / "desk",
                 env={"XINFANG_ADMIN_PASSWORD": "short"})
    assert result.returncode == 1 and "密码" in result.stderr
    status = run("--db-url", empty_server, "server", "status", data_dir=tmp_path / "desk")
    assert "空数据库" in status.stdout


def test_wrong_password_and_unreachable_server_in_chinese(empty_server, tmp_path):
    from xinfang_desk.core.store.server import ServerChoice

    choice = ServerChoice.from_url(empty_server)
    wrong = choice.with_password("not-the-password").url()
    result = run("--db-url", wrong, "search", "工资", data_dir=tmp_path / "desk")
    assert result.returncode == 1
    assert result.stderr.startswith("错误：数据库服务器拒绝登录：用户名或密码不正确。")
    nowhere = ServerChoice(choice.host, choice.database, choice.user, port=1,
                           password=choice.password).url()
    result = run("--db-url", nowhere, "search", "工资", data_dir=tmp_path / "desk")
    assert result.returncode == 1 and "无法连接数据库服务器" in result.stderr
    result = run("--db-url", "mysql://x@y/z", "search", "工资", data_dir=tmp_path / "desk")
    assert result.returncode == 1 and "postgresql://" in result.stderr


def test_migrate_to_moves_a_desk_and_says_it_checked(empty_server, tmp_path):
    desk = tmp_path / "desk"
    assert run("demo", "--cases", "120", data_dir=desk).returncode == 0
    moved = run("migrate-to", empty_server, data_dir=desk)
    assert moved.returncode == 0, moved.stderr
    assert "事项 120 件 → 120 件" in moved.stdout and "迁移完成，核对通过。" in moved.stdout
    found = run("--db-url", empty_server, "search", "工资", "--json", data_dir=tmp_path / "other")
    local = run("search", "工资", "--json", data_dir=desk)
    assert found.returncode == 0 and found.stdout == local.stdout
    twice = run("migrate-to", empty_server, data_dir=desk)
    assert twice.returncode == 1 and "已有数据" in twice.stderr
