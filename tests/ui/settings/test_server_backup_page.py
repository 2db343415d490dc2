"""设置 › 数据安全 on a shared server (PostgreSQL): the page says it is the server, back up now
writes a pg_dump archive, a restore brings the data back, the check shows the server's lines,
and on a PC without pg_dump the page says so instead of offering buttons that cannot work.

Runs when XINFANG_TEST_PG_URL names an empty database this test may wipe; skipped otherwise.
"""

import datetime as dt
import os

import pytest

pytest.importorskip("PySide6")

from tests.core.helpers import intake  # noqa: E402
from tests.ui import helpers  # noqa: E402
from tests.ui.settings.test_backup import WAIT, act, answer, backup_now, click, rows  # noqa: E402
from xinfang_desk.core import session  # noqa: E402
from xinfang_desk.core.cases.records import count_cases, register_case  # noqa: E402
from xinfang_desk.core.paths import DataDir  # noqa: E402
from xinfang_desk.core.people import users  # noqa: E402
from xinfang_desk.core.store import server_backup, storage  # noqa: E402
from xinfang_desk.core.store.models import AuditLog  # noqa: E402
from xinfang_desk.ui.settings.backup import BackupPage  # noqa: E402
from xinfang_desk.ui.style import setup_application  # noqa: E402

PG_URL = os.environ.get("XINFANG_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="XINFANG_TEST_PG_URL not set (no PostgreSQL)")
TODAY = dt.date(2026, 10, 9)


def register(n: int, start: int = 0) -> list[str]:
    with session.acting_as(session.SYSTEM):
        return [register_case(intake(summary=f"反映第{start + i + 1}件事"), today=TODAY).case_no
                for i in range(n)]


@pytest.fixture
def store(tmp_path, qapp, monkeypatch):
    pytest.importorskip("psycopg")
    from playhouse.db_url import connect

    monkeypatch.delenv(server_backup.PG_BIN_ENV, raising=False)
    if server_backup.find_tool("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    setup_application(qapp)
    raw = connect(PG_URL)
    raw.execute_sql("DROP SCHEMA public CASCADE")
    raw.execute_sql("CREATE SCHEMA public")
    raw.close()
    storage.open_url(PG_URL)
    register(2)
    users.create_user("admin", "admin2026", session.ADMIN, "王建国")
    session.set_current(users.actor_of(users.get_user("admin")))
    yield DataDir(tmp_path / "desk").ensure()
    storage.close()


tasks = helpers.store_tasks  # waited on before the store closes


def make_page(qtbot, store, tasks):
    page = BackupPage(tasks, store, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    with qtbot.waitSignal(page.sig_verified, timeout=WAIT):
        page.refresh()
    return page


def test_backup_restore_and_check_on_the_server(qtbot, store, tasks):
    page = make_page(qtbot, store, tasks)
    assert page.intro.text().startswith("服务器数据库 ") and "pg_dump" in page.intro.text()
    assert not page.tools_label.isVisible() and page.backup_button.isEnabled()

    text = backup_now(qtbot, page)
    assert text.startswith("已备份：manual-") and "事项 2 件" in text
    [row] = rows(page)
    assert row[6].endswith(".pgdump") and row[5] == "完好"

    register(1, start=2)
    page.table.selectRow(0)
    click(qtbot, page.restore_button)
    box = page.confirm_box
    assert "pg_dump 另存" in box.text() and "其他工作站须先退出" in box.text()
    with qtbot.waitSignal(page.sig_finished, timeout=WAIT * 4) as blocker:
        answer(qtbot, box, "恢复")
    ok, text = blocker.args
    assert ok, text
    assert count_cases() == 2 and "pre-restore-" in text
    assert list(store.backups.glob("pre-restore-*.pgdump"))
    last = AuditLog.select().order_by(AuditLog.id.desc()).first()
    assert last.action == "restore" and last.actor == "admin"
    answer(qtbot, page.result_box, "确定")

    ok, text = act(qtbot, page, page.check_button)
    assert ok, page.output.toPlainText()
    output = page.output.toPlainText()
    for label in ("✓ 服务器：PostgreSQL", "✓ 关联记录", "✓ 审计保护", "✓ 备份工具", "✓ 数据结构",
                  "✓ 审计日志", "✓ 备份"):
        assert label in output
    assert "完整性" not in output  # no SQLite PRAGMA on a server


def test_without_pg_dump_the_page_says_so(qtbot, store, tasks, tmp_path, monkeypatch):
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv(server_backup.PG_BIN_ENV, str(empty))
    page = make_page(qtbot, store, tasks)
    assert page.tools_label.isVisible()
    assert "中没有 pg_dump" in page.tools_label.text() and "XINFANG_PG_BIN" in page.tools_label.text()
    for button in (page.backup_button, page.backup_to_button, page.restore_file_button,
                   page.restore_button):
        assert not button.isEnabled()
    # The check still works, and says the same.
    ok, _text = act(qtbot, page, page.check_button)
    assert ok and "! 备份工具：" in page.output.toPlainText()
    assert not page.backup_button.isEnabled()  # still, after the busy bar went
