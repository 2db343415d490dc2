"""Idle lock: after the interval without input the data is hidden behind the lock screen; the
signed-in user's password unlocks it, a wrong one is refused with the core's message."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLabel, QWidget  # noqa: E402

from tests.core.helpers import intake  # noqa: E402
from xinfang_desk.core import session  # noqa: E402
from xinfang_desk.core.cases.records import register_case  # noqa: E402
from xinfang_desk.core.people import users
from xinfang_desk.core.store import settings, storage
from xinfang_desk.core.store.models import AuditLog  # noqa: E402
from xinfang_desk.ui.main_window import build_main_window  # noqa: E402
from xinfang_desk.ui.startup.flow import StartupFlow  # noqa: E402
from xinfang_desk.ui.style import setup_application  # noqa: E402

TODAY = dt.date(2026, 10, 9)
WAIT = 10000
CLERK_PW = "clerk2026"


@pytest.fixture
def store(tmp_path, qapp):
    setup_application(qapp)
    d = storage.open_data_dir(tmp_path / "data")
    users.create_user("admin", "admin2026", session.ADMIN, "王建国")
    with session.acting_as(users.actor_of(users.get_user("admin"))):
        users.create_user("zhangmin", CLERK_PW, session.CLERK, "张敏")
    yield d
    storage.close()


@pytest.fixture
def clerk_window(qtbot, store):
    windows = []

    def make(interval_ms=300):
        session.set_current(users.actor_of(users.get_user("zhangmin")))
        window = build_main_window(store, today=TODAY, idle_lock_ms=interval_ms)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(window.intake.is_ready, timeout=WAIT)
        windows.append(window)
        return window

    yield make
    for window in windows:
        lock = window.account.idle_lock
        if lock.locked:
            lock.release()
        window.close()
        window.tasks.wait(WAIT)


def wait_locked(qtbot, window):
    lock = window.account.idle_lock
    qtbot.waitUntil(lambda: lock.screen is not None and lock.screen.isVisible(), timeout=WAIT)
    return lock.screen


def unlock_with(qtbot, screen, password):
    screen.password.setText(password)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not screen.busy, timeout=WAIT)


def test_idle_lock_hides_the_data_and_unlocks_with_the_right_password(qtbot, clerk_window):
    window = clerk_window()
    assert window.tabs.isVisible()
    screen = wait_locked(qtbot, window)
    # Nothing of the cases is visible: the pages are hidden and the screen covers the window.
    assert not window.tabs.isVisible() and not window.intake.isVisible()
    assert screen.geometry() == window.frameGeometry()
    assert screen.objectName() == "lockScreen" and "张敏（接待员）" in screen.findChild(
        QWidget, "lockUser").text()

    unlock_with(qtbot, screen, "wrong2026")
    assert screen.message.isVisible()
    assert screen.message.text() == "用户名或密码不正确。再错4次账户将被锁定5分钟。"
    assert screen.isVisible() and not window.tabs.isVisible()

    lock = window.account.idle_lock
    screen.password.setText(CLERK_PW)
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not lock.locked, timeout=WAIT)
    assert window.tabs.isVisible() and window.intake.isVisible()
    assert AuditLog.select().where(AuditLog.action == "locked",
                                   AuditLog.actor == "zhangmin").exists()
    assert AuditLog.select().where(AuditLog.action == "unlocked").exists()
    # The countdown starts again after unlocking.
    assert lock.timer.isActive()


def test_esc_and_close_do_not_unlock(qtbot, clerk_window):
    window = clerk_window()
    screen = wait_locked(qtbot, window)
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    screen.close()
    assert screen.isVisible() and not window.tabs.isVisible()


def test_input_keeps_the_window_unlocked(qtbot, clerk_window):
    window = clerk_window(interval_ms=1500)
    lock = window.account.idle_lock
    for _ in range(12):  # 2.4 s of typing, longer than the interval
        qtbot.keyClick(window.intake.summary, Qt.Key.Key_Shift)
        qtbot.wait(200)
        assert not lock.locked
    wait_locked(qtbot, window)  # and idle again: locked


def test_other_open_windows_are_covered_too(qtbot, store, clerk_window):
    saved = register_case(intake(), today=TODAY)
    window = clerk_window(interval_ms=60_000)
    window.open_case(saved.case_no)
    detail = window._details[saved.case_no]
    qtbot.waitUntil(detail.isVisible, timeout=WAIT)
    window.account.lock_action.trigger()  # 账户 › 锁定屏幕 (Ctrl+L)
    screen = wait_locked(qtbot, window)
    cover = detail.findChild(QWidget, "lockCover")
    assert cover is not None and cover.isVisible() and cover.geometry() == detail.rect()
    assert "屏幕已锁定" in [label.text() for label in screen.findChildren(QLabel)]
    unlock_with(qtbot, screen, CLERK_PW)
    qtbot.waitUntil(lambda: not window.account.idle_lock.locked, timeout=WAIT)
    qtbot.waitUntil(lambda: detail.findChild(QWidget, "lockCover") is None, timeout=WAIT)
    assert detail.isVisible()
    detail.close()


def test_lock_out_applies_on_the_lock_screen(qtbot, clerk_window):
    window = clerk_window()
    screen = wait_locked(qtbot, window)
    for attempt in range(5):
        unlock_with(qtbot, screen, f"wrong{attempt}x")
    assert screen.message.text() == "连续5次密码错误，账户已锁定5分钟。"
    unlock_with(qtbot, screen, CLERK_PW)
    assert "账户已锁定，请5分钟后再试" in screen.message.text()
    assert window.account.idle_lock.locked and not window.tabs.isVisible()


def test_switch_user_from_the_lock_screen_signs_out(qtbot, store):
    flow = StartupFlow(store, today=TODAY, idle_lock_ms=300)
    flow.start()
    qtbot.waitUntil(lambda: flow.login is not None and flow.login.isVisible(), timeout=WAIT)
    flow.login.username.setText("zhangmin")
    flow.login.password.setText(CLERK_PW)
    flow.login.submit()
    qtbot.waitUntil(lambda: flow.window is not None, timeout=WAIT)
    window = flow.window
    screen = wait_locked(qtbot, window)
    qtbot.mouseClick(screen.switch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: flow.login is not None and flow.login.isVisible(), timeout=WAIT)
    assert flow.window is None and not window.isVisible()
    assert session.current() is session.SYSTEM
    flow.login.close()
    flow.tasks.wait(WAIT)


def test_the_interval_comes_from_the_setting(qtbot, store):
    settings.put("idle_lock_minutes", 25)
    session.set_current(users.actor_of(users.get_user("admin")))
    window = build_main_window(store, today=TODAY)
    qtbot.addWidget(window)
    lock = window.account.idle_lock
    qtbot.waitUntil(lambda: lock.timer.interval() == 25 * 60_000, timeout=WAIT)
    assert lock.timer.isActive() and not lock.locked
    # Saved on the users page: the running lock follows.
    page = window.settings.users
    page.idle_minutes.setValue(3)
    qtbot.mouseClick(page.save_idle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: lock.timer.interval() == 3 * 60_000, timeout=WAIT)
    assert settings.get("idle_lock_minutes") == 3
    assert page.idle_status.text() == "已保存：无操作3分钟后自动锁定。"
    window.close()
    window.tasks.wait(WAIT)


def test_idle_lock_setting_is_checked():
    from xinfang_desk.core.errors import FieldError

    assert settings.SPECS["idle_lock_minutes"].default == 10
    for bad in (0, 121):
        with pytest.raises(FieldError, match="无操作自动锁定"):
            settings.validate("idle_lock_minutes", bad)
