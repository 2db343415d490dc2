"""The monthly report as an A4 PDF: a cover with the headline figures and their change against
the previous period, the breakdown tables, two charts (cases by channel, cases by class) and
the matters overdue at the end of the period. Every figure comes from report.Report."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from xinfang_desk.core import atomic
from xinfang_desk.core.documents.fonts import BODY, check_glyphs, markup, register_fonts
from xinfang_desk.core.report.figures import HEADLINE, HEADLINE_LABELS, Report, format_rate
from xinfang_desk.core.store import settings

PAGE_W, PAGE_H = A4
MARGIN = 20 * mm
CONTENT_W = PAGE_W - 2 * MARGIN
PALETTE = [colors.HexColor(c) for c in (
    "#4472C4", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47", "#264478", "#9E480E",
    "#636363", "#997300")]


def _style(name: str, size: float, leading: float, **kw) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=BODY, fontSize=size, leading=leading,
                          wordWrap="CJK", **kw)


COVER_TITLE = _style("rp_cover_title", 26, 38, alignment=TA_CENTER)
COVER_SUB = _style("rp_cover_sub", 16, 26, alignment=TA_CENTER)
H1 = _style("rp_h1", 15, 24, spaceBefore=10, spaceAfter=6, keepWithNext=1)
CELL = _style("rp_cell", 10.5, 15)
CELL_C = _style("rp_cell_c", 10.5, 15, alignment=TA_CENTER)
HEAD = _style("rp_head", 10.5, 15, alignment=TA_CENTER, textColor=colors.white)
NOTE = _style("rp_note", 9.5, 14, textColor=colors.HexColor("#555555"))


class _Texts:
    """Collects every text put on paper, so missing glyphs are reported before building."""

    def __init__(self):
        self.all: list[str] = []

    def p(self, text: str, style: ParagraphStyle = CELL) -> Paragraph:
        self.all.append(text)
        return Paragraph(markup(text), style)


def _change(key: str, change) -> str:
    if change is None:
        return "—"
    if key.endswith("_rate"):
        return f"{change * 100:+.1f}个百分点"
    return f"{change:+d}"


def _shown(key: str, value) -> str:
    if key.endswith("_rate"):
        return format_rate(value)
    return "—" if value is None else str(value)


def _table(t: _Texts, header: list[str], rows: list[list[str]], widths: list[float],
           *, numeric_from: int = 1) -> Table:
    data = [[t.p(h, HEAD) for h in header]]
    for row in rows:
        data.append([t.p(c, CELL_C if i >= numeric_from else CELL) for i, c in enumerate(row)])
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(_GRID))
    return table


# Every table's lines, header band, striped rows and padding.
_GRID = [
    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#808080")),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#2F5496")),
    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#EEF2F8")]),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
]


def _long_table(t: _Texts, header: list[str], rows: list[list[str]], widths: list[float],
                *, numeric_from: int = 1) -> Table:
    """_table for lists that run to many pages (the overdue list: thousands of rows on a large
    database), whose cells hold one short line each. They are plain strings, not Paragraphs:
    ReportLab re-wraps every Paragraph cell of the remaining rows at each page break, which
    made 6,000 rows take 4 s. A cell with characters only the fallback font has stays a
    Paragraph. Looks the same."""
    data: list[list] = [[t.p(h, HEAD) for h in header]]
    for row in rows:
        cells: list = []
        for c in row:
            t.all.append(c)
            cells.append(c if markup(c) == escape(c) else Paragraph(markup(c), CELL))
        data.append(cells)
    # One line a row: fixed heights spare ReportLab measuring every remaining row again at
    # each page break.
    table = Table(data, colWidths=widths, repeatRows=1,
                  rowHeights=[None] + [CELL.leading + 6] * len(rows))
    table.setStyle(TableStyle(_GRID + [
        ("FONTNAME", (0, 1), (-1, -1), BODY), ("FONTSIZE", (0, 1), (-1, -1), CELL.fontSize),
        ("LEADING", (0, 1), (-1, -1), CELL.leading),
        ("ALIGN", (numeric_from, 1), (-1, -1), "CENTER"),
    ]))
    return table


def _share_rows(counts: dict[str, int], total: int) -> list[list[str]]:
    return [[k, str(n), format_rate(n / total if total else None)] for k, n in counts.items()]


def _bar_chart(t: _Texts, counts: dict[str, int]) -> Drawing:
    w, h = CONTENT_W, 200
    d = Drawing(w, h)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, w - 60, h - 60
    names = list(counts)
    t.all.extend(names)
    chart.data = [[counts[k] for k in names] or [0]]
    chart.categoryAxis.categoryNames = names or [""]
    chart.categoryAxis.labels.fontName = BODY
    chart.categoryAxis.labels.fontSize = 9
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.valueAxis.labels.fontName = BODY
    chart.valueAxis.labels.fontSize = 9
    chart.valueAxis.valueMin = 0
    top = max(chart.data[0]) if chart.data[0] else 0
    step = max(1, -(-top // 5))
    chart.valueAxis.valueStep = step
    chart.valueAxis.valueMax = max(step * 5, top)
    chart.bars[0].fillColor = PALETTE[0]
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = BODY
    chart.barLabels.fontSize = 8
    chart.barLabels.nudge = 7
    d.add(chart)
    return d


def _pie_chart(t: _Texts, counts: dict[str, int]) -> Drawing:
    w, h = CONTENT_W, 190
    d = Drawing(w, h)
    items = [(k, n) for k, n in counts.items() if n]
    if not items:
        msg = "本期无受理登记事项"
        t.all.append(msg)
        d.add(String(w / 2, h / 2, msg, fontName=BODY, fontSize=11, textAnchor="middle"))
        return d
    total = sum(n for _, n in items)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = w / 2 - 70, 25, 140, 140
    pie.data = [n for _, n in items]
    pie.labels = [f"{k} {n}件（{format_rate(n / total)}）" for k, n in items]
    t.all.extend(pie.labels)
    pie.simpleLabels = 0
    pie.sideLabels = 1
    pie.slices.fontName = BODY
    pie.slices.fontSize = 9
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 0.8
    for i in range(len(items)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
        pie.slices[i].fontName = BODY
    d.add(pie)
    return d


def _story(report: Report, t: _Texts) -> list:
    r = report
    office = str(settings.get("office_name") or "")
    period = f"{r.start.year}年{r.start.month}月{r.start.day}日至{r.end.year}年{r.end.month}月{r.end.day}日"
    prev = (f"上期：{r.previous_start:%Y-%m-%d} 至 {r.previous_end:%Y-%m-%d}"
            if r.previous_start and r.previous_end else "")
    story: list = [Spacer(1, 40 * mm), t.p(office, COVER_TITLE), Spacer(1, 6 * mm),
                   t.p("信访工作统计报表", COVER_TITLE), Spacer(1, 10 * mm),
                   t.p(f"统计期间：{period}", COVER_SUB)]
    if prev:
        story.append(t.p(prev, COVER_SUB))
    story.append(Spacer(1, 14 * mm))
    rows = [[HEADLINE_LABELS[k], _shown(k, getattr(r, k)), _shown(k, r.previous.get(k)),
             _change(k, r.change.get(k))] for k in HEADLINE]
    story.append(_table(t, ["主要指标", "本期", "上期", "较上期增减"], rows,
                        [CONTENT_W * 0.43, CONTENT_W * 0.17, CONTENT_W * 0.17, CONTENT_W * 0.23]))
    story.append(Spacer(1, 4 * mm))
    story.append(t.p("注：比率的分母为零时记为“—”；超期事项按期末各事项当前状态计算。", NOTE))
    story.append(t.p(f"统计日：{r.today:%Y-%m-%d}", NOTE))
    story.append(PageBreak())

    # ---- Other figures
    story.append(t.p("一、工作量", H1))
    more = [
        ["受理登记信访事项（件）", str(r.received_total)],
        ["集体访（批）", str(r.group_visits)],
        ["集体访人数", str(r.group_people)],
        ["涉及人数（人次）", str(r.people_involved)],
        ["重复来访（次）", str(r.repeat_visits)],
        ["转送、交办（次）", str(r.forwarded)],
        ["催办（次）", str(r.chased)],
        ["收到承办单位反馈（次）", str(r.feedback_received)],
        ["15日内应告知/转送（件）／其中按期", f"{r.notice_due}／{r.notice_on_time}"],
        ["答复（件次）／其中60日内按期", f"{r.replies}／{r.handling_on_time}"],
        ["延期（次）", str(r.extensions)],
        *[[f"建议{k}（件）", str(n)] for k, n in r.adoption.items()],
        ["申请复查（件）／申请复核（件）", f"{r.review_requests}／{r.rereview_requests}"],
    ]
    story.append(_table(t, ["项目", "数量"], more, [CONTENT_W * 0.7, CONTENT_W * 0.3]))

    total = r.received_total
    w3 = [CONTENT_W * 0.55, CONTENT_W * 0.2, CONTENT_W * 0.25]
    story.append(KeepTogether([t.p("二、按信访形式", H1), _bar_chart(t, r.by_channel)]))
    story.append(_table(t, ["信访形式", "件数", "占比"], _share_rows(r.by_channel, total), w3))
    story.append(KeepTogether([t.p("三、按信访类别", H1), _pie_chart(t, r.by_category)]))
    story.append(_table(t, ["信访类别", "件数", "占比"], _share_rows(r.by_category, total), w3))
    story.append(t.p("四、按涉及领域", H1))
    story.append(_table(t, ["涉及领域", "件数", "占比"], _share_rows(r.by_field, total)
                        or [["（无）", "0", "—"]], w3))
    story.append(t.p("五、按承办单位", H1))
    story.append(_table(t, ["承办单位", "件数", "占比"], _share_rows(r.by_unit, total)
                        or [["（无）", "0", "—"]], w3))
    if r.units_most_complained:
        story.append(Spacer(1, 3 * mm))
        story.append(_table(t, ["被投诉较多的单位（检举控告、申诉求决）", "件数"],
                            [[u, str(n)] for u, n in r.units_most_complained],
                            [CONTENT_W * 0.7, CONTENT_W * 0.3]))
    story.append(t.p("六、满意度", H1))
    sat = [[k, str(n)] for k, n in r.satisfaction.items()]
    sat.append(["满意率（满意＋基本满意）／（满意＋基本满意＋不满意）", format_rate(r.satisfaction_rate)])
    story.append(_table(t, ["评价", "件数"], sat, [CONTENT_W * 0.7, CONTENT_W * 0.3]))

    story.append(t.p(f"七、期末（{r.end:%Y-%m-%d}）超期事项", H1))
    if r.overdue_items:
        rows = [[d.case_no, d.label, f"{d.due:%Y-%m-%d}", str(max(0, -d.days_left))]
                for d in r.overdue_items]
        story.append(_long_table(t, ["事项编号", "期限", "到期日", "超期天数"], rows,
                            [CONTENT_W * 0.28, CONTENT_W * 0.36, CONTENT_W * 0.2, CONTENT_W * 0.16]))
    else:
        story.append(t.p("期末无超期事项。", CELL))
    return story


def _page(canvas, doc):
    canvas.saveState()
    canvas.setFont(BODY, 10)
    canvas.drawCentredString(PAGE_W / 2, 12 * mm, f"第 {doc.page} 页")
    canvas.restoreState()


def write_pdf(report: Report, path=None) -> bytes:
    """The report as PDF bytes; also written (atomically) to `path` when given."""
    register_fonts()
    t = _Texts()
    story = _story(report, t)
    check_glyphs("".join(t.all))
    buf = io.BytesIO()
    office = str(settings.get("office_name") or "")
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, initialFontName=BODY,
                            title=f"{office}信访工作统计报表 {report.start:%Y-%m-%d}至{report.end:%Y-%m-%d}",
                            author="xinfang-desk", creator="xinfang-desk")
    doc.build(story, onFirstPage=_page, onLaterPages=_page)
    data = buf.getvalue()
    if path is not None:
        atomic.write_bytes(path, data)
    return data
