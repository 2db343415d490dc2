"""Attachments on screen, shared by the case detail and the intake: thumbnails (made as
QImage on the worker: a scaled image, a PDF's first page), a tile for the other kinds with
their type label, the files of a drop, and opening a file with the system's program from a
temporary copy (removed when the program ends)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QRect, Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QFont, QImage, QImageReader, QPainter, QPixmap

THUMB = 112  # the longer side of a thumbnail, in pixels
GREY_TEXT = QColor("#9e9e9e")

# The word on a document's tile (its type at a glance, as the clerk calls it).
SHORT_TYPES = {"jpeg": "JPG", "png": "PNG", "tiff": "TIFF", "pdf": "PDF", "docx": "Word",
               "xlsx": "Excel", "pptx": "PPT", "ole": "DOC/XLS", "wps": "WPS", "txt": "文本"}

_temp_dir: Path | None = None


# ---------------------------------------------------------------------- worker side (QImage)

def image_frames(data: bytes) -> list[QImage]:
    """Every frame of an image (each page of a multi-page TIFF). Safe on the worker thread."""
    array = QByteArray(data)
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)  # a phone photo shown upright
    frames: list[QImage] = []
    for i in range(max(reader.imageCount(), 1)):
        if i and not reader.jumpToImage(i):
            break
        image = reader.read()
        if image.isNull():
            break
        frames.append(image)
    reader.setDevice(None)  # the reader must let go of the buffer before it goes
    buffer.close()
    return frames


def thumbnail(data: bytes, file_type: str, side: int = THUMB) -> QImage | None:
    """A small picture of the file: the image scaled, a PDF's first page; None for the other
    kinds (shown as a tile with their type) or a file that cannot be drawn."""
    from xinfang_desk.core.papers.kinds import IMAGE_TYPES

    image: QImage | None = None
    if file_type in IMAGE_TYPES:
        image = _first_frame(data, side)
    elif file_type == "pdf":
        from xinfang_desk.ui.widgets import pdf_render

        try:
            image = pdf_render.first_page(data, dpi=36)
        except ImportError:  # pypdfium2 not installed: a tile instead
            image = None
    if image is None or image.isNull():
        return None
    if max(image.width(), image.height()) > side:
        image = image.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image


def _first_frame(data: bytes, side: int) -> QImage | None:
    array = QByteArray(data)
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > side:
        reader.setScaledSize(size.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    reader.setDevice(None)
    buffer.close()
    return None if image.isNull() else image


# ---------------------------------------------------------------------- GUI side (QPixmap)

def type_tile(label: str, side: int = THUMB, file_type: str = "") -> QImage:
    """A paper-like tile naming the file's type (for documents that have no picture)."""
    width = round(side * 0.78)
    image = QImage(width, side, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("#90a4ae"))
    painter.setBrush(QColor("#f5f7f8"))
    painter.drawRoundedRect(QRect(1, 1, width - 3, side - 3), 5, 5)
    short = SHORT_TYPES.get(file_type) or (label.split()[0] if label else "文件")
    small = side < 80  # a row's thumbnail: the type's word only
    band_height = max(14, side // 4) if small else 30
    band = QRect(1, (side - band_height) // 2 if small else side // 2 - 24, width - 3,
                 band_height)
    painter.fillRect(band, QColor("#546e7a"))
    font = QFont(painter.font())
    font.setBold(True)
    font.setPixelSize(max(9, side // 6) if small else 14)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(band, Qt.AlignmentFlag.AlignCenter, short)
    if not small:
        font.setBold(False)
        font.setPixelSize(10)
        painter.setFont(font)
        painter.setPen(QColor("#455a64"))
        painter.drawText(QRect(4, side // 2 + 10, width - 8, side // 2 - 14),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                         | Qt.TextFlag.TextWordWrap, label)
    painter.end()
    return image


def thumb_pixmap(image: QImage | None, type_label: str, *, file_type: str = "",
                 side: int = THUMB, greyed: bool = False) -> QPixmap:
    """The picture shown for an attachment, centred in a square (greyed when removed)."""
    picture = (image if image is not None and not image.isNull()
               else type_tile(type_label, side, file_type))
    canvas = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    canvas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(canvas)
    x = (side - picture.width()) // 2
    y = (side - picture.height()) // 2
    painter.drawImage(x, y, picture)
    if image is not None and not image.isNull():
        painter.setPen(QColor("#b0bec5"))
        painter.drawRect(x, y, picture.width() - 1, picture.height() - 1)
    painter.end()
    if greyed:  # grey and faint, the transparent corners kept
        grey = canvas.convertToFormat(QImage.Format.Format_Grayscale8).convertToFormat(
            QImage.Format.Format_ARGB32)
        grey.setAlphaChannel(canvas.convertToFormat(QImage.Format.Format_Alpha8))
        canvas = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
        canvas.fill(Qt.GlobalColor.transparent)
        painter = QPainter(canvas)
        painter.setOpacity(0.45)
        painter.drawImage(0, 0, grey)
        painter.end()
    return QPixmap.fromImage(canvas)


def dropped_paths(mime: QMimeData | None) -> list[Path]:
    """The local files of a drag (folders and remote URLs left out)."""
    if mime is None or not mime.hasUrls():
        return []
    paths = []
    for url in mime.urls():
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if not path.is_dir():
                paths.append(path)
    return paths


def has_files(mime: QMimeData | None) -> bool:
    return mime is not None and mime.hasUrls() and any(u.isLocalFile() for u in mime.urls())


# ---------------------------------------------------------------------- the system's program

def _open_dir() -> Path:
    global _temp_dir
    if _temp_dir is None or not _temp_dir.is_dir():
        _temp_dir = Path(tempfile.mkdtemp(prefix="xinfang-open-"))
        atexit.register(shutil.rmtree, _temp_dir, True)
    return _temp_dir


def temporary_copy(data: bytes, file_type: str, title: str) -> Path:
    """Write a copy to open with the system's program (worker thread): the suffix of its
    real type, so the right program opens it; the folder goes when the program ends."""
    from xinfang_desk.core.papers.kinds import SUFFIXES

    name = "".join("_" if c in '\\/:*?"<>|' else c for c in title).strip()[:60] or "附件"
    folder = Path(tempfile.mkdtemp(prefix="f", dir=_open_dir()))  # one folder per opening
    path = folder / f"{name}{SUFFIXES.get(file_type, '')}"
    path.write_bytes(data)
    return path


def cleanup_temporary_copies() -> None:
    """Remove the temporary copies now (also done at exit)."""
    global _temp_dir
    if _temp_dir is not None:
        shutil.rmtree(_temp_dir, ignore_errors=True)
        _temp_dir = None


def open_with_system(path: Path) -> bool:
    """Hand the file to the system's program for its type (GUI thread)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
