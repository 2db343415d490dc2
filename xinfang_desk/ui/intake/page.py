"""接待登记: the clerk's main screen. Keyboard-first intake form, the earlier visits of the
person or matter beside it, a crash-safe draft, the visitor's papers (files dropped onto the
form or taken from the scan folder: attachments_box) saved with the case; every database call
runs on the worker."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core.cases.records import CaseInput, Saved
from xinfang_desk.core.errors import (
    FieldError,
    StorageError,
    ValidationError,
    XinfangError,
)
from xinfang_desk.core.paths import DataDir
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.ui.intake.attachments_box import IntakeAttachmentsBox, take_scans
from xinfang_desk.ui.intake.history_panel import HistoryPanel
from xinfang_desk.ui.intake.petitioner_block import PetitionerBlock, error_label, show_message
from xinfang_desk.ui.widgets.answer_picker import AnswerSuggestionsPanel, AnswerUse, fill_for_intake
from xinfang_desk.ui.widgets.attachment_files import dropped_paths, has_files
from xinfang_desk.ui.widgets.documents_menu import DocumentOpener
from xinfang_desk.ui.widgets.tasks import TaskRunner

log = logging.getLogger(__name__)

HISTORY_DELAY_MS = 300
DRAFT_DELAY_MS = 1000
SUMMARY_MAX = 200
# Dispositions that forward the matter and need the receiving unit.
FORWARDING = ("转送", "交办")
# Dispositions where a reply date is agreed with the visitor (printed on the receipt).
WITH_PROMISE = ("受理", "转送", "交办")
PAGE_OF = {"": 0, "当场答复": 1, "受理": 2, "转送": 2, "交办": 2, "不予受理": 3, "引导": 4,
           "建议记录": 5}
BANNER_STYLE = ("background: #e8f5e9; color: #1b5e20; border: 1px solid #a5d6a7;"
                " border-radius: 4px; padding: 6px 10px; font-size: 12pt;")
MESSAGE_STYLE = ("background: #fdecea; color: #b71c1c; border: 1px solid #f5c6cb;"
                 " border-radius: 4px; padding: 6px 10px;")
WARNING_STYLE = ("background: #fff8e1; color: #7a4f01; border: 1px solid #ffe082;"
                 " border-radius: 4px; padding: 6px 10px;")
NOTICE_STYLE = ("background: #e3f2fd; color: #0d47a1; border: 1px solid #90caf9;"
                " border-radius: 4px; padding: 6px 10px;")


# ---------------------------------------------------------------------- worker functions
# These run on the worker thread and return plain data.

def _load_choices():
    from xinfang_desk.core.intake.desk import intake_choices

    return intake_choices()


def _find_repeats(query: dict):
    from xinfang_desk.core.cases.repeats import find_repeats

    return find_repeats(**query, limit=10)


def _save_job(data: CaseInput, version_id, today, attachments, scans, data_dir) -> Saved:
    """Save the intake with its attachments (one transaction), then move the attached scans
    out of the scan folder; a scan that cannot be moved is a warning, the case is saved."""
    import dataclasses

    from xinfang_desk.core.intake.desk import save_intake

    saved = save_intake(data, answer_version_id=version_id, today=today,
                        attachments=attachments)
    problems = take_scans(data_dir, scans) if scans else []
    if problems:
        saved = dataclasses.replace(saved, warnings=(*saved.warnings, *problems))
    return saved


def _to_date(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


def _to_qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


class _TextBox(QPlainTextEdit):
    """Multi-line text whose preferred height is its minimum: the form sits in a scroll
    area, which treats preferred heights as minimums, and the stock hint (~190 px) would
    push the disposition block off a 1280×800 screen. Spare height still goes to the box."""

    def sizeHint(self):  # noqa: N802 - Qt API
        hint = super().sizeHint()
        hint.setHeight(self.minimumHeight())
        return hint


def _plain_edit(name: str, placeholder: str, min_height: int, max_height: int) -> QPlainTextEdit:
    """Multi-line text: long accounts scroll inside the box, nothing is cut off."""
    edit = _TextBox()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)  # Tab leaves the box; the keyboard walk must not get stuck
    edit.setMinimumHeight(min_height)
    edit.setMaximumHeight(max_height)
    return edit


def _combo(name: str, items=()) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.addItems(list(items))
    return combo


def _set_combo_items(combo: QComboBox, items: list[str]) -> None:
    """Replace the items, keeping the current choice if it is still offered."""
    current = combo.currentText()
    combo.blockSignals(True)
    combo.clear()
    combo.addItems(items)
    if combo.isEditable():
        combo.setEditText(current)
    elif current in items:
        combo.setCurrentText(current)
    combo.blockSignals(False)


def _boxed(widget: QWidget, error: QLabel) -> QWidget:
    """A field with its error message underneath (hidden while there is none)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(1)
    layout.addWidget(widget)
    layout.addWidget(error)
    return box


class IntakePage(QWidget):
    sig_case_saved = Signal(str)
    """A new case was saved, or a repeat visit recorded on one (case_no)."""
    sig_open_case_requested = Signal(str)
    """The clerk asked to open an earlier case from the history panel (case_no)."""

    def __init__(self, tasks: TaskRunner, data_dir: DataDir, today: dt.date | None = None,
                 parent=None):
        super().__init__(parent)
        self.setObjectName("intakePage")
        self._tasks = tasks
        self._data_dir = data_dir
        self._today = today
        self._field_units: dict[str, str] = {}
        self._errors: dict[str, tuple[QLabel, QWidget]] = {}
        self._quiet = 0  # >0 while the form is filled by code: no draft, no history lookup
        self._history_seq = 0
        self._promise_seq = 0
        self._ready = False
        self._draft_checked = False
        self._saving = False
        self._unit_auto = True  # the unit follows the field until the clerk picks one
        self._promise_auto = True  # the promised date follows the rules until edited
        self._answer_seq = 0  # 答复口径: only the latest choice fills the answer box

        self._history_timer = QTimer(self, singleShot=True, interval=HISTORY_DELAY_MS)
        self._history_timer.timeout.connect(self._query_history)
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self._save_draft_now)

        self._build()
        self._connect()
        self._set_tab_order()
        self.clear_form()
        self.refresh()

    # ================================================================== building

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def _build(self) -> None:
        self.banner = QLabel()
        self.banner.setObjectName("savedBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()
        # --- 文书 (printing): 打印回执 beside the saved banner, for the case just saved ---
        self.printed_case_no = ""
        self.print_receipt_button = QPushButton("打印回执")
        self.print_receipt_button.setObjectName("printReceiptButton")
        self.print_receipt_button.setToolTip("预览并打印刚保存事项的回执")
        self.print_receipt_button.clicked.connect(self.print_receipt)
        self.print_receipt_button.hide()
        self.documents = DocumentOpener(self._tasks, self, today=self._today)
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.banner, 1)
        banner_row.addWidget(self.print_receipt_button)
        self.message = QLabel()
        self.message.setObjectName("messageArea")
        self.message.setWordWrap(True)
        self.message.hide()
        self.notice = QLabel()
        self.notice.setObjectName("draftNotice")
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.notice.hide()

        self.petitioners = PetitionerBlock(self._today)
        matter = self._build_matter()
        disposition = self._build_disposition()
        # 附件: dropped files, 添加附件…, the scan folder's new scans; saved with the case.
        self.attachments = IntakeAttachmentsBox(self._tasks, self._data_dir)
        self.setAcceptDrops(True)  # files dropped anywhere on the page join the attachments

        form = QWidget()
        form.setObjectName("intakeForm")
        form_layout = QVBoxLayout(form)
        form_layout.setContentsMargins(0, 0, 6, 0)
        form_layout.addWidget(self.petitioners)
        form_layout.addWidget(matter)
        form_layout.addWidget(disposition)
        form_layout.addWidget(self.attachments)
        form_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("intakeScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(form)

        self.history = HistoryPanel()
        # 答复口径: the approved answers that fit the matter, below the earlier visits.
        self.answers = AnswerSuggestionsPanel(self._tasks)
        side = QSplitter(Qt.Orientation.Vertical)
        side.setObjectName("intakeSide")
        side.setChildrenCollapsible(False)
        side.addWidget(self.history)
        side.addWidget(self.answers)
        side.setMinimumWidth(330)
        side.setMaximumWidth(400)

        body = QHBoxLayout()
        body.addWidget(scroll, 1)
        body.addWidget(side)

        hint = QLabel("Enter 下一项 · Tab 切换 · Ctrl+S 保存 · Ctrl+N 新登记 · Alt+Y 选用口径")
        hint.setStyleSheet("color: #666;")
        self.new_button = QPushButton("新登记 (Ctrl+N)")
        self.new_button.setObjectName("newButton")
        self.new_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.save_button = QPushButton("保存登记 (Ctrl+S)")
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.setMinimumWidth(160)
        self.save_button.setStyleSheet("font-weight: bold; padding: 4px 14px;")
        bottom = QHBoxLayout()
        bottom.addWidget(hint)
        bottom.addStretch(1)
        bottom.addWidget(self.new_button)
        bottom.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(banner_row)
        layout.addWidget(self.notice)
        layout.addWidget(self.message)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)

        QShortcut(QKeySequence("Ctrl+S"), self, self.save,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_intake,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _err(self, key: str, name: str, widget: QWidget) -> QWidget:
        """Register where the core's FieldError `key` is shown; returns the boxed field."""
        label = error_label(name)
        self._errors[key] = (label, widget)
        return _boxed(widget, label)

    def _build_matter(self) -> QGroupBox:
        self.received_on = QDateEdit()
        self.received_on.setObjectName("receivedOn")
        self.received_on.setCalendarPopup(True)
        self.received_on.setDisplayFormat("yyyy-MM-dd")
        self.received_on.setMaximumDate(_to_qdate(self.today()))
        self.channel = _combo("channel", v.CHANNELS)
        self.channel_ref = QLineEdit()
        self.channel_ref.setObjectName("channelRef")
        self.channel_ref.setPlaceholderText("如 某信转〔2026〕5号")
        self.channel_ref.setMaxLength(100)
        self.channel_ref_box = QWidget()
        ref_layout = QHBoxLayout(self.channel_ref_box)
        ref_layout.setContentsMargins(0, 0, 0, 0)
        ref_layout.addWidget(QLabel("来文号"))
        ref_layout.addWidget(self.channel_ref, 1)
        self.category = _combo("category", ["", *v.CATEGORIES])
        self.field = QComboBox()
        self.field.setObjectName("field")
        self.field.setEditable(True)
        self.field.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.field.lineEdit().setPlaceholderText("输入关键字筛选，如“工资”")
        completer = QCompleter(self.field.model(), self.field)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.field.setCompleter(completer)
        self.summary = QLineEdit()
        self.summary.setObjectName("summary")
        self.summary.setMaxLength(SUMMARY_MAX)
        self.summary.setPlaceholderText(f"一句话概括所反映的事项（{SUMMARY_MAX}字以内）")
        self.request = _plain_edit("request", "信访人的请求，尽量用信访人自己的话（第十九条）", 52, 90)
        self.facts = _plain_edit("facts", "事实经过：时间、地点、人物、经过", 90, 220)
        self.reasons = _plain_edit("reasons", "信访人陈述的理由、依据", 90, 220)

        box = QGroupBox("信访事项")
        box.setObjectName("matterBlock")
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        grid.addWidget(QLabel("收到日期"), 0, 0)
        grid.addWidget(self._err("收到日期", "receivedOnError", self.received_on), 0, 1)
        grid.addWidget(QLabel("信访形式"), 0, 2)
        grid.addWidget(self._err("信访形式", "channelError", self.channel), 0, 3)
        grid.addWidget(self.channel_ref_box, 0, 4, 1, 2)
        grid.addWidget(QLabel("信访类别"), 1, 0)
        grid.addWidget(self._err("信访类别", "categoryError", self.category), 1, 1)
        grid.addWidget(QLabel("涉及领域"), 1, 2)
        grid.addWidget(self._err("涉及领域", "fieldError", self.field), 1, 3, 1, 3)
        grid.addWidget(QLabel("事项摘要"), 2, 0)
        grid.addWidget(self._err("事项摘要", "summaryError", self.summary), 2, 1, 1, 5)
        grid.addWidget(QLabel("诉求"), 3, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self._err("诉求", "requestError", self.request), 3, 1, 1, 5)
        texts = QHBoxLayout()
        for title, key, name, edit in (("事实", "事实", "factsError", self.facts),
                                       ("理由", "理由", "reasonsError", self.reasons)):
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(QLabel(title))
            column.addWidget(self._err(key, name, edit))
            texts.addLayout(column)
        grid.addLayout(texts, 4, 0, 1, 6)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 2)
        grid.setColumnStretch(5, 3)
        return box

    def _build_disposition(self) -> QGroupBox:
        self.disposition = _combo("disposition", ["", *v.DISPOSITIONS])
        self.stack = QStackedWidget()
        self.stack.setObjectName("dispositionStack")

        hint = QLabel("请选择处理方式。")
        hint.setStyleSheet("color: #666;")
        hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.stack.addWidget(hint)  # 0: nothing chosen yet

        self.answer = _plain_edit("answerGiven", "当场答复的内容（宜引用统一口径及政策依据）", 52, 110)
        self.answer_use = AnswerUse(self.answer, intake=True)  # the chosen 答复口径, gaps
        answer_page = QWidget()
        answer_layout = QVBoxLayout(answer_page)
        answer_layout.setContentsMargins(0, 0, 0, 0)
        answer_layout.setSpacing(2)
        answer_layout.addWidget(self._err("答复内容", "answerError", self.answer))
        answer_layout.addWidget(self.answer_use)
        answer_layout.addStretch(1)
        self.stack.addWidget(answer_page)  # 1

        self.unit = _combo("unit")
        self.promised = QDateEdit()
        self.promised.setObjectName("promisedReply")
        self.promised.setCalendarPopup(True)
        self.promised.setDisplayFormat("yyyy-MM-dd")
        self.promised.setToolTip("与信访人约定的答复日期，将打印在回执上；默认按法定期限计算")
        route = QWidget()
        route_grid = QGridLayout(route)
        route_grid.setContentsMargins(0, 0, 0, 0)
        self.unit_label = QLabel("承办单位")
        route_grid.addWidget(self.unit_label, 0, 0)
        self.unit_box = self._err("承办单位", "unitError", self.unit)
        route_grid.addWidget(self.unit_box, 0, 1)
        route_grid.addWidget(QLabel("约定答复日期"), 1, 0)
        promised_row = QHBoxLayout()
        promised_row.addWidget(self._err("约定答复日期", "promisedError", self.promised))
        self.promise_hint = QLabel("")
        self.promise_hint.setObjectName("promiseHint")
        self.promise_hint.setStyleSheet("color: #666;")
        promised_row.addWidget(self.promise_hint, 1)
        route_grid.addLayout(promised_row, 1, 1)
        route_grid.setColumnStretch(1, 1)
        route_grid.setRowStretch(2, 1)  # rows stay at the top of the (taller) stack
        self.stack.addWidget(route)  # 2

        self.reject_reason = _plain_edit("rejectReason", "不予受理的理由及依据", 44, 90)
        self.approach = QLineEdit()
        self.approach.setObjectName("approachBody")
        self.approach.setPlaceholderText("应向哪个机关或通过何种途径反映")
        reject = QWidget()
        reject_grid = QGridLayout(reject)
        reject_grid.setContentsMargins(0, 0, 0, 0)
        reject_grid.addWidget(QLabel("理由"), 0, 0, Qt.AlignmentFlag.AlignTop)
        reject_grid.addWidget(self._err("不予受理理由", "rejectError", self.reject_reason), 0, 1)
        reject_grid.addWidget(QLabel("告知途径"), 1, 0)
        self.approach_box = _boxed(self.approach, error_label("approachError"))
        reject_grid.addWidget(self.approach_box, 1, 1)
        reject_grid.setRowStretch(2, 1)
        self.stack.addWidget(reject)  # 3

        self.guide = QLineEdit()
        self.guide.setObjectName("guideBody")
        self.guide.setPlaceholderText("引导至：如 向人民法院起诉、申请劳动仲裁、申请行政复议")
        guide = QWidget()
        guide_grid = QGridLayout(guide)
        guide_grid.setContentsMargins(0, 0, 0, 0)
        guide_grid.addWidget(QLabel("告知途径"), 0, 0)
        self.guide_box = _boxed(self.guide, error_label("guideError"))
        guide_grid.addWidget(self.guide_box, 0, 1)
        guide_grid.setRowStretch(1, 1)
        self.stack.addWidget(guide)  # 4

        note = QLabel("建议意见登记后进入办理，研究后须将采纳情况告知信访人（第二十九条）。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #666;")
        note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.stack.addWidget(note)  # 5

        box = QGroupBox("处理方式")
        box.setObjectName("dispositionBlock")
        layout = QHBoxLayout(box)
        self.disposition.setMinimumContentsLength(5)
        left = QVBoxLayout()
        left.addWidget(self._err("处理方式", "dispositionError", self.disposition))
        left.addStretch(1)
        layout.addLayout(left)
        layout.addWidget(self.stack, 1)
        return box

    def _connect(self) -> None:
        p = self.petitioners
        p.sig_changed.connect(self._form_changed)
        p.sig_identity_changed.connect(self._identity_changed)
        p.sig_rows_changed.connect(self._set_tab_order)
        for edit in (self.summary, self.channel_ref, self.approach, self.guide):
            edit.textChanged.connect(self._form_changed)
        for edit in (self.request, self.facts, self.reasons, self.answer, self.reject_reason):
            edit.textChanged.connect(self._form_changed)
        for edit in (self.summary, self.request, self.facts):
            edit.textChanged.connect(self._identity_changed)
            edit.textChanged.connect(self._matter_changed)
        for combo in (self.channel, self.category, self.unit):
            combo.currentTextChanged.connect(self._form_changed)
        self.field.currentTextChanged.connect(self._field_changed)
        self.field.currentTextChanged.connect(self._matter_changed)
        self.category.currentTextChanged.connect(self._matter_changed)
        self.answers.sig_chosen.connect(self.use_answer)
        self.unit.activated.connect(self._unit_picked)
        self.channel.currentTextChanged.connect(self._channel_changed)
        self.disposition.currentTextChanged.connect(self._disposition_changed)
        self.received_on.dateChanged.connect(self._received_changed)
        self.promised.dateChanged.connect(self._promised_edited)
        # A stale error goes away as soon as the clerk corrects the field.
        for label, widget in self._errors.values():
            if isinstance(widget, QComboBox):
                widget.currentTextChanged.connect(label.hide)
            elif isinstance(widget, QDateEdit):
                widget.dateChanged.connect(label.hide)
            else:  # QLineEdit, QPlainTextEdit
                widget.textChanged.connect(label.hide)
        for edit, box in ((self.approach, self.approach_box), (self.guide, self.guide_box)):
            edit.textChanged.connect(box.findChild(QLabel).hide)
        self.save_button.clicked.connect(self.save)
        self.new_button.clicked.connect(self.new_intake)
        self.history.sig_open_requested.connect(self.sig_open_case_requested)
        self.history.sig_repeat_requested.connect(self._record_repeat)

    def _focus_chain(self) -> list[QWidget]:
        return [*self.petitioners.focus_chain(), self.received_on, self.channel,
                self.channel_ref, self.category, self.field, self.summary, self.request,
                self.facts, self.reasons, self.disposition, self.answer, self.unit,
                self.promised, self.reject_reason, self.approach, self.guide, self.save_button]

    def _set_tab_order(self) -> None:
        chain = self._focus_chain()
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self._install_enter_filter(chain)

    def _install_enter_filter(self, widgets) -> None:
        for widget in widgets:
            if isinstance(widget, QLineEdit | QComboBox | QAbstractSpinBox | QCheckBox):
                widget.removeEventFilter(self)  # idempotent: rows are re-chained on change
                widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # Enter moves on in single-line fields, as clerks used to paper-like forms expect;
        # multi-line text keeps Enter for new lines.
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return,
                                                                    Qt.Key.Key_Enter):
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            popup_open = isinstance(obj, QComboBox) and obj.view().isVisible()
            if mods == Qt.KeyboardModifier.NoModifier and not popup_open:
                self.focusNextPrevChild(True)
                return True
        return super().eventFilter(obj, event)

    # ================================================================== pick lists

    def refresh(self) -> None:
        """Reload units, fields and settings (after the settings page changed them)."""
        self._tasks.run(_load_choices, self._choices_loaded, self._load_failed)

    def is_ready(self) -> bool:
        """The pick lists are loaded and a saved draft (if any) has been restored."""
        return self._ready

    def _choices_loaded(self, choices) -> None:
        self._quiet += 1
        try:
            self._field_units = dict(choices.field_paths)
            _set_combo_items(self.field, ["", *self._field_units])
            _set_combo_items(self.unit, ["", *choices.units])
            self.petitioners.set_group_threshold(choices.group_threshold)
        finally:
            self._quiet -= 1
        if not self._draft_checked:
            self._draft_checked = True
            self._tasks.run(self._load_draft_job(), self._draft_loaded, self._draft_failed)
        else:
            self._ready = True

    def _load_failed(self, exc: Exception) -> None:
        self._show_message(f"读取登记选项失败：{exc}")
        self._ready = True

    # ================================================================== reactions

    def _form_changed(self) -> None:
        if self._quiet:
            return
        self._draft_timer.start()

    def _identity_changed(self) -> None:
        if self._quiet:
            return
        self._history_timer.start()

    def _channel_changed(self, channel: str) -> None:
        self.channel_ref_box.setVisible(channel in v.FORWARDED_TO_US)

    def _field_changed(self, path: str) -> None:
        default = self._field_units.get(path.strip(), "")
        if default and (self._unit_auto or not self.unit.currentText()):
            self.unit.setCurrentText(default)
            self._unit_auto = True
        self._form_changed()

    def _unit_picked(self, _index: int) -> None:
        self._unit_auto = False

    def _disposition_changed(self, disposition: str) -> None:
        self.stack.setCurrentIndex(PAGE_OF.get(disposition, 0))
        forwarding = disposition in FORWARDING
        self.unit_label.setVisible(forwarding)
        self.unit_box.setVisible(forwarding)
        self._suggest_promise()
        self._form_changed()

    def _received_changed(self, date: QDate) -> None:
        self.promised.setMinimumDate(date)
        self._suggest_promise()
        self._form_changed()

    def _promised_edited(self) -> None:
        if not self._quiet:
            self._promise_auto = False
            self.promise_hint.setText("（已手动调整）")
            self._form_changed()

    def _suggest_promise(self) -> None:
        disposition = self.disposition.currentText()
        if disposition not in WITH_PROMISE or not self._promise_auto:
            return
        from xinfang_desk.core.intake.desk import suggest_promised_reply

        received = _to_date(self.received_on.date())
        self._promise_seq += 1
        seq = self._promise_seq

        def done(date):
            if seq != self._promise_seq or date is None or not self._promise_auto:
                return
            self._quiet += 1
            try:
                self.promised.setDate(_to_qdate(date))
            finally:
                self._quiet -= 1
            self.promise_hint.setText("（按法定期限）")

        self._tasks.run(lambda: suggest_promised_reply(received, disposition), done,
                        lambda exc: log.warning("promised date not suggested: %s", exc))

    # ================================================================== history

    def _history_query(self) -> dict:
        row = self.petitioners.primary
        text = " ".join(t for t in (self.summary.text(), self.request.toPlainText(),
                                    self.facts.toPlainText()) if t.strip())
        return {"id_number": row.id_for_search().strip(), "phone": row.phone.text().strip(),
                "name": row.name.text().strip(), "address": row.address.text().strip(),
                "text": text}

    def _query_history(self) -> None:
        query = self._history_query()
        self._history_seq += 1
        seq = self._history_seq  # results of older lookups are dropped when they arrive
        if not any(query.values()):
            self.history.clear()
            return
        self.history.set_busy()

        def done(matches):
            if seq == self._history_seq:
                self.history.set_matches(matches)

        def failed(exc):
            if seq == self._history_seq:
                self.history.set_failed(str(exc))

        self._tasks.run(lambda: _find_repeats(query), done, failed)

    def _record_repeat(self, case_no: str) -> None:
        if not self._confirm("记为重复来访",
                             f"本次来访将记为 {case_no} 的重复来访，不另行登记新事项。\n确定吗？"):
            return
        from xinfang_desk.core.intake.desk import record_repeat_visit

        on = _to_date(self.received_on.date())
        words = self.summary.text().strip() or self.request.toPlainText().strip()
        note = f"再次来访：{words}" if words else "再次来访"
        self._tasks.run(lambda: record_repeat_visit(case_no, on, note),
                        lambda _status: self._repeat_done(case_no), self._action_failed)

    def _repeat_done(self, case_no: str) -> None:
        self._finish(f"已记录为{case_no}的重复来访")
        self.sig_case_saved.emit(case_no)

    # ================================================================== 答复口径

    def _matter_changed(self) -> None:
        if not self._quiet:
            self._query_answers()

    def _query_answers(self, immediate: bool = False) -> None:
        """Ask for the fitting answers (debounced by the panel, on the worker)."""
        text = " ".join(t for t in (self.summary.text(), self.request.toPlainText(),
                                    self.facts.toPlainText()) if t.strip())
        self.answers.set_query(text, self.field.currentText(), self.category.currentText(),
                               immediate=immediate)

    def use_answer(self, suggestion) -> None:
        """选用: fill the 当场答复 box from the chosen answer, placeholders resolved from the
        form. A blank disposition becomes 当场答复 (choosing an answer is that decision);
        another disposition is changed only if the clerk agrees (受理/转送 start other
        procedures); text the clerk typed is replaced only if the clerk agrees."""
        current = self.disposition.currentText()
        if current not in ("", "当场答复") and not self._confirm(
                "选用答复口径", f"选用答复口径将把处理方式由“{current}”改为“当场答复”。\n确定吗？"):
            return
        if self.answer_use.would_replace() and not self._confirm(
                "选用答复口径", "答复内容中已有文字，用所选口径替换吗？"):
            return
        pets = self.petitioners.inputs()
        names = [p.name for p in pets if p.is_representative] or [p.name for p in pets]
        values = {"names": names, "summary": self.summary.text().strip(),
                  "received_on": _to_date(self.received_on.date()), "unit": "",
                  "promised_reply_on": None, "today": self.today(),
                  "people_count": self.petitioners.people.value()}
        self._answer_seq += 1
        seq = self._answer_seq
        version_id = suggestion.version_id

        def done(result):
            if seq == self._answer_seq:
                self._answer_filled_in(*result)

        self._tasks.run_for([self], lambda: fill_for_intake(version_id, values), done,
                            self._action_failed)

    def _answer_filled_in(self, version, filled) -> None:
        if self.disposition.currentText() != "当场答复":
            self.disposition.setCurrentText("当场答复")
        self.answer_use.fill(version, filled)
        self.answer.setFocus()  # the clerk completes the marked gaps next

    def answer_version_used(self) -> int | None:
        """The answer version to record with the case: only for 当场答复, and only while the
        text still comes from it (a cleared or rewritten answer is the clerk's own)."""
        if self.disposition.currentText() != "当场答复":
            return None
        return self.answer_use.version_used()

    # ================================================================== saving

    def collect(self) -> CaseInput:
        """The form as the core's CaseInput (built on the GUI thread, saved on the worker)."""
        d = self.disposition.currentText()
        channel = self.channel.currentText()
        return CaseInput(
            received_on=_to_date(self.received_on.date()),
            channel=channel,
            channel_ref=self.channel_ref.text().strip() if channel in v.FORWARDED_TO_US else "",
            category=self.category.currentText(),
            field=self.field.currentText().strip(),
            summary=self.summary.text().strip(),
            request=self.request.toPlainText().strip(),
            facts=self.facts.toPlainText().strip(),
            reasons=self.reasons.toPlainText().strip(),
            petitioners=self.petitioners.inputs(),
            people_count=self.petitioners.people.value(),
            reps_present=self.petitioners.reps.value(),
            disposition=d,
            unit=self.unit.currentText().strip() if d in FORWARDING else "",
            answer_given=self.answer.toPlainText().strip() if d == "当场答复" else "",
            reject_reason=self.reject_reason.toPlainText().strip() if d == "不予受理" else "",
            approach_body={"不予受理": self.approach.text(),
                           "引导": self.guide.text()}.get(d, "").strip(),
            # Untouched by the clerk: None, and the core fills in the statutory date (the
            # suggestion may not have arrived yet if the clerk saves quickly).
            promised_reply_on=(_to_date(self.promised.date())
                               if d in WITH_PROMISE and not self._promise_auto else None),
        )

    def save(self) -> None:
        if self._saving:
            return  # a second Ctrl+S while saving must not register the visitor twice
        if self.attachments.is_busy():
            self._show_message("正在读取附件，请稍候再保存。", WARNING_STYLE)
            return
        self._clear_errors()
        data = self.collect()
        version_id = self.answer_version_used()
        today = self.today()
        files, scans = self.attachments.to_save(), self.attachments.scan_paths()
        data_dir = self._data_dir

        self._saving = True
        self.save_button.setEnabled(False)
        self._tasks.run(lambda: _save_job(data, version_id, today, files, scans, data_dir),
                        self._saved, self._save_failed)

    def _saved(self, saved: Saved) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        status = v.STATUS_LABELS.get(saved.status, saved.status)
        self._finish(f"已保存：{saved.case_no}　查询码 {saved.query_code}　（{status}）")
        self.printed_case_no = saved.case_no  # 文书: 打印回执 for this case
        self.print_receipt_button.show()
        if saved.warnings:
            self._show_message("提示：" + "；".join(saved.warnings), WARNING_STYLE)
        self.sig_case_saved.emit(saved.case_no)

    def _save_failed(self, exc: Exception) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        if self.answer_use.chosen_id is not None and "答复口径" in str(exc):
            # The chosen answer was re-approved or retired meanwhile: keep the text, drop the
            # version, let the clerk check and save again (or choose the answer anew).
            self.answer_use.forget()
            self._show_message(f"{exc}。答复内容已保留，本次不记录口径版本；请核对后再次保存，"
                               "或重新选用口径。", WARNING_STYLE)
        elif isinstance(exc, ValidationError):
            self._show_field_errors(exc.errors)
        elif isinstance(exc, FieldError):
            self._show_field_errors([exc])
        else:
            if any(f"“{name}”" in str(exc) for name in self.attachments.names()):
                self.attachments.show_message(f"未能保存：{exc}")  # beside the files too
            self._action_failed(exc)

    def _action_failed(self, exc: Exception) -> None:
        if isinstance(exc, StorageError):
            self._alert("无法保存", str(exc))
        elif isinstance(exc, XinfangError):
            self._show_message(str(exc))
        else:
            log.error("intake action failed: %r", exc)
            self._show_message(f"操作失败（程序错误）：{exc}。已填写的内容仍保留。")

    def _finish(self, banner: str) -> None:
        """After a save: confirm, clear for the next visitor, drop the draft."""
        self.print_receipt_button.hide()
        self.banner.setText(banner)
        self.banner.show()
        self.notice.hide()
        self.clear_form()
        self._run_draft_job("clear")
        self.petitioners.primary.name.setFocus()

    def _clear_errors(self) -> None:
        self.message.hide()
        for label, _widget in (*self._errors.values(),
                               *self.petitioners.error_targets().values()):
            if not label.objectName().startswith("idInfo"):
                label.hide()
        for box in (self.approach_box, self.guide_box):
            box.findChild(QLabel).hide()

    def _error_targets(self) -> dict[str, tuple[QLabel, QWidget]]:
        targets = dict(self._errors)
        targets.update(self.petitioners.error_targets())
        box = {"不予受理": self.approach_box, "引导": self.guide_box}.get(
            self.disposition.currentText())
        if box is not None:
            targets["应向何处反映"] = (box.findChild(QLabel), box.findChild(QLineEdit))
        return targets

    def _show_field_errors(self, errors: list[FieldError]) -> None:
        targets = self._error_targets()
        unmapped: list[str] = []
        first: QWidget | None = None
        for error in errors:
            target = targets.get(error.field)
            if target is None:
                unmapped.append(str(error))
                continue
            label, widget = target
            reason = error.reason
            if isinstance(widget, QComboBox) and reason.startswith("“”"):
                reason = "请选择"  # the core quotes the empty value, which reads oddly
            show_message(label, reason)
            first = first or widget
        if unmapped:
            self._show_message("未能保存：" + "；".join(unmapped))
        else:
            self._show_message(f"未能保存：有{len(errors)}处需要修改，见各栏下方的红字。")
        if first is not None:
            first.setFocus()

    def _show_message(self, text: str, style: str = MESSAGE_STYLE) -> None:
        self.message.setStyleSheet(style)
        self.message.setText(text)
        self.message.show()

    # Dialogs are methods so that tests (and later a kiosk mode) can replace them.
    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _alert(self, title: str, text: str) -> None:
        QMessageBox.critical(self, title, text)

    def print_receipt(self) -> None:
        """文书: build the receipt of the case just saved (worker) and open its preview."""
        if self.printed_case_no:
            self.documents.open(self.printed_case_no, "receipt")

    # ================================================================== clearing

    def new_intake(self) -> None:
        """Ctrl+N: an empty form for the next visitor (asks first if something is typed)."""
        if not self.is_blank() and not self._confirm("新登记", "清空当前填写的内容，登记下一位来访人？"):
            return
        self.banner.hide()
        self.print_receipt_button.hide()
        self.notice.hide()
        self.message.hide()
        self.clear_form()
        self._run_draft_job("clear")
        self.petitioners.primary.name.setFocus()

    def clear_form(self) -> None:
        self._quiet += 1
        try:
            self._draft_timer.stop()
            self._history_timer.stop()
            self._history_seq += 1
            self.petitioners.clear()
            self.received_on.setDate(_to_qdate(self.today()))
            self.channel.setCurrentText("来访")
            self.channel_ref.clear()
            self.category.setCurrentIndex(0)
            self.field.setCurrentIndex(0)
            self.field.setEditText("")
            for edit in (self.summary, self.approach, self.guide):
                edit.clear()
            for edit in (self.request, self.facts, self.reasons, self.answer, self.reject_reason):
                edit.clear()
            self.disposition.setCurrentIndex(0)
            self.unit.setCurrentIndex(0)
            self._unit_auto = True
            self._promise_auto = True
            self.promise_hint.setText("")
            self.promised.setDate(_to_qdate(self.today()))
            self._clear_errors()
            self.message.hide()
            self.history.clear()
            self.answers.clear()
            self.attachments.clear()
            self._answer_seq += 1
            self.answer_use.forget()
            self._channel_changed(self.channel.currentText())
            self._disposition_changed(self.disposition.currentText())
        finally:
            self._quiet -= 1

    def is_blank(self) -> bool:
        texts = (self.channel_ref.text(), self.summary.text(), self.request.toPlainText(),
                 self.facts.toPlainText(), self.reasons.toPlainText(), self.answer.toPlainText(),
                 self.reject_reason.toPlainText(), self.approach.text(), self.guide.text())
        return (self.petitioners.is_blank() and not any(t.strip() for t in texts)
                and self.attachments.is_empty())

    # ================================================================== dropped files

    def dragEnterEvent(self, event):  # noqa: N802 - Qt API
        if has_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):  # noqa: N802 - Qt API
        self.dragEnterEvent(event)

    def dropEvent(self, event):  # noqa: N802 - Qt API
        paths = dropped_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.attachments.add_paths(paths)  # read and checked on the worker

    # ================================================================== draft

    def snapshot(self) -> dict:
        """The whole form as JSON-able data (the draft)."""
        return {
            "version": 1,
            **self.petitioners.to_dict(),
            "received_on": _to_date(self.received_on.date()).isoformat(),
            "channel": self.channel.currentText(),
            "channel_ref": self.channel_ref.text(),
            "category": self.category.currentText(),
            "field": self.field.currentText(),
            "summary": self.summary.text(),
            "request": self.request.toPlainText(),
            "facts": self.facts.toPlainText(),
            "reasons": self.reasons.toPlainText(),
            "disposition": self.disposition.currentText(),
            "unit": self.unit.currentText(),
            "unit_auto": self._unit_auto,
            "answer": self.answer.toPlainText(),
            "reject_reason": self.reject_reason.toPlainText(),
            "approach": self.approach.text(),
            "guide": self.guide.text(),
            "promised_reply_on": _to_date(self.promised.date()).isoformat(),
            "promise_auto": self._promise_auto,
            **self.answer_use.to_dict(),
        }

    def restore(self, d: dict) -> None:
        """Fill the form from a draft; unknown or missing keys are tolerated."""
        def text(key: str) -> str:
            value = d.get(key, "")
            return value if isinstance(value, str) else ""

        def date(key: str) -> QDate | None:
            try:
                return _to_qdate(dt.date.fromisoformat(text(key)))
            except ValueError:
                return None

        self._quiet += 1
        try:
            self.petitioners.from_dict(d)
            received = date("received_on")
            if received is not None:
                self.received_on.setDate(received)
            self.channel.setCurrentText(text("channel") or "来访")
            self.channel_ref.setText(text("channel_ref"))
            self.category.setCurrentText(text("category"))
            self.field.setEditText(text("field"))
            self.summary.setText(text("summary"))
            self.request.setPlainText(text("request"))
            self.facts.setPlainText(text("facts"))
            self.reasons.setPlainText(text("reasons"))
            self.disposition.setCurrentText(text("disposition"))
            self.unit.setCurrentText(text("unit"))
            self._unit_auto = bool(d.get("unit_auto", True))
            self.answer.setPlainText(text("answer"))
            self.reject_reason.setPlainText(text("reject_reason"))
            self.approach.setText(text("approach"))
            self.guide.setText(text("guide"))
            promised = date("promised_reply_on")
            self._promise_auto = bool(d.get("promise_auto", True))
            if promised is not None:
                self.promised.setDate(promised)
            self.promise_hint.setText("" if self._promise_auto else "（已手动调整）")
            self.answer_use.from_dict(d)
        finally:
            self._quiet -= 1
        self._query_history()
        self._query_answers(immediate=True)

    def _draft_job(self, action: str, snapshot: dict | None = None) -> Callable:
        from xinfang_desk.core.intake import drafts

        data_dir = self._data_dir
        if action == "save":
            return lambda: drafts.save_draft(data_dir, snapshot)
        return lambda: drafts.clear_draft(data_dir)

    def _load_draft_job(self) -> Callable:
        from xinfang_desk.core.intake import drafts

        data_dir = self._data_dir
        return lambda: drafts.load_draft(data_dir)

    def _run_draft_job(self, action: str, snapshot: dict | None = None) -> None:
        self._tasks.run(self._draft_job(action, snapshot), lambda _r: None, self._draft_failed)

    def _save_draft_now(self) -> None:
        # An empty form is no draft: a clerk who cleared the form must not get it back.
        if self.is_blank():
            self._run_draft_job("clear")
        else:
            self._run_draft_job("save", self.snapshot())

    def _draft_loaded(self, draft: dict | None) -> None:
        if draft:
            self.restore(draft)
            self.notice.setText("已恢复上次未保存的登记内容。核对后可继续登记，或按 Ctrl+N 清空。")
            self.notice.show()
        self._ready = True

    def _draft_failed(self, exc: Exception) -> None:
        # A draft is a convenience: never block the intake for it, but do not hide it either.
        log.warning("intake draft: %s", exc)
        self._ready = True
