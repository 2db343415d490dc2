"""From start to the main window and back: first admin, sign-in, sign-out, quit.

    start ─(worker: demo data and accounts if asked, do accounts exist?)─┐
      no account  → FirstAdminDialog → LoginDialog (the new name filled in)
      accounts    → LoginDialog (with the demo hint on the demo database)
    LoginDialog ok → the user becomes the process's actor → main window for that role
    退出登录/切换用户 (menu or lock screen) → window closes → LoginDialog again
    Cancel in either dialog, or closing the main window → sig_quit
    signed in → the day's automatic backup (worker thread; warnings in the status bar)
    main window closed → the exit backup (worker thread), then sig_quit
    restore in 设置 › 数据安全 → window closes → sign-in again (restart)

Every database step and password check runs on a worker thread.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget

from xinfang_desk import APP_TITLE
from xinfang_desk.core.paths import DataDir
from xinfang_desk.core.session import Actor
from xinfang_desk.ui.startup.first_admin import FirstAdminDialog
from xinfang_desk.ui.startup.login import LoginDialog
from xinfang_desk.ui.widgets.tasks import TaskRunner

DEMO_CASES = 300
EXIT_NOTICE_MS = 400  # the exit backup usually ends before this; otherwise say what is going on

log = logging.getLogger(__name__)


def prepare(demo: bool) -> tuple[bool, str]:
    """Worker thread: with `demo` on an empty database, the demo history and (if there is no
    account yet) the demo accounts. Returns (accounts exist, the sign-in hint)."""
    from xinfang_desk.core.people import users

    if demo:
        from xinfang_desk.core.cases.records import count_cases
        from xinfang_desk.core.demo.generate import generate_demo

        if count_cases() == 0:
            generate_demo(DEMO_CASES, seed=1)
            if not users.accounts_exist():
                users.create_demo_accounts()
    return users.accounts_exist(), users.demo_hint()


def make_splash(text: str, name: str) -> QLabel:
    """A small window that says what the program is doing while nothing else is shown."""
    splash = QLabel(text)
    splash.setObjectName(name)
    splash.setWindowTitle(APP_TITLE)
    splash.setAlignment(Qt.AlignmentFlag.AlignCenter)
    splash.setMinimumSize(360, 100)
    splash.setContentsMargins(28, 16, 28, 16)
    splash.show()
    return splash


def database_label(data_dir: DataDir) -> str:
    """Which database the dialogs at start work on: the server, or this PC's file."""
    from xinfang_desk.core.store import server

    choice = server.in_use()
    return f"数据库：服务器 {choice.label}" if choice else f"数据库：本机 {data_dir.database}"


def _noop(_result=None) -> None:
    pass


def _belongs_to(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if parent is window:
            return True
        parent = parent.parentWidget()
    return False


class StartupFlow(QObject):
    sig_quit = Signal(int)
    """The program should end (exit code): sign-in cancelled, main window closed, or an error."""
    sig_window_opened = Signal(object)
    """A user signed in and their main window is shown."""
    sig_connect_requested = Signal()
    """连接服务器… in the first-admin or sign-in dialog: the launcher chooses the database anew."""

    def __init__(self, data_dir: DataDir, *, demo: bool = False, today: dt.date | None = None,
                 idle_lock_ms: int | None = None,
                 window_gate: Callable[[Callable[[], None]], bool] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.data_dir, self.demo, self.today = data_dir, demo, today
        self.idle_lock_ms = idle_lock_ms
        # Runs the main window's opening once the start-up integrity check has passed
        # (ui.startup.recovery.Launcher.when_checked); False while it is still running.
        self.window_gate = window_gate
        self.abandoned = False
        self.tasks = TaskRunner(self)
        self.first_admin: FirstAdminDialog | None = None
        self.login: LoginDialog | None = None
        self.window = None
        self.hint = ""
        self.error = ""
        self._splash: QLabel | None = None
        self._exit_backup_running = False
        self._quitting = False

    def start(self) -> None:
        if self.demo:
            self._show_splash("正在准备演示数据，请稍候……", "startupSplash")
        demo = self.demo
        self.tasks.run(lambda: prepare(demo), self._prepared, self._failed)

    def _show_splash(self, text: str, name: str) -> None:
        self._splash = make_splash(text, name)

    def _close_splash(self) -> None:
        if self._splash is not None:
            self._splash.close()
            self._splash.deleteLater()
            self._splash = None

    def _prepared(self, state: tuple[bool, str]) -> None:
        self._close_splash()
        accounts, self.hint = state
        if accounts:
            self.show_login()
        else:
            self.first_admin = FirstAdminDialog(self.tasks, where=database_label(self.data_dir))
            self.first_admin.sig_created.connect(self._admin_created)
            self.first_admin.sig_connect_server.connect(self.sig_connect_requested)
            self.first_admin.rejected.connect(self._cancelled)
            self.first_admin.show()

    def _cancelled(self) -> None:
        if not self.abandoned:
            self.sig_quit.emit(0)

    def abandon(self) -> None:
        """The database turned out damaged (the start-up check, or the daily one running beside
        the work): close the dialogs and the main window without quitting, without the exit
        backup or the sign-out row (the launcher shows the damaged-database dialog instead;
        a form under way keeps its draft)."""
        self.abandoned = True
        self._close_splash()
        for dialog in (self.login, self.first_admin):
            if dialog is not None:
                dialog.close()
                dialog.deleteLater()
        self.login = self.first_admin = None
        window, self.window = self.window, None  # the event filter lets this close pass
        if window is not None:
            self._close_windows_of(window)
            window.close()  # waits for its worker
            window.deleteLater()

    def _failed(self, exc: Exception) -> None:
        self._close_splash()
        self.error = str(exc)
        box = QMessageBox(QMessageBox.Icon.Critical, APP_TITLE, self.error)
        box.setObjectName("startupError")
        box.finished.connect(lambda _r: self.sig_quit.emit(1))
        box.open()
        self._error_box = box

    def _admin_created(self, username: str) -> None:
        dialog, self.first_admin = self.first_admin, None
        if dialog is not None:
            dialog.deleteLater()
        self.show_login(username)

    # ------------------------------------------------------------------ sign-in

    def show_login(self, username: str = "") -> None:
        self.login = LoginDialog(self.tasks, username=username, hint=self.hint,
                                 where=database_label(self.data_dir))
        self.login.sig_signed_in.connect(self._signed_in)
        self.login.sig_connect_server.connect(self.sig_connect_requested)
        self.login.rejected.connect(self._cancelled)
        self.login.show()
        self.login.raise_()
        self.login.activateWindow()

    def _signed_in(self, actor: Actor) -> None:
        from xinfang_desk.core import session

        dialog, self.login = self.login, None
        if dialog is not None:
            dialog.deleteLater()
        session.set_current(actor)
        if self.window_gate is None:
            self._open_window()
        elif not self.window_gate(self._open_window):
            self._show_splash("正在检查数据库完整性，请稍候……", "startupCheckSplash")

    def _open_window(self) -> None:
        from xinfang_desk.ui.main_window import build_main_window

        if self.abandoned:
            return
        self._close_splash()
        self.window = build_main_window(self.data_dir, today=self.today,
                                        idle_lock_ms=self.idle_lock_ms)
        self.window.account.sig_sign_out_requested.connect(self.sign_out)
        backup_page = getattr(self.window.settings, "backup", None)
        if backup_page is not None:
            backup_page.sig_restored.connect(self.restart)
        self.window.installEventFilter(self)
        self.window.show()
        self.sig_window_opened.emit(self.window)
        self._auto_backup(self.window)

    # ------------------------------------------------------------------ backups

    def _auto_backup(self, window) -> None:
        """The day's backup on the first sign-in of a day, on the window's worker (queued after
        the pages' first loads); its warnings (e.g. the USB stick missing) go to the status bar,
        never into a dialog."""
        from xinfang_desk.core.store import backup

        data_dir, today = self.data_dir, self.today
        window.tasks.run(lambda: backup.auto_backup(data_dir, today),
                         lambda result: self._auto_backup_done(window, result),
                         lambda exc: self._auto_backup_done(window, None, exc))

    def _auto_backup_done(self, window, result, exc: Exception | None = None) -> None:
        if self.window is not window:
            return  # signed out meanwhile
        if exc is not None:
            text = f"今日自动备份未完成：{exc}"
        elif result is None:
            return  # today already has one
        elif result.warnings:
            text = "；".join(result.warnings)
        else:
            text = f"已完成今日自动备份：{result.path.name}"
        window.statusBar().showMessage(text, 120000 if exc or (result and result.warnings)
                                       else 15000)
        page = getattr(window.settings, "backup", None)
        if page is not None and page.loaded:
            page.refresh()

    def _exit_backup(self, window) -> None:
        from xinfang_desk.core.store import backup

        data_dir = self.data_dir
        self._exit_backup_running = True
        window.tasks.run(lambda: backup.exit_backup(data_dir), self._exit_backup_done,
                         lambda exc: self._exit_backup_done(None, exc))

    def _exit_backup_done(self, result, exc: Exception | None = None) -> None:
        self._exit_backup_running = False
        if exc is not None:
            log.warning("exit backup failed: %s", exc)
        elif result is not None and result.warnings:
            log.warning("exit backup: %s", "; ".join(result.warnings))
        if self._quitting:
            self._close_splash()
            self.sig_quit.emit(0)

    def _exit_notice(self) -> None:
        if self._exit_backup_running and self._splash is None:
            self._show_splash("正在备份数据，请稍候……", "exitBackupSplash")

    def _close_windows_of(self, window) -> None:
        """Stop watching the window, take its lock away and close its other windows."""
        window.removeEventFilter(self)
        window.account.idle_lock.release()
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and _belongs_to(widget, window):
                widget.close()

    def restart(self, _result=None) -> None:
        """After a restore: close the window (its data is gone) and sign in again; the restored
        database has its own accounts. No sign-out row: the audit trail is the restored one."""
        from xinfang_desk.core import session

        window, self.window = self.window, None
        if window is None:
            return
        self._close_windows_of(window)
        window.close()
        window.deleteLater()
        session.set_current(None)
        self.start()

    # ------------------------------------------------------------------ sign-out / quit

    def sign_out(self) -> None:
        """Close the user's windows (forms under way are abandoned, as on any sign-out) and
        ask for a sign-in again."""
        from xinfang_desk.core import session
        from xinfang_desk.core.people import users

        window, self.window = self.window, None
        if window is None:
            return
        name = session.current().username
        self._close_windows_of(window)
        window.tasks.run(lambda: users.sign_out(name), _noop, _noop)
        window.close()  # waits for the worker, the sign-out row included
        window.deleteLater()
        session.set_current(None)
        self.show_login()

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        if obj is self.window and event.type() == QEvent.Type.Close:
            from xinfang_desk.core import session
            from xinfang_desk.core.people import users

            name = session.current().username
            # Queued before the window's closeEvent, which waits for the worker.
            self.window.tasks.run(lambda: users.sign_out(name), _noop, _noop)
            self._exit_backup(self.window)
            QTimer.singleShot(0, self._window_closed)
        return False

    def _window_closed(self) -> None:
        if self.window is not None and not shiboken6.isValid(self.window):
            return  # deleted meanwhile (the program is ending anyway)
        if self.window is not None and not self.window.isVisible():
            if not self._exit_backup_running:
                self.sig_quit.emit(0)
                return
            self._quitting = True  # sig_quit once the exit backup is written
            QTimer.singleShot(EXIT_NOTICE_MS, self._exit_notice)
