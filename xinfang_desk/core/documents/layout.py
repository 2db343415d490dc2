"""Shared page layout: styles, the A4 official-letter template (in the manner of GB/T 9704)
with copy marks and "— n —" page numbers, and the half-A4 receipt with its stub."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from xinfang_desk.core.documents.fonts import BODY, check_glyphs, markup, register_fonts

PAGE_W, PAGE_H = A4
# GB/T 9704: top 37 mm, left 28 mm, right 26 mm, bottom 35 mm (type area 156 x 225 mm).
MARGIN_TOP, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_BOTTOM = 37 * mm, 28 * mm, 26 * mm, 35 * mm


def _style(name: str, size: float, leading: float, **kw) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=BODY, fontSize=size, leading=leading,
                          wordWrap="CJK", **kw)


TITLE = _style("title", 22, 32, alignment=TA_CENTER, spaceAfter=6)
DOCNO = _style("docno", 14, 24, alignment=TA_CENTER, spaceAfter=14)
BODY_STYLE = _style("body", 16, 28, alignment=TA_LEFT, firstLineIndent=32)
PLAIN = _style("plain", 16, 28, alignment=TA_LEFT)
HEADING = _style("heading", 16, 28, alignment=TA_LEFT, firstLineIndent=32)
RIGHT = _style("right", 16, 28, alignment=TA_RIGHT)
CELL = _style("cell", 11, 16)
CELL_LABEL = _style("cell_label", 11, 16, alignment=TA_CENTER)
SMALL = _style("small", 10, 14)
NOTE = _style("note", 12, 18)


def cn_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "______年____月____日"


def iso(day: dt.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


class Writer:
    """Collects every text that goes on paper, so missing glyphs are found before building."""

    def __init__(self):
        register_fonts()
        self.texts: list[str] = []

    def t(self, text: str) -> str:
        self.texts.append(text or "")
        return text or ""

    def p(self, text: str, style: ParagraphStyle = BODY_STYLE) -> Paragraph:
        return Paragraph(markup(self.t(text)), style)

    def paras(self, text: str, style: ParagraphStyle = BODY_STYLE) -> list[Paragraph]:
        """A clerk's text as written: one paragraph per line, nothing cut."""
        lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
        return [self.p(ln, style) for ln in lines]

    def check(self) -> None:
        check_glyphs("".join(self.texts))

    def table(self, rows: list[list[str]], widths: list[float], *, label_cols=(0,),
              spans=(), row_heights=None) -> Table:
        data = []
        for row in rows:
            data.append([self.p(c, CELL_LABEL if i in label_cols else CELL) if isinstance(c, str)
                         else c for i, c in enumerate(row)])
        table = Table(data, colWidths=widths, rowHeights=row_heights, repeatRows=0)
        cmds = [("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
        cmds += [("SPAN", a, b) for a, b in spans]
        table.setStyle(TableStyle(cmds))
        return table


def seal_block(w: Writer, office: str, day: dt.date | None) -> KeepTogether:
    """Issuer, seal area and date, bottom right."""
    return KeepTogether([Spacer(1, 28), w.p(office, RIGHT), w.p("（盖章）", RIGHT),
                         w.p(cn_date(day), RIGHT)])


class CopyStart(Flowable):
    """Zero-size marker: the copy that starts here (交信访人 / 附卷)."""

    def __init__(self, mark: str):
        super().__init__()
        self.mark = mark
        self.width = self.height = 0

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        pass


class _LetterDoc(BaseDocTemplate):
    def __init__(self, buf, copy_pages: dict[str, int], **kw):
        super().__init__(buf, pagesize=A4, initialFontName=BODY, leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT,
                         topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, **kw)
        self.copy_pages = copy_pages  # pages per copy, from the first pass
        self.counted: dict[str, int] = {}
        self.mark = ""
        self.copy_first = 1
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="letter", frames=[frame],
                                            onPageEnd=self._page_end)])

    def afterFlowable(self, flowable):
        if isinstance(flowable, CopyStart):
            self.mark = flowable.mark
            self.copy_first = self.page

    def _page_end(self, canvas, doc):
        n = self.page - self.copy_first + 1
        self.counted[self.mark] = n
        canvas.saveState()
        canvas.setFont(BODY, 12)
        if self.mark:
            x = PAGE_W - MARGIN_RIGHT
            y = PAGE_H - 20 * mm
            width = canvas.stringWidth(self.mark, BODY, 12)
            canvas.rect(x - width - 8, y - 5, width + 8, 18, stroke=1, fill=0)
            canvas.drawRightString(x - 4, y, self.mark)
        if self.copy_pages.get(self.mark, 1) > 1:
            canvas.setFont(BODY, 14)
            canvas.drawCentredString(PAGE_W / 2, MARGIN_BOTTOM - 14 * mm, f"— {n} —")
        canvas.restoreState()


def render_letter(story_fn: Callable[[], list], *, copies: tuple[str, ...] = ("",),
                  title: str = "", writer: Writer | None = None) -> bytes:
    """Build an A4 letter; with two copy marks the PDF holds both copies, each starting on a
    new page. Two passes: the first counts each copy's pages (page numbers only when > 1)."""
    from reportlab.platypus import PageBreak

    register_fonts()

    def story() -> list:
        out: list = []
        for i, mark in enumerate(copies):
            if i:
                out.append(PageBreak())
            out.append(CopyStart(mark))
            out += story_fn()
        return out

    counts: dict[str, int] = {}
    for _pass in range(2):
        flowables = story()
        if writer is not None and _pass == 0:
            writer.check()  # before anything is drawn: no boxes for missing glyphs
        buf = io.BytesIO()
        doc = _LetterDoc(buf, counts, title=title, author="xinfang-desk", creator="xinfang-desk")
        doc.build(flowables)
        if all(n <= 1 for n in doc.counted.values()):
            break
        counts = dict(doc.counted)
    return buf.getvalue()


class _ReceiptDoc(BaseDocTemplate):
    def __init__(self, buf, **kw):
        super().__init__(buf, pagesize=A4, initialFontName=BODY, leftMargin=18 * mm, rightMargin=18 * mm,
                         topMargin=12 * mm, bottomMargin=12 * mm, **kw)
        half = PAGE_H / 2
        w = PAGE_W - 36 * mm
        top = Frame(18 * mm, half + 8 * mm, w, half - 20 * mm, id="stub",
                    leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        bottom = Frame(18 * mm, 12 * mm, w, half - 20 * mm, id="receipt",
                       leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="receipt", frames=[top, bottom],
                                            onPage=self._cut_line)])

    @staticmethod
    def _cut_line(canvas, doc):
        canvas.saveState()
        y = PAGE_H / 2
        canvas.setDash(4, 3)
        canvas.setLineWidth(0.6)
        canvas.line(10 * mm, y, PAGE_W - 10 * mm, y)
        canvas.setDash()
        canvas.setFont(BODY, 8)
        label = "沿此线剪开（上联存根由本单位留存，下联回执交信访人）"
        canvas.setFillColor(colors.white)
        wlab = canvas.stringWidth(label, BODY, 8)
        canvas.rect(PAGE_W / 2 - wlab / 2 - 3, y - 4, wlab + 6, 9, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        canvas.drawCentredString(PAGE_W / 2, y - 2.5, label)
        canvas.restoreState()


RECEIPT_FRAME_W = PAGE_W - 36 * mm
RECEIPT_FRAME_H = PAGE_H / 2 - 20 * mm


def render_receipt(stub: list, receipt: list, *, title: str = "") -> bytes:
    from reportlab.platypus import FrameBreak, KeepInFrame

    register_fonts()
    buf = io.BytesIO()
    doc = _ReceiptDoc(buf, title=title, author="xinfang-desk", creator="xinfang-desk")
    doc.build([KeepInFrame(RECEIPT_FRAME_W, RECEIPT_FRAME_H, stub, mode="shrink"), FrameBreak(),
               KeepInFrame(RECEIPT_FRAME_W, RECEIPT_FRAME_H, receipt, mode="shrink")])
    return buf.getvalue()
