"""设置 › 节假日与调休: the editable holiday / 调休 table, one year at a time."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.ui.widgets.tasks import TaskRunner

KIND_LABELS = {"holiday": "节假日（休息）", "workday": "调休上班"}
WEEKDAYS = "一二三四五六日"
ERROR_STYLE = "color:#c62828"


def status_text(year: int, status: str | None, source: str) -> tuple[str, bool]:
    """What the clerk reads about a year's data, and whether it is a warning."""
    if status is None:
        return (f"{year}年尚无节假日和调休数据：期限只按普通周末推算。请按国务院办公厅"
                "当年的放假通知逐日录入。", True)
    origin = "手工录入" if source == "手工录入" else "随程序提供"
    if status == "official":
        return f"{year}年：已按国务院办公厅通知录入（官方，{origin}）。", False
    return (f"{year}年：推算数据（{origin}），尚未按国务院办公厅通知核对。通知发布后请核对并"
            "补录调休上班日。", True)


class CalendarEditor(QWidget):
    sig_loaded = Signal()
    """The year's days are listed."""
    sig_changed = Signal()
    """A day was added, changed or removed (deadlines may move)."""

    def __init__(self, tasks: TaskRunner, today: dt.date | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("calendarSettings")
        self._tasks = tasks
        self._today = today or dt.date.today()
        self._rows: list[tuple[dt.date, str, str]] = []

        self.year = QComboBox()
        self.year.setObjectName("calendarYear")
        self.year.currentIndexChanged.connect(self._year_changed)
        self.status = QLabel("")
        self.status.setObjectName("calendarStatus")
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("年份："))
        top.addWidget(self.year)
        top.addWidget(self.status, 1)

        self.table = QTableWidget(0, 4)
        self.table.setObjectName("calendarTable")
        self.table.setHorizontalHeaderLabels(["日期", "星期", "类型", "名称"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 110)
        self.table.setColumnWidth(1, 60)
        self.table.setColumnWidth(2, 120)
        self.table.itemSelectionChanged.connect(self._row_selected)

        self.day = QDateEdit()
        self.day.setObjectName("calendarDay")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setDate(QDate(self._today.year, self._today.month, self._today.day))
        self.kind = QComboBox()
        self.kind.setObjectName("calendarKind")
        for code, label in KIND_LABELS.items():
            self.kind.addItem(label, code)
        self.name = QLineEdit()
        self.name.setObjectName("calendarName")
        self.name.setPlaceholderText("如：国庆节、本地停工")
        self.save_button = QPushButton("保存此日")
        self.save_button.setObjectName("calendarSaveButton")
        self.save_button.clicked.connect(self.save_day)
        self.remove_button = QPushButton("恢复为普通日")
        self.remove_button.setObjectName("calendarRemoveButton")
        self.remove_button.setToolTip("删除此日的特殊安排：周一至周五上班，周六、周日休息")
        self.remove_button.clicked.connect(self.remove_day)
        edit_box = QGroupBox("添加或修改一天")
        edit = QHBoxLayout(edit_box)
        edit.addWidget(QLabel("日期："))
        edit.addWidget(self.day)
        edit.addWidget(QLabel("类型："))
        edit.addWidget(self.kind)
        edit.addWidget(QLabel("名称："))
        edit.addWidget(self.name, 1)
        edit.addWidget(self.save_button)
        edit.addWidget(self.remove_button)
        self.message = QLabel("")
        self.message.setObjectName("calendarMessage")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(edit_box)
        layout.addWidget(self.message)

    # ------------------------------------------------------------------ loading

    def current_year(self) -> int:
        return self.year.currentData() or self._today.year

    def refresh(self) -> None:
        self._load(self.current_year() if self.year.count() else self._today.year)

    def show_year(self, year: int) -> None:
        self._load(year)

    def _load(self, year: int) -> None:
        def work():
            from xinfang_desk.core.deadlines import calendar as calendar_store

            return (calendar_store.known_years(), calendar_store.days_of_year(year),
                    calendar_store.year_status(year))

        self._tasks.run(work, lambda data: self._show(year, *data), self._failed)

    def _show(self, year: int, known: list[int], rows, status) -> None:
        years = sorted(set(known) | {year} | set(range(self._today.year - 1, self._today.year + 3)))
        self.year.blockSignals(True)
        self.year.clear()
        for y in years:
            self.year.addItem(f"{y}年", y)
        self.year.setCurrentIndex(self.year.findData(year))
        self.year.blockSignals(False)
        text, warn = status_text(year, *status)
        self.status.setText(f"<span style='{ERROR_STYLE}'>⚠ {text}</span>" if warn else text)
        self._rows = list(rows)
        self.table.setRowCount(len(self._rows))
        for r, (day, kind, name) in enumerate(self._rows):
            cells = (day.isoformat(), f"周{WEEKDAYS[day.weekday()]}", KIND_LABELS.get(kind, kind),
                     name)
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.sig_loaded.emit()

    def _year_changed(self) -> None:
        year = self.year.currentData()
        if year:
            self._load(year)

    def _row_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        day, kind, name = self._rows[rows[0].row()]
        self.day.setDate(QDate(day.year, day.month, day.day))
        self.kind.setCurrentIndex(max(self.kind.findData(kind), 0))
        self.name.setText(name)

    # ------------------------------------------------------------------ editing

    def selected_date(self) -> dt.date:
        return self.day.date().toPython()

    def save_day(self) -> None:
        self._set(self.selected_date(), self.kind.currentData(), self.name.text().strip())

    def remove_day(self) -> None:
        self._set(self.selected_date(), None, "")

    def _set(self, day: dt.date, kind: str | None, name: str) -> None:
        def work():
            from xinfang_desk.core.deadlines import calendar as calendar_store

            calendar_store.set_day(day, kind, name)

        if kind is None:
            done = f"{day:%Y-%m-%d} 已恢复为普通日。"
        else:
            done = f"{day:%Y-%m-%d} 已设为{KIND_LABELS[kind]}。"
        self._tasks.run(work, lambda _r: self._changed(day, done), self._failed)

    def _changed(self, day: dt.date, text: str) -> None:
        self.message.setText(text + "已登记事项的期限将按新安排重新计算。")
        self.sig_changed.emit()
        self._load(day.year)

    def _failed(self, exc) -> None:
        self.message.setText(f"<span style='{ERROR_STYLE}'>{exc}</span>")
        self.sig_loaded.emit()
