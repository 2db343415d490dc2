"""Idle lock (等保2.0 session timeout): no keyboard or mouse input for `idle_lock_minutes`
(setting, 1–120, default 10; there is deliberately no "never") and the program hides its data
until the signed-in user types their password again.

Locking hides the main window's pages (the central widget) and puts an opaque cover over every
other open window (case details, a half-filled form: covered, not closed, so nothing typed is
lost). The password is asked by a frameless, application-modal lock screen laid exactly over
the main window: being the newest modal window it takes the input even when a modal form was
open. The password is checked on the worker thread with the usual lock-out rules (five wrong
tries lock the account for five minutes); 切换用户 signs out to the sign-in dialog instead.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk import APP_TITLE
from xinfang_desk.core.session import Actor
from xinfang_desk.ui.widgets.forms import error_label, password_edit, set_error
from xinfang_desk.ui.widgets.tasks import TaskRunner

DEFAULT_MINUTES = 10
BACKDROP = "#2c3e50"
ACTIVITY = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})
_GEOMETRY = frozenset({QEvent.Type.Move, QEvent.Type.Resize})


def _opaque(widget: QWidget, colour: str = BACKDROP) -> None:
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(colour))
    widget.setPalette(palette)
    widget.setAutoFillBackground(True)


class LockScreen(QDialog):
    """What a locked program shows: who is signed in, a password field, 解锁 and 切换用户."""

    sig_unlocked = Signal()
    sig_switch_user = Signal()

    def __init__(self, window: QWidget, tasks: TaskRunner, actor: Actor, *, idle: bool = True):
        super().__init__(window, Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("lockScreen")
        self.setWindowTitle(f"{APP_TITLE} — 已锁定")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        _opaque(self)
        self._tasks, self._actor = tasks, actor
        self._may_close = False
        self.busy = False

        card = QFrame()
        card.setObjectName("lockCard")
        card.setStyleSheet("#lockCard{background:#ffffff;border-radius:8px}")
        card.setFixedWidth(440)
        title = QLabel("屏幕已锁定")
        title.setStyleSheet("font-size:18pt;font-weight:bold")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        who = QLabel(f"当前用户：{actor.label}")
        who.setObjectName("lockUser")
        who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        reason = ("长时间无操作，为保护信访人个人信息，屏幕已自动锁定。" if idle
                  else "屏幕已锁定。")
        explain = QLabel(reason + "请输入本人密码解锁。")
        explain.setWordWrap(True)
        explain.setStyleSheet("color:#555")
        self.password = password_edit("lockPassword")
        self.message = error_label("lockMessage")
        self.unlock_button = QPushButton("解锁")
        self.unlock_button.setObjectName("lockUnlockButton")
        self.unlock_button.setDefault(True)
        self.switch_button = QPushButton("切换用户")
        self.switch_button.setObjectName("lockSwitchUser")
        self.switch_button.setAutoDefault(False)
        self.unlock_button.clicked.connect(self.submit)
        self.switch_button.clicked.connect(self.sig_switch_user)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.switch_button)
        buttons.addWidget(self.unlock_button)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(10)
        for widget in (title, who, explain):
            inner.addWidget(widget)
        row = QHBoxLayout()
        row.addWidget(QLabel("密码："))
        row.addWidget(self.password, 1)
        inner.addLayout(row)
        inner.addWidget(self.message)
        inner.addLayout(buttons)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        centre = QHBoxLayout()
        centre.addStretch(1)
        centre.addWidget(card)
        centre.addStretch(1)
        outer.addLayout(centre)
        outer.addStretch(2)
        self.password.setFocus()

    def submit(self) -> None:
        if self.busy:
            return
        password = self.password.text()
        if not password:
            set_error(self.message, "请输入密码。")
            return
        from xinfang_desk.core.people import users

        self.busy = True
        self.unlock_button.setEnabled(False)
        self.password.setReadOnly(True)  # not disabled: the focus and Enter stay here
        set_error(self.message, "")
        name = self._actor.username
        self._tasks.run(lambda: users.authenticate(name, password, event="unlocked"),
                        self._done, self._failed)

    def _done(self, actor: Actor) -> None:
        self.busy = False
        if actor.username != self._actor.username:  # cannot happen; never unlock for another
            self._failed(RuntimeError("用户不符。"))
            return
        self.sig_unlocked.emit()

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self.unlock_button.setEnabled(True)
        self.unlock_button.setDefault(True)
        self.password.setReadOnly(False)
        self.password.clear()
        self.password.setFocus()
        set_error(self.message, str(exc))

    def dismiss(self) -> None:
        self._may_close = True
        self.close()

    def reject(self) -> None:  # Esc does not unlock
        if self._may_close:
            super().reject()

    def closeEvent(self, event):  # noqa: N802 - Qt API
        if self._may_close:
            super().closeEvent(event)
        else:
            event.ignore()


class _Cover(QWidget):
    """An opaque sheet over one other window while locked."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("lockCover")
        _opaque(self)
        label = QLabel("已锁定", self)
        label.setStyleSheet("color:#ffffff;font-size:14pt")
        layout = QVBoxLayout(self)
        layout.addWidget(label, 0, Qt.AlignmentFlag.AlignCenter)
        self.setGeometry(parent.rect())
        self.raise_()
        self.show()


class IdleLock(QObject):
    """Watches all keyboard and mouse input of the program and locks `window` when idle.

    `interval_ms` is for tests (and fixes the interval); otherwise the `idle_lock_minutes`
    setting is read on the worker thread, and again whenever `reload` is called."""

    sig_locked = Signal()
    sig_unlocked = Signal()
    sig_switch_user = Signal()

    def __init__(self, window: QMainWindow, tasks: TaskRunner, actor: Actor, *,
                 interval_ms: int | None = None):
        super().__init__(window)
        self.setObjectName("idleLock")
        self.window, self._tasks, self.actor = window, tasks, actor
        self.screen: LockScreen | None = None
        self._covers: dict[QWidget, _Cover] = {}
        self._hidden_central: QWidget | None = None
        self._stopped = False
        self._fixed = interval_ms is not None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._idle)
        QApplication.instance().installEventFilter(self)
        self.set_interval_ms(interval_ms if interval_ms is not None
                             else DEFAULT_MINUTES * 60_000)
        if not self._fixed:
            self.reload()

    @property
    def locked(self) -> bool:
        return self.screen is not None

    @property
    def minutes(self) -> int:
        return max(1, round(self.timer.interval() / 60_000))

    # ------------------------------------------------------------------ interval

    def reload(self) -> None:
        """Read `idle_lock_minutes` from the database, on the worker: at start (later changes
        on the users page reach `set_minutes` directly)."""
        if self._fixed:
            return
        from xinfang_desk.core.store import settings

        self._tasks.run(lambda: settings.get("idle_lock_minutes"),
                        lambda minutes: self.set_minutes(int(minutes)), lambda _exc: None)

    def set_minutes(self, minutes: int) -> None:
        if not self._fixed:
            self.set_interval_ms(max(1, minutes) * 60_000)

    def set_interval_ms(self, msecs: int) -> None:
        self.timer.setInterval(msecs)
        if not self.locked and not self._stopped:
            self.timer.start()

    def stop(self) -> None:
        """The window is going: no more locking, no more watching."""
        self._stopped = True
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    # ------------------------------------------------------------------ watching

    def eventFilter(self, obj, event):  # noqa: N802 - Qt API
        kind = event.type()
        if kind in ACTIVITY:
            if not self.screen and not self._stopped:
                self.timer.start()  # restarts the countdown
        elif kind in _GEOMETRY:
            if obj is self.window and self.screen is not None:
                self.screen.setGeometry(self.window.frameGeometry())
            elif kind == QEvent.Type.Resize and obj in self._covers:
                self._covers[obj].setGeometry(obj.rect())
        elif kind == QEvent.Type.Close and obj is self.window and not self.locked:
            self.stop()
        return False

    # ------------------------------------------------------------------ lock / unlock

    def _idle(self) -> None:
        if self.window.isVisible():
            self.lock(idle=True)

    def lock(self, *, idle: bool = False) -> None:
        """Hide the data and ask for the password (idle: the timer ran out)."""
        if self.locked or self._stopped:
            return
        self.timer.stop()
        app = QApplication.instance()
        while (popup := app.activePopupWidget()) is not None:  # menus, open drop-downs
            popup.close()
            if app.activePopupWidget() is popup:
                break
        central = self.window.centralWidget()
        if central is not None and central.isVisible():
            central.hide()
            self._hidden_central = central
        self.window.statusBar().clearMessage()
        for widget in app.topLevelWidgets():
            if (widget.isWindow() and widget.isVisible() and widget is not self.window
                    and not isinstance(widget, LockScreen) and widget not in self._covers):
                self._covers[widget] = _Cover(widget)
        self.screen = LockScreen(self.window, self._tasks, self.actor, idle=idle)
        self.screen.sig_unlocked.connect(self._unlock)
        self.screen.sig_switch_user.connect(self.sig_switch_user)
        self.screen.setGeometry(self.window.frameGeometry())
        self.screen.show()
        self.screen.raise_()
        self.screen.activateWindow()
        self.screen.password.setFocus()
        from xinfang_desk.core.people import users

        name, minutes = self.actor.username, self.minutes if idle else None
        self._tasks.run(lambda: users.screen_locked(name, minutes), lambda _r: None,
                        lambda _exc: None)
        self.sig_locked.emit()

    def _unlock(self) -> None:
        self._uncover()
        if not self._stopped:
            self.timer.start()
        self.sig_unlocked.emit()

    def release(self) -> None:
        """Take the lock away without a password (the user is signing out: the window closes)."""
        self._uncover(show_data=False)
        self.stop()

    def _uncover(self, *, show_data: bool = True) -> None:
        for cover in self._covers.values():
            cover.hide()
            cover.deleteLater()
        self._covers.clear()
        if self._hidden_central is not None and show_data:
            self._hidden_central.show()
        self._hidden_central = None
        if self.screen is not None:
            self.screen.dismiss()
            self.screen.deleteLater()
            self.screen = None
