"""The CLI's acting user: SYSTEM before accounts exist, afterwards the user named by --user or
XINFANG_USER with XINFANG_PASSWORD (or a password typed at a terminal)."""

import datetime as dt
import io
import json

import pytest

from tests.core.helpers import intake
from tests.core.people.test_access import PASSWORD, accusation, make_office
from xinfang_desk.cli import identity as cli_identity
from xinfang_desk.cli import main as cli
from xinfang_desk.core.cases.records import record_event, register_case
from xinfang_desk.core.people.users import BAD_LOGIN
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store import storage
from xinfang_desk.core.store.models import AuditLog

TODAY = dt.date(2026, 10, 20)


@pytest.fixture(autouse=True)
def _no_identity_env(monkeypatch):
    for var in (cli_identity.USER_ENV, cli_identity.PASSWORD_ENV):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def office_dir(tmp_path):
    """A data directory with a confidential case of 张敏, a plain one, and the accounts."""
    root = tmp_path / "data"
    storage.open_data_dir(root)
    secret = register_case(accusation(clerk="张敏"), today=TODAY).case_no
    plain = register_case(intake(received_on=dt.date(2026, 9, 2)), today=TODAY).case_no
    record_event(plain, EventData("extended", dt.date(2026, 10, 1), days=10, reason="需调查"))
    make_office()
    storage.close()
    return root, secret, plain


def main(root, *args) -> int:
    try:
        return cli.main(["--data-dir", str(root), *args])
    finally:
        storage.close()


def audit_rows(root, action):
    storage.open_data_dir(root)
    try:
        return [(r.actor, json.loads(r.details) if r.details else {})
                for r in AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id)]
    finally:
        storage.close()


def test_no_accounts_runs_as_system(tmp_path, capsys):
    storage.open_data_dir(tmp_path)
    register_case(intake(), today=TODAY)
    storage.close()
    assert main(tmp_path, "search", "拖欠工资") == 0
    assert "共 1 件" in capsys.readouterr().err


def test_accounts_exist_but_no_user_named(office_dir, capsys):
    root, _secret, _plain = office_dir
    assert main(root, "search", "拖欠") == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：已设置用户账户，请用 --user 或环境变量 XINFANG_USER 指明操作人")


def test_named_user_acts_and_sees_only_their_cases(office_dir, capsys, monkeypatch):
    root, secret, plain = office_dir
    monkeypatch.setenv("XINFANG_PASSWORD", PASSWORD)
    assert main(root, "--user", "王芳", "search", "侵占集体土地") == 0
    assert secret not in capsys.readouterr().out
    monkeypatch.setenv("XINFANG_USER", "张敏")
    assert main(root, "search", "侵占集体土地") == 0
    assert secret in capsys.readouterr().out
    assert [a for a, _d in audit_rows(root, "login")] == ["王芳", "张敏"]


def test_wrong_password_is_refused_and_audited(office_dir, capsys, monkeypatch):
    root, _secret, _plain = office_dir
    monkeypatch.setenv("XINFANG_PASSWORD", "wrong999")
    assert main(root, "--user", "张敏", "search", "拖欠") == 1
    assert BAD_LOGIN in capsys.readouterr().err
    assert [a for a, _d in audit_rows(root, "login_failed")] == ["张敏"]


def test_password_asked_only_at_a_terminal(office_dir, capsys, monkeypatch):
    root, _secret, _plain = office_dir
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(root, "--user", "张敏", "search", "拖欠") == 1
    assert "XINFANG_PASSWORD" in capsys.readouterr().err

    class Tty(io.StringIO):
        def isatty(self):
            return True

    asked = []
    monkeypatch.setattr("sys.stdin", Tty(""))
    monkeypatch.setattr(cli_identity.getpass, "getpass", lambda prompt: asked.append(prompt) or PASSWORD)
    assert main(root, "--user", "张敏", "search", "拖欠") == 0
    assert asked and "张敏" in asked[0]


def test_commands_are_audited_under_the_user(office_dir, capsys, monkeypatch, tmp_path):
    root, _secret, plain = office_dir
    monkeypatch.setenv("XINFANG_PASSWORD", PASSWORD)
    out = tmp_path / "r.pdf"
    assert main(root, "--user", "张敏", "print", plain, "--doc", "receipt", "--out", str(out),
                "--on", "2026-10-20") == 0
    extend = tmp_path / "e.pdf"
    assert main(root, "--user", "张敏", "print", plain, "--doc", "extend", "--out", str(extend)) == 1
    assert "延期须经负责人审批" in capsys.readouterr().err and not extend.exists()
    assert main(root, "--user", "李主任", "print", plain, "--doc", "extend", "--out",
                str(extend), "--on", "2026-10-20") == 0
    assert main(root, "--user", "张敏", "export", "--out", str(tmp_path / "a.jsonl")) == 1
    assert "负责人" in capsys.readouterr().err
    assert main(root, "--user", "张敏", "export", "--masked", "--out", str(tmp_path / "a.jsonl")) == 0
    assert main(root, "--user", "张敏", "report", "--month", "2026-09") == 0
    assert main(root, "--user", "张敏", "report", "--month", "2026-09", "--xlsx",
                str(tmp_path / "r.xlsx"), "--unmasked") == 1
    assert not (tmp_path / "r.xlsx").exists()
    printed = audit_rows(root, "printed")
    assert [(a, d["doc"], d.get("approver", "")) for a, d in printed] == [
        ("张敏", "receipt", ""), ("李主任", "extend", "李主任")]
    assert [(a, d["masked"]) for a, d in audit_rows(root, "exported")] == [("张敏", True)]
    assert [(a, d["outputs"]) for a, d in audit_rows(root, "report")] == [("张敏", ["screen"])]
    assert main(root, "--user", "管理员", "search", "拖欠") == 0  # admins may read plain cases
