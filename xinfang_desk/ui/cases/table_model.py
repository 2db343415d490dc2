"""The case list model: pages of `search.search_cases` loaded on the worker thread as the
view asks for rows.

The model reports every matching row (`total`) at once, so the scroll bar is true and a
jump to the end costs one page, not the whole list. Rows are kept in a bounded cache of
pages (least recently used dropped first); a row whose page is not here yet shows a
placeholder and its page is requested. Each query has a generation number: results of an
older query (typing fast, changing filters) are discarded when they arrive.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal

from xinfang_desk.ui.widgets.colours import CLOSED_COLOUR, CONFIDENTIAL_COLOUR
from xinfang_desk.ui.widgets.tasks import TaskRunner

# (header, search order key or None if the column cannot be sorted)
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("案件编号", "case_no"),
    ("收到日期", "received_on"),
    ("信访形式", "channel"),
    ("类别", "category"),
    ("领域", None),
    ("信访人", None),
    ("证件号", None),
    ("电话", None),
    ("事项摘要", None),
    ("状态", "status"),
    ("承办单位", None),
)
COL_CASE_NO, COL_RECEIVED, COL_SUMMARY, COL_STATUS = 0, 1, 8, 9

CASE_NO_ROLE = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the core CaseRow itself

CONFIDENTIAL_MARK = "（保密）"
PLACEHOLDER = "……"


def _display(row, col: int) -> str:
    if col == 0:
        return row.case_no
    if col == 1:
        return row.received_on.strftime("%Y-%m-%d")
    if col == 2:
        return row.channel
    if col == 3:
        return row.category
    if col == 4:
        return row.field
    if col == 5:
        return row.petitioners
    if col == 6:
        return row.id_masked
    if col == 7:
        return row.phone_masked
    if col == 8:
        return (CONFIDENTIAL_MARK if row.confidential else "") + row.summary
    if col == 9:
        return row.status_label
    return row.unit


def fetch_page(params: dict, order_by: str, limit: int, offset: int, today: dt.date | None):
    """Runs on the worker thread: one page of rows and the total (plain data). A text search
    counts up to LIST_COUNT_LIMIT matches: the list then holds the newest that many."""
    from xinfang_desk.core.cases.search import LIST_COUNT_LIMIT, search_cases

    return search_cases(**params, order_by=order_by, limit=limit, offset=offset, today=today,
                        count_limit=LIST_COUNT_LIMIT)


class CaseTableModel(QAbstractTableModel):
    sig_loaded = Signal(int)
    """A (re)query landed: the number of matching cases."""
    sig_failed = Signal(str)
    sig_page_loaded = Signal(int)
    """A page arrived (its number): lets tests and benchmarks wait for scrolling."""

    def __init__(self, tasks: TaskRunner, today: dt.date | None = None, parent=None, *,
                 page_size: int = 200, max_pages: int = 40):
        super().__init__(parent)
        self._tasks = tasks
        self._today = today
        self.page_size = page_size
        self.max_pages = max_pages  # the cache holds at most page_size * max_pages rows
        self._params: dict = {}
        self._order_by = "-received_on"
        self._sort_column, self._sort_order = COL_RECEIVED, Qt.SortOrder.DescendingOrder
        self._total = 0
        self._capped = False
        self._pages: OrderedDict[int, list] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self._reloading = False
        self.requests = 0  # pages asked of the worker (for the benchmark)

    # ------------------------------------------------------------------ querying

    @property
    def total(self) -> int:
        return self._total

    @property
    def capped(self) -> bool:
        """More cases match than the list holds (`total` is the count limit)."""
        return self._capped

    @property
    def order_by(self) -> str:
        return self._order_by

    @property
    def loading(self) -> bool:
        return self._reloading

    def set_query(self, params: dict) -> None:
        """New search text / filters (keyword arguments of search_cases): query again."""
        self._params = dict(params)
        self.reload()

    def reload(self) -> None:
        """Run the current query again. The old rows stay on screen until the new first page
        arrives, so a refresh does not flicker."""
        self._generation += 1
        self._reloading = True
        self._pending.clear()
        gen = self._generation
        params, order, size, today = dict(self._params), self._order_by, self.page_size, self._today
        self.requests += 1
        self._tasks.run(lambda: fetch_page(params, order, size, 0, today),
                        lambda result: self._reloaded(gen, result),
                        lambda exc: self._failed(gen, exc))

    def _reloaded(self, gen: int, result) -> None:
        if gen != self._generation:
            return  # an older query: the user has typed on since
        self.beginResetModel()
        self._total, self._capped = result.total, result.capped
        self._pages = OrderedDict({0: list(result.rows)}) if result.rows else OrderedDict()
        self._reloading = False
        self.endResetModel()
        self.sig_loaded.emit(self._total)

    def _failed(self, gen: int, exc) -> None:
        if gen != self._generation:
            return
        self._reloading = False
        self.sig_failed.emit(str(exc))

    def _request_page(self, page: int) -> None:
        if page in self._pending or self._reloading:
            return
        self._pending.add(page)
        gen = self._generation
        params, order, size, today = dict(self._params), self._order_by, self.page_size, self._today
        self.requests += 1
        self._tasks.run(lambda: fetch_page(params, order, size, page * size, today),
                        lambda result: self._page_arrived(gen, page, result),
                        lambda exc: self._failed(gen, exc))

    def _page_arrived(self, gen: int, page: int, result) -> None:
        if gen != self._generation:
            return
        self._pending.discard(page)
        if result.total != self._total:
            # Cases were added or changed since the first page: offsets have moved, so every
            # cached page may be off by some rows. Start again from this page's view.
            self.beginResetModel()
            self._total, self._capped = result.total, result.capped
            self._pages = OrderedDict({page: list(result.rows)})
            self.endResetModel()
            self.sig_loaded.emit(self._total)
            self.sig_page_loaded.emit(page)
            return
        self._pages[page] = list(result.rows)
        self._pages.move_to_end(page)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        first = page * self.page_size
        last = min(self._total, first + self.page_size) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.sig_page_loaded.emit(page)

    def row_at(self, row: int):
        """The CaseRow at `row` if its page is loaded, else None (and the page is asked for)."""
        if not 0 <= row < self._total:
            return None
        page = row // self.page_size
        rows = self._pages.get(page)
        if rows is None:
            self._request_page(page)
            return None
        self._pages.move_to_end(page)
        offset = row - page * self.page_size
        return rows[offset] if offset < len(rows) else None

    def cached_rows(self) -> int:
        return sum(len(rows) for rows in self._pages.values())

    # ------------------------------------------------------------------ Qt model API

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][0]
            if role == Qt.ItemDataRole.ToolTipRole:
                return "点击按此列排序" if COLUMNS[section][1] else None
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.parent().isValid():
            return None
        row = self.row_at(index.row())
        col = index.column()
        if row is None:
            if role == Qt.ItemDataRole.DisplayRole and col == 0:
                return PLACEHOLDER
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(row, col)
        if role == CASE_NO_ROLE:
            return row.case_no
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_SUMMARY:
            return _display(row, col)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == COL_SUMMARY and row.confidential:
                return CONFIDENTIAL_COLOUR
            if row.status == "closed":
                return CLOSED_COLOUR
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is done by the core (the list is paged): query again in the new order.
        Columns without an order key are ignored."""
        if not 0 <= column < len(COLUMNS) or COLUMNS[column][1] is None:
            return
        key = COLUMNS[column][1]
        order_by = key if order == Qt.SortOrder.AscendingOrder else f"-{key}"
        self._sort_column, self._sort_order = column, order
        if order_by == self._order_by:
            return
        self._order_by = order_by
        self.reload()

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order
