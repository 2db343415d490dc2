"""First start: no account exists yet, so the office's administrator account is created.

The administrator keeps the system (settings, users, backups), not cases: the reception staff
get their own accounts from the administrator afterwards (设置 › 用户与安全)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout

from xinfang_desk import APP_TITLE
from xinfang_desk.ui.startup.connect import database_row
from xinfang_desk.ui.widgets.forms import HINT_STYLE, PASSWORD_RULES, FieldForm, password_edit
from xinfang_desk.ui.widgets.tasks import TaskRunner

INTRO = ("首次使用，请创建管理员账户。管理员负责设置、用户和备份，不办理信访事项；"
         "接待员和负责人的账户由管理员在“设置 › 用户与安全”中创建。")


def create_first_admin(username: str, password: str, display_name: str):
    """Worker thread: the first account, only while there is none (SYSTEM may create any
    account, so this dialog must not outlive the moment it was shown for)."""
    from xinfang_desk.core import session
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.people import users

    if users.accounts_exist():
        raise XinfangError("已有用户账户，请关闭本窗口后用已有账户登录。")
    return users.create_user(username, password, session.ADMIN, display_name)


class FirstAdminDialog(FieldForm):
    sig_created = Signal(str)
    """The admin account was created (its username)."""
    sig_connect_server = Signal()
    """连接服务器…: the office already has a server; this desk should use it instead."""

    def __init__(self, tasks: TaskRunner, where: str = "", parent=None):
        super().__init__(parent)
        self.setObjectName("firstAdminDialog")
        self.setWindowTitle(f"{APP_TITLE} — 创建管理员账户")
        self._tasks = tasks
        self.busy = False
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.username = QLineEdit()
        self.username.setObjectName("adminUsername")
        self.username.setPlaceholderText("登录时输入，如 admin")
        self.add_field("用户名", self.username)
        self.display_name = QLineEdit()
        self.display_name.setObjectName("adminDisplayName")
        self.display_name.setPlaceholderText("管理员本人姓名")
        self.add_field("姓名", self.display_name)
        self.password = self.add_field("密码", password_edit("adminPassword"))
        self.again = self.add_field("再次输入密码", password_edit("adminPasswordAgain"))
        rules = QLabel(PASSWORD_RULES + "请牢记密码：忘记后只能由另一名管理员重设。")
        rules.setObjectName("passwordRules")
        rules.setWordWrap(True)
        rules.setStyleSheet(HINT_STYLE)
        buttons = self.ok_cancel("创建管理员账户", "createAdminButton", "退出")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setObjectName("firstAdminCancel")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addWidget(rules)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        if where:
            layout.addWidget(database_row(where, self._connect_server))
        self.setMinimumWidth(520)
        self.username.setFocus()

    def _connect_server(self) -> None:
        if not self.busy:
            self.sig_connect_server.emit()

    def submit(self) -> None:
        from xinfang_desk.core.errors import FieldError
        from xinfang_desk.core.people import users

        if self.busy:
            return
        self.clear_errors()
        name, display = self.username.text().strip(), self.display_name.text().strip()
        password, again = self.password.text(), self.again.text()
        errors = []
        if not name:
            errors.append(FieldError("用户名", "不能为空"))
        try:
            users.check_password(password)  # pure: the rules, no database
        except FieldError as exc:
            errors.append(exc)
        if password != again:
            errors.append(FieldError("再次输入密码", "两次输入的密码不一致"))
        if errors:
            for exc in errors:
                self.show_error(exc)
            return
        self.busy = True
        self.ok_button.setEnabled(False)
        self._tasks.run(lambda: create_first_admin(name, password, display),
                        self._done, self._failed)

    def _done(self, info) -> None:
        self.busy = False
        self.ok_button.setEnabled(True)
        self.sig_created.emit(info.username)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self.ok_button.setEnabled(True)
        self.show_error(exc)

    def reject(self) -> None:
        if not self.busy:
            super().reject()
