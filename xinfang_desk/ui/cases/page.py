"""案件列表: every case, searched and filtered by the core, paged into a table."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core.rules import vocab as v
from xinfang_desk.ui.cases.table_model import CASE_NO_ROLE, COLUMNS, CaseTableModel
from xinfang_desk.ui.widgets.tables import search_box
from xinfang_desk.ui.widgets.tasks import TaskRunner

ALL = "全部"
SEARCH_DELAY_MS = 300
CONFIDENTIAL_CHOICES = {"全部": None, "仅保密": True, "非保密": False}
# Initial column widths (pixels); the main window restores the user's own afterwards.
COLUMN_WIDTHS = (112, 84, 66, 66, 130, 80, 140, 100, 250, 84, 140)


def load_filter_options():
    """Runs on the worker thread: the field paths and unit names for the filter combos."""
    from xinfang_desk.core.cases.taxonomy import field_tree, list_units

    paths: list[str] = []
    for top in field_tree(include_inactive=True):
        paths.append(top.path)
        paths.extend(child.path for child in top.children)
    return paths, list_units(include_inactive=True)


class CasesPage(QWidget):
    sig_open_case_requested = Signal(str)
    sig_status_message = Signal(str)

    def __init__(self, tasks: TaskRunner, today: dt.date | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("casesPage")
        self._tasks = tasks
        self._today = today
        self._keep_scroll: int | None = None
        self._keep_selected: str | None = None

        # Typing waits for a pause; a new keystroke restarts the wait, so one query runs.
        self.search_box, self._search_timer = search_box(
            "searchBox", "搜索：姓名、事项内容，或案件编号、查询码、身份证号、电话", self._apply,
            SEARCH_DELAY_MS)
        self.status_combo = self._combo("statusFilter", [ALL, *v.STATUS_LABELS.values()])
        self.category_combo = self._combo("categoryFilter", [ALL, *v.CATEGORIES])
        self.channel_combo = self._combo("channelFilter", [ALL, *v.CHANNELS])
        self.confidential_combo = self._combo("confidentialFilter", list(CONFIDENTIAL_CHOICES))
        self.field_combo = self._combo("fieldFilter", [ALL])
        self.unit_combo = self._combo("unitFilter", [ALL])
        for combo in (self.field_combo, self.unit_combo):
            # Long taxonomy paths and unit names must not push the row wider than the window.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
        self.date_check = QCheckBox("收到日期")
        self.date_check.setObjectName("dateFilter")
        self.date_check.setToolTip("不勾选则不限收到日期")
        today_q = self._qtoday()
        self.date_from = self._date_edit("dateFrom", today_q.addYears(-1))
        self.date_to = self._date_edit("dateTo", today_q)
        self.overdue_check = QCheckBox("仅超期")
        self.overdue_check.setObjectName("overdueFilter")
        self.clear_button = QPushButton("清除条件")
        self.clear_button.setObjectName("clearFilters")
        self.count_label = QLabel("正在读取……")
        self.count_label.setObjectName("caseCount")

        self.model = CaseTableModel(tasks, today=today, parent=self)
        self.table = QTableView()
        self.table.setObjectName("caseTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        # Fixed row height: the view never measures rows it has not loaded.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        for col, width in enumerate(COLUMN_WIDTHS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(col, width)
        # Matches the model's default order (newest first), so enabling sorting is a no-op.
        header.setSortIndicator(self.model.sort_column, self.model.sort_order)
        self.table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)

        top = QHBoxLayout()
        top.addWidget(self.search_box, 3)
        for label, widget in (("状态", self.status_combo), ("类别", self.category_combo),
                              ("形式", self.channel_combo), ("保密", self.confidential_combo)):
            top.addWidget(QLabel(label))
            top.addWidget(widget)
        second = QHBoxLayout()
        for label, widget in (("领域", self.field_combo), ("承办单位", self.unit_combo)):
            second.addWidget(QLabel(label))
            second.addWidget(widget)
        second.addWidget(self.date_check)
        second.addWidget(self.date_from)
        second.addWidget(QLabel("至"))
        second.addWidget(self.date_to)
        second.addWidget(self.overdue_check)
        second.addWidget(self.clear_button)
        second.addStretch(1)
        second.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.table, 1)
        self._date_check_toggled(False)

        for combo in (self.status_combo, self.category_combo, self.channel_combo,
                      self.confidential_combo, self.field_combo, self.unit_combo):
            combo.currentIndexChanged.connect(self._apply)
        self.date_check.toggled.connect(self._date_check_toggled)
        self.date_from.dateChanged.connect(self._dates_changed)
        self.date_to.dateChanged.connect(self._dates_changed)
        self.overdue_check.toggled.connect(self._apply)
        self.clear_button.clicked.connect(self.clear_filters)
        self.table.doubleClicked.connect(self._open_index)
        self.model.sig_loaded.connect(self._loaded)
        self.model.sig_failed.connect(self._failed)

        self._options_loaded = False
        self._load_options()

    # ------------------------------------------------------------------ widgets

    def _qtoday(self) -> QDate:
        day = self._today or dt.date.today()
        return QDate(day.year, day.month, day.day)

    @staticmethod
    def _combo(name: str, items: list[str]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItems(items)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    @staticmethod
    def _date_edit(name: str, day: QDate) -> QDateEdit:
        edit = QDateEdit(day)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _load_options(self) -> None:
        self._tasks.run(load_filter_options, self._options_arrived, lambda _exc: None)

    def _options_arrived(self, options) -> None:
        paths, units = options
        for combo, items in ((self.field_combo, paths), (self.unit_combo, units)):
            current = combo.currentText()
            combo.blockSignals(True)  # refilling must not fire a query per item
            combo.clear()
            combo.addItems([ALL, *items])
            index = combo.findText(current)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
            if index < 0 and current != ALL:
                self._apply()  # the chosen entry is gone (renamed): show everything
        self._options_loaded = True

    def _date_check_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        if self.sender() is self.date_check:
            self._apply()

    def _dates_changed(self) -> None:
        if self.date_check.isChecked():
            self._apply()

    def _sort_indicator_changed(self, column: int, order) -> None:
        if COLUMNS[column][1] is None:
            # Not sortable (the core cannot order by it): put the indicator back.
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column, self.model.sort_order)
            header.blockSignals(False)

    # ------------------------------------------------------------------ querying

    def query_params(self) -> dict:
        """The search box and filters as keyword arguments of search_cases."""
        def chosen(combo: QComboBox):
            text = combo.currentText()
            return None if text == ALL or not text else text

        params = {
            "text": self.search_box.text().strip(),
            "status": chosen(self.status_combo),
            "category": chosen(self.category_combo),
            "channel": chosen(self.channel_combo),
            "field": chosen(self.field_combo),
            "unit": chosen(self.unit_combo),
            "overdue_only": self.overdue_check.isChecked(),
            "confidential": CONFIDENTIAL_CHOICES[self.confidential_combo.currentText()],
        }
        if self.date_check.isChecked():
            params["date_from"] = self.date_from.date().toPython()
            params["date_to"] = self.date_to.date().toPython()
        return params

    def _apply(self) -> None:
        self._search_timer.stop()
        self._keep_scroll = None
        self.count_label.setText("正在查询……")
        self.model.set_query(self.query_params())

    def refresh(self) -> None:
        """Run the current query again (after a case changed), keeping filters and the
        scroll position."""
        self._keep_scroll = self.table.verticalScrollBar().value()
        current = self.table.currentIndex()
        self._keep_selected = current.data(CASE_NO_ROLE) if current.isValid() else None
        self.model.set_query(self.query_params())
        self._load_options()

    def clear_filters(self) -> None:
        widgets = (self.search_box, self.status_combo, self.category_combo, self.channel_combo,
                   self.confidential_combo, self.field_combo, self.unit_combo, self.date_check,
                   self.overdue_check)
        for w in widgets:
            w.blockSignals(True)
        self.search_box.clear()
        for combo in widgets[1:7]:
            combo.setCurrentIndex(0)
        self.date_check.setChecked(False)
        self.overdue_check.setChecked(False)
        for w in widgets:
            w.blockSignals(False)
        self._date_check_toggled(False)
        self._apply()

    def _loaded(self, total: int) -> None:
        text = f"共 {total:,} 件"
        if self.model.capped:
            text = f"超过 {total:,} 件，只列出前 {total:,} 件；请再加一个词或筛选条件缩小范围"
        self.count_label.setText(text)
        self.sig_status_message.emit(text)
        if self._keep_scroll is not None:
            self.table.verticalScrollBar().setValue(self._keep_scroll)
            self._keep_scroll = None
            self._reselect()
        else:
            self.table.scrollToTop()

    def _reselect(self) -> None:
        """After a refresh (another desk's change, or this one's), the clerk's row stays
        selected if it is still on screen."""
        case_no, self._keep_selected = self._keep_selected, None
        if not case_no:
            return
        first = max(self.table.rowAt(0), 0)
        last = self.table.rowAt(self.table.viewport().height() - 1)
        last = self.model.rowCount() - 1 if last < 0 else last
        for row in range(first, last + 1):
            if self.model.index(row, 0).data(CASE_NO_ROLE) == case_no:
                self.table.selectRow(row)
                return

    def _failed(self, message: str) -> None:
        self.count_label.setText(f"查询失败：{message}")
        self.sig_status_message.emit(f"查询失败：{message}")

    def _open_index(self, index) -> None:
        case_no = index.data(CASE_NO_ROLE)
        if case_no:
            self.sig_open_case_requested.emit(case_no)
