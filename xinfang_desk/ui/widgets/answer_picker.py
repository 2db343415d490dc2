"""答复口径 at the desk: the approved answers that fit the matter being typed, best first, and
a picker for the reply form. Choosing one fills the answer with the placeholders resolved.

The ranking and filling are the core's (core.answers.library); this module only asks on the worker
thread, debounced, and drops results of queries the clerk has typed past, so typing is never
blocked and an old result never overwrites a newer one.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.ui.widgets.tasks import TaskRunner

SUGGEST_DELAY_MS = 300
SUGGEST_LIMIT = 5
IDLE_TEXT = "填写事项摘要、诉求或选择涉及领域后，这里推荐适用的答复口径。"
NOTE_STYLE = ("background: #fff8e1; color: #7a4f01; border: 1px solid #ffe082;"
              " border-radius: 4px; padding: 4px 8px;")
SOURCE_STYLE = "color: #1b5e20;"
# A text still counts as taken from the answer while it keeps this much of the filled text
# (the clerk completes 【缺：…】 marks and adjusts wording; a rewrite is the clerk's own answer).
SAME_ANSWER_RATIO = 0.5
# Known only once the case is saved (the receipt shows them).
AFTER_SAVE = ("编号", "查询码")
PURPOSE_LABELS = {"on_spot": "当场答复", "reply": "书面答复"}

_MISSING = re.compile(r"【缺：([^】]+)】")
_UNKNOWN = re.compile(r"【未知：([^】]+)】")
_TO_WRITE = re.compile(r"【(请[^】]*)】")


# ---------------------------------------------------------------------- worker functions
# These run on the worker thread and return plain data.

def suggest_job(text: str, field: str, category: str):
    from xinfang_desk.core.answers import library as answers

    return answers.suggest(text, field=field, category=category, limit=SUGGEST_LIMIT)


def fill_for_intake(version_id: int, values: dict):
    """The version and its body filled from the intake form (`values`: values_for_intake's
    keyword arguments)."""
    from xinfang_desk.core.answers import library as answers

    version = answers.get_version(version_id)
    return version, answers.fill(version.body, answers.values_for_intake(**values))


def fill_for_case(case_no: str, version_id: int, today: dt.date | None = None):
    """The version and its body filled from a registered case."""
    from xinfang_desk.core.answers import library as answers

    version = answers.get_version(version_id)
    return version, answers.fill(version.body, answers.values_for_case(case_no, today=today))


def case_matter(case_no: str) -> tuple[str, str, str]:
    """(the matter's words, field path, category) of a case, for suggesting its answers."""
    from xinfang_desk.core.cases.records import get_visible_case
    from xinfang_desk.core.store.db import storage_errors

    with storage_errors():
        case = get_visible_case(case_no)
        text = " ".join(t for t in (case.summary, case.request) if t and t.strip())
        field = case.field.path if case.field_id else ""
        return text, field, case.category or ""


# ---------------------------------------------------------------------- plain helpers

def completion_note(text: str, *, intake: bool = False) -> str:
    """What the clerk still has to complete in an answer text, in Chinese, or "".

    Read from the visible marks themselves, so the note follows the clerk's edits."""
    missing = list(dict.fromkeys(_MISSING.findall(text)))
    unknown = list(dict.fromkeys(_UNKNOWN.findall(text)))
    to_write = list(dict.fromkeys(_TO_WRITE.findall(text)))
    parts = []
    later = [m for m in missing if m in AFTER_SAVE] if intake else []
    missing = [m for m in missing if m not in later]
    if missing:
        parts.append("以下内容需补充：" + "、".join(missing))
    if later:  # core.cases.records.register_case puts them in
        parts.append("、".join(later) + "在保存时自动填入")
    if unknown:
        parts.append("口径中有无法识别的占位符：" + "、".join(unknown) + "，请改写")
    if to_write:
        parts.append("请补写：" + "、".join(to_write))
    return "；".join(parts)


def still_from(filled: str, current: str) -> bool:
    """The current text still comes from the filled answer (edited, not replaced or cleared)."""
    current = current.strip()
    if not filled or not current:
        return False
    return difflib.SequenceMatcher(None, filled.strip(), current,
                                   autojunk=False).ratio() >= SAME_ANSWER_RATIO


def suggestion_text(rank: int, s) -> str:
    lines = [f"{rank}. {s.title}（第{s.version}版）"]
    if s.basis:
        lines.append(f"依据：{s.basis}")
    if s.reasons:
        lines.append("推荐理由：" + "；".join(s.reasons))
    return "\n".join(lines)


# ---------------------------------------------------------------------- the chosen answer

class AnswerUse(QWidget):
    """Shown under an answer text box: which approved answer it was filled from, and what the
    clerk still has to complete. The version counts (is recorded with the case) only while
    the text still comes from it: a cleared or rewritten answer is the clerk's own."""

    def __init__(self, box: QPlainTextEdit, *, intake: bool = False, verb: str = "保存",
                 parent=None):
        super().__init__(parent)
        self.setObjectName("answerUse")
        self._box, self._intake, self._verb = box, intake, verb
        self.chosen_id: int | None = None
        self.filled = ""
        self.label = ""
        self.source = QLabel("")
        self.source.setObjectName("answerSource")
        self.source.setWordWrap(True)
        self.source.hide()
        self.note = QLabel("")
        self.note.setObjectName("answerNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.source)
        layout.addWidget(self.note)
        box.textChanged.connect(self.refresh)

    def would_replace(self) -> bool:
        """The box holds text the clerk typed (not an earlier answer left as filled)."""
        typed = self._box.toPlainText().strip()
        return bool(typed) and typed != self.filled.strip()

    def fill(self, version, filled) -> None:
        """Put the filled answer (core.answers.library AnswerText, Filled) into the box."""
        self.chosen_id = version.version_id
        self.filled = filled.text
        basis = f"　依据：{version.basis}" if version.basis else ""
        self.label = f"选用口径：{version.title}（第{version.version}版）{basis}"
        self._box.setPlainText(filled.text)  # -> refresh

    def version_used(self) -> int | None:
        if self.chosen_id is None or not still_from(self.filled, self._box.toPlainText()):
            return None
        return self.chosen_id

    def forget(self) -> None:
        """No answer is chosen any more (the text, if any, stays the clerk's)."""
        self.chosen_id = None
        self.filled = self.label = ""
        self.refresh()

    def refresh(self) -> None:
        text = self._box.toPlainText()
        note = completion_note(text, intake=self._intake)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        if self.chosen_id is None:
            self.source.hide()
            return
        if still_from(self.filled, text):
            self.source.setText(self.label)
            self.source.setStyleSheet(SOURCE_STYLE)
        else:
            self.source.setText(f"答复内容已改写或清空，{self._verb}时不记为选用的答复口径。")
            self.source.setStyleSheet("color: #666;")
        self.source.show()

    def to_dict(self) -> dict:
        """For the intake's crash-safe draft."""
        return {"answer_version_id": self.chosen_id, "answer_filled": self.filled,
                "answer_label": self.label}

    def from_dict(self, d: dict) -> None:
        version_id = d.get("answer_version_id")
        if isinstance(version_id, int) and not isinstance(version_id, bool):
            self.chosen_id = version_id
            self.filled = str(d.get("answer_filled") or "")
            self.label = str(d.get("answer_label") or "")
        else:
            self.chosen_id, self.filled, self.label = None, "", ""
        self.refresh()


# ---------------------------------------------------------------------- the panel

class AnswerSuggestionsPanel(QGroupBox):
    """The fitting approved answers, best first; double-click or 选用 to choose one."""

    sig_chosen = Signal(object)
    """The clerk chose a suggestion (core.answers.library.Suggestion)."""
    sig_current_changed = Signal(object)
    """The highlighted suggestion changed (Suggestion or None)."""
    sig_updated = Signal()
    """New suggestions are shown (for tests and the picker)."""

    def __init__(self, tasks: TaskRunner, title: str = "答复口径", parent=None):
        super().__init__(title, parent)
        self.setObjectName("answerPanel")
        self._tasks = tasks
        self._seq = 0
        self._query: tuple[str, str, str] = ("", "", "")
        self.suggestions: list = []
        self._timer = QTimer(self, singleShot=True, interval=SUGGEST_DELAY_MS)
        self._timer.timeout.connect(self.run_now)

        self.status = QLabel(IDLE_TEXT)
        self.status.setObjectName("answerStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #555;")
        self.list = QListWidget()
        self.list.setObjectName("answerList")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setToolTip("双击或按“选用”把口径填入答复内容（占位符按本事项填写，可再修改）")
        # Double-click or Enter (activation; a double-click is not counted twice).
        self.list.itemActivated.connect(lambda _item: self.choose_current())
        self.list.currentRowChanged.connect(self._row_changed)
        self.use_button = QPushButton("选用(&Y)")
        self.use_button.setObjectName("useAnswer")
        self.use_button.setEnabled(False)
        self.use_button.setToolTip("把选中的口径填入答复内容（Alt+Y）")
        self.use_button.clicked.connect(self.choose_current)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.use_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

    # ------------------------------------------------------------------ querying

    def set_query(self, text: str, field: str = "", category: str = "", *,
                  immediate: bool = False) -> None:
        """The matter changed: ask again after a pause in typing (or now)."""
        query = (text.strip(), field.strip(), category.strip())
        if query == self._query and not immediate:
            return
        self._query = query
        if immediate:
            self.run_now()
        else:
            self._timer.start()

    def run_now(self) -> None:
        self._timer.stop()
        self._seq += 1
        seq = self._seq  # a result of an older query is dropped when it arrives
        text, field, category = self._query
        if not text and not field:
            self._show([], IDLE_TEXT)
            return
        self.status.setText("正在查找适用的答复口径……")

        def done(found):
            if seq == self._seq:
                self._show(found)

        def failed(exc):
            if seq == self._seq:
                self._show([], f"查找答复口径失败：{exc}")

        self._tasks.run_for([self], lambda: suggest_job(text, field, category), done, failed)

    def clear(self) -> None:
        self._timer.stop()
        self._seq += 1
        self._query = ("", "", "")
        self._show([], IDLE_TEXT)

    def _show(self, found: list, status: str | None = None) -> None:
        self.suggestions = list(found)
        self.list.clear()
        for rank, s in enumerate(self.suggestions, 1):
            item = QListWidgetItem(suggestion_text(rank, s))
            item.setToolTip(suggestion_text(rank, s))
            item.setData(Qt.ItemDataRole.UserRole, s.version_id)
            self.list.addItem(item)
        if status is None:
            status = (f"适用的答复口径{len(found)}条（最适用的在上）：" if found
                      else "没有找到适用的已审定口径，请按政策如实答复。")
        self.status.setText(status)
        if found:
            self.list.setCurrentRow(0)
        self.use_button.setEnabled(bool(found))
        self.sig_updated.emit()

    # ------------------------------------------------------------------ choosing

    def current(self):
        row = self.list.currentRow()
        return self.suggestions[row] if 0 <= row < len(self.suggestions) else None

    def _row_changed(self, _row: int) -> None:
        self.sig_current_changed.emit(self.current())

    def choose_current(self) -> None:
        chosen = self.current()
        if chosen is not None:
            self.sig_chosen.emit(chosen)

    def titles(self) -> list[str]:
        return [s.title for s in self.suggestions]


# ---------------------------------------------------------------------- the picker

class AnswerPicker(QDialog):
    """选用答复口径 for a registered case (the reply form): suggestions for the case's own
    matter, a keyword box to look further, and the chosen answer filled from the case."""

    sig_filled = Signal()
    """A preview was filled (for tests)."""

    def __init__(self, case_no: str, tasks: TaskRunner, *, today: dt.date | None = None,
                 parent=None):
        super().__init__(parent)
        self.setObjectName("answerPicker")
        self.setWindowTitle(f"选用答复口径 — {case_no}")
        self.resize(720, 520)
        self.case_no, self._tasks, self._today = case_no, tasks, today
        self._field = ""
        self._category = ""
        self._fill_seq = 0
        self.version = None   # the chosen AnswerText
        self.filled = None    # its core.answers.library.Filled

        self.query = QLineEdit()
        self.query.setObjectName("answerQuery")
        self.query.setPlaceholderText("输入关键词查找口径，如“复查”“期限”")
        self.query.setEnabled(False)
        self.query.textChanged.connect(self._query_changed)
        self.panel = AnswerSuggestionsPanel(tasks, "适用的答复口径")
        self.panel.status.setText("正在读取本事项……")
        self.panel.sig_current_changed.connect(self._preview)
        self.panel.sig_chosen.connect(lambda _s: self._accept_current())
        self.preview = QPlainTextEdit()
        self.preview.setObjectName("answerPreview")
        self.preview.setReadOnly(True)
        self.preview.setPlaceholderText("选中口径后，这里显示按本事项填写后的答复内容。")
        self.note = QLabel("")
        self.note.setObjectName("answerPickerNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.hide()

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel("填写后的答复内容（选用后仍可修改）："))
        right_layout.addWidget(self.preview, 1)
        right_layout.addWidget(self.note)
        body = QHBoxLayout()
        body.addWidget(self.panel, 1)
        body.addWidget(right, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("选用")
        self.ok_button.setObjectName("pickAnswer")
        self.ok_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self._accept_current)
        self.buttons.rejected.connect(self.reject)
        self.panel.use_button.hide()  # the dialog's own 选用 button does it

        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("查找"))
        row.addWidget(self.query, 1)
        layout.addLayout(row)
        layout.addLayout(body, 1)
        layout.addWidget(self.buttons)

        tasks.run_for([self], lambda: case_matter(case_no), self._matter_loaded,
                      self._matter_failed)

    def _matter_loaded(self, matter) -> None:
        text, self._field, self._category = matter
        self.query.blockSignals(True)
        self.query.setText(text)
        self.query.blockSignals(False)
        self.query.setEnabled(True)
        self.panel.set_query(text, self._field, self._category, immediate=True)

    def _matter_failed(self, exc) -> None:
        self.panel.status.setText(f"读取本事项失败：{exc}")

    def _query_changed(self, text: str) -> None:
        self.panel.set_query(text, self._field, self._category)

    def _preview(self, suggestion) -> None:
        self._fill_seq += 1
        seq = self._fill_seq
        self.version = self.filled = None
        self.ok_button.setEnabled(False)
        self.preview.clear()
        self.note.hide()
        if suggestion is None:
            return
        case_no, today, version_id = self.case_no, self._today, suggestion.version_id

        def done(result):
            if seq != self._fill_seq:
                return
            self.version, self.filled = result
            self.preview.setPlainText(self.filled.text)
            note = completion_note(self.filled.text)
            self.note.setText(note)
            self.note.setVisible(bool(note))
            self.ok_button.setEnabled(True)
            self.sig_filled.emit()

        def failed(exc):
            if seq == self._fill_seq:
                self.note.setText(f"无法填写该口径：{exc}")
                self.note.show()

        self._tasks.run_for([self], lambda: fill_for_case(case_no, version_id, today), done,
                            failed)

    def _accept_current(self) -> None:
        if self.filled is not None:
            self.accept()
