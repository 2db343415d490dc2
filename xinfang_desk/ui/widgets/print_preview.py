"""文书预览: the real pages of a generated PDF, with 打印… / 另存为PDF… / 关闭.

The PDF is built (and normally its preview pages rendered) on the worker thread; this dialog
only shows them. Printing paints each page, rendered at the printer's resolution (at most
300 dpi), onto a QPrinter, so it works with any system printer and without QtPdf.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QRect, QSizeF, Qt, Signal
from PySide6.QtGui import QGuiApplication, QImage, QPageLayout, QPageSize, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core import atomic
from xinfang_desk.ui.widgets import pdf_render

log = logging.getLogger(__name__)

PAGE_GAP = 14


def _safe_file_name(title: str) -> str:
    name = "".join("_" if c in '\\/:*?"<>|' else c for c in title).strip() or "文书"
    return name + ".pdf"


def print_pdf(pdf: bytes, printer: QPrinter, max_dpi: int = pdf_render.MAX_PRINT_DPI) -> int:
    """Paint every page of `pdf` onto `printer`; returns the number of pages printed.

    Each page is rendered at the printer's resolution (capped at `max_dpi`) and scaled into
    the full paper rect keeping its aspect ratio: the documents carry their own margins.
    """
    sizes = pdf_render.page_sizes(pdf)
    if not sizes:
        raise ValueError("PDF 没有页面")
    width, height = sizes[0]
    printer.setFullPage(True)
    orientation = (QPageLayout.Orientation.Landscape if width > height
                   else QPageLayout.Orientation.Portrait)
    printer.setPageOrientation(orientation)
    dpi = max(72, min(printer.resolution(), max_dpi))
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("无法开始打印（打印机不可用或输出文件无法写入）")
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        for i, image in enumerate(pdf_render.iter_pages(pdf, dpi)):
            if i and not printer.newPage():
                raise OSError("打印机无法换页")
            target = painter.window()  # the whole paper, in device pixels (full page)
            scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = target.x() + (target.width() - scaled.width()) // 2
            y = target.y() + (target.height() - scaled.height()) // 2
            # Let the paint engine scale: a 300 dpi image is not blown up to 1200 dpi.
            painter.drawImage(QRect(x, y, scaled.width(), scaled.height()), image)
        return len(sizes)
    finally:
        painter.end()


def page_column(count: int, name: str, gap: int = PAGE_GAP) -> tuple[QScrollArea, list[QLabel]]:
    """Pages one below the other on a grey desk, as paper: a scroll area and one empty label
    per page (named `{name}Page1`…; the area `{name}Scroll`), for the caller to fill."""
    holder = QWidget()
    holder.setObjectName(f"{name}Pages")
    holder.setStyleSheet(f"#{name}Pages {{ background: #8a8f96; }}")
    column = QVBoxLayout(holder)
    column.setSpacing(gap)
    column.setContentsMargins(gap, gap, gap, gap)
    labels = []
    for i in range(count):
        label = QLabel()
        label.setObjectName(f"{name}Page{i + 1}")
        label.setStyleSheet("background: white; border: 1px solid #555;")
        column.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
        labels.append(label)
    column.addStretch(1)
    scroll = QScrollArea()
    scroll.setObjectName(f"{name}Scroll")
    scroll.setWidget(holder)
    scroll.setWidgetResizable(True)
    return scroll, labels


class PrintPreviewDialog(QDialog):
    sig_output_done = Signal(str)
    """The document went out: "print" after printing, "save" after 另存为PDF."""

    def __init__(self, pdf_bytes: bytes, title: str, parent=None, *,
                 pages: list[QImage] | None = None):
        super().__init__(parent)
        self.setObjectName("printPreviewDialog")
        self.setWindowTitle(f"文书预览 — {title}")
        self.pdf = bytes(pdf_bytes)
        self.title = title
        self.last_save_dir = ""
        if pages is None:  # small documents: rendering here is fast enough
            pages = pdf_render.render_pages(self.pdf, pdf_render.PREVIEW_DPI)
        self.pages = pages

        self.scroll, self.page_labels = page_column(len(pages), "preview")
        for label, image in zip(self.page_labels, pages, strict=True):
            label.setPixmap(QPixmap.fromImage(image))
            label.setFixedSize(image.size())

        self.page_count_label = QLabel(f"{title}　共 {len(pages)} 页")
        self.page_count_label.setObjectName("pageCountLabel")
        self.print_button = QPushButton("打印…")
        self.print_button.setObjectName("printButton")
        self.print_button.setDefault(True)
        self.save_button = QPushButton("另存为PDF…")
        self.save_button.setObjectName("savePdfButton")
        self.close_button = QPushButton("关闭")
        self.close_button.setObjectName("closeButton")
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_document)
        self.close_button.clicked.connect(self.reject)

        bottom = QHBoxLayout()
        bottom.addWidget(self.page_count_label)
        bottom.addStretch(1)
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(bottom)

        # Wide enough for a whole page beside the vertical scroll bar, whatever the style.
        margins = layout.contentsMargins()
        width = (self.scroll.widget().sizeHint().width()
                 + self.scroll.verticalScrollBar().sizeHint().width()
                 + 2 * self.scroll.frameWidth() + margins.left() + margins.right() + 8)
        screen = QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen else None
        max_height = available.height() - 80 if available else 900
        max_width = available.width() - 40 if available else width
        self.resize(min(width, max_width), max(480, min(1000, max_height)))

    # ------------------------------------------------------------------ printing

    def new_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.title)
        sizes = pdf_render.page_sizes(self.pdf)
        if sizes:
            w, h = sizes[0]
            printer.setPageSize(QPageSize(QSizeF(min(w, h), max(w, h)), QPageSize.Unit.Point))
        return printer

    # Modal dialogs are methods so that tests can replace them.
    def _ask_printer(self) -> QPrinter | None:
        """The system print dialog; None if cancelled."""
        printer = self.new_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"打印 {self.title}")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return printer

    def _ask_save_path(self) -> str | None:
        start = os.path.join(self.last_save_dir or os.path.expanduser("~"),
                             _safe_file_name(self.title))
        path, _filter = QFileDialog.getSaveFileName(self, "另存为PDF", start, "PDF 文件 (*.pdf)")
        return path or None

    def _alert(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def print_document(self) -> bool:
        printer = self._ask_printer()
        if printer is None:
            return False
        return self.print_to(printer)

    def print_to(self, printer: QPrinter) -> bool:
        """Print to an already configured printer (the dialog's, or a PDF file in tests)."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            print_pdf(self.pdf, printer)
        except Exception as exc:  # noqa: BLE001 - shown to the clerk
            log.exception("printing failed")
            QGuiApplication.restoreOverrideCursor()
            self._alert("打印失败", f"打印失败：{exc}")
            return False
        QGuiApplication.restoreOverrideCursor()
        self.sig_output_done.emit("print")
        return True

    def save_document(self) -> bool:
        path = self._ask_save_path()
        if not path:
            return False
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        return self.save_to(path)

    def save_to(self, path: str | os.PathLike) -> bool:
        try:
            atomic.write_bytes(path, self.pdf)
        except OSError as exc:
            log.warning("saving the PDF failed: %r", exc)
            self._alert("无法保存", f"无法保存到 {path}：{exc.strerror or exc}")
            return False
        self.last_save_dir = str(Path(path).parent)
        self.sig_output_done.emit("save")
        return True
