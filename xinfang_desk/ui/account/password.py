"""Changing one's own password: the old one, the new one twice, checked on the worker (the
scrypt hash takes a noticeable moment on purpose)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QLabel,
    QVBoxLayout,
)

from xinfang_desk.core.session import Actor
from xinfang_desk.ui.widgets.forms import (
    HINT_STYLE,
    PASSWORD_RULES,
    FieldForm,
    password_edit,
    set_error,
)
from xinfang_desk.ui.widgets.tasks import TaskRunner


class ChangePasswordDialog(FieldForm):
    """The signed-in user changes their own password: the old one, the new one twice."""

    sig_changed = Signal()

    def __init__(self, tasks: TaskRunner, actor: Actor, parent=None):
        super().__init__(parent)
        self.setObjectName("changePasswordDialog")
        self.setWindowTitle(f"修改密码 — {actor.label}")
        self._tasks, self._actor = tasks, actor
        self.old = self.add_field("原密码", password_edit("oldPassword"))
        self.new = self.add_field("新密码", password_edit("newPassword"), field="密码")
        self.again = self.add_field("再次输入新密码", password_edit("newPasswordAgain"))
        rules = QLabel(PASSWORD_RULES)
        rules.setStyleSheet(HINT_STYLE)
        buttons = self.ok_cancel("修改密码", "changePasswordButton")
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(rules)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def submit(self) -> None:
        from xinfang_desk.core.errors import FieldError
        from xinfang_desk.core.people import users

        self.clear_errors()
        old, new, again = self.old.text(), self.new.text(), self.again.text()
        if not old:
            self.show_error(FieldError("原密码", "请输入原密码"))
            return
        if new != again:
            self.show_error(FieldError("再次输入新密码", "两次输入的新密码不一致"))
            return
        if new == old:
            self.show_error(FieldError("密码", "新密码不能与原密码相同"))
            return
        try:
            users.check_password(new)  # the rules first: no log-in attempt for a weak one
        except FieldError as exc:
            self.show_error(exc)
            return
        self.ok_button.setEnabled(False)
        name = self._actor.username
        self._tasks.run(lambda: users.change_password(name, old, new), self._done, self._failed)

    def _done(self, _result) -> None:
        self.ok_button.setEnabled(True)
        self.sig_changed.emit()
        self.accept()

    def _failed(self, exc: Exception) -> None:
        from xinfang_desk.core.people.users import LoginError

        self.ok_button.setEnabled(True)
        if isinstance(exc, LoginError):  # the old password was wrong (or the account locked)
            set_error(self.field_errors["原密码"], str(exc))
            self.old.clear()
            self.old.setFocus()
        else:
            self.show_error(exc)
