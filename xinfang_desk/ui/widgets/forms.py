"""Form helpers every dialog uses: error and hint styles, password fields, the error label
beside a field, and FieldForm (a dialog of labelled fields whose submit runs on the worker)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.ui.widgets.tasks import TaskRunner

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
