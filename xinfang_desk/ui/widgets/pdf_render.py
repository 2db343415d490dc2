"""PDF bytes -> QImage pages, through pypdfium2 (the Essentials wheel has no QtPdf).

QImage (unlike QPixmap) may be created on the worker thread, so the preview renders there.
PDFium itself is not thread-safe: every call into it goes through one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from PySide6.QtGui import QImage

PREVIEW_DPI = 100
MAX_PRINT_DPI = 300
_PDF_POINT = 72.0  # PDF canvas units per inch

_pdfium_lock = threading.RLock()


def _open(pdf: bytes):
    import pypdfium2

    return pypdfium2.PdfDocument(pdf)


def _to_qimage(page, dpi: float) -> QImage:
    bitmap = page.render(scale=dpi / _PDF_POINT, rev_byteorder=True, prefer_bgrx=True)
    try:
        assert bitmap.mode == "RGBX", bitmap.mode
        view = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                      QImage.Format.Format_RGBX8888)
        image = view.copy()  # own the pixels: the bitmap's buffer goes with it
    finally:
        bitmap.close()
    image.setDotsPerMeterX(round(dpi / 0.0254))
    image.setDotsPerMeterY(round(dpi / 0.0254))
    return image


def page_count(pdf: bytes) -> int:
    with _pdfium_lock:
        doc = _open(pdf)
        try:
            return len(doc)
        finally:
            doc.close()


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's (width, height) in points."""
    with _pdfium_lock:
        doc = _open(pdf)
        try:
            return [doc[i].get_size() for i in range(len(doc))]
        finally:
            doc.close()


def render_pages(pdf: bytes, dpi: float = PREVIEW_DPI) -> list[QImage]:
    """Every page as an RGB image at `dpi` (safe on the worker thread)."""
    return list(iter_pages(pdf, dpi))


def iter_pages(pdf: bytes, dpi: float = PREVIEW_DPI) -> Iterator[QImage]:
    """Page by page, so that printing at 300 dpi holds one large image at a time."""
    with _pdfium_lock:
        doc = _open(pdf)
        try:
            count = len(doc)
        finally:
            doc.close()
    for i in range(count):
        with _pdfium_lock:
            doc = _open(pdf)
            try:
                page = doc[i]
                try:
                    image = _to_qimage(page, dpi)
                finally:
                    page.close()
            finally:
                doc.close()
        yield image


def first_page(pdf: bytes, dpi: float = 36) -> QImage | None:
    """The first page only (a thumbnail), or None for a PDF PDFium cannot open."""
    with _pdfium_lock:
        try:
            doc = _open(pdf)
        except Exception:  # noqa: BLE001 - pypdfium2 raises its own PdfiumError
            return None
        try:
            if len(doc) == 0:
                return None
            page = doc[0]
            try:
                return _to_qimage(page, dpi)
            finally:
                page.close()
        finally:
            doc.close()
