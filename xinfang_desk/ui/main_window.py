"""The main window: wires the pages together and remembers its geometry, nothing more."""

from __future__ import annotations

import datetime as dt
import time

from PySide6.QtCore import QEvent, QSettings, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QTableView, QTabWidget, QTreeView

from xinfang_desk import APP_TITLE, __version__
from xinfang_desk.core import session
from xinfang_desk.core.paths import DataDir
from xinfang_desk.core.store import server
from xinfang_desk.ui.answers.page import AnswersPage
from xinfang_desk.ui.cases.page import CasesPage
from xinfang_desk.ui.followup.page import FollowupPage
from xinfang_desk.ui.intake.page import IntakePage
from xinfang_desk.ui.ledger.menu import DataMenu, wants_data_menu
from xinfang_desk.ui.permissions import apply_to_tabs
from xinfang_desk.ui.report.page import ReportPage
from xinfang_desk.ui.settings.page import SettingsPage
from xinfang_desk.ui.widgets.tasks import TaskRunner

SHARED_REFRESH_MS = 30_000  # the other desks' saves show up within half a minute
FOCUS_REFRESH_AFTER_S = 5  # and at once when the clerk comes back to the window
BOARD_START_DELAY_MS = 1500  # the follow-up board's first load waits for the first screen


class MainWindow(QMainWindow):
    def __init__(self, data_dir: DataDir, today: dt.date | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"{APP_TITLE} {__version__}")
        self.data_dir = data_dir
        self.today = today
        self.tasks = TaskRunner(self)
        self.board_loads = TaskRunner(self, close_after=True)  # see FollowupPage
        # UI state lives in the data directory with everything else, not in the registry.
        self.ui_state = QSettings(str(data_dir.root / "ui.ini"), QSettings.Format.IniFormat)
        self._details: dict = {}  # case number -> its open CaseDetailDialog

        self.intake = IntakePage(self.tasks, data_dir, today=today)
        self.cases = CasesPage(self.tasks, today=today)
        self.followup = FollowupPage(self.tasks, today=today, loads=self.board_loads)
        self.answers = AnswersPage(self.tasks, today=today)
        self.report = ReportPage(self.tasks, today=today)
        self.settings = SettingsPage(self.tasks, data_dir=data_dir, today=today)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.intake, "接待登记")
        self.tabs.addTab(self.cases, "案件列表")
        self.tabs.addTab(self.followup, "跟踪督办")
        self.tabs.addTab(self.answers, "答复口径")
        self.tabs.addTab(self.report, "统计报表")
        self.tabs.addTab(self.settings, "设置")
        apply_to_tabs(self.tabs, session.current())  # a role sees only the pages it may use
        self.setCentralWidget(self.tabs)
        shared = server.in_use()
        where = QLabel(f"数据库：服务器 {shared.label}" if shared else f"数据目录：{data_dir.root}")
        where.setObjectName("databaseWhere")
        self.statusBar().addPermanentWidget(where)
        # On a shared server the other desks' work shows up by itself: a quiet reload of the
        # list and the board now and then, and when the clerk comes back to the window.
        self.shared_refresh = None
        self._last_refresh = 0.0
        if shared is not None:
            self.shared_refresh = QTimer(self)
            self.shared_refresh.setObjectName("sharedRefresh")
            self.shared_refresh.setInterval(SHARED_REFRESH_MS)
            self.shared_refresh.timeout.connect(self._refresh_shared)
            self.shared_refresh.start()
        self._add_tab_shortcuts()

        for page in (self.intake, self.cases, self.followup, self.report):
            page.sig_open_case_requested.connect(self.open_case)
        self.intake.sig_case_saved.connect(self._case_changed)
        self.followup.sig_case_changed.connect(self._case_changed)
        self.followup.sig_reminder.connect(self._remind)
        self.cases.sig_status_message.connect(self._list_count)
        self.settings.sig_settings_changed.connect(self._settings_changed)
        self.data_menu = None
        if wants_data_menu(session.current()):
            self.data_menu = DataMenu(self, self.tasks, data_dir.mappings, session.current(),
                                      today=today)
            self.data_menu.sig_imported.connect(self._ledger_imported)
            self.data_menu.sig_message.connect(lambda text: self.statusBar().showMessage(text, 15000))

        self._restore_state()
        self._first_loads()

    def _add_tab_shortcuts(self) -> None:
        for index in range(self.tabs.count()):
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Alt+{index + 1}"))
            action.triggered.connect(lambda _=False, i=index: self.tabs.setCurrentIndex(i))
            self.addAction(action)

    def open_case(self, case_no: str) -> None:
        dialog = self._details.get(case_no)
        if dialog is None:
            from xinfang_desk.ui.cases.detail_dialog import CaseDetailDialog  # when first asked

            dialog = CaseDetailDialog(case_no, self.tasks, today=self.today, parent=self)
            dialog.sig_case_changed.connect(self._case_changed)
            dialog.finished.connect(lambda _=0, c=case_no: self._details.pop(c, None))
            self._details[case_no] = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _first_loads(self) -> None:
        """The list at once; the follow-up board (all open cases and their deadlines, the
        day's reminder) a moment later unless it is the page shown: the first screen fills
        without waiting for it."""
        if self.tabs.indexOf(self.cases) >= 0:
            self.cases.refresh()
        if self.tabs.indexOf(self.followup) >= 0:
            if self.tabs.currentWidget() is self.followup:
                self.followup.refresh()
            else:
                QTimer.singleShot(BOARD_START_DELAY_MS, self._first_board_load)

    def _first_board_load(self) -> None:
        if not self.followup.loaded_once:  # nothing has loaded it meanwhile
            self.followup.refresh()

    def _case_changed(self, _case_no: str = "") -> None:
        for page in (self.cases, self.followup):
            if self.tabs.indexOf(page) >= 0:  # a page hidden from the role loads nothing
                page.refresh()

    def _refresh_shared(self) -> None:
        self._last_refresh = time.monotonic()
        self._case_changed()

    def changeEvent(self, event):  # noqa: N802 - Qt API
        # getattr: Qt sends change events while __init__ is still running.
        if (getattr(self, "shared_refresh", None) is not None
                and event.type() == QEvent.Type.ActivationChange
                and self.isActiveWindow()
                and time.monotonic() - self._last_refresh > FOCUS_REFRESH_AFTER_S):
            self._refresh_shared()
        super().changeEvent(event)

    def _ledger_imported(self, _report) -> None:
        # The wizard says what came in; behind it, the list shows the cases.
        self._case_changed()
        if self.tabs.indexOf(self.cases) >= 0:
            self.tabs.setCurrentWidget(self.cases)

    def _settings_changed(self) -> None:
        if self.tabs.indexOf(self.intake) >= 0:
            self.intake.refresh()
        self._case_changed()

    def _remind(self, text: str) -> None:
        # Non-blocking: the clerk may be in the middle of an intake.
        self.statusBar().showMessage(text, 60000)

    def _list_count(self, text: str) -> None:
        if self.tabs.currentWidget() is self.cases:
            self.statusBar().showMessage(text, 10000)

    def _views(self):
        for view in self.findChildren(QTableView) + self.findChildren(QTreeView):
            if view.objectName():
                yield view

    def _restore_state(self) -> None:
        geometry = self.ui_state.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        for view in self._views():
            state = self.ui_state.value(f"columns/{view.objectName()}")
            if state is not None:
                header = view.horizontalHeader() if isinstance(view, QTableView) else view.header()
                header.restoreState(state)

    def save_state(self) -> None:
        self.ui_state.setValue("window/geometry", self.saveGeometry())
        for view in self._views():
            header = view.horizontalHeader() if isinstance(view, QTableView) else view.header()
            self.ui_state.setValue(f"columns/{view.objectName()}", header.saveState())
        self.ui_state.sync()

    def closeEvent(self, event):  # noqa: N802 - Qt API
        self.save_state()
        self.tasks.wait(10000)  # let a running save finish before the window goes
        self.board_loads.wait(10000)
        super().closeEvent(event)


def build_main_window(data_dir, today=None, *, idle_lock_ms: int | None = None):
    """The main window over an opened data directory for the current actor (also used by
    tests and the screenshot script). Signing in is run_gui's job (ui.startup.flow): here the pages
    follow session.current() — all of them for SYSTEM (no accounts), the role's pages for a
    signed-in user, who also gets the 账户 menu and the idle lock (`idle_lock_ms` fixes its
    interval, for tests; otherwise the `idle_lock_minutes` setting)."""
    from xinfang_desk.core import session
    from xinfang_desk.ui.main_window import MainWindow

    window = MainWindow(data_dir, today=today)
    window.account = None
    actor = session.current()
    if actor.role != session.SYSTEM_ROLE:
        from xinfang_desk.ui.account.menu import AccountControls

        window.account = AccountControls(window, window.tasks, actor, idle_lock_ms=idle_lock_ms)
        users_page = getattr(window.settings, "users", None)
        if users_page is not None:
            users_page.sig_idle_lock_changed.connect(window.account.idle_lock.set_minutes)
    return window
