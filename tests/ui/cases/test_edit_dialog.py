"""修改…: field corrections with a required reason, errors beside the fields, the detail
refreshed and the 修改记录 tab listing old → new."""

import pytest

pytest.importorskip("PySide6")

from tests.core.helpers import intake  # noqa: E402
from tests.ui.cases.test_detail_dialog import TODAY, open_dialog  # noqa: E402
from tests.ui.widgets import test_approval as approval  # noqa: E402
from tests.ui.widgets.test_approval import WAIT, sign_in  # noqa: E402
from xinfang_desk.core.cases.records import get_case, register_case  # noqa: E402
from xinfang_desk.core.store.models import Petitioner  # noqa: E402

OLD_SUMMARY = "反映单位拖欠工资三个月"
NEW_SUMMARY = "反映单位拖欠工资四个月"


store, tasks = approval.store, approval.tasks  # the fixtures: a database with accounts


@pytest.fixture
def case_no(store):
    return register_case(intake(), today=TODAY).case_no


def edit_form(qtbot, dialog):
    edit = dialog.open_edit()
    qtbot.waitUntil(lambda: edit.editable is not None, timeout=WAIT)
    assert edit.isVisible() and edit.ok_button.isEnabled()
    return edit


def save(qtbot, dialog, edit):
    with qtbot.waitSignal(dialog.sig_case_changed, timeout=WAIT), \
            qtbot.waitSignal(dialog.sig_loaded, timeout=WAIT):
        edit.ok_button.click()


def test_edit_summary_with_a_reason(qtbot, tasks, case_no, tmp_path):
    sign_in("clerk")
    dialog = open_dialog(qtbot, tasks, case_no)
    assert dialog.edit_button.isVisible() and dialog.edit_button.isEnabled()
    edit = edit_form(qtbot, dialog)
    assert edit.editors["summary"].text() == OLD_SUMMARY
    assert edit.editors["field"].currentText() == "劳动社保/劳动报酬"
    assert edit.pet_editors[0]["phone"].text() == ""  # never shown in full
    assert edit.pet_editors[0]["phone"].placeholderText() == "不修改（现为138****1234）"
    edit.editors["summary"].setText(NEW_SUMMARY)
    edit.reason.setText("登记时录入错误，经信访人核实")
    edit.grab().save(str(tmp_path / "edit.png"))
    save(qtbot, dialog, edit)
    assert dialog.edit_dialog is None  # saved and closed
    assert NEW_SUMMARY in dialog.record_text() and NEW_SUMMARY in dialog.title.text()
    dialog.right_tabs.setCurrentIndex(1)
    assert dialog.right_tabs.tabText(1) == "修改记录"
    newest = dialog.history_table.rows_text()[0]
    assert newest[1:] == ("clerk", "修改事项", "事项摘要", OLD_SUMMARY, NEW_SUMMARY)
    assert dialog.history_table.rows_text()[-1][2:4] == ("登记事项", "信访类别")
    assert get_case(case_no).summary == NEW_SUMMARY


def test_edit_without_a_reason_is_refused(qtbot, tasks, case_no):
    sign_in("clerk")
    dialog = open_dialog(qtbot, tasks, case_no)
    edit = edit_form(qtbot, dialog)
    edit.editors["summary"].setText(NEW_SUMMARY)
    edit.ok_button.click()
    error = edit.field_errors["修改原因"]
    assert error.isVisible() and error.text() == "请说明修改原因（记入审计日志）"
    assert edit.isVisible()
    tasks.wait(WAIT)
    assert get_case(case_no).summary == OLD_SUMMARY


def test_nothing_changed(qtbot, tasks, case_no):
    dialog = open_dialog(qtbot, tasks, case_no)
    edit = edit_form(qtbot, dialog)
    edit.reason.setText("核对")
    edit.ok_button.click()
    assert edit.message.text() == "没有修改任何内容。" and edit.isVisible()


def test_errors_are_shown_beside_their_fields(qtbot, tasks, case_no):
    sign_in("clerk")
    dialog = open_dialog(qtbot, tasks, case_no)
    edit = edit_form(qtbot, dialog)
    edit.editors["summary"].setText("")
    edit.editors["unit"].setCurrentText("不存在的局")
    edit.pet_editors[0]["phone"].setText("12a45")
    edit.reason.setText("更正")
    edit.ok_button.click()
    qtbot.waitUntil(lambda: edit.field_errors["事项摘要"].isVisible(), timeout=WAIT)
    assert edit.field_errors["事项摘要"].text() == "不能为空"
    assert edit.field_errors["承办单位"].text() == "“不存在的局”不在单位名录中"
    phone_error = edit.field_errors["信访人王秀英联系电话"]
    assert phone_error.isVisible() and "非法字符" in phone_error.text()
    assert edit.isVisible() and edit.ok_button.isEnabled()
    assert get_case(case_no).summary == OLD_SUMMARY


def test_edit_a_petitioners_phone_and_address(qtbot, tasks, case_no):
    sign_in("clerk")
    dialog = open_dialog(qtbot, tasks, case_no)
    edit = edit_form(qtbot, dialog)
    edit.pet_editors[0]["phone"].setText("139 0000 1111")
    edit.pet_editors[0]["address"].setText("四川省南充市顺庆区新街2号")
    edit.editors["people_count"].setValue(3)
    edit.reason.setText("信访人更换了手机号和住址")
    save(qtbot, dialog, edit)
    p = dialog.petitioner_table
    assert p.item(0, 4).text() == "139****1111"
    assert p.item(0, 6).text() == "四川省南充市顺庆区新街2号"
    assert "3人" in dialog.record_text()
    rows = {row[3]: row for row in dialog.history_table.rows_text()[:3]}
    assert rows["信访人王秀英联系电话"][4:] == ("138****1234", "139****1111")  # masked
    assert rows["涉及人数"][4:] == ("1", "3")
    assert Petitioner.get().phone == "13900001111"


def test_a_clerk_cannot_lift_confidentiality(qtbot, tasks, store):
    sign_in("clerk")
    case_no = register_case(intake(category="检举控告", clerk=""), today=TODAY).case_no
    dialog = open_dialog(qtbot, tasks, case_no)
    edit = edit_form(qtbot, dialog)
    check = edit.editors["confidential"]
    assert check.isChecked() and not check.isEnabled()
    assert check.toolTip() == "取消保密须由负责人决定。"
