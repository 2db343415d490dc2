"""The A4 letters and forms: 受理告知书, 不予受理告知书, 转送单/交办单, 延期告知书, 答复意见书,
采纳情况告知书, 来访登记表, 送达回执."""

from __future__ import annotations

from reportlab.platypus import Spacer

from xinfang_desk.core.deadlines.engine import HANDLING_DAYS, deadlines_for
from xinfang_desk.core.documents.context import Ctx
from xinfang_desk.core.documents.layout import (
    BODY_STYLE,
    DOCNO,
    HEADING,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    NOTE,
    PAGE_W,
    PLAIN,
    TITLE,
    Writer,
    cn_date,
    iso,
    render_letter,
    seal_block,
)
from xinfang_desk.core.rules.validators import mask_id, mask_phone
from xinfang_desk.core.rules.workflow import REVIEWABLE, initial_state, replay_lenient

TWO_COPIES = ("交信访人", "附卷")
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT
MASK = "（保密）"


def _head(w: Writer, ctx: Ctx, title: str, abbr: str) -> list:
    return [w.p(title, TITLE), w.p(f"{abbr}{ctx.doc_no}", DOCNO)]


def _received_phrase(ctx: Ctx) -> str:
    c = ctx.case
    return f"你（们）于{cn_date(c.received_on)}以{c.channel}形式反映的“{c.summary}”一事"


def _contact(w: Writer, ctx: Ctx) -> list:
    s = ctx.settings
    parts = []
    if s["office_phone"]:
        parts.append(f"联系电话：{s['office_phone']}")
    if s["office_address"]:
        parts.append(f"地址：{s['office_address']}")
    parts.append(f"接待时间：{s['reception_hours']}")
    parts.append(f"查询码：{ctx.case.query_code}")
    return [w.p("；".join(parts) + "。", BODY_STYLE)]


def _issue_day(ctx: Ctx, ev=None):
    return ev.on if ev is not None else ctx.today


# --------------------------------------------------------------------------- 受理告知书

def accept(ctx: Ctx) -> bytes:
    c = ctx.case

    def story():
        w = ctx.writer
        fwd = ctx.last("forwarded", "assigned")
        d = c.disposition
        accepted = c.accepted_on or (fwd.on if fwd else c.received_on)
        out = _head(w, ctx, "信访事项受理告知书", "受字")
        out.append(w.p(f"{ctx.addressee()}：", PLAIN))
        out.append(w.p(f"{_received_phrase(ctx)}，本机关已于{cn_date(c.received_on)}收到，"
                       f"经审查，符合受理条件，于{cn_date(accepted)}依法予以受理。"))
        unit = (fwd.unit if fwd else "") or ctx.unit or "有关单位"
        if fwd or d in ("转送", "交办"):
            verb = "交办" if (fwd.type == "assigned" if fwd else d == "交办") else "转送"
            out.append(w.p(f"该事项已{verb}{unit}办理，由其依法处理并向你（们）答复。"))
        else:
            out.append(w.p("该事项由本机关办理。"))
        promised = ctx.promised
        text = f"本机关（承办单位）将自受理之日起{HANDLING_DAYS}日内办结（《信访工作条例》第三十四条）"
        if promised:
            text += f"，预计于{cn_date(promised)}前答复你（们）"
        out.append(w.p(text + "。"))
        out.append(w.p("如需了解办理进展，请与本机关联系。"))
        out += _contact(w, ctx)
        out.append(w.p("特此告知。"))
        out.append(seal_block(w, ctx.office, ctx.today))
        return out

    return render_letter(story, writer=ctx.writer, copies=TWO_COPIES, title="受理告知书")


# --------------------------------------------------------------------------- 不予受理告知书

def _reject_basis(ctx: Ctx) -> str:
    c = ctx.case
    text = c.reject_reason + c.approach_body
    if "复核" in text or "不再受理" in text:
        return "《信访工作条例》第三十六条"
    if c.disposition == "引导" or any(k in text for k in ("诉讼", "仲裁", "复议", "法院", "检察", "公安")):
        return "《信访工作条例》第二十二条、第二十八条"
    return "《信访工作条例》第二十二条"


def reject(ctx: Ctx) -> bytes:
    c = ctx.case

    def story():
        w = ctx.writer
        out = _head(w, ctx, "不予受理告知书", "不受字")
        out.append(w.p(f"{ctx.addressee()}：", PLAIN))
        out.append(w.p(f"{_received_phrase(ctx)}，本机关已于{cn_date(c.received_on)}收到。"))
        reason = c.reject_reason.strip() or "该事项不属于本机关受理范围"
        out.append(w.p(f"经审查，{reason.rstrip('。')}。根据{_reject_basis(ctx)}的规定，本机关决定不予受理。"))
        body = c.approach_body.strip() or "有权处理的机关"
        out.append(w.p(f"请你（们）向{body}提出，依法通过该途径解决。"))
        out.append(w.p("如有疑问，可与本机关联系。"))
        out += _contact(w, ctx)
        out.append(w.p("特此告知。"))
        out.append(seal_block(w, ctx.office, ctx.today))
        return out

    return render_letter(story, writer=ctx.writer, copies=TWO_COPIES, title="不予受理告知书")


# --------------------------------------------------------------------------- 转送单/交办单

def _mask_text(ctx: Ctx, text: str) -> str:
    """Remove the accuser's name, ID number and phones from free text."""
    for p, _ in ctx.petitioners:
        for secret in (p.name, p.id_number, p.phone, p.phone_alt, p.address):
            if secret and len(secret) >= 2:
                text = text.replace(secret, MASK)
    return text


def forward(ctx: Ctx) -> bytes:
    c = ctx.case
    ev = ctx.last("forwarded", "assigned")
    verb = "交办" if ev.type == "assigned" else "转送"
    title = f"信访事项{verb}单"
    masked = ctx.confidential

    def story():
        w = ctx.writer
        due = ev.deadline
        if due is None:
            due = ctx.rules.add(ev.on, ctx.rules.feedback_days).due
        out = _head(w, ctx, title, "转字" if verb == "转送" else "交字")
        out.append(w.p(f"{ev.unit}：", PLAIN))
        out.append(w.p(f"现将{c.channel}反映的下列信访事项{verb}你单位，请依法处理。"))
        if masked:
            people = MASK
        else:
            people = "；".join(
                p.name + (f"（{mask_phone(p.phone)}）" if p.phone else "") for p, _ in ctx.petitioners)
        txt = (lambda s: _mask_text(ctx, s)) if masked else (lambda s: s)
        cw = TEXT_W
        rows = [
            ["文号", ev.ref or ctx.doc_no, "日期", cn_date(ev.on)],
            ["案件编号", c.case_no, "信访类别", c.category],
            ["信访人", people, "涉及人数", f"{c.people_count}人"],
            ["承办单位", ev.unit, "", ""],
            ["事项摘要", txt(c.summary), "", ""],
            ["诉求", txt(c.request), "", ""],
            ["事实与理由", txt("\n".join(x for x in (c.facts, c.reasons) if x)) or "—", "", ""],
            ["办理期限", f"请于{cn_date(due)}前办结并反馈", "", ""],
        ]
        if not masked and ctx.petitioners:
            p0 = ctx.petitioners[0][0]
            rows.insert(3, ["住址", p0.address or "—", "", ""])
        spans = [((1, i), (3, i)) for i in range(3, len(rows))]
        out.append(w.table(rows, [cw * 0.18, cw * 0.40, cw * 0.16, cw * 0.26], label_cols=(0, 2),
                           spans=spans))
        out.append(Spacer(1, 10))
        feedback = (f"反馈要求：请于{cn_date(due)}前将办理结果（办结报告，含处理意见书及送达情况）"
                    f"书面反馈本机关；不属于你单位职责范围的，请自收到之日起5个工作日内提出异议并"
                    f"说明理由（《信访工作条例》第二十三条）。")
        out.append(w.p(feedback, NOTE))
        if masked:
            out.append(w.p("本件为检举控告事项，检举控告人身份已作保密处理。请严格保密，不得将检举控告人"
                           "的姓名、联系方式及检举控告材料透露或转给被检举控告的人员和单位"
                           "（《信访工作条例》第三十条、第四十六条）。", NOTE))
        if ev.note and not masked:
            out.append(w.p(f"附言：{ev.note}", NOTE))
        out.append(seal_block(w, ctx.office, ev.on))
        return out

    return render_letter(story, writer=ctx.writer, title=title)


# --------------------------------------------------------------------------- 延期告知书

def _extension_deadlines(ctx: Ctx, ev_index: int):
    c = ctx.case
    start = initial_state(category=c.category, disposition=c.disposition, channel=c.channel,
                          received_on=c.received_on, accepted_on=c.accepted_on)
    before, _ = replay_lenient(start, ctx.events[:ev_index], ctx.rules.window_end)
    after, _ = replay_lenient(before, [ctx.events[ev_index]], ctx.rules.window_end)

    def pick(state):
        for d in deadlines_for(c.case_no, state, ctx.rules, ctx.today):
            if d.kind in ("handling", "feedback"):
                return d.due
        return None

    return pick(before), pick(after)


def extend(ctx: Ctx) -> bytes:
    idx = max(i for i, e in enumerate(ctx.events) if e.type == "extended")
    ev = ctx.events[idx]
    old, new = _extension_deadlines(ctx, idx)

    def story():
        w = ctx.writer
        out = _head(w, ctx, "信访事项延期办理告知书", "延字")
        out.append(w.p(f"{ctx.addressee()}：", PLAIN))
        out.append(w.p(f"{_received_phrase(ctx)}，本机关已依法受理（办理）。"))
        out.append(w.p(f"因{ev.reason.strip().rstrip('。')}，该事项不能在原定期限"
                       f"（{cn_date(old) if old else '受理之日起60日'}）内办结。"
                       f"经{ev.approver.strip() or '本机关负责人'}批准，办理期限延长{ev.days}日，"
                       f"延长后的期限为{cn_date(new) if new else '—'}"
                       f"（《信访工作条例》第三十四条：延长期限不得超过30日）。"))
        out.append(w.p("特此告知。"))
        out += _contact(w, ctx)
        out.append(seal_block(w, ctx.office, ev.on))
        return out

    return render_letter(story, writer=ctx.writer, copies=TWO_COPIES, title="延期告知书")


# --------------------------------------------------------------------------- 答复意见书

OUTCOME_TEXT = {
    "支持": "经研究，你（们）的信访请求事实清楚，符合法律、法规、规章或者其他有关规定，予以支持。",
    "解释说明": "经研究，对你（们）的信访请求作出上述解释说明。",
    "不予支持": "经研究，你（们）的信访请求缺乏事实根据或者不符合法律、法规、规章或者其他有关规定，不予支持。",
}


def reply(ctx: Ctx) -> bytes:
    c = ctx.case
    ev = ctx.last("replied")

    def story():
        w = ctx.writer
        out = _head(w, ctx, "信访事项处理意见书", "答字")
        out.append(w.p(f"{ctx.addressee()}：", PLAIN))
        out.append(w.p(f"{_received_phrase(ctx)}，本机关已依法受理，经调查核实，现答复如下："))
        out.append(w.p("一、信访请求", HEADING))
        out += w.paras(c.request)
        out.append(w.p("二、事实和理由", HEADING))
        out += w.paras("\n".join(x for x in (c.facts, c.reasons) if x) or "（未记录）")
        out.append(w.p("三、处理意见", HEADING))
        out += w.paras(ev.note or "（见处理结果）")
        used = ctx.reply_answer()
        if used is not None and (used.basis_name or used.basis_article):
            # The basis of the approved answer the reply was written from (答复口径库).
            out.append(w.p(f"依据：{used.basis_name}{used.basis_article}。"))
        out.append(w.p(f"四、处理结果：{ev.outcome}", HEADING))
        out.append(w.p(OUTCOME_TEXT.get(ev.outcome, "")))
        if c.category in REVIEWABLE:
            out.append(w.p("如对本答复意见不服，可以自收到本意见书之日起30日内向本机关的上一级机关"
                           "请求复查（《信访工作条例》第三十五条）。"))
        out.append(seal_block(w, ctx.office, ev.on))
        return out

    return render_letter(story, writer=ctx.writer, copies=TWO_COPIES, title="答复意见书")


# --------------------------------------------------------------------------- 采纳情况告知书

ADOPTION_TEXT = {"采纳": "决定予以采纳", "部分采纳": "决定部分采纳", "不采纳": "决定暂不采纳"}


def adoption(ctx: Ctx) -> bytes:
    c = ctx.case
    ev = ctx.last("replied")

    def story():
        w = ctx.writer
        out = _head(w, ctx, "建议意见采纳情况告知书", "采字")
        out.append(w.p(f"{ctx.addressee()}：", PLAIN))
        out.append(w.p(f"你（们）于{cn_date(c.received_on)}提出的“{c.summary}”建议意见收悉，"
                       f"感谢你（们）对本机关工作的关心和支持。"))
        out.append(w.p(f"经认真研究，{ADOPTION_TEXT.get(ev.outcome, ev.outcome)}（{ev.outcome}）。"
                       f"理由如下："))
        out += w.paras(ev.note or "（未记录）")
        out.append(w.p("欢迎继续提出意见建议（《信访工作条例》第二十九条）。"))
        out.append(seal_block(w, ctx.office, ev.on))
        return out

    return render_letter(story, writer=ctx.writer, copies=TWO_COPIES, title="采纳情况告知书")


# --------------------------------------------------------------------------- 来访登记表

def register(ctx: Ctx, *, full_ids: bool = False) -> bytes:
    c = ctx.case

    def story():
        w = ctx.writer
        cw = TEXT_W
        out = [w.p(f"{ctx.office}", DOCNO), w.p("信访事项登记表", TITLE), Spacer(1, 6)]
        people = f"{c.people_count}人" + (f"（到场代表{c.reps_present}人）" if c.people_count > 1 else "")
        rows = [
            ["案件编号", c.case_no, "查询码", c.query_code],
            ["收到日期", iso(c.received_on), "信访形式", c.channel + (f"（{c.channel_ref}）" if c.channel_ref else "")],
            ["信访类别", c.category, "涉及领域", ctx.field_path or "—"],
            ["涉及人数", people, "保密", "是" if c.confidential else "否"],
        ]
        widths = [cw * 0.16, cw * 0.34, cw * 0.16, cw * 0.34]
        out.append(w.table(rows, widths, label_cols=(0, 2)))
        prow = [["信访人", "证件号码", "联系电话", "住址"]]
        for p, rep in ctx.petitioners:
            idn = (p.id_number if full_ids else mask_id(p.id_number)) if p.id_number else "—"
            phone = (p.phone if full_ids else mask_phone(p.phone)) if p.phone else "—"
            prow.append([p.name + ("（代表）" if rep else ""), idn, phone, p.address or "—"])
        out.append(w.table(prow, [cw * 0.16, cw * 0.30, cw * 0.20, cw * 0.34], label_cols=()))
        rows = [
            ["事项摘要", c.summary], ["诉求", c.request], ["事实", c.facts or "—"],
            ["理由", c.reasons or "—"], ["处理方式", c.disposition + (f"（{ctx.unit}）" if ctx.unit else "")],
        ]
        if c.answer_given:
            rows.append(["当场答复内容", c.answer_given])
        if c.reject_reason:
            rows.append(["不予受理理由", c.reject_reason])
        if c.approach_body:
            rows.append(["应向何处反映", c.approach_body])
        rows.append(["约定答复日期", iso(ctx.promised) or "—"])
        visits = [f"{iso(e.on)} 重复来访{('：' + e.note) if e.note else ''}" for e in ctx.events
                  if e.type == "visit"]
        visits += [f"{iso(d)} {no} {s}" for no, d, s in ctx.previous]
        rows.append(["以往来访", "\n".join(visits) or "无"])
        out.append(w.table([[a, b.replace("\n", "；")] for a, b in rows],
                           [cw * 0.20, cw * 0.80]))
        out.append(Spacer(1, 24))
        out.append(w.p("以上记录经本人核对无误。", PLAIN))
        out.append(Spacer(1, 12))
        out.append(w.p("信访人签名：______________　　接待人：" + (c.clerk or "______________")
                       + "　　日期：____年__月__日", NOTE))
        return out

    return render_letter(story, writer=ctx.writer, title="来访登记表")


# --------------------------------------------------------------------------- 送达回执

SERVED_TITLES = ("受理告知书", "不予受理告知书", "转送单/交办单", "延期告知书", "答复意见书",
                 "采纳情况告知书")


def service(ctx: Ctx) -> bytes:
    c = ctx.case
    printed = [e.note for e in ctx.events if e.type == "printed" and e.note in SERVED_TITLES]
    served = printed[-1] if printed else ""

    def story():
        w = ctx.writer
        cw = TEXT_W
        out = _head(w, ctx, "送达回执", "送字")
        rows = [
            ["送达文书", served or "□受理告知书 □不予受理告知书 □延期告知书 □答复意见书 □采纳情况告知书"],
            ["文书编号", ctx.doc_no],
            ["案件编号", c.case_no],
            ["受送达人", ctx.addressee()],
            ["送达地址", (ctx.petitioners[0][0].address if ctx.petitioners and not ctx.confidential
                      else "") or ""],
            ["送达方式", "□直接送达 □邮寄送达 □留置送达 □委托送达 □电子送达"],
            ["送达日期", "______年____月____日"],
            ["受送达人签名", ""],
            ["送达人签名", ""],
            ["备注", "受送达人拒绝签收的，由送达人注明情况并签名。"],
        ]
        out.append(w.table(rows, [cw * 0.22, cw * 0.78], row_heights=[None] * 7 + [56, 56, None]))
        out.append(seal_block(w, ctx.office, None))
        return out

    return render_letter(story, writer=ctx.writer, title="送达回执")


