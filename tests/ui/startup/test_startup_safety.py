"""Start-up safety: one program per data directory, a damaged database offers the restore from
the newest good backup (and is otherwise left alone), the day's backup after sign-in, the exit
backup when the window closes, and the return to the sign-in after a restore."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")

import shiboken6  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from tests.core.helpers import damage_last_page, intake, make_check_due, stop_uncleanly  # noqa: E402
from xinfang_desk.core import session
from xinfang_desk.core.cases.records import count_cases, register_case  # noqa: E402
from xinfang_desk.core.paths import DataDir  # noqa: E402
from xinfang_desk.core.people import users
from xinfang_desk.core.store import backup, instance_lock, settings, storage  # noqa: E402
from xinfang_desk.core.store.models import AuditLog  # noqa: E402
from xinfang_desk.ui.startup.recovery import Launcher  # noqa: E402
from xinfang_desk.ui.style import setup_application  # noqa: E402

TODAY = dt.date(2026, 10, 9)
WAIT = 15000
ADMIN_PW = "admin2026"


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def answer(qtbot, box: QMessageBox, text: str):
    assert box is not None and box.isVisible()
    click(qtbot, next(b for b in box.buttons() if b.text() == text))


def damage(path):
    """Scribble over the second half of the file (the header stays, so SQLite opens it)."""
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(size // 2)
        fh.write(b"\xa5\x5a" * ((size - size // 2) // 2))


@pytest.fixture
def root(tmp_path, qapp):
    """A closed data directory: 30 cases and the admin account."""
    setup_application(qapp)
    path = tmp_path / "data"
    storage.open_data_dir(path)
    for i in range(30):
        register_case(intake(summary=f"反映第{i + 1}件事"), today=TODAY)
    users.create_user("admin", ADMIN_PW, session.ADMIN, "王建国")
    storage.close()
    return path


@pytest.fixture
def launch(qtbot):
    made = []

    def make(path):
        launcher = Launcher(path, today=TODAY)
        launcher.quits = []
        launcher.sig_quit.connect(launcher.quits.append)
        launcher.start()
        made.append(launcher)
        # The database opens on the worker: wait until the launcher has decided what to show.
        qtbot.waitUntil(lambda: not launcher.opening, timeout=WAIT)
        return launcher

    yield make
    for launcher in made:
        flow = launcher.flow
        if flow is not None:
            if flow.login is not None:
                flow.login.close()
            if flow.window is not None:
                flow.window.close()
                flow.window.tasks.wait(WAIT)
            flow.tasks.wait(WAIT)
        for dialog in (launcher.damaged, launcher.box, launcher.notice):
            if dialog is not None:
                dialog.close()
        launcher.release()
    storage.close()


def sign_in(qtbot, flow, name="admin", password=ADMIN_PW):
    qtbot.waitUntil(lambda: flow.login is not None and flow.login.isVisible(), timeout=WAIT)
    flow.login.username.setText(name)
    flow.login.password.setText(password)
    qtbot.keyClick(flow.login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: flow.window is not None and flow.window.isVisible(), timeout=WAIT)
    return flow.window


def test_a_second_copy_is_refused_with_the_chinese_message_and_exits_1(qtbot, root, launch):
    held = instance_lock.acquire(root)  # the first program
    try:
        launcher = launch(root)
        box = launcher.box
        assert box is not None and box.isVisible() and box.objectName() == "secondInstanceBox"
        assert "该数据目录已被另一个信访接待台窗口打开" in box.text()
        assert "进程" in box.text()  # who holds it
        assert launcher.flow is None and launcher.lock is None
        answer(qtbot, box, "确定")
        assert launcher.quits == [1]
    finally:
        instance_lock.release(held)
    # Once the first program has ended, the next start gets the lock and the sign-in.
    launcher = launch(root)
    assert launcher.lock is not None and launcher.lock.held
    qtbot.waitUntil(lambda: launcher.flow.login is not None and launcher.flow.login.isVisible(),
                    timeout=WAIT)


def test_a_damaged_database_offers_the_newest_good_backup_and_restoring_opens_the_program(
        qtbot, root, launch):
    storage.open_data_dir(root)
    good = backup.backup_now(root)
    storage.close()
    damage(DataDir(root).database)
    before = DataDir(root).database.read_bytes()

    launcher = launch(root)
    dialog = launcher.damaged
    assert dialog is not None and dialog.isVisible()
    assert dialog.objectName() == "damagedDatabaseDialog"
    what = dialog.findChild(object, "damagedWhat").text()
    assert "数据库文件已损坏" in what and "xinfang-desk restore" not in what
    offer = dialog.offer.text()
    assert f"最近的完好备份：{good.name}" in offer and "事项 30 件" in offer
    assert "damaged-" in offer
    assert launcher.flow is None

    click(qtbot, dialog.restore_button)
    assert dialog.busy and dialog.progress.isVisible()
    qtbot.waitUntil(lambda: launcher.notice is not None and launcher.notice.isVisible(),
                    timeout=WAIT)
    notice = launcher.notice
    assert "事项 30 件" in notice.text() and "损坏的原数据库文件已移到" in notice.text()
    [aside] = DataDir(root).backups.glob("damaged-*.sqlite3")
    assert aside.read_bytes() == before  # kept, unchanged
    answer(qtbot, notice, "继续")

    window = sign_in(qtbot, launcher.flow)
    assert count_cases() == 30
    restore_row = AuditLog.get(AuditLog.action == "restore")
    assert restore_row.actor == session.SYSTEM.username
    assert launcher.quits == []
    window.close()
    qtbot.waitUntil(lambda: launcher.quits == [0], timeout=WAIT)


def test_quitting_at_a_damaged_database_leaves_the_file_as_it_was(qtbot, root, launch):
    damage(DataDir(root).database)
    before = DataDir(root).database.read_bytes()
    launcher = launch(root)
    dialog = launcher.damaged
    assert "没有找到可用的备份" in dialog.offer.text()
    assert not dialog.restore_button.isVisible() and dialog.choose_button.isVisible()
    click(qtbot, dialog.quit_button)
    assert launcher.quits == [1]
    assert DataDir(root).database.read_bytes() == before
    assert not list(DataDir(root).backups.glob("damaged-*"))


def test_sign_in_makes_the_daily_backup_and_shows_a_missing_usb_stick_in_the_status_bar(
        qtbot, root, launch, tmp_path):
    storage.open_data_dir(root)
    with session.acting_as(session.SYSTEM):
        settings.put("backup_mirror_dir", str(tmp_path / "unplugged"))
    storage.close()
    launcher = launch(root)
    window = sign_in(qtbot, launcher.flow)
    qtbot.waitUntil(lambda: "U盘是否已插入" in window.statusBar().currentMessage(), timeout=WAIT)
    [daily] = backup.list_backups(DataDir(root).backups)
    assert daily.reason == "daily" and daily.created.date() == TODAY and daily.cases == 30


def test_closing_the_window_makes_the_exit_backup_before_quitting(qtbot, root, launch):
    launcher = launch(root)
    window = sign_in(qtbot, launcher.flow)
    qtbot.waitUntil(lambda: bool(backup.list_backups(DataDir(root).backups)), timeout=WAIT)
    window.close()
    qtbot.waitUntil(lambda: launcher.quits == [0], timeout=WAIT)
    reasons = sorted(b.reason for b in backup.list_backups(DataDir(root).backups))
    assert reasons == ["daily", "exit"]
    assert AuditLog.select().where(AuditLog.action == "logout").exists()


def test_a_restore_in_the_settings_returns_to_the_sign_in(qtbot, root, launch):
    launcher = launch(root)
    flow = launcher.flow
    window = sign_in(qtbot, flow)
    window.tabs.setCurrentWidget(window.settings)
    page = window.settings.backup
    window.settings.tabs.setCurrentIndex(window.settings.tabs.indexOf(page.parentWidget()
                                                                      .parentWidget()))
    qtbot.waitUntil(lambda: any(b.reason == "daily" for b in page.backups), timeout=WAIT)
    with session.acting_as(session.SYSTEM):
        register_case(intake(summary="备份之后登记的事项"), today=TODAY)
    assert count_cases() == 31
    daily = next(i for i, b in enumerate(page.backups) if b.reason == "daily")
    page.table.selectRow(daily)
    page.restore_selected()
    with qtbot.waitSignal(page.sig_finished, timeout=WAIT) as blocker:
        answer(qtbot, page.confirm_box, "恢复")
    assert blocker.args[0] is True, blocker.args
    assert count_cases() == 30
    answer(qtbot, page.result_box, "确定")
    qtbot.waitUntil(lambda: flow.login is not None and flow.login.isVisible(), timeout=WAIT)
    assert flow.window is None and (not shiboken6.isValid(window) or not window.isVisible())
    assert session.current() is session.SYSTEM
    assert launcher.quits == []  # the program goes on
    sign_in(qtbot, flow)
    assert count_cases() == 30


def test_run_gui_refuses_a_second_copy_with_exit_code_1(qtbot, root, qapp):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from xinfang_desk.app import run_gui

    seen = []

    def read_and_close():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                seen.append((widget.objectName(), widget.text()))
                widget.buttons()[0].click()

    held = instance_lock.acquire(root)
    quit_on_last = qapp.quitOnLastWindowClosed()
    try:
        QTimer.singleShot(200, read_and_close)
        assert run_gui(str(root)) == 1
    finally:
        instance_lock.release(held)
        qapp.setQuitOnLastWindowClosed(quit_on_last)
    [(name, text)] = seen
    assert name == "secondInstanceBox" and "同一数据目录同时只能由一个窗口使用" in text


# ---------------------------------------------------------------------------- the start-up check

def _hold_the_check(monkeypatch):
    """Make the start-up check wait for the test (it reads the whole file: seconds on a big
    database); returns the event that lets it go on."""
    import threading

    go = threading.Event()
    real = storage.StartupCheck.run

    def held(self):
        assert go.wait(WAIT / 1000)
        real(self)

    monkeypatch.setattr(storage.StartupCheck, "run", held)
    return go


def test_a_clean_start_reads_no_whole_file(qtbot, root, launch, monkeypatch):
    """Closed cleanly and checked today: no integrity check, the main window at once."""
    calls = []
    monkeypatch.setattr(storage.StartupCheck, "run", lambda self: calls.append(self.reason))
    launcher = launch(root)
    assert launcher.check_state == "passed"
    sign_in(qtbot, launcher.flow)
    assert calls == []


def test_the_sign_in_shows_before_the_integrity_check_ends_and_the_window_waits_for_it(
        qtbot, root, launch, monkeypatch):
    """After an unclean stop the whole file is checked before the main window opens."""
    stop_uncleanly(root)
    go = _hold_the_check(monkeypatch)
    launcher = launch(root)
    flow = launcher.flow
    assert launcher.check_state == "running"
    qtbot.waitUntil(lambda: flow.login is not None and flow.login.isVisible(), timeout=WAIT)
    flow.login.username.setText("admin")
    flow.login.password.setText(ADMIN_PW)
    qtbot.keyClick(flow.login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: flow._splash is not None and flow._splash.isVisible(), timeout=WAIT)
    assert flow._splash.text() == "正在检查数据库完整性，请稍候……"
    assert flow.window is None
    go.set()
    qtbot.waitUntil(lambda: flow.window is not None and flow.window.isVisible(), timeout=WAIT)
    assert flow._splash is None and launcher.check_state == "passed"
    assert launcher.quits == []


def test_damage_found_by_the_check_replaces_the_sign_in_by_the_restore_offer(
        qtbot, root, launch, monkeypatch):
    """Damage that opening the file does not touch (the last pages: an index) is found by the
    start-up check running beside the sign-in; the sign-in goes, the restore offer comes, the
    program does not quit and the file is left as it was."""
    storage.open_data_dir(root)
    good = backup.backup_now(root)
    storage.close()
    stop_uncleanly(root)
    path = DataDir(root).database
    before = damage_last_page(path)
    go = _hold_the_check(monkeypatch)

    launcher = launch(root)
    flow = launcher.flow
    qtbot.waitUntil(lambda: flow.login is not None and flow.login.isVisible(), timeout=WAIT)
    login = flow.login
    go.set()
    qtbot.waitUntil(lambda: launcher.damaged is not None and launcher.damaged.isVisible(),
                    timeout=WAIT)
    assert launcher.check_state == "failed" and launcher.flow is None
    assert not shiboken6.isValid(login) or not login.isVisible()
    assert "数据库文件已损坏" in launcher.damaged.findChild(object, "damagedWhat").text()
    assert f"最近的完好备份：{good.name}" in launcher.damaged.offer.text()
    assert launcher.quits == []
    click(qtbot, launcher.damaged.quit_button)
    assert launcher.quits == [1]
    assert path.read_bytes() == before


def test_the_daily_check_runs_beside_the_work_and_damage_it_finds_ends_the_session(
        qtbot, root, launch, monkeypatch):
    """Closed cleanly, but the last full check was two days ago: the main window does not wait
    for it; when it finds damage, the window goes and the restore offer comes."""
    storage.open_data_dir(root)
    good = backup.backup_now(root)
    storage.close()
    path = DataDir(root).database
    before = damage_last_page(path)
    make_check_due(root)
    go = _hold_the_check(monkeypatch)

    launcher = launch(root)
    assert launcher.check_state == "passed"  # nothing waits for the daily check
    window = sign_in(qtbot, launcher.flow)
    assert window.isVisible()
    go.set()
    qtbot.waitUntil(lambda: launcher.damaged is not None and launcher.damaged.isVisible(),
                    timeout=WAIT)
    assert launcher.flow is None and (not shiboken6.isValid(window) or not window.isVisible())
    assert f"最近的完好备份：{good.name}" in launcher.damaged.offer.text()
    click(qtbot, launcher.damaged.quit_button)
    assert launcher.quits == [1]
    assert path.read_bytes() == before


def test_a_program_left_open_runs_the_daily_check_when_it_comes_due(
        qtbot, root, launch, monkeypatch):
    """The counter PC stays open for days: the daily check starts by itself once due, in the
    background, and damage it finds ends the session with the restore offer."""
    from xinfang_desk.ui.startup import recovery

    launcher = launch(root)
    assert launcher.daily_timer is not None and launcher.daily_timer.isActive()
    assert launcher.daily_timer.interval() == recovery.DAILY_CHECK_POLL_MS
    window = sign_in(qtbot, launcher.flow)
    calls = []
    real = storage.StartupCheck.run
    monkeypatch.setattr(storage.StartupCheck, "run", lambda self: calls.append(1) or real(self))
    launcher.daily_tick()  # checked at start: not due, nothing runs
    assert calls == [] and not launcher.checking
    path = DataDir(root).database
    before = damage_last_page(path)
    make_check_due(root)
    launcher.daily_tick()  # as the timer would, a day later
    qtbot.waitUntil(lambda: launcher.damaged is not None and launcher.damaged.isVisible(),
                    timeout=WAIT)
    assert calls == [1] and launcher.flow is None
    assert not shiboken6.isValid(window) or not window.isVisible()
    click(qtbot, launcher.damaged.quit_button)
    assert path.read_bytes() == before


def test_a_slow_opening_says_what_is_going_on_and_then_signs_in(qtbot, root, monkeypatch):
    """Opening (an update's migration of a large history) runs on the worker; after a moment
    a notice says the database is being opened, and the sign-in follows when it is done."""
    import threading

    go = threading.Event()
    real = storage.open_unchecked

    def slow(path, **kw):
        assert go.wait(WAIT / 1000)
        return real(path, **kw)

    monkeypatch.setattr(storage, "open_unchecked", slow)
    launcher = Launcher(root, today=TODAY)
    launcher.start()
    try:
        qtbot.waitUntil(lambda: launcher.splash is not None and launcher.splash.isVisible(),
                        timeout=WAIT)
        assert launcher.splash.text().startswith("正在打开数据库，请稍候")
        assert launcher.flow is None
        go.set()
        qtbot.waitUntil(lambda: launcher.flow is not None and launcher.flow.login is not None
                        and launcher.flow.login.isVisible(), timeout=WAIT)
        assert launcher.splash is None
    finally:
        go.set()
        if launcher.flow is not None and launcher.flow.login is not None:
            launcher.flow.login.close()
            launcher.flow.tasks.wait(WAIT)
        launcher.release()
        storage.close()
