"""设置 › 单位信息: the office settings form (name, prefix, office mode, deadline rules…)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core.store.settings import SPECS
from xinfang_desk.ui.widgets.tasks import TaskRunner

# Display labels of the coded choices; the stored values stay the codes.
CHOICE_LABELS = {
    "office_mode": (("organ", "其他机关、单位（第二十三条：15日内书面告知）"),
                    ("bureau", "信访部门（第二十二条：15日内转送、交办）")),
    "deadline_rule": (("calendar", "按自然日计算"), ("working", "按工作日计算")),
}
LABELS = {
    "office_name": "单位名称",
    "office_address": "单位地址",
    "office_phone": "咨询电话",
    "reception_hours": "接待时间",
    "case_prefix": "案件编号前缀",
    "office_mode": "机构类型",
    "group_threshold": "集体访人数起点",
    "deadline_rule": "期限计算方式",
    "feedback_days": "转送反馈默认期限",
    "due_soon_days": "临期提醒天数",
    "document_font": "文书字体文件",
}
HINTS = {
    "office_name": "打印在回执和文书上",
    "office_address": "打印在文书落款处",
    "office_phone": "告知信访人查询办理进展（第十八条）",
    "case_prefix": "1–8位字母或数字，如 XF → XF2026-000123",
    "group_threshold": "达到该人数的来访计为集体访",
    "deadline_rule": "5个工作日的异议期始终按工作日计算",
    "feedback_days": "转送、交办时未写明期限的，按此天数要求反馈",
    "due_soon_days": "到期前几天起在“跟踪督办”中提醒",
    "document_font": "留空用内置字体；可填本机宋体，如 C:\\Windows\\Fonts\\simsun.ttc",
}
GROUPS = (
    ("单位", ("office_name", "office_address", "office_phone", "reception_hours")),
    ("办理规则", ("case_prefix", "office_mode", "group_threshold", "deadline_rule",
                  "feedback_days", "due_soon_days")),
    ("文书", ("document_font",)),
)
INT_SUFFIX = {"group_threshold": " 人", "feedback_days": " 日", "due_soon_days": " 日"}
ERROR_STYLE = "color:#c62828"


class OfficeSettingsForm(QWidget):
    sig_loaded = Signal()
    """The form was filled from the database."""
    sig_saved = Signal()
    """All values were saved."""
    sig_rejected = Signal()
    """Save refused: at least one value is invalid; nothing was saved."""

    def __init__(self, tasks: TaskRunner, parent=None):
        super().__init__(parent)
        self.setObjectName("officeSettings")
        self._tasks = tasks
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        for title, keys in GROUPS:
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            for key in keys:
                form.addRow(LABELS[key] + "：", self._row(key))
            layout.addWidget(box)
        self.save_button = QPushButton("保存设置")
        self.save_button.setObjectName("saveSettingsButton")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("放弃修改")
        self.revert_button.clicked.connect(self.refresh)
        self.status = QLabel("")
        self.status.setObjectName("officeSettingsStatus")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.status, 1)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def _row(self, key: str) -> QWidget:
        spec = SPECS[key]
        if key in CHOICE_LABELS:
            editor = QComboBox()
            for code, label in CHOICE_LABELS[key]:
                editor.addItem(label, code)
        elif isinstance(spec.default, int):
            editor = QSpinBox()
            editor.setRange(spec.minimum or 0, spec.maximum or 9999)
            editor.setSuffix(INT_SUFFIX.get(key, ""))
            editor.setMinimumWidth(100)
        else:
            editor = QLineEdit()
            editor.setMinimumWidth(120 if key == "case_prefix" else 360)
            if key == "case_prefix":
                editor.setMaximumWidth(160)
        editor.setObjectName(f"setting_{key}")
        self.editors[key] = editor
        error = QLabel("")
        error.setObjectName(f"error_{key}")
        error.setStyleSheet(ERROR_STYLE)
        self.errors[key] = error
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(editor)
        hint = QLabel(HINTS.get(key, ""))
        hint.setStyleSheet("color:#666")
        box.addWidget(hint)
        box.addWidget(error, 1)
        return row

    # ------------------------------------------------------------------ values

    def values(self) -> dict:
        out = {}
        for key, editor in self.editors.items():
            if isinstance(editor, QComboBox):
                out[key] = editor.currentData()
            elif isinstance(editor, QSpinBox):
                out[key] = editor.value()
            else:
                out[key] = editor.text()
        return out

    def set_values(self, values: dict) -> None:
        for key, editor in self.editors.items():
            value = values.get(key, SPECS[key].default)
            if isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(editor.findData(value), 0))
            elif isinstance(editor, QSpinBox):
                editor.setValue(int(value))
            else:
                editor.setText(str(value))

    def show_errors(self, errors: dict) -> None:
        for key, label in self.errors.items():
            exc = errors.get(key)
            label.setText(exc.reason if exc is not None else "")

    # ------------------------------------------------------------------ load / save

    def refresh(self) -> None:
        from xinfang_desk.core.store import settings

        self._tasks.run(settings.all_settings, self._loaded, self._failed)

    def _loaded(self, values: dict) -> None:
        self.set_values(values)
        self.show_errors({})
        self.status.setText("")
        self.sig_loaded.emit()

    def save(self) -> None:
        from xinfang_desk.core.store import settings

        values = self.values()
        self.save_button.setEnabled(False)
        self._tasks.run(lambda: settings.put_many(values), self._saved, self._failed)

    def _saved(self, errors: dict) -> None:
        self.save_button.setEnabled(True)
        self.show_errors(errors)
        if errors:
            self.status.setText(f"<span style='{ERROR_STYLE}'>有{len(errors)}项填写有误，"
                                "设置未保存。</span>")
            self.sig_rejected.emit()
            return
        self.status.setText("设置已保存。")
        self.sig_saved.emit()

    def _failed(self, exc) -> None:
        self.save_button.setEnabled(True)
        self.status.setText(f"<span style='{ERROR_STYLE}'>{exc}</span>")
        self.sig_rejected.emit()
