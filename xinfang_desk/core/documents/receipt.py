"""回执 (receipt) with its 存根 (stub): half A4 each, separated by a dashed cut line."""

from __future__ import annotations

from reportlab.platypus import Paragraph, Spacer

from xinfang_desk.core.documents.context import Ctx
from xinfang_desk.core.documents.layout import (
    RECEIPT_FRAME_W,
    SMALL,
    Writer,
    _style,
    iso,
    render_receipt,
)

SUMMARY_MAX = 60
PRIVACY = "您的个人信息仅用于办理本信访事项，依法予以保密。"

_HEAD = _style("r_head", 16, 22, alignment=1)
_CODE = _style("r_code", 24, 30)
_LINE = _style("r_line", 10.5, 15)


def short_summary(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= SUMMARY_MAX else text[:SUMMARY_MAX - 1] + "…"


def next_step(ctx: Ctx) -> str:
    c, d = ctx.case, ctx.case.disposition
    promised = ctx.promised
    when = f"，将于{iso(promised)}前答复" if promised else ""
    fwd = ctx.last("forwarded", "assigned")
    unit = (fwd.unit if fwd else "") or ctx.unit
    if d == "当场答复":
        return "已当场答复"
    if d in ("受理", "建议记录"):
        return f"已受理{when}"
    if d in ("转送", "交办"):
        target = unit or "有关单位"
        done = "已" if fwd else "将"
        return f"{done}{d}{target}办理{when}"
    if d == "不予受理":
        return f"不予受理，请向{c.approach_body or '有权处理的机关'}反映（详见不予受理告知书）"
    if d == "引导":
        return f"请向{c.approach_body or '有权处理的机关'}反映"
    return d


def _part(w: Writer, ctx: Ctx, heading: str, stub: bool) -> list:
    c = ctx.case
    s = ctx.settings
    names = "、".join(p.name for p, _ in ctx.petitioners[:3])
    if len(ctx.petitioners) > 3:
        names += f"等{len(ctx.petitioners)}人"
    rows = [
        ["案件编号", c.case_no, "收到日期", iso(c.received_on)],
        ["信访人", names, "信访形式", c.channel],
        ["事项摘要", short_summary(c.summary), "", ""],
        ["下一步", next_step(ctx), "", ""],
        ["约定答复日期", iso(ctx.promised) or "—", "接待人", c.clerk or "—"],
    ]
    cw = RECEIPT_FRAME_W
    table = w.table(rows, [cw * 0.16, cw * 0.42, cw * 0.14, cw * 0.28], label_cols=(0, 2),
                    spans=[((1, 2), (3, 2)), ((1, 3), (3, 3))])
    out: list = [w.p(f"{ctx.office}　{heading}".replace("　", " "), _HEAD), Spacer(1, 4)]
    out.append(Paragraph(
        f'<font size="11">查询码　</font>{w.t(c.query_code)}'.replace("　", " "), _CODE))
    out.append(Spacer(1, 4))
    out.append(table)
    out.append(Spacer(1, 4))
    ask = "查询办理进展：请拨打" + (s["office_phone"] or "本单位咨询电话") + \
          "并报查询码，或在接待时间（" + s["reception_hours"] + "）到本单位查询" + \
          "（《信访工作条例》第十八条）。"
    if s.get("office_address"):
        ask += "地址：" + s["office_address"] + "。"
    out.append(w.p(ask, _LINE))
    if stub:
        out.append(w.p("信访人签收：________________　　日期：____年__月__日", _LINE))
    else:
        out.append(w.p(PRIVACY, _LINE))
        out.append(w.p("请妥善保管本回执。", SMALL))
    return out


def build(ctx: Ctx) -> bytes:
    w = Writer()
    stub = _part(w, ctx, "信访事项回执（存根）", stub=True)
    receipt = _part(w, ctx, "信访事项回执", stub=False)
    w.check()
    return render_receipt(stub, receipt, title="回执")
