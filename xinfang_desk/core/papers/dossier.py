"""打印卷宗: the case file as one PDF, for a leader or the archive.

In order: the contents (卷宗目录: the case, then every section with its first page), the
register form (来访登记表), the timeline (办理过程, as the case detail shows it), the letters
issued (the documents whose printing is on the timeline, built again), then the attachments
that were not removed: images one page each (every page of a multi-page TIFF), PDF files page
by page as they are (their own text stays text), other kinds only listed in the contents
(「未收入（请另行调阅原件）」). Every page carries 「第 N 页 共 M 页」, stamped last.

Like core.documents, building is free of side effects except the audit of the attachments
read (attachment_data, purpose "dossier"); `record_dossier_printed` notes the printing on the
timeline once the PDF went out (printed or saved), as record_printed does for the letters.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle

from xinfang_desk.core import session
from xinfang_desk.core.cases.detail import CaseDetail, load_case_detail
from xinfang_desk.core.cases.records import _record_event, events_of, get_visible_case
from xinfang_desk.core.documents.build import DOCUMENTS, available_documents, build_document
from xinfang_desk.core.documents.fonts import BODY, markup, register_fonts
from xinfang_desk.core.documents.layout import NOTE, TITLE, Writer, _style, iso
from xinfang_desk.core.errors import StorageError, XinfangError
from xinfang_desk.core.papers.attachments import AttachmentInfo, attachment_data, list_attachments
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store import settings
from xinfang_desk.core.store.db import storage_errors

__all__ = ["DOSSIER_CODE", "DOSSIER_TITLE", "NOT_INCLUDED", "build_dossier",
           "record_dossier_printed"]

DOSSIER_CODE = "dossier"
DOSSIER_TITLE = "卷宗"  # the note of its `printed` event, like DOCUMENTS' titles
NOT_INCLUDED = "未收入（请另行调阅原件）"

PAGE_W, PAGE_H = A4
# Our own pages (contents, timeline, images): a plain A4 with room for the page stamp.
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 22 * mm, 22 * mm, 22 * mm
TEXT_W = PAGE_W - 2 * MARGIN_X
STAMP_Y = 8 * mm  # baseline of 「第 N 页 共 M 页」 above the bottom edge
STAMP_SIZE = 9

_HEAD = _style("dossier_head", 14, 22, spaceBefore=10, spaceAfter=6)
_IMAGE_HEAD = _style("dossier_image_head", 11, 16)


@dataclass
class Part:
    """One entry of the contents; `pdf` None when it is only listed (not included)."""

    title: str
    note: str
    pdf: bytes | None = None
    pages: int = 0


# ---------------------------------------------------------------------- the sections

def _approvers(case_no: str, detail: CaseDetail) -> list[str]:
    """The approving leader of each timeline entry (the registration has none)."""
    with storage_errors():
        rows = events_of(get_visible_case(case_no))
    approvers = [""] * len(detail.timeline)
    if [r.type for r in rows] == [e.type for e in detail.timeline[1:]]:
        approvers[1:] = [r.approver or "" for r in rows]
    return approvers


def _with_approver(text: str, approver: str) -> str:
    if not approver or "批准人" in text:
        return text
    return f"{text}（批准人：{approver}）"


def _header_row(table) -> None:
    """A grey header row, repeated on every page the table runs over."""
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8"))]))
    table.repeatRows = 1


def _render(story: list, title: str) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
                            topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=title,
                            author="xinfang-desk", creator="xinfang-desk", initialFontName=BODY)
    doc.build(story)
    return buf.getvalue()


def timeline_pdf(detail: CaseDetail, approvers: list[str]) -> bytes:
    """办理过程: every entry of the case detail's timeline, with its date and who did it."""
    w = Writer()
    rows = [["日期", "办理情况", "经办人"]]
    rows += [[iso(e.on), _with_approver(e.text, a), e.actor or "—"]
             for e, a in zip(detail.timeline, approvers, strict=True)]
    table = w.table(rows, [TEXT_W * 0.17, TEXT_W * 0.65, TEXT_W * 0.18], label_cols=(0, 2))
    _header_row(table)
    story = [w.p("办理过程", TITLE), w.p(f"案件编号：{detail.case_no}", NOTE), Spacer(1, 6), table]
    w.check()
    return _render(story, "办理过程")


def _printed_letters(case_no: str) -> list[tuple[str, dt.date]]:
    """(code, date of its last printing) of the documents printed for the case, in the order
    first printed; the register form is a section of its own, the dossier is not a letter."""
    by_title = {title: code for code, title in DOCUMENTS.items() if code != "register"}
    with storage_errors():
        rows = events_of(get_visible_case(case_no))
    last: dict[str, dt.date] = {}
    for row in rows:
        code = by_title.get(row.note) if row.type == "printed" else None
        if code:
            last[code] = row.on
    return list(last.items())


def letter_parts(case_no: str) -> list[Part]:
    """The letters issued, built again as of the day they were (last) printed; one no longer
    available is listed with the reason."""
    available = available_documents(case_no)
    parts = []
    for code, on in _printed_letters(case_no):
        title = f"文书：{DOCUMENTS[code]}"
        reason = available.get(code)
        if reason:
            parts.append(Part(title, f"{iso(on)} 打印；未收入：现已不能重新出具（{reason}）"))
            continue
        parts.append(Part(title, f"{iso(on)} 打印", build_document(case_no, code, today=on)))
    return parts


# ---------------------------------------------------------------------- attachments

def _frames(data: bytes) -> Iterator:
    """Each page of an image, upright (a phone photo's EXIF orientation applied)."""
    from PIL import Image, ImageOps, ImageSequence

    with Image.open(io.BytesIO(data)) as im:
        for frame in ImageSequence.Iterator(im):
            page = ImageOps.exif_transpose(frame.copy())
            if page.mode not in ("RGB", "L"):
                page = page.convert("L" if page.mode in ("1", "I;16", "I", "F") else "RGB")
            yield page


def _image_source(data: bytes, file_type: str) -> list:
    """What ReportLab draws: an upright JPEG as its own bytes (embedded without re-encoding),
    anything else as decoded pages."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    if file_type == "jpeg":
        with Image.open(io.BytesIO(data)) as im:
            upright = im.getexif().get(0x0112, 1) == 1  # EXIF Orientation
        if upright:
            return [ImageReader(io.BytesIO(data))]
    return [ImageReader(frame) for frame in _frames(data)]


def _draw_image_page(c, w: Writer, heading: str, image) -> None:
    head = Paragraph(markup(w.t(heading)), _IMAGE_HEAD)
    _hw, hh = head.wrap(TEXT_W, PAGE_H)
    top = PAGE_H - MARGIN_TOP
    head.drawOn(c, MARGIN_X, top - hh)
    area_h = top - hh - 4 * mm - MARGIN_BOTTOM
    iw, ih = image.getSize()
    scale = min(TEXT_W / iw, area_h / ih)
    dw, dh = iw * scale, ih * scale
    x, y = MARGIN_X + (TEXT_W - dw) / 2, top - hh - 4 * mm - dh
    c.drawImage(image, x, y, dw, dh)
    c.setStrokeColor(colors.HexColor("#999999"))  # a thin frame: a white scan's edge shows
    c.setLineWidth(0.5)
    c.rect(x, y, dw, dh, stroke=1, fill=0)


def image_pdf(heading: str, data: bytes, file_type: str) -> bytes:
    """An image attachment, each of its pages on an A4 page of its own, scaled to fit below
    its heading."""
    w = Writer()
    images = _image_source(data, file_type)
    headings = [heading + (f"（第{i}/{len(images)}页）" if len(images) > 1 else "")
                for i in range(1, len(images) + 1)]
    w.t("".join(headings))
    w.check()
    buf = io.BytesIO()
    c = pdfcanvas.Canvas(buf, pagesize=A4)
    c.setTitle(heading)
    for text, image in zip(headings, images, strict=True):
        _draw_image_page(c, w, text, image)
        c.showPage()
    c.save()
    return buf.getvalue()


def _readable_pdf(data: bytes) -> bytes:
    """The PDF if pypdf can take its pages (an unprotected or empty-password file)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted")
    if not reader.pages:
        raise ValueError("no pages")
    return data


def attachment_part(number: int, info: AttachmentInfo) -> Part:
    title = f"附件{number}：{info.title}"
    about = f"{info.kind}，{info.type_label}"
    if not (info.is_image or info.file_type == "pdf"):
        return Part(title, f"{about}；{NOT_INCLUDED}")
    try:
        _info, data = attachment_data(info.id, purpose="dossier")
    except (StorageError, session.PermissionDenied):
        raise
    except XinfangError as exc:  # e.g. the stored bytes no longer match their checksum
        return Part(title, f"{about}；未收入：{exc}")
    try:
        if info.is_image:
            pdf = image_pdf(f"{title}（{about}）", data, info.file_type)
        else:
            pdf = _readable_pdf(data)
    except XinfangError:
        raise  # a character no font can draw: refused like any document
    except Exception:  # noqa: BLE001 - a damaged or protected file is listed, not fatal
        return Part(title, f"{about}；未收入：文件无法读取（已损坏或加密），请另行调阅原件")
    return Part(title, about, pdf)


def attachment_parts(case_no: str) -> list[Part]:
    infos = list_attachments(case_no, include_removed=False)
    return [attachment_part(i, info) for i, info in enumerate(infos, start=1)]


# ---------------------------------------------------------------------- contents, assembly

def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _starts(parts: list[Part], first: int) -> list[int | None]:
    out: list[int | None] = []
    page = first
    for part in parts:
        out.append(page if part.pdf else None)
        page += part.pages
    return out


def contents_pdf(detail: CaseDetail, parts: list[Part], starts: list[int | None], total: int,
                 office: str, today: dt.date) -> bytes:
    """卷宗目录: the case, then one numbered row per section with its first page."""
    w = Writer()
    summary = dict(detail.fields).get("事项摘要", "")
    head = w.table([["案件编号", detail.case_no, "收到日期", iso(detail.received_on)],
                    ["事项", summary, "", ""],
                    ["状态", detail.status_label, "卷宗页数", f"共 {total} 页"]],
                   [TEXT_W * 0.15, TEXT_W * 0.45, TEXT_W * 0.17, TEXT_W * 0.23],
                   label_cols=(0, 2), spans=[((1, 1), (3, 1))])
    rows = [["序号", "材料", "说明", "页数", "起始页"]]
    for i, (part, start) in enumerate(zip(parts, starts, strict=True), start=1):
        rows.append([str(i), part.title, part.note, str(part.pages) if part.pdf else "—",
                     str(start) if start else "—"])
    listing = w.table(rows, [TEXT_W * 0.08, TEXT_W * 0.32, TEXT_W * 0.41, TEXT_W * 0.08,
                             TEXT_W * 0.11], label_cols=(0, 3, 4))
    _header_row(listing)
    story = [w.p(f"{office}", NOTE), w.p("卷宗目录", TITLE), head, w.p("目录", _HEAD), listing,
             Spacer(1, 10),
             w.p(f"本卷宗于{iso(today)}打印。标明“未收入”的材料未编入本卷宗，请另行调阅原件。",
                 NOTE)]
    w.check()
    return _render(story, f"{DOSSIER_TITLE} {detail.case_no}")


def _contents(detail: CaseDetail, parts: list[Part], office: str, today: dt.date) -> bytes:
    """The contents, built until its own page count no longer moves the page numbers."""
    pages = 1
    for _attempt in range(4):
        total = pages + sum(p.pages for p in parts)
        pdf = contents_pdf(detail, parts, _starts(parts, pages + 1), total, office, today)
        got = _page_count(pdf)
        if got == pages:
            break
        pages = got
    return pdf


def stamp_pdf(sizes: list[tuple[float, float]], total: int) -> bytes:
    """One overlay page per page of the dossier, each sized like it, with its number."""
    register_fonts()
    buf = io.BytesIO()
    c = pdfcanvas.Canvas(buf)
    for n, (width, height) in enumerate(sizes, start=1):
        c.setPageSize((width, height))
        text = f"第 {n} 页 共 {total} 页"
        c.setFont(BODY, STAMP_SIZE)
        tw = c.stringWidth(text, BODY, STAMP_SIZE)
        # A white ground keeps the number legible on a full-page scan.
        c.setFillColorRGB(1, 1, 1)
        c.rect(width / 2 - tw / 2 - 4, STAMP_Y - 3, tw + 8, STAMP_SIZE + 4, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.drawCentredString(width / 2, STAMP_Y, text)
        c.showPage()
    c.save()
    return buf.getvalue()


def _stamp(writer) -> None:
    from pypdf import PdfReader

    boxes = []
    for page in writer.pages:
        if page.rotation:
            page.transfer_rotation_to_content()  # so "bottom" is where the reader sees it
        box = page.cropbox
        boxes.append((float(box.left), float(box.bottom), float(box.width), float(box.height)))
    overlay = PdfReader(io.BytesIO(stamp_pdf([(w, h) for _x, _y, w, h in boxes], len(boxes))))
    for page, over, (x, y, _w, _h) in zip(writer.pages, overlay.pages, boxes, strict=True):
        page.merge_translated_page(over, x, y)


def assemble(contents: bytes, parts: list[Part], title: str) -> bytes:
    """The contents and the included parts as one PDF (a bookmark per part), numbered."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.append(io.BytesIO(contents), outline_item="卷宗目录", import_outline=False)
    for part in parts:
        if part.pdf:
            writer.append(io.BytesIO(part.pdf), outline_item=part.title, import_outline=False)
    _stamp(writer)
    writer.add_metadata({"/Title": title, "/Creator": "xinfang-desk", "/Producer": "xinfang-desk"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------------- the API

def build_dossier(case_no: str, *, today: dt.date | None = None) -> bytes:
    """The case file of a case one may see, as PDF bytes. Needs `print`; PermissionDenied for a
    confidential case one may not see; XinfangError if some text cannot be printed."""
    session.require("print")
    today = today or dt.date.today()
    detail = load_case_detail(case_no, today=today)  # refuses a case one may not see
    case_no = detail.case_no
    parts = [Part("来访登记表", "登记时的全部记录", build_document(case_no, "register", today=today)),
             Part("办理过程", f"共 {len(detail.timeline)} 条记录",
                  timeline_pdf(detail, _approvers(case_no, detail)))]
    parts += letter_parts(case_no)
    parts += attachment_parts(case_no)
    for part in parts:
        part.pages = _page_count(part.pdf) if part.pdf else 0
    with storage_errors():
        office = str(settings.get("office_name"))
    contents = _contents(detail, parts, office, today)
    return assemble(contents, parts, f"{DOSSIER_TITLE} {case_no}")


def record_dossier_printed(case_no: str, *, on: dt.date | None = None, actor: str = "") -> None:
    """Note on the timeline that the case file was printed or saved (打印文书：卷宗); needs
    `print`, audited as `printed` in the same transaction."""
    _record_event(case_no, EventData(type="printed", on=on or dt.date.today(), note=DOSSIER_TITLE),
                  actor=actor, audit_action="printed",
                  audit_extra={"doc": DOSSIER_CODE, "title": DOSSIER_TITLE})
