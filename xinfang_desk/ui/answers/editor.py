"""编辑答复口径: the dialog in which a clerk or a leader drafts an answer.

Title, the fields (涉及领域) it applies to, keywords, the text with placeholders, the policy it
rests on and a note. Placeholders are inserted by buttons (answers.PLACEHOLDERS, with their
meaning as tooltips), and a live preview fills the text with sample values, so the clerk sees
before saving what a visitor would read — and where a value will be missing (【缺：…】) or a
placeholder is not one the program knows (【未知：…】, refused here).

Saving always makes a draft (core.answers.library.save_draft); editing an approved answer makes a new
draft version while the approved one stays in use until a leader approves the new one — the
dialog says so. The taxonomy and the policy documents are read on the worker thread; the
preview (answers.fill, a pure text function) runs on the GUI thread as the text is typed.
"""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.ui.widgets.forms import ERROR_STYLE, HINT_STYLE, FieldForm
from xinfang_desk.ui.widgets.tasks import TaskRunner

# Sample values for the preview. "At intake" lacks what only a registered case has (its
# acceptance date, number and query code), so the clerk sees those marked as missing.
SAMPLE_CASE = {
    "姓名": "张某某", "事项": "反映小区冬季供暖温度不达标问题", "受理日期": "2026年11月20日",
    "登记日期": "2026年11月18日", "承办单位": "县住房和城乡建设局", "答复期限": "2027年1月19日",
    "编号": "XF2026-000123", "查询码": "K7Q2M9", "本机关": "县信访局",
}
NOT_YET_AT_INTAKE = ("受理日期", "编号", "查询码")
PREVIEW_MODES = (("intake", "示例：接待登记时（尚无编号、受理日期）"),
                 ("case", "示例：已受理的案件"))
MARK_STYLE = "background:#ffe0b2;color:#c62828"


def sample_values(mode: str, today: dt.date | None = None) -> dict[str, str]:
    today = today or dt.date.today()
    values = dict(SAMPLE_CASE, 今天=f"{today.year}年{today.month}月{today.day}日")
    if mode == "intake":
        for name in NOT_YET_AT_INTAKE:
            values[name] = ""
    return values


def braced(names) -> str:
    return "、".join("{" + name + "}" for name in names)


def marked_html(text: str) -> str:
    """The filled text as HTML, with 【缺：…】/【未知：…】 marks highlighted."""
    out = []
    rest = text
    while True:
        start = rest.find("【")
        end = rest.find("】", start + 1) if start >= 0 else -1
        if start < 0 or end < 0:
            out.append(html.escape(rest))
            break
        out.append(html.escape(rest[:start]))
        mark = rest[start:end + 1]
        if mark.startswith(("【缺：", "【未知：")):
            out.append(f'<span style="{MARK_STYLE}">{html.escape(mark)}</span>')
        else:
            out.append(html.escape(mark))
        rest = rest[end + 1:]
    return "<div style='white-space:pre-wrap'>" + "".join(out).replace("\n", "<br>") + "</div>"


def _load_choices():
    """Worker thread: the active field taxonomy and the policy documents' names."""
    from xinfang_desk.core.answers import library as answers
    from xinfang_desk.core.cases import taxonomy

    return taxonomy.field_tree(), [name for _id, name in answers.list_policy_docs()]


class AnswerEditor(FieldForm):
    """Draft a new answer (`base` None) or a new/updated draft of an existing one."""

    sig_choices_loaded = Signal()

    def __init__(self, tasks: TaskRunner, base=None, *, pending_draft: bool = False,
                 today: dt.date | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("answerEditor")
        self._tasks = tasks
        self._today = today
        self.base = base
        self.answer_id = base.answer_id if base is not None else None
        self.setWindowTitle("新建答复口径" if base is None else f"编辑答复口径 — {base.title}")
        self.setMinimumSize(980, 680)

        self.notice = QLabel(self._notice_text(base, pending_draft))
        self.notice.setObjectName("editorNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("background:#fff8e1;border:1px solid #ffcc80;padding:6px")

        self.title = QLineEdit(base.title if base else "")
        self.title.setObjectName("editorTitle")
        self.title.setPlaceholderText("如：复查：对处理意见不服可在三十日内请求复查")
        self.add_field("标题", self.title)

        self.fields = QTreeWidget()
        self.fields.setObjectName("editorFields")
        self.fields.setHeaderHidden(True)
        self.fields.setMaximumHeight(150)
        self.fields.itemChanged.connect(self._fields_changed)
        self.fields_text = QLabel("")
        self.fields_text.setObjectName("editorFieldsText")
        self.fields_text.setWordWrap(True)
        self.fields_text.setStyleSheet(HINT_STYLE)
        fields_box = QWidget()
        fb = QVBoxLayout(fields_box)
        fb.setContentsMargins(0, 0, 0, 0)
        fb.addWidget(self.fields)
        fb.addWidget(self.fields_text)
        fields_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.add_field("适用领域", fields_box)
        self.field_errors["涉及领域"] = self.field_errors["适用领域"]
        self._chosen_fields: list[str] = list(base.fields) if base else []

        self.keywords = QLineEdit("、".join(base.keywords) if base else "")
        self.keywords.setObjectName("editorKeywords")
        self.keywords.setPlaceholderText("以顿号、逗号或空格分隔，如：复查、不服、处理意见")
        self.add_field("关键词", self.keywords)
        self.field_errors["领域或关键词"] = self.field_errors["关键词"]

        self.body = QPlainTextEdit(base.body if base else "")
        self.body.setObjectName("editorBody")
        self.body.setMinimumHeight(160)
        self.body.textChanged.connect(self._schedule_preview)
        body_box = QWidget()
        bb = QVBoxLayout(body_box)
        bb.setContentsMargins(0, 0, 0, 0)
        bb.addWidget(self.body)
        bb.addWidget(self._placeholder_buttons())
        self.add_field("正文", body_box)

        self.basis_name = QLineEdit(base.basis_name if base else "")
        self.basis_name.setObjectName("editorBasisName")
        self.basis_name.setPlaceholderText("如：《信访工作条例》")
        self.basis_article = QLineEdit(base.basis_article if base else "")
        self.basis_article.setObjectName("editorBasisArticle")
        self.basis_article.setPlaceholderText("如：第三十五条")
        self.basis_dated = QCheckBox("注明日期")
        self.basis_dated.setObjectName("editorBasisDated")
        self.basis_date = QDateEdit()
        self.basis_date.setObjectName("editorBasisDate")
        self.basis_date.setCalendarPopup(True)
        self.basis_date.setDisplayFormat("yyyy-MM-dd")
        day = base.basis_date if base is not None and base.basis_date else None
        self.basis_dated.setChecked(day is not None)
        self.basis_date.setDate(QDate(day.year, day.month, day.day) if day
                                else QDate.currentDate())
        self.basis_date.setEnabled(day is not None)
        self.basis_dated.toggled.connect(self.basis_date.setEnabled)
        basis_row = QWidget()
        br = QHBoxLayout(basis_row)
        br.setContentsMargins(0, 0, 0, 0)
        br.addWidget(self.basis_name, 3)
        br.addWidget(self.basis_article, 2)
        br.addWidget(self.basis_dated)
        br.addWidget(self.basis_date)
        self.add_field("依据", basis_row)
        for name in ("依据名称", "依据条款", "依据日期"):
            self.field_errors[name] = self.field_errors["依据"]

        self.note = QLineEdit(base.note if base else "")
        self.note.setObjectName("editorNote")
        self.note.setPlaceholderText("供审定人参考：适用范围、修改原因等（不出现在答复中）")
        self.add_field("说明", self.note)
        for line in (self.title, self.keywords, self.basis_name, self.note):
            line.setCursorPosition(0)  # a long text shows its beginning

        # The preview: the text as a visitor would read it, with sample values.
        self.preview_mode = QComboBox()
        self.preview_mode.setObjectName("editorPreviewMode")
        for code, label in PREVIEW_MODES:
            self.preview_mode.addItem(label, code)
        self.preview_mode.currentIndexChanged.connect(self.update_preview)
        self.preview = QTextBrowser()
        self.preview.setObjectName("editorPreview")
        self.preview_status = QLabel("")
        self.preview_status.setObjectName("editorPreviewStatus")
        self.preview_status.setWordWrap(True)
        preview_box = QWidget()
        pb = QVBoxLayout(preview_box)
        pb.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("预览（占位符以示例值填入）")
        heading.setStyleSheet("font-weight:bold")
        pb.addWidget(heading)
        pb.addWidget(self.preview_mode)
        pb.addWidget(self.preview, 1)
        pb.addWidget(self.preview_status)

        self.buttons = self.ok_cancel("保存草稿", "editorSaveButton")
        # Enter in a line must not save a half-written answer: Ctrl+S saves.
        for button in self.buttons.buttons():
            button.setAutoDefault(False)
            button.setDefault(False)
        self.ok_button.setToolTip("保存为草稿（Ctrl+S）")
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.submit)
        self.discard_box: QMessageBox | None = None
        form_box = QWidget()
        form_box.setLayout(self.form)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(form_box)
        split.addWidget(preview_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(150)
        self._preview_timer.timeout.connect(self.update_preview)
        self.update_preview()
        self._show_fields_text()
        self._saved_state = self._state()
        self._tasks.run_for((self, self.fields), _load_choices, self._choices_loaded,
                            self.show_error)

    @staticmethod
    def _notice_text(base, pending_draft: bool) -> str:
        rule = "保存后为草稿，须经负责人审定后才会在接待时推荐和使用。"
        if base is None:
            return "新建答复口径。" + rule
        if base.status == "draft":
            return f"正在修改“{base.title}”第{base.version}版草稿（尚未审定）。" + rule
        if base.status == "approved":
            return (f"“{base.title}”第{base.version}版已审定。修改不会改动已审定的文字："
                    "保存后生成新版本草稿，审定前仍使用第"
                    f"{base.version}版，审定后第{base.version}版停用但仍可查阅，"
                    "已使用它的案件仍显示原文。")
        return (f"“{base.title}”已停用。保存后生成新版本草稿，经负责人审定后重新启用。")

    def _placeholder_buttons(self) -> QWidget:
        from xinfang_desk.core.answers.fill import PLACEHOLDERS

        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(2)
        hint = QLabel("插入：")
        hint.setStyleSheet(HINT_STYLE)
        grid.addWidget(hint, 0, 0)
        self.placeholder_buttons: dict[str, QPushButton] = {}
        for i, (key, meaning) in enumerate(PLACEHOLDERS.items()):
            button = QPushButton(key)
            button.setObjectName(f"insert_{key[1:-1]}")
            button.setToolTip(f"{key}：{meaning}")
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the cursor stays in the text
            button.clicked.connect(lambda _=False, k=key: self.insert_placeholder(k))
            grid.addWidget(button, i // 5, 1 + i % 5)
            self.placeholder_buttons[key] = button
        grid.setColumnStretch(6, 1)
        return holder

    def insert_placeholder(self, key: str) -> None:
        self.body.insertPlainText(key)
        self.body.setFocus()

    # ------------------------------------------------------------------ fields picker

    def _choices_loaded(self, result) -> None:
        tree, docs = result
        self.fields.blockSignals(True)
        self.fields.clear()
        known = set()
        for node in tree:
            top = self._field_item(node.name, node.path)
            self.fields.addTopLevelItem(top)
            known.add(node.path)
            for child in node.children:
                top.addChild(self._field_item(child.name, child.path))
                known.add(child.path)
        for path in self._chosen_fields:  # kept even if since removed from the taxonomy
            if path not in known:
                self.fields.addTopLevelItem(self._field_item(f"{path}（不在现行分类中）", path))
        for i in range(self.fields.topLevelItemCount()):
            top = self.fields.topLevelItem(i)
            if any(top.child(j).checkState(0) == Qt.CheckState.Checked
                   for j in range(top.childCount())):
                top.setExpanded(True)
        self.fields.blockSignals(False)
        completer = QCompleter(docs, self.basis_name)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.basis_name.setCompleter(completer)
        self.sig_choices_loaded.emit()

    def _field_item(self, label: str, path: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([label])
        item.setData(0, Qt.ItemDataRole.UserRole, path)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Checked if path in self._chosen_fields
                           else Qt.CheckState.Unchecked)
        return item

    def _fields_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        path = item.data(0, Qt.ItemDataRole.UserRole)
        checked = item.checkState(0) == Qt.CheckState.Checked
        if checked and path not in self._chosen_fields:
            self._chosen_fields.append(path)
        elif not checked and path in self._chosen_fields:
            self._chosen_fields.remove(path)
        self._show_fields_text()

    def set_fields(self, paths) -> None:
        """Tick exactly these paths (tests and callers that know them)."""
        self._chosen_fields = []
        for item in self._all_field_items():
            path = item.data(0, Qt.ItemDataRole.UserRole)
            item.setCheckState(0, Qt.CheckState.Checked if path in paths
                               else Qt.CheckState.Unchecked)

    def _all_field_items(self):
        for i in range(self.fields.topLevelItemCount()):
            top = self.fields.topLevelItem(i)
            yield top
            for j in range(top.childCount()):
                yield top.child(j)

    def chosen_fields(self) -> tuple[str, ...]:
        return tuple(self._chosen_fields)

    def _show_fields_text(self) -> None:
        chosen = self.chosen_fields()
        self.fields_text.setText("已选：" + "、".join(chosen) if chosen
                                 else "未选：适用于所有领域（按关键词和文字推荐）")

    # ------------------------------------------------------------------ preview

    def _schedule_preview(self) -> None:
        self._preview_timer.start()

    def update_preview(self) -> None:
        from xinfang_desk.core.answers.fill import fill

        filled = fill(self.body.toPlainText(), sample_values(self.preview_mode.currentData(),
                                                             self._today))
        self.filled = filled
        self.preview.setHtml(marked_html(filled.text))
        notes = []
        if filled.missing:
            notes.append("此情形下尚无值、将标为【缺：…】的：" + "、".join(filled.missing)
                         + "（使用时须由接待员补全）")
        if filled.unknown:
            notes.append("不认识的占位符：" + braced(filled.unknown)
                         + "（请改用下方按钮插入的占位符）")
        self.preview_status.setStyleSheet(ERROR_STYLE if filled.unknown else HINT_STYLE)
        self.preview_status.setText("；".join(notes) if notes else "所有占位符都有值。")

    # ------------------------------------------------------------------ saving

    def draft(self):
        from xinfang_desk.core.answers.common import AnswerDraft

        day = None
        if self.basis_dated.isChecked():
            q = self.basis_date.date()
            day = dt.date(q.year(), q.month(), q.day())
        return AnswerDraft(title=self.title.text(), body=self.body.toPlainText(),
                           fields=self.chosen_fields(), keywords=(self.keywords.text(),),
                           basis_name=self.basis_name.text(),
                           basis_article=self.basis_article.text(), basis_date=day,
                           note=self.note.text())

    def submit(self) -> None:
        from xinfang_desk.core.answers import library as answers
        from xinfang_desk.core.errors import FieldError

        self.clear_errors()
        self.update_preview()
        if self.filled.unknown:
            self.show_error(FieldError("正文", "有不认识的占位符："
                                       + braced(self.filled.unknown)
                                       + "，请改正后再保存"))
            return
        draft, answer_id = self.draft(), self.answer_id
        self.ok_button.setEnabled(False)
        self._tasks.run_for((self,), lambda: answers.save_draft(draft, answer_id=answer_id),
                            self._saved, self._failed)

    def _saved(self, text) -> None:
        self.ok_button.setEnabled(True)
        self._saved_state = self._state()
        self.sig_done.emit(text)
        self.accept()

    def _state(self):
        return self.draft()

    def is_modified(self) -> bool:
        return self._state() != self._saved_state

    def reject(self) -> None:
        """取消 / Esc / closing: ask before throwing typed text away."""
        if not self.is_modified() or not self.isVisible():
            super().reject()
            return
        if self.discard_box is not None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "放弃修改",
                          "答复口径的修改尚未保存，确定放弃吗？", parent=self)
        box.setObjectName("discardBox")
        discard = box.addButton("放弃修改", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("继续编辑", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        self.discard_box = box

        def answered(_result) -> None:
            self.discard_box = None
            box.deleteLater()
            if box.clickedButton() is discard:
                self._saved_state = self._state()
                super(AnswerEditor, self).reject()

        box.finished.connect(answered)
        box.open()

    def closeEvent(self, event):  # noqa: N802 - Qt API
        if self.is_modified() and self.isVisible():
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    def _failed(self, exc: Exception) -> None:
        self.ok_button.setEnabled(True)
        self.show_error(exc)
