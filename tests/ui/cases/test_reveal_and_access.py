"""显示完整号码 (deliberate, audited, masked again on close) and 授权查看 (a leader names who may
see a confidential case)."""

import pytest

pytest.importorskip("PySide6")

from tests.core.helpers import ID_WANG, intake  # noqa: E402
from tests.ui.cases.test_detail_dialog import TODAY, open_dialog  # noqa: E402
from tests.ui.widgets import test_approval as approval  # noqa: E402
from tests.ui.widgets.test_approval import WAIT, sign_in  # noqa: E402
from xinfang_desk.core.cases.records import register_case  # noqa: E402
from xinfang_desk.core.store.models import AuditLog  # noqa: E402
from xinfang_desk.ui.cases.detail_dialog import CaseDetailDialog  # noqa: E402

MASKED = "110105********002X"


store, tasks = approval.store, approval.tasks  # the fixtures: a database with accounts


@pytest.fixture
def case_no(store):
    return register_case(intake(), today=TODAY).case_no


def id_cell(dialog) -> str:
    return dialog.petitioner_table.item(0, 1).text()


def test_reveal_shows_the_full_number_audited_and_masks_it_again_on_close(qtbot, tasks,
                                                                           case_no):
    sign_in("clerk")
    dialog = open_dialog(qtbot, tasks, case_no)
    assert id_cell(dialog) == MASKED
    button = dialog.reveal_buttons[0]
    assert button.parent() is dialog.petitioner_table.cellWidget(0, 1)  # beside the number
    assert button.text() == "显示完整号码"
    assert button.isVisible() and button.isEnabled()
    assert not AuditLog.select().where(AuditLog.action == "reveal_id").exists()
    with qtbot.waitSignal(dialog.sig_loaded, timeout=WAIT):  # revealed, then 修改记录 reloads
        button.click()
    assert id_cell(dialog) == ID_WANG
    assert dialog.reveal_buttons[0].text() == "已显示" and not dialog.reveal_buttons[0].isEnabled()
    row = AuditLog.get((AuditLog.action == "reveal_id") & (AuditLog.object == case_no))
    assert row.actor == "clerk" and ID_WANG not in row.details  # masked in the trail
    newest = dialog.history_table.rows_text()[0]
    assert newest[1:4] == ("clerk", "查看完整证件号码", "完整证件号码")
    assert newest[5] == MASKED
    # a reload (e.g. after recording something) keeps the number while the window is open
    with qtbot.waitSignal(dialog.sig_loaded, timeout=WAIT):
        dialog.reload()
    assert id_cell(dialog) == ID_WANG
    dialog.close()
    assert id_cell(dialog) == MASKED and dialog.revealed == {}
    assert dialog.reveal_buttons[0].text() == "显示完整号码"


def test_no_reveal_button_without_an_id_number(qtbot, tasks, store):
    from xinfang_desk.core.cases.records import PetitionerInput

    sign_in("clerk")
    saved = register_case(intake(petitioners=[PetitionerInput(name="李四", phone="13900001111")]),
                          today=TODAY)
    dialog = open_dialog(qtbot, tasks, saved.case_no)
    assert dialog.reveal_buttons == {} and dialog.petitioner_table.cellWidget(0, 1) is None


def test_grant_access_lets_another_clerk_open_the_confidential_case(qtbot, tasks, store):
    sign_in("clerk")
    case_no = register_case(intake(category="检举控告", clerk=""), today=TODAY).case_no  # confidential
    own = open_dialog(qtbot, tasks, case_no)
    assert "（保密）" in own.title.text()
    assert not own.access_button.isVisible()  # only leaders name people

    sign_in("clerk2")
    refused = open_dialog(qtbot, tasks, case_no)
    assert refused.message.text() == "读取失败：该事项为保密事项，您无权查看。"

    sign_in("leader")
    dialog = open_dialog(qtbot, tasks, case_no)
    assert dialog.access_button.isVisible()
    access = dialog.open_access()
    qtbot.waitUntil(lambda: not access.busy, timeout=WAIT)
    assert access.named.item(0).text() == "（尚未授权任何人）"
    assert [access.user_combo.itemText(i) for i in range(access.user_combo.count())] == \
        ["张敏（clerk）", "赵磊（clerk2）"]
    access.select_user("clerk2")
    with qtbot.waitSignal(dialog.sig_loaded, timeout=WAIT), \
            qtbot.waitSignal(access.sig_ready, timeout=WAIT):
        access.grant_button.click()
    assert [access.named.item(i).text() for i in range(access.named.count())] == ["赵磊（clerk2）"]
    assert dialog.history_table.rows_text()[0][1:4] == ("leader", "授权查看保密事项", "可查看人员")
    assert dialog.history_table.rows_text()[0][5] == "clerk2"
    dialog.grab().save("/tmp/xf-access-detail.png")
    access.grab().save("/tmp/xf-access-dialog.png")

    sign_in("clerk2")
    granted = open_dialog(qtbot, tasks, case_no)
    assert granted.detail is not None and case_no in granted.title.text()
    assert not granted.message.isVisible()

    # withdrawn: refused again
    sign_in("leader")
    access.named.setCurrentRow(0)
    with qtbot.waitSignal(access.sig_ready, timeout=WAIT):
        access.revoke_button.click()
    assert access.named.item(0).text() == "（尚未授权任何人）"
    sign_in("clerk2")
    again = open_dialog(qtbot, tasks, case_no)
    assert again.detail is None and "无权查看" in again.message.text()


def test_the_admin_sees_no_case_controls(qtbot, tasks, case_no):
    sign_in("admin")
    dialog = CaseDetailDialog(case_no, tasks, today=TODAY)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.sig_loaded, timeout=WAIT):
        dialog.show()
    assert not dialog.edit_button.isVisible()
    assert not dialog.access_button.isVisible()
    assert dialog.reveal_buttons == {}
