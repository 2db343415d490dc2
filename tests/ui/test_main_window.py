"""The main window wires the pages: a saved intake reaches the list and the board."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QTabWidget  # noqa: E402

from tests.core.helpers import ID_WANG, intake  # noqa: E402
from tests.ui import helpers  # noqa: E402
from xinfang_desk.core.cases.records import register_case  # noqa: E402
from xinfang_desk.ui.main_window import build_main_window  # noqa: E402

TODAY = dt.date(2026, 10, 9)
WAIT = 10000


data_dir = helpers.styled_store


def make_window(qtbot, data_dir):
    window = build_main_window(data_dir, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(window.intake.is_ready, timeout=WAIT)
    return window


def close(window):
    window.close()
    window.tasks.wait(WAIT)


def test_tabs_and_names(qtbot, data_dir):
    window = make_window(qtbot, data_dir)
    tabs = window.findChild(QTabWidget, "mainTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "接待登记", "案件列表", "跟踪督办", "答复口径", "统计报表", "设置"]
    for name in ("intakePage", "casesPage", "followupPage", "answersPage", "reportPage",
                 "settingsPage",
                 "caseTable", "searchBox", "saveButton", "historyPanel", "petitionerName", "idNumber"):
        assert window.findChild(object, name) is not None, name
    assert "信访接待台" in window.windowTitle()
    close(window)


def test_saved_intake_appears_in_the_list_and_on_the_board(qtbot, data_dir):
    window = make_window(qtbot, data_dir)
    page = window.intake
    page.petitioners.primary.name.setText("王秀英")
    page.petitioners.primary.id_number.setText(ID_WANG)
    page.category.setCurrentText("申诉求决")
    page.summary.setText("反映单位拖欠工资三个月")
    page.request.setPlainText("要求单位支付拖欠的工资")
    page.facts.setPlainText("2026年6月至8月工资未发放")
    page.disposition.setCurrentText("受理")
    # A letter received 2026-09-25: its 15-day notice falls due 2026-10-10, tomorrow.
    from PySide6.QtCore import QDate

    page.channel.setCurrentText("来信")
    page.received_on.setDate(QDate(2026, 9, 25))
    with qtbot.waitSignal(page.sig_case_saved, timeout=WAIT) as saved:
        page.save()
    case_no = saved.args[0]
    assert case_no == "XF2026-000001"
    model = window.cases.model
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.index(0, 0).data() == case_no,
                    timeout=WAIT)
    board = window.followup.model
    qtbot.waitUntil(lambda: case_no in _board_case_nos(board), timeout=WAIT)
    close(window)


def _board_case_nos(model):
    found = set()
    for section in range(model.rowCount()):
        parent = model.index(section, 0)
        for row in range(model.rowCount(parent)):
            found.add(model.index(row, 0, parent).data())
    return found


def test_reminder_and_opening_a_case(qtbot, data_dir):
    saved = register_case(intake(received_on=dt.date(2026, 9, 20)), today=TODAY)  # notice overdue
    window = make_window(qtbot, data_dir)
    qtbot.waitUntil(lambda: "已超期" in window.statusBar().currentMessage(), timeout=WAIT)
    window.open_case(saved.case_no)
    dialog = window._details[saved.case_no]
    assert dialog.isVisible() and dialog.objectName() == "caseDetailDialog"
    dialog.close()
    close(window)


def test_window_size_and_column_widths_persist(qtbot, data_dir):
    window = make_window(qtbot, data_dir)
    # The offscreen screen is 800 px wide and the window's minimum is wider, so only the
    # height can show the restore here; Qt keeps restored windows on the screen.
    window.resize(window.minimumWidth(), 560)
    window.cases.table.setColumnWidth(0, 173)
    close(window)
    again = make_window(qtbot, data_dir)
    assert abs(again.height() - 560) <= 5  # the offscreen platform's frame margins
    assert again.cases.table.columnWidth(0) == 173
    assert (data_dir.root / "ui.ini").exists()
    close(again)


def test_the_case_list_does_not_wait_for_the_follow_up_board(qtbot, data_dir, monkeypatch):
    """The board's load (about a second on a large history) runs on a lane of its own: a
    search typed meanwhile is answered at once, and the board still fills afterwards."""
    import threading

    from xinfang_desk.core.cases import followup

    for i in range(3):
        register_case(intake(summary=f"反映第{i + 1}件供暖问题"), today=TODAY)
    go = threading.Event()
    real = followup.followup_board

    order = []

    def slow_board(**kw):
        order.append("board")
        assert go.wait(WAIT / 1000)
        return real(**kw)

    monkeypatch.setattr(followup, "followup_board", slow_board)
    window = build_main_window(data_dir, today=TODAY)
    window.cases.model.sig_loaded.connect(lambda _n: order.append("list"))
    qtbot.addWidget(window)
    window.show()
    # The board's worker appends "board" on its own thread, a moment after _loading is set.
    qtbot.waitUntil(lambda: "board" in order, timeout=WAIT)  # then held
    assert order == ["list", "board"]  # the first screen first, the board a moment later
    window.cases.search_box.setText("第2件")  # searched after a pause
    qtbot.waitUntil(lambda: window.cases.model.rowCount() == 1, timeout=WAIT)
    assert window.followup._loading  # the board is still loading
    go.set()
    qtbot.waitUntil(lambda: not window.followup._loading, timeout=WAIT)
    assert window.followup.model.rowCount() == 3
    close(window)
