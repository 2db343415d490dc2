"""查看附件: the pages of an image (every page of a multi-page TIFF) or a PDF shown in the
program, one under the other, scaled to the window's width or at their own size. The pages are
made as QImage on the worker (`viewer_pages`); the dialog only shows them."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from xinfang_desk.ui.widgets.print_preview import page_column

PAGE_GAP = 12
VIEW_DPI = 110
MAX_PAGE_SIDE = 2400  # a 600 dpi scan is shown from a smaller copy


def can_view(file_type: str) -> bool:
    """Shown in the program (images and PDF); the others open in the system's program."""
    from xinfang_desk.core.papers.kinds import IMAGE_TYPES

    return file_type in IMAGE_TYPES or file_type == "pdf"


def viewer_pages(data: bytes, file_type: str) -> list[QImage]:
    """Every page as a QImage (worker thread)."""
    from xinfang_desk.ui.widgets.attachment_files import image_frames

    if file_type == "pdf":
        from xinfang_desk.ui.widgets import pdf_render

        pages = pdf_render.render_pages(data, VIEW_DPI)
    else:
        pages = image_frames(data)
    out = []
    for page in pages:
        if max(page.width(), page.height()) > MAX_PAGE_SIDE:
            page = page.scaled(MAX_PAGE_SIDE, MAX_PAGE_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
        out.append(page)
    return out


class AttachmentViewerDialog(QDialog):
    sig_export_requested = Signal()
    """导出… was pressed (the owner knows how to export the attachment)."""

    def __init__(self, title: str, pages: list[QImage], parent=None, *, subtitle: str = "",
                 can_export: bool = True):
        super().__init__(parent)
        self.setObjectName("attachmentViewer")
        self.setWindowTitle(f"查看附件 — {title}")
        self.pages = pages
        self._fit = True

        self.scroll, self.page_labels = page_column(len(pages), "viewer", PAGE_GAP)
        for i, label in enumerate(self.page_labels):
            label.setToolTip(f"第 {i + 1} 页，共 {len(pages)} 页")

        text = f"{title}　共 {len(pages)} 页" + (f"　{subtitle}" if subtitle else "")
        self.page_count_label = QLabel(text)
        self.page_count_label.setObjectName("viewerPageCount")
        self.fit_box = QCheckBox("适合宽度")
        self.fit_box.setObjectName("viewerFitWidth")
        self.fit_box.setChecked(True)
        self.fit_box.toggled.connect(self._set_fit)
        self.export_button = QPushButton("导出…")
        self.export_button.setObjectName("viewerExportButton")
        self.export_button.setVisible(can_export)
        self.export_button.clicked.connect(self.sig_export_requested)
        self.close_button = QPushButton("关闭")
        self.close_button.setObjectName("viewerCloseButton")
        self.close_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.page_count_label, 1)
        bottom.addWidget(self.fit_box)
        bottom.addWidget(self.export_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(bottom)

        screen = QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen else None
        height = min(1000, available.height() - 80) if available else 900
        width = min(900, available.width() - 40) if available else 900
        self.resize(width, max(480, height))
        self._layout_pages()

    def _set_fit(self, fit: bool) -> None:
        self._fit = fit
        self._layout_pages()

    def _page_width(self) -> int:
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        return max(200, self.scroll.viewport().width() - 2 * PAGE_GAP - bar // 2 - 4)

    def _layout_pages(self) -> None:
        room = self._page_width()
        for label, image in zip(self.page_labels, self.pages, strict=True):
            shown = image
            if self._fit and image.width() > room:
                shown = image.scaledToWidth(room, Qt.TransformationMode.SmoothTransformation)
            label.setPixmap(QPixmap.fromImage(shown))
            label.setFixedSize(shown.size())

    def resizeEvent(self, event):  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self._fit:
            self._layout_pages()
