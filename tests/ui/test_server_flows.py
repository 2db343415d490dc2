"""The main flows of the window once against the office's server: an intake saved at this
desk appears in the list and on the board, another desk's saves show up without anyone
reloading, an edit made stale by another desk is refused with the other editor named, and the
monthly report is computed there."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QDate  # noqa: E402

from tests.core.helpers import ID_WANG, intake  # noqa: E402
from tests.core.server_db import needs_server, server  # noqa: E402, F401 - the fixture
from xinfang_desk.core import session  # noqa: E402
from xinfang_desk.core.cases.records import register_case  # noqa: E402
from xinfang_desk.core.people import users  # noqa: E402
from xinfang_desk.ui.main_window import build_main_window  # noqa: E402
from xinfang_desk.ui.style import setup_application  # noqa: E402

pytestmark = needs_server
TODAY = dt.date(2026, 10, 9)
WAIT = 20000


@pytest.fixture
def window(qtbot, qapp, server):  # noqa: F811
    setup_application(qapp)
    _choice, data_dir = server
    admin = users.create_user("admin", "admin2026a", session.ADMIN, "管理员")
    with session.acting_as(users.actor_of(admin)):
        users.create_user("zhangmin", "pass2026a", session.CLERK, "张敏")
        users.create_user("zhaolei", "pass2026a", session.CLERK, "赵磊")
    session.set_current(users.actor_of(users.get_user("zhangmin")))
    win = build_main_window(data_dir, today=TODAY, idle_lock_ms=3_600_000)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(win.intake.is_ready, timeout=WAIT)
    yield win
    win.close()
    win.tasks.wait(WAIT)
    win.board_loads.wait(WAIT)


def _board_case_nos(model):
    found = set()
    for section in range(model.rowCount()):
        parent = model.index(section, 0)
        for row in range(model.rowCount(parent)):
            found.add(model.index(row, 0, parent).data())
    return found


def test_intake_list_board_and_report_on_the_server(qtbot, window, server):  # noqa: F811
    choice, _ = server
    assert window.findChild(object, "databaseWhere").text() == f"数据库：服务器 {choice.label}"
    page = window.intake
    page.petitioners.primary.name.setText("王秀英")
    page.petitioners.primary.id_number.setText(ID_WANG)
    page.category.setCurrentText("申诉求决")
    page.summary.setText("反映单位拖欠工资三个月")
    page.request.setPlainText("要求单位支付拖欠的工资")
    page.facts.setPlainText("2026年6月至8月工资未发放")
    page.disposition.setCurrentText("受理")
    page.channel.setCurrentText("来信")
    page.received_on.setDate(QDate(2026, 9, 25))
    with qtbot.waitSignal(page.sig_case_saved, timeout=WAIT) as saved:
        page.save()
    case_no = saved.args[0]
    assert case_no == "XF2026-000001"
    model = window.cases.model
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.index(0, 0).data() == case_no,
                    timeout=WAIT)
    qtbot.waitUntil(lambda: case_no in _board_case_nos(window.followup.model), timeout=WAIT)

    # Another desk saves: it shows up here by the shared refresh, nobody clicks anything.
    with session.acting_as(users.actor_of(users.get_user("zhaolei"))):
        other = register_case(intake(summary="反映小区噪音扰民", received_on=dt.date(2026, 9, 28)),
                              today=TODAY)
    assert window.shared_refresh is not None and window.shared_refresh.isActive()
    window.shared_refresh.timeout.emit()
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=WAIT)
    assert other.case_no in {model.index(r, 0).data() for r in range(2)}
    qtbot.waitUntil(lambda: other.case_no in _board_case_nos(window.followup.model), timeout=WAIT)

    # The report, computed on the server: both September cases counted.
    window.tabs.setCurrentWidget(window.report)
    report = window.report
    report.month.setCurrentIndex(report.month.findData("2026-09"))
    with qtbot.waitSignal(report.sig_report_shown, timeout=WAIT):
        assert report.compute()
    assert report.headline.row_for("受理登记信访事项（件）")[1] == "2"


def test_an_edit_made_stale_by_another_desk_is_refused_naming_them(qtbot, window):
    from xinfang_desk.core.cases.edit import update_case
    from xinfang_desk.ui.cases.edit_dialog import CaseEditDialog

    saved = register_case(intake(), today=TODAY)
    dialog = CaseEditDialog(saved.case_no, window.tasks, parent=window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.editable is not None, timeout=WAIT)
    # Meanwhile 赵磊 corrects the same case at his desk.
    with session.acting_as(users.actor_of(users.get_user("zhaolei"))):
        update_case(saved.case_no, {"summary": "反映单位拖欠工资四个月"}, "来访人更正")
    dialog.editors["facts"].setPlainText("2026年6月至9月工资未发放")
    dialog.reason.setText("补充事实")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)
    shown = dialog.message.text()
    assert "赵磊（zhaolei）" in shown and "您的修改未保存" in shown
    assert dialog.isVisible()  # the form and what was typed stay
    assert dialog.editors["facts"].toPlainText() == "2026年6月至9月工资未发放"


def test_a_dropped_connection_keeps_the_form_and_the_next_save_works(qtbot, window, monkeypatch):
    """The connection dies in the middle of the save (the server restarts): the clerk is told
    in Chinese, the form stays as typed, and clicking 保存 again saves it on a new connection."""
    from playhouse.db_url import connect

    from tests.core.server_db import PG_URL
    from xinfang_desk.core.intake import desk
    from xinfang_desk.core.store.db import CONNECTION_LOST, database

    real = desk.cases.register_case

    def server_restarts_meanwhile(*args, **kwargs):
        (pid,) = database.obj.execute_sql("SELECT pg_backend_pid()").fetchone()
        other = connect(PG_URL)
        other.execute_sql("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        other.close()
        return real(*args, **kwargs)

    monkeypatch.setattr(desk.cases, "register_case", server_restarts_meanwhile)
    page = window.intake
    page.petitioners.primary.name.setText("王秀英")
    page.category.setCurrentText("咨询")
    page.summary.setText("咨询养老保险补缴")
    page.request.setPlainText("询问补缴办法")
    page.disposition.setCurrentText("当场答复")
    page.answer.setPlainText("已告知补缴流程和所需材料")
    alerts = []
    monkeypatch.setattr(page, "_alert", lambda title, text: alerts.append((title, text)))
    page.save()
    qtbot.waitUntil(lambda: not page._saving, timeout=WAIT)
    assert alerts == [("无法保存", CONNECTION_LOST)]
    assert page.summary.text() == "咨询养老保险补缴"  # nothing typed is lost
    monkeypatch.setattr(desk.cases, "register_case", real)  # the server is back
    with qtbot.waitSignal(page.sig_case_saved, timeout=WAIT) as saved:
        page.save()  # the clerk clicks again: a new connection
    assert saved.args[0] == "XF2026-000001"  # the failed try left nothing behind
