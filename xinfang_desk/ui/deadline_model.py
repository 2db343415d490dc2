"""Table model over a list of core `Due` items (read-only)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

COLUMNS = ("案件编号", "期限", "到期日", "剩余", "依据")

OVERDUE_COLOUR = QColor("#c62828")
SOON_COLOUR = QColor("#ef6c00")


class DeadlineTableModel(QAbstractTableModel):
    def __init__(self, parent=None, soon_days: int = 3):
        super().__init__(parent)
        self._rows = []
        self._soon = soon_days

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_item(self, row: int):
        return self._rows[row]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        d = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return d.case_no
            if col == 1:
                return d.label
            if col == 2:
                return d.due.strftime("%Y-%m-%d")
            if col == 3:
                return f"超期{-d.days_left}天" if d.overdue else f"{d.days_left}天"
            return d.basis
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            if d.overdue:
                return OVERDUE_COLOUR
            if d.days_left <= self._soon:
                return SOON_COLOUR
        return None
