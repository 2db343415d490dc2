"""答复口径: the approved-answer library (答复口径库) and the policy references (政策依据).

The library lists one row per answer (its approved version, else its draft), searchable, with
retired answers shown on request. Selecting one shows its text, its basis and every version:
older versions stay readable, read-only, because cases keep the exact version they used.

Clerks and leaders draft (新建 / 编辑: editing an approved answer makes a new draft version);
only a leader approves or retires — with no accounts, the approver's name is asked for and
recorded. The library is handed between offices as a file (导入… / 导出…): the core checks the
whole file before writing anything, so a broken file changes nothing and its Chinese message is
shown. Every database call runs on the worker thread (ui.widgets.tasks.TaskRunner); the page reloads
whenever it is shown.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSplitter,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core import session
from xinfang_desk.ui.answers.editor import AnswerEditor
from xinfang_desk.ui.answers.policy_panel import PolicyPanel
from xinfang_desk.ui.widgets.colours import CLOSED_COLOUR, SOON_COLOUR
from xinfang_desk.ui.widgets.file_errors import file_error_text
from xinfang_desk.ui.widgets.forms import ERROR_STYLE, HINT_STYLE, FieldForm
from xinfang_desk.ui.widgets.tables import (
    action_button,
    open_only,
    row_table,
    search_box,
    select_first,
    selected_item,
)
from xinfang_desk.ui.widgets.tasks import TaskRunner

COLUMNS = ("标题", "适用领域", "状态", "版本", "依据", "审定")
COLUMN_CAPS = {0: 250, 1: 130, 4: 180}  # px: long titles and field lists are elided, tooltip
VERSION_COLUMNS = ("版本", "状态", "起草", "审定")
OK_STYLE = "color:#2e7d32"
SEARCH_DELAY_MS = 250
FILE_FILTER = "答复口径库文件 (*.json);;所有文件 (*)"


# --------------------------------------------------------------------------- worker jobs

def load_library(text: str, include_retired: bool):
    """Worker thread: the rows and, per answer, all its versions (newest first)."""
    from xinfang_desk.core.answers import library as answers

    rows = answers.list_answers(include_retired=include_retired, text=text)
    history = answers.versions_of([row.answer_id for row in rows])
    return [(row, history[row.answer_id]) for row in rows]


def import_report_text(report) -> str:
    parts = [f"新增口径 {report.added} 条，更新 {report.updated} 条，未变 {report.unchanged} 条；"
             f"政策条文新增或更新 {report.policies} 条。"]
    parts.extend(report.messages)
    return "\n".join(parts)


def _when(value: dt.datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


def fields_text(fields) -> str:
    return "、".join(fields) if fields else "（所有领域）"


PLACEHOLDER_RE = re.compile(r"[{｛][^{}｛｝\n]{1,20}[}｝]")


def _placeholder_span(match: re.Match) -> str:
    return f"<span style='color:#1565c0'>{match.group(0)}</span>"


def version_html(v, *, current: bool) -> str:
    """One version for reading: text, basis, fields, keywords, who drafted and approved it."""
    e = html.escape
    state = e(v.status_label)
    if not current:
        state += "，只读历史版本"
    lines = [f"<h3>{e(v.title)}</h3>",
             f"<p style='color:#555'>第{v.version}版（{state}）</p>",
             f"<p style='white-space:pre-wrap;border-left:3px solid #90caf9;padding-left:6px'>"
             f"{PLACEHOLDER_RE.sub(_placeholder_span, e(v.body))}</p>",
             f"<p><b>依据：</b>{e(v.basis) or '（未注明）'}</p>",
             f"<p><b>适用领域：</b>{e(fields_text(v.fields))}</p>",
             f"<p><b>关键词：</b>{e('、'.join(v.keywords)) or '（无）'}</p>",
             f"<p style='color:#555'>起草：{e(v.drafted_by)} {_when(v.drafted_at)}"]
    if v.approved_by:
        lines[-1] += f"；审定：{e(v.approved_by)} {_when(v.approved_at)}"
    lines[-1] += "</p>"
    if v.note:
        lines.append(f"<p style='color:#555'>说明：{e(v.note)}</p>")
    return "".join(lines)


# --------------------------------------------------------------------------- approve / retire

class DecisionDialog(FieldForm):
    """审定 or 停用, confirmed by a leader; with no accounts the approver's name is asked."""

    def __init__(self, tasks: TaskRunner, *, title: str, text: str, ok_text: str, job,
                 parent=None):
        super().__init__(parent)
        self.setObjectName("decisionDialog")
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self._tasks, self._job = tasks, job
        intro = QLabel(text)
        intro.setObjectName("decisionText")
        intro.setWordWrap(True)
        actor = session.current()
        self.approver = QLineEdit()
        self.approver.setObjectName("approverName")
        self.asks_name = actor.role == session.SYSTEM_ROLE
        if self.asks_name:
            self.approver.setPlaceholderText("未设置用户账户：请填写审定人姓名，将如实记录")
            self.add_field("审定人", self.approver)
        else:
            self.form.addRow("审定人：", QLabel(actor.label))
        self.buttons = self.ok_cancel(ok_text, "decisionOkButton")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def submit(self) -> None:
        self.clear_errors()
        name, job = self.approver.text(), self._job
        self.run_job(self._tasks, lambda: job(name))


# --------------------------------------------------------------------------- the library

class LibraryPanel(QWidget):
    sig_loaded = Signal()
    """The list is on screen (after a load or a search)."""
    sig_finished = Signal(bool, str)
    """An action ended: (succeeded, the message shown)."""

    def __init__(self, tasks: TaskRunner, today: dt.date | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("answersLibrary")
        self._tasks = tasks
        self._today = today
        self.items: list = []           # [(row AnswerText, versions newest first)]
        self.dialog = None
        self.box: QMessageBox | None = None
        self.last_dir = ""
        self._generation = 0
        self._busy = False
        self._select_after: int | None = None

        self.search, self._timer = search_box("answersSearch", "搜索标题、关键词或正文",
                                              self.refresh, SEARCH_DELAY_MS)
        self.show_retired = QCheckBox("显示已停用")
        self.show_retired.setObjectName("answersShowRetired")
        self.show_retired.toggled.connect(lambda _c: self.refresh())

        self.new_button = action_button("新建…", "answerNewButton", self.new_answer)
        self.edit_button = action_button("编辑…", "answerEditButton", self.edit_answer)
        self.approve_button = action_button("审定…", "answerApproveButton", self.approve_answer)
        self.retire_button = action_button("停用…", "answerRetireButton", self.retire_answer)
        self.import_button = action_button("导入…", "answersImportButton", self.import_file)
        self.export_button = action_button("导出…", "answersExportButton", self.export_file)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.show_retired)
        for button in (self.new_button, self.edit_button, self.approve_button,
                       self.retire_button):
            bar.addWidget(button)
        bar.addSpacing(16)
        bar.addWidget(self.import_button)
        bar.addWidget(self.export_button)

        self.table = row_table(COLUMNS, "answersTable")
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_answer())

        self.text = QTextBrowser()
        self.text.setObjectName("answerText")
        self.history = row_table(VERSION_COLUMNS, "answerVersions")
        vh = self.history.horizontalHeader()
        for col, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,
                                    QHeaderView.ResizeMode.ResizeToContents,
                                    QHeaderView.ResizeMode.Stretch,
                                    QHeaderView.ResizeMode.Stretch)):
            vh.setSectionResizeMode(col, mode)
        self.history.itemSelectionChanged.connect(self._version_selected)
        history_label = QLabel("版本记录（点选查看历史版本，只读）")
        history_label.setStyleSheet(HINT_STYLE)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.text, 3)
        rl.addWidget(history_label)
        rl.addWidget(self.history, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setObjectName("answersSplit")
        split.addWidget(self.table)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([800, 460])

        self.message = QLabel("")
        self.message.setObjectName("answersMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        self._selection_changed()

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        text, retired = self.search.text(), self.show_retired.isChecked()
        self._tasks.run_for((self, self.table), lambda: load_library(text, retired),
                            lambda items: self._loaded(generation, items), self._load_failed)

    def _loaded(self, generation: int, items) -> None:
        if generation != self._generation:
            return  # the search changed meanwhile; its own result follows
        keep = self._select_after
        if keep is None:
            current = self.selected()
            keep = current[0].answer_id if current else None
        self._select_after = None
        self.items = list(items)
        self.table.setRowCount(len(self.items))
        for r, (row, versions) in enumerate(self.items):
            draft = next((v for v in versions if v.status == "draft"), None)
            status = row.status_label
            if row.status == "approved" and draft is not None:
                status += f"（第{draft.version}版待审）"
            approved = (f"{row.approved_by} {row.approved_at:%Y-%m-%d}" if row.approved_at
                        else row.approved_by)
            values = (row.title, fields_text(row.fields), status, f"第{row.version}版",
                      f"{row.basis_name}{row.basis_article}", approved)
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 2 and row.status == "retired":
                    item.setForeground(CLOSED_COLOUR)
                elif col == 2 and (row.status == "draft" or draft is not None):
                    item.setForeground(SOON_COLOUR)
                if col in (0, 1, 4):
                    item.setToolTip(row.basis if col == 4 else value)
                self.table.setItem(r, col, item)
        self._size_columns()
        if keep is None or not self.select_answer(keep):
            self._selection_changed()
        self.sig_loaded.emit()

    def _size_columns(self) -> None:
        """Fit the columns to the text once, while they still have Qt's default width: widths
        the clerk set (kept in ui.ini by the main window) are left alone."""
        header = self.table.horizontalHeader()
        default = header.defaultSectionSize()
        if not self.items or any(self.table.columnWidth(c) != default
                                 for c in range(len(COLUMNS) - 1)):
            return
        self.table.resizeColumnsToContents()
        for col, cap in COLUMN_CAPS.items():
            if self.table.columnWidth(col) > cap:
                self.table.setColumnWidth(col, cap)

    def _load_failed(self, exc: Exception) -> None:
        self.show_message(str(exc), error=True)

    def selected(self):
        return selected_item(self.table, self.items)

    def select_answer(self, answer_id: int) -> bool:
        if not select_first(self.table, self.items, lambda item: item[0].answer_id == answer_id):
            return False
        self._selection_changed()
        return True

    def rows(self) -> list[tuple[str, ...]]:
        """What the table shows (tests, and a quick look from the debugger)."""
        return [tuple(self.table.item(r, c).text() for c in range(self.table.columnCount()))
                for r in range(self.table.rowCount())]

    # ------------------------------------------------------------------ selection

    def _selection_changed(self) -> None:
        current = self.selected()
        self.history.blockSignals(True)
        self.history.setRowCount(0)
        if current is None:
            self.text.setHtml("<p style='color:#555'>选择左侧的一条答复口径查看正文和版本记录。</p>"
                              if self.items else
                              "<p style='color:#555'>没有符合条件的答复口径。</p>")
        else:
            row, versions = current
            self.history.setRowCount(len(versions))
            for r, v in enumerate(versions):
                values = (f"第{v.version}版", v.status_label,
                          f"{v.drafted_by} {_when(v.drafted_at)}".strip(),
                          f"{v.approved_by} {_when(v.approved_at)}".strip())
                for col, value in enumerate(values):
                    self.history.setItem(r, col, QTableWidgetItem(value))
                if v.version_id == row.version_id:
                    self.history.selectRow(r)
            self.text.setHtml(version_html(row, current=True))
        self.history.blockSignals(False)
        self.update_permissions()

    def _version_selected(self) -> None:
        current = self.selected()
        rows = self.history.selectionModel().selectedRows()
        if current is None or not rows:
            return
        row, versions = current
        v = versions[rows[0].row()]
        self.text.setHtml(version_html(v, current=v.version_id == row.version_id))

    def shown_version(self):
        """The version whose text is on screen (the row's, or one picked in the history)."""
        current = self.selected()
        rows = self.history.selectionModel().selectedRows()
        if current is None:
            return None
        if not rows:
            return current[0]
        return current[1][rows[0].row()]

    def update_permissions(self) -> None:
        actor = session.current()
        may_draft, may_approve = actor.can("register"), actor.can("approve")
        current = self.selected()
        versions = current[1] if current else []
        has_draft = any(v.status == "draft" for v in versions)
        live = any(v.status in ("draft", "approved") for v in versions)
        idle = not self._busy
        self.new_button.setEnabled(may_draft)
        self.edit_button.setEnabled(may_draft and current is not None)
        self.approve_button.setEnabled(may_approve and has_draft)
        self.retire_button.setEnabled(may_approve and live)
        self.import_button.setEnabled(may_draft and idle)
        self.export_button.setEnabled(actor.can("export") and idle)
        leader_only = "" if may_approve else "只有负责人可以审定或停用答复口径"
        self.approve_button.setToolTip(leader_only or ("" if has_draft else "没有待审定的草稿"))
        self.retire_button.setToolTip(leader_only)
        self.new_button.setToolTip("" if may_draft else "本账户不能起草答复口径")
        self.edit_button.setToolTip("" if may_draft else "本账户不能起草答复口径")

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message.setText(text)

    def _finish(self, ok: bool, text: str) -> None:
        self.show_message(text, error=not ok)
        self.sig_finished.emit(ok, text)

    # ------------------------------------------------------------------ dialogs

    def _open(self, dialog) -> None:
        open_only(self, dialog)

    def new_answer(self) -> None:
        editor = AnswerEditor(self._tasks, today=self._today, parent=self)
        editor.sig_done.connect(self._draft_saved)
        self._open(editor)

    def edit_answer(self) -> None:
        current = self.selected()
        if current is None or not session.current().can("register"):
            return
        row, versions = current
        draft = next((v for v in versions if v.status == "draft"), None)
        editor = AnswerEditor(self._tasks, draft or row, today=self._today, parent=self)
        editor.sig_done.connect(self._draft_saved)
        self._open(editor)

    def _draft_saved(self, text) -> None:
        self._select_after = text.answer_id
        self._finish(True, f"已保存“{text.title}”第{text.version}版草稿，待负责人审定。")
        self.refresh()

    def approve_answer(self) -> None:
        from xinfang_desk.core.answers import library as answers

        current = self.selected()
        draft = next((v for v in current[1] if v.status == "draft"), None) if current else None
        if draft is None:
            return
        approved = next((v for v in current[1] if v.status == "approved"), None)
        text = f"审定“{draft.title}”第{draft.version}版。审定后将在接待时推荐使用。"
        if approved is not None:
            text += (f"\n现行的第{approved.version}版随之停用，但仍可查阅，"
                     "已使用它的案件仍显示原文。")
        version_id = draft.version_id
        dialog = DecisionDialog(self._tasks, title="审定答复口径", text=text, ok_text="审定",
                                job=lambda name: answers.approve(version_id, approver=name),
                                parent=self)
        dialog.sig_done.connect(self._approved)
        self._open(dialog)

    def _approved(self, text) -> None:
        self._select_after = text.answer_id
        self._finish(True, f"已审定“{text.title}”第{text.version}版（审定人：{text.approved_by}）。")
        self.refresh()

    def retire_answer(self) -> None:
        from xinfang_desk.core.answers import library as answers

        current = self.selected()
        if current is None:
            return
        row, versions = current
        approved = next((v for v in versions if v.status == "approved"), None)
        if approved is not None:
            text = (f"停用“{row.title}”（第{approved.version}版）。停用后不再推荐使用；"
                    "已使用它的案件仍显示原文，勾选“显示已停用”可查阅。")
        else:
            text = f"放弃“{row.title}”的草稿（从未审定），停用后不再显示在列表中。"
        answer_id, title = row.answer_id, row.title
        dialog = DecisionDialog(self._tasks, title="停用答复口径", text=text, ok_text="停用",
                                job=lambda name: answers.retire(answer_id, approver=name),
                                parent=self)
        dialog.sig_done.connect(lambda _r: self._retired(answer_id, title))
        self._open(dialog)

    def _retired(self, answer_id: int, title: str) -> None:
        self._select_after = answer_id
        self._finish(True, f"已停用“{title}”。")
        self.refresh()

    # ------------------------------------------------------------------ import / export

    # Methods, so that tests can supply the path instead of the modal file dialog.
    def ask_open_path(self) -> str | None:
        path, _f = QFileDialog.getOpenFileName(self, "导入答复口径库",
                                               self.last_dir or os.path.expanduser("~"),
                                               FILE_FILTER)
        return path or None

    def ask_save_path(self) -> str | None:
        name = f"答复口径库_{dt.date.today():%Y%m%d}.json"
        start = os.path.join(self.last_dir or os.path.expanduser("~"), name)
        path, _f = QFileDialog.getSaveFileName(self, "导出答复口径库", start, FILE_FILTER)
        return path or None

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.update_permissions()

    def export_file(self, path: str | Path | None = None) -> None:
        from xinfang_desk.core.answers import library_file

        if self._busy:
            return
        path = str(path) if path else self.ask_save_path()
        if not path:
            return
        if not path.lower().endswith(".json"):
            path += ".json"
        self._set_busy(True)
        self.show_message(f"正在导出：{path}")
        self._tasks.run_for((self,), lambda: library_file.export_library(Path(path)),
                            lambda n: self._exported(path, n),
                            lambda exc: self._file_failed("导出", path, exc))

    def _exported(self, path: str, count: int) -> None:
        self._set_busy(False)
        self.last_dir = os.path.dirname(path)
        self._finish(True, f"已导出{count}条答复口径及政策依据到 {path}。")

    def import_file(self, path: str | Path | None = None) -> None:
        from xinfang_desk.core.answers import library_file

        if self._busy:
            return
        path = str(path) if path else self.ask_open_path()
        if not path:
            return
        self._set_busy(True)
        self.show_message(f"正在导入：{path}")
        self._tasks.run_for((self,), lambda: library_file.import_library(Path(path)),
                            lambda report: self._imported(path, report),
                            lambda exc: self._file_failed("导入", path, exc))

    def _imported(self, path: str, report) -> None:
        self._set_busy(False)
        self.last_dir = os.path.dirname(path)
        text = import_report_text(report)
        self._finish(True, "已导入：" + text.replace("\n", " "))
        self._tell("导入完成", f"已导入 {Path(path).name}。\n\n{text}", "importReportBox",
                   QMessageBox.Icon.Information)
        self.refresh()

    def _file_failed(self, action: str, path: str, exc: BaseException) -> None:
        self._set_busy(False)
        text = file_error_text(action, exc, f"未能{action}（{path}）：{{reason}}。")
        if action == "导入" and "未导入任何内容" not in text:
            text += "（未导入任何内容）"
        self._finish(False, text)
        self._tell(f"{action}失败", text, f"{'import' if action == '导入' else 'export'}FailedBox",
                   QMessageBox.Icon.Warning)

    def _tell(self, title: str, text: str, name: str, icon) -> None:
        if self.box is not None:
            self.box.close()
        box = QMessageBox(icon, title, text, parent=self)
        box.setObjectName(name)
        box.setStyleSheet("QLabel#qt_msgbox_label{min-width:420px}")
        box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
        self.box = box
        box.finished.connect(lambda _r, b=box: self._box_closed(b))
        box.open()

    def _box_closed(self, box: QMessageBox) -> None:
        if self.box is box:
            self.box = None
        box.deleteLater()


# --------------------------------------------------------------------------- the tab

class AnswersPage(QWidget):
    """The main window's 答复口径 tab: the library and, beside it, the policy references."""

    def __init__(self, tasks: TaskRunner, today: dt.date | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("answersPage")
        self.library = LibraryPanel(tasks, today=today)
        self.policy = PolicyPanel(tasks)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("answersTabs")
        self.tabs.addTab(self.library, "答复口径")
        self.tabs.addTab(self.policy, "政策依据")
        intro = QLabel("答复口径：经负责人审定的统一答复，接待登记和书面答复时按领域和事项推荐；"
                       "接待员可起草，负责人审定后生效。修改已审定的口径生成新版本，旧版本仍可查阅。")
        intro.setWordWrap(True)
        intro.setStyleSheet(HINT_STYLE)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tabs, 1)

    def refresh(self) -> None:
        self.library.update_permissions()
        self.policy.update_permissions()
        self.library.refresh()
        if self.policy.loaded:
            self.policy.refresh()

    def showEvent(self, event):  # noqa: N802 - Qt API
        # Loaded when the tab is opened (not at program start), and again on each return.
        if not event.spontaneous():
            self.refresh()
        super().showEvent(event)

