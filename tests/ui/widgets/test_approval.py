"""负责人审批: a clerk's extension, answer or letter needs a leader who approves on the spot
(username + password, checked on the worker); a leader signed in is not asked."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")
from tests.core.helpers import intake  # noqa: E402
from tests.ui import helpers  # noqa: E402
from tests.ui.cases.test_detail_dialog import TODAY, UNIT, open_dialog, record_through, timeline  # noqa: E402
from xinfang_desk.core import session  # noqa: E402
from xinfang_desk.core.cases.records import events_of, get_case, record_event, register_case  # noqa: E402
from xinfang_desk.core.people import users
from xinfang_desk.core.rules.workflow import EventData  # noqa: E402
from xinfang_desk.core.store import storage
from xinfang_desk.core.store.models import AuditLog  # noqa: E402
from xinfang_desk.ui.style import setup_application  # noqa: E402

PASSWORD = "pass2026a"
WAIT = 10000


def make_accounts() -> None:
    """admin, leader (李红梅), clerk (张敏), clerk2 (赵磊); nobody signed in afterwards."""
    admin = users.create_user("admin", PASSWORD, "admin", "王建国")
    with session.acting_as(users.actor_of(admin)):
        users.create_user("leader", PASSWORD, "leader", "李红梅")
        users.create_user("clerk", PASSWORD, "clerk", "张敏")
        users.create_user("clerk2", PASSWORD, "clerk", "赵磊")


def sign_in(username: str) -> session.Actor:
    actor = users.actor_of(users.get_user(username))
    session.set_current(actor)
    return actor


@pytest.fixture
def store(tmp_path, qapp):
    setup_application(qapp)
    d = storage.open_data_dir(tmp_path / "data")
    make_accounts()
    yield d
    storage.close()


tasks = helpers.store_tasks


@pytest.fixture
def forwarded(store):
    saved = register_case(intake(disposition="转送", unit=UNIT), today=TODAY)
    record_event(saved.case_no, EventData(type="forwarded", on=dt.date(2026, 9, 22), unit=UNIT,
                                          deadline=dt.date(2026, 10, 15)))
    return saved.case_no


def event_types(case_no: str) -> list[str]:
    return [e.type for e in events_of(get_case(case_no))]


def fill_extension(form) -> None:
    form.days_spin.setValue(15)
    form.reason_edit.setText("需现场核查")


def wait_message(qtbot, box, text: str) -> str:
    qtbot.waitUntil(lambda: box.message.isVisible() and text in box.message.text(), timeout=WAIT)
    return box.message.text()


def test_clerk_extension_needs_a_leaders_approval(qtbot, tasks, forwarded, tmp_path):
    sign_in("clerk")
    dialog = open_dialog(qtbot, tasks, forwarded)
    form = dialog.open_action("extended")
    box = form.approval_box
    assert box is not None and box.isVisible() and box.title() == "负责人审批"
    assert "延期须经负责人审批" in box.hint.text()
    assert form.approver_edit is None  # the approving leader's account is the approver
    fill_extension(form)
    form.ok_button.click()
    assert box.message.text() == "请负责人输入本人的用户名和密码。"

    # a wrong password: the core's message, the form stays open, nothing saved
    box.username.setText("leader")
    box.password.setText("wrong2026x")
    form.ok_button.click()
    text = wait_message(qtbot, box, "用户名或密码不正确")
    assert "再错4次账户将被锁定" in text
    assert form.isVisible() and form.ok_button.isEnabled() and box.password.text() == ""
    assert "extended" not in event_types(forwarded)

    # another clerk may not approve
    box.username.setText("clerk2")
    box.password.setText(PASSWORD)
    form.ok_button.click()
    assert wait_message(qtbot, box, "不是负责人") == \
        "赵磊（接待员）不是负责人，不能审批。延期须经负责人审批。"
    assert "extended" not in event_types(forwarded)

    # the leader's password: saved, the approver shown in the timeline
    box.username.setText("leader")
    box.password.setText(PASSWORD)
    form.grab().save(str(tmp_path / "approval-box.png"))
    record_through(qtbot, dialog, form)
    assert not form.isVisible()
    assert timeline(dialog)[-1] == "2026-10-09 延期15日：需现场核查（批准人：leader）"
    t = dialog.timeline_table
    assert t.item(t.rowCount() - 1, 2).text() == "clerk"  # recorded by the clerk
    approval = AuditLog.get((AuditLog.action == "approval") & (AuditLog.object == forwarded))
    assert approval.actor == "leader"


def test_clerk_reply_with_approval_shows_the_approver(qtbot, tasks, forwarded):
    sign_in("clerk")
    dialog = open_dialog(qtbot, tasks, forwarded)
    form = dialog.open_action("replied")
    box = form.approval_box
    assert box is not None and "答复意见须经负责人审批" in box.hint.text()
    form.outcome_combo.setCurrentText("支持")
    form.note_edit.setPlainText("已补发工资")
    box.username.setText("leader")
    box.password.setText("wrong2026x")
    form.ok_button.click()
    wait_message(qtbot, box, "用户名或密码不正确")
    assert "replied" not in event_types(forwarded)
    box.password.setText(PASSWORD)
    record_through(qtbot, dialog, form)
    assert timeline(dialog)[-1] == "2026-10-09 答复：支持。已补发工资（批准人：leader）"
    # 修改记录, newest first: the leader's approval, then the clerk's answer
    rows = [row[1:4] for row in dialog.history_table.rows_text()[:2]]
    assert rows == [("leader", "审批", "答复"), ("clerk", "办理记录", "答复")]


def test_a_leader_signed_in_is_not_asked(qtbot, tasks, forwarded):
    sign_in("leader")
    dialog = open_dialog(qtbot, tasks, forwarded)
    form = dialog.open_action("extended")
    assert form.approval_box is None and form.approver_edit is None
    assert form.findChild(type(form.error_label), "approverLabel").text() == "李红梅（负责人）（本人审批）"
    fill_extension(form)
    record_through(qtbot, dialog, form)
    assert timeline(dialog)[-1] == "2026-10-09 延期15日：需现场核查（批准人：leader）"
    form = dialog.open_action("replied")
    assert form.approval_box is None
    record_through(qtbot, dialog, form)
    assert timeline(dialog)[-1].startswith("2026-10-09 答复：支持")
    assert timeline(dialog)[-1].endswith("（批准人：leader）")


def test_other_actions_ask_for_no_approval(qtbot, tasks, forwarded):
    sign_in("clerk")
    dialog = open_dialog(qtbot, tasks, forwarded)
    form = dialog.open_action("feedback")
    assert form.approval_box is None
    form.note_edit.setPlainText("单位已反馈")
    record_through(qtbot, dialog, form)
    assert timeline(dialog)[-1] == "2026-10-09 承办单位反馈：单位已反馈"


def test_five_wrong_passwords_lock_the_leaders_account(qtbot, tasks, forwarded):
    sign_in("clerk")
    dialog = open_dialog(qtbot, tasks, forwarded)
    form = dialog.open_action("extended")
    box = form.approval_box
    fill_extension(form)
    box.username.setText("leader")
    for attempt in range(5):
        box.password.setText(f"wrong{attempt}abc")
        form.ok_button.click()
        qtbot.waitUntil(lambda: form.ok_button.isEnabled() and box.message.isVisible(),
                        timeout=WAIT)
    assert "已锁定" in box.message.text()
    box.password.setText(PASSWORD)  # even the right one now: locked
    form.ok_button.click()
    wait_message(qtbot, box, "分钟后再试")
    assert "extended" not in event_types(forwarded)


# ---------------------------------------------------------------------- printing

try:
    from xinfang_desk.core.documents.build import DOCUMENTS  # noqa: F401

    HAVE_DOCUMENTS = True
except ImportError:  # pragma: no cover
    HAVE_DOCUMENTS = False

needs_documents = pytest.mark.skipif(not HAVE_DOCUMENTS, reason="no document builder")


def _no_modals(monkeypatch):
    from xinfang_desk.ui.widgets.documents_menu import DocumentOpener

    def alert(self, title, text):
        raise AssertionError(f"unexpected message box: {title}: {text}")

    monkeypatch.setattr(DocumentOpener, "alert", alert)


@needs_documents
def test_printing_the_reply_letter_needs_a_leader(qtbot, tasks, forwarded, monkeypatch,
                                                  tmp_path):
    _no_modals(monkeypatch)
    record_event(forwarded, EventData(type="replied", on=dt.date(2026, 10, 8), outcome="支持"))
    sign_in("clerk")
    dialog = open_dialog(qtbot, tasks, forwarded)
    opener = dialog.documents
    button = dialog.documents_box.buttons["reply"]
    assert button.isEnabled()

    # cancelled: no preview, nothing recorded, the button works again
    with qtbot.waitSignal(opener.sig_approval_requested, timeout=WAIT) as asked:
        button.click()
    ask = asked.args[0]
    assert ask.objectName() == "approvalDialog" and ask.isVisible()
    assert "打印答复意见书须经负责人审批" in ask.box.hint.text()
    ask.cancel_button.click()
    assert opener.dialog is None and not opener._busy

    with qtbot.waitSignal(opener.sig_approval_requested, timeout=WAIT) as asked:
        button.click()
    ask = asked.args[0]
    ask.box.username.setText("leader")
    ask.box.password.setText("wrong2026x")
    ask.ok_button.click()
    wait_message(qtbot, ask.box, "用户名或密码不正确")
    assert ask.isVisible() and opener.dialog is None
    ask.box.password.setText(PASSWORD)
    ask.grab().save(str(tmp_path / "approval-dialog.png"))
    with qtbot.waitSignal(opener.sig_opened, timeout=WAIT) as opened:
        ask.ok_button.click()
    preview = opened.args[0]
    assert opener.approval_dialog is None  # approved and closed
    preview._ask_save_path = lambda: str(tmp_path / "reply.pdf")
    with qtbot.waitSignal(dialog.sig_case_changed, timeout=WAIT), \
            qtbot.waitSignal(dialog.sig_loaded, timeout=WAIT):
        preview.save_button.click()
    preview.close()
    assert timeline(dialog)[-1] == "2026-10-09 打印文书：答复意见书（批准人：leader）"
    printed = [e for e in events_of(get_case(forwarded)) if e.type == "printed"]
    assert [e.approver for e in printed] == ["leader"]


@needs_documents
def test_a_leader_prints_without_being_asked(qtbot, tasks, forwarded, monkeypatch):
    _no_modals(monkeypatch)
    record_event(forwarded, EventData(type="replied", on=dt.date(2026, 10, 8), outcome="支持"))
    sign_in("leader")
    dialog = open_dialog(qtbot, tasks, forwarded)
    asked = []
    dialog.documents.sig_approval_requested.connect(asked.append)
    with qtbot.waitSignal(dialog.documents.sig_opened, timeout=WAIT) as opened:
        dialog.documents_box.buttons["reply"].click()
    assert asked == []
    opened.args[0].close()
