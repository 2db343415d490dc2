"""Fonts for printed documents. ReportLab needs TrueType outlines: the bundled WenQuanYi Micro
Hei (subfont 0 of the .ttc) is registered once and used for every document. Characters that no
configured font can draw are reported (errors.XinfangError) instead of printing as boxes."""

from __future__ import annotations

import threading
import unicodedata

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from xinfang_desk.core.errors import XinfangError
from xinfang_desk.core.resources import resource_path

BODY = "XFBody"
BUNDLED = ("fonts", "wqy-microhei.ttc")

_lock = threading.Lock()
_fonts: list[TTFont] = []


def register_fonts() -> str:
    """Register the body font once (20–70 ms); returns its ReportLab name."""
    with _lock:
        if not _fonts:
            font = TTFont(BODY, str(resource_path(*BUNDLED)), subfontIndex=0)
            pdfmetrics.registerFont(font)
            pdfmetrics.registerFontFamily(BODY, normal=BODY, bold=BODY, italic=BODY,
                                          boldItalic=BODY)
            _fonts.append(font)
    return BODY


def _drawable(ch: str) -> bool:
    if ch in "\n\r\t" or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
        return True  # layout characters, never drawn as glyphs
    cp = ord(ch)
    return any(cp in f.face.charToGlyph for f in _fonts)


def missing_glyphs(text: str) -> list[str]:
    """The characters of `text` (each once, in order) that no configured font can draw."""
    register_fonts()
    out: list[str] = []
    for ch in dict.fromkeys(text or ""):
        if not _drawable(ch):
            out.append(ch)
    return out


def check_glyphs(text: str) -> None:
    missing = missing_glyphs(text)
    if missing:
        chars = "".join(missing)
        raise XinfangError(f"以下字符无法打印：{chars}（请在设置中配置含该字的字体）")
