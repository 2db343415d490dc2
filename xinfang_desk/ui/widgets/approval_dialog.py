"""负责人审批: a leader approves on the spot, at the clerk's desk.

Extensions and answers (and printing the letters that carry them) need a leader (core.people.access).
When the signed-in user may not `approve`, the form embeds an `ApprovalBox` (or, for printing,
opens an `ApprovalDialog`): the leader types their own username and password, checked on the
worker thread by core.people.users.authenticate (wrong password, lock-out and disabled accounts as the
core words them), then by core.people.access.check_approval (the account must be a leader's). The
resulting Actor is what the form passes to the core as `approval=`. A leader signed in is not
asked.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from xinfang_desk.core import session
from xinfang_desk.core.session import Actor
from xinfang_desk.ui.widgets.tasks import TaskRunner

ERROR_STYLE = "color:#c62828"
HINT_STYLE = "color:#555"
ENTER_CREDENTIALS = "请负责人输入本人的用户名和密码。"
# Titles of what is approved, for the hint ("延期须经负责人审批……").
WHAT = {"extended": "延期", "replied": "答复意见", "extend": "打印延期告知书",
        "reply": "打印答复意见书", "adoption": "打印采纳情况告知书"}


def needs_approval(kind: str, actor: Actor | None = None) -> bool:
    """True if `kind` (an event type or a document code) needs a leader and the signed-in user
    (or `actor`) may not approve it themselves."""
    from xinfang_desk.core.people.access import APPROVAL_DOCUMENTS, APPROVAL_EVENTS

    if kind not in APPROVAL_EVENTS and kind not in APPROVAL_DOCUMENTS:
        return False
    return not (actor or session.current()).can("approve")


def refusal_for(kind: str) -> str:
    from xinfang_desk.core.people.access import APPROVAL_DOCUMENTS, APPROVAL_EVENTS

    return APPROVAL_EVENTS.get(kind) or APPROVAL_DOCUMENTS.get(kind) or "须经负责人审批。"


def authenticate_approver(username: str, password: str, kind: str) -> Actor:
    """Runs on the worker thread: the leader's Actor, or the core's refusal (LoginError for a
    wrong password, a locked or disabled account; PermissionDenied for an account that is not
    a leader's). The successful check is on the audit trail as the leader's `approval`."""
    from xinfang_desk.core.people import users
    from xinfang_desk.core.people.access import check_approval

    actor = users.authenticate(username, password, event="approval")
    refusal = refusal_for(kind)
    try:
        check_approval(kind, refusal, actor)
    except session.PermissionDenied:
        raise session.PermissionDenied(f"{actor.label}不是负责人，不能审批。{refusal}") from None
    return actor


class ApprovalBox(QGroupBox):
    """The leader's username and password inside a form. `verify` checks them on the worker
    and hands the leader's Actor on; it is kept until the fields are edited, so a form the
    core refuses for another reason can be corrected without asking the leader again."""

    def __init__(self, kind: str, parent=None):
        super().__init__("负责人审批", parent)
        self.setObjectName("approvalBox")
        self.kind = kind
        self.approved: Actor | None = None
        self.busy = False
        what = WHAT.get(kind, "此项操作")
        self.hint = QLabel(f"{what}须经负责人审批（您的账户无审批权限）。{ENTER_CREDENTIALS}")
        self.hint.setObjectName("approvalHint")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(HINT_STYLE)
        self.username = QLineEdit()
        self.username.setObjectName("approvalUsername")
        self.username.setPlaceholderText("负责人的用户名")
        self.password = QLineEdit()
        self.password.setObjectName("approvalPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("负责人的密码")
        self.message = QLabel("")
        self.message.setObjectName("approvalMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        self.approved_label = QLabel("")
        self.approved_label.setObjectName("approvalApproved")
        self.approved_label.setStyleSheet("color:#2e7d32")
        self.approved_label.hide()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("负责人用户名：", self.username)
        form.addRow("负责人密码：", self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(form)
        layout.addWidget(self.approved_label)
        layout.addWidget(self.message)
        self.username.textEdited.connect(self._edited)
        self.password.textEdited.connect(self._edited)

    def _edited(self, _text: str = "") -> None:
        if self.approved is not None:
            self.approved = None
            self.approved_label.hide()

    def set_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.username.setReadOnly(busy)
        self.password.setReadOnly(busy)

    def verify(self, tasks: TaskRunner, on_ok: Callable[[Actor], None],
               on_failed: Callable[[], None] | None = None) -> None:
        """Check the credentials on the worker; on_ok(leader) or, with the reason shown in the
        box, on_failed()."""
        if self.approved is not None:
            on_ok(self.approved)
            return
        name, password = self.username.text().strip(), self.password.text()
        if not name or not password:
            self.set_message(ENTER_CREDENTIALS)
            (self.username if not name else self.password).setFocus()
            if on_failed:
                on_failed()
            return
        self.set_message("")
        self.set_busy(True)
        kind = self.kind

        def done(actor: Actor) -> None:
            self.set_busy(False)
            self.password.clear()
            self.approved = actor
            self.approved_label.setText(f"已由{actor.label}审批")
            self.approved_label.show()
            on_ok(actor)

        def failed(exc: Exception) -> None:
            from xinfang_desk.core.errors import XinfangError

            self.set_busy(False)
            self.password.clear()
            self.password.setFocus()
            self.set_message(str(exc) if isinstance(exc, XinfangError) else f"未能审批：{exc}")
            if on_failed:
                on_failed()

        tasks.run(lambda: authenticate_approver(name, password, kind), done, failed)


class ApprovalDialog(QDialog):
    """A small dialog around an ApprovalBox (before printing a letter that needs a leader)."""

    sig_approved = Signal(object)
    """The leader's Actor."""

    def __init__(self, kind: str, tasks: TaskRunner, *, title: str = "", parent=None):
        super().__init__(parent)
        self.setObjectName("approvalDialog")
        self.setWindowTitle(f"负责人审批 — {title or WHAT.get(kind, kind)}")
        self._tasks = tasks
        self.approval: Actor | None = None
        self.box = ApprovalBox(kind)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("审批")
        self.ok_button.setObjectName("approveButton")
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
        self.box.username.setFocus()

    def submit(self) -> None:
        if self.box.busy:
            return
        self.ok_button.setEnabled(False)
        self.ok_button.setText("正在验证…")
        self.box.verify(self._tasks, self._approved, self._not_approved)

    def _approved(self, actor: Actor) -> None:
        self._reset_button()
        self.approval = actor
        self.sig_approved.emit(actor)
        self.accept()

    def _not_approved(self) -> None:
        self._reset_button()

    def _reset_button(self) -> None:
        self.ok_button.setEnabled(True)
        self.ok_button.setText("审批")

    def reject(self) -> None:
        if not self.box.busy:  # the check under way decides; Esc does not race it
            super().reject()
