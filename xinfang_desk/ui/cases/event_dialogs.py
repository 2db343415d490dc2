"""Small forms that record one action on a case (an event of its timeline, or 受理).

One form class, configured per action: every form has a date (default today); the rest
depends on the action. Recording runs on the worker thread; a refusal of the core
(WorkflowError, ValidationError, …) is shown in the form in Chinese and the form stays open.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core import session
from xinfang_desk.core.cases.detail import ACTION_LABELS, REVIEW_OUTCOMES
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.ui.widgets.answer_picker import AnswerPicker, AnswerUse
from xinfang_desk.ui.widgets.approval_dialog import ApprovalBox, needs_approval
from xinfang_desk.ui.widgets.tasks import TaskRunner

# What each form asks for beyond the date: (widget kind, label) per attribute.
NOTE_LABELS = {
    "notified": "告知方式及内容",
    "chased": "催办情况",
    "feedback": "反馈内容",
    "replied": "答复内容",
    "closed": "办结说明",
    "review_requested": "复查请求",
    "review_answered": "复查意见",
    "rereview_requested": "复核请求",
    "rereview_answered": "复核意见",
    "visit": "来访情况",
    "forwarded": "备注",
    "assigned": "备注",
    "extended": "备注",
    "satisfaction": "备注",
    "reopened": "备注",
}
DATE_LABELS = {"accept": "受理日期", "forwarded": "转送日期", "assigned": "交办日期",
               "replied": "答复日期", "closed": "办结日期", "extended": "批准日期"}


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def record(case_no: str, action: str, payload: dict, approval=None):
    """Runs on the worker thread: record the action through the core. `approval`: the Actor
    of a leader who approved on the spot (extension, answer)."""
    from xinfang_desk.core.cases.records import accept_case, record_event
    from xinfang_desk.core.rules.workflow import EventData

    if action == "accept":
        return accept_case(case_no, payload["on"],
                           promised_reply_on=payload.get("promised_reply_on"))
    return record_event(case_no, EventData(type=action, **payload), approval=approval)


def record_reply_with_answer(case_no: str, payload: dict, approval, version_id: int):
    """Runs on the worker thread: the reply and the answer version it was taken from
    (core.answers.library.record_reply: one transaction)."""
    from xinfang_desk.core.answers.library import record_reply
    from xinfang_desk.core.rules.workflow import EventData

    return record_reply(case_no, EventData(type="replied", **payload), version_id,
                        approval=approval)


class EventDialog(QDialog):
    sig_recorded = Signal(str)
    """The action was recorded (the case number)."""

    def __init__(self, action: str, case_no: str, tasks: TaskRunner, *,
                 today: dt.date | None = None, received_on: dt.date | None = None,
                 units: list[str] = (), default_unit: str = "",
                 reply_outcomes: tuple[str, ...] = v.REPLY_OUTCOMES,
                 extension_days_left: int = 30, parent=None):
        super().__init__(parent)
        self.setObjectName(f"eventDialog_{action}")
        self.action, self.case_no, self._tasks = action, case_no, tasks
        self._today = today
        today = today or dt.date.today()
        self.setWindowTitle(f"{ACTION_LABELS.get(action, action)} — {case_no}")
        self.setMinimumWidth(460)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.date_edit = QDateEdit(_qdate(today))
        self.date_edit.setObjectName("eventDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        if received_on:
            self.date_edit.setMinimumDate(_qdate(received_on))
        self.date_edit.setMaximumDate(_qdate(today))  # records what has happened
        form.addRow(DATE_LABELS.get(action, "日期"), self.date_edit)

        self.unit_combo = self.ref_edit = self.deadline_check = self.deadline_edit = None
        self.days_spin = self.reason_edit = self.approver_edit = self.outcome_combo = None
        self.rating_combo = self.note_edit = self.promised_check = self.promised_edit = None

        if action in ("forwarded", "assigned"):
            self.unit_combo = QComboBox()
            self.unit_combo.setObjectName("unitCombo")
            self.unit_combo.setEditable(True)  # typed names are checked against the directory
            self.unit_combo.addItems(list(units))
            self.unit_combo.setCurrentText(default_unit)
            form.addRow("承办单位", self.unit_combo)
            self.ref_edit = QLineEdit()
            self.ref_edit.setObjectName("refEdit")
            self.ref_edit.setPlaceholderText("如：顺信转〔2026〕5号")
            form.addRow("文号", self.ref_edit)
            self.deadline_check, self.deadline_edit = self._optional_date(
                "deadline", today + dt.timedelta(days=30))
            form.addRow("反馈期限", self._pair(self.deadline_check, self.deadline_edit))
        if action == "accept":
            self.promised_check, self.promised_edit = self._optional_date(
                "promised", today + dt.timedelta(days=60))
            form.addRow("约定答复日期", self._pair(self.promised_check, self.promised_edit))
        if action == "extended":
            self.days_spin = QSpinBox()
            self.days_spin.setObjectName("daysSpin")
            # 第三十四条: at most 30 days in total; the spin box offers only what remains.
            self.days_spin.setRange(1, max(1, extension_days_left))
            self.days_spin.setValue(max(1, extension_days_left))
            self.days_spin.setSuffix(" 日")
            form.addRow(f"延长天数（尚可延长{extension_days_left}日）", self.days_spin)
        if action in ("extended", "reopened", "satisfaction"):
            self.reason_edit = QLineEdit()
            self.reason_edit.setObjectName("reasonEdit")
            label = {"extended": "延期理由", "reopened": "重新办理理由",
                     "satisfaction": "原因（不满意时必填）"}[action]
            form.addRow(label, self.reason_edit)
        # 负责人审批: a clerk's extension or answer needs a leader, who approves on the spot in
        # the approval box; a leader signed in approves it themselves. Without accounts (SYSTEM)
        # the approving leader is written down by name, as before accounts existed.
        self.approval_box: ApprovalBox | None = None
        actor = session.current()
        if needs_approval(action, actor):
            self.approval_box = ApprovalBox(action)
        elif action == "extended" and actor.role == session.SYSTEM_ROLE:
            self.approver_edit = QLineEdit()
            self.approver_edit.setObjectName("approverEdit")
            self.approver_edit.setPlaceholderText("批准延期的单位负责人")
            form.addRow("批准人", self.approver_edit)
        elif action in ("extended", "replied"):
            approver = QLabel(f"{actor.label}（本人审批）")
            approver.setObjectName("approverLabel")
            form.addRow("批准人", approver)
        if action in ("replied", "review_answered", "rereview_answered"):
            self.outcome_combo = QComboBox()
            self.outcome_combo.setObjectName("outcomeCombo")
            self.outcome_combo.addItems(
                list(reply_outcomes) if action == "replied" else list(REVIEW_OUTCOMES))
            form.addRow("采纳情况" if reply_outcomes == v.ADOPTION_OUTCOMES and action == "replied"
                        else "结果", self.outcome_combo)
        if action == "satisfaction":
            self.rating_combo = QComboBox()
            self.rating_combo.setObjectName("ratingCombo")
            self.rating_combo.addItems(list(v.RATINGS))
            form.addRow("满意度", self.rating_combo)
        if action in NOTE_LABELS:
            self.note_edit = QPlainTextEdit()
            self.note_edit.setObjectName("noteEdit")
            self.note_edit.setTabChangesFocus(True)
            self.note_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
            form.addRow(NOTE_LABELS[action], self.note_edit)
        # 答复口径 (replies only): fill the answer from an approved answer of the library.
        self.picker: AnswerPicker | None = None
        self.pick_button = self.answer_use = None
        if action == "replied":
            self.pick_button = QPushButton("选用答复口径…")
            self.pick_button.setObjectName("pickAnswerButton")
            self.pick_button.setToolTip("按本事项推荐已审定的答复口径，选用后填入答复内容（可再修改）")
            self.pick_button.clicked.connect(self.pick_answer)
            self.answer_use = AnswerUse(self.note_edit, verb="记录")
            self.note_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 8 + 12)
            form.addRow("", self._pair(self.pick_button))
            form.addRow("", self.answer_use)

        self.error_label = QLabel("")
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("记录")
        self.ok_button.setObjectName("okButton")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if self.approval_box is not None:
            layout.addWidget(self.approval_box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    # ------------------------------------------------------------------ widgets

    def _optional_date(self, name: str, default: dt.date) -> tuple[QCheckBox, QDateEdit]:
        check = QCheckBox("指定")
        check.setObjectName(f"{name}Check")
        edit = QDateEdit(_qdate(default))
        edit.setObjectName(f"{name}Edit")
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setEnabled(False)
        check.toggled.connect(edit.setEnabled)
        return check, edit

    @staticmethod
    def _pair(*widgets) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        for w in widgets:
            row.addWidget(w)
        row.addStretch(1)
        return box

    # ------------------------------------------------------------------ 答复口径

    def pick_answer(self) -> AnswerPicker:
        """选用答复口径…: the picker (non-blocking, so tests can drive it)."""
        picker = AnswerPicker(self.case_no, self._tasks, today=self._today, parent=self)
        picker.accepted.connect(lambda: self._answer_picked(picker.version, picker.filled))
        picker.finished.connect(lambda _r: setattr(self, "picker", None))
        picker.finished.connect(picker.deleteLater)
        self.picker = picker
        picker.open()
        return picker

    def _answer_picked(self, version, filled) -> None:
        if version is None or filled is None:
            return
        if self.answer_use.would_replace() and not self._confirm(
                "选用答复口径", "答复内容中已有文字，用所选口径替换吗？"):
            return
        self.answer_use.fill(version, filled)
        self.note_edit.setFocus()

    def _confirm(self, title: str, text: str) -> bool:
        """A method so that tests can answer it."""
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    # ------------------------------------------------------------------ recording

    def payload(self) -> dict:
        """The form as keyword arguments of EventData (or of accept_case)."""
        p: dict = {"on": self.date_edit.date().toPython()}
        if self.action == "accept":
            if self.promised_check.isChecked():
                p["promised_reply_on"] = self.promised_edit.date().toPython()
            return p
        if self.unit_combo is not None:
            p["unit"] = self.unit_combo.currentText().strip()
            p["ref"] = self.ref_edit.text().strip()
            if self.deadline_check.isChecked():
                p["deadline"] = self.deadline_edit.date().toPython()
        if self.days_spin is not None:
            p["days"] = self.days_spin.value()
        if self.reason_edit is not None:
            p["reason"] = self.reason_edit.text().strip()
        if self.approver_edit is not None:
            p["approver"] = self.approver_edit.text().strip()
        if self.outcome_combo is not None:
            p["outcome"] = self.outcome_combo.currentText()
        if self.rating_combo is not None:
            p["rating"] = self.rating_combo.currentText()
        if self.note_edit is not None:
            p["note"] = self.note_edit.toPlainText().strip()
        return p

    def missing(self, p: dict) -> str | None:
        """What the form requires before it goes to the core (the core checks the rest)."""
        a = self.action
        if a in ("forwarded", "assigned") and not p.get("unit"):
            return "请选择承办单位"
        if a == "extended":
            if not p.get("reason"):
                return "请填写延期理由（须告知信访人）"
            if self.approver_edit is not None and not p.get("approver"):
                return "请填写批准人（延期须经单位负责人批准，第三十四条）"
        if a == "reopened" and not p.get("reason"):
            return "请填写重新办理的理由"
        if a == "satisfaction" and p.get("rating") == "不满意" and not p.get("reason"):
            return "信访人不满意时须记录原因"
        if a == "feedback" and not p.get("note"):
            return "请填写承办单位反馈的内容"
        return None

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def submit(self) -> None:
        p = self.payload()
        problem = self.missing(p)
        if problem:
            self.show_error(problem)
            return
        self.error_label.hide()
        self.ok_button.setEnabled(False)
        if self.approval_box is None:
            self._record(p, None)
            return
        self.ok_button.setText("正在验证审批……")
        self.approval_box.verify(self._tasks, lambda leader: self._record(p, leader),
                                 self._not_approved)

    def _record(self, p: dict, approval) -> None:
        if not self.isVisible():
            return  # cancelled while the leader's password was being checked
        self.ok_button.setEnabled(False)
        self.ok_button.setText("正在记录……")
        case_no, action = self.case_no, self.action
        version_id = self.answer_use.version_used() if self.answer_use is not None else None
        if version_id is not None:
            self._tasks.run(lambda: record_reply_with_answer(case_no, p, approval, version_id),
                            self._recorded, self._refused)
            return
        self._tasks.run(lambda: record(case_no, action, p, approval), self._recorded,
                        self._refused)

    def _not_approved(self) -> None:
        """The leader's credentials were refused (shown in the approval box): nothing saved."""
        self.ok_button.setEnabled(True)
        self.ok_button.setText("记录")

    def _recorded(self, _state) -> None:
        self.sig_recorded.emit(self.case_no)
        self.accept()

    def _refused(self, exc) -> None:
        from xinfang_desk.core.errors import XinfangError

        self.ok_button.setEnabled(True)
        self.ok_button.setText("记录")
        if (self.answer_use is not None and self.answer_use.chosen_id is not None
                and "答复口径" in str(exc)):
            # The chosen answer was re-approved or retired meanwhile (nothing was recorded):
            # keep the text, drop the version, let the clerk check and record again.
            self.answer_use.forget()
            self.show_error(f"{exc}。答复内容已保留，本次不记录口径版本；请核对后再次记录，或重新选用口径。")
            return
        self.show_error(str(exc) if isinstance(exc, XinfangError) else f"未能记录：{exc}")
