"""The pieces of a restore that the settings page and the start-up recovery share: the
passphrase dialog, the texts describing a backup and a restore, and the restore job."""

from __future__ import annotations

import gc
from pathlib import Path

from PySide6.QtWidgets import (
    QLabel,
    QVBoxLayout,
)

from xinfang_desk.core.paths import DataDir
from xinfang_desk.ui.widgets.forms import HINT_STYLE, FieldForm, password_edit


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason)


def size_text(size: int) -> str:
    if size < 0:
        return ""
    if size < 1024 * 1024:
        return f"{max(size, 1024) // 1024} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def backup_facts(info) -> str:
    """'daily-….sqlite3（2026-10-09 08:30，事项 12 件，已加密）'"""
    facts = [f"{info.created:%Y-%m-%d %H:%M}"]
    if info.cases is not None:
        facts.append(f"事项 {info.cases} 件")
    if info.encrypted:
        facts.append("已加密")
    return f"{info.path.name}（{'，'.join(facts)}）"


def restore_result_text(result) -> str:
    lines = [f"已从备份 {result.file.name} 恢复：事项 {result.cases} 件，审计日志 "
             f"{result.audit_rows} 条，数据结构版本 {result.schema_version}。"]
    if result.pre_restore:
        lines.append(f"恢复前的数据库已另存为 {result.pre_restore.name}（在 backups 文件夹中）。")
    if result.moved_aside:
        lines.append(f"损坏的原数据库文件已移到 {result.moved_aside}，未作改动。")
    return "\n".join(lines)


def restore_job(data_dir: DataDir, file: str | Path, passphrase: str | None):
    """Worker thread: restore `file`. An encrypted backup is tried with the stored passphrase
    first (WrongPassphrase asks the user). The caller has run `release_connections` on the GUI
    thread first."""
    from xinfang_desk.core.store import backup, restore

    if passphrase is None and backup.is_encrypted(Path(file)):
        try:
            passphrase = backup.stored_passphrase() or None
        except Exception:  # noqa: BLE001 - a damaged database has none; the user is asked
            passphrase = None
    return restore.restore(data_dir, file, passphrase=passphrase)


def release_connections() -> None:
    """GUI thread, before a restore (which needs the file to itself): close this thread's
    database connection (the next query reopens one, to the restored database) and collect the
    connections that ended worker threads left in reference cycles. The collection runs here,
    never on a worker: it may finalise Qt objects, which only their own thread may destroy (a
    collection on the worker crashed the test suite now and then)."""
    from xinfang_desk.core.store import storage

    storage.close()
    gc.collect()


class PassphraseDialog(FieldForm):
    """The backup passphrase: typed twice to set it, once to open an encrypted backup. The
    text is never shown and is cleared once read."""

    def __init__(self, *, confirm: bool, title: str, intro: str = "", message: str = "",
                 parent=None):
        super().__init__(parent)
        self.setObjectName("passphraseDialog")
        self.setWindowTitle(title)
        self.confirm = confirm
        self.edit = self.add_field("备份口令", password_edit("passphraseEdit"))
        self.again = (self.add_field("再次输入", password_edit("passphraseAgain"))
                      if confirm else None)
        buttons = self.ok_cancel("确定", "passphraseOk")
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            label.setStyleSheet(HINT_STYLE)
            layout.addWidget(label)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        if message:
            self.message.setText(message)
            self.message.show()
        self._value = ""

    def submit(self) -> None:
        from xinfang_desk.core.errors import FieldError

        self.clear_errors()
        value = self.edit.text()
        ok = True
        if not value.strip():
            self.show_error(FieldError("备份口令", "不能为空"))
            ok = False
        elif self.confirm and len(value.strip()) < 8:
            self.show_error(FieldError("备份口令", "至少8个字符"))
            ok = False
        if self.again is not None and value != self.again.text():
            self.show_error(FieldError("再次输入", "两次输入的口令不一致"))
            ok = False
        if ok:
            self._value = value
            self.accept()

    def take(self) -> str:
        """The passphrase (once), the fields emptied."""
        value, self._value = self._value, ""
        self.edit.clear()
        if self.again is not None:
            self.again.clear()
        return value


REASON_LABELS = {"daily": "每日", "exit": "退出", "manual": "手动", "pre-restore": "恢复前",
                 "pre-migration": "升级前"}
