"""Everything the case detail window shows, as plain data: the record with labels, the
petitioners (masked by default), the timeline in Chinese, the running deadlines and which
actions the state machine allows now (with the reason when it does not); and the deliberate
reveal of one full ID number (显示完整号码, `reveal_id`), written to the audit trail.

Qt-free: the GUI calls `load_case_detail` on its worker thread and only renders the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xinfang_desk.core import session
from xinfang_desk.core.cases.records import (
    events_of,
    get_visible_case,
    petitioners_of,
    to_event_data,
)
from xinfang_desk.core.deadlines.engine import Due, current_rules, deadlines_for
from xinfang_desk.core.errors import NotFoundError
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.validators import mask_id, mask_phone
from xinfang_desk.core.rules.workflow import (
    MAX_EXTENSION_DAYS,
    CaseState,
    EventData,
    allowed_actions,
    initial_state,
    replay_lenient,
)
from xinfang_desk.core.store import audit
from xinfang_desk.core.store.db import storage_errors, write_transaction

# The clerk's actions in the order the detail window offers them; "accept" is not an event
# (it changes the disposition of a registered case, cases.accept_case).
ACTION_ORDER = ("accept", "forwarded", "assigned", "notified", "chased", "feedback", "extended",
                "replied", "satisfaction", "closed", "reopened", "review_requested",
                "review_answered", "rereview_requested", "rereview_answered", "visit")

ACTION_LABELS = {
    "accept": "受理",
    "forwarded": "转送",
    "assigned": "交办",
    "notified": "书面告知",
    "chased": "催办",
    "feedback": "记录反馈",
    "extended": "延期",
    "replied": "答复",
    "satisfaction": "满意度",
    "closed": "办结",
    "reopened": "重新办理",
    "review_requested": "申请复查",
    "review_answered": "复查答复",
    "rereview_requested": "申请复核",
    "rereview_answered": "复核答复",
    "visit": "重复来访",
}

# Outcomes of a 复查/复核 answer (the reviewing organ's decision on the handling opinion).
REVIEW_OUTCOMES = ("维持", "变更", "撤销")


@dataclass(frozen=True)
class PetitionerView:
    name: str
    kind: str
    doc_type: str
    id_number: str  # masked unless asked for in full
    sex: str
    birth_date: dt.date | None
    phone: str  # masked unless asked for in full
    phone_alt: str
    address: str
    is_representative: bool


@dataclass(frozen=True)
class TimelineEntry:
    on: dt.date
    type: str  # an event type, or "registered" for the intake itself
    label: str
    text: str  # one line without the date, e.g. "答复：支持"
    actor: str = ""

    @property
    def line(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.text}"


@dataclass(frozen=True)
class CaseDetail:
    case_no: str
    query_code: str
    status: str
    status_label: str
    category: str
    confidential: bool
    received_on: dt.date
    fields: list[tuple[str, str]]  # (label, value) in display order, empty values included
    petitioners: list[PetitionerView]
    timeline: list[TimelineEntry]
    deadlines: list[Due]
    actions: dict[str, str | None]  # action -> None if allowed now, else why not
    state: CaseState
    reply_outcomes: tuple[str, ...]
    extension_days_left: int
    unit: str
    problems: list[str] = field(default_factory=list)  # events the state machine refuses


def _d(day: dt.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


def describe_event(ev: EventData) -> str:
    """One Chinese line for a timeline event (without its date)."""
    t = ev.type
    label = v.EVENT_LABELS.get(t, t)
    note = ev.note.strip()
    if t in ("forwarded", "assigned"):
        text = label + (f" {ev.unit}" if ev.unit else "")
        if ev.ref:
            text += f"（{ev.ref}）"
        if ev.deadline:
            text += f"，反馈期限{_d(ev.deadline)}"
        return text + (f"。{note}" if note else "")
    if t == "extended":
        text = f"延期{ev.days or 0}日"
        if ev.reason.strip():
            text += f"：{ev.reason.strip()}"
        if ev.approver.strip():
            text += f"（批准人：{ev.approver.strip()}）"
        return text + (f"。{note}" if note else "")
    if t in ("replied", "review_answered", "rereview_answered"):
        text = label + (f"：{ev.outcome}" if ev.outcome else "")
        return text + (f"。{note}" if note else "")
    if t == "satisfaction":
        text = f"满意度：{ev.rating or '未记录'}"
        if ev.reason.strip():
            text += f"（{ev.reason.strip()}）"
        return text + (f"。{note}" if note else "")
    if t == "reopened":
        text = label + (f"：{ev.reason.strip()}" if ev.reason.strip() else "")
        return text + (f"。{note}" if note else "")
    extra = note or ev.reason.strip()
    return label + (f"：{extra}" if extra else "")


def _registration_line(case) -> str:
    text = f"登记（{case.channel}"
    if case.channel_ref:
        text += f"，来文号{case.channel_ref}"
    text += f"），处理方式：{case.disposition}"
    if case.unit_id and case.disposition in ("转送", "交办"):
        text += f"（{case.unit.name}）"
    if case.disposition == "当场答复" and case.answer_given:
        text += f"：{case.answer_given}"
    return text


def _case_fields(case, field_path: str, unit: str, state: CaseState) -> list[tuple[str, str]]:
    people = f"{case.people_count}人"
    if case.people_count > 1 or case.reps_present > 1:
        people += f"（到场代表{case.reps_present}人）"
    rows = [
        ("案件编号", case.case_no),
        ("查询码", case.query_code),
        ("状态", v.STATUS_LABELS.get(state.status, state.status)),
        ("收到日期", _d(case.received_on)),
        ("信访形式", case.channel + (f"（来文号：{case.channel_ref}）" if case.channel_ref else "")),
        ("信访类别", case.category),
        ("涉及领域", field_path),
        ("涉及人数", people),
        ("事项摘要", case.summary),
        ("诉求", case.request),
        ("事实", case.facts),
        ("理由", case.reasons),
        ("处理方式", case.disposition),
        ("承办单位", unit),
        ("受理日期", _d(case.accepted_on)),
        ("约定答复日期", _d(case.promised_reply_on)),
        ("当场答复内容", case.answer_given),
        ("不予受理理由", case.reject_reason),
        ("应向何处反映", case.approach_body),
        ("保密", "是（检举控告等，不得向被反映人泄露）" if case.confidential else "否"),
        ("登记人", case.clerk),
    ]
    if case.history_gaps:  # imported history that lacked what today's intake requires
        rows.append(("历史导入", f"缺：{case.history_gaps}"))
    if case.notes:
        rows.append(("备注", case.notes))
    return rows


def load_case_detail(case_no: str, today: dt.date | None = None,
                     show_full_ids: bool = False) -> CaseDetail:
    """The whole case for the detail window. ID numbers and phones are masked unless
    show_full_ids (for those whose duty needs them, 居民身份证法 第十三条): that needs
    `register` and is written to the audit trail like reveal_id. A confidential case
    the acting user may not see raises PermissionDenied (access.DENIED)."""
    today = today or dt.date.today()
    if show_full_ids:
        session.require("register")
    with storage_errors():
        case = get_visible_case(case_no)
        rules = current_rules()
        rows = events_of(case)
        events = [to_event_data(e) for e in rows]
        pets = petitioners_of(case)
        field_path = case.field.path if case.field_id else ""
        unit = case.unit.name if case.unit_id else ""
        registration = _registration_line(case)
        if show_full_ids:
            _audit_full_view(case.case_no, pets)
    start = initial_state(category=case.category, disposition=case.disposition,
                          channel=case.channel, received_on=case.received_on,
                          accepted_on=case.accepted_on)
    # Lenient: a history edited outside the program must still be viewable.
    state, problems = replay_lenient(start, events, rules.window_end)

    def show_id(number: str | None) -> str:
        return (number if show_full_ids else mask_id(number)) if number else ""

    def show_phone(phone: str) -> str:
        return (phone if show_full_ids else mask_phone(phone)) if phone else ""

    petitioners = [PetitionerView(
        name=p.name, kind=p.kind, doc_type=p.doc_type, id_number=show_id(p.id_number),
        sex=p.sex or "", birth_date=p.birth_date, phone=show_phone(p.phone),
        phone_alt=show_phone(p.phone_alt), address=p.address, is_representative=rep)
        for p, rep in pets]

    timeline = [TimelineEntry(on=case.received_on, type="registered", label="登记",
                              text=registration, actor=case.clerk)]
    timeline += [TimelineEntry(on=ev.on, type=ev.type, label=v.EVENT_LABELS.get(ev.type, ev.type),
                               text=describe_event(ev), actor=row.actor)
                 for ev, row in zip(events, rows, strict=True)]

    actions: dict[str, str | None] = {"accept": _accept_refusal(state)}
    actions.update(allowed_actions(state, today, rules.window_end))
    actions = {a: actions.get(a) for a in ACTION_ORDER}

    outcomes = v.ADOPTION_OUTCOMES if case.category == v.SUGGESTION else v.REPLY_OUTCOMES
    return CaseDetail(
        case_no=case.case_no, query_code=case.query_code, status=state.status,
        status_label=v.STATUS_LABELS.get(state.status, state.status), category=case.category,
        confidential=bool(case.confidential), received_on=case.received_on,
        fields=_case_fields(case, field_path, unit, state), petitioners=petitioners,
        timeline=timeline,
        deadlines=deadlines_for(case.case_no, state, rules, today, case.promised_reply_on),
        actions=actions, state=state, reply_outcomes=outcomes,
        extension_days_left=max(0, MAX_EXTENSION_DAYS - state.extension_days), unit=unit,
        problems=problems)


def _audit_full_view(case_no: str, pets) -> None:
    numbers = [p.id_number for p, _ in pets if p.id_number]
    with write_transaction():
        audit.record("reveal_id", case_no, {"all": True, "ids": numbers})  # masked by audit


def reveal_id(case_no: str, petitioner_position: int) -> str:
    """The full ID number of the case's petitioner at `petitioner_position` (0-based, in the
    recorded order): the deliberate act behind "显示完整号码", written to the audit trail
    (masked there). "" if that petitioner has no ID number on file."""
    session.require("register")
    with storage_errors(), write_transaction():
        case = get_visible_case(case_no)
        pets = petitioners_of(case)
        if not 0 <= petitioner_position < len(pets):
            raise NotFoundError(f"{case.case_no}没有第{petitioner_position + 1}位信访人。")
        person, _rep = pets[petitioner_position]
        number = person.id_number or ""
        if number:
            audit.record("reveal_id", case.case_no,
                         {"position": petitioner_position, "id": number})  # masked by audit
    return number


def _accept_refusal(state: CaseState) -> str | None:
    if state.status != v.REGISTERED:
        return f"事项当前状态为“{v.STATUS_LABELS[state.status]}”，不能受理"
    return None
