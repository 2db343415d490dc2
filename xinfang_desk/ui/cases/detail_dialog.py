"""The case detail window: the whole record, the timeline, the running deadlines and a
button per action (disabled, with the reason as tooltip, when the state does not allow it).

Also: 显示完整号码 per petitioner (a deliberate, audited reveal, masked again when the window
closes), 修改… (case_edit_dialog), the 修改记录 tab (the case's audit trail), the 附件 tab
(attachments_panel) and, for leaders on a confidential case, 授权查看… (case_access_dialog)."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core import session
from xinfang_desk.core.cases.detail import ACTION_LABELS, ACTION_ORDER
from xinfang_desk.ui.cases.attachments_panel import AttachmentsPanel
from xinfang_desk.ui.cases.event_dialogs import EventDialog
from xinfang_desk.ui.cases.history import ChangeHistoryTable
from xinfang_desk.ui.widgets.answer_picker import PURPOSE_LABELS
from xinfang_desk.ui.widgets.colours import OVERDUE_COLOUR, SOON_COLOUR
from xinfang_desk.ui.widgets.documents_menu import DocumentOpener, DocumentsBox, document_titles
from xinfang_desk.ui.widgets.tasks import TaskRunner

BUTTONS_PER_ROW = 8
REVEAL_TEXT = "显示完整号码"
HISTORY_TAB = "修改记录"
ATTACHMENTS_TAB = "附件"


def load_for_dialog(case_no: str, today: dt.date | None, with_documents: bool = False):
    """Runs on the worker thread: the case detail, the unit names for the forms, (文书)
    which documents may be produced now, the approver of each event (负责人审批), the
    change history (修改记录) and the approved-answer versions the case used (答复口径)."""
    from xinfang_desk.core.answers.library import used_by_case
    from xinfang_desk.core.cases.detail import load_case_detail
    from xinfang_desk.core.cases.edit import change_history
    from xinfang_desk.core.cases.records import events_of, get_visible_case
    from xinfang_desk.core.cases.taxonomy import list_units
    from xinfang_desk.core.store.db import storage_errors

    detail, units = load_case_detail(case_no, today=today), list_units()
    with storage_errors():
        approvers = [(e.type, e.approver or "") for e in events_of(get_visible_case(case_no))]
    history = change_history(case_no)
    used = used_by_case(case_no)
    # --- 文书 (printing) ---
    available = None
    if with_documents:
        from xinfang_desk.ui.widgets.documents_menu import load_availability

        available = load_availability(case_no, today)
    return detail, units, available, approvers, history, used


def reveal(case_no: str, position: int) -> str:
    """Runs on the worker thread: the full ID number (audited by the core)."""
    from xinfang_desk.core.cases.detail import reveal_id

    return reveal_id(case_no, position)


def with_approver(text: str, approver: str) -> str:
    """The timeline line with the approving leader, unless the core already names them."""
    if not approver or "批准人" in text:
        return text
    return f"{text}（批准人：{approver}）"


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


class CaseDetailDialog(QDialog):
    sig_case_changed = Signal(str)
    sig_loaded = Signal()
    """A (re)load filled the window (for tests and the lead's wiring)."""

    def __init__(self, case_no: str, tasks: TaskRunner, today: dt.date | None = None,
                 parent=None):
        super().__init__(parent)
        self.setObjectName("caseDetailDialog")
        self.case_no, self._tasks, self._today = case_no, tasks, today
        self.detail = None
        self.units: list[str] = []
        self.approvers: list[tuple[str, str]] = []
        self.form: EventDialog | None = None
        self.edit_dialog = None
        self.access_dialog = None
        self.revealed: dict[int, str] = {}  # petitioner position -> full ID, until closed
        self.reveal_buttons: dict[int, QPushButton] = {}
        self.setWindowTitle(f"信访事项 {case_no}")
        self.resize(1180, 760)

        self.title = QLabel(f"{case_no}  正在读取……")
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.message = QLabel("")
        self.message.setObjectName("detailMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")
        self.message.hide()

        # Left: the record and the petitioners. The record is one HTML table: long texts
        # (facts, reasons) wrap and scroll reliably, and the clerk can select and copy.
        self.record_view = QTextBrowser()
        self.record_view.setObjectName("recordView")
        self.record_view.setOpenLinks(False)
        self.petitioner_table = _table(
            "petitionerTable", ["姓名", "证件号", "性别", "出生日期", "电话", "代表", "住址"])
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self._group("事项信息", self.record_view), 3)
        left_layout.addWidget(self._group("信访人", self.petitioner_table), 1)
        # 答复口径: the exact versions this case used (an old case keeps its old version).
        self.answers_table = _table("usedAnswersTable", ["用途", "答复口径", "版本", "依据"])
        self.answers_box = self._group("使用的答复口径", self.answers_table)
        self.answers_box.setObjectName("usedAnswersBox")
        self.answers_box.hide()
        left_layout.addWidget(self.answers_box)

        # Right: the timeline and the deadlines; the change history in a second tab.
        self.timeline_table = _table("timelineTable", ["日期", "经过", "经办人"])
        self.timeline_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)
        self.timeline_table.horizontalHeader().setStretchLastSection(False)
        # Long lines wrap: the row heights follow the width of 经过 (queued: the header reports
        # a stretched section's new size before the view uses it).
        self.timeline_table.horizontalHeader().sectionResized.connect(
            self.timeline_table.resizeRowsToContents, Qt.ConnectionType.QueuedConnection)
        self.deadline_table = _table("deadlineTable", ["期限", "到期日", "剩余", "依据"])
        progress = QWidget()
        progress_layout = QVBoxLayout(progress)
        progress_layout.setContentsMargins(6, 6, 6, 6)
        # Room for three deadlines (a case seldom runs more at once) without scrolling.
        rows = self.deadline_table.verticalHeader().defaultSectionSize()
        self.deadline_table.setMinimumHeight(
            self.deadline_table.horizontalHeader().sizeHint().height() + 3 * rows + 6)
        progress_layout.addWidget(self.timeline_table, 2)
        progress_layout.addWidget(self._group("正在计算的期限", self.deadline_table), 1)
        self.history_table = ChangeHistoryTable()
        history = QWidget()
        history_layout = QVBoxLayout(history)
        history_layout.setContentsMargins(6, 6, 6, 6)
        history_note = QLabel("登记、修改、办理、打印、查看完整号码和授权，均据审计日志列出（最新在上）。")
        history_note.setWordWrap(True)
        history_note.setStyleSheet("color:#555")
        history_layout.addWidget(history_note)
        history_layout.addWidget(self.history_table, 1)
        self.right_tabs = QTabWidget()
        self.right_tabs.setObjectName("detailTabs")
        self.right_tabs.addTab(progress, "办理经过")
        self.right_tabs.addTab(history, HISTORY_TAB)
        # 附件: the papers of the matter (loaded by the panel itself, on the worker).
        self.attachments = AttachmentsPanel(case_no, tasks)
        self.attachments.sig_changed.connect(self._recorded)
        self.attachments.sig_loaded.connect(self._attachments_loaded)
        self.right_tabs.addTab(self.attachments, ATTACHMENTS_TAB)
        right = self.right_tabs

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)

        # Bottom: a button per action.
        self.action_buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for i, action in enumerate(ACTION_ORDER):
            button = QPushButton(ACTION_LABELS[action])
            button.setObjectName(f"action_{action}")
            button.setEnabled(False)
            button.clicked.connect(lambda _=False, a=action: self.open_action(a))
            grid.addWidget(button, i // BUTTONS_PER_ROW, i % BUTTONS_PER_ROW)
            self.action_buttons[action] = button
        actions_box = QGroupBox("办理")
        actions_box.setLayout(grid)

        # --- 文书 (printing): a button per document, previewed and printed via the opener ---
        self.documents_box: DocumentsBox | None = None
        try:
            titles = document_titles()
        except ImportError:  # the document builder is not installed
            titles = None
        if titles:
            self.documents_box = DocumentsBox(titles)
            self.documents_box.sig_document_requested.connect(self.open_document)
        self.documents = DocumentOpener(tasks, self, today=today)
        self.documents.sig_printed.connect(self._document_printed)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.reject)
        # 修改… (register) and, for leaders on a confidential case, 授权查看….
        actor = session.current()
        self.edit_button = QPushButton("修改…")
        self.edit_button.setObjectName("editCaseButton")
        self.edit_button.setToolTip("更正事项内容或信访人联系方式（须写明原因，记入修改记录）")
        self.edit_button.setEnabled(False)
        self.edit_button.setVisible(actor.can("register"))
        self.edit_button.clicked.connect(self.open_edit)
        self.access_button = QPushButton("授权查看…")
        self.access_button.setObjectName("accessButton")
        self.access_button.setToolTip("指定可以查看本保密事项的人员")
        self.access_button.hide()
        self.access_button.clicked.connect(self.open_access)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addWidget(actions_box)
        if self.documents_box is not None:
            layout.addWidget(self.documents_box)
        bottom = QHBoxLayout()
        bottom.addWidget(self.edit_button)
        bottom.addWidget(self.access_button)
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout.addLayout(bottom)

        self.reload()

    @staticmethod
    def _group(title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(6, 6, 6, 6)
        inner.addWidget(widget)
        return box

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        case_no, today = self.case_no, self._today
        with_docs = self.documents_box is not None
        self._tasks.run(lambda: load_for_dialog(case_no, today, with_docs), self._show,
                        self._failed)

    def _failed(self, exc) -> None:
        self.message.setText(f"读取失败：{exc}")
        self.message.show()
        self.sig_loaded.emit()

    def _show(self, loaded) -> None:
        detail, units, available, approvers, history, used = loaded
        self.detail, self.units, self.approvers = detail, units, approvers
        summary = dict(detail.fields).get("事项摘要", "")
        secret = "（保密）" if detail.confidential else ""
        self.title.setText(f"{detail.case_no}  {secret}{summary}  【{detail.status_label}】")
        if detail.problems:
            self.message.setText("以下记录不符合办理流程，已在计算中略过：" + "；".join(detail.problems))
            self.message.show()
        else:
            self.message.hide()
        self._fill_record(detail)
        self._fill_petitioners(detail)
        self._fill_timeline(detail)
        self._fill_deadlines(detail)
        self._fill_answers(used)
        self.history_table.set_entries(history)
        actor = session.current()
        self.edit_button.setEnabled(actor.can("register"))
        self.access_button.setVisible(detail.confidential and actor.can("see_confidential"))
        for action, button in self.action_buttons.items():
            reason = detail.actions.get(action)
            button.setEnabled(reason is None)
            button.setToolTip(reason or "")
        if self.documents_box is not None and available is not None:
            self.documents_box.set_availability(available)
        self.sig_loaded.emit()

    def _fill_record(self, detail) -> None:
        rows = []
        for label, value in detail.fields:
            if not value and label not in ("事项摘要", "诉求"):
                continue  # an empty optional field is noise on screen
            shown = html.escape(value).replace("\n", "<br>") if value else "—"
            if label == "保密" and detail.confidential:
                shown = f'<span style="color:#ad1457">{shown}</span>'
            rows.append(f'<tr><td style="color:#555; white-space:nowrap; padding:2px 8px 2px 0"'
                        f' align="right">{html.escape(label)}：</td>'
                        f'<td style="padding:2px 0">{shown}</td></tr>')
        self.record_view.setHtml(f'<table cellspacing="0" width="100%">{"".join(rows)}</table>')

    def record_text(self) -> str:
        return self.record_view.toPlainText()

    def _fill_petitioners(self, detail) -> None:
        t = self.petitioner_table
        t.setRowCount(len(detail.petitioners))
        self.reveal_buttons = {}
        may_reveal = session.current().can("register")
        for r, p in enumerate(detail.petitioners):
            phone = "、".join(x for x in (p.phone, p.phone_alt) if x)
            number = self.revealed.get(r, p.id_number)
            values = (p.name, number, p.sex, p.birth_date.strftime("%Y-%m-%d")
                      if p.birth_date else "", phone, "是" if p.is_representative else "", p.address)
            for c, value in enumerate(values):
                t.setItem(r, c, _item(value))
            t.removeCellWidget(r, 1)
            if may_reveal and p.id_number:
                # The button sits at the right end of the number's own cell; the number stays
                # the cell's text (drawn under the transparent holder).
                button = QPushButton(REVEAL_TEXT)
                button.setObjectName(f"revealId{r}")
                button.setToolTip("显示该信访人的完整证件号码（记入审计日志，关闭窗口后重新遮蔽）")
                if r in self.revealed:
                    self._mark_revealed(button)
                button.clicked.connect(lambda _=False, pos=r: self.reveal_id(pos))
                holder = QWidget()
                row = QHBoxLayout(holder)
                row.setContentsMargins(0, 1, 2, 1)
                row.addStretch(1)
                row.addWidget(button)
                t.setCellWidget(r, 1, holder)
                self.reveal_buttons[r] = button
        t.resizeColumnsToContents()
        self._fit_id_column()

    def _fit_id_column(self) -> None:
        """The ID column holds the number and, right of it, its 显示完整号码 button."""
        t = self.petitioner_table
        if not self.reveal_buttons:
            return
        metrics = t.fontMetrics()
        text = max((metrics.horizontalAdvance(t.item(r, 1).text()) for r in range(t.rowCount())
                    if t.item(r, 1) is not None), default=0)
        button = max(b.sizeHint().width() for b in self.reveal_buttons.values())
        t.setColumnWidth(1, text + button + 24)
        t.resizeRowsToContents()

    @staticmethod
    def _mark_revealed(button: QAbstractButton) -> None:
        button.setText("已显示")
        button.setEnabled(False)

    def reveal_id(self, position: int) -> None:
        """显示完整号码: ask the core (audited) on the worker, show the number until closed."""
        button = self.reveal_buttons.get(position)
        if button is not None:
            button.setEnabled(False)
            button.setText("正在读取…")
        case_no = self.case_no
        self._tasks.run(lambda: reveal(case_no, position),
                        lambda number: self._revealed(position, number),
                        lambda exc: self._reveal_failed(position, exc))

    def _revealed(self, position: int, number: str) -> None:
        if not self.isVisible():
            return  # closed meanwhile: nothing is shown
        self.revealed[position] = number
        item = self.petitioner_table.item(position, 1)
        if item is not None:
            item.setText(number)
            item.setToolTip(number)
        button = self.reveal_buttons.get(position)
        if button is not None:
            self._mark_revealed(button)
        self._fit_id_column()
        self.reload()  # 修改记录 now lists the reveal

    def _reveal_failed(self, position: int, exc) -> None:
        button = self.reveal_buttons.get(position)
        if button is not None:
            button.setEnabled(True)
            button.setText(REVEAL_TEXT)
        self.message.setText(f"未能显示完整号码：{exc}")
        self.message.show()

    def remask(self) -> None:
        """Forget the revealed numbers and show the masked ones again."""
        self.revealed.clear()
        if self.detail is not None:
            self._fill_petitioners(self.detail)

    def done(self, result: int) -> None:
        self.remask()  # 显示完整号码 lasts only while the window is open
        super().done(result)

    def _fill_timeline(self, detail) -> None:
        t = self.timeline_table
        t.setRowCount(len(detail.timeline))
        # The approving leader of each event (same order as the timeline after registration).
        approvers = [""] * len(detail.timeline)
        events = [e.type for e in detail.timeline[1:]]
        if events == [t for t, _a in self.approvers]:
            approvers[1:] = [a for _t, a in self.approvers]
        for r, entry in enumerate(detail.timeline):
            t.setItem(r, 0, _item(entry.on.strftime("%Y-%m-%d")))
            t.setItem(r, 1, _item(with_approver(entry.text, approvers[r])))
            t.setItem(r, 2, _item(entry.actor))
        t.resizeColumnToContents(0)
        t.resizeColumnToContents(2)
        t.resizeRowsToContents()

    def _fill_answers(self, used) -> None:
        """使用的答复口径: purpose, title, the version used (and its state now), basis."""
        t = self.answers_table
        t.setRowCount(len(used))
        for r, (purpose, version) in enumerate(used):
            state = "" if version.status == "approved" else f"（现{version.status_label}）"
            for c, text in enumerate((PURPOSE_LABELS.get(purpose, purpose), version.title,
                                      f"第{version.version}版{state}", version.basis or "—")):
                t.setItem(r, c, _item(text))
        t.resizeColumnsToContents()
        t.resizeRowsToContents()
        # Exactly as tall as its rows (a case uses one or two answers): the record keeps the room.
        rows = sum(t.rowHeight(r) for r in range(t.rowCount()))
        t.setFixedHeight(t.horizontalHeader().sizeHint().height() + rows + 2 * t.frameWidth()
                         + (t.horizontalScrollBar().sizeHint().height()
                            if t.horizontalScrollBar().isVisible() else 0) + 2)
        self.answers_box.setVisible(bool(used))

    def used_answers(self) -> list[str]:
        """The rows of 使用的答复口径 as text (for tests)."""
        t = self.answers_table
        return ["　".join(t.item(r, c).text() for c in range(t.columnCount()))
                for r in range(t.rowCount())]

    def _fill_deadlines(self, detail) -> None:
        t = self.deadline_table
        t.clearSpans()
        if not detail.deadlines:
            t.setRowCount(1)
            t.setItem(0, 0, _item("（目前没有正在计算的期限）"))
            t.setSpan(0, 0, 1, t.columnCount())
            return
        t.setRowCount(len(detail.deadlines))
        for r, d in enumerate(detail.deadlines):
            if d.kind.endswith("_window"):
                left = f"已过{-d.days_left}天" if d.days_left < 0 else f"{d.days_left}天"
            else:
                left = f"超期{-d.days_left}天" if d.overdue else f"{d.days_left}天"
            remaining = _item(left)
            if d.overdue:
                remaining.setForeground(OVERDUE_COLOUR)
            elif 0 <= d.days_left <= 3 and not d.kind.endswith("_window"):
                remaining.setForeground(SOON_COLOUR)
            basis = d.basis + (f"（{'；'.join(d.warnings)}）" if d.warnings else "")
            for c, item in enumerate((_item(d.label), _item(d.due.strftime("%Y-%m-%d")),
                                      remaining, _item(basis))):
                t.setItem(r, c, item)
        t.resizeColumnsToContents()

    # ------------------------------------------------------------------ actions

    def open_action(self, action: str) -> EventDialog:
        """Open the form for an action (non-blocking, so tests can fill it in)."""
        d = self.detail
        form = EventDialog(
            action, self.case_no, self._tasks, today=self._today, received_on=d.received_on,
            units=self.units, default_unit=d.unit, reply_outcomes=d.reply_outcomes,
            extension_days_left=d.extension_days_left, parent=self)
        form.sig_recorded.connect(self._recorded)
        self.form = form
        form.open()
        return form

    def open_edit(self):
        """修改…: the edit form (non-blocking); saved, the detail reloads."""
        from xinfang_desk.ui.cases.edit_dialog import CaseEditDialog

        dialog = CaseEditDialog(self.case_no, self._tasks, parent=self)
        dialog.sig_saved.connect(lambda _done: self._recorded(self.case_no))
        dialog.finished.connect(lambda _r: setattr(self, "edit_dialog", None))
        dialog.finished.connect(dialog.deleteLater)
        self.edit_dialog = dialog
        dialog.open()
        return dialog

    def open_access(self):
        """授权查看… (leaders, confidential cases): name or withdraw users."""
        from xinfang_desk.ui.cases.access_dialog import CaseAccessDialog

        dialog = CaseAccessDialog(self.case_no, self._tasks, parent=self)
        dialog.sig_changed.connect(lambda _c: self.reload())
        dialog.finished.connect(lambda _r: setattr(self, "access_dialog", None))
        dialog.finished.connect(dialog.deleteLater)
        self.access_dialog = dialog
        dialog.open()
        return dialog

    def open_document(self, doc: str) -> None:
        """文书: build `doc` on the worker and open its preview (printing is then recorded,
        the timeline reloaded and sig_case_changed emitted)."""
        self.documents.open(self.case_no, doc)

    def _attachments_loaded(self) -> None:
        live = sum(1 for info in self.attachments.infos if not info.removed)
        index = self.right_tabs.indexOf(self.attachments)
        self.right_tabs.setTabText(index, f"{ATTACHMENTS_TAB}（{live}）" if live else ATTACHMENTS_TAB)

    def show_attachments(self) -> AttachmentsPanel:
        """Bring the 附件 tab to the front."""
        self.right_tabs.setCurrentWidget(self.attachments)
        return self.attachments

    def _document_printed(self, case_no: str, _doc: str) -> None:
        self._recorded(case_no)

    def _recorded(self, case_no: str) -> None:
        self.reload()
        self.sig_case_changed.emit(case_no)
