"""修改事项: correct the editable fields of a registered case, with a required reason.

The current values are read on the worker (core.cases.edit's editable fields; the petitioners'
phones stay masked — a new number is typed in full, an empty field leaves the number as it is).
Only what the clerk changed goes to core.cases.edit.update_case, on the worker; the core's
refusals are shown beside their fields (FieldError.field names the label), the rest under the
form. Each change is on the audit trail with the reason and shows in the detail's 修改记录.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core import session
from xinfang_desk.ui.widgets.forms import HINT_STYLE, error_label, set_error, with_error
from xinfang_desk.ui.widgets.tasks import TaskRunner

REASON = "修改原因"


@dataclass(frozen=True)
class EditablePetitioner:
    tag: str  # "信访人王秀英" / "第2位信访人李四": how the core names their fields
    name: str
    phone_masked: str
    phone_alt_masked: str
    address: str


@dataclass(frozen=True)
class EditableCase:
    case_no: str
    category: str
    values: dict  # CASE_FIELDS key -> current value (field: path, unit: name)
    petitioners: list[EditablePetitioner]
    fields: list[str] = field(default_factory=list)  # taxonomy paths to choose from
    units: list[str] = field(default_factory=list)
    version: int | None = None  # the case's version read here: a save after another desk's is refused


def load_editable(case_no: str) -> EditableCase:
    """Runs on the worker: the case's editable values and the choices for field and unit."""
    from xinfang_desk.core.cases.records import petitioners_of
    from xinfang_desk.core.cases.taxonomy import field_tree, list_units
    from xinfang_desk.core.people.access import get_visible_case
    from xinfang_desk.core.rules.validators import mask_phone
    from xinfang_desk.core.store.db import storage_errors

    with storage_errors():
        case = get_visible_case(case_no)
        values = {
            "summary": case.summary, "request": case.request, "facts": case.facts,
            "reasons": case.reasons, "channel_ref": case.channel_ref,
            "field": case.field.path if case.field_id else "",
            "unit": case.unit.name if case.unit_id else "",
            "people_count": case.people_count, "confidential": bool(case.confidential),
        }
        pets = []
        for i, (p, _rep) in enumerate(petitioners_of(case)):
            tag = f"信访人{p.name}" if i == 0 else f"第{i + 1}位信访人{p.name}"
            pets.append(EditablePetitioner(tag, p.name, mask_phone(p.phone or ""),
                                           mask_phone(p.phone_alt or ""), p.address or ""))
        paths = []
        for top in field_tree():
            paths.append(top.path)
            paths.extend(child.path for child in top.children)
        return EditableCase(case.case_no, case.category, values, pets, paths, list_units(),
                            version=case.version)


def save_changes(case_no: str, changes: dict, reason: str, version: int | None = None):
    """Runs on the worker: core.cases.edit.update_case, refused if the case changed since
    `version` was read."""
    from xinfang_desk.core.cases.edit import update_case

    return update_case(case_no, changes, reason, expected_version=version)


def _text_edit(name: str, lines: int, parent: QWidget) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setObjectName(name)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(parent.fontMetrics().lineSpacing() * lines + 14)
    return edit


def _combo(name: str, choices: list[str], current: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setEditable(True)  # a typed name is checked against the directory by the core
    combo.addItem("")
    combo.addItems(choices)
    combo.setCurrentText(current)
    return combo


class CaseEditDialog(QDialog):
    sig_saved = Signal(object)
    """The corrections were saved (the list of core.cases.edit.FieldChange)."""
    sig_ready = Signal()
    """The current values are in the form (or reading them failed)."""

    def __init__(self, case_no: str, tasks: TaskRunner, parent=None):
        super().__init__(parent)
        self.setObjectName("caseEditDialog")
        self.setWindowTitle(f"修改事项 — {case_no}")
        self.case_no, self._tasks = case_no, tasks
        self.editable: EditableCase | None = None
        self.busy = False
        self.editors: dict[str, QWidget] = {}
        self.pet_editors: list[dict[str, QLineEdit]] = []
        self.field_errors: dict[str, QLabel] = {}
        self.resize(680, 760)

        self.status = QLabel("正在读取……")
        self.status.setObjectName("editStatus")
        self.status.setStyleSheet(HINT_STYLE)
        self._body = QWidget()
        body_layout = QVBoxLayout(self._body)
        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        body_layout.addLayout(self._form)
        body_layout.addStretch(1)  # spare height below the form, not between its rows
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._body)

        self.reason = QLineEdit()
        self.reason.setObjectName("reasonEdit")
        self.reason.setPlaceholderText("如：登记时录入错误，经信访人核实更正（记入审计日志）")
        self.reason.setMaxLength(200)
        reason_error = error_label("reasonEditError")
        self.field_errors[REASON] = reason_error
        reason_form = QFormLayout()
        reason_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        reason_form.addRow(f"{REASON}：", with_error(self.reason, reason_error))
        note = QLabel("信访类别、日期和办理过程不在此修改，请通过“办理”记录。"
                      "联系电话留空表示不修改。")
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)

        self.message = error_label("editMessage")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("保存修改")
        self.ok_button.setObjectName("saveEditButton")
        self.ok_button.setEnabled(False)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        layout.addWidget(note)
        layout.addLayout(reason_form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

        self._tasks.run(lambda: load_editable(case_no), self._fill, self._load_failed)

    # ------------------------------------------------------------------ the form

    def _row(self, label: str, editor: QWidget, form: QFormLayout | None = None) -> QWidget:
        error = error_label(f"{editor.objectName()}Error")
        self.field_errors[label] = error
        (form or self._form).addRow(f"{label}：", with_error(editor, error))
        return editor

    def _load_failed(self, exc: Exception) -> None:
        self.status.setText(f"读取失败：{exc}")
        self.status.setStyleSheet("color:#c62828")
        self.sig_ready.emit()

    def _fill(self, editable: EditableCase) -> None:
        from xinfang_desk.core.cases.edit import CASE_FIELDS

        self.editable = editable
        v = editable.values
        self.status.setText(f"{editable.case_no}（{editable.category}）：修改后请写明原因。")
        summary = QLineEdit(v["summary"])
        summary.setObjectName("summaryEdit")
        summary.setMaxLength(200)
        self.editors["summary"] = self._row(CASE_FIELDS["summary"], summary)
        for key, lines in (("request", 3), ("facts", 4), ("reasons", 3)):
            edit = _text_edit(f"{key}Edit", lines, self)
            edit.setPlainText(v[key])
            self.editors[key] = self._row(CASE_FIELDS[key], edit)
        channel_ref = QLineEdit(v["channel_ref"])
        channel_ref.setObjectName("channelRefEdit")
        self.editors["channel_ref"] = self._row(CASE_FIELDS["channel_ref"], channel_ref)
        self.editors["field"] = self._row(
            CASE_FIELDS["field"], _combo("fieldCombo", editable.fields, v["field"]))
        self.editors["unit"] = self._row(
            CASE_FIELDS["unit"], _combo("unitCombo", editable.units, v["unit"]))
        people = QSpinBox()
        people.setObjectName("peopleSpin")
        people.setRange(1, 99999)
        people.setValue(v["people_count"])
        people.setSuffix(" 人")
        people.setMaximumWidth(120)
        self.editors["people_count"] = self._row(CASE_FIELDS["people_count"], people)
        secret = QCheckBox("保密事项（不得向被反映人泄露）")
        secret.setObjectName("confidentialCheck")
        secret.setChecked(v["confidential"])
        if v["confidential"] and not session.current().can("see_confidential"):
            secret.setEnabled(False)
            secret.setToolTip("取消保密须由负责人决定。")
        self.editors["confidential"] = self._row(CASE_FIELDS["confidential"], secret)

        for i, p in enumerate(editable.petitioners):
            box = QGroupBox(p.tag)
            box.setObjectName(f"petitionerBox{i}")
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            editors: dict[str, QLineEdit] = {}
            for key, label, masked in (("phone", "联系电话", p.phone_masked),
                                       ("phone_alt", "备用电话", p.phone_alt_masked)):
                edit = QLineEdit()
                edit.setObjectName(f"{key}Edit{i}")
                edit.setPlaceholderText(f"不修改（现为{masked}）" if masked else "未登记")
                self._row_pet(form, p.tag, label, edit)
                editors[key] = edit
            address = QLineEdit(p.address)
            address.setObjectName(f"addressEdit{i}")
            address.setMaxLength(200)
            self._row_pet(form, p.tag, "住址", address)
            editors["address"] = address
            self.pet_editors.append(editors)
            self._form.addRow(box)
        self.ok_button.setEnabled(True)
        summary.setFocus()
        self.sig_ready.emit()

    def _row_pet(self, form: QFormLayout, tag: str, label: str, editor: QLineEdit) -> None:
        error = error_label(f"{editor.objectName()}Error")
        self.field_errors[f"{tag}{label}"] = error
        form.addRow(f"{label}：", with_error(editor, error))

    # ------------------------------------------------------------------ values

    def _value(self, key: str):
        w = self.editors[key]
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText().strip()
        if isinstance(w, QComboBox):
            return w.currentText().strip()
        if isinstance(w, QSpinBox):
            return w.value()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        return w.text().strip()

    def changes(self) -> dict:
        """What differs from the stored values, as update_case's `changes`."""
        if self.editable is None:
            return {}
        out: dict = {}
        for key, old in self.editable.values.items():
            new = self._value(key)
            if new != (old.strip() if isinstance(old, str) else old):
                out[key] = new
        pets: dict[int, dict[str, str]] = {}
        for i, (p, editors) in enumerate(zip(self.editable.petitioners, self.pet_editors,
                                             strict=True)):
            values: dict[str, str] = {}
            for key in ("phone", "phone_alt"):
                typed = editors[key].text().strip()
                if typed:
                    values[key] = typed
            address = editors["address"].text().strip()
            if address != p.address.strip():
                values["address"] = address
            if values:
                pets[i] = values
        if pets:
            out["petitioners"] = pets
        return out

    # ------------------------------------------------------------------ saving

    def clear_errors(self) -> None:
        for label in self.field_errors.values():
            set_error(label, "")
        set_error(self.message, "")

    def show_error(self, exc: Exception) -> None:
        """FieldErrors beside their fields (all of a ValidationError); anything else below."""
        from xinfang_desk.core.errors import FieldError, ValidationError, XinfangError

        errors = exc.errors if isinstance(exc, ValidationError) else [exc]
        rest = []
        for err in errors:
            label = self.field_errors.get(err.field) if isinstance(err, FieldError) else None
            if label is not None:
                set_error(label, err.reason)
            else:
                rest.append(str(err) if isinstance(err, XinfangError) else f"未能保存：{err}")
        if rest:
            set_error(self.message, "；".join(rest))

    def submit(self) -> None:
        from xinfang_desk.core.cases.edit import NOTHING_CHANGED
        from xinfang_desk.core.errors import FieldError

        if self.busy or self.editable is None:
            return
        self.clear_errors()
        changes, reason = self.changes(), self.reason.text().strip()
        if not changes:
            set_error(self.message, NOTHING_CHANGED)
            return
        if not reason:
            self.show_error(FieldError(REASON, "请说明修改原因（记入审计日志）"))
            self.reason.setFocus()
            return
        self._set_busy(True)
        case_no, version = self.case_no, self.editable.version
        self._tasks.run(lambda: save_changes(case_no, changes, reason, version), self._saved,
                        self._refused)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.ok_button.setEnabled(not busy)
        self.ok_button.setText("正在保存……" if busy else "保存修改")

    def _saved(self, done) -> None:
        self._set_busy(False)
        self.sig_saved.emit(done)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self._set_busy(False)
        self.show_error(exc)

    def reject(self) -> None:
        if not self.busy:
            super().reject()
