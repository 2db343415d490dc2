"""Program start up to the sign-in: one program per data directory, and a damaged database.

    Launcher.start
      lock the data directory ─ held by another program → message, exit 1
      open the database (worker thread; a notice if it takes a while, e.g. a migration)
                        ─ damaged → DamagedDatabaseDialog
                                      从备份恢复 → restore (as SYSTEM, worker thread) → sign-in
                                      退出 → exit 1 (the damaged file untouched)
                       ─ other error → message, exit 1
      on the office's server instead (--db-url, XINFANG_DB_URL, or remembered for this PC):
        connect on the worker ─ refused or unreachable → ConnectServerDialog (the reason
        shown; retry, another server, or this PC's own database)
      → StartupFlow (first admin / sign-in / main window; 连接服务器… there switches)
        meanwhile the start-up integrity check on a thread of its own (it reads the whole
        file: 3 s on 1,000,000 cases): the main window opens only once it has passed (a
        splash says so if the sign-in was quicker); damage found → the sign-in is abandoned
        and DamagedDatabaseDialog shown as above.

Nobody can sign in to a database that cannot be read, so the restore from this dialog runs as
SYSTEM, like `xinfang-desk restore` does: whoever can replace the file could do so anyway. The
core keeps the damaged file (moved to backups/damaged-*.sqlite3); nothing here overwrites it.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from xinfang_desk import APP_TITLE
from xinfang_desk.core.paths import DataDir
from xinfang_desk.ui.widgets.forms import ERROR_STYLE, HINT_STYLE
from xinfang_desk.ui.widgets.restore import (
    PassphraseDialog,
    backup_facts,
    release_connections,
    restore_job,
    restore_result_text,
)
from xinfang_desk.ui.widgets.tasks import TaskRunner

log = logging.getLogger(__name__)

OPEN_NOTICE_MS = 400  # opening usually ends before this; a migration may take much longer
DAILY_CHECK_POLL_MS = 30 * 60 * 1000  # how often an open program asks whether the check is due


def _what_happened(message: str) -> str:
    """The core's message without its command-line advice (the dialog offers the restore)."""
    for cut in ("最近的完好备份", "没有找到可用的备份"):
        message = message.split(cut, 1)[0]
    return message.strip()


class DamagedDatabaseDialog(QDialog):
    """The database cannot be opened: what happened, the newest good backup, 从备份恢复 / 退出."""

    sig_restored = Signal(object)
    """The restore succeeded (RestoreResult) and the database is open again."""

    def __init__(self, data_dir: DataDir, error: Exception, tasks: TaskRunner, parent=None):
        super().__init__(parent)
        from xinfang_desk.core.store import backup

        self.setObjectName("damagedDatabaseDialog")
        self.setWindowTitle(f"{APP_TITLE} — 数据库已损坏")
        self.data_dir, self._tasks = data_dir, tasks
        path = getattr(error, "backup", None)
        self.backup = backup.read_manifest(path) if path is not None else None
        self.backup_path: Path | None = path
        self.busy = False
        self.passphrase_dialog: PassphraseDialog | None = None

        what = QLabel(_what_happened(str(error)))
        what.setObjectName("damagedWhat")
        what.setWordWrap(True)
        if path is not None:
            about = backup_facts(self.backup) if self.backup is not None else path.name
            offer = (f"最近的完好备份：{about}\n位置：{path.parent}\n\n"
                     "从该备份恢复后，该备份之后登记、修改的内容需要重新录入。损坏的文件会移到 "
                     "backups 文件夹保留（damaged-…），不会被删除或覆盖，可交技术支持尝试找回。")
        else:
            offer = ("没有找到可用的备份。如有保存在U盘等处的备份文件，可选择该文件恢复；"
                     "否则请联系技术支持，不要删除或覆盖损坏的文件。")
        self.offer = QLabel(offer)
        self.offer.setObjectName("damagedOffer")
        self.offer.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("damagedProgress")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(12)
        self.progress.hide()
        self.message = QLabel("")
        self.message.setObjectName("damagedMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        hint = QLabel("退出后数据库文件保持原样。")
        hint.setStyleSheet(HINT_STYLE)

        self.restore_button = QPushButton("从备份恢复")
        self.restore_button.setObjectName("damagedRestoreButton")
        self.restore_button.setVisible(path is not None)
        self.restore_button.setDefault(path is not None)
        self.restore_button.clicked.connect(lambda: self.restore(self.backup_path))
        self.choose_button = QPushButton("选择其他备份文件…")
        self.choose_button.setObjectName("damagedChooseButton")
        self.choose_button.clicked.connect(self.choose_file)
        self.quit_button = QPushButton("退出")
        self.quit_button.setObjectName("damagedQuitButton")
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(hint)
        buttons.addStretch(1)
        for button in (self.restore_button, self.choose_button, self.quit_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(self.offer)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumWidth(620)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        for button in (self.restore_button, self.choose_button, self.quit_button):
            button.setEnabled(not busy)

    def reject(self) -> None:
        if not self.busy:  # a restore under way finishes first
            super().reject()

    def choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, "选择备份文件", str(self.data_dir.backups),
            "备份文件 (*.sqlite3 *.xfbak);;所有文件 (*)")
        if name:
            self.restore(Path(name))

    def restore(self, path: Path | None, passphrase: str | None = None) -> None:
        from xinfang_desk.core import session

        if path is None or self.busy:
            return
        session.set_current(None)  # SYSTEM: nobody can sign in to a damaged database
        self._set_busy(True)
        self.message.setStyleSheet(HINT_STYLE)
        self.message.setText("正在校验备份并恢复，请稍候……")
        release_connections()
        data_dir = self.data_dir
        self._tasks.run(lambda: restore_job(data_dir, path, passphrase), self._restored,
                        lambda exc: self._failed(path, exc))

    def _failed(self, path: Path, exc: Exception) -> None:
        from xinfang_desk.core.store.backup import WrongPassphrase

        self._set_busy(False)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(f"恢复未进行：{exc}")
        if isinstance(exc, WrongPassphrase):
            dialog = PassphraseDialog(confirm=False, title="加密的备份",
                                      intro=f"备份 {path.name} 已加密，请输入备份口令。",
                                      message=str(exc), parent=self)
            dialog.accepted.connect(lambda: self.restore(path, dialog.take()))
            dialog.finished.connect(lambda _r: dialog.deleteLater())
            self.passphrase_dialog = dialog
            dialog.open()

    def _restored(self, result) -> None:
        self._set_busy(False)
        self.message.setStyleSheet(HINT_STYLE)
        self.message.setText(restore_result_text(result))
        self.result = result
        self.accept()
        self.sig_restored.emit(result)


class Launcher(QObject):
    """Start the program on `root`; see the module doc. `sig_quit(code)` ends it."""

    sig_quit = Signal(int)
    sig_started = Signal(object)
    """The database is open and the start-up flow (sign-in) runs: the StartupFlow."""
    sig_checked = Signal(object)
    """The start-up check ended: None when it passed, else the DamagedDatabaseError (or other
    error). Emitted from the check's thread; delivered on the GUI thread."""

    def __init__(self, root: Path, *, demo: bool = False, today: dt.date | None = None,
                 idle_lock_ms: int | None = None, db_url: str | None = None,
                 on_logs: Callable[[Path], None] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.root = Path(root)
        self.db_url = db_url  # --db-url; XINFANG_DB_URL and server.json are read at opening
        self.local_only = False  # the clerk chose this PC's own database in the dialog
        self.connect_dialog = None
        self.demo, self.today, self.idle_lock_ms, self.on_logs = demo, today, idle_lock_ms, on_logs
        self.tasks = TaskRunner(self)
        self.lock = None
        self.flow = None
        self.damaged: DamagedDatabaseDialog | None = None
        self.box: QMessageBox | None = None
        self.notice: QMessageBox | None = None
        self.opening = False  # the database is being opened on the worker
        self.splash = None  # what says so when it takes a while
        # The start-up check: "running", "passed" or "failed"; what waits for it to pass.
        self.check_state = "passed"
        self.checking = False  # a whole-file check runs on its thread
        self.daily_timer: QTimer | None = None  # the local file's daily check, while open
        self._after_check: list[Callable[[], None]] = []
        self.sig_checked.connect(self._checked)

    def start(self) -> None:
        from xinfang_desk.core.errors import XinfangError
        from xinfang_desk.core.store import instance_lock

        try:
            self.lock = instance_lock.acquire(self.root)
        except XinfangError as exc:  # another window (or program) has this data directory
            self._fatal(str(exc), "secondInstanceBox")
            return
        if self.on_logs is not None:
            try:
                logs = DataDir(self.root).logs
                logs.mkdir(parents=True, exist_ok=True)
                self.on_logs(logs)
            except OSError:
                pass  # open_data_dir below names the problem
        self._open()

    def _open(self) -> None:
        """The office's server when one is named or remembered, else the local file."""
        from xinfang_desk.core.errors import XinfangError

        try:
            choice = None if self.local_only else self.server_choice()
        except XinfangError as exc:  # a malformed URL or server.json
            self._fatal(str(exc), "startupError")
            return
        if choice is not None:
            self._open_server(choice)
        else:
            self._open_local()

    def server_choice(self):
        from xinfang_desk.core.store import server

        url = server.url_from_environment(self.db_url)
        choice = server.ServerChoice.from_url(url) if url else \
            server.load_choice(DataDir(self.root))
        return server.with_known_password(choice) if choice is not None else None

    def _open_server(self, choice, remember: bool | None = None) -> None:
        """Connect (and migrate) on the worker; `remember` (from the dialog): keep the choice
        for this PC, the password in the keyring if True."""
        from xinfang_desk.core.store import server

        root = self.root
        self.opening = True
        QTimer.singleShot(OPEN_NOTICE_MS, self._opening_notice)
        self.tasks.run(lambda: (server.open_server(root, choice), None),
                       lambda result: self._server_opened(result, choice, remember),
                       lambda exc: self._server_failed(choice, exc))

    def _server_opened(self, result, choice, remember: bool | None) -> None:
        from xinfang_desk.core.store import server

        if remember is not None:
            server.save_choice(DataDir(self.root), choice, remember_password=remember)
        self._opened(result, local=False)

    def _server_failed(self, choice, exc: Exception) -> None:
        self._done_opening()
        log.warning("server %s: %s", choice.label, exc)
        self.show_connect(choice, str(exc))

    def show_connect(self, choice=None, message: str = "") -> None:
        """连接服务器 (at a failed start, or asked for from the sign-in)."""
        from xinfang_desk.ui.startup.connect import ConnectServerDialog

        dialog = ConnectServerDialog(self.tasks, choice=choice, message=message)
        dialog.sig_chosen.connect(lambda chosen: self._connect_chosen(dialog, chosen))
        dialog.rejected.connect(lambda: self.sig_quit.emit(0))
        self.connect_dialog = dialog
        dialog.show()

    def _connect_chosen(self, dialog, chosen) -> None:
        from xinfang_desk.core.store import server
        from xinfang_desk.ui.startup.connect import LOCAL

        self.connect_dialog = None
        dialog.deleteLater()
        if chosen == LOCAL:
            self.local_only = True
            server.forget_choice(DataDir(self.root))
            self._open_local()
        else:
            self.local_only = False
            self._open_server(chosen, remember=dialog.remember_password())

    def switch_database(self) -> None:
        """连接服务器… from the sign-in: leave the database opened, choose again."""
        from xinfang_desk.core import session
        from xinfang_desk.core.store import storage

        flow, self.flow = self.flow, None
        if flow is not None:
            flow.abandon()
            flow.tasks.wait(30000)
        session.set_current(None)
        storage.close()
        choice = None
        try:
            choice = self.server_choice()
        except Exception:  # noqa: BLE001 - the dialog starts empty then
            pass
        self.show_connect(choice)

    def _open_local(self) -> None:
        """Open (and, after an update, migrate) the database on the worker: a migration of a
        large history takes a while, and a notice says so if it is not done at once."""
        from xinfang_desk.core.store.storage import open_unchecked

        root = self.root
        self.opening = True
        QTimer.singleShot(OPEN_NOTICE_MS, self._opening_notice)
        self.tasks.run(lambda: open_unchecked(root), self._opened, self._open_failed)

    def _opening_notice(self) -> None:
        from xinfang_desk.ui.startup.flow import make_splash

        if self.opening and self.splash is None:
            self.splash = make_splash("正在打开数据库，请稍候……\n（新版本首次打开时要升级数据结构，"
                                      "大型数据库需要稍长时间）", "openingSplash")

    def _done_opening(self) -> None:
        self.opening = False
        if self.splash is not None:
            self.splash.close()
            self.splash.deleteLater()
            self.splash = None

    def _open_failed(self, exc: Exception) -> None:
        from xinfang_desk.core.store.storage import DamagedDatabaseError

        self._done_opening()
        if isinstance(exc, DamagedDatabaseError):
            self._show_damaged(exc)
        else:
            self._fatal(str(exc), "startupError")

    def _opened(self, result, *, local: bool = True) -> None:
        self._done_opening()
        data_dir, check = result
        if check is not None:
            # After an unclean stop the main window waits for the check; the daily one runs
            # beside the work (damage it finds still ends the session with the restore offer).
            if check.gates:
                self.check_state = "running"
            self._start_check(check)
        if local and self.daily_timer is None:
            # A counter PC may stay open for days: the daily check comes due meanwhile.
            self.daily_timer = QTimer(self)
            self.daily_timer.setInterval(DAILY_CHECK_POLL_MS)
            self.daily_timer.timeout.connect(self.daily_tick)
            self.daily_timer.start()
        self._run(data_dir)

    def _start_check(self, check) -> None:
        self.checking = True
        threading.Thread(target=self._run_check, args=(check,), name="startup-check",
                         daemon=True).start()

    def daily_tick(self) -> None:
        """Start the daily whole-file check in the background if it has come due."""
        from xinfang_desk.core.store import run_state
        from xinfang_desk.core.store.storage import SCHEDULED, StartupCheck

        data_dir = DataDir(self.root)
        if self.checking or self.flow is None or not run_state.check_due(data_dir):
            return
        self._start_check(StartupCheck(data_dir, SCHEDULED))

    def _show_damaged(self, exc: Exception) -> None:
        log.warning("damaged database at start: %s", exc)
        self.damaged = DamagedDatabaseDialog(DataDir(self.root), exc, self.tasks)
        self.damaged.sig_restored.connect(self._restored)
        self.damaged.rejected.connect(lambda: self.sig_quit.emit(1))
        self.damaged.show()

    # ------------------------------------------------------------------ the start-up check

    def _run_check(self, check) -> None:
        """The check's own thread (its own connection; SQLite lets the GIL go meanwhile)."""
        try:
            check.run()
        except Exception as exc:  # noqa: BLE001 - reported to the GUI thread, never lost
            result = exc
        else:
            result = None
        if shiboken6.isValid(self):  # the program may have ended meanwhile
            self.sig_checked.emit(result)

    def when_checked(self, then: Callable[[], None]) -> bool:
        """Run `then` once the start-up check has passed (now, if it has). False when it has
        not passed yet (the caller says so on screen)."""
        if self.check_state == "passed":
            then()
            return True
        if self.check_state == "running":
            self._after_check.append(then)
        return False

    def _checked(self, error) -> None:
        from xinfang_desk.core import session
        from xinfang_desk.core.store import storage
        from xinfang_desk.core.store.storage import DamagedDatabaseError

        self.checking = False
        waiting, self._after_check = self._after_check, []
        if error is None:
            self.check_state = "passed"
            for then in waiting:
                then()
            return
        self.check_state = "failed"
        flow, self.flow = self.flow, None
        if flow is not None:
            flow.abandon()  # no main window on a damaged database
        session.set_current(None)
        if flow is not None:
            flow.tasks.wait(30000)
        storage.close()
        if isinstance(error, DamagedDatabaseError):
            self._show_damaged(error)
        else:
            self._fatal(str(error), "startupError")

    def _restored(self, result) -> None:
        self.check_state = "passed"  # the restored file was checked before it replaced the old
        dialog, self.damaged = self.damaged, None
        if dialog is not None:
            dialog.deleteLater()
        notice = QMessageBox(QMessageBox.Icon.Information, APP_TITLE,
                             restore_result_text(result) + "\n\n请登录后核对最近登记的事项。")
        notice.setObjectName("restoredNotice")
        notice.setStyleSheet("QLabel#qt_msgbox_label{min-width:520px}")
        notice.addButton("继续", QMessageBox.ButtonRole.AcceptRole)
        # restore() reopened the database: on to the sign-in once the notice is read.
        notice.finished.connect(lambda _r: self._run(DataDir(self.root)))
        self.notice = notice
        notice.show()

    def _run(self, data_dir: DataDir) -> None:
        from xinfang_desk.ui.startup.flow import StartupFlow

        self.flow = StartupFlow(data_dir, demo=self.demo, today=self.today,
                                idle_lock_ms=self.idle_lock_ms, window_gate=self.when_checked,
                                parent=self)
        self.flow.sig_quit.connect(self.sig_quit)
        self.flow.sig_connect_requested.connect(self.switch_database)
        self.flow.start()
        self.sig_started.emit(self.flow)

    def _fatal(self, text: str, name: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Critical, APP_TITLE, text)
        box.setObjectName(name)
        box.setStyleSheet("QLabel#qt_msgbox_label{min-width:460px}")
        box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
        box.finished.connect(lambda _r: self.sig_quit.emit(1))
        self.box = box
        box.show()

    def release(self) -> None:
        """Give the data directory's lock up (the OS does it anyway when the process ends)."""
        from xinfang_desk.core.store import instance_lock

        self.tasks.wait(30000)
        if "xinfang_desk.core.store.storage" in sys.modules:  # a clean close of the database
            sys.modules["xinfang_desk.core.store.storage"].close()
        instance_lock.release(self.lock)
        self.lock = None
