"""The column mapping of the import wizard: one row per column of the ledger, its meaning as a
drop-down (pre-filled from the column name or the saved mapping) and a sample value.

Editing a drop-down edits a core `Mapping`: the wizard's dry run and import read exactly what
the clerk sees. Two columns cannot mean the same field (the core would keep the first and put
the other in the notes): choosing a field another column holds moves that column to the notes,
said in the hint line, so nothing is dropped silently."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHeaderView, QTableWidget, QTableWidgetItem

from xinfang_desk.core.interchange.ledger_columns import FIELD_LABELS, IGNORE, Mapping, guess_field
from xinfang_desk.core.interchange.ledger_import import IGNORED_LABEL, NOTES_LABEL

NOTES = "notes"  # the field key of 备注: a column kept in the notes under its own name
# (label, field key); None = no field of its own, so kept in the notes as 列名：值.
CHOICES: list[tuple[str, str | None]] = [
    (NOTES_LABEL, None), (IGNORED_LABEL, IGNORE),
    *((label, key) for key, label in FIELD_LABELS.items()),
]


def _choice_index(field: str | None) -> int:
    for i, (_, key) in enumerate(CHOICES):
        if key == field:
            return i
    return 0


class MappingTable(QTableWidget):
    sig_changed = Signal(str)
    """The mapping changed through a drop-down; the text says what else moved (or "")."""

    def __init__(self, parent=None):
        super().__init__(0, 3, parent)
        self.setObjectName("ledgerMappingTable")
        self.setHorizontalHeaderLabels(["台账中的列", "导入为", "示例"])
        self.verticalHeader().hide()
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.mapping = Mapping()
        self.headers: list[str] = []

    def show_columns(self, headers: list[str], samples: list[str], mapping: Mapping) -> None:
        """One row per named column (in the ledger's order), the drop-downs as `mapping`
        resolves the names."""
        self.mapping = mapping
        self.headers = [h for h in headers if h]
        samples_of = dict(zip(headers, samples, strict=False))
        self.setRowCount(len(self.headers))
        for row, header in enumerate(self.headers):
            self.setItem(row, 0, QTableWidgetItem(header))
            combo = QComboBox()
            combo.setObjectName(f"mapping:{header}")
            combo.setMinimumContentsLength(8)  # （记入备注） and 身份证号码 in full
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            for label, key in CHOICES:
                combo.addItem(label, key)
            combo.currentIndexChanged.connect(lambda _i, h=header: self._chosen(h))
            self.setCellWidget(row, 1, combo)
            self.setItem(row, 2, QTableWidgetItem(samples_of.get(header, "")))
        self._show_fields()

    def combo(self, header: str) -> QComboBox | None:
        for row, h in enumerate(self.headers):
            if h == header:
                return self.cellWidget(row, 1)
        return None

    def field_of(self, header: str) -> str | None:
        """What the column means now: a field key, IGNORE, or None (kept in the notes)."""
        if self.mapping.columns.get(header) == IGNORE:
            return IGNORE
        return self.resolved().get(header)

    def resolved(self) -> dict[str, str]:
        return {self.headers[i]: key for i, key in self.mapping.resolve(self.headers).items()}

    def choose(self, header: str, field: str | None) -> None:
        """Set a column's meaning as the drop-down would (tests and keyboard users alike)."""
        combo = self.combo(header)
        if combo is not None:
            combo.setCurrentIndex(_choice_index(field))

    def layout_mapping(self, name: str) -> Mapping:
        """The mapping to save under `name`: every column that means a field, in the ledger's
        order (the ledger export writes the office's columns in that order), the columns left
        out, and the value words the loaded mapping had."""
        resolved = self.resolved()
        columns: dict[str, str] = {}
        for header in self.headers:
            if self.mapping.columns.get(header) == IGNORE:
                columns[header] = IGNORE
            elif header in resolved:
                columns[header] = resolved[header]
            elif guess_field(header) is not None:
                columns[header] = NOTES  # a known name the clerk chose to keep in the notes
        return Mapping(name=name, columns=columns,
                       values={k: dict(v) for k, v in self.mapping.values.items()})

    def _chosen(self, header: str) -> None:
        combo = self.combo(header)
        key = combo.currentData()
        moved = ""
        if key is None:
            if guess_field(header) is None:
                self.mapping.columns.pop(header, None)
            else:
                self.mapping.columns[header] = NOTES
        else:
            if key not in (IGNORE, NOTES):
                for other, field in self.resolved().items():
                    if field == key and other != header:
                        self.mapping.columns[other] = NOTES
                        moved = f"“{other}”原来也导入为“{FIELD_LABELS[key]}”，已改为{NOTES_LABEL}"
            self.mapping.columns[header] = key
        self._show_fields()
        self.sig_changed.emit(moved)

    def _show_fields(self) -> None:
        resolved = self.resolved()
        for row, header in enumerate(self.headers):
            combo = self.cellWidget(row, 1)
            if self.mapping.columns.get(header) == IGNORE:
                field = IGNORE
            else:
                field = resolved.get(header)
            combo.blockSignals(True)
            combo.setCurrentIndex(_choice_index(field))
            combo.blockSignals(False)
