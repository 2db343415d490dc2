"""The petitioner part of the intake form: one row per person present, group-visit counts."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core.cases.records import MAX_REPRESENTATIVES, PetitionerInput
from xinfang_desk.core.errors import FieldError
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.validators import normalize_phone, parse_resident_id

ERROR_STYLE = "color: #c62828;"
OK_STYLE = "color: #2e7d32;"
WARN_STYLE = "color: #b71c1c; font-weight: bold;"
ID_LENGTH = 18


class FocusLineEdit(QLineEdit):
    """A line edit that tells when the clerk leaves it (validation on focus-out)."""

    sig_focus_out = Signal()
    """Emitted after the edit lost the keyboard focus."""

    def focusOutEvent(self, event):  # noqa: N802 - Qt API
        super().focusOutEvent(event)
        self.sig_focus_out.emit()


def error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def show_message(label: QLabel, text: str, style: str = ERROR_STYLE) -> None:
    label.setStyleSheet(style)
    label.setText(text)
    label.setVisible(bool(text))


class PetitionerRow(QFrame):
    """One person: name, document, number (checked as typed), phone, address, 代表."""

    sig_changed = Signal()
    """Any value of the row changed."""
    sig_identity_changed = Signal()
    """Name, number, phone or address changed (what repeat detection looks at)."""
    sig_remove_requested = Signal(object)
    """The clerk asked to remove this (extra) row."""

    def __init__(self, position: int, today: dt.date | None = None, parent=None):
        super().__init__(parent)
        self.position = position
        self._today = today
        suffix = "" if position == 0 else str(position + 1)
        self.setObjectName(f"petitionerRow{suffix}")

        self.name = QLineEdit()
        self.name.setObjectName(f"petitionerName{suffix}")
        self.name.setPlaceholderText("姓名或单位名称")
        self.name.setMaxLength(100)
        self.doc_type = QComboBox()
        self.doc_type.setObjectName(f"docType{suffix}")
        self.doc_type.addItems(v.DOC_TYPES)
        self.id_number = FocusLineEdit()
        self.id_number.setObjectName(f"idNumber{suffix}")
        self.id_number.setPlaceholderText("18位身份证号")
        self.id_number.setMaxLength(30)
        self.id_info = QLabel()
        self.id_info.setObjectName(f"idInfo{suffix}")
        self.id_info.setWordWrap(True)
        self.id_info.hide()
        self.phone = FocusLineEdit()
        self.phone.setObjectName(f"phone{suffix}")
        self.phone.setPlaceholderText("手机或座机（含区号）")
        self.phone.setMaxLength(40)
        self.address = QLineEdit()
        self.address.setObjectName(f"address{suffix}")
        self.address.setPlaceholderText("住址（第十九条）")
        self.address.setMaxLength(200)
        self.representative = QCheckBox("代表")
        self.representative.setObjectName(f"representative{suffix}")
        self.representative.setToolTip("此人是多人共同反映时推选的代表（第二十条）")
        self.name_error = error_label(f"nameError{suffix}")
        self.phone_error = error_label(f"phoneError{suffix}")
        self.address_error = error_label(f"addressError{suffix}")

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 2, 0 if position == 0 else 0, 2)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        self.title = QLabel("姓名" if position == 0 else f"第{position + 1}人")
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.name, 0, 1)
        grid.addWidget(QLabel("证件"), 0, 2)
        grid.addWidget(self.doc_type, 0, 3)
        grid.addWidget(self.id_number, 0, 4)
        tail = QHBoxLayout()
        tail.addWidget(self.representative)
        if position:
            self.remove_button = QPushButton("移除")
            self.remove_button.setObjectName(f"removePetitioner{suffix}")
            self.remove_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            self.remove_button.clicked.connect(lambda: self.sig_remove_requested.emit(self))
            tail.addWidget(self.remove_button)
        tail.addStretch(1)
        grid.addLayout(tail, 0, 5)
        grid.addWidget(self.name_error, 1, 1)
        grid.addWidget(self.id_info, 1, 3, 1, 3)
        grid.addWidget(QLabel("电话"), 2, 0)
        grid.addWidget(self.phone, 2, 1)
        grid.addWidget(QLabel("住址"), 2, 2)
        grid.addWidget(self.address, 2, 3, 1, 3)
        grid.addWidget(self.phone_error, 3, 1)
        grid.addWidget(self.address_error, 3, 3, 1, 3)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(4, 3)
        grid.setColumnStretch(5, 1)

        for edit in (self.name, self.id_number, self.phone, self.address):
            edit.textChanged.connect(self.sig_changed)
            edit.textChanged.connect(self.sig_identity_changed)
        self.name.textChanged.connect(lambda: self.name_error.hide())
        self.address.textChanged.connect(lambda: self.address_error.hide())
        self.phone.textChanged.connect(lambda: self.phone_error.hide())
        self.doc_type.currentTextChanged.connect(self._doc_type_changed)
        self.representative.toggled.connect(self.sig_changed)
        self.id_number.textEdited.connect(lambda _t: self.check_id(final=False))
        self.id_number.sig_focus_out.connect(lambda: self.check_id(final=True))
        self.phone.sig_focus_out.connect(self.check_phone)

    # ------------------------------------------------------------------ live checks

    def check_id(self, final: bool) -> None:
        """Check the number once it is complete (18 characters) or the clerk moves on; show
        the derived sex and birth date, or the reason beside the field."""
        text = "".join(self.id_number.text().split())
        if self.doc_type.currentText() != "身份证" or not text:
            show_message(self.id_info, "")
            return
        if len(text) < ID_LENGTH and not final:
            show_message(self.id_info, "")
            return
        try:
            info = parse_resident_id(text, today=self._today)
        except FieldError as exc:
            show_message(self.id_info, exc.reason)
            return
        if info.upgraded_from_15 and final:
            self.id_number.setText(info.number)  # store the 18-digit form the core will keep
        extra = " · 已由15位升级" if info.upgraded_from_15 else ""
        show_message(self.id_info, f"{info.sex} · {info.birth_date:%Y-%m-%d}{extra}", OK_STYLE)

    def check_phone(self) -> None:
        text = self.phone.text().strip()
        if not text:
            show_message(self.phone_error, "")
            return
        try:
            normal = normalize_phone(text)
        except FieldError as exc:
            show_message(self.phone_error, exc.reason)
            return
        if normal != text:
            self.phone.setText(normal)
        show_message(self.phone_error, "")

    def _doc_type_changed(self, doc: str) -> None:
        self.id_number.setEnabled(doc != "无")
        self.id_number.setPlaceholderText("18位身份证号" if doc == "身份证" else "证件号码")
        self.check_id(final=True)
        self.sig_changed.emit()
        self.sig_identity_changed.emit()

    # ------------------------------------------------------------------ data

    def id_for_search(self) -> str:
        return self.id_number.text() if self.doc_type.currentText() == "身份证" else ""

    def is_blank(self) -> bool:
        return not any(e.text().strip() for e in (self.name, self.id_number, self.phone, self.address))

    def to_input(self) -> PetitionerInput:
        doc = self.doc_type.currentText()
        number = self.id_number.text().strip() if doc != "无" else ""
        # 身份证 with no number typed means the visitor showed none: let the core record 无.
        doc_type = "" if doc == "身份证" and not number else doc
        return PetitionerInput(name=self.name.text().strip(), id_number=number, doc_type=doc_type,
                               phone=self.phone.text().strip(), address=self.address.text().strip(),
                               is_representative=self.representative.isChecked())

    def to_dict(self) -> dict:
        return {"name": self.name.text(), "doc_type": self.doc_type.currentText(),
                "id_number": self.id_number.text(), "phone": self.phone.text(),
                "address": self.address.text(), "representative": self.representative.isChecked()}

    def from_dict(self, d: dict) -> None:
        self.name.setText(str(d.get("name", "")))
        doc = str(d.get("doc_type", "身份证"))
        self.doc_type.setCurrentText(doc if doc in v.DOC_TYPES else "身份证")
        self.id_number.setText(str(d.get("id_number", "")))
        self.phone.setText(str(d.get("phone", "")))
        self.address.setText(str(d.get("address", "")))
        self.representative.setChecked(bool(d.get("representative", False)))
        self.check_id(final=True)

    def clear(self) -> None:
        self.from_dict({})
        for label in (self.name_error, self.phone_error, self.address_error, self.id_info):
            show_message(label, "")

    def set_position(self, position: int) -> None:
        self.position = position
        if position:
            self.title.setText(f"第{position + 1}人")

    def error_targets(self, index: int) -> dict[str, tuple[QLabel, QWidget]]:
        """The core's FieldError labels for this row, sent as the index-th petitioner
        (see cases._check_petitioner)."""
        tag = f"第{index + 1}位信访人" if index else "信访人"
        return {
            f"{tag}姓名": (self.name_error, self.name),
            f"{tag}类型": (self.name_error, self.name),
            f"{tag}证件类型": (self.id_info, self.doc_type),
            f"{tag}身份证号": (self.id_info, self.id_number),
            f"{tag}联系电话": (self.phone_error, self.phone),
            f"{tag}备用电话": (self.phone_error, self.phone),
        }

    def focus_chain(self) -> list[QWidget]:
        return [self.name, self.doc_type, self.id_number, self.phone, self.address,
                self.representative]


class PetitionerBlock(QGroupBox):
    """信访人: the rows, 添加信访人, people involved and representatives present (第二十条)."""

    sig_changed = Signal()
    """Any petitioner value or count changed."""
    sig_identity_changed = Signal()
    """The first petitioner's identity changed (repeat detection)."""
    sig_rows_changed = Signal()
    """A row was added or removed (the page rebuilds the tab order)."""

    def __init__(self, today: dt.date | None = None, parent=None):
        super().__init__("信访人", parent)
        self.setObjectName("petitionerBlock")
        self._today = today
        self.group_threshold = 5
        self.rows: list[PetitionerRow] = []
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setSpacing(4)

        self.add_button = QPushButton("添加信访人(&A)")
        self.add_button.setObjectName("addPetitioner")
        self.add_button.setToolTip("多人共同来访时逐一登记（Alt+A）")
        self.add_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Alt+A; keeps Tab quick
        self.people = QSpinBox()
        self.people.setObjectName("peopleCount")
        self.people.setRange(1, 9999)
        self.people.setSuffix(" 人")
        self.reps = QSpinBox()
        self.reps.setObjectName("repsPresent")
        self.reps.setRange(0, 999)
        self.reps.setValue(1)
        self.reps.setSuffix(" 人")
        self.reps_warning = QLabel(
            f"到场代表超过{MAX_REPRESENTATIVES}人：第二十条要求推选不超过{MAX_REPRESENTATIVES}名代表")
        self.reps_warning.setObjectName("repsWarning")
        self.reps_warning.setStyleSheet(WARN_STYLE)
        self.reps_warning.setWordWrap(True)
        self.reps_warning.hide()
        self.group_note = QLabel("集体访")
        self.group_note.setObjectName("groupNote")
        self.group_note.setStyleSheet(
            "color: white; background: #e65100; border-radius: 3px; padding: 1px 6px;")
        self.group_note.hide()
        self.count_error = error_label("countError")

        counts = QHBoxLayout()
        counts.addWidget(self.add_button)
        counts.addSpacing(16)
        counts.addWidget(QLabel("涉及人数"))
        counts.addWidget(self.people)
        counts.addWidget(QLabel("到场代表"))
        counts.addWidget(self.reps)
        counts.addWidget(self.group_note)
        counts.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addLayout(self.rows_layout)
        layout.addLayout(counts)
        layout.addWidget(self.count_error)
        layout.addWidget(self.reps_warning)

        self.add_button.clicked.connect(self.add_row_focused)
        self.people.valueChanged.connect(self._counts_changed)
        self.reps.valueChanged.connect(self._counts_changed)
        self.people.valueChanged.connect(lambda: self.count_error.hide())
        self.reps.valueChanged.connect(lambda: self.count_error.hide())
        self.add_row()

    @property
    def primary(self) -> PetitionerRow:
        return self.rows[0]

    def add_row(self) -> PetitionerRow:
        row = PetitionerRow(len(self.rows), self._today, self)
        if self.rows:
            row.setFrameShape(QFrame.Shape.NoFrame)
        row.sig_changed.connect(self.sig_changed)
        if not self.rows:
            row.sig_identity_changed.connect(self.sig_identity_changed)
        row.sig_remove_requested.connect(self.remove_row)
        self.rows.append(row)
        self.rows_layout.addWidget(row)
        # Everyone registered is counted; the clerk corrects the totals if more came.
        n = len(self.rows)
        self.people.setValue(max(self.people.value(), n))
        self.reps.setValue(max(self.reps.value(), n))
        self.sig_rows_changed.emit()
        self.sig_changed.emit()
        return row

    def add_row_focused(self) -> None:
        self.add_row().name.setFocus()

    def remove_row(self, row: PetitionerRow) -> None:
        if row is self.primary:
            return
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        for position, other in enumerate(self.rows):
            other.set_position(position)
        self.sig_rows_changed.emit()
        self.sig_changed.emit()

    def _counts_changed(self) -> None:
        self.reps_warning.setVisible(self.reps.value() > MAX_REPRESENTATIVES)
        self.group_note.setVisible(self.people.value() >= self.group_threshold)
        self.group_note.setToolTip(f"涉及人数达到{self.group_threshold}人，按集体访统计")
        self.sig_changed.emit()

    def set_group_threshold(self, threshold: int) -> None:
        self.group_threshold = threshold
        self._counts_changed()

    # ------------------------------------------------------------------ data

    def sent_rows(self) -> list[PetitionerRow]:
        # Extra rows left empty (added by mistake) are not petitioners.
        return [self.primary] + [r for r in self.rows[1:] if not r.is_blank()]

    def inputs(self) -> list[PetitionerInput]:
        return [r.to_input() for r in self.sent_rows()]

    def is_blank(self) -> bool:
        return all(r.is_blank() for r in self.rows)

    def to_dict(self) -> dict:
        return {"petitioners": [r.to_dict() for r in self.rows],
                "people_count": self.people.value(), "reps_present": self.reps.value()}

    def from_dict(self, d: dict) -> None:
        self.clear()
        rows = d.get("petitioners") or [{}]
        self.primary.from_dict(rows[0] if isinstance(rows[0], dict) else {})
        for extra in rows[1:]:
            if isinstance(extra, dict):
                self.add_row().from_dict(extra)
        self.people.setValue(int(d.get("people_count") or 1))
        self.reps.setValue(int(d.get("reps_present") if d.get("reps_present") is not None else 1))

    def clear(self) -> None:
        for extra in self.rows[1:]:
            extra.setParent(None)
            extra.deleteLater()
        del self.rows[1:]
        self.primary.clear()
        self.people.setValue(1)
        self.reps.setValue(1)
        self.count_error.hide()
        self.sig_rows_changed.emit()

    def error_targets(self) -> dict[str, tuple[QLabel, QWidget]]:
        out: dict[str, tuple[QLabel, QWidget]] = {}
        for index, row in enumerate(self.sent_rows()):
            out.update(row.error_targets(index))
        out["信访人"] = (self.primary.name_error, self.primary.name)
        out["涉及人数"] = (self.count_error, self.people)
        out["到场代表人数"] = (self.count_error, self.reps)
        return out

    def focus_chain(self) -> list[QWidget]:
        chain: list[QWidget] = []
        for row in self.rows:
            chain.extend(row.focus_chain())
        return chain + [self.people, self.reps]
