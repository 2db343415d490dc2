"""One row of a ledger made into a case: the intake data, the events its result text makes
clear, and the notes that keep everything else (LedgerCase), or the reason it is refused
(RowError: the column, the value as shown, the reason).

What the 办理情况 says is mapped to events only where it is clear: a forwarding (转送/交办, on
the day received, since ledgers seldom date it), a reply with its outcome when the text names
one, or the matter finished on the ledger's word (`ledger_closed`: no reply on record). What
is not clear stays in the notes, and the case stays as open or as finished as the ledger says.
A 办结 recorded for a matter answered on the spot, not accepted or guided elsewhere (finished at
the desk) is noted as a repeat, not refused.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from xinfang_desk.core.cases.records import CaseInput, PetitionerInput
from xinfang_desk.core.interchange import ledger_values as lv
from xinfang_desk.core.interchange.ledger_columns import FIELD_LABELS
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import EventData

MAX_SUMMARY = 200
SUMMARY_CUT = 60

_ON_SPOT = re.compile(r"当场(答复|解答|告知|解释|处理|回复)|现场答复|当面(答复|解答)|当即答复|已当面")
_REJECT = re.compile(r"不予受理|不受理")
_GUIDE = re.compile(r"引导|诉讼|仲裁|行政复议|法律途径|司法途径|起诉|向法院")
_FORWARD = re.compile(r"转(送|交|办|至|给|到|由)|已转|交办|移交|批转")
_ASSIGN = re.compile(r"交办")
_FINISHED = re.compile(r"办结|已答复|已回复|已处理|已解决|完结|结案|已落实|处理完毕|答复完毕|已告知|"
                       r"已化解|已办理|已反馈")
_OPEN = re.compile(r"办理中|正在|待(办|处理|答复|回复|反馈)|未办结|未答复|跟进|调查中|处理中|"
                   r"未解决|在办|未反馈")
_STATUS_DONE = ("是", "已办结", "办结", "已完成", "完成", "已结", "结案", "已答复")
_STATUS_OPEN = ("否", "未办结", "办理中", "在办", "未完成", "未结")
# A reply's outcome, when the ledger's text names one (longest first: 不予支持 before 支持).
_OUTCOMES = (("部分采纳", "部分采纳"), ("不采纳", "不采纳"), ("采纳", "采纳"),
             ("不予支持", "不予支持"), ("解释说明", "解释说明"), ("支持", "支持"))


class RowError(Exception):
    """A row that cannot be imported: the column (its header), the value as shown, why."""

    def __init__(self, column: str, value: str, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


@dataclass
class LedgerCase:
    sheet: str
    row: int  # the row number the office sees in its spreadsheet (1-based)
    data: CaseInput
    events: list[EventData]
    key: tuple  # same person, same date, same matter
    ledger_no: str = ""
    mapped: list[tuple[str, str, str]] = field(default_factory=list)  # (field label, theirs, ours)
    headers: dict[str, str] = field(default_factory=dict)  # field key -> its column's header


@dataclass
class RowContext:
    """What every row of one sheet shares."""

    sheet: str
    headers: dict[str, str]  # field key -> the column's header (for the messages)
    year: int | None  # from the sheet's or the file's name, for 10月14日
    default_channel: str
    values: dict[str, dict[str, str]]  # the mapping's value words
    field_paths: dict[str, str]  # a taxonomy name (either level) -> its path
    today: dt.date


def person_key(name: str, id_number: str | None) -> str:
    """A person by ID number where there is one (the same number is the same person, whatever
    name a ledger wrote), else by name."""
    return f"证:{id_number}" if id_number else f"名:{name}"


def case_key(received: dt.date, people: list[str], summary: str) -> tuple:
    """Same person, same date, same matter: the key that keeps a ledger from being imported
    twice (`people` as person_key gives them; punctuation and spaces do not count)."""
    return (received, tuple(sorted(people)), re.sub(r"[\W_]+", "", summary or ""))


def _shown(value) -> str:
    """A cell as the clerk sees it in Excel (a long number as 5.11302E+17)."""
    if isinstance(value, float) and abs(value) >= 1e11:
        return lv.shown_as_excel(value)
    return lv.text_of(value)


def _outcome(text: str, category: str) -> str | None:
    allowed = v.ADOPTION_OUTCOMES if category == v.SUGGESTION else v.REPLY_OUTCOMES
    for word, outcome in _OUTCOMES:
        if word in text and outcome in allowed:
            return outcome
    return None


def build_case(ctx: RowContext, row_no: int, cells: dict[str, object],
               extra: list[tuple[str, object]]) -> LedgerCase:
    """The case of one ledger row; RowError when a value is invalid (never for a narrative
    field that is merely missing: check_case(historical=True) marks those)."""
    col = ctx.headers.get
    notes: list[str] = []
    mapped: list[tuple[str, str, str]] = []

    def fail(key: str, reason: str):
        raise RowError(col(key, FIELD_LABELS.get(key, key)), _shown(cells.get(key)), reason)

    def text(key: str) -> str:
        return lv.text_of(cells.get(key))

    # -- when, who
    try:
        received = lv.parse_date(cells.get("received_on"), ctx.year)
    except lv.LedgerValueError as exc:
        fail("received_on", str(exc))
    if received is None:
        fail("received_on", "登记日期为空")
    if received > ctx.today:
        fail("received_on", f"日期{received:%Y-%m-%d}晚于今天")
    people_names, group_count = lv.names(cells.get("names"))
    if not people_names:
        fail("names", "姓名为空")
    try:
        ids = lv.id_numbers(cells.get("id_number"))
    except lv.LedgerValueError as exc:
        fail("id_number", str(exc))
    if len(ids) > len(people_names):
        fail("id_number", f"身份证号码有{len(ids)}个，多于姓名（{len(people_names)}人）")
    try:
        numbers = lv.phones(cells.get("phone"))
    except lv.LedgerValueError as exc:
        fail("phone", str(exc))
    try:
        count = lv.people_count(cells.get("people_count"))
    except lv.LedgerValueError as exc:
        fail("people_count", str(exc))
    address = text("address")
    petitioners = [PetitionerInput(
        name=name, id_number=ids[i] if i < len(ids) else "",
        phone=numbers[i] if i < len(numbers) else "", address=address,
        is_representative=len(people_names) > 1) for i, name in enumerate(people_names)]
    if len(numbers) > len(people_names):  # more numbers than people: the first has them all
        petitioners[0].phone_alt = numbers[len(people_names)]
    people = max(filter(None, (count, group_count, len(people_names))))

    # -- what kind of matter
    raw_channel = text("channel")
    channel = ctx.default_channel
    if raw_channel:
        channel, exact = lv.channel(raw_channel, ctx.values.get("channel"))
        if channel is None:
            fail("channel", f"“{raw_channel}”不是信访形式，也没有对应的映射（可在列映射中指定，"
                            f"如“{raw_channel} → 来访”）")
        if not exact:
            mapped.append(("信访形式", raw_channel, channel))
    raw_category = text("category")
    category = "其他"
    if raw_category:
        category, exact = lv.category(raw_category, ctx.values.get("category"))
        if category is None:
            category = "其他"
            notes.append(f"原类别：{raw_category}")
            mapped.append(("问题类别", raw_category, "其他（未识别）"))
        elif not exact:
            mapped.append(("问题类别", raw_category, category))
    raw_field = text("field")
    field_path = ""
    if raw_field:
        chosen = (ctx.values.get("field") or {}).get(raw_field)
        field_path = chosen or ctx.field_paths.get(raw_field.strip("/")) or raw_field.strip("/")
        if len([p for p in field_path.split("/") if p.strip()]) > 2:
            fail("field", f"“{raw_field}”超过两级")
        if field_path != raw_field:
            mapped.append(("涉及领域", raw_field, field_path))

    # -- the matter in the ledger's words
    summary, facts, request = text("summary"), text("facts"), text("request")
    if len(summary) > MAX_SUMMARY:
        whole = summary
        summary = summary[:SUMMARY_CUT] + "……"
        if not facts:
            facts = whole
        else:
            notes.append(f"{col('summary', '反映问题')}（全文）：{whole}")
    unit = text("unit")
    result = text("result")
    status = text("status")
    try:
        closed_on = lv.parse_date(cells.get("closed_on"), ctx.year)
    except lv.LedgerValueError as exc:
        fail("closed_on", str(exc))
    if closed_on is not None and closed_on < received:
        fail("closed_on", f"办结日期{closed_on:%Y-%m-%d}早于登记日期{received:%Y-%m-%d}")
    if closed_on is not None and closed_on > ctx.today:
        fail("closed_on", f"办结日期{closed_on:%Y-%m-%d}晚于今天")
    raw_rating = text("satisfaction")
    rating = None
    if raw_rating:
        rating, exact = lv.rating(raw_rating, ctx.values.get("satisfaction"))
        if rating is None:
            notes.append(f"{col('satisfaction', '是否满意')}：{raw_rating}")
        elif not exact:
            mapped.append(("是否满意", raw_rating, rating))

    # -- what was done
    said_done = status in _STATUS_DONE or (bool(_FINISHED.search(result)) and not _OPEN.search(result))
    said_open = status in _STATUS_OPEN or bool(_OPEN.search(result))
    finished = (closed_on is not None or said_done) and not (said_open and closed_on is None)
    answer = reject_reason = approach = ""
    if _ON_SPOT.search(result):
        disposition, answer = "当场答复", result
    elif _REJECT.search(result):
        disposition, reject_reason = "不予受理", result
    elif _GUIDE.search(result) and not unit:
        disposition, approach = "引导", result[:200]
    elif unit:
        # The result's words decide (转交 is a forwarding, 交办 an assignment); else the column's.
        assigned = _ASSIGN.search(result) or (not _FORWARD.search(result)
                                              and "交办" in col("unit", ""))
        disposition = "交办" if assigned else "转送"
    else:
        disposition = "建议记录" if category == v.SUGGESTION else "受理"
    if result and not (answer or reject_reason or (approach and len(result) <= 200)):
        notes.append(f"{col('result', '办理情况')}：{result}")

    events: list[EventData] = []
    done_day = closed_on or received
    at_desk = disposition in ("当场答复", "不予受理", "引导")
    if disposition in ("转送", "交办"):
        events.append(EventData(type="forwarded" if disposition == "转送" else "assigned",
                                on=received, unit=unit, note="台账未记载转送/交办日期，按登记日期记入"))
    if finished and at_desk:
        if closed_on is not None:
            notes.append(f"台账记载的办结（{closed_on:%Y-%m-%d}）与处理方式“{disposition}”重复"
                         "（登记时即已办结），未另记")
    elif finished:
        if closed_on is None:
            notes.append("台账记为已办结，未记载办结日期，按登记日期记入")
        outcome = _outcome(result, category)
        if outcome:
            events.append(EventData(type="replied", on=done_day, outcome=outcome))
            events.append(EventData(type="closed", on=done_day))
        else:
            events.append(EventData(type="ledger_closed", on=done_day,
                                    note="据历史台账记为办结，答复结果未记载"))
    if rating is not None:
        if (finished and not at_desk) or disposition == "当场答复":
            events.append(EventData(type="satisfaction", on=done_day, rating=rating,
                                    reason="台账未记载原因" if rating == "不满意" else ""))
        else:
            notes.append(f"满意度：{raw_rating}（事项未办结，未记入）")

    ledger_no = text("ledger_no")
    for header, value in extra:
        shown = lv.text_of(value)
        if shown:
            notes.append(f"{header}：{shown}")
    if text("notes"):
        notes.append(f"{col('notes', '备注')}：{text('notes')}")
    data = CaseInput(
        received_on=received, channel=channel, category=category, summary=summary,
        request=request, petitioners=petitioners, disposition=disposition, facts=facts,
        field=field_path, people_count=people, reps_present=len(people_names), unit=unit,
        answer_given=answer, reject_reason=reject_reason, approach_body=approach,
        clerk=text("clerk")[:50], notes="\n".join(notes))
    key = case_key(received, [person_key(n, None) for n in people_names], summary)
    return LedgerCase(ctx.sheet, row_no, data, events, key, ledger_no, mapped, ctx.headers)
