"""文书: build a document on the worker, preview it, print or save it, record the printing.

`DocumentOpener` is the flow shared by the intake page (打印回执) and the case detail window;
`DocumentsBox` is the detail window's group of one button per document, and 打印卷宗 (the
case file as one PDF, core.papers.dossier) goes through the same flow as the code "dossier".
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QMessageBox, QPushButton, QWidget

from xinfang_desk.ui.widgets.print_preview import PrintPreviewDialog
from xinfang_desk.ui.widgets.tasks import TaskRunner

log = logging.getLogger(__name__)

BUTTONS_PER_ROW = 5
DOSSIER = "dossier"  # core.papers.dossier.DOSSIER_CODE, without importing the core here
BUTTON_LABELS = {DOSSIER: "打印卷宗"}


# ---------------------------------------------------------------------- worker functions

def document_titles() -> dict[str, str]:
    """The documents' titles by code, the case file (卷宗) last."""
    from xinfang_desk.core.documents.build import DOCUMENTS
    from xinfang_desk.core.papers.dossier import DOSSIER_TITLE

    return {**DOCUMENTS, DOSSIER: DOSSIER_TITLE}


def load_availability(case_no: str, today: dt.date | None) -> dict[str, str | None]:
    """Runs on the worker: which documents may be produced now (None) or why not; the case
    file always may."""
    from xinfang_desk.core.documents.build import available_documents

    return {**available_documents(case_no, today=today), DOSSIER: None}


def build_pdf(case_no: str, doc: str, today: dt.date | None) -> bytes:
    if doc == DOSSIER:
        from xinfang_desk.core.papers.dossier import build_dossier

        return build_dossier(case_no, today=today)
    from xinfang_desk.core.documents.build import build_document

    return build_document(case_no, doc, today=today)


def build_and_render(case_no: str, doc: str, today: dt.date | None):
    """Runs on the worker: the PDF and its preview pages (QImage is thread-safe)."""
    from xinfang_desk.ui.widgets.pdf_render import PREVIEW_DPI, render_pages

    pdf = build_pdf(case_no, doc, today)
    return pdf, render_pages(pdf, PREVIEW_DPI)


def _record_printed(case_no: str, doc: str, on: dt.date | None, actor: str,
                    approval=None) -> None:
    if doc == DOSSIER:
        from xinfang_desk.core.papers.dossier import record_dossier_printed

        record_dossier_printed(case_no, on=on, actor=actor)
        return
    from xinfang_desk.core.documents.build import record_printed

    record_printed(case_no, doc, on=on, actor=actor, approval=approval)


# ---------------------------------------------------------------------- the flow

class DocumentOpener(QObject):
    """Builds a document in the worker, opens the preview, and once it was printed or saved
    records that on the case's timeline (in the worker)."""

    sig_opened = Signal(object)
    """The preview dialog is shown (the dialog)."""
    sig_printed = Signal(str, str)
    """The printing of (case_no, doc) was recorded."""
    sig_failed = Signal(str)
    """Building or recording failed (the message shown)."""
    sig_approval_requested = Signal(object)
    """A letter that needs a leader: the ApprovalDialog is shown (the dialog)."""

    def __init__(self, tasks: TaskRunner, parent_widget: QWidget, today: dt.date | None = None,
                 actor: str = ""):
        # The widget is only the Qt parent: holding it in Python too would make a reference
        # cycle that keeps the page's wrapper alive after Qt deleted it.
        super().__init__(parent_widget)
        self._tasks, self._today, self._actor = tasks, today, actor
        self.dialog: PrintPreviewDialog | None = None
        self.approval_dialog = None
        self._busy = False

    def open(self, case_no: str, doc: str) -> None:
        """Preview `doc`. The letters that carry a leader's decision (延期告知书, 答复意见书,
        采纳情况告知书) first ask for a leader's approval when the signed-in user may not
        approve; the approving leader is recorded with the printing."""
        if self._busy:
            return  # a double click must not open two previews
        self._busy = True
        from xinfang_desk.ui.widgets.approval_dialog import ApprovalDialog, needs_approval

        if not needs_approval(doc):
            self._build(case_no, doc, None)
            return
        ask = ApprovalDialog(doc, self._tasks, title=f"打印{self._title(case_no, doc)}",
                             parent=self.parent())
        ask.sig_approved.connect(lambda leader: self._build(case_no, doc, leader))
        ask.rejected.connect(self._approval_cancelled)
        ask.finished.connect(ask.deleteLater)
        self.approval_dialog = ask
        ask.open()
        self.sig_approval_requested.emit(ask)

    def _approval_cancelled(self) -> None:
        self._busy = False
        self.approval_dialog = None

    def _build(self, case_no: str, doc: str, approval) -> None:
        self.approval_dialog = None
        today = self._today
        self._tasks.run(lambda: build_and_render(case_no, doc, today),
                        lambda result: self._built(case_no, doc, result, approval),
                        self._build_failed)

    def _title(self, case_no: str, doc: str) -> str:
        try:
            name = document_titles().get(doc, doc)
        except ImportError:
            name = doc
        return f"{name}（{case_no}）"

    def _built(self, case_no: str, doc: str, result, approval=None) -> None:
        self._busy = False
        pdf, pages = result
        dialog = PrintPreviewDialog(pdf, self._title(case_no, doc), self.parent(), pages=pages)
        dialog.sig_output_done.connect(
            lambda _kind: self._output_done(case_no, doc, approval))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        self.sig_opened.emit(dialog)

    def _build_failed(self, exc: Exception) -> None:
        self._busy = False
        self._report("无法生成文书", exc)

    def _output_done(self, case_no: str, doc: str, approval=None) -> None:
        today, actor = self._today, self._actor
        self._tasks.run(lambda: _record_printed(case_no, doc, today, actor, approval),
                        lambda _r: self.sig_printed.emit(case_no, doc),
                        lambda exc: self._report("未能记录打印", exc))

    def _report(self, title: str, exc: Exception) -> None:
        from xinfang_desk.core.errors import XinfangError

        if isinstance(exc, XinfangError):
            text = str(exc)
        else:
            log.error("document flow failed: %r", exc)
            text = f"操作失败（程序错误）：{exc}"
        self.sig_failed.emit(text)
        self.alert(title, text)

    # A method so that tests can replace the modal box.
    def alert(self, title: str, text: str) -> None:
        QMessageBox.warning(self.parent(), title, text)


class DocumentsBox(QGroupBox):
    """文书: one button per document, enabled per `available_documents`."""

    sig_document_requested = Signal(str)

    def __init__(self, titles: dict[str, str], parent=None):
        super().__init__("文书", parent)
        self.setObjectName("documentsBox")
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        for i, (code, title) in enumerate(titles.items()):
            button = QPushButton(BUTTON_LABELS.get(code, title))
            button.setObjectName(f"doc_{code}")
            button.setEnabled(False)
            button.clicked.connect(lambda _=False, c=code: self.sig_document_requested.emit(c))
            grid.addWidget(button, i // BUTTONS_PER_ROW, i % BUTTONS_PER_ROW)
            self.buttons[code] = button

    def set_availability(self, available: dict[str, str | None]) -> None:
        for code, button in self.buttons.items():
            reason = available.get(code, "暂不可用")
            button.setEnabled(reason is None)
            button.setToolTip(reason or "")
