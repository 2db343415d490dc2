"""设置 › 数据安全 (administrators): backups, restore, the database check, the audit trail's
hash chain, the backup settings and the retention period with its purge (core.store.backup,
core.store.check, core.store.audit, core.cases.retention).

Every file and database step runs on the worker thread; a busy bar shows while it runs and the
action buttons wait. A restore replaces the whole database, so the GUI thread's own
connection is closed first and the core's `restore` runs on the worker (it closes that
thread's connection, checks that nobody else has the file open, replaces it and reopens it);
a backup that fails verification leaves everything as it was. After a successful restore the
page emits `sig_restored`: the start-up flow then closes the window and asks for a sign-in
again (the accounts are those of the restored database).

On a shared server (PostgreSQL) the same buttons call the same core, which uses pg_dump and
pg_restore; where this PC lacks them (or has a pg_dump older than the server) the page says so
and the backup and restore buttons stay disabled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core.paths import DataDir
from xinfang_desk.core.store.settings import SPECS
from xinfang_desk.ui.settings.retention import PurgeDialog
from xinfang_desk.ui.widgets.forms import ERROR_STYLE, HINT_STYLE
from xinfang_desk.ui.widgets.restore import (
    PassphraseDialog,
    backup_facts,
    reason_label,
    release_connections,
    restore_job,
    restore_result_text,
    size_text,
)
from xinfang_desk.ui.widgets.tables import (
    action_button,
    open_only,
    row_table,
    select_first,
    selected_item,
)
from xinfang_desk.ui.widgets.tasks import TaskRunner

OK_STYLE = "color:#2e7d32"
WARN_STYLE = "color:#b26a00"
COLUMNS = ("时间", "类型", "事项", "大小", "加密", "完好", "文件")
CHECKING = "校验中…"
LOCAL_INTRO = ("每天首次登录后自动备份一次，关闭程序时再备份一次；自动备份按日保留、按月保留，"
               "手动备份和恢复前的副本不会自动删除。建议设置备份副本文件夹（如U盘），以防本机硬盘损坏。")
SERVER_INTRO = ("服务器数据库 {server}：用 pg_dump 备份到本机的备份文件夹。每天由当天第一台登录的"
                "工作站自动备份一次（关闭程序时不再备份，以免多台工作站各自备份整个数据库）；"
                "自动备份按日保留、按月保留，手动备份和恢复前的副本不会自动删除。恢复前请先让其他"
                "工作站退出信访接待台。")
LOCAL_CHECK_HINT = ("检查数据库文件是否完好、数据是否被绕过本程序改动（审计日志哈希链），"
                    "以及最近一次备份的时间。检查只读取，不修改任何数据。")
SERVER_CHECK_HINT = ("检查服务器数据库的外键约束和审计日志防改保护是否有效、数据是否被绕过本程序改动"
                     "（审计日志哈希链）、本机能否备份，以及最近一次备份的时间。检查只读取，不修改任何数据。")


# --------------------------------------------------------------------------- worker-thread work

@dataclass(frozen=True)
class PageState:
    backups: list
    mirror_dir: str
    keep_days: int
    keep_months: int
    retention_years: int
    has_passphrase: bool
    server: str = ""  # the server database's label; "" for the local file
    tools_problem: str | None = None  # why pg_dump / pg_restore cannot work on this PC


def _load(data_dir: DataDir) -> PageState:
    from xinfang_desk.core.store import backup, server_backup, settings

    values = settings.all_settings()
    server = server_backup.bound_server().label if server_backup.on_server() else ""
    return PageState(backup.list_backups(data_dir.backups), str(values["backup_mirror_dir"] or ""),
                     int(values["backup_keep_days"]), int(values["backup_keep_months"]),
                     int(values["retention_years"]), bool(backup.stored_passphrase()),
                     server, server_backup.tools_problem() if server else None)


def _intact(infos: list) -> dict[Path, bool]:
    from xinfang_desk.core.store import backup

    return {info.path: backup.is_intact(info) for info in infos}


def _backup_now(data_dir: DataDir, out: str | None, encrypt: bool):
    from xinfang_desk.core.store import backup

    passphrase = backup.stored_passphrase() if encrypt else None
    if encrypt and not passphrase:
        raise backup.BackupError("尚未设置备份口令，无法加密。请先设置备份口令。")
    path = backup.backup_now(data_dir, out=out, passphrase=passphrase or None)
    return backup.read_manifest(path) or path


def _verify_audit(data_dir: DataDir):
    from xinfang_desk.core import session
    from xinfang_desk.core.store import audit, backup

    session.require("audit")
    known = backup.known_audit_head(data_dir)
    result = audit.verify(known_head=known.audit_head if known else None)
    text = result.message
    if known is not None and result.ok:
        text += f"（已与备份 {known.path.name} 记下的第 {known.audit_head[0]} 条核对）"
    elif known is None:
        text += "（尚无可核对末尾的备份记录）"
    return result.ok, text


def _save_backup_settings(values: dict):
    from xinfang_desk.core.store import settings

    errors = settings.put_many(values)
    folder = values["backup_mirror_dir"].strip()
    return errors, (not folder or Path(folder).expanduser().is_dir())


# --------------------------------------------------------------------------- dialogs

def _ask(parent, title: str, text: str, yes: str, name: str, *, icon=QMessageBox.Icon.Warning
         ) -> tuple[QMessageBox, QPushButton]:
    box = QMessageBox(icon, title, text, parent=parent)
    box.setObjectName(name)
    box.setStyleSheet("QLabel#qt_msgbox_label{min-width:460px}")
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    return box, yes_button


def _tell(parent, title: str, text: str, name: str, *, icon=QMessageBox.Icon.Information
          ) -> QMessageBox:
    box = QMessageBox(icon, title, text, parent=parent)
    box.setObjectName(name)
    box.setStyleSheet("QLabel#qt_msgbox_label{min-width:460px}")
    box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
    return box


# --------------------------------------------------------------------------- the page

class BackupPage(QWidget):
    sig_loaded = Signal()
    """The backup list and the settings were loaded."""
    sig_verified = Signal()
    """Every listed backup file was compared with its manifest (the 完好 column)."""
    sig_finished = Signal(bool, str)
    """An action ended: (succeeded, the message shown)."""
    sig_restored = Signal(object)
    """A restore succeeded (RestoreResult) and the user read the result: reload the program."""

    def __init__(self, tasks: TaskRunner, data_dir: DataDir, *, today: dt.date | None = None,
                 parent=None):
        super().__init__(parent)
        self.setObjectName("settingsBackup")
        self._tasks, self.data_dir, self.today = tasks, data_dir, today
        self.backups: list = []
        self.intact: dict[Path, bool] = {}
        self.loaded = False
        self.server = ""
        self.tools_problem: str | None = None
        self.has_passphrase = False
        self._had_passphrase = False
        self.busy = False
        self._generation = 0
        self.confirm_box: QMessageBox | None = None
        self.result_box: QMessageBox | None = None
        self.passphrase_dialog: PassphraseDialog | None = None
        self.purge_dialog: PurgeDialog | None = None

        layout = QVBoxLayout(self)
        layout.addWidget(self._backups_box(), 1)
        lower = QHBoxLayout()
        lower.addWidget(self._check_box(), 1)
        right = QVBoxLayout()
        right.addWidget(self._settings_box())
        right.addWidget(self._retention_box())
        right.addStretch(1)
        lower.addLayout(right, 1)
        layout.addLayout(lower)
        busy_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setObjectName("backupProgress")
        self.progress.setRange(0, 0)  # busy: the core reports no steps
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(12)
        self.busy_label = QLabel("")
        self.busy_label.setObjectName("backupBusyLabel")
        busy_row.addWidget(self.busy_label)
        busy_row.addWidget(self.progress, 1)
        layout.addLayout(busy_row)
        self._set_busy(None)
        self._selection_changed()

    # ------------------------------------------------------------------ layout

    def _backups_box(self) -> QGroupBox:
        box = QGroupBox("备份")
        inner = QVBoxLayout(box)
        self.intro = QLabel(LOCAL_INTRO)
        self.intro.setObjectName("backupIntro")
        self.intro.setWordWrap(True)
        self.intro.setStyleSheet(HINT_STYLE)
        inner.addWidget(self.intro)
        self.tools_label = QLabel("")
        self.tools_label.setObjectName("backupToolsProblem")
        self.tools_label.setWordWrap(True)
        self.tools_label.setStyleSheet(ERROR_STYLE)
        self.tools_label.setVisible(False)
        inner.addWidget(self.tools_label)
        self.table = row_table(COLUMNS, "backupTable")
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.restore_selected())
        inner.addWidget(self.table, 1)

        self.backup_button = action_button("立即备份", "backupNowButton", self.backup_now)
        self.backup_to_button = action_button("备份到文件…", "backupToFileButton",
                                             self.choose_backup_file)
        self.restore_button = action_button("恢复所选备份…", "restoreButton", self.restore_selected)
        self.restore_file_button = action_button("从其他备份文件恢复…", "restoreFileButton",
                                                self.choose_restore_file)
        self.open_folder_button = action_button("打开备份文件夹", "openBackupFolderButton",
                                               self.open_folder)
        self.encrypt = QCheckBox("用备份口令加密")
        self.encrypt.setObjectName("encryptCheck")
        self.encrypt.setToolTip("手动备份用已设置的备份口令加密（AES-256）。恢复时需要该口令。")
        row = QHBoxLayout()
        for widget in (self.backup_button, self.backup_to_button, self.encrypt):
            row.addWidget(widget)
        row.addSpacing(16)
        for widget in (self.restore_button, self.restore_file_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.open_folder_button)
        inner.addLayout(row)
        self.message = QLabel("")
        self.message.setObjectName("backupMessage")
        self.message.setWordWrap(True)
        inner.addWidget(self.message)
        return box

    def _check_box(self) -> QGroupBox:
        box = QGroupBox("检查")
        inner = QVBoxLayout(box)
        self.check_button = action_button("检查数据库", "checkButton", self.check)
        self.audit_button = action_button("审计日志校验", "auditVerifyButton", self.verify_audit)
        row = QHBoxLayout()
        row.addWidget(self.check_button)
        row.addWidget(self.audit_button)
        row.addStretch(1)
        inner.addLayout(row)
        self.check_hint = QLabel(LOCAL_CHECK_HINT)
        self.check_hint.setWordWrap(True)
        self.check_hint.setStyleSheet(HINT_STYLE)
        inner.addWidget(self.check_hint)
        self.output = QPlainTextEdit()
        self.output.setObjectName("checkOutput")
        self.output.setReadOnly(True)
        self.output.setPlaceholderText("检查结果显示在这里。")
        self.output.setMinimumHeight(120)
        inner.addWidget(self.output, 1)
        return box

    def _spin(self, key: str, suffix: str) -> QSpinBox:
        spec = SPECS[key]
        spin = QSpinBox()
        spin.setObjectName(f"setting_{key}")
        spin.setRange(spec.minimum, spec.maximum)
        spin.setValue(spec.default)
        spin.setSuffix(suffix)
        spin.setMinimumWidth(90)
        return spin

    def _settings_box(self) -> QGroupBox:
        box = QGroupBox("备份设置")
        form = QFormLayout(box)
        self.mirror = QLineEdit()
        self.mirror.setObjectName("setting_backup_mirror_dir")
        self.mirror.setPlaceholderText("未设置：自动备份只保存在本机")
        choose = action_button("选择…", "chooseMirrorButton", self.choose_mirror)
        clear = action_button("清除", "clearMirrorButton", self.mirror.clear)
        row = QHBoxLayout()
        row.addWidget(self.mirror, 1)
        row.addWidget(choose)
        row.addWidget(clear)
        form.addRow("备份副本文件夹：", row)
        self.keep_days = self._spin("backup_keep_days", " 天")
        self.keep_months = self._spin("backup_keep_months", " 个月")
        keep = QHBoxLayout()
        keep.addWidget(QLabel("按日"))
        keep.addWidget(self.keep_days)
        keep.addWidget(QLabel("按月"))
        keep.addWidget(self.keep_months)
        keep.addStretch(1)
        form.addRow("自动备份保留：", keep)
        self.save_settings_button = action_button("保存备份设置", "saveBackupSettingsButton",
                                                 self.save_settings)
        self.settings_status = QLabel("")
        self.settings_status.setObjectName("backupSettingsStatus")
        self.settings_status.setWordWrap(True)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_settings_button)
        save_row.addWidget(self.settings_status, 1)
        form.addRow("", save_row)

        self.passphrase_status = QLabel("")
        self.passphrase_status.setObjectName("passphraseStatus")
        self.set_passphrase_button = action_button("设置口令…", "setPassphraseButton",
                                                  self.set_passphrase)
        self.clear_passphrase_button = action_button("清除口令", "clearPassphraseButton",
                                                    self.clear_passphrase)
        pw = QGridLayout()
        pw.addWidget(self.passphrase_status, 0, 0)
        pw.addWidget(self.set_passphrase_button, 0, 1)
        pw.addWidget(self.clear_passphrase_button, 0, 2)
        pw.setColumnStretch(0, 1)
        form.addRow("备份口令：", pw)
        hint = QLabel("设置口令后，副本文件夹中的备份一律加密。口令请另行密封保存：忘记口令，"
                      "加密的备份将无法恢复。")
        hint.setWordWrap(True)
        hint.setStyleSheet(HINT_STYLE)
        form.addRow("", hint)
        return box

    def _retention_box(self) -> QGroupBox:
        box = QGroupBox("个人信息保存期限")
        inner = QVBoxLayout(box)
        row = QHBoxLayout()
        row.addWidget(QLabel("办结事项保存："))
        self.retention_years = self._spin("retention_years", " 年")
        row.addWidget(self.retention_years)
        self.save_retention_button = action_button("保存", "saveRetentionButton",
                                                  self.save_retention)
        row.addWidget(self.save_retention_button)
        row.addSpacing(16)
        self.purge_button = action_button("清理过期数据…", "purgeButton", self.open_purge)
        row.addWidget(self.purge_button)
        row.addStretch(1)
        inner.addLayout(row)
        self.retention_status = QLabel("超过保存年限的办结事项由管理员删除或匿名化"
                                       "（个人信息保护法第十九条、第四十七条）。")
        self.retention_status.setObjectName("retentionStatus")
        self.retention_status.setWordWrap(True)
        self.retention_status.setStyleSheet(HINT_STYLE)
        inner.addWidget(self.retention_status)
        return box

    # ------------------------------------------------------------------ state

    def _actions(self) -> list[QWidget]:
        return [self.backup_button, self.backup_to_button, self.restore_button,
                self.restore_file_button, self.check_button, self.audit_button,
                self.save_settings_button, self.set_passphrase_button,
                self.clear_passphrase_button, self.save_retention_button, self.purge_button]

    def _file_actions(self) -> list[QWidget]:
        """The buttons that need pg_dump / pg_restore on a server."""
        return [self.backup_button, self.backup_to_button, self.restore_file_button]

    def _set_busy(self, text: str | None) -> None:
        self.busy = text is not None
        self.progress.setVisible(self.busy)
        self.busy_label.setText(text or "")
        self.busy_label.setVisible(self.busy)
        for widget in self._actions():
            widget.setEnabled(not self.busy)
        if not self.busy:
            for widget in self._file_actions():
                widget.setEnabled(self.tools_problem is None)
            self._selection_changed()
            self.clear_passphrase_button.setEnabled(self.has_passphrase)
            self.encrypt.setEnabled(self.has_passphrase)

    def _later(self, fn, on_done, on_failed) -> None:
        """tasks.run, delivering only while the page exists."""
        self._tasks.run_for((self, self.table), fn, on_done, on_failed)

    def _run(self, text: str, fn, done, failed=None) -> None:
        """Run `fn` on the worker with the busy bar; `done(result)` or `failed(exc)` after."""
        self._set_busy(text)

        def ok(result):
            self._set_busy(None)
            done(result)

        def bad(exc):
            self._set_busy(None)
            (failed or self._failed)(exc)

        self._later(fn, ok, bad)

    def _failed(self, exc: Exception) -> None:
        self.show_message(str(exc), error=True)
        self.sig_finished.emit(False, str(exc))

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message.setText(text)

    def _finish(self, text: str) -> None:
        self.show_message(text)
        self.sig_finished.emit(True, text)

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        data_dir = self.data_dir
        self._later(lambda: _load(data_dir), self._loaded, self._load_failed)

    def _loaded(self, state: PageState) -> None:
        self.loaded = True
        keep = self.selected()
        self.backups = list(state.backups)
        self._generation += 1
        generation = self._generation
        self.intact = {}
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            values = (f"{info.created:%Y-%m-%d %H:%M:%S}", reason_label(info.reason),
                      "" if info.cases is None else str(info.cases), size_text(info.size),
                      "是" if info.encrypted else "否", CHECKING, info.path.name)
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 6:
                    item.setToolTip(str(info.path))
                self.table.setItem(row, col, item)
            if keep is not None and info.path == keep.path:
                self.table.selectRow(row)
        if not self.mirror.hasFocus():
            self.mirror.setText(state.mirror_dir)
        self.keep_days.setValue(state.keep_days)
        self.keep_months.setValue(state.keep_months)
        self.retention_years.setValue(state.retention_years)
        self._passphrase_state(state.has_passphrase)
        self._engine_state(state.server, state.tools_problem)
        self._selection_changed()
        self.sig_loaded.emit()
        infos = list(self.backups)
        self._later(lambda: _intact(infos), lambda result, g=generation: self._verified(g, result),
                    lambda exc: None)

    def _verified(self, generation: int, result: dict[Path, bool]) -> None:
        if generation != self._generation:
            return  # the list was reloaded meanwhile; its own check follows
        self.intact = result
        for row, info in enumerate(self.backups):
            ok = result.get(info.path)
            item = self.table.item(row, 5)
            if item is None or ok is None:
                continue
            item.setText("完好" if ok else "已改动")
            if not ok:
                item.setForeground(QColor("#c62828"))
                item.setToolTip("文件与其清单记录的长度或校验值不符，不能用于恢复。")
        self.sig_verified.emit()

    def _engine_state(self, server: str, problem: str | None) -> None:
        self.server, self.tools_problem = server, problem
        self.intro.setText(SERVER_INTRO.format(server=server) if server else LOCAL_INTRO)
        self.check_hint.setText(SERVER_CHECK_HINT if server else LOCAL_CHECK_HINT)
        self.tools_label.setText(f"{problem}备份和恢复暂不可用；检查数据库仍可使用。"
                                 if problem else "")
        self.tools_label.setVisible(problem is not None)
        if not self.busy:
            for widget in self._file_actions():
                widget.setEnabled(problem is None)

    def _load_failed(self, exc: Exception) -> None:
        self.show_message(str(exc), error=True)

    def _passphrase_state(self, has: bool) -> None:
        self.has_passphrase = has
        self.passphrase_status.setText("已设置" if has else "未设置")
        self.passphrase_status.setStyleSheet(OK_STYLE if has else HINT_STYLE)
        self.clear_passphrase_button.setEnabled(has and not self.busy)
        self.encrypt.setEnabled(has)
        if has != self._had_passphrase:  # on by default once there is one; the user may untick
            self.encrypt.setChecked(has)
            self._had_passphrase = has

    def selected(self):
        return selected_item(self.table, self.backups)

    def select_backup(self, path: Path) -> bool:
        return select_first(self.table, self.backups, lambda info: info.path == Path(path))

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None and not self.busy
                                       and self.tools_problem is None)

    # ------------------------------------------------------------------ backup

    def backup_now(self, out: str | Path | None = None) -> None:
        if self.busy:
            return
        data_dir, encrypt = self.data_dir, self.encrypt.isEnabled() and self.encrypt.isChecked()
        target = str(out) if out else None
        self._run("正在备份……", lambda: _backup_now(data_dir, target, encrypt), self._backed_up)

    def choose_backup_file(self) -> None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        plain = ".pgdump" if self.server else ".sqlite3"
        suffix = ".xfbak" if self.encrypt.isEnabled() and self.encrypt.isChecked() else plain
        name, _filter = QFileDialog.getSaveFileName(
            self, "备份到文件", str(Path.home() / f"信访接待台备份-{stamp}{suffix}"),
            f"备份文件 (*{suffix})")
        if name:
            self.backup_now(name)

    def _backed_up(self, info) -> None:
        if isinstance(info, Path):
            text = f"已备份：{info}"
        else:
            text = f"已备份：{backup_facts(info)}"
            if info.path.parent != self.data_dir.backups:
                text += f"，保存在 {info.path.parent}"
        self._finish(text + "。")
        self.refresh()

    def open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir.backups)))

    # ------------------------------------------------------------------ restore

    def restore_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self.ask_restore(info.path, info)

    def choose_restore_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, "选择备份文件", str(self.data_dir.backups),
            ("备份文件 (*.pgdump *.xfbak)" if self.server else "备份文件 (*.sqlite3 *.xfbak)")
            + ";;所有文件 (*)")
        if name:
            self.ask_restore(Path(name))

    def ask_restore(self, path: Path, info=None) -> None:
        """Ask before replacing the data (the box is `confirm_box`); restore on 恢复."""
        if self.busy:
            return
        from xinfang_desk.core.store import backup

        info = info or backup.read_manifest(Path(path))
        about = backup_facts(info) if info is not None else Path(path).name
        kept = ("服务器数据库的当前内容会先用 pg_dump 另存到本机的 backups 文件夹，不会丢失；"
                "其他工作站须先退出信访接待台" if self.server else
                "当前的数据库会先另存到 backups 文件夹，不会丢失")
        box, yes = _ask(
            self, "从备份恢复",
            f"将用备份 {about} 替换当前的全部数据。\n\n"
            f"{kept}；但该备份之后登记、"
            "修改的内容不在恢复后的数据中。\n\n恢复前会先校验备份文件，校验不通过则不作任何改动。"
            "恢复完成后程序回到登录界面，请重新登录。\n\n确定恢复吗？",
            "恢复", "restoreConfirm")
        box.finished.connect(lambda _r: self._restore_answered(box, yes, Path(path)))
        self.confirm_box = box
        box.open()

    def _restore_answered(self, box: QMessageBox, yes: QPushButton, path: Path) -> None:
        go = box.clickedButton() is yes
        self.confirm_box = None
        box.deleteLater()
        if go:
            self.restore(path)

    def restore(self, path: Path, passphrase: str | None = None) -> None:
        """Restore without asking (the confirmation is `ask_restore`)."""
        release_connections()
        data_dir = self.data_dir
        self._run("正在校验备份并恢复，请稍候……", lambda: restore_job(data_dir, path, passphrase),
                  self._restored, lambda exc: self._restore_failed(path, exc))

    def _restore_failed(self, path: Path, exc: Exception) -> None:
        from xinfang_desk.core.store.backup import WrongPassphrase

        if isinstance(exc, WrongPassphrase):
            self.show_message(str(exc), error=True)
            dialog = PassphraseDialog(confirm=False, title="加密的备份",
                                      intro=f"备份 {path.name} 已加密，请输入备份口令。",
                                      message=str(exc), parent=self)
            dialog.accepted.connect(lambda: self.restore(path, dialog.take()))
            dialog.rejected.connect(lambda: self.sig_finished.emit(False, str(exc)))
            open_only(self, dialog, "passphrase_dialog")
            return
        text = f"恢复未进行：{exc}"
        self.show_message(text, error=True)
        box = _tell(self, "恢复未进行", f"{exc}\n\n当前数据未作改动。", "restoreFailedBox",
                    icon=QMessageBox.Icon.Critical)
        box.finished.connect(lambda _r: box.deleteLater())
        self.result_box = box
        box.open()
        self.sig_finished.emit(False, text)
        self.refresh()

    def _restored(self, result) -> None:
        text = restore_result_text(result)
        self.show_message(text)
        box = _tell(self, "恢复完成", text + "\n\n程序将回到登录界面，请重新登录。", "restoreDoneBox")
        box.finished.connect(lambda _r: self._restore_acknowledged(box, result))
        self.result_box = box
        box.open()
        self.sig_finished.emit(True, text)

    def _restore_acknowledged(self, box: QMessageBox, result) -> None:
        if self.result_box is box:
            self.result_box = None
        box.deleteLater()
        self.sig_restored.emit(result)  # the start-up flow closes the window: sign in again
        if shiboken6.isValid(self) and shiboken6.isValid(self.table) and self.isVisible():
            self.refresh()  # no flow (a window without accounts): show the restored list

    # ------------------------------------------------------------------ checks

    def check(self) -> None:
        from xinfang_desk.core.store.check import check_database

        data_dir, today = self.data_dir, self.today
        self._run("正在检查数据库……", lambda: check_database(data_dir, today=today), self._checked)

    def _checked(self, report) -> None:
        self.output.setPlainText(report.text())
        self.output.setStyleSheet("" if report.ok else ERROR_STYLE)
        if report.ok:
            self._finish(report.summary())
        else:
            self.show_message(report.summary(), error=True)
            self.sig_finished.emit(False, report.summary())

    def verify_audit(self) -> None:
        data_dir = self.data_dir
        self._run("正在校验审计日志……", lambda: _verify_audit(data_dir), self._audit_verified)

    def _audit_verified(self, result) -> None:
        ok, text = result
        self.output.setPlainText(text)
        self.output.setStyleSheet("" if ok else ERROR_STYLE)
        if ok:
            self._finish(text)
        else:
            self.show_message(text, error=True)
            self.sig_finished.emit(False, text)

    # ------------------------------------------------------------------ settings

    def choose_mirror(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择备份副本文件夹（如U盘）",
                                                  self.mirror.text() or str(Path.home()))
        if folder:
            self.mirror.setText(folder)

    def save_settings(self) -> None:
        values = {"backup_mirror_dir": self.mirror.text().strip(),
                  "backup_keep_days": self.keep_days.value(),
                  "backup_keep_months": self.keep_months.value()}
        self._run("正在保存……", lambda: _save_backup_settings(values), self._settings_saved,
                  self._settings_failed)

    def _settings_saved(self, result) -> None:
        errors, folder_ok = result
        if errors:
            self._settings_failed(next(iter(errors.values())))
            return
        if folder_ok:
            self.settings_status.setStyleSheet(OK_STYLE)
            text = "已保存。"
        else:
            self.settings_status.setStyleSheet(WARN_STYLE)
            text = "已保存。注意：该文件夹现在无法访问（U盘是否已插入？），自动备份时会提示。"
        self.settings_status.setText(text)
        self.sig_finished.emit(True, text)

    def _settings_failed(self, exc: Exception) -> None:
        self.settings_status.setStyleSheet(ERROR_STYLE)
        self.settings_status.setText(str(exc))
        self.sig_finished.emit(False, str(exc))

    def set_passphrase(self) -> None:
        dialog = PassphraseDialog(
            confirm=True, title="设置备份口令",
            intro="口令至少8个字符，请输入两次。设置后，自动备份在副本文件夹中的副本、"
                  "以及勾选“用备份口令加密”的手动备份都用它加密。请把口令另行密封保存。",
            parent=self)
        dialog.accepted.connect(lambda: self._store_passphrase(dialog.take()))
        open_only(self, dialog, "passphrase_dialog")

    def _store_passphrase(self, passphrase: str | None) -> None:
        from xinfang_desk.core.store import backup

        has = bool(passphrase)
        self._run("正在保存……", lambda: backup.set_backup_passphrase(passphrase),
                  lambda _r: self._passphrase_saved(has), self._settings_failed)

    def _passphrase_saved(self, has: bool) -> None:
        self._passphrase_state(has)
        text = "备份口令已设置。" if has else "备份口令已清除，副本文件夹中的新备份将不再加密。"
        self.settings_status.setStyleSheet(OK_STYLE)
        self.settings_status.setText(text)
        self.sig_finished.emit(True, text)

    def clear_passphrase(self) -> None:
        box, yes = _ask(self, "清除备份口令",
                        "清除后，副本文件夹中的新备份不再加密（已有的加密备份仍需原口令才能恢复）。"
                        "确定清除吗？", "清除口令", "clearPassphraseConfirm")
        box.finished.connect(lambda _r: self._clear_answered(box, yes))
        self.confirm_box = box
        box.open()

    def _clear_answered(self, box: QMessageBox, yes: QPushButton) -> None:
        go = box.clickedButton() is yes
        self.confirm_box = None
        box.deleteLater()
        if go:
            self._store_passphrase(None)

    # ------------------------------------------------------------------ retention

    def save_retention(self) -> None:
        from xinfang_desk.core.store import settings

        years = self.retention_years.value()
        self._run("正在保存……", lambda: settings.put("retention_years", years),
                  lambda _r: self._retention_saved(years), self._retention_failed)

    def _retention_saved(self, years: int) -> None:
        self.retention_status.setStyleSheet(OK_STYLE)
        text = f"已保存：办结事项保存 {years} 年。"
        self.retention_status.setText(text)
        self.sig_finished.emit(True, text)

    def _retention_failed(self, exc: Exception) -> None:
        self.retention_status.setStyleSheet(ERROR_STYLE)
        self.retention_status.setText(str(exc))
        self.sig_finished.emit(False, str(exc))

    def open_purge(self) -> None:
        if self.purge_dialog is not None:
            self.purge_dialog.raise_()
            return
        dialog = PurgeDialog(self._tasks, today=self.today, parent=self)
        dialog.finished.connect(lambda _r: self._purge_closed(dialog))
        self.purge_dialog = dialog
        dialog.open()
        dialog.load()

    def _purge_closed(self, dialog) -> None:
        if self.purge_dialog is dialog:
            self.purge_dialog = None
        dialog.deleteLater()
