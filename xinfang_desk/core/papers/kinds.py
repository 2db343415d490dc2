"""What a file is, judged by its content, never by its name: a renamed program stays a
program. The kinds an office attaches: scans and photos (JPEG, PNG, TIFF incl. multi-page),
PDF, Word/WPS/Excel documents, plain text. Anything else is refused with the reason.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

# The papers' kinds a clerk chooses from (what the paper is, not its file format).
PAPER_KINDS = ("来信原件", "身份证明", "证据材料", "答复文书", "反馈材料", "其他")
IMAGE_TYPES = ("jpeg", "png", "tiff")
TYPE_LABELS = {
    "jpeg": "JPEG 图片", "png": "PNG 图片", "tiff": "TIFF 图片", "pdf": "PDF 文件",
    "docx": "Word 文档", "xlsx": "Excel 表格", "pptx": "演示文稿", "ole": "Word/Excel/WPS 文档（97-2003格式）",
    "wps": "WPS 文档", "txt": "文本文件",
}
# The extension a temporary copy gets, so the system opens it with the right program.
SUFFIXES = {"jpeg": ".jpg", "png": ".png", "tiff": ".tif", "pdf": ".pdf", "docx": ".docx",
            "xlsx": ".xlsx", "pptx": ".pptx", "ole": ".doc", "wps": ".wps", "txt": ".txt"}
_OLE_SUFFIXES = (".doc", ".xls", ".ppt", ".wps", ".et", ".dps")


@dataclass(frozen=True)
class Judged:
    file_type: str  # a key of TYPE_LABELS
    pages: int = 1

    @property
    def label(self) -> str:
        return TYPE_LABELS[self.file_type]

    @property
    def is_image(self) -> bool:
        return self.file_type in IMAGE_TYPES


class UnknownKind(ValueError):
    """The content is none of the kinds an office attaches (the reason in Chinese)."""


def _zip_kind(data: bytes) -> str | None:
    import zipfile  # only for a file that looks like an office document

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("ppt/") for n in names):
        return "pptx"
    return None


def _pdf_pages(data: bytes) -> int:
    # A cheap count that needs no PDF library: each page object says /Type /Page.
    import re

    n = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    return max(n, 1)


def _tiff_pages(data: bytes) -> int:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            return max(getattr(im, "n_frames", 1), 1)
    except Exception:  # noqa: BLE001 - an unreadable TIFF is refused below
        return 0


def _looks_like_text(data: bytes) -> bool:
    sample = data[:65536]
    if b"\x00" in sample:
        return False
    cut = len(data) > len(sample)
    for encoding in ("utf-8", "gb18030"):
        text = None
        # The sample may have cut a multi-byte character in two: try a few bytes shorter.
        for trim in (0, 1, 2, 3) if cut else (0,):
            try:
                text = sample[:len(sample) - trim].decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
        return controls <= len(text) // 200
    return False


def judge(data: bytes, file_name: str = "") -> Judged:
    """The file's type from its first bytes; UnknownKind when it is no kind we attach."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return Judged("jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Judged("png")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        pages = _tiff_pages(data)
        if pages == 0:
            raise UnknownKind("TIFF 图片已损坏，无法读取")
        return Judged("tiff", pages)
    if data.lstrip()[:5] == b"%PDF-":
        return Judged("pdf", _pdf_pages(data))
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data)
        if kind:
            return Judged(kind)
        raise UnknownKind("是压缩包或无法识别的 Office 文件，不能作为附件")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: Office 97-2003 and WPS
        suffix = file_name.lower().rsplit(".", 1)[-1] if "." in file_name else ""
        return Judged("wps" if f".{suffix}" in (".wps", ".et", ".dps") else "ole")
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF"):
        raise UnknownKind("是可执行程序（不论扩展名如何），不能作为附件")
    if _looks_like_text(data):
        return Judged("txt")
    raise UnknownKind("不是图片、PDF、Word/WPS/Excel 文档或文本文件，无法识别")
