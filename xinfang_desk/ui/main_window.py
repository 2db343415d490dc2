"""The main window: wires pages together, nothing more."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget

from xinfang_desk import APP_TITLE, __version__
from xinfang_desk.ui.overview_page import OverviewPage
from xinfang_desk.ui.tasks import TaskRunner


class MainWindow(QMainWindow):
    def __init__(self, data_dir, today=None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"{APP_TITLE} {__version__}")
        self.resize(1100, 700)
        self.tasks = TaskRunner(self)
        self.tabs = QTabWidget()
        self.overview = OverviewPage(self.tasks, today=today)
        self.tabs.addTab(self.overview, "首页")
        self.setCentralWidget(self.tabs)
        self.statusBar().addPermanentWidget(QLabel(f"数据目录：{data_dir.root}"))
        self.overview.refresh()

    def closeEvent(self, event):  # noqa: N802 - Qt API
        self.tasks.wait(10000)  # let a running save finish before the window goes
        super().closeEvent(event)
