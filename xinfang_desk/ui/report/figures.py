"""The 统计报表 tab's tables: rows of text built from a report.Report (the same labels as the
printed report and the workbook), and a read-only table that grows to show its rows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from xinfang_desk.core.report.figures import HEADLINE, HEADLINE_LABELS, Report, format_rate

DASH = "—"


# ---------------------------------------------------------------------- rows (no Qt)

def shown(key: str, value) -> str:
    if key.endswith("_rate"):
        return format_rate(value)
    return DASH if value is None else str(value)


def change_text(key: str, change) -> str:
    if change is None:
        return DASH
    if key.endswith("_rate"):
        return f"{change * 100:+.1f}个百分点"
    return f"{change:+d}"


def headline_rows(r: Report) -> list[list[str]]:
    return [[HEADLINE_LABELS[k], shown(k, getattr(r, k)), shown(k, r.previous.get(k)),
             change_text(k, r.change.get(k))] for k in HEADLINE]


def workload_rows(r: Report) -> list[list[str]]:
    return [
        ["集体访（批）", str(r.group_visits)],
        ["集体访人数", str(r.group_people)],
        ["涉及人数（人次）", str(r.people_involved)],
        ["重复来访（次）", str(r.repeat_visits)],
        ["催办（次）", str(r.chased)],
        ["收到承办单位反馈（次）", str(r.feedback_received)],
        ["15日内应告知/转送（件）", str(r.notice_due)],
        ["　其中按期（件）", str(r.notice_on_time)],
        ["答复（件次）", str(r.replies)],
        ["　其中60日内按期（件次）", str(r.handling_on_time)],
        ["延期（次）", str(r.extensions)],
    ]


def share_rows(counts: dict[str, int], total: int) -> list[list[str]]:
    return [[k, str(n), format_rate(n / total if total else None)] for k, n in counts.items()]


def complained_rows(r: Report) -> list[list[str]]:
    return [[unit, str(n)] for unit, n in r.units_most_complained]


def satisfaction_rows(r: Report) -> list[list[str]]:
    return ([[k, str(n)] for k, n in r.satisfaction.items()]
            + [["满意率", format_rate(r.satisfaction_rate)]])


def adoption_rows(r: Report) -> list[list[str]]:
    return [[k, str(n)] for k, n in r.adoption.items()]


def review_rows(r: Report) -> list[list[str]]:
    return [["申请复查（件）", str(r.review_requests)], ["申请复核（件）", str(r.rereview_requests)]]


def overdue_rows(r: Report) -> list[list[str]]:
    return [[d.case_no, d.label, f"{d.due:%Y-%m-%d}", str(max(0, -d.days_left))]
            for d in r.overdue_items]


def period_text(r: Report) -> str:
    text = f"统计期间：{r.start:%Y-%m-%d} 至 {r.end:%Y-%m-%d}"
    if r.previous_start and r.previous_end:
        text += f"　　上期：{r.previous_start:%Y-%m-%d} 至 {r.previous_end:%Y-%m-%d}"
    return text + f"　　统计日：{r.today:%Y-%m-%d}"


# ---------------------------------------------------------------------- widgets

class FiguresTable(QTableWidget):
    """Read-only rows of text; the `text_columns` left-aligned (the first of them takes the
    spare width), the others centred. It is as tall as its rows (up to `max_rows`, then it
    scrolls), so the page scrolls rather than each table."""

    def __init__(self, name: str, header: list[str], *, empty_text: str = "（无）",
                 max_rows: int = 0, text_columns: tuple[int, ...] = (0,), fit_width: bool = False,
                 parent=None):
        super().__init__(0, len(header), parent)
        self.setObjectName(name)
        self.setHorizontalHeaderLabels(header)
        self.empty_text = empty_text
        self.max_rows = max_rows
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text_columns = text_columns
        self.fit_width = fit_width  # never narrower than its texts (for short, fixed labels)
        head = self.horizontalHeader()
        for col in range(len(header)):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(text_columns[0], QHeaderView.ResizeMode.Stretch)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.set_rows([])

    def set_rows(self, rows: list[list[str]]) -> None:
        shown_rows = rows or [[self.empty_text] + [""] * (self.columnCount() - 1)]
        self.setRowCount(len(shown_rows))
        for r, row in enumerate(shown_rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c not in self.text_columns:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.setItem(r, c, item)
        self._fit_height()
        if self.fit_width:
            self._fit_width()

    def rows(self) -> list[list[str]]:
        """What the table shows, as text (for tests and copying)."""
        return [[self.item(r, c).text() if self.item(r, c) else ""
                 for c in range(self.columnCount())] for r in range(self.rowCount())]

    def row_for(self, label: str) -> list[str] | None:
        return next((row for row in self.rows() if row and row[0].strip() == label), None)

    def _fit_width(self) -> None:
        head = self.horizontalHeader()
        width = 2 * self.frameWidth() + 4
        for col in range(self.columnCount()):
            width += max(head.sectionSizeFromContents(col).width(), self.sizeHintForColumn(col))
        self.setMinimumWidth(width)

    def _fit_height(self) -> None:
        self.resizeRowsToContents()
        visible = self.rowCount() if not self.max_rows else min(self.rowCount(), self.max_rows)
        height = self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
        height += sum(self.rowHeight(r) for r in range(visible))
        self.setFixedHeight(height)


def boxed(title: str, widget, name: str = "") -> QGroupBox:
    box = QGroupBox(title)
    if name:
        box.setObjectName(name)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(widget)
    layout.addStretch(1)  # a table keeps its height; the box's extra height stays below it
    return box
