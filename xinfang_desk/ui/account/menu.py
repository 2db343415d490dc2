"""The signed-in user in the main window: name in the title and status bar, the 账户 menu
(修改密码, 锁定屏幕, 退出登录/切换用户) and the idle lock."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow

from xinfang_desk import APP_TITLE, __version__
from xinfang_desk.core.session import Actor
from xinfang_desk.ui.account.idle_lock import IdleLock
from xinfang_desk.ui.account.password import ChangePasswordDialog
from xinfang_desk.ui.widgets.tasks import TaskRunner


class AccountControls(QObject):
    sig_sign_out_requested = Signal()
    """退出登录/切换用户, from the menu or the lock screen: the window is to close."""

    def __init__(self, window: QMainWindow, tasks: TaskRunner, actor: Actor, *,
                 idle_lock_ms: int | None = None):
        super().__init__(window)
        self.setObjectName("accountControls")
        self.window, self._tasks, self.actor = window, tasks, actor
        self.password_dialog: ChangePasswordDialog | None = None

        window.setWindowTitle(f"{APP_TITLE} {__version__} — {actor.label}")
        self.user_label = QLabel(f"当前用户：{actor.label}")
        self.user_label.setObjectName("currentUserLabel")
        window.statusBar().addPermanentWidget(self.user_label)

        self.idle_lock = IdleLock(window, tasks, actor, interval_ms=idle_lock_ms)
        self.idle_lock.sig_switch_user.connect(self.sig_sign_out_requested)

        menu = window.menuBar().addMenu("账户(&A)")
        menu.setObjectName("accountMenu")
        self.change_password_action = QAction("修改密码…", window)
        self.change_password_action.setObjectName("changePasswordAction")
        self.change_password_action.triggered.connect(self.change_password)
        self.lock_action = QAction("锁定屏幕", window)
        self.lock_action.setObjectName("lockAction")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(lambda: self.idle_lock.lock(idle=False))
        self.sign_out_action = QAction("退出登录/切换用户", window)
        self.sign_out_action.setObjectName("signOutAction")
        self.sign_out_action.triggered.connect(self.sig_sign_out_requested)
        for action in (self.change_password_action, self.lock_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.sign_out_action)

    def change_password(self) -> None:
        if self.password_dialog is None:
            self.password_dialog = ChangePasswordDialog(self._tasks, self.actor, self.window)
            self.password_dialog.sig_changed.connect(
                lambda: self.window.statusBar().showMessage("密码已修改。", 10000))
            self.password_dialog.finished.connect(self._password_dialog_closed)
        self.password_dialog.open()

    def _password_dialog_closed(self, _result: int = 0) -> None:
        dialog, self.password_dialog = self.password_dialog, None
        if dialog is not None:
            dialog.deleteLater()
