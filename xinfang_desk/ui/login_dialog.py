"""Sign-in and change of one's own password.

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
    QWidget,
)

from xinfang_desk import APP_TITLE
from xinfang_desk.core.session import Actor
from xinfang_desk.ui.tasks import TaskRunner

ERROR_STYLE = "color:#c62828"
HINT_STYLE = "color:#555"
PASSWORD_RULES = "密码至少8位，须同时包含字母和数字。"


def password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMinimumWidth(240)
    return edit


def error_label(name: str) -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def set_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def with_error(editor: QWidget, error: QLabel) -> QWidget:
    """The editor with its error message right under it (a form row)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(editor)
    layout.addWidget(error)
    return box


class FieldForm(QDialog):
    """A small form whose fields each have an error label; FieldError.field picks the label."""

    sig_done = Signal(object)
    """`run_job` succeeded: its result (the dialog then closes)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.field_errors: dict[str, QLabel] = {}
        self.message = error_label("formMessage")

    def add_field(self, label: str, editor: QWidget, field: str | None = None) -> QWidget:
        error = error_label(f"{editor.objectName()}Error")
        self.field_errors[field or label] = error
        self.form.addRow(f"{label}：", with_error(editor, error))
        return editor

    def ok_cancel(self, ok_text: str, ok_name: str, cancel_text: str = "取消") -> QDialogButtonBox:
        """The OK/Cancel row: OK (self.ok_button) submits, Cancel rejects."""
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.ok_button.setObjectName(ok_name)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        return buttons

    def clear_errors(self) -> None:
        for label in self.field_errors.values():
            set_error(label, "")
        set_error(self.message, "")

    def show_error(self, exc: Exception) -> None:
        """A FieldError beside its field; anything else under the form."""
        from xinfang_desk.core.errors import FieldError

        label = self.field_errors.get(exc.field) if isinstance(exc, FieldError) else None
        if label is not None:
            set_error(label, exc.reason)
        else:
            set_error(self.message, str(exc))

    def run_job(self, tasks: TaskRunner, fn) -> None:
        """Run `fn` on the worker with OK disabled; on success `sig_done(result)` and the dialog
        closes, otherwise the error shows beside its field and the form stays open."""
        self.ok_button.setEnabled(False)
        tasks.run_for((self,), fn, self._job_done, self._job_failed)

    def _job_done(self, result) -> None:
        self.ok_button.setEnabled(True)
        self.sig_done.emit(result)
        self.accept()

    def _job_failed(self, exc: Exception) -> None:
        self.ok_button.setEnabled(True)
        self.show_error(exc)


class LoginDialog(QDialog):
    sig_signed_in = Signal(object)
    """The password was right: the Actor (not yet made the process's actor)."""

    def __init__(self, tasks: TaskRunner, *, username: str = "", hint: str = "",
                 message: str = "", parent=None):
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
        self.setMinimumWidth(420)
        (self.password if username else self.username).setFocus()

    def submit(self) -> None:
        if self.busy:
            return
        name, password = self.username.text().strip(), self.password.text()
        if not name or not password:
            set_error(self.message, "请输入用户名和密码。")
            (self.username if not name else self.password).setFocus()
            return
        from xinfang_desk.core import users

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
        from xinfang_desk.core import users
        from xinfang_desk.core.errors import FieldError

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
        from xinfang_desk.core.users import LoginError

        self.ok_button.setEnabled(True)
        if isinstance(exc, LoginError):  # the old password was wrong (or the account locked)
            set_error(self.field_errors["原密码"], str(exc))
            self.old.clear()
            self.old.setFocus()
        else:
            self.show_error(exc)
