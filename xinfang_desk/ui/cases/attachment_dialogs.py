"""The two small questions of the 附件 section: what the files are (kind, and a title for a
single file) before they are attached, and why an attachment is taken out (移除原因, which goes
on the timeline). Both open non-modally (`open()`), so the detail stays usable and tests can
fill them in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from xinfang_desk.core.papers.attachments import MAX_TITLE
from xinfang_desk.core.papers.kinds import PAPER_KINDS
from xinfang_desk.ui.widgets.forms import ERROR_STYLE, HINT_STYLE


def _buttons(dialog: QDialog, ok_text: str, ok_name: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                           | QDialogButtonBox.StandardButton.Cancel)
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setObjectName(ok_name)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class AddAttachmentDialog(QDialog):
    """附件类别 for all the files, 标题 for a single one (several keep their file names)."""

    def __init__(self, file_names: list[str], parent=None):
        super().__init__(parent)
        self.setObjectName("addAttachmentDialog")
        self.setWindowTitle("添加附件")
        self.file_names = file_names
        names = "、".join(file_names[:5]) + (f" 等{len(file_names)}个文件" if len(file_names) > 5
                                              else "")
        intro = QLabel(f"文件：{names}")
        intro.setWordWrap(True)
        self.kind = QComboBox()
        self.kind.setObjectName("attachmentKind")
        self.kind.addItems(list(PAPER_KINDS))
        self.title_edit = QLineEdit()
        self.title_edit.setObjectName("attachmentTitle")
        self.title_edit.setMaxLength(MAX_TITLE)
        single = len(file_names) == 1
        if single:
            self.title_edit.setText(Path(file_names[0]).stem)
        else:
            self.title_edit.setPlaceholderText("多个文件：标题即各自的文件名")
        self.title_edit.setEnabled(single)
        form = QFormLayout()
        form.addRow("附件类别：", self.kind)
        form.addRow("标题：", self.title_edit)
        hint = QLabel("文件存入数据库，随数据库一起备份；添加后记入修改记录。")
        hint.setStyleSheet(HINT_STYLE)
        hint.setWordWrap(True)
        self.buttons = _buttons(self, "添加", "addAttachmentOk")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.resize(420, self.sizeHint().height())

    def choice(self) -> tuple[str, str]:
        """(kind, title); the title is "" for several files (each keeps its name)."""
        title = self.title_edit.text().strip() if len(self.file_names) == 1 else ""
        return self.kind.currentText(), title


class RemoveAttachmentDialog(QDialog):
    """移除附件: the reason is required; it goes on the timeline with the title."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setObjectName("removeAttachmentDialog")
        self.setWindowTitle("移除附件")
        intro = QLabel(f"将附件“{title}”移出案卷。文件仍保留在数据库中（显示为已移除），"
                       "移除及原因记入办理经过。")
        intro.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("removeReason")
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText("如：误传，与本事项无关")
        self.error = QLabel("")
        self.error.setObjectName("removeReasonError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        self.buttons = _buttons(self, "移除", "removeAttachmentOk")
        self.buttons.accepted.disconnect(self.accept)
        self.buttons.accepted.connect(self._check)
        form = QFormLayout()
        form.addRow("移除原因：", self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(440, self.sizeHint().height())

    def _check(self) -> None:
        if not self.reason.text().strip():
            self.error.setText("请说明移除原因（记入办理经过）")
            self.error.show()
            return
        self.accept()

    def text(self) -> str:
        return self.reason.text().strip()
