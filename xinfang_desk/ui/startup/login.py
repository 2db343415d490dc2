"""Sign-in.

The password is checked on the worker thread (scrypt takes a noticeable moment on purpose);
meanwhile the form is disabled. Every refusal of the core (wrong password, how many tries are
left, the five-minute lock-out, a disabled account) is shown in the dialog as the core words it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from xinfang_desk import APP_TITLE
from xinfang_desk.core.session import Actor
from xinfang_desk.ui.startup.connect import database_row
from xinfang_desk.ui.widgets.forms import (
    HINT_STYLE,
    error_label,
    password_edit,
    set_error,
)
from xinfang_desk.ui.widgets.tasks import TaskRunner


class LoginDialog(QDialog):
    sig_signed_in = Signal(object)
    """The password was right: the Actor (not yet made the process's actor)."""
    sig_connect_server = Signal()
    """连接服务器…: this desk should work on another database (the launcher asks which)."""

    def __init__(self, tasks: TaskRunner, *, username: str = "", hint: str = "",
                 message: str = "", where: str = "", parent=None):
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle(f"{APP_TITLE} — 登录")
        self._tasks = tasks
        self.actor: Actor | None = None
        self.busy = False

        title = QLabel(APP_TITLE)
        title.setObjectName("loginTitle")
        title.setStyleSheet("font-size:18pt;font-weight:bold")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle = QLabel("请使用本人账户登录")
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        subtitle.setStyleSheet(HINT_STYLE)

        self.username = QLineEdit(username)
        self.username.setObjectName("loginUsername")
        self.username.setMinimumWidth(240)
        self.password = password_edit("loginPassword")
        form = QFormLayout()
        form.addRow("用户名：", self.username)
        form.addRow("密码：", self.password)

        self.message = error_label("loginMessage")
        set_error(self.message, message)
        self.hint = QLabel(hint)
        self.hint.setObjectName("loginHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(HINT_STYLE)
        self.hint.setVisible(bool(hint))

        buttons = QDialogButtonBox()
        self.login_button = QPushButton("登录")
        self.login_button.setObjectName("loginButton")
        self.login_button.setDefault(True)  # Enter in either field signs in
        self.cancel_button = QPushButton("退出")
        self.cancel_button.setObjectName("loginCancel")
        self.cancel_button.setAutoDefault(False)
        buttons.addButton(self.login_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.login_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)
        if where:
            layout.addWidget(database_row(where, self._connect_server))
        self.setMinimumWidth(420)
        (self.password if username else self.username).setFocus()

    def _connect_server(self) -> None:
        if not self.busy:
            self.sig_connect_server.emit()

    def submit(self) -> None:
        if self.busy:
            return
        name, password = self.username.text().strip(), self.password.text()
        if not name or not password:
            set_error(self.message, "请输入用户名和密码。")
            (self.username if not name else self.password).setFocus()
            return
        from xinfang_desk.core.people import users

        self._set_busy(True)
        self._tasks.run(lambda: users.authenticate(name, password), self._done, self._failed)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        # Read-only, not disabled: the focus stays in the field and Enter keeps meaning 登录.
        self.username.setReadOnly(busy)
        self.password.setReadOnly(busy)
        self.login_button.setEnabled(not busy)
        self.login_button.setDefault(True)
        if busy:
            set_error(self.message, "")
            self.login_button.setText("正在验证…")
        else:
            self.login_button.setText("登录")

    def _done(self, actor: Actor) -> None:
        self._set_busy(False)
        self.actor = actor
        self.password.clear()
        self.sig_signed_in.emit(actor)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        set_error(self.message, str(exc))
        self.password.clear()
        self.password.setFocus()

    def reject(self) -> None:
        if not self.busy:  # the check under way decides; Esc does not race it
            super().reject()


