"""设置 › 用户与安全: the admin adds a clerk who can then sign in, changes roles, resets a
password (lifting a lock-out), disables accounts; the last admin stays. Everyone changes their
own password from the 账户 menu."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from tests.ui import helpers  # noqa: E402
from xinfang_desk.core import session  # noqa: E402
from xinfang_desk.core.people import users
from xinfang_desk.core.store import storage
from xinfang_desk.ui.main_window import build_main_window  # noqa: E402
from xinfang_desk.ui.settings.users import UsersPage  # noqa: E402
from xinfang_desk.ui.startup.login import LoginDialog  # noqa: E402
from xinfang_desk.ui.style import setup_application  # noqa: E402

TODAY = dt.date(2026, 10, 9)
WAIT = 10000
ADMIN_PW = "admin2026"


@pytest.fixture
def store(tmp_path, qapp):
    setup_application(qapp)
    d = storage.open_data_dir(tmp_path / "data")
    users.create_user("admin", ADMIN_PW, session.ADMIN, "王建国")
    yield d
    storage.close()


tasks = helpers.store_tasks  # waited on before the store closes


@pytest.fixture
def page(qtbot, store, tasks):
    session.set_current(users.actor_of(users.get_user("admin")))
    widget = UsersPage(tasks)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    with qtbot.waitSignal(widget.sig_loaded, timeout=WAIT):
        widget.refresh()
    return widget


def rows(page):
    table = page.table
    return [tuple(table.item(r, c).text() for c in range(table.columnCount()))
            for r in range(table.rowCount())]


def submit(qtbot, page, dialog):
    with qtbot.waitSignal(page.sig_loaded, timeout=WAIT):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def add_clerk(qtbot, page, name="zhangmin", password="clerk2026"):
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog.objectName() == "addUserDialog" and dialog.isVisible()
    dialog.username.setText(name)
    dialog.display_name.setText("张敏")
    dialog.role.setCurrentIndex(dialog.role.findData(session.CLERK))
    dialog.password.setText(password)
    dialog.again.setText(password)
    submit(qtbot, page, dialog)


def test_the_admin_adds_a_clerk_who_can_then_sign_in(qtbot, page, tasks):
    assert rows(page) == [("admin", "王建国", "管理员", "启用")]
    add_clerk(qtbot, page)
    assert ("zhangmin", "张敏", "接待员", "启用") in rows(page)
    assert page.message.text() == "已新建用户“zhangmin”（接待员）。"

    login = LoginDialog(tasks)
    qtbot.addWidget(login)
    login.show()
    login.username.setText("zhangmin")
    login.password.setText("clerk2026")
    with qtbot.waitSignal(login.sig_signed_in, timeout=WAIT) as signed_in:
        qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert signed_in.args[0] == session.Actor("zhangmin", session.CLERK, "张敏")


def test_add_user_errors_are_shown_beside_the_fields(qtbot, page):
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    dialog.username.setText("admin")
    dialog.password.setText("short1")
    dialog.again.setText("short2")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.field_errors["密码"].text() == "至少8位"
    assert dialog.field_errors["再次输入"].text() == "两次输入的密码不一致"
    dialog.password.setText("clerk2026")
    dialog.again.setText("clerk2026")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    error = dialog.field_errors["用户名"]
    qtbot.waitUntil(error.isVisible, timeout=WAIT)
    assert error.text() == "“admin”已存在"
    assert dialog.isVisible() and len(rows(page)) == 1
    dialog.reject()


def test_the_last_admin_cannot_be_disabled_or_demoted(qtbot, page, tasks):
    page.select_user("admin")
    # Signed in as that admin: one's own account is never disabled from here.
    qtbot.mouseClick(page.toggle_button, Qt.MouseButton.LeftButton)
    assert page.message.text() == "不能停用当前登录的账户。"
    # Demoting the only admin is refused by the core, with its message.
    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    dialog.role.setCurrentIndex(dialog.role.findData(session.CLERK))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.message.isVisible, timeout=WAIT)
    assert dialog.message.text() == "不能停用或降级最后一个管理员账户。"
    dialog.reject()
    assert users.get_user("admin").role == session.ADMIN


def test_disabling_the_last_admin_is_refused_with_the_message(qtbot, store, tasks):
    # No one signed in (SYSTEM may manage users): only the core's rule stands in the way.
    page = UsersPage(tasks)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.sig_loaded, timeout=WAIT):
        page.refresh()
    page.select_user("admin")
    assert page.toggle_button.text() == "停用账户"
    qtbot.mouseClick(page.toggle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message.text() != "", timeout=WAIT)
    assert page.message.text() == "不能停用或降级最后一个管理员账户。"
    assert "c62828" in page.message.styleSheet()  # shown as an error
    assert users.get_user("admin").active


def test_disable_enable_and_change_role(qtbot, page):
    add_clerk(qtbot, page)
    page.select_user("zhangmin")
    with qtbot.waitSignal(page.sig_loaded, timeout=WAIT):
        qtbot.mouseClick(page.toggle_button, Qt.MouseButton.LeftButton)
    assert ("zhangmin", "张敏", "接待员", "停用") in rows(page)
    assert page.message.text() == "已停用用户“zhangmin”。"
    assert page.toggle_button.text() == "启用账户"  # the selection is kept
    with qtbot.waitSignal(page.sig_loaded, timeout=WAIT):
        qtbot.mouseClick(page.toggle_button, Qt.MouseButton.LeftButton)
    assert ("zhangmin", "张敏", "接待员", "启用") in rows(page)

    qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    dialog.role.setCurrentIndex(dialog.role.findData(session.LEADER))
    dialog.display_name.setText("张敏敏")
    submit(qtbot, page, dialog)
    assert ("zhangmin", "张敏敏", "负责人", "启用") in rows(page)


def test_reset_password_lifts_a_lock_out(qtbot, page):
    add_clerk(qtbot, page)
    for attempt in range(5):
        with pytest.raises(users.LoginError):
            users.authenticate("zhangmin", f"wrong{attempt}x")
    with qtbot.waitSignal(page.sig_loaded, timeout=WAIT):
        page.refresh()
    status = dict((r[0], r[3]) for r in rows(page))["zhangmin"]
    assert status.startswith("锁定至")

    page.select_user("zhangmin")
    qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog.objectName() == "resetPasswordDialog"
    dialog.password.setText("new2026pw")
    dialog.again.setText("new2026pw")
    submit(qtbot, page, dialog)
    assert dict((r[0], r[3]) for r in rows(page))["zhangmin"] == "启用"
    assert page.message.text() == "已重设用户“zhangmin”的密码，锁定已解除。"
    assert users.authenticate("zhangmin", "new2026pw").username == "zhangmin"


def test_everyone_changes_their_own_password_from_the_menu(qtbot, store):
    with session.acting_as(users.actor_of(users.get_user("admin"))):
        users.create_user("zhangmin", "clerk2026", session.CLERK, "张敏")
    session.set_current(users.actor_of(users.get_user("zhangmin")))
    window = build_main_window(store, today=TODAY, idle_lock_ms=600_000)
    qtbot.addWidget(window)
    window.show()
    assert window.settings.users is None  # a clerk has no users page (and no 设置 tab)
    window.account.change_password_action.trigger()
    dialog = window.account.password_dialog
    assert dialog.isVisible()
    dialog.old.setText("wrong2026")
    dialog.new.setText("fresh2026")
    dialog.again.setText("fresh2027")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.field_errors["再次输入新密码"].text() == "两次输入的新密码不一致"
    dialog.again.setText("fresh2026")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    error = dialog.field_errors["原密码"]
    qtbot.waitUntil(error.isVisible, timeout=WAIT)
    assert error.text().startswith("用户名或密码不正确")
    dialog.old.setText("clerk2026")
    dialog.new.setText("fresh2026")
    dialog.again.setText("fresh2026")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == "密码已修改。", timeout=WAIT)
    assert users.authenticate("zhangmin", "fresh2026").username == "zhangmin"
    window.close()
    window.tasks.wait(WAIT)
