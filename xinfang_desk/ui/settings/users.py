"""设置 › 用户与安全 (administrators): the accounts, and the idle-lock interval.

Add a user with a role, change a role or name, reset a password (which also lifts a lock-out),
disable or enable an account. The core refuses what would lock the office out (the last
administrator can be neither disabled nor demoted); its message is shown here in Chinese.
Every read and write runs on the worker thread.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core import session
from xinfang_desk.core.store.settings import SPECS
from xinfang_desk.ui.widgets.forms import (
    ERROR_STYLE,
    HINT_STYLE,
    PASSWORD_RULES,
    FieldForm,
    password_edit,
)
from xinfang_desk.ui.widgets.tables import (
    action_button,
    open_only,
    row_table,
    select_first,
    selected_item,
)
from xinfang_desk.ui.widgets.tasks import TaskRunner

COLUMNS = ("用户名", "姓名", "角色", "状态")
ROLE_CHOICES = ((session.CLERK, "接待员（登记、办理信访事项）"),
                (session.LEADER, "负责人（另可审批、查看保密事项）"),
                (session.ADMIN, "管理员（设置、用户、备份；不办理事项）"))
OK_STYLE = "color:#2e7d32"


def status_text(user, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now()
    if not user.active:
        return "停用"
    if user.locked_until and user.locked_until > now:
        return f"锁定至{user.locked_until:%H:%M}"
    return "启用"


def _load():
    """Worker thread: the accounts and the idle-lock interval."""
    from xinfang_desk.core.people import users
    from xinfang_desk.core.store import settings

    return users.list_users(), int(settings.get("idle_lock_minutes"))


def _role_combo() -> QComboBox:
    combo = QComboBox()
    combo.setObjectName("roleCombo")
    for code, label in ROLE_CHOICES:
        combo.addItem(label, code)
    return combo


class _Form(FieldForm):
    """A FieldForm with OK/取消 buttons that runs one core call on the worker thread."""

    def __init__(self, tasks: TaskRunner, title: str, ok_text: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._tasks = tasks
        self.buttons = self.ok_cancel(ok_text, "formOkButton")
        self.setMinimumWidth(480)

    def finish_layout(self, *extra: QWidget) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        for widget in extra:
            layout.addWidget(widget)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def check_passwords(self, password: str, again: str, again_field: str) -> bool:
        from xinfang_desk.core.errors import FieldError
        from xinfang_desk.core.people import users

        ok = True
        try:
            users.check_password(password)  # pure: the rules, no database
        except FieldError as exc:
            self.show_error(exc)
            ok = False
        if password != again:
            self.show_error(FieldError(again_field, "两次输入的密码不一致"))
            ok = False
        return ok

    def run(self, fn) -> None:
        self.run_job(self._tasks, fn)

    def submit(self) -> None:
        raise NotImplementedError


class AddUserDialog(_Form):
    def __init__(self, tasks: TaskRunner, parent=None):
        super().__init__(tasks, "新建用户", "新建用户", parent)
        self.setObjectName("addUserDialog")
        self.username = QLineEdit()
        self.username.setObjectName("newUsername")
        self.username.setPlaceholderText("登录时输入，可用本人姓名")
        self.add_field("用户名", self.username)
        self.display_name = QLineEdit()
        self.display_name.setObjectName("newDisplayName")
        self.add_field("姓名", self.display_name)
        self.role = _role_combo()
        self.add_field("角色", self.role)
        self.password = self.add_field("初始密码", password_edit("newPassword"), field="密码")
        self.again = self.add_field("再次输入", password_edit("newPasswordAgain"))
        rules = QLabel(PASSWORD_RULES + "请将初始密码当面告知本人，并请其登录后修改。")
        rules.setWordWrap(True)
        rules.setStyleSheet(HINT_STYLE)
        self.finish_layout(rules)

    def submit(self) -> None:
        from xinfang_desk.core.errors import FieldError
        from xinfang_desk.core.people import users

        self.clear_errors()
        name, display = self.username.text().strip(), self.display_name.text().strip()
        role, password = self.role.currentData(), self.password.text()
        ok = self.check_passwords(password, self.again.text(), "再次输入")
        if not name:
            self.show_error(FieldError("用户名", "不能为空"))
            ok = False
        if ok:
            self.run(lambda: users.create_user(name, password, role, display))


class EditUserDialog(_Form):
    def __init__(self, tasks: TaskRunner, user, parent=None):
        super().__init__(tasks, f"修改用户 — {user.username}", "保存", parent)
        self.setObjectName("editUserDialog")
        self.user = user
        self.display_name = QLineEdit(user.display_name)
        self.display_name.setObjectName("editDisplayName")
        self.add_field("姓名", self.display_name)
        self.role = _role_combo()
        self.role.setCurrentIndex(max(self.role.findData(user.role), 0))
        self.add_field("角色", self.role)
        self.finish_layout()

    def submit(self) -> None:
        from xinfang_desk.core.people import users

        self.clear_errors()
        name, role, display = self.user.username, self.role.currentData(), self.display_name.text()
        self.run(lambda: users.update_user(name, role=role, display_name=display))


class ResetPasswordDialog(_Form):
    def __init__(self, tasks: TaskRunner, user, parent=None):
        super().__init__(tasks, f"重设密码 — {user.username}", "重设密码", parent)
        self.setObjectName("resetPasswordDialog")
        self.user = user
        self.password = self.add_field("新密码", password_edit("resetPassword"), field="密码")
        self.again = self.add_field("再次输入", password_edit("resetPasswordAgain"))
        rules = QLabel(PASSWORD_RULES + "重设后账户的锁定随即解除。")
        rules.setWordWrap(True)
        rules.setStyleSheet(HINT_STYLE)
        self.finish_layout(rules)

    def submit(self) -> None:
        from xinfang_desk.core.people import users

        self.clear_errors()
        password = self.password.text()
        if self.check_passwords(password, self.again.text(), "再次输入"):
            name = self.user.username
            self.run(lambda: users.reset_password(name, password))


class UsersPage(QWidget):
    sig_loaded = Signal()
    sig_idle_lock_changed = Signal(int)
    """The idle-lock interval was saved (minutes)."""

    def __init__(self, tasks: TaskRunner, parent=None):
        super().__init__(parent)
        self.setObjectName("settingsUsers")
        self._tasks = tasks
        self.users: list = []
        self.dialog = None

        self.table = row_table(COLUMNS, "usersTable")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.edit_user())

        self.add_button = action_button("新建用户…", "addUserButton", self.add_user)
        self.edit_button = action_button("修改角色、姓名…", "editUserButton", self.edit_user)
        self.reset_button = action_button("重设密码…", "resetPasswordButton",
                                         self.reset_password)
        self.toggle_button = action_button("停用账户", "toggleActiveButton", self.toggle_active)
        self.message = QLabel("")
        self.message.setObjectName("usersMessage")
        self.message.setWordWrap(True)

        users_box = QGroupBox("用户账户")
        box = QVBoxLayout(users_box)
        intro = QLabel("每人使用自己的账户登录，登记、办理和查看记录都以本人名义留痕。"
                       "接待员、负责人办理信访事项；管理员只负责设置、用户和备份。")
        intro.setWordWrap(True)
        intro.setStyleSheet(HINT_STYLE)
        box.addWidget(intro)
        box.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.reset_button,
                       self.toggle_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        box.addLayout(buttons)
        box.addWidget(self.message)

        spec = SPECS["idle_lock_minutes"]
        self.idle_minutes = QSpinBox()
        self.idle_minutes.setObjectName("setting_idle_lock_minutes")
        self.idle_minutes.setRange(spec.minimum, spec.maximum)
        self.idle_minutes.setValue(spec.default)
        self.idle_minutes.setSuffix(" 分钟")
        self.idle_minutes.setMinimumWidth(110)
        self.save_idle_button = action_button("保存", "saveIdleLockButton", self.save_idle_lock)
        self.idle_status = QLabel("")
        self.idle_status.setObjectName("idleLockStatus")
        security = QGroupBox("安全")
        row = QHBoxLayout(security)
        row.addWidget(QLabel("无操作自动锁定："))
        row.addWidget(self.idle_minutes)
        row.addWidget(self.save_idle_button)
        hint = QLabel(f"{spec.minimum}–{spec.maximum}分钟；锁定后须输入本人密码才能继续使用")
        hint.setStyleSheet(HINT_STYLE)
        row.addWidget(hint)
        row.addWidget(self.idle_status, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(users_box, 1)
        layout.addWidget(security)
        self._selection_changed()

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        self._tasks.run(_load, self._loaded, self._load_failed)

    def _loaded(self, result) -> None:
        users, minutes = result
        keep = self.selected()
        self.users = list(users)
        now = dt.datetime.now()
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            status = status_text(user, now)
            values = (user.username, user.display_name, user.role_label, status)
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 3 and status != "启用":
                    item.setForeground(QColor("#c62828" if status.startswith("锁定")
                                              else "#888888"))
                self.table.setItem(row, col, item)
            if keep is not None and user.username == keep.username:
                self.table.selectRow(row)
        self.idle_minutes.setValue(minutes)
        self._selection_changed()
        self.sig_loaded.emit()

    def _load_failed(self, exc: Exception) -> None:
        self.show_message(str(exc), error=True)

    def selected(self):
        return selected_item(self.table, self.users)

    def select_user(self, username: str) -> bool:
        return select_first(self.table, self.users, lambda user: user.username == username)

    def _selection_changed(self) -> None:
        user = self.selected()
        for button in (self.edit_button, self.reset_button, self.toggle_button):
            button.setEnabled(user is not None)
        self.toggle_button.setText("启用账户" if user is not None and not user.active
                                   else "停用账户")

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message.setText(text)

    # ------------------------------------------------------------------ actions

    def _open(self, dialog, done_text) -> None:
        dialog.sig_done.connect(lambda result: self._changed(done_text(result)))
        open_only(self, dialog)

    def _changed(self, text: str) -> None:
        self.show_message(text)
        self.refresh()

    def add_user(self) -> None:
        dialog = AddUserDialog(self._tasks, self)
        self._open(dialog, lambda info: f"已新建用户“{info.username}”（{info.role_label}）。")

    def edit_user(self) -> None:
        user = self.selected()
        if user is not None:
            self._open(EditUserDialog(self._tasks, user, self),
                       lambda info: f"已保存用户“{info.username}”（{info.role_label}）。")

    def reset_password(self) -> None:
        user = self.selected()
        if user is not None:
            name = user.username
            self._open(ResetPasswordDialog(self._tasks, user, self),
                       lambda _r: f"已重设用户“{name}”的密码，锁定已解除。")

    def toggle_active(self) -> None:
        from xinfang_desk.core.people import users

        user = self.selected()
        if user is None:
            return
        if user.active and user.username == session.current().username:
            self.show_message("不能停用当前登录的账户。", error=True)
            return
        name, active = user.username, not user.active
        self.toggle_button.setEnabled(False)
        self._tasks.run(lambda: users.update_user(name, active=active),
                        lambda _info: self._changed(
                            f"已{'启用' if active else '停用'}用户“{name}”。"),
                        self._action_failed)

    def _action_failed(self, exc: Exception) -> None:
        self._selection_changed()
        self.show_message(str(exc), error=True)

    def save_idle_lock(self) -> None:
        from xinfang_desk.core.store import settings

        minutes = self.idle_minutes.value()
        self.save_idle_button.setEnabled(False)
        self._tasks.run(lambda: settings.put("idle_lock_minutes", minutes),
                        lambda _r: self._idle_saved(minutes), self._idle_failed)

    def _idle_saved(self, minutes: int) -> None:
        self.save_idle_button.setEnabled(True)
        self.idle_status.setStyleSheet(OK_STYLE)
        self.idle_status.setText(f"已保存：无操作{minutes}分钟后自动锁定。")
        self.sig_idle_lock_changed.emit(minutes)

    def _idle_failed(self, exc: Exception) -> None:
        self.save_idle_button.setEnabled(True)
        self.idle_status.setStyleSheet(ERROR_STYLE)
        self.idle_status.setText(str(exc))
