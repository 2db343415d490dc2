"""The case detail window: record, timeline, deadlines, action buttons and their forms."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from tests.core.helpers import intake  # noqa: E402
from xinfang_desk.core.cases.records import record_event, register_case  # noqa: E402
from xinfang_desk.core.rules.workflow import EventData  # noqa: E402
from xinfang_desk.ui.cases.detail_dialog import CaseDetailDialog  # noqa: E402
from xinfang_desk.ui.style import setup_application  # noqa: E402

TODAY = dt.date(2026, 10, 9)
UNIT = "人力资源和社会保障局"


@pytest.fixture
def forwarded(store):
    saved = register_case(intake(disposition="转送", unit=UNIT), today=TODAY)
    record_event(saved.case_no, EventData(type="forwarded", on=dt.date(2026, 9, 22), unit=UNIT,
                                          ref="劳转〔2026〕3号", deadline=dt.date(2026, 10, 15)))
    return saved.case_no


def open_dialog(qtbot, tasks, case_no):
    dialog = CaseDetailDialog(case_no, tasks, today=TODAY)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.sig_loaded, timeout=10000):
        dialog.show()
    return dialog


def timeline(dialog):
    t = dialog.timeline_table
    return [f"{t.item(r, 0).text()} {t.item(r, 1).text()}" for r in range(t.rowCount())]


def record_through(qtbot, dialog, form):
    with qtbot.waitSignal(dialog.sig_case_changed, timeout=10000) as changed, \
            qtbot.waitSignal(dialog.sig_loaded, timeout=10000):
        form.ok_button.click()
    return changed


def test_forwarded_case_detail(qtbot, qapp, tasks, forwarded, tmp_path):
    setup_application(qapp)
    dialog = open_dialog(qtbot, tasks, forwarded)
    assert dialog.objectName() == "caseDetailDialog"
    assert forwarded in dialog.title.text() and "已转送/交办" in dialog.title.text()
    buttons = dialog.action_buttons
    assert buttons["replied"].isEnabled()
    assert buttons["feedback"].isEnabled()
    assert not buttons["closed"].isEnabled()
    assert "尚未答复，不能办结" in buttons["closed"].toolTip()
    assert not buttons["accept"].isEnabled() and "不能受理" in buttons["accept"].toolTip()
    assert buttons["replied"].toolTip() == ""
    assert timeline(dialog)[1] == "2026-09-22 转送 人力资源和社会保障局（劳转〔2026〕3号），反馈期限2026-10-15"
    d = dialog.deadline_table
    assert (d.item(0, 0).text(), d.item(0, 1).text(), d.item(0, 2).text()) == \
        ("承办单位反馈", "2026-10-15", "6天")
    p = dialog.petitioner_table
    assert p.item(0, 0).text() == "王秀英" and p.item(0, 1).text() == "110105********002X"
    assert p.item(0, 4).text() == "138****1234"
    dialog.grab().save(str(tmp_path / "detail.png"))


def test_record_feedback_through_the_form(qtbot, tasks, forwarded):
    dialog = open_dialog(qtbot, tasks, forwarded)
    form = dialog.open_action("feedback")
    assert form.isVisible()
    form.date_edit.setDate(dt.date(2026, 10, 8))
    form.note_edit.setPlainText("单位已补发工资")
    changed = record_through(qtbot, dialog, form)
    assert changed.args == [forwarded]
    assert not form.isVisible()
    assert timeline(dialog)[-1] == "2026-10-08 承办单位反馈：单位已补发工资"
    # the feedback deadline no longer runs
    assert dialog.deadline_table.rowCount() == 1
    assert dialog.deadline_table.item(0, 0).text() == "（目前没有正在计算的期限）"


def test_feedback_needs_its_content(qtbot, tasks, forwarded):
    dialog = open_dialog(qtbot, tasks, forwarded)
    form = dialog.open_action("feedback")
    form.ok_button.click()
    assert form.isVisible() and form.error_label.text() == "请填写承办单位反馈的内容"


def test_extension_beyond_the_remaining_days_is_refused(qtbot, tasks, forwarded):
    dialog = open_dialog(qtbot, tasks, forwarded)
    form = dialog.open_action("extended")
    assert form.days_spin.maximum() == 30
    # meanwhile another window extends by 20 days: 15 more is now over the 30-day limit
    record_event(forwarded, EventData(type="extended", on=dt.date(2026, 10, 1), days=20,
                                      reason="需现场核查", approver="李局长"))
    form.days_spin.setValue(15)
    form.reason_edit.setText("需补充材料")
    form.ok_button.click()
    assert form.error_label.text() == "请填写批准人（延期须经单位负责人批准，第三十四条）"
    form.approver_edit.setText("王局长")
    form.ok_button.click()
    qtbot.waitUntil(lambda: "累计不得超过30日" in form.error_label.text(), timeout=10000)
    assert form.error_label.text() == "延长期限累计不得超过30日（已延期20日）（第三十四条）"
    assert form.isVisible() and form.ok_button.isEnabled()
    form.reject()
    # reopened, the form offers only what remains
    with qtbot.waitSignal(dialog.sig_loaded, timeout=10000):
        dialog.reload()
    assert dialog.open_action("extended").days_spin.maximum() == 10


def test_reply_then_close(qtbot, tasks, forwarded):
    dialog = open_dialog(qtbot, tasks, forwarded)
    form = dialog.open_action("replied")
    assert [form.outcome_combo.itemText(i) for i in range(form.outcome_combo.count())] == \
        ["支持", "解释说明", "不予支持"]
    form.outcome_combo.setCurrentText("解释说明")
    form.note_edit.setPlainText("已向信访人送达答复意见书")
    record_through(qtbot, dialog, form)
    assert timeline(dialog)[-1] == "2026-10-09 答复：解释说明。已向信访人送达答复意见书"
    assert dialog.action_buttons["closed"].isEnabled()
    assert not dialog.action_buttons["replied"].isEnabled()
    form = dialog.open_action("satisfaction")
    form.rating_combo.setCurrentText("不满意")
    form.ok_button.click()
    assert form.error_label.text() == "信访人不满意时须记录原因"
    form.reason_edit.setText("补偿太低")
    record_through(qtbot, dialog, form)
    assert timeline(dialog)[-1] == "2026-10-09 满意度：不满意（补偿太低）"


def test_accept_a_registered_case(qtbot, tasks, store):
    saved = register_case(intake(disposition="转送", unit=UNIT), today=TODAY)
    dialog = open_dialog(qtbot, tasks, saved.case_no)
    assert dialog.action_buttons["accept"].isEnabled()
    assert not dialog.action_buttons["feedback"].isEnabled()
    form = dialog.open_action("accept")
    record_through(qtbot, dialog, form)
    assert "办理中" in dialog.title.text()
    assert not dialog.action_buttons["accept"].isEnabled()


def test_forward_to_an_unknown_unit_is_refused(qtbot, tasks, store):
    saved = register_case(intake(disposition="转送", unit=UNIT), today=TODAY)
    dialog = open_dialog(qtbot, tasks, saved.case_no)
    form = dialog.open_action("forwarded")
    assert form.unit_combo.currentText() == UNIT
    form.unit_combo.setCurrentText("不存在的局")
    form.ok_button.click()
    qtbot.waitUntil(lambda: form.error_label.isVisible(), timeout=10000)
    assert form.error_label.text() == "承办单位：“不存在的局”不在单位名录中"
