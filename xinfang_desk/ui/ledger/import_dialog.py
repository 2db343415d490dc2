"""数据 › 导入台账…: the wizard that brings an office's ledger in.

File and sheet, a preview of the first rows, the column mapping as drop-downs (pre-filled from
the column names or a mapping saved by name), 检查 (the core's dry run: counts, the refused rows
with their reasons, the value mappings), then 导入 on the worker with a progress bar and a
cancel button. Every step is the core's `ledger_import`, the same code the CLI runs; nothing
touches the file or the database on the GUI thread. A cancel or an error leaves the database as
it was (the core writes the accepted rows in one transaction)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core.errors import XinfangError
from xinfang_desk.core.interchange import ledger_columns as lc
from xinfang_desk.core.interchange import ledger_import as li
from xinfang_desk.ui.ledger.mapping_table import MappingTable
from xinfang_desk.ui.widgets.file_errors import file_error_text
from xinfang_desk.ui.widgets.forms import ERROR_STYLE, HINT_STYLE, error_label, set_error
from xinfang_desk.ui.widgets.tables import action_button, row_table
from xinfang_desk.ui.widgets.tasks import TaskRunner

ALL_SHEETS = "全部（有表头的工作表）"
AUTO_MAPPING = "（按列名自动识别）"
FILE_FILTER = "台账文件 (*.xlsx *.xls *.csv);;所有文件 (*)"
PREVIEW_ROWS = 20
ON_DISK = "无法读取台账文件：{reason}"
REFUSED_COLUMNS = ("工作表", "行", "列", "值", "原因")


def _stacked(*widgets: QWidget) -> QWidget:
    """The widgets one under the other, without a margin (one side of a splitter)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return box


class _Progress(QObject):
    """Carries the core's progress callback (called on the worker) to the GUI thread."""

    sig_progress = Signal(int, int)


class LedgerImportDialog(QDialog):
    sig_imported = Signal(object)
    """A ledger was imported (not a dry run): the core's LedgerReport."""

    def __init__(self, tasks: TaskRunner, mappings_folder: Path, *,
                 today: dt.date | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("ledgerImportDialog")
        self.setWindowTitle("导入台账")
        self.resize(1100, 760)
        self._tasks = tasks
        self._folder = Path(mappings_folder)
        self._today = today
        self.path: Path | None = None
        self.previews: list[li.SheetPreview] = []
        self.report: li.LedgerReport | None = None
        self.running = ""  # "", "preview", "check", "import", "rejects"
        self._cancel = threading.Event()
        self._progress = _Progress(self)
        self._progress.sig_progress.connect(self._show_progress)

        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("ledgerFile")
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("选择 Excel（.xlsx/.xls）或 CSV 台账文件")
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("ledgerSheet")
        self.sheet_combo.currentIndexChanged.connect(self._sheet_changed)
        self.mapping_combo = QComboBox()
        self.mapping_combo.setObjectName("ledgerMappingChoice")
        self.mapping_combo.activated.connect(lambda _i: self._mapping_chosen())
        self.mapping_name = QLineEdit()
        self.mapping_name.setObjectName("ledgerMappingName")
        self.mapping_name.setPlaceholderText("映射名称，如：本局来访台账")

        self.mapping_table = MappingTable()
        self.mapping_table.sig_changed.connect(self._mapping_edited)
        self.preview_table = QTableWidget(0, 0)
        self.preview_table.setObjectName("ledgerPreview")
        self.preview_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.header_label = QLabel("")
        self.header_label.setObjectName("ledgerHeaderInfo")
        self.header_label.setStyleSheet(HINT_STYLE)

        self.summary = QLabel("选择台账文件后，先“检查”，看清哪些行可以导入、哪些不能，再“导入”。")
        self.summary.setObjectName("ledgerSummary")
        self.summary.setWordWrap(True)
        self.report_text = QPlainTextEdit()
        self.report_text.setObjectName("ledgerReport")
        self.report_text.setReadOnly(True)
        self.refused_table = row_table(REFUSED_COLUMNS, "ledgerRefused")
        self.refused_table.horizontalHeader().setStretchLastSection(True)
        self.message = error_label("ledgerMessage")
        self.progress = QProgressBar()
        self.progress.setObjectName("ledgerProgress")
        self.progress.hide()

        self.browse_button = action_button("选择文件…", "ledgerBrowse", self.browse)
        self.save_mapping_button = action_button("保存映射", "ledgerSaveMapping", self.save_mapping)
        self.check_button = action_button("检查", "ledgerCheck", self.check)
        self.import_button = action_button("导入", "ledgerImport", self.start_import)
        self.cancel_button = action_button("取消导入", "ledgerCancel", self.cancel_import)
        self.rejects_button = action_button("保存未导入的行…", "ledgerRejects", self.save_rejects)
        self.close_button = action_button("关闭", "ledgerClose", self.reject)
        self.cancel_button.hide()

        self._build_layout()
        self._fill_mapping_choices()
        self._update_buttons()

    # ------------------------------------------------------------------ layout

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("台账文件"))
        top.addWidget(self.file_edit, 1)
        top.addWidget(self.browse_button)
        second = QHBoxLayout()
        second.addWidget(QLabel("工作表"))
        second.addWidget(self.sheet_combo, 1)
        second.addWidget(QLabel("列映射"))
        second.addWidget(self.mapping_combo, 1)
        second.addWidget(self.mapping_name, 1)
        second.addWidget(self.save_mapping_button)

        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.addWidget(_stacked(QLabel("各列导入为（未识别的列记入备注，不会丢弃）"),
                                 self.mapping_table))
        upper.addWidget(_stacked(self.header_label, self.preview_table))
        upper.setSizes([380, 700])

        self.result_tabs = QTabWidget()
        self.result_tabs.setObjectName("ledgerResultTabs")
        self.result_tabs.addTab(self.report_text, "检查报告")
        self.result_tabs.addTab(self.refused_table, "未导入的行")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(_stacked(self.summary, self.result_tabs))
        split.setSizes([420, 300])

        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        for button in (self.check_button, self.import_button, self.cancel_button,
                       self.rejects_button, self.close_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def _fill_mapping_choices(self, select: str = "") -> None:
        self.mapping_combo.blockSignals(True)
        self.mapping_combo.clear()
        self.mapping_combo.addItem(AUTO_MAPPING, "")
        for name in lc.saved_mappings(self._folder):
            self.mapping_combo.addItem(name, name)
        index = self.mapping_combo.findData(select)
        self.mapping_combo.setCurrentIndex(max(index, 0))
        self.mapping_combo.blockSignals(False)

    def _update_buttons(self) -> None:
        busy = bool(self.running)
        has_file = self.path is not None and bool(self.previews)
        name = self.chosen_sheet()
        importable = any(p.header_row is not None for p in self.previews
                         if name is None or p.name == name)
        for button in (self.browse_button, self.save_mapping_button):
            button.setEnabled(not busy)
        self.sheet_combo.setEnabled(not busy and has_file)
        self.mapping_combo.setEnabled(not busy)
        self.mapping_table.setEnabled(not busy)
        self.check_button.setEnabled(not busy and importable)
        self.import_button.setEnabled(not busy and importable)
        self.rejects_button.setEnabled(
            not busy and self.report is not None and bool(self.report.refused))
        self.cancel_button.setVisible(self.running == "import")
        self.cancel_button.setEnabled(self.running == "import" and not self._cancel.is_set())
        self.close_button.setEnabled(self.running != "import")

    def _say(self, text: str, error: bool = False) -> None:
        set_error(self.message, "")
        self.summary.setStyleSheet(ERROR_STYLE if error else "")
        self.summary.setText(text)

    # ------------------------------------------------------------------ the file

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择台账文件", "", FILE_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> None:
        """Read the file's sheets on the worker, then show the columns and the first rows."""
        self.path = Path(path)
        self.file_edit.setText(str(self.path))
        self.previews = []
        self.report = None
        self._show_report(None)
        self._say(f"正在读取 {self.path.name}……")
        self._read_preview()

    def _read_preview(self) -> None:
        path, mapping = self.path, self.mapping_table.mapping
        self.running = "preview"
        self._update_buttons()
        self._tasks.run(lambda: li.preview(path, mapping, rows=PREVIEW_ROWS),
                        self._preview_read, self._failed)

    def _preview_read(self, previews: list[li.SheetPreview]) -> None:
        self.running = ""
        self.previews = previews
        found = [p for p in previews if p.header_row is not None]
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItem(ALL_SHEETS, None)
        for p in previews:
            suffix = "" if p.header_row is not None else "（未找到表头）"
            self.sheet_combo.addItem(p.name + suffix, p.name)
        self.sheet_combo.blockSignals(False)
        if not self.mapping_name.text().strip():
            self.mapping_name.setText(self._default_mapping_name())
        self._show_sheet()
        if found:
            self._say(f"{self.path.name}：{len(previews)} 个工作表，{len(found)} 个有台账表头。"
                      "核对各列的含义后，点“检查”。")
        else:
            self._say(f"{self.path.name} 的各工作表前30行中都没有找到台账表头（应有“登记日期”"
                      "“姓名”“反映问题”等列名）。", error=True)
        self._update_buttons()

    def _default_mapping_name(self) -> str:
        stem = self.path.stem if self.path else ""
        return "".join(ch for ch in stem if not ch.isdigit()).strip(" _-年") or stem

    def chosen_sheet(self) -> str | None:
        return self.sheet_combo.currentData()

    def _sheet_changed(self, _index: int) -> None:
        self.report = None
        self._show_report(None)
        self._show_sheet()
        self._update_buttons()

    def _show_sheet(self) -> None:
        """The mapping table and preview for the chosen sheet; for 全部, the columns of every
        sheet with a header (the first sheet's rows)."""
        name = self.chosen_sheet()
        shown = [p for p in self.previews if (p.name == name if name else p.header_row)]
        headers: list[str] = []
        samples: dict[str, str] = {}
        for p in shown:
            for i, h in enumerate(p.headers):
                if h and h not in headers:
                    headers.append(h)
                if h and not samples.get(h):
                    samples[h] = next((r[i] for r in p.rows if i < len(r) and r[i]), "")
        self.mapping_table.show_columns(headers, [samples.get(h, "") for h in headers],
                                        self.mapping_table.mapping)
        first = shown[0] if shown else None
        self._fill_preview(first)

    def _fill_preview(self, sheet: li.SheetPreview | None) -> None:
        table = self.preview_table
        table.clear()
        if sheet is None:
            table.setRowCount(0)
            table.setColumnCount(0)
            self.header_label.setText("")
            return
        width = max([len(sheet.headers), *(len(r) for r in sheet.rows)], default=0)
        table.setColumnCount(width)
        labels = list(sheet.headers) + [""] * (width - len(sheet.headers))
        table.setHorizontalHeaderLabels(labels or [""] * width)
        table.setRowCount(len(sheet.rows))
        # The sheet's own row numbers, as the report's 第N行 and the office's Excel show them.
        first = (sheet.header_row or 0) + 1
        table.setVerticalHeaderLabels([str(first + r) for r in range(len(sheet.rows))])
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(value))
        if sheet.header_row is not None:
            self.header_label.setText(f"工作表“{sheet.name}”：第 {sheet.header_row} 行是表头，"
                                      f"以下是前 {len(sheet.rows)} 行")
        else:
            self.header_label.setText(f"工作表“{sheet.name}”：未找到表头，以下是前几行")

    # ------------------------------------------------------------------ the mapping

    def _mapping_chosen(self) -> None:
        name = self.mapping_combo.currentData()
        if not name:
            mapping = lc.Mapping()
        else:
            try:
                mapping = lc.load_named_mapping(name, self._folder)
            except XinfangError as exc:
                set_error(self.message, str(exc))
                return
            self.mapping_name.setText(name)
        self.mapping_table.mapping = mapping
        self.report = None
        self._show_report(None)
        if self.previews:
            self._show_sheet()
        self._update_buttons()

    def _mapping_edited(self, moved: str) -> None:
        self.report = None  # a report made under another mapping no longer holds
        self._show_report(None)
        self._update_buttons()
        if moved:
            self._say(moved)

    def save_mapping(self) -> None:
        name = self.mapping_name.text().strip()
        mapping = self.mapping_table.layout_mapping(name)
        try:
            lc.save_named_mapping(mapping, self._folder)
        except XinfangError as exc:
            set_error(self.message, f"未能保存映射：{exc}")
            return
        except OSError as exc:
            set_error(self.message, file_error_text("保存映射", exc, "未能保存映射：{reason}"))
            return
        self.mapping_table.mapping = mapping
        self._fill_mapping_choices(select=name)
        self._say(f"列映射“{name}”已保存；以后导入同样格式的台账时在“列映射”中选择它。")

    # ------------------------------------------------------------------ check and import

    def _job_args(self):
        return self.path, self.chosen_sheet(), self.mapping_table.mapping, self._today

    def check(self) -> None:
        """The dry run: what would be imported, refused and mapped; nothing is written."""
        path, sheet, mapping, today = self._job_args()
        self.running = "check"
        self._update_buttons()
        self._say("正在检查……")
        self._tasks.run(lambda: li.import_ledger(path, sheet=sheet, mapping=mapping,
                                                 dry_run=True, today=today),
                        self._checked, self._failed)

    def _checked(self, report: li.LedgerReport) -> None:
        self.running = ""
        self.report = report
        self._show_report(report)
        if report.imported:
            self._say(f"检查完毕：可导入 {report.imported} 件，未导入 {len(report.refused)} 行，"
                      f"已有或重复 {len(report.duplicates)} 行。尚未写入任何数据，确认后点“导入”。")
        else:
            self._say(f"检查完毕：没有可导入的行（未导入 {len(report.refused)} 行，"
                      f"已有或重复 {len(report.duplicates)} 行）。", error=bool(report.refused))
        self._update_buttons()

    def start_import(self) -> None:
        path, sheet, mapping, today = self._job_args()
        self._cancel.clear()
        self.running = "import"
        self.progress.setRange(0, 0)  # reading and checking: no figure yet
        self.progress.show()
        self._update_buttons()
        self._say("正在导入……（可随时取消，取消后不写入任何数据）")
        progress, cancel = self._progress, self._cancel
        self._tasks.run(
            lambda: li.import_ledger(path, sheet=sheet, mapping=mapping, today=today,
                                     progress=progress.sig_progress.emit,
                                     cancelled=cancel.is_set),
            self._imported, self._failed)

    def cancel_import(self) -> None:
        self._cancel.set()
        self._say("正在取消……")
        self._update_buttons()

    def _show_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _imported(self, report: li.LedgerReport) -> None:
        self.running = ""
        self.progress.hide()
        self.report = report
        self._show_report(report)
        if report.imported:
            first, last = report.case_nos[0], report.case_nos[-1]
            self._say(f"导入完成：已导入 {report.imported} 件（{first} 至 {last}），"
                      f"未导入 {len(report.refused)} 行，已有或重复 {len(report.duplicates)} 行。"
                      "案件列表已更新。")
            self.sig_imported.emit(report)
        else:
            self._say(f"没有导入任何一行（未导入 {len(report.refused)} 行，"
                      f"已有或重复 {len(report.duplicates)} 行）。", error=bool(report.refused))
        self._update_buttons()

    def _failed(self, exc: Exception) -> None:
        what = {"preview": "读取台账", "check": "检查台账", "import": "导入台账",
                "rejects": "保存未导入的行"}.get(self.running, "完成操作")
        self.running = ""
        self.progress.hide()
        if isinstance(exc, li.ImportCancelled):
            self._say(f"{exc}。")
        else:
            on_disk = ON_DISK if what == "读取台账" else f"未能{what}：{{reason}}"
            self._say(file_error_text(what, exc, on_disk), error=True)
        self._update_buttons()

    def _show_report(self, report: li.LedgerReport | None) -> None:
        self.report_text.setPlainText("\n".join(report.lines()) if report else "")
        problems = [*report.refused] if report else []
        table = self.refused_table
        table.setRowCount(len(problems))
        for r, p in enumerate(problems):
            for c, value in enumerate((p.sheet, str(p.row), p.column, p.value, p.reason)):
                table.setItem(r, c, QTableWidgetItem(value))
        self.result_tabs.setTabText(1, f"未导入的行（{len(problems)}）" if problems else "未导入的行")

    # ------------------------------------------------------------------ the refused rows

    def save_rejects(self) -> None:
        default = str(self.path.with_name(f"{self.path.stem}_未导入.xlsx")) if self.path else ""
        out, _ = QFileDialog.getSaveFileName(self, "保存未导入的行", default, "Excel 工作簿 (*.xlsx)")
        if out:
            self.write_rejects(out)

    def write_rejects(self, out: str | Path) -> None:
        """The refused rows under their own headers with a 未导入原因 column, to correct and
        import again."""
        out = Path(out)
        if out.suffix.lower() != ".xlsx":
            out = out.with_name(out.name + ".xlsx")
        report, (path, sheet, mapping, _today) = self.report, self._job_args()
        self.running = "rejects"
        self._update_buttons()
        self._tasks.run(lambda: li.write_rejects(report, path, out, mapping=mapping, sheet=sheet),
                        lambda n: self._rejects_written(n, out), self._failed)

    def _rejects_written(self, rows: int, out: Path) -> None:
        self.running = ""
        self._say(f"已把未导入的 {rows} 行连同原因保存到 {out}；改正后可再次导入。")
        self._update_buttons()

    # ------------------------------------------------------------------ closing

    def reject(self) -> None:
        if self.running == "import":  # nothing half-written: cancel, then close when it stops
            self.cancel_import()
            return
        super().reject()

    def closeEvent(self, event):  # noqa: N802 - Qt API
        if self.running == "import":
            self.cancel_import()
            event.ignore()
            return
        super().closeEvent(event)
