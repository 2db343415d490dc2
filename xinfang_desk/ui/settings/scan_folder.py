"""设置 › 本机: what belongs to this PC only and is kept in its data directory, not in the
shared database: the 扫描文件夹 the copier scans into (offered at intake)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core.paths import DataDir
from xinfang_desk.ui.widgets.forms import ERROR_STYLE, HINT_STYLE
from xinfang_desk.ui.widgets.tasks import TaskRunner

OK_STYLE = "color:#1b5e20"


def _get(data_dir: DataDir) -> str:
    from xinfang_desk.core.papers import scan_folder

    folder = scan_folder.get_folder(data_dir)
    return str(folder) if folder else ""


def _set(data_dir: DataDir, folder: str):
    from xinfang_desk.core.papers import scan_folder

    return scan_folder.set_folder(data_dir, folder)


class ThisPcSettings(QWidget):
    sig_saved = Signal(str)
    """The scan folder was saved ("" when cleared)."""

    def __init__(self, tasks: TaskRunner, data_dir: DataDir, parent=None):
        super().__init__(parent)
        self.setObjectName("thisPcSettings")
        self._tasks, self._data_dir = tasks, data_dir
        self.folder = QLineEdit()
        self.folder.setObjectName("setting_scan_folder")
        self.folder.setPlaceholderText("未设置：接待登记时不列出扫描件")
        choose = QPushButton("选择…")
        choose.setObjectName("chooseScanFolderButton")
        choose.clicked.connect(self.choose)
        clear = QPushButton("清除")
        clear.setObjectName("clearScanFolderButton")
        clear.clicked.connect(self.folder.clear)
        self.save_button = QPushButton("保存")
        self.save_button.setObjectName("saveScanFolderButton")
        self.save_button.clicked.connect(self.save)
        self.status = QLabel("")
        self.status.setObjectName("scanFolderStatus")
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        row.addWidget(clear)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.status, 1)
        hint = QLabel("复印机或扫描仪把扫描件存入的文件夹（如共享文件夹 \\\\复印机\\scan 或 D:\\扫描）。"
                      "接待登记时，该文件夹中的新扫描件带缩略图列出，单击即加入附件；保存登记后，"
                      "已附入的扫描件移到数据目录的 scans\\taken\\日期 文件夹。此设置只对本机有效。")
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        box = QGroupBox("扫描文件夹")
        form = QFormLayout(box)
        form.addRow("扫描文件夹：", row)
        form.addRow("", hint)
        form.addRow("", save_row)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addStretch(1)

    def refresh(self) -> None:
        data_dir = self._data_dir
        self._tasks.run(lambda: _get(data_dir), self.folder.setText, self._failed)

    def choose(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择扫描文件夹",
                                                  self.folder.text() or str(Path.home()))
        if folder:
            self.folder.setText(folder)

    def save(self) -> None:
        data_dir, folder = self._data_dir, self.folder.text().strip()
        self._tasks.run(lambda: _set(data_dir, folder), self._saved, self._failed)

    def _saved(self, path) -> None:
        self.status.setStyleSheet(OK_STYLE)
        self.status.setText("已保存。" if path else "已清除：接待登记时不再列出扫描件。")
        self.sig_saved.emit(str(path or ""))

    def _failed(self, exc) -> None:
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(str(exc))
