"""授权查看: a leader names the users who may see a confidential case (core.people.access
grant_access / revoke_access), and withdraws them. Everything runs on the worker."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from xinfang_desk.core import session
from xinfang_desk.ui.widgets.forms import HINT_STYLE, error_label, set_error
from xinfang_desk.ui.widgets.tasks import TaskRunner


def load_access(case_no: str):
    """Runs on the worker: the users named on the case and every active account that could
    be named (clerks: leaders see every confidential case anyway, the admin no cases)."""
    from xinfang_desk.core.people import users
    from xinfang_desk.core.people.access import access_list

    named = access_list(case_no)
    everyone = users.list_users()
    labels = {u.username: (u.display_name or u.username) for u in everyone}
    candidates = [(u.username, labels[u.username]) for u in everyone
                  if u.active and u.role == session.CLERK]
    return [(n, labels.get(n, n)) for n in named], candidates


def change_access(case_no: str, username: str, grant: bool) -> bool:
    from xinfang_desk.core.people.access import grant_access, revoke_access

    return (grant_access if grant else revoke_access)(case_no, username)


def _label(username: str, display: str) -> str:
    return display if display == username else f"{display}（{username}）"


class CaseAccessDialog(QDialog):
    sig_changed = Signal(str)
    """A grant or a revocation was saved (the case number)."""
    sig_ready = Signal()
    """The lists were (re)loaded."""

    def __init__(self, case_no: str, tasks: TaskRunner, parent=None):
        super().__init__(parent)
        self.setObjectName("caseAccessDialog")
        self.setWindowTitle(f"授权查看 — {case_no}")
        self.case_no, self._tasks = case_no, tasks
        self.busy = False
        hint = QLabel("保密事项只有登记人、负责人和经授权的人员可以查看。"
                      "授权和撤销均记入审计日志。")
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        self.named = QListWidget()
        self.named.setObjectName("accessList")
        self.user_combo = QComboBox()
        self.user_combo.setObjectName("accessUserCombo")
        self.user_combo.setMinimumWidth(200)
        self.grant_button = QPushButton("授权")
        self.grant_button.setObjectName("grantButton")
        self.revoke_button = QPushButton("撤销所选授权")
        self.revoke_button.setObjectName("revokeButton")
        self.grant_button.clicked.connect(self.grant)
        self.revoke_button.clicked.connect(self.revoke)
        self.named.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.message = error_label("accessMessage")
        row = QHBoxLayout()
        row.addWidget(QLabel("授权用户："))
        row.addWidget(self.user_combo, 1)
        row.addWidget(self.grant_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(QLabel("已授权查看的人员："))
        layout.addWidget(self.named, 1)
        layout.addWidget(self.revoke_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.setMinimumWidth(440)
        self.resize(460, 380)
        self.reload()

    def reload(self) -> None:
        self._set_busy(True)
        case_no = self.case_no
        self._tasks.run(lambda: load_access(case_no), self._fill, self._failed)

    def _fill(self, loaded) -> None:
        named, candidates = loaded
        self.named.clear()
        for username, display in named:
            item = QListWidgetItem(_label(username, display))
            item.setData(Qt.ItemDataRole.UserRole, username)
            self.named.addItem(item)
        if not named:
            item = QListWidgetItem("（尚未授权任何人）")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.named.addItem(item)
        taken = {u for u, _d in named}
        self.user_combo.clear()
        for username, display in candidates:
            if username not in taken:
                self.user_combo.addItem(_label(username, display), username)
        self._set_busy(False)
        self.sig_ready.emit()

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        set_error(self.message, str(exc))
        self.sig_ready.emit()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.named.currentItem()
        self.grant_button.setEnabled(not self.busy and self.user_combo.count() > 0)
        self.revoke_button.setEnabled(
            not self.busy and item is not None and item.data(Qt.ItemDataRole.UserRole) is not None)

    def select_user(self, username: str) -> None:
        index = self.user_combo.findData(username)
        if index >= 0:
            self.user_combo.setCurrentIndex(index)

    def grant(self) -> None:
        username = self.user_combo.currentData()
        if username:
            self._change(username, True)

    def revoke(self) -> None:
        item = self.named.currentItem()
        username = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if username:
            self._change(username, False)

    def _change(self, username: str, grant: bool) -> None:
        if self.busy:
            return
        set_error(self.message, "")
        self._set_busy(True)
        case_no = self.case_no
        self._tasks.run(lambda: change_access(case_no, username, grant), self._changed,
                        self._failed)

    def _changed(self, _result) -> None:
        self.sig_changed.emit(self.case_no)
        self.reload()
