"""跟踪督办: the deadlines that need chasing, grouped by urgency, with 催办 / 记录反馈 at hand."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core.cases.followup import KIND_GROUPS, OVERDUE, SECTION_KEYS, SOON, BoardItem
from xinfang_desk.ui.followup.model import COLUMNS, FollowupModel
from xinfang_desk.ui.widgets.tasks import TaskRunner

ALL_KINDS = "全部期限"
COLUMN_WIDTHS = (170, 120, 90, 80, 260, 70, 150, 100, 90, 100)


class NoteDialog(QDialog):
    """A short note for a chase or a feedback record (how, whom, what the unit reported)."""

    def __init__(self, title: str, item: BoardItem, prompt: str, *, required: bool,
                 today: dt.date, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("followupNoteDialog")
        self.setMinimumWidth(460)
        self._required = required
        head = QLabel(f"<b>{item.case_no}</b>　{item.summary}<br>"
                      f"{item.label}：{item.due:%Y-%m-%d}　承办单位：{item.unit or '（本单位）'}")
        head.setWordWrap(True)
        self.note = QPlainTextEdit()
        self.note.setObjectName("noteEdit")
        self.note.setPlaceholderText(prompt)
        self.note.setTabChangesFocus(True)
        # The unit's answer may have come in days before it is entered: the date is editable.
        self.on = QDateEdit(QDate(today.year, today.month, today.day))
        self.on.setObjectName("noteDate")
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("yyyy-MM-dd")
        self.on.setMaximumDate(QDate(today.year, today.month, today.day))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.note.textChanged.connect(self._update_ok)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("日期：", self.on)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.note.setFocus()
        self._update_ok()

    def _update_ok(self) -> None:
        ok = not self._required or bool(self.note.toPlainText().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def text(self) -> str:
        return self.note.toPlainText().strip()

    def date(self) -> dt.date:
        return self.on.date().toPython()


class FollowupPage(QWidget):
    sig_open_case_requested = Signal(str)
    """The clerk wants to see a case in full (case number)."""
    sig_case_changed = Signal(str)
    """A chase or a feedback was recorded here for this case number."""
    sig_loaded = Signal()
    """A refresh has filled the board (also after a failed load)."""
    sig_reminder = Signal(str)
    """After the first load, when something is overdue or due soon: one line for the clerk."""

    def __init__(self, tasks: TaskRunner, today: dt.date | None = None, parent=None, *,
                 loads: TaskRunner | None = None):
        super().__init__(parent)
        self.setObjectName("followupPage")
        self._tasks = tasks
        # The board's load (about 1 s on 1,000,000 cases) may run on a read-only lane of its
        # own (MainWindow), so that it does not hold up the case list; chases and feedback
        # are writes and stay on `tasks`.
        self._loads = loads or tasks
        self._today = today
        self._board = None
        self._loading = False
        self._reload = False  # a refresh was asked for while one was running
        self._reminded = False

        self.summary = QLabel("正在读取……")
        self.summary.setObjectName("followupSummary")
        self.kind_filter = QComboBox()
        self.kind_filter.setObjectName("followupKindFilter")
        self.kind_filter.addItem(ALL_KINDS, "")
        for group in KIND_GROUPS:
            self.kind_filter.addItem(group, group)
        self.kind_filter.currentIndexChanged.connect(self._filter_changed)
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(QLabel("期限类型："))
        top.addWidget(self.kind_filter)
        top.addWidget(self.refresh_button)

        self.model = FollowupModel(self)
        self.tree = QTreeView()
        self.tree.setObjectName("followupTree")
        self.tree.setModel(self.model)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.doubleClicked.connect(self._double_clicked)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate(COLUMN_WIDTHS[:len(COLUMNS)]):
            self.tree.setColumnWidth(col, width)
        self.tree.selectionModel().currentRowChanged.connect(self._update_actions)

        self.chase_button = QPushButton("催办…")
        self.chase_button.setObjectName("chaseButton")
        self.chase_button.clicked.connect(lambda: self.chase_selected())
        self.feedback_button = QPushButton("记录反馈…")
        self.feedback_button.setObjectName("feedbackButton")
        self.feedback_button.clicked.connect(lambda: self.feedback_selected())
        self.open_button = QPushButton("打开案件")
        self.open_button.setObjectName("openCaseButton")
        self.open_button.clicked.connect(self.open_selected)
        self.hint = QLabel("")
        self.hint.setObjectName("followupHint")
        self.hint.setWordWrap(True)
        self.message = QLabel("")
        self.message.setObjectName("followupMessage")
        actions = QHBoxLayout()
        actions.addWidget(self.chase_button)
        actions.addWidget(self.feedback_button)
        actions.addWidget(self.open_button)
        actions.addWidget(self.hint, 1)
        actions.addWidget(self.message)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addLayout(actions)
        self._update_actions()

    # ------------------------------------------------------------------ loading

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    @property
    def loaded_once(self) -> bool:
        """A load has landed or is under way."""
        return self._board is not None or self._loading

    def showEvent(self, event):  # noqa: N802 - Qt API
        if not self.loaded_once:  # shown before the main window's delayed first load
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        if self._loading:
            self._reload = True  # coalesce: one more load after the running one
            return
        self._loading = True
        today = self.today()

        def load():
            from xinfang_desk.core.cases.followup import followup_board

            return followup_board(today=today)

        self._loads.run(load, self._show, self._load_failed)

    def _show(self, board) -> None:
        self._loading = False
        if self._reload:
            self._reload = False
            self.refresh()
            return
        self._board = board
        current = self.selected_item()
        self.model.set_board(board)
        self._after_reset(current.case_no if current else "")
        self.sig_loaded.emit()
        if not self._reminded:
            self._reminded = True
            from xinfang_desk.core.cases.followup import reminder_text

            text = reminder_text(board)
            if text:
                self.sig_reminder.emit(text)

    def _load_failed(self, exc) -> None:
        self._loading = False
        self.summary.setText(f"读取失败：{exc}")
        self.sig_loaded.emit()
        if self._reload:
            self._reload = False
            self.refresh()

    def _filter_changed(self) -> None:
        current = self.selected_item()
        self.model.set_group(self.kind_filter.currentData())
        self._after_reset(current.case_no if current else "")

    def _after_reset(self, keep_case_no: str) -> None:
        for row in range(self.model.rowCount()):
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self.tree.expandAll()
        self._show_summary()
        hits = self.model.find(keep_case_no) if keep_case_no else []
        if hits:
            self.tree.setCurrentIndex(hits[0])
        self._update_actions()

    def _show_summary(self) -> None:
        board = self._board
        if board is None:
            return
        counts = {k: self.model.section_count(k) for k in SECTION_KEYS}
        if not any(counts.values()):
            text = "暂无已超期或一周内到期的期限。"
        else:
            text = "，".join(f"{board.label(k)} {counts[k]} 项" for k in SECTION_KEYS) + "。"
        if counts[OVERDUE]:
            text = f"<span style='color:#c62828'><b>{text}</b></span>"
        elif counts[SOON]:
            text = f"<span style='color:#ef6c00'>{text}</span>"
        self.summary.setText(f"截至 {board.today:%Y年%m月%d日}：{text}")

    # ------------------------------------------------------------------ actions

    def selected_item(self) -> BoardItem | None:
        return self.model.item(self.tree.currentIndex())

    def select_case(self, case_no: str) -> bool:
        hits = self.model.find(case_no)
        if hits:
            self.tree.setCurrentIndex(hits[0])
        return bool(hits)

    def _update_actions(self, *_args) -> None:
        item = self.selected_item()
        self.open_button.setEnabled(item is not None)
        self.chase_button.setEnabled(item is not None and item.can_chase)
        self.feedback_button.setEnabled(item is not None and item.can_feedback)
        self.chase_button.setToolTip((item.chase_refusal or "") if item else "")
        self.feedback_button.setToolTip((item.feedback_refusal or "") if item else "")
        if item is None:
            self.hint.setText("选择一项期限后可催办、记录承办单位反馈或打开案件；双击打开案件。")
        elif not item.can_feedback and item.kind == "feedback":
            self.hint.setText(item.feedback_refusal or "")
        else:
            self.hint.setText("")

    def open_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            self.sig_open_case_requested.emit(item.case_no)

    def _double_clicked(self, index: QModelIndex) -> None:
        item = self.model.item(index)
        if item is not None:
            self.sig_open_case_requested.emit(item.case_no)

    def _context_menu(self, pos) -> None:
        item = self.model.item(self.tree.indexAt(pos))
        if item is None:
            return
        self.tree.setCurrentIndex(self.tree.indexAt(pos))
        menu = QMenu(self)
        for text, enabled, slot in (("催办…", item.can_chase, self.chase_selected),
                                    ("记录反馈…", item.can_feedback, self.feedback_selected),
                                    ("打开案件", True, self.open_selected)):
            action = QAction(text, menu)
            action.setEnabled(enabled)
            action.triggered.connect(lambda _=False, s=slot: s())
            menu.addAction(action)
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def _ask_note(self, title: str, item: BoardItem, prompt: str,
                  required: bool) -> tuple[str, dt.date] | None:
        dialog = NoteDialog(title, item, prompt, required=required, today=self.today(),
                            parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.text(), dialog.date()

    def chase_selected(self, note: str | None = None, on: dt.date | None = None) -> None:
        """Record a 催办 for the selected row; asks for the note unless one is given."""
        item = self.selected_item()
        if item is None or not item.can_chase:
            return
        if note is None:
            answer = self._ask_note("催办", item, "催办方式、对象及情况，如：电话催办，承办人李科长"
                                    "答复本周内办结", required=False)
            if answer is None:
                return
            note, on = answer
        on, case_no = on or self.today(), item.case_no

        def work():
            from xinfang_desk.core.cases.followup import record_chase

            record_chase(case_no, on, note)
            return case_no

        self._tasks.run(work, lambda c: self._recorded(c, "已记录催办"), self._action_failed)

    def feedback_selected(self, note: str | None = None, on: dt.date | None = None) -> None:
        """Record the handling unit's feedback for the selected row (note required)."""
        item = self.selected_item()
        if item is None or not item.can_feedback:
            return
        if note is None:
            answer = self._ask_note("记录承办单位反馈", item, "承办单位反馈的办理情况（办结报告要点）",
                                    required=True)
            if answer is None:
                return
            note, on = answer
        on, case_no = on or self.today(), item.case_no

        def work():
            from xinfang_desk.core.cases.followup import record_feedback

            record_feedback(case_no, on, note)
            return case_no

        self._tasks.run(work, lambda c: self._recorded(c, "已记录承办单位反馈"),
                        self._action_failed)

    def _recorded(self, case_no: str, what: str) -> None:
        self.message.setText(f"{case_no}：{what}。")
        self.sig_case_changed.emit(case_no)
        self.refresh()

    def _action_failed(self, exc) -> None:
        # Shown beside the buttons rather than in a modal box: the board stays usable.
        self.message.setText(f"<span style='color:#c62828'>未能保存：{exc}</span>")
