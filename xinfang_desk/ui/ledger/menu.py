"""The 数据 menu of the main window: 导入台账… and 导出台账…, for those who register cases
(clerks and leaders, or everyone when the office has no accounts); the admin does no case work
and gets no such menu."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow

from xinfang_desk.core.session import Actor
from xinfang_desk.ui.widgets.tables import open_only
from xinfang_desk.ui.widgets.tasks import TaskRunner


def wants_data_menu(actor: Actor) -> bool:
    return actor.can("register") or actor.can("export")


class DataMenu(QObject):
    sig_imported = Signal(object)
    """Cases came in from a ledger (the core's LedgerReport)."""
    sig_message = Signal(str)
    """Something to say in the status bar."""

    def __init__(self, window: QMainWindow, tasks: TaskRunner, mappings_folder: Path,
                 actor: Actor, *, today: dt.date | None = None):
        super().__init__(window)
        self.setObjectName("dataMenu")
        self._window, self._tasks, self._folder, self._today = (
            window, tasks, Path(mappings_folder), today)
        self.dialog = None
        menu = window.menuBar().addMenu("数据(&D)")
        menu.setObjectName("dataMenuBar")
        self.import_action = QAction("导入台账…", window)
        self.import_action.setObjectName("importLedgerAction")
        self.import_action.setEnabled(actor.can("register"))
        self.import_action.triggered.connect(self.open_import)
        self.export_action = QAction("导出台账…", window)
        self.export_action.setObjectName("exportLedgerAction")
        self.export_action.setEnabled(actor.can("export"))
        self.export_action.triggered.connect(self.open_export)
        menu.addAction(self.import_action)
        menu.addAction(self.export_action)

    def open_import(self):
        # The wizards (and the workbook readers behind them) load when first opened.
        from xinfang_desk.ui.ledger.import_dialog import LedgerImportDialog

        dialog = LedgerImportDialog(self._tasks, self._folder, today=self._today,
                                    parent=self._window)
        dialog.sig_imported.connect(self.sig_imported)
        open_only(self, dialog)
        return dialog

    def open_export(self):
        from xinfang_desk.ui.ledger.export_dialog import LedgerExportDialog

        dialog = LedgerExportDialog(self._tasks, self._folder, today=self._today,
                                    parent=self._window)
        dialog.sig_exported.connect(self.sig_message)
        open_only(self, dialog)
        return dialog
