"""`xinfang-desk purge`: the administrator lists the closed cases past the retention period,
confirms at a terminal (or with --yes), and they are deleted or anonymised; without a
terminal and without --yes nothing happens."""

import datetime as dt
import io

import pytest

from tests.core.helpers import intake
from tests.core.people.test_access import PASSWORD, make_office
from xinfang_desk.cli import identity as cli_identity
from xinfang_desk.cli import main as cli
from xinfang_desk.core.cases.records import register_case
from xinfang_desk.core.cases.retention import ANONYMISED
from xinfang_desk.core.store import storage
from xinfang_desk.core.store.models import AuditLog, Case

OLD = dt.date(2019, 3, 4)  # closed the same day: long past any retention period


class Tty(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture(autouse=True)
def _admin_env(monkeypatch):
    monkeypatch.setenv(cli_identity.USER_ENV, "管理员")
    monkeypatch.setenv(cli_identity.PASSWORD_ENV, PASSWORD)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal unless a test says so


@pytest.fixture
def office(tmp_path):
    """Two old cases answered on the spot, one open case, and the office's accounts."""
    root = tmp_path / "data"
    storage.open_data_dir(root)
    old = [register_case(intake(received_on=OLD, disposition="当场答复", category="咨询",
                                summary=f"咨询养老保险补缴政策{i}", request="了解补缴办法",
                                facts="", answer_given="已告知补缴流程"), today=OLD).case_no
           for i in range(2)]
    recent = register_case(intake(received_on=dt.date.today()), today=dt.date.today()).case_no
    make_office()
    storage.close()
    return root, old, recent


def main(root, *args) -> int:
    try:
        return cli.main(["--data-dir", str(root), *args])
    finally:
        storage.close()


def state(root):
    storage.open_data_dir(root)
    try:
        cases = {c.case_no: c.summary for c in Case.select()}
        purges = AuditLog.select().where(AuditLog.action == "purge").count()
        return cases, purges
    finally:
        storage.close()


def test_list_shows_the_due_cases_and_changes_nothing(office, capsys):
    root, old, recent = office
    before = state(root)
    assert main(root, "purge", "--list") == 0
    out = capsys.readouterr().out
    assert "保存年限 5 年" in out and "共 2 件" in out
    assert all(no in out for no in old) and recent not in out
    assert "2019-03-04" in out
    assert state(root) == before and len(before[0]) == 3 and before[1] == 0


def test_without_a_terminal_and_without_yes_it_refuses(office, capsys):
    root, old, _recent = office
    assert main(root, "purge") == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：清理会删除以上 2 件事项，不可撤销。确认无误后请加 --yes 再运行。")
    cases, purges = state(root)
    assert set(old) <= set(cases) and purges == 0


def test_asked_at_a_terminal_no_keeps_everything_yes_deletes(office, capsys, monkeypatch):
    root, old, recent = office
    monkeypatch.setattr("sys.stdin", Tty(""))
    answers = iter(["n", "y"])
    prompts = []
    monkeypatch.setattr("builtins.input", lambda p: prompts.append(p) or next(answers))
    assert main(root, "purge") == 1
    assert "已取消，数据未作改动。" in capsys.readouterr().out
    assert "将删除以上 2 件事项" in prompts[0] and "不可撤销" in prompts[0]
    assert set(old) <= set(state(root)[0])

    assert main(root, "purge") == 0
    assert "已删除2件办结于" in capsys.readouterr().out
    cases, purges = state(root)
    assert list(cases) == [recent] and purges == 1


def test_anonymise_with_yes_keeps_the_cases_without_their_text(office, capsys):
    root, old, recent = office
    assert main(root, "purge", "--mode", "anonymise", "--yes") == 0
    assert "已匿名化2件" in capsys.readouterr().out
    cases, purges = state(root)
    assert all(cases[no] == ANONYMISED for no in old) and cases[recent] != ANONYMISED
    assert purges == 1
    assert main(root, "purge", "--yes") == 0  # anonymised cases stay closed: due again
    assert "已删除2件" in capsys.readouterr().out


def test_only_the_administrator_may_purge(office, capsys, monkeypatch):
    root, old, _recent = office
    monkeypatch.setenv(cli_identity.USER_ENV, "张敏")
    assert main(root, "purge", "--yes") == 1
    assert "无权清理过期数据" in capsys.readouterr().err
    assert set(old) <= set(state(root)[0])


def test_nothing_due(tmp_path, capsys):
    storage.open_data_dir(tmp_path)
    register_case(intake(), today=dt.date.today())
    storage.close()
    assert main(tmp_path, "purge", "--yes") == 0  # no accounts yet: SYSTEM
    assert "没有需要清理的事项" in capsys.readouterr().out
