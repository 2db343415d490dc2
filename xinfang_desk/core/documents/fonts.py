"""Fonts for printed documents. ReportLab needs TrueType outlines. The body font is the office
PC's own font when the `document_font` setting names a TrueType file (e.g. SimSun), else the
bundled WenQuanYi Micro Hei; the bundled AR PL UMing (a Ming/Song face with CJK Extension A,
e.g. 䶮) fills in characters the body font lacks, run by run. Characters that no configured
font can draw are reported (errors.XinfangError) instead of printing as boxes."""

from __future__ import annotations

import threading
import unicodedata
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from xinfang_desk.core.errors import XinfangError
from xinfang_desk.core.resources import resource_path
from xinfang_desk.core.store import settings

BODY = "XFBody"
FALLBACK = "XFSong"
BUNDLED = ("fonts", "wqy-microhei.ttc")
BUNDLED_FALLBACK = ("fonts", "uming.ttc")

_lock = threading.Lock()
_fonts: list[TTFont] = []
_body_source: list[str] = []


def _office_font_path() -> str:
    try:
        return str(settings.get("document_font") or "").strip()
    except Exception:  # noqa: BLE001 - no database (e.g. a bare build): use the bundled font
        return ""


# Chinese punctuation that must not start a line (避头点). ReportLab's CJK wrap knows the
# Japanese set only, which lacks the full-width comma, semicolon, colon, ? and !.
NO_LINE_START = "，；：？！、。）》」』】〕〉”’…—％"


def _teach_chinese_line_breaking() -> None:
    # Both wrapping paths read the set: textsplit (one-font paragraphs) and paragraph (mixed).
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):
        missing = "".join(c for c in NO_LINE_START if c not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START += missing


def register_fonts() -> str:
    """Register the body and fallback fonts once per configured path (20–70 ms each)."""
    wanted = _office_font_path()
    _teach_chinese_line_breaking()
    with _lock:
        if _fonts and _body_source == [wanted]:
            return BODY
        body = None
        if wanted:
            try:
                body = TTFont(BODY, wanted, subfontIndex=0)
            except Exception as exc:  # noqa: BLE001 - a wrong path must not stop printing
                raise XinfangError(f"设置中的文书字体无法使用：{wanted}（须为TrueType字体文件 .ttf/.ttc）") from exc
        if body is None:
            body = TTFont(BODY, str(resource_path(*BUNDLED)), subfontIndex=0)
        pdfmetrics.registerFont(body)
        pdfmetrics.registerFontFamily(BODY, normal=BODY, bold=BODY, italic=BODY, boldItalic=BODY)
        fonts = [body]
        fallback_path = resource_path(*BUNDLED_FALLBACK)
        if fallback_path.exists():
            fallback = TTFont(FALLBACK, str(fallback_path), subfontIndex=0)
            pdfmetrics.registerFont(fallback)
            fonts.append(fallback)
        _fonts[:] = fonts
        _body_source[:] = [wanted]
    return BODY


def markup(text: str) -> str:
    """Escaped Paragraph markup of `text`, with runs the body font lacks set in the fallback.
    Uses the fonts registered when the document began (every builder calls register_fonts
    first): asking the settings again for each paragraph cost a query each, 4 s for a report
    with a long overdue list."""
    if not _fonts:
        register_fonts()
    body = _fonts[0].face.charToGlyph
    fallback = _fonts[1].face.charToGlyph if len(_fonts) > 1 else {}
    out: list[str] = []
    run: list[str] = []
    for ch in text or "":
        if ord(ch) not in body and ord(ch) in fallback:
            run.append(ch)
            continue
        if run:
            out.append(f'<font name="{FALLBACK}">{escape("".join(run))}</font>')
            run = []
        out.append(escape(ch))
    if run:
        out.append(f'<font name="{FALLBACK}">{escape("".join(run))}</font>')
    return "".join(out)


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
