"""修改记录: what the audit trail holds about one case (registration, field corrections with
old → new, events, prints, reveals, grants), as a table in the case detail window."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem

HEADERS = ["时间", "操作人", "操作", "项目", "原值", "新值"]
# An approval row names what was approved by its code (an event type or a document).
# Runs a line cannot be broken in (numbers, masked IDs and phones, Latin names).
UNBREAKABLE = re.compile(r"[!-~]+")
APPROVED = {"extended": "延期", "replied": "答复", "extend": "打印延期告知书",
            "reply": "打印答复意见书", "adoption": "打印采纳情况告知书"}


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


class ChangeHistoryTable(QTableWidget):
    """core.cases.edit.change_history rows, newest first (the latest correction on top)."""

    def __init__(self, parent=None):
        super().__init__(0, len(HEADERS), parent)
        self.setObjectName("historyTable")
        self.setHorizontalHeaderLabels(HEADERS)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(True)
        self.horizontalHeader().setStretchLastSection(False)

    def set_entries(self, entries) -> None:
        rows = list(reversed(entries))
        self.clearSpans()
        if not rows:
            self.setRowCount(1)
            self.setItem(0, 0, _item("（暂无记录）"))
            self.setSpan(0, 0, 1, self.columnCount())
            return
        self.setRowCount(len(rows))
        for r, e in enumerate(rows):
            what = APPROVED.get(e.field, e.field) if e.action == "审批" else e.field
            for c, value in enumerate((e.at, e.actor, e.action, what, e.old, e.new)):
                self.setItem(r, c, _item(value))
        # The time wraps after the date (two short lines), the action and the item after a few
        # characters: the old and new values get the room.
        metrics = self.fontMetrics()
        self.setColumnWidth(0, metrics.horizontalAdvance("2026-12-31") + 16)
        for col, cap in ((1, 8), (2, 5), (3, 6)):
            self.resizeColumnToContents(col)
            self.setColumnWidth(col, min(self.columnWidth(col),
                                         metrics.horizontalAdvance("中" * cap) + 16))
        self._fit_values()

    def _texts(self, col: int) -> list[str]:
        return [self.item(r, col).text() for r in range(self.rowCount()) if self.item(r, col)]

    def _fit_values(self) -> None:
        """Share the rest of the width between 原值 and 新值: Chinese text wraps anywhere, but a
        number (a masked ID) must fit on one line, so each column gets at least that."""
        if self.columnSpan(0, 0) > 1:
            self.setColumnWidth(4, 0)
            self.setColumnWidth(5, 0)
            return
        metrics = self.fontMetrics()
        avail = max(0, self.viewport().width() - sum(self.columnWidth(c) for c in range(4)))
        need, least = [], []
        for col in (4, 5):
            texts = self._texts(col) or [""]
            need.append(max(metrics.horizontalAdvance(t) for t in texts) + 12)
            least.append(max((metrics.horizontalAdvance(tok) for t in texts
                              for tok in UNBREAKABLE.findall(t)), default=0) + 10)
        if sum(need) <= avail:
            extra = (avail - sum(need)) // 2
            old = need[0] + extra
        else:
            old = max(least[0], min(need[0], avail // 2))
            if avail - old < least[1]:
                old = max(least[0], avail - least[1])
        self.setColumnWidth(4, old)
        self.setColumnWidth(5, max(least[1], avail - old))
        self.resizeRowsToContents()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.rowCount():
            self._fit_values()

    def rows_text(self) -> list[tuple[str, ...]]:
        """The table as the user reads it (for tests)."""
        return [tuple(self.item(r, c).text() if self.item(r, c) else ""
                      for c in range(self.columnCount())) for r in range(self.rowCount())]
