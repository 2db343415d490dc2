"""设置: office settings, the holiday/调休 calendar, units and fields, 本机 (this PC's scan
folder), and (for administrators) 数据安全 (backups, restore, checks, retention) and users and
the idle lock, as sub-tabs."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QScrollArea, QTabWidget, QVBoxLayout, QWidget

from xinfang_desk.core import session
from xinfang_desk.core.paths import DataDir
from xinfang_desk.ui.settings.backup import BackupPage
from xinfang_desk.ui.settings.calendar import CalendarEditor
from xinfang_desk.ui.settings.office import OfficeSettingsForm
from xinfang_desk.ui.settings.scan_folder import ThisPcSettings
from xinfang_desk.ui.settings.taxonomy import TaxonomyEditor
from xinfang_desk.ui.settings.users import UsersPage
from xinfang_desk.ui.widgets.tasks import TaskRunner


class SettingsPage(QWidget):
    sig_settings_changed = Signal()
    """Something that changes what other pages show was saved: office settings, the holiday
    calendar (deadlines move), units or fields (intake choices)."""

    def __init__(self, tasks: TaskRunner, parent=None, *, data_dir: DataDir | None = None,
                 today: dt.date | None = None):
        super().__init__(parent)
        self.setObjectName("settingsPage")
        self.office = OfficeSettingsForm(tasks)
        self.calendar = CalendarEditor(tasks)
        self.taxonomy = TaxonomyEditor(tasks)
        # The form is taller than a small laptop screen at large font sizes: let it scroll.
        office_scroll = QScrollArea()
        office_scroll.setWidgetResizable(True)
        office_scroll.setWidget(self.office)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.tabs.addTab(office_scroll, "单位信息与办理规则")
        self.tabs.addTab(self.calendar, "节假日与调休")
        self.tabs.addTab(self.taxonomy, "承办单位与涉及领域")
        self.this_pc = None
        if data_dir is not None:  # kept in this PC's data directory, not in the database
            self.this_pc = ThisPcSettings(tasks, data_dir)
            self.tabs.addTab(self.this_pc, "本机")
        self.backup = None
        if data_dir is not None and session.current().can("backup"):  # administrators
            self.backup = BackupPage(tasks, data_dir, today=today)
            backup_scroll = QScrollArea()
            backup_scroll.setWidgetResizable(True)
            backup_scroll.setWidget(self.backup)
            self.tabs.addTab(backup_scroll, "数据安全")
        self.users = None
        if session.current().can("users"):  # administrators (and SYSTEM, before any account)
            self.users = UsersPage(tasks)
            self.tabs.addTab(self.users, "用户与安全")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.office.sig_saved.connect(self.sig_settings_changed)
        self.calendar.sig_changed.connect(self.sig_settings_changed)
        self.taxonomy.sig_changed.connect(self.sig_settings_changed)
        self._loaded = False

    def refresh(self) -> None:
        self._loaded = True
        self.office.refresh()
        self.calendar.refresh()
        self.taxonomy.refresh()
        if self.this_pc is not None:
            self.this_pc.refresh()
        if self.backup is not None:
            self.backup.refresh()
        if self.users is not None:
            self.users.refresh()

    def showEvent(self, event):  # noqa: N802 - Qt API
        # Loaded when first shown, so that program start does not wait for the settings.
        if not self._loaded:
            self.refresh()
        super().showEvent(event)
