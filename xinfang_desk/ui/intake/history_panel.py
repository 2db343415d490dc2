"""以往来访: earlier cases of this person or matter, shown beside the intake form as it is
typed, so a repeat visit is recorded on the old matter instead of becoming a duplicate."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core.cases.repeats import RepeatMatch

IDLE_TEXT = "输入身份证号、电话、姓名或事项内容后，这里显示以往的来访。"


class HistoryEntry(QFrame):
    """One earlier case: number, date, status, who, what, and why it matches."""

    def __init__(self, match: RepeatMatch, panel: HistoryPanel):
        super().__init__()
        self.setObjectName("historyEntry")
        self.case_no = match.case_no
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#historyEntry { background: #fffdf5; border: 1px solid #e0d7b8;"
                           " border-radius: 4px; }")
        head = QLabel(f"<b>{escape(match.case_no)}</b>　{match.received_on:%Y-%m-%d}　"
                      f"{escape(match.status_label)}")
        head.setObjectName("historyHead")
        who = QLabel(escape(match.petitioners) or "（未记录信访人）")
        summary = QLabel(escape(match.summary))
        summary.setWordWrap(True)
        reasons = QLabel("<br>".join(f"· {escape(r)}" for r in match.reasons))
        reasons.setObjectName("historyReasons")
        reasons.setWordWrap(True)
        reasons.setStyleSheet("color: #b71c1c;")
        self.open_button = QPushButton("打开")
        self.open_button.setObjectName("openCase")
        self.open_button.setToolTip("查看该事项的详情")
        self.repeat_button = QPushButton("记为该事项的重复来访")
        self.repeat_button.setObjectName("recordRepeat")
        self.repeat_button.setToolTip("不另行登记新事项，在该事项上记录一次来访")
        self.open_button.clicked.connect(lambda: panel.sig_open_requested.emit(self.case_no))
        self.repeat_button.clicked.connect(lambda: panel.sig_repeat_requested.emit(self.case_no))
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.repeat_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)
        for widget in (head, who, summary, reasons):
            layout.addWidget(widget)
        layout.addLayout(buttons)


class HistoryPanel(QGroupBox):
    sig_open_requested = Signal(str)
    """The clerk wants to see an earlier case (case_no)."""
    sig_repeat_requested = Signal(str)
    """The clerk says this visit repeats an earlier case (case_no)."""

    def __init__(self, parent=None):
        super().__init__("以往来访", parent)
        self.setObjectName("historyPanel")
        self.status = QLabel(IDLE_TEXT)
        self.status.setObjectName("historyStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #555;")
        self._list = QWidget()
        self._list_layout = QVBoxLayout(self._list)
        self._list_layout.setContentsMargins(0, 0, 0, 0)
        self._list_layout.setSpacing(6)
        self._list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._list)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        self.entries: list[HistoryEntry] = []

    def _remove_entries(self) -> None:
        for entry in self.entries:
            entry.setParent(None)
            entry.deleteLater()
        self.entries = []

    def clear(self) -> None:
        self._remove_entries()
        self.status.setText(IDLE_TEXT)

    def set_busy(self) -> None:
        self.status.setText("正在查找以往来访……")

    def set_failed(self, text: str) -> None:
        self.status.setText(f"查找以往来访失败：{text}")

    def set_matches(self, matches: list[RepeatMatch]) -> None:
        """Show the matches as ranked by the core (best, then newest, first)."""
        self._remove_entries()
        if not matches:
            self.status.setText("未发现以往来访。")
            return
        self.status.setText(f"发现{len(matches)}件可能相关的以往事项，请核对："
                            if len(matches) > 1 else "发现1件可能相关的以往事项，请核对：")
        for match in matches:
            entry = HistoryEntry(match, self)
            self._list_layout.insertWidget(self._list_layout.count() - 1, entry)
            self.entries.append(entry)
