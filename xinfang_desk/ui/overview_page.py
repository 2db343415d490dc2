"""首页: how many matters there are and which deadlines need attention now."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from xinfang_desk.ui.deadline_model import DeadlineTableModel
from xinfang_desk.ui.tasks import TaskRunner


def load_overview(today: dt.date):
    """Runs on the worker thread: plain data only."""
    from xinfang_desk.core import settings
    from xinfang_desk.core.cases import count_cases
    from xinfang_desk.core.deadlines import list_deadlines

    soon = settings.get("due_soon_days")
    return {
        "office": settings.get("office_name"),
        "cases": count_cases(),
        "soon_days": soon,
        "deadlines": list_deadlines(today=today, within=soon),
    }


class OverviewPage(QWidget):
    sig_loaded = Signal()
    """Emitted when a refresh has filled the page."""

    def __init__(self, tasks: TaskRunner, today: dt.date | None = None, parent=None):
        super().__init__(parent)
        self._tasks = tasks
        self._today = today
        self.title = QLabel("正在读取……")
        self.title.setObjectName("overviewTitle")
        self.summary = QLabel("")
        self.model = DeadlineTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("需要关注的期限（已超期及临近到期）："))
        layout.addWidget(self.table)

    def refresh(self) -> None:
        today = self._today or dt.date.today()
        self._tasks.run(lambda: load_overview(today), self._show, self._failed)

    def _show(self, data) -> None:
        overdue = sum(1 for d in data["deadlines"] if d.overdue)
        soon = len(data["deadlines"]) - overdue
        self.title.setText(f"<b>{data['office']}</b>")
        self.summary.setText(
            f"共有信访事项 {data['cases']} 件；已超期 {overdue} 项，"
            f"{data['soon_days']} 日内到期 {soon} 项。")
        self.model.set_rows(data["deadlines"])
        self.sig_loaded.emit()

    def _failed(self, exc) -> None:
        self.summary.setText(f"读取失败：{exc}")
        self.sig_loaded.emit()
