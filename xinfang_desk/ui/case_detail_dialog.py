"""The case detail window: the whole record, the timeline, the running deadlines and a
button per action (disabled, with the reason as tooltip, when the state does not allow it)."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
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
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core.case_detail import ACTION_LABELS, ACTION_ORDER
from xinfang_desk.ui.colours import OVERDUE_COLOUR, SOON_COLOUR
from xinfang_desk.ui.documents_menu import DocumentOpener, DocumentsBox, document_titles
from xinfang_desk.ui.event_dialogs import EventDialog
from xinfang_desk.ui.tasks import TaskRunner

BUTTONS_PER_ROW = 8


def load_for_dialog(case_no: str, today: dt.date | None, with_documents: bool = False):
    """Runs on the worker thread: the case detail, the unit names for the forms and (文书)
    which documents may be produced now."""
    from xinfang_desk.core.case_detail import load_case_detail
    from xinfang_desk.core.taxonomy import list_units

    detail, units = load_case_detail(case_no, today=today), list_units()
    # --- 文书 (printing) ---
    available = None
    if with_documents:
        from xinfang_desk.ui.documents_menu import load_availability

        available = load_availability(case_no, today)
    return detail, units, available


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
        self.form: EventDialog | None = None
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

        # Right: the timeline and the deadlines.
        self.timeline_table = _table("timelineTable", ["日期", "经过", "经办人"])
        self.timeline_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)
        self.timeline_table.horizontalHeader().setStretchLastSection(False)
        self.deadline_table = _table("deadlineTable", ["期限", "到期日", "剩余", "依据"])
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self._group("办理经过", self.timeline_table), 3)
        right_layout.addWidget(self._group("正在计算的期限", self.deadline_table), 1)

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

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addWidget(actions_box)
        if self.documents_box is not None:
            layout.addWidget(self.documents_box)
        bottom = QHBoxLayout()
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
        detail, units, available = loaded
        self.detail, self.units = detail, units
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
        for r, p in enumerate(detail.petitioners):
            phone = "、".join(x for x in (p.phone, p.phone_alt) if x)
            values = (p.name, p.id_number, p.sex, p.birth_date.strftime("%Y-%m-%d")
                      if p.birth_date else "", phone, "是" if p.is_representative else "", p.address)
            for c, value in enumerate(values):
                t.setItem(r, c, _item(value))
        t.resizeColumnsToContents()

    def _fill_timeline(self, detail) -> None:
        t = self.timeline_table
        t.setRowCount(len(detail.timeline))
        for r, entry in enumerate(detail.timeline):
            t.setItem(r, 0, _item(entry.on.strftime("%Y-%m-%d")))
            t.setItem(r, 1, _item(entry.text))
            t.setItem(r, 2, _item(entry.actor))
        t.resizeColumnToContents(0)
        t.resizeColumnToContents(2)
        t.resizeRowsToContents()

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

    def open_document(self, doc: str) -> None:
        """文书: build `doc` on the worker and open its preview (printing is then recorded,
        the timeline reloaded and sig_case_changed emitted)."""
        self.documents.open(self.case_no, doc)

    def _document_printed(self, case_no: str, _doc: str) -> None:
        self._recorded(case_no)

    def _recorded(self, case_no: str) -> None:
        self.reload()
        self.sig_case_changed.emit(case_no)
