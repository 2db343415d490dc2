"""Start-up: the first admin, sign-in (wrong password, lock-out, demo accounts), the window a
role gets, sign-out back to the sign-in dialog."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from tests.ui import helpers  # noqa: E402
from xinfang_desk.core import session  # noqa: E402
from xinfang_desk.core.people import users
from xinfang_desk.core.store.models import AuditLog  # noqa: E402
from xinfang_desk.ui.main_window import build_main_window  # noqa: E402
from xinfang_desk.ui.permissions import visible_tabs  # noqa: E402
from xinfang_desk.ui.startup import flow as startup  # noqa: E402
from xinfang_desk.ui.startup.flow import StartupFlow  # noqa: E402

TODAY = dt.date(2026, 10, 9)
WAIT = 10000
ADMIN_PW, CLERK_PW = "admin2026", "clerk2026"


store = helpers.styled_store


@pytest.fixture
def accounts(store):
    users.create_user("admin", ADMIN_PW, session.ADMIN, "王建国")
    with session.acting_as(users.actor_of(users.get_user("admin"))):
        users.create_user("zhangmin", CLERK_PW, session.CLERK, "张敏")
        users.create_user("lihong", "leader2026", session.LEADER, "李红")
    return store


@pytest.fixture
def flow(qtbot, store):
    made = []

    def make(**kwargs):
        f = StartupFlow(store, today=TODAY, **kwargs)
        f.quits = []
        f.sig_quit.connect(f.quits.append)
        f.start()
        made.append(f)
        return f

    yield make
    for f in made:
        for dialog in (f.login, f.first_admin):
            if dialog is not None:
                dialog.busy = False
                dialog.close()
        if f.window is not None:
            f.window.close()
            f.window.tasks.wait(WAIT)
        f.tasks.wait(WAIT)


def login_shown(f):
    return f.login is not None and f.login.isVisible()


def type_login(qtbot, f, name, password):
    dialog = f.login
    dialog.username.setText(name)
    dialog.password.setText(password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # Enter submits
    return dialog


def sign_in(qtbot, f, name, password):
    qtbot.waitUntil(lambda: login_shown(f), timeout=WAIT)
    type_login(qtbot, f, name, password)
    qtbot.waitUntil(lambda: f.window is not None and f.window.isVisible(), timeout=WAIT)
    return f.window


def tab_texts(window):
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


def test_first_start_creates_the_admin_and_lands_on_the_sign_in_dialog(qtbot, flow):
    f = flow()
    qtbot.waitUntil(lambda: f.first_admin is not None and f.first_admin.isVisible(),
                    timeout=WAIT)
    dialog = f.first_admin
    rules = dialog.findChild(QLabel, "passwordRules").text()
    assert "至少8位" in rules and "字母和数字" in rules
    dialog.username.setText("admin")
    dialog.display_name.setText("王建国")
    dialog.password.setText("abc")
    dialog.again.setText("abd")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    password_error = dialog.field_errors["密码"]
    assert password_error.isVisible() and password_error.text() == "至少8位"
    assert dialog.field_errors["再次输入密码"].text() == "两次输入的密码不一致"
    dialog.password.setText("abcdefgh")
    dialog.again.setText("abcdefgh")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert password_error.text() == "须同时包含字母和数字"
    assert not dialog.field_errors["再次输入密码"].isVisible()
    assert not users.accounts_exist()

    dialog.password.setText(ADMIN_PW)
    dialog.again.setText(ADMIN_PW)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: login_shown(f), timeout=WAIT)
    assert f.first_admin is None and f.window is None  # the first-start dialog is gone
    assert f.login.username.text() == "admin"  # the new name filled in
    assert not f.login.hint.isVisible()  # no demo hint on a real database
    assert [(u.username, u.role) for u in users.list_users()] == [("admin", session.ADMIN)]

    window = sign_in(qtbot, f, "admin", ADMIN_PW)
    assert "王建国（管理员）" in window.windowTitle()
    assert window.findChild(QLabel, "currentUserLabel").text() == "当前用户：王建国（管理员）"
    assert session.current().username == "admin"
    assert f.quits == []


def test_cancel_on_first_start_quits(qtbot, flow):
    f = flow()
    qtbot.waitUntil(lambda: f.first_admin is not None and f.first_admin.isVisible(),
                    timeout=WAIT)
    f.first_admin.reject()
    assert f.quits == [0] and f.window is None


def test_wrong_password_shows_the_message_and_no_window_opens(qtbot, accounts, flow):
    f = flow()
    qtbot.waitUntil(lambda: login_shown(f), timeout=WAIT)
    dialog = f.login
    dialog.username.setText("zhangmin")
    dialog.password.setText("wrong2026")
    dialog.submit()
    # Checked off the GUI thread: the form waits, disabled, meanwhile.
    assert not dialog.login_button.isEnabled() and dialog.login_button.text() == "正在验证…"
    assert dialog.password.isReadOnly()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=WAIT)
    assert dialog.message.text() == "用户名或密码不正确。再错4次账户将被锁定5分钟。"
    assert dialog.login_button.isEnabled() and dialog.password.text() == ""
    assert dialog.isVisible() and f.window is None
    assert session.current() is session.SYSTEM

    type_login(qtbot, f, "nobody", "wrong2026")
    qtbot.waitUntil(lambda: dialog.message.text() == "用户名或密码不正确。", timeout=WAIT)
    assert f.window is None

    dialog.username.setText("")
    dialog.password.setText("")
    dialog.submit()
    assert dialog.message.text() == "请输入用户名和密码。"


def test_five_wrong_passwords_lock_the_account(qtbot, accounts, flow):
    f = flow()
    qtbot.waitUntil(lambda: login_shown(f), timeout=WAIT)
    dialog = f.login
    for attempt in range(1, 6):
        type_login(qtbot, f, "zhangmin", f"wrong{attempt}x")
        qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)
    assert dialog.message.text() == "连续5次密码错误，账户已锁定5分钟。"
    type_login(qtbot, f, "zhangmin", CLERK_PW)  # even the right password, for five minutes
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)
    assert "账户已锁定，请5分钟后再试" in dialog.message.text()
    assert f.window is None and dialog.isVisible()


def test_cancel_sign_in_quits(qtbot, accounts, flow):
    f = flow()
    qtbot.waitUntil(lambda: login_shown(f), timeout=WAIT)
    qtbot.mouseClick(f.login.cancel_button, Qt.MouseButton.LeftButton)
    assert f.quits == [0] and f.window is None


def test_a_clerk_works_on_cases_and_has_no_settings(qtbot, accounts, flow):
    f = flow()
    window = sign_in(qtbot, f, "zhangmin", CLERK_PW)
    assert tab_texts(window) == ["接待登记", "案件列表", "跟踪督办", "答复口径", "统计报表"]
    assert "张敏（接待员）" in window.windowTitle()
    assert session.current() == users.actor_of(users.get_user("zhangmin"))
    qtbot.waitUntil(window.intake.is_ready, timeout=WAIT)


def test_an_admin_has_settings_and_users_but_no_case_pages(qtbot, accounts, flow):
    f = flow()
    window = sign_in(qtbot, f, "admin", ADMIN_PW)
    assert tab_texts(window) == ["统计报表", "设置"]
    assert "接待登记" not in tab_texts(window)
    settings_tabs = window.settings.tabs
    names = [settings_tabs.tabText(i) for i in range(settings_tabs.count())]
    assert names[-1] == "用户与安全"
    assert window.settings.users.objectName() == "settingsUsers"


def test_a_leader_sees_the_case_pages(qtbot, accounts, flow):
    f = flow()
    window = sign_in(qtbot, f, "lihong", "leader2026")
    assert tab_texts(window) == ["接待登记", "案件列表", "跟踪督办", "答复口径", "统计报表"]
    assert window.settings.users is None


def test_visible_tabs_per_role():
    assert visible_tabs(session.SYSTEM) == ["intakePage", "casesPage", "followupPage",
                                            "answersPage", "reportPage", "settingsPage"]
    clerk = session.Actor("a", session.CLERK)
    leader = session.Actor("b", session.LEADER)
    admin = session.Actor("c", session.ADMIN)
    assert visible_tabs(clerk) == visible_tabs(leader) == [
        "intakePage", "casesPage", "followupPage", "answersPage", "reportPage"]
    assert visible_tabs(admin) == ["reportPage", "settingsPage"]


def test_without_accounts_the_window_shows_everything_without_sign_in(qtbot, store):
    window = build_main_window(store, today=TODAY)
    qtbot.addWidget(window)
    assert tab_texts(window) == ["接待登记", "案件列表", "跟踪督办", "答复口径", "统计报表", "设置"]
    assert window.account is None
    window.close()
    window.tasks.wait(WAIT)


def test_sign_out_returns_to_the_sign_in_dialog(qtbot, accounts, flow):
    f = flow()
    window = sign_in(qtbot, f, "zhangmin", CLERK_PW)
    window.account.sign_out_action.trigger()
    qtbot.waitUntil(lambda: login_shown(f), timeout=WAIT)
    assert not window.isVisible() and f.window is None
    assert session.current() is session.SYSTEM
    assert f.quits == []  # switching user does not end the program
    assert AuditLog.select().where(AuditLog.action == "logout",
                                   AuditLog.actor == "zhangmin").exists()
    admin_window = sign_in(qtbot, f, "admin", ADMIN_PW)
    assert tab_texts(admin_window) == ["统计报表", "设置"]


def test_closing_the_window_quits(qtbot, accounts, flow):
    f = flow()
    window = sign_in(qtbot, f, "zhangmin", CLERK_PW)
    window.close()
    qtbot.waitUntil(lambda: f.quits == [0], timeout=WAIT)
    assert AuditLog.select().where(AuditLog.action == "logout").exists()


def test_demo_start_creates_one_account_per_role_and_shows_the_hint(qtbot, flow,
                                                                   monkeypatch):
    monkeypatch.setattr(startup, "DEMO_CASES", 12)
    f = flow(demo=True)
    qtbot.waitUntil(lambda: login_shown(f), timeout=WAIT * 3)
    hint = f.login.hint
    assert hint.isVisible() and users.DEMO_PASSWORD in hint.text()
    for name in ("admin", "leader", "clerk", "clerk2"):
        assert name in hint.text()
    assert {u.username: u.role for u in users.list_users()} == {
        "admin": "admin", "leader": "leader", "clerk": "clerk", "clerk2": "clerk"}
    window = sign_in(qtbot, f, "clerk", users.DEMO_PASSWORD)
    assert "张敏（接待员）" in window.windowTitle()
    assert "设置" not in tab_texts(window)
