"""政策依据: search and read the policy articles an answer may rest on.

A clerk types a few words (a document name, "第三十五条", "复查"…) and reads the articles, each
marked as verbatim text (原文) or the office's summary (要点) — a summary must never be quoted
as the wording of the regulation. 复制引用 copies "《…》第…条：text" for a letter. A leader (or
anyone while no accounts exist) adds or corrects an article. Searches run on the worker thread,
a result older than the latest search is dropped.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core import session
from xinfang_desk.ui.widgets.forms import ERROR_STYLE, HINT_STYLE, FieldForm
from xinfang_desk.ui.widgets.tables import (
    open_only,
    row_table,
    search_box,
    select_first,
    selected_item,
)
from xinfang_desk.ui.widgets.tasks import TaskRunner

COLUMNS = ("文件", "条款", "类型", "条文")
SUMMARY_COLOUR = QColor("#ef6c00")
OK_STYLE = "color:#2e7d32"
SEARCH_DELAY_MS = 250


def citation(hit) -> str:
    """What 复制引用 puts on the clipboard; a summary says that it is one."""
    kind = "" if hit.text_kind == "原文" else "（要点，非原文）"
    return f"{hit.doc_name}{hit.article}{kind}：{hit.text}"


class PolicyArticleDialog(FieldForm):
    """A leader adds an article (or corrects one: same document and article number)."""

    def __init__(self, tasks: TaskRunner, docs: list[str], parent=None):
        super().__init__(parent)
        self.setObjectName("policyArticleDialog")
        self.setWindowTitle("新增政策条文")
        self.setMinimumWidth(620)
        self._tasks = tasks
        self.doc_name = QComboBox()
        self.doc_name.setObjectName("policyDocName")
        self.doc_name.setEditable(True)
        self.doc_name.addItems(docs)
        self.doc_name.lineEdit().setPlaceholderText("如：《信访工作条例》")
        self.doc_name.setMinimumWidth(420)
        self.add_field("文件名称", self.doc_name)
        self.article = QLineEdit()
        self.article.setObjectName("policyArticleNo")
        self.article.setPlaceholderText("如：第三十五条；已有的条款将被更正")
        self.add_field("条款", self.article)
        self.kind = QComboBox()
        self.kind.setObjectName("policyTextKind")
        self.kind.addItem("原文（逐字照录）", "原文")
        self.kind.addItem("要点（本机关归纳，不得作为原文引用）", "要点")
        self.add_field("条文类型", self.kind)
        self.dated = QCheckBox("注明发布日期")
        self.dated.setObjectName("policyDated")
        self.issued_on = QDateEdit(QDate.currentDate())
        self.issued_on.setObjectName("policyIssuedOn")
        self.issued_on.setCalendarPopup(True)
        self.issued_on.setDisplayFormat("yyyy-MM-dd")
        self.issued_on.setEnabled(False)
        self.dated.toggled.connect(self.issued_on.setEnabled)
        row = QWidget()
        rl = QHBoxLayout(row)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.dated)
        rl.addWidget(self.issued_on)
        rl.addStretch(1)
        self.add_field("发布日期", row)
        self.text = QPlainTextEdit()
        self.text.setObjectName("policyText")
        self.text.setMinimumHeight(160)
        self.add_field("条文", self.text)
        self.buttons = self.ok_cancel("保存", "policySaveButton")
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def submit(self) -> None:
        from xinfang_desk.core.answers import library as answers

        self.clear_errors()
        name, article = self.doc_name.currentText(), self.article.text()
        text, kind = self.text.toPlainText(), self.kind.currentData()
        day = None
        if self.dated.isChecked():
            q = self.issued_on.date()
            day = dt.date(q.year(), q.month(), q.day())
        self.run_job(self._tasks, lambda: answers.save_policy_article(
            name, article, text, text_kind=kind, issued_on=day))


class PolicyPanel(QWidget):
    sig_loaded = Signal()
    """A search's result is on screen."""

    def __init__(self, tasks: TaskRunner, parent=None):
        super().__init__(parent)
        self.setObjectName("policyPanel")
        self._tasks = tasks
        self.hits: list = []
        self.docs: list[str] = []
        self.dialog = None
        self._generation = 0
        self.loaded = False
        self._pending: tuple[int, str] | None = None  # (article to select, message) after a save

        self.search, self._timer = search_box(
            "policySearch", "搜索政策依据：文件名、条款（如“第三十五条”）或条文中的字词，"
            "多个词以空格分隔", self.refresh, SEARCH_DELAY_MS)

        self.copy_button = QPushButton("复制引用")
        self.copy_button.setObjectName("policyCopyButton")
        self.copy_button.setToolTip("复制“文件名称+条款：条文”，用于答复文书")
        self.copy_button.clicked.connect(self.copy_citation)
        self.add_button = QPushButton("新增条文…")
        self.add_button.setObjectName("policyAddButton")
        self.add_button.clicked.connect(self.add_article)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.copy_button)
        bar.addWidget(self.add_button)

        self.table = row_table(COLUMNS, "policyTable")
        header = self.table.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.reader = QTextBrowser()
        self.reader.setObjectName("policyReader")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.reader)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        self.message = QLabel("")
        self.message.setObjectName("policyMessage")
        self.message.setWordWrap(True)
        note = QLabel("“原文”为条文原文，可直接引用；“要点”为本机关归纳，引用时须以原文为准。")
        note.setStyleSheet(HINT_STYLE)
        note.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(note)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        self.update_permissions()

    def update_permissions(self) -> None:
        self.add_button.setEnabled(session.current().can("approve"))
        self.add_button.setToolTip("" if self.add_button.isEnabled()
                                   else "只有负责人可以新增或更正政策条文")
        self.copy_button.setEnabled(self.selected() is not None)

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        from xinfang_desk.core.answers import library as answers

        self.loaded = True
        self._timer.stop()
        self._generation += 1
        generation, text = self._generation, self.search.text()
        self._tasks.run_for(
            (self, self.table),
            lambda: (answers.search_policy(text, limit=200), answers.list_policy_docs()),
            lambda result: self._loaded(generation, result), self._failed)

    def _loaded(self, generation: int, result) -> None:
        if generation != self._generation:
            return  # a newer search is on its way
        hits, docs = result
        self.docs = [name for _id, name in docs]
        keep = self.selected()
        self.hits = list(hits)
        self.table.setRowCount(len(self.hits))
        for row, hit in enumerate(self.hits):
            one_line = " ".join(hit.text.split())
            values = (hit.doc_name, hit.article, hit.text_kind, one_line)
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 2 and hit.text_kind != "原文":
                    item.setForeground(SUMMARY_COLOUR)
                if col == 3:
                    item.setToolTip(hit.text)
                self.table.setItem(row, col, item)
        pending, self._pending = self._pending, None
        if not ((pending and self.select_article(pending[0]))
                or (keep is not None and self.select_article(keep.article_id))) and self.hits:
            self.table.selectRow(0)
        self._show_selected()
        if pending:
            self.show_message(pending[1])
        else:
            self.show_message(f"共{len(self.hits)}条" if self.hits else "没有找到符合条件的条文。")
        self.sig_loaded.emit()

    def _failed(self, exc: Exception) -> None:
        self.show_message(str(exc), error=True)

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message.setText(text)

    def selected(self):
        return selected_item(self.table, self.hits)

    def select_article(self, article_id: int) -> bool:
        return select_first(self.table, self.hits, lambda hit: hit.article_id == article_id)

    def _show_selected(self) -> None:
        import html

        hit = self.selected()
        self.copy_button.setEnabled(hit is not None)
        if hit is None:
            self.reader.setHtml("")
            return
        kind_style = "" if hit.text_kind == "原文" else f"color:{SUMMARY_COLOUR.name()};"
        issued = f"发布日期：{hit.issued_on:%Y-%m-%d}　" if hit.issued_on else ""
        kind_note = ("原文" if hit.text_kind == "原文"
                     else "要点：本机关归纳，引用时须以原文为准")
        self.reader.setHtml(
            f"<h3>{html.escape(hit.doc_name)}{html.escape(hit.article)}</h3>"
            f"<p style='color:#555'>{html.escape(issued)}"
            f"<span style='{kind_style}'>【{html.escape(kind_note)}】</span></p>"
            f"<p style='white-space:pre-wrap'>{html.escape(hit.text)}</p>")

    def copy_citation(self) -> None:
        hit = self.selected()
        if hit is not None:
            QGuiApplication.clipboard().setText(citation(hit))
            self.show_message(f"已复制：{hit.doc_name}{hit.article}")

    # ------------------------------------------------------------------ adding

    def add_article(self) -> None:
        dialog = PolicyArticleDialog(self._tasks, self.docs, self)
        dialog.sig_done.connect(self._article_saved)
        open_only(self, dialog)

    def _article_saved(self, hit) -> None:
        self._pending = (hit.article_id, f"已保存：{hit.doc_name}{hit.article}（{hit.text_kind}）。")
        self.search.blockSignals(True)
        self.search.setText(hit.doc_name)
        self.search.blockSignals(False)
        self.refresh()

    def showEvent(self, event):  # noqa: N802 - Qt API
        if not self.loaded:
            self.refresh()
        super().showEvent(event)
