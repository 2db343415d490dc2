"""跟踪督办 page: overdue matters are listed, feedback recorded here takes them off the board."""

import datetime as dt
import gc

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QDialogButtonBox  # noqa: E402

from tests.core.helpers import intake  # noqa: E402
from xinfang_desk.core.cases.followup import followup_board  # noqa: E402
from xinfang_desk.core.cases.records import events_of, get_case, record_event, register_case  # noqa: E402
from xinfang_desk.core.rules.workflow import EventData  # noqa: E402
from xinfang_desk.ui.followup.model import FollowupModel, ItemRole  # noqa: E402
from xinfang_desk.ui.followup.page import FollowupPage, NoteDialog  # noqa: E402
from xinfang_desk.ui.widgets.tasks import TaskRunner  # noqa: E402

TODAY = dt.date(2026, 10, 20)
UNIT = "住房和城乡建设局"


@pytest.fixture
def tasks(qapp):
    runner = TaskRunner(qapp)  # a parent on the GUI thread: never destroyed from a worker
    yield runner
    runner.wait(10000)
    runner.deleteLater()
    gc.collect()  # here, on the GUI thread, not later during a worker's allocation


def forwarded(feedback_due: dt.date, summary="小区电梯长期停运") -> str:
    saved = register_case(intake(received_on=dt.date(2026, 9, 1), disposition="转送", unit=UNIT,
                                 summary=summary), today=TODAY)
    record_event(saved.case_no, EventData("forwarded", dt.date(2026, 9, 2), unit=UNIT,
                                          deadline=feedback_due))
    return saved.case_no


def section_rows(page, key):
    model = page.model
    parent = model.section_index(key)
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


def make_page(qtbot, tasks):
    page = FollowupPage(tasks, today=TODAY)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.sig_loaded, timeout=10000):
        page.refresh()
    return page


def test_overdue_feedback_listed_and_recorded_here(qtbot, store, tasks):
    late = forwarded(dt.date(2026, 10, 10))
    soon = forwarded(dt.date(2026, 10, 22), summary="噪音扰民")
    page = make_page(qtbot, tasks)
    assert page.objectName() == "followupPage"
    assert section_rows(page, "overdue") == [late]
    assert section_rows(page, "soon") == [soon]
    overdue = page.model.section_index("overdue")
    assert overdue.data() == "已超期（1）"
    assert page.model.index(0, 3, overdue).data() == "超期10天"
    assert page.model.index(0, 3, overdue).data(ItemRole).unit == UNIT
    assert "已超期 1 项" in page.summary.text()

    assert page.select_case(late)
    assert page.feedback_button.isEnabled() and page.chase_button.isEnabled()
    with qtbot.waitSignal(page.sig_case_changed, timeout=10000) as changed, \
            qtbot.waitSignal(page.sig_loaded, timeout=10000):
        page.feedback_selected(note="电梯已修复，已向信访人说明")
    assert changed.args == [late]
    assert section_rows(page, "overdue") == []
    assert section_rows(page, "soon") == [soon]
    assert [e.type for e in events_of(get_case(late))][-1] == "feedback"
    assert "已记录承办单位反馈" in page.message.text()


def test_chase_is_recorded_and_the_row_stays(qtbot, store, tasks):
    late = forwarded(dt.date(2026, 10, 10))
    page = make_page(qtbot, tasks)
    page.select_case(late)
    with qtbot.waitSignal(page.sig_loaded, timeout=10000):
        page.chase_selected(note="电话催办")
    last = events_of(get_case(late))[-1]
    assert (last.type, last.note, last.on) == ("chased", "电话催办", TODAY)
    assert section_rows(page, "overdue") == [late]
    assert page.selected_item().case_no == late  # selection kept across the refresh


def test_dialog_answer_is_recorded_with_its_date(qtbot, store, tasks, monkeypatch):
    late = forwarded(dt.date(2026, 10, 10))
    page = make_page(qtbot, tasks)
    page.select_case(late)
    asked = []

    def fake_ask(title, item, prompt, required):
        asked.append((title, item.case_no, required))
        return "单位书面反馈已办结", dt.date(2026, 10, 16)

    monkeypatch.setattr(page, "_ask_note", fake_ask)
    with qtbot.waitSignal(page.sig_loaded, timeout=10000):
        page.feedback_button.click()
    assert asked == [("记录承办单位反馈", late, True)]
    last = events_of(get_case(late))[-1]
    assert (last.type, last.on, last.note) == ("feedback", dt.date(2026, 10, 16), "单位书面反馈已办结")


def test_a_refused_action_is_shown_beside_the_buttons(qtbot, store, tasks):
    late = forwarded(dt.date(2026, 10, 10))
    page = make_page(qtbot, tasks)
    page.select_case(late)
    page.chase_selected(note="x", on=dt.date(2026, 8, 1))  # before the case was received
    qtbot.waitUntil(lambda: "未能保存" in page.message.text(), timeout=10000)
    assert "早于收到日期" in page.message.text()
    assert events_of(get_case(late))[-1].type == "forwarded"


def test_feedback_disabled_for_a_case_handled_here(qtbot, store, tasks):
    saved = register_case(intake(received_on=dt.date(2026, 8, 20)), today=TODAY)
    record_event(saved.case_no, EventData("notified", dt.date(2026, 8, 21)))
    page = make_page(qtbot, tasks)
    page.select_case(saved.case_no)
    assert page.chase_button.isEnabled()
    assert not page.feedback_button.isEnabled()
    assert "尚未转送" in page.feedback_button.toolTip()


def test_kind_filter(qtbot, store, tasks):
    late = forwarded(dt.date(2026, 10, 10))
    handled = register_case(intake(received_on=dt.date(2026, 8, 20)), today=TODAY).case_no
    record_event(handled, EventData("notified", dt.date(2026, 8, 21)))
    page = make_page(qtbot, tasks)
    assert sorted(section_rows(page, "overdue")) == sorted([late, handled])
    page.kind_filter.setCurrentText("承办单位反馈")
    assert section_rows(page, "overdue") == [late]
    page.kind_filter.setCurrentText("办理")
    assert section_rows(page, "overdue") == [handled]
    page.kind_filter.setCurrentText("全部期限")
    assert len(section_rows(page, "overdue")) == 2


def test_reminder_after_first_load_only(qtbot, store, tasks):
    forwarded(dt.date(2026, 10, 10))
    forwarded(dt.date(2026, 10, 11))
    forwarded(dt.date(2026, 10, 22))
    page = FollowupPage(tasks, today=TODAY)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.sig_reminder, timeout=10000) as reminder:
        page.refresh()
    assert reminder.args == ["有2项已超期、1项3日内到期，请在“跟踪督办”中处理"]
    with qtbot.assertNotEmitted(page.sig_reminder), \
            qtbot.waitSignal(page.sig_loaded, timeout=10000):
        page.refresh()


def test_open_case_request(qtbot, store, tasks):
    late = forwarded(dt.date(2026, 10, 10))
    page = make_page(qtbot, tasks)
    page.select_case(late)
    with qtbot.waitSignal(page.sig_open_case_requested) as opened:
        page.open_button.click()
    assert opened.args == [late]


def test_feedback_dialog_requires_text(qtbot, store):
    forwarded(dt.date(2026, 10, 10))
    item = followup_board(today=TODAY).items[0]
    dialog = NoteDialog("记录承办单位反馈", item, "办理情况", required=True, today=TODAY)
    qtbot.addWidget(dialog)
    assert dialog.date() == TODAY
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.note.setPlainText("已办结")
    assert ok.isEnabled() and dialog.text() == "已办结"


def test_model_passes_qt_model_checks(qtmodeltester, store):
    forwarded(dt.date(2026, 10, 10))
    forwarded(dt.date(2026, 10, 22))
    forwarded(dt.date(2026, 10, 26))
    model = FollowupModel()
    model.set_board(followup_board(today=TODAY))
    assert [model.rowCount(model.index(r, 0)) for r in range(3)] == [1, 1, 1]
    qtmodeltester.check(model)
    model.set_group("办理")
    qtmodeltester.check(model)
