"""统计报表: the figures of a month or of any date range, with the change against the previous
period, as tables and two charts; exported as PDF or Excel workbook.

Every figure comes from core.report.figures.monthly_figures, computed on the worker thread; a result
for a period the clerk has since changed is thrown away. Exports run on the worker too and
the core writers replace the target atomically, so a failed export leaves no partial file."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.ui.report.charts import BarChart, PieChart
from xinfang_desk.ui.report.figures import (
    FiguresTable,
    adoption_rows,
    boxed,
    complained_rows,
    headline_rows,
    overdue_rows,
    period_text,
    review_rows,
    satisfaction_rows,
    share_rows,
    workload_rows,
)
from xinfang_desk.ui.widgets.colours import OVERDUE_COLOUR
from xinfang_desk.ui.widgets.file_errors import file_error_text
from xinfang_desk.ui.widgets.tasks import TaskRunner

log = logging.getLogger(__name__)

MONTHS_OFFERED = 60
EMPTY_PERIOD = "本期无受理登记事项"
KINDS = {"pdf": ("导出PDF", "PDF 文件 (*.pdf)"), "xlsx": ("导出Excel", "Excel 工作簿 (*.xlsx)")}


# ---------------------------------------------------------------------- worker functions

def compute_report(start: dt.date, end: dt.date, today: dt.date):
    from xinfang_desk.core.report.figures import monthly_figures

    return monthly_figures(start, end, today=today)


def write_export(kind: str, report, path: str, masked: bool) -> str:
    from xinfang_desk.core.people.access import audit_report

    # Checked and recorded before anything is written (an unmasked workbook is a leader's act).
    audit_report(report.start, report.end, (kind, Path(path).name), masked=masked or kind == "pdf")
    if kind == "pdf":
        from xinfang_desk.core.report import pdf as report_pdf

        report_pdf.write_pdf(report, path)
    else:
        from xinfang_desk.core.report.xlsx import write_xlsx

        write_xlsx(report, path, cases_masked=masked)
    return path


def export_error_text(path: str, exc: BaseException) -> str:
    return file_error_text("导出", exc,
                           f"未能导出到 {path}：{{reason}}。未生成文件，请另选保存位置后重试。")


def previous_month(today: dt.date) -> str:
    last_day = today.replace(day=1) - dt.timedelta(days=1)
    return f"{last_day:%Y-%m}"


def default_file_name(report, kind: str) -> str:
    from xinfang_desk.core.report.figures import month_range

    if (report.start, report.end) == month_range(f"{report.start:%Y-%m}"):
        period = f"{report.start.year}年{report.start.month}月"
    else:
        period = f"{report.start:%Y%m%d}-{report.end:%Y%m%d}"
    return f"信访统计报表_{period}.{kind}"


# ---------------------------------------------------------------------- the page

class ReportPage(QWidget):
    sig_open_case_requested = Signal(str)
    """The clerk double-clicked an overdue matter (its case number)."""
    sig_report_shown = Signal(object)
    """A computed report was put on screen (the report.Report)."""
    sig_exported = Signal(str)
    """An export was written (its path)."""
    sig_failed = Signal(str)
    """Computing or exporting failed (the message shown)."""

    def __init__(self, tasks: TaskRunner, today: dt.date | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("reportPage")
        self._tasks = tasks
        self._today = today
        self.report = None  # the report on screen
        self._generation = 0  # bumped whenever the period changes: older results are stale
        self._computing = False
        self._queued = False
        self._exporting = False
        self.last_export_dir = ""
        self.discarded = 0  # stale results thrown away (for the tests)

        layout = QVBoxLayout(self)
        layout.addLayout(self._build_period_bar())
        layout.addLayout(self._build_export_bar())
        self.period_label = QLabel("")
        self.period_label.setObjectName("reportPeriod")
        layout.addWidget(self.period_label)
        scroll = QScrollArea()
        scroll.setObjectName("reportScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._build_figures())
        layout.addWidget(scroll, 1)
        self._mode_changed()
        self._update_busy()

    # ------------------------------------------------------------------ building

    def _build_period_bar(self) -> QHBoxLayout:
        self.month_mode = QRadioButton("按月")
        self.month_mode.setObjectName("reportModeMonth")
        self.month_mode.setChecked(True)
        self.range_mode = QRadioButton("自定义期间")
        self.range_mode.setObjectName("reportModeRange")
        group = QButtonGroup(self)
        group.addButton(self.month_mode)
        group.addButton(self.range_mode)
        self.month_mode.toggled.connect(self._mode_changed)

        self.month = QComboBox()
        self.month.setObjectName("reportMonth")
        today = self.today()
        y, m = today.year, today.month
        for _ in range(MONTHS_OFFERED):
            self.month.addItem(f"{y}年{m}月", f"{y:04d}-{m:02d}")
            y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        self.month.setCurrentIndex(self.month.findData(previous_month(today)))
        self.month.setMaxVisibleItems(15)
        self.month.currentIndexChanged.connect(self._month_changed)

        first = QDate(today.year, today.month, 1).addMonths(-1)
        self.start = self._date_edit("reportStart", first)
        self.end = self._date_edit("reportEnd", first.addMonths(1).addDays(-1))

        self.run_button = QPushButton("统计")
        self.run_button.setObjectName("reportRunButton")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.compute)
        self.progress = QProgressBar()
        self.progress.setObjectName("reportProgress")
        self.progress.setRange(0, 0)  # busy: no percentage is known
        self.progress.setMaximumWidth(140)
        self.progress.setTextVisible(False)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("统计期间："))
        bar.addWidget(self.month_mode)
        bar.addWidget(self.month)
        bar.addSpacing(16)
        bar.addWidget(self.range_mode)
        bar.addWidget(self.start)
        bar.addWidget(QLabel("至"))
        bar.addWidget(self.end)
        bar.addSpacing(8)
        bar.addWidget(self.run_button)
        bar.addWidget(self.progress)
        bar.addStretch(1)
        return bar

    def _date_edit(self, name: str, date: QDate) -> QDateEdit:
        edit = QDateEdit(date)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(QDate(1990, 1, 1))
        edit.dateChanged.connect(self._range_changed)
        return edit

    def _build_export_bar(self) -> QHBoxLayout:
        self.pdf_button = QPushButton("导出PDF…")
        self.pdf_button.setObjectName("reportExportPdf")
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.xlsx_button = QPushButton("导出Excel…")
        self.xlsx_button.setObjectName("reportExportXlsx")
        self.xlsx_button.clicked.connect(lambda: self.export_xlsx())
        self.full_id = QCheckBox("Excel 中显示完整证件号码")
        self.full_id.setObjectName("reportFullIdNumbers")
        self.full_id.setToolTip("默认遮蔽证件号码的中间部分、隐去保密事项的信访人姓名；仅在确有需要时勾选。")
        self.message = QLabel("")
        self.message.setObjectName("reportMessage")
        self.message.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.pdf_button)
        bar.addWidget(self.xlsx_button)
        bar.addWidget(self.full_id)
        bar.addSpacing(12)
        bar.addWidget(self.message, 1)
        return bar

    def _build_figures(self) -> QWidget:
        self.headline = FiguresTable("reportHeadline", ["主要指标", "本期", "上期", "较上期增减"],
                                     fit_width=True)
        self.workload = FiguresTable("reportWorkload", ["项目", "数量"])
        self.channel_chart = BarChart("", EMPTY_PERIOD)
        self.channel_chart.setObjectName("reportChannelChart")
        self.category_chart = PieChart("", EMPTY_PERIOD)
        self.category_chart.setObjectName("reportCategoryChart")
        self.by_channel = FiguresTable("reportByChannel", ["信访形式", "件数", "占比"])
        self.by_category = FiguresTable("reportByCategory", ["信访类别", "件数", "占比"])
        self.by_field = FiguresTable("reportByField", ["涉及领域", "件数", "占比"], max_rows=12)
        self.by_unit = FiguresTable("reportByUnit", ["承办单位", "件数", "占比"], max_rows=12)
        self.complained = FiguresTable("reportComplained", ["承办单位", "件数"])
        self.satisfaction = FiguresTable("reportSatisfaction", ["评价", "件数"])
        self.adoption = FiguresTable("reportAdoption", ["答复结果", "件数"])
        self.review = FiguresTable("reportReview", ["项目", "件数"])
        self.overdue = FiguresTable("reportOverdue", ["事项编号", "期限", "到期日", "超期天数"],
                                    empty_text="期末无超期事项", max_rows=15,
                                    text_columns=(1, 0))
        self.overdue.setToolTip("双击打开案件")
        self.overdue.cellDoubleClicked.connect(self._overdue_double_clicked)
        self.overdue_box = boxed("期末超期事项", self.overdue)
        note = QLabel("注：比率的分母为零时记为“—”；超期事项按期末各事项当前状态计算。")
        note.setWordWrap(True)
        note.setStyleSheet("color:#555555;")

        content = QWidget()
        grid = QVBoxLayout(content)
        grid.setContentsMargins(0, 0, 4, 0)
        grid.addLayout(_row((boxed("主要指标（与上期比较）", _column(self.headline, note)), 5),
                            (boxed("按信访形式（件）", self.channel_chart), 4),
                            (boxed("按信访类别（件）", self.category_chart), 4)))
        grid.addLayout(_row((boxed("按信访形式", self.by_channel), 1),
                            (boxed("按信访类别", self.by_category), 1),
                            (boxed("按涉及领域", self.by_field), 1),
                            (boxed("按承办单位", self.by_unit), 1)))
        grid.addLayout(_row((boxed("其他指标", self.workload), 1),
                            (boxed("被投诉较多的单位（检举控告、申诉求决）", self.complained), 1),
                            (boxed("满意度", self.satisfaction), 1),
                            (_column(boxed("建议意见采纳情况", self.adoption),
                                     boxed("复查、复核", self.review)), 1)))
        grid.addWidget(self.overdue_box)
        grid.addStretch(1)
        return content

    # ------------------------------------------------------------------ period

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def set_month(self, month: str) -> None:
        """Select '2026-10' in the month list (month mode)."""
        self.month_mode.setChecked(True)
        index = self.month.findData(month)
        if index < 0:
            raise ValueError(month)
        self.month.setCurrentIndex(index)

    def set_range(self, start: dt.date, end: dt.date) -> None:
        self.range_mode.setChecked(True)
        self.start.setDate(QDate(start.year, start.month, start.day))
        self.end.setDate(QDate(end.year, end.month, end.day))

    def period(self) -> tuple[dt.date, dt.date] | None:
        """The chosen period, or None (with the reason shown) when it is not valid."""
        if self.month_mode.isChecked():
            from xinfang_desk.core.report.figures import month_range

            return month_range(self.month.currentData())
        start, end = self.start.date().toPython(), self.end.date().toPython()
        if end < start:
            self._say("结束日期不能早于开始日期，请重新选择统计期间。", error=True)
            return None
        return start, end

    def _mode_changed(self, *_args) -> None:
        by_month = self.month_mode.isChecked()
        self.month.setEnabled(by_month)
        self.start.setEnabled(not by_month)
        self.end.setEnabled(not by_month)
        self._generation += 1
        if by_month and self.report is not None:
            self.compute()
        elif not by_month:
            self._say("选择开始、结束日期后点击“统计”。")

    def _month_changed(self, *_args) -> None:
        self._generation += 1
        if self.month_mode.isChecked():
            from xinfang_desk.core.report.figures import month_range

            # A custom range chosen next starts from the month last looked at.
            for edit, day in zip((self.start, self.end), month_range(self.month.currentData()),
                                 strict=True):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
            self.compute()

    def _range_changed(self, *_args) -> None:
        self._generation += 1  # a result still being computed is for the old range
        if self.range_mode.isChecked():
            self._say("统计期间已更改，点击“统计”重新计算。")

    # ------------------------------------------------------------------ computing

    def compute(self) -> bool:
        """Compute the chosen period's figures on the worker; False if the period is invalid."""
        period = self.period()
        if period is None:
            return False
        self._generation += 1
        if self._computing:
            self._queued = True  # one more run, for the period chosen last
            return True
        self._start_compute(period)
        return True

    def _start_compute(self, period: tuple[dt.date, dt.date]) -> None:
        self._computing = True
        generation, today = self._generation, self.today()
        start, end = period
        self._say("正在统计……")
        self._update_busy()
        self._tasks.run(lambda: compute_report(start, end, today),
                        lambda report: self._computed(generation, report),
                        lambda exc: self._compute_failed(generation, exc))

    def _computed(self, generation: int, report) -> None:
        self._computing = False
        if generation == self._generation and not self._queued:
            self.show_report(report)
        else:
            self.discarded += 1
        self._after_compute()

    def _compute_failed(self, generation: int, exc) -> None:
        self._computing = False
        if generation == self._generation and not self._queued:
            text = f"统计失败：{exc}"
            self._say(text, error=True)
            self.sig_failed.emit(text)
        self._after_compute()

    def _after_compute(self) -> None:
        if self._queued:
            self._queued = False
            period = self.period()
            if period is not None:
                self._start_compute(period)
        self._update_busy()

    def show_report(self, report) -> None:
        self.report = report
        r = report
        self.period_label.setText(period_text(r))
        self.headline.set_rows(headline_rows(r))
        self.workload.set_rows(workload_rows(r))
        self.channel_chart.set_counts(r.by_channel)
        self.category_chart.set_counts(r.by_category)
        total = r.received_total
        self.by_channel.set_rows(share_rows(r.by_channel, total))
        self.by_category.set_rows(share_rows(r.by_category, total))
        self.by_field.set_rows(share_rows(r.by_field, total))
        self.by_unit.set_rows(share_rows(r.by_unit, total))
        self.complained.set_rows(complained_rows(r))
        self.satisfaction.set_rows(satisfaction_rows(r))
        self.adoption.set_rows(adoption_rows(r))
        self.review.set_rows(review_rows(r))
        self.overdue.set_rows(overdue_rows(r))
        title = f"期末（{r.end:%Y-%m-%d}）超期事项　{r.overdue_at_end} 件"
        if len(r.overdue_items) > r.overdue_at_end:
            title += f"（超期期限 {len(r.overdue_items)} 项）"
        self.overdue_box.setTitle(title)
        self._say(f"已统计：{r.start:%Y-%m-%d} 至 {r.end:%Y-%m-%d}，受理登记 {r.received_total} 件。")
        self._update_busy()
        self.sig_report_shown.emit(report)

    def _overdue_double_clicked(self, row: int, _column: int) -> None:
        report = self.report
        if report is not None and 0 <= row < len(report.overdue_items):
            self.sig_open_case_requested.emit(report.overdue_items[row].case_no)

    def showEvent(self, event):  # noqa: N802 - Qt API
        # Computed when the tab is opened (not at program start), and again on each return to
        # it, so cases registered meanwhile are counted.
        if not event.spontaneous():
            self.compute()
        super().showEvent(event)

    # ------------------------------------------------------------------ exporting

    def export_pdf(self, path: str | None = None) -> None:
        self._export("pdf", path)

    def export_xlsx(self, path: str | None = None) -> None:
        self._export("xlsx", path)

    # A method so that tests can supply the path instead of the modal dialog.
    def ask_save_path(self, kind: str, suggested: str) -> str | None:
        title, file_filter = KINDS[kind]
        start = os.path.join(self.last_export_dir or os.path.expanduser("~"), suggested)
        path, _filter = QFileDialog.getSaveFileName(self, title, start, file_filter)
        return path or None

    def _export(self, kind: str, path: str | None) -> None:
        report = self.report
        if report is None or self._exporting:
            return
        if path is None:
            path = self.ask_save_path(kind, default_file_name(report, kind))
            if not path:
                return
            if not path.lower().endswith(f".{kind}"):
                path += f".{kind}"
        path = str(path)
        masked = not self.full_id.isChecked()
        self._exporting = True
        self._say(f"正在导出：{path}")
        self._update_busy()
        self._tasks.run(lambda: write_export(kind, report, path, masked), self._exported,
                        lambda exc: self._export_failed(path, exc))

    def _exported(self, path: str) -> None:
        self._exporting = False
        self.last_export_dir = os.path.dirname(path)
        self._say(f"已导出：{path}")
        self._update_busy()
        self.sig_exported.emit(path)

    def _export_failed(self, path: str, exc) -> None:
        self._exporting = False
        text = export_error_text(path, exc)
        if not isinstance(exc, OSError):
            log.error("report export failed: %r", exc)
        self._say(text, error=True)
        self._update_busy()
        self.sig_failed.emit(text)

    # ------------------------------------------------------------------ state

    def is_busy(self) -> bool:
        return self._computing or self._exporting

    def _update_busy(self) -> None:
        self.progress.setVisible(self.is_busy())
        can_export = self.report is not None and not self.is_busy()
        self.pdf_button.setEnabled(can_export)
        self.xlsx_button.setEnabled(can_export)
        self.run_button.setEnabled(not self._exporting)

    def _say(self, text: str, *, error: bool = False) -> None:
        colour = f"color:{OVERDUE_COLOUR.name()};" if error else ""
        self.message.setStyleSheet(colour)
        self.message.setText(text)


def _row(*items) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget, stretch in items:
        row.addWidget(widget, stretch)
    return row


def _column(*widgets) -> QWidget:
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        column.addWidget(widget)
    column.addStretch(1)
    return holder

