"""数据 › 导出台账…: the cases written back as the office's own ledger (an xlsx), in the
layout of a mapping saved by name (their columns, their order) or the standard one.

Full ID numbers and phones only for a leader (the core refuses otherwise); the workbook is
built and written on the worker, atomically, and the export is audited by the core."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core import session
from xinfang_desk.core.errors import XinfangError
from xinfang_desk.core.interchange import ledger_columns as lc
from xinfang_desk.core.interchange.ledger_export import export_ledger
from xinfang_desk.core.people.access import FULL_DATA
from xinfang_desk.ui.widgets.file_errors import file_error_text
from xinfang_desk.ui.widgets.forms import FieldForm, set_error
from xinfang_desk.ui.widgets.tables import action_button
from xinfang_desk.ui.widgets.tasks import TaskRunner

STANDARD_LAYOUT = "标准格式（序号、登记日期、姓名……备注）"


class LedgerExportDialog(FieldForm):
    sig_exported = Signal(str)
    """The ledger was written: what to say in the status bar."""

    def __init__(self, tasks: TaskRunner, mappings_folder: Path, *,
                 today: dt.date | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("ledgerExportDialog")
        self.setWindowTitle("导出台账")
        self.resize(620, 0)
        self._tasks, self._folder, self._today = tasks, Path(mappings_folder), today
        self._target: Path | None = None  # named in a refusal

        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("ledgerExportPath")
        self.path_edit.setPlaceholderText("保存为 .xlsx 文件")
        row = QWidget()
        row_layout = QHBoxLayout(row)
        row_layout.setContentsMargins(0, 0, 0, 0)
        row_layout.addWidget(self.path_edit, 1)
        row_layout.addWidget(action_button("浏览…", "ledgerExportBrowse", self.browse))
        self.layout_combo = QComboBox()
        self.layout_combo.setObjectName("ledgerExportLayout")
        self.layout_combo.addItem(STANDARD_LAYOUT, "")
        for name in lc.saved_mappings(self._folder):
            self.layout_combo.addItem(f"按“{name}”的列", name)
        self.masked = QCheckBox("遮蔽身份证号码和电话（中间几位显示为 *）")
        self.masked.setObjectName("ledgerExportMasked")
        self.masked.setChecked(True)
        if not session.current().can(FULL_DATA):
            self.masked.setEnabled(False)
            self.masked.setToolTip("导出完整号码须由负责人操作")

        self.add_field("保存到", row, "path")
        self.add_field("列的格式", self.layout_combo, "layout")
        self.form.addRow("", self.masked)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.ok_cancel("导出", "ledgerExportOk"))
        self.sig_done.connect(self._done)

    def browse(self) -> None:
        start = self.path_edit.text() or f"信访台账_{(self._today or dt.date.today()):%Y%m%d}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "导出台账", start, "Excel 工作簿 (*.xlsx)")
        if path:
            self.path_edit.setText(path)

    def submit(self) -> None:
        self.clear_errors()
        text = self.path_edit.text().strip()
        if not text:
            set_error(self.field_errors["path"], "请选择保存位置")
            return
        path = Path(text)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        name = self.layout_combo.currentData()
        try:
            mapping = lc.load_named_mapping(name, self._folder) if name else None
        except XinfangError as exc:
            set_error(self.field_errors["layout"], str(exc))
            return
        masked, today = self.masked.isChecked(), self._today
        self._target = path
        self.run_job(self._tasks, lambda: (export_ledger(path, mapping=mapping, masked=masked,
                                                         today=today), path))

    def show_error(self, exc: Exception) -> None:
        where = self._target
        on_disk = f"未能导出台账到 {where}：{{reason}}" if where else "未能导出台账：{reason}"
        set_error(self.message, file_error_text("导出台账", exc, on_disk))

    def _done(self, result) -> None:
        rows, path = result
        self.sig_exported.emit(f"已导出台账 {rows} 件到 {path}")
