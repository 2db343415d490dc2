"""Tree model of the follow-up board: section rows (已超期 / N日内到期 / 一周内到期) with the
deadline items under them. Read-only; the page replaces the whole board after each refresh."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from xinfang_desk.core.cases.followup import SECTION_KEYS, Board, BoardItem, filter_items
from xinfang_desk.ui.widgets.colours import OVERDUE_COLOUR, SOON_COLOUR

COLUMNS = ("案件编号", "期限", "到期日", "剩余", "事项摘要", "类别", "承办单位", "信访人",
           "状态", "依据")
COL_CASE, COL_KIND, COL_DUE, COL_LEFT, COL_SUMMARY = 0, 1, 2, 3, 4

SECTION_BACKGROUND = QColor("#eef2f7")

ItemRole = Qt.ItemDataRole.UserRole + 1  # the BoardItem of a row (None on section rows)
SectionRole = Qt.ItemDataRole.UserRole + 2  # the section key of a row
SortRole = Qt.ItemDataRole.UserRole + 3

# internalId of an index: 0 for a section row, section position + 1 for an item under it.
_TOP = 0


def left_text(item: BoardItem) -> str:
    if item.overdue:
        return f"超期{-item.days_left}天"
    if item.days_left == 0:
        return "今天到期"
    return f"剩{item.days_left}天"


class FollowupModel(QAbstractItemModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._board: Board | None = None
        self._group: str | None = None
        self._sections: list[tuple[str, list[BoardItem]]] = []

    # ------------------------------------------------------------------ data in

    def set_board(self, board: Board) -> None:
        self.beginResetModel()
        self._board = board
        self._rebuild()
        self.endResetModel()

    def set_group(self, group: str | None) -> None:
        self.beginResetModel()
        self._group = group or None
        self._rebuild()
        self.endResetModel()

    def _rebuild(self) -> None:
        self._sections = []
        if self._board is None:
            return
        items = filter_items(self._board.items, self._group)
        for key in SECTION_KEYS:
            self._sections.append((key, [i for i in items if i.section == key]))

    @property
    def soon_days(self) -> int:
        return self._board.soon_days if self._board else 3

    def section_count(self, key: str) -> int:
        for k, items in self._sections:
            if k == key:
                return len(items)
        return 0

    def section_index(self, key: str) -> QModelIndex:
        for row, (k, _items) in enumerate(self._sections):
            if k == key:
                return self.index(row, 0)
        return QModelIndex()

    def item(self, index: QModelIndex) -> BoardItem | None:
        if not index.isValid() or index.internalId() == _TOP:
            return None
        return self._sections[index.internalId() - 1][1][index.row()]

    def find(self, case_no: str) -> list[QModelIndex]:
        out = []
        for srow, (_key, items) in enumerate(self._sections):
            for row, it in enumerate(items):
                if it.case_no == case_no:
                    out.append(self.index(row, 0, self.index(srow, 0)))
        return out

    # ------------------------------------------------------------------ Qt API

    def index(self, row, column, parent=QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _TOP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index=QModelIndex()) -> QModelIndex:  # noqa: D401 - Qt API
        if not index.isValid() or index.internalId() == _TOP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _TOP)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        if not parent.isValid():
            return len(self._sections)
        if parent.internalId() == _TOP and parent.column() == 0:
            return len(self._sections[parent.row()][1])
        return 0

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId() == _TOP:
            return self._section_data(index, role)
        item = self.item(index)
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = []
            if col == COL_SUMMARY:
                tips.append(item.summary)
            tips.extend(item.warnings)
            return "\n".join(tips) or None
        if role == Qt.ItemDataRole.ForegroundRole and col in (COL_DUE, COL_LEFT):
            if item.overdue:
                return OVERDUE_COLOUR
            if item.days_left <= self.soon_days:
                return SOON_COLOUR
            return None
        if role == Qt.ItemDataRole.FontRole and col == COL_LEFT and item.overdue:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_LEFT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ItemRole:
            return item
        if role == SectionRole:
            return item.section
        if role == SortRole:
            return item.days_left if col == COL_LEFT else self._text(item, col)
        return None

    def _section_data(self, index, role):
        key, items = self._sections[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                label = self._board.label(key) if self._board else key
                return f"{label}（{len(items)}）"
            return None
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            return SECTION_BACKGROUND
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 0 and items:
            if key == "overdue":
                return OVERDUE_COLOUR
            if key == "soon":
                return SOON_COLOUR
        if role == SectionRole:
            return key
        return None

    @staticmethod
    def _text(item: BoardItem, col: int) -> str:
        return (
            item.case_no, item.label, item.due.strftime("%Y-%m-%d"), left_text(item),
            item.summary, item.category, item.unit, item.petitioners, item.status, item.basis,
        )[col]
