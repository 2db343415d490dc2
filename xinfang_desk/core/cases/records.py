"""Registering cases and recording what happens to them: the service the GUI and CLI call."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from xinfang_desk.core import session
from xinfang_desk.core.cases.numbering import new_query_code, next_case_no, note_used_case_no
from xinfang_desk.core.deadlines.engine import statutory_end
from xinfang_desk.core.errors import FieldError, ValidationError, WorkflowError
from xinfang_desk.core.people.access import (
    APPROVAL_DOCUMENTS,
    APPROVAL_EVENTS,
    check_approval,
    get_visible_case,
    record_approval,
)
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.placeholders import (
    FILLED_ON_SAVE,
    fill_numbers,
    unfinished,
    unfinished_reason,
)
from xinfang_desk.core.rules.validators import (
    MAX_PEOPLE,
    check_text,
    normalize_phone,
    parse_resident_id,
)
from xinfang_desk.core.rules.workflow import (
    MAX_EXTENSION_DAYS,
    CaseState,
    EventData,
    initial_state,
    replay,
)
from xinfang_desk.core.rules.workflow import apply as apply_event
from xinfang_desk.core.store import audit, settings
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.models import Case, CaseEvent, CasePetitioner, Field, Petitioner, Unit

MAX_REPRESENTATIVES = 5  # 第二十条


@dataclass
class PetitionerInput:
    name: str
    id_number: str = ""
    doc_type: str = ""  # derived: 身份证 when an ID number is given, else 无
    phone: str = ""
    phone_alt: str = ""
    address: str = ""
    kind: str = "个人"
    is_representative: bool = False


@dataclass
class CaseInput:
    received_on: dt.date
    channel: str
    category: str
    summary: str
    request: str
    petitioners: list[PetitionerInput]
    disposition: str
    facts: str = ""
    reasons: str = ""
    field: str = ""  # "一级/二级" or "一级"
    channel_ref: str = ""
    people_count: int | None = None
    reps_present: int | None = None
    unit: str = ""
    answer_given: str = ""
    reject_reason: str = ""
    approach_body: str = ""
    accepted_on: dt.date | None = None
    promised_reply_on: dt.date | None = None
    confidential: bool | None = None  # None: default for the category
    clerk: str = ""
    case_no: str = ""  # only when importing
    query_code: str = ""  # only when importing
    notes: str = ""  # only when importing history: what has no field of its own


@dataclass(frozen=True)
class Saved:
    id: int
    case_no: str
    query_code: str
    status: str
    warnings: tuple[str, ...] = ()
    new_fields: tuple[str, ...] = ()
    new_units: tuple[str, ...] = ()


@dataclass
class CheckedPetitioner:
    name: str
    kind: str
    doc_type: str
    id_number: str | None
    sex: str | None
    birth_date: dt.date | None
    phone: str
    phone_alt: str
    address: str
    is_representative: bool


@dataclass
class CheckedCase:
    """A CaseInput that passed validation, normalised, with warnings for the clerk."""

    data: CaseInput
    petitioners: list[CheckedPetitioner]
    people_count: int
    reps_present: int
    confidential: bool
    warnings: list[str] = field(default_factory=list)
    # Historical records only (check_case(historical=True)): the narrative fields today's
    # intake requires that the record lacks, by label ("事实", "答复内容" …).
    missing: list[str] = field(default_factory=list)


# Every text of an intake and the label its errors carry (check_case).
CASE_TEXT_LABELS = {
    "summary": "事项摘要", "request": "诉求", "facts": "事实", "reasons": "理由",
    "channel_ref": "来文号", "answer_given": "答复内容", "reject_reason": "不予受理理由",
    "approach_body": "应向何处反映", "clerk": "接待人", "unit": "承办单位", "field": "涉及领域",
    "channel": "信访形式", "category": "信访类别", "disposition": "处理方式",
    "case_no": "案件编号", "query_code": "查询码",
}
PETITIONER_TEXT_LABELS = {
    "name": "姓名", "id_number": "身份证号", "phone": "联系电话", "phone_alt": "备用电话",
    "address": "住址", "kind": "类型", "doc_type": "证件类型",
}
# The texts of an event, checked by record_event.
EVENT_TEXT_LABELS = {
    "type": "事件类型", "unit": "承办单位", "ref": "文号", "reason": "理由", "approver": "批准人",
    "outcome": "结果", "rating": "满意度", "note": "说明",
}


def _petitioner_tag(i: int) -> str:
    return f"第{i + 1}位信访人" if i else "信访人"


def _unsavable_text_errors(data: CaseInput) -> list[FieldError]:
    """A FieldError for each text of the intake holding a character that cannot be saved
    (validators.check_text: NUL, lone surrogates)."""
    errors: list[FieldError] = []

    def check(value, label: str) -> None:
        if isinstance(value, str):
            try:
                check_text(value, label)
            except FieldError as exc:
                errors.append(exc)

    for attr, label in CASE_TEXT_LABELS.items():
        check(getattr(data, attr), label)
    for i, p in enumerate(data.petitioners or ()):
        for attr, label in PETITIONER_TEXT_LABELS.items():
            check(getattr(p, attr, None), f"{_petitioner_tag(i)}{label}")
    return errors


def _check_petitioner(i: int, p: PetitionerInput, errors: list[FieldError]) -> CheckedPetitioner:
    tag = _petitioner_tag(i)
    name = (p.name or "").strip()
    if not name:
        errors.append(FieldError(f"{tag}姓名", "不能为空（第十九条）"))
    if p.kind not in v.PETITIONER_KINDS:
        errors.append(FieldError(f"{tag}类型", f"应为{'/'.join(v.PETITIONER_KINDS)}"))
    raw_id = (p.id_number or "").strip()
    doc_type = p.doc_type or ("身份证" if raw_id else "无")
    if doc_type not in v.DOC_TYPES:
        errors.append(FieldError(f"{tag}证件类型", f"应为{'、'.join(v.DOC_TYPES)}之一"))
    id_number, sex, birth = None, None, None
    if doc_type == "身份证" and raw_id:
        try:
            info = parse_resident_id(raw_id, field=f"{tag}身份证号")
            id_number, sex, birth = info.number, info.sex, info.birth_date
        except FieldError as exc:
            errors.append(exc)
    elif doc_type == "身份证":
        errors.append(FieldError(f"{tag}身份证号", "证件类型为身份证时须填写号码"))
    elif raw_id:
        id_number = raw_id.upper()
    phones = []
    for label, raw in (("联系电话", p.phone), ("备用电话", p.phone_alt)):
        raw = (raw or "").strip()
        if not raw:
            phones.append("")
            continue
        try:
            phones.append(normalize_phone(raw, field=f"{tag}{label}"))
        except FieldError as exc:
            errors.append(exc)
            phones.append("")
    return CheckedPetitioner(
        name=name, kind=p.kind, doc_type=doc_type, id_number=id_number, sex=sex,
        birth_date=birth, phone=phones[0], phone_alt=phones[1],
        address=(p.address or "").strip(), is_representative=p.is_representative,
    )


# The narrative fields today's intake requires: a historical record lacking one is imported
# and marked (CheckedCase.missing), never refused for it.
NARRATIVE_LABELS = ("事项摘要", "诉求", "事实", "答复内容", "不予受理理由", "应向何处反映")


def history_gaps_text(missing) -> str:
    """Case.history_gaps: "事实、答复内容" (the labels in NARRATIVE_LABELS order)."""
    return "、".join(label for label in NARRATIVE_LABELS if label in missing)


def _is_absent(error: FieldError, data: CaseInput) -> bool:
    """The error says a narrative field is empty (not that what it holds is wrong)."""
    value = {"事项摘要": data.summary, "诉求": data.request, "事实": data.facts,
             "答复内容": data.answer_given, "不予受理理由": data.reject_reason,
             "应向何处反映": data.approach_body}[error.field]
    return not (value or "").strip()


def check_case(data: CaseInput, *, today: dt.date | None = None,
               historical: bool = False) -> CheckedCase:
    """Validate a whole intake; raises ValidationError naming every wrong field.

    `historical`: a record made before the desk's intake rules (a ledger, an old JSON Lines
    file). A narrative field it lacks (NARRATIVE_LABELS) is listed in `missing` instead of
    refusing it; every value it does hold is checked as strictly as at the desk."""
    today = today or dt.date.today()
    errors: list[FieldError] = []
    warnings: list[str] = []
    text_errors = _unsavable_text_errors(data)
    if data.channel not in v.CHANNELS:
        errors.append(FieldError("信访形式", f"“{data.channel}”不在{'、'.join(v.CHANNELS)}之中"))
    if data.category not in v.CATEGORIES:
        errors.append(FieldError("信访类别", f"“{data.category}”不在{'、'.join(v.CATEGORIES)}之中"))
    if data.disposition not in v.DISPOSITIONS:
        errors.append(FieldError("处理方式", f"“{data.disposition}”不在{'、'.join(v.DISPOSITIONS)}之中"))
    if not isinstance(data.received_on, dt.date):
        errors.append(FieldError("收到日期", "不能为空"))
    elif data.received_on > today:
        errors.append(FieldError("收到日期", f"{data.received_on:%Y-%m-%d}晚于今天"))
    if not data.summary.strip():
        errors.append(FieldError("事项摘要", "不能为空"))
    elif len(data.summary.strip()) > 200:
        errors.append(FieldError("事项摘要", "不超过200字，详细内容请写入“事实”"))
    if not data.request.strip():
        errors.append(FieldError("诉求", "不能为空（第十九条）"))
    if data.category in ("检举控告", "申诉求决") and not data.facts.strip():
        errors.append(FieldError("事实", f"{data.category}类事项须记录事实（第十九条）"))
    if not data.petitioners:
        errors.append(FieldError("信访人", "至少登记一位信访人"))
    checked = [_check_petitioner(i, p, errors) for i, p in enumerate(data.petitioners)]
    ids = [p.id_number for p in checked if p.id_number]
    if len(ids) != len(set(ids)):
        errors.append(FieldError("信访人", "同一身份证号登记了两次"))

    people = data.people_count if data.people_count is not None else max(len(checked), 1)
    reps = data.reps_present if data.reps_present is not None else max(len(checked), 1)
    if isinstance(people, bool) or not isinstance(people, int):
        errors.append(FieldError("涉及人数", "应为整数"))
        people = max(len(checked), 1)
    elif people > MAX_PEOPLE:
        errors.append(FieldError("涉及人数", f"不能超过{MAX_PEOPLE}人"))
    elif people < max(len(checked), 1):
        errors.append(FieldError("涉及人数", f"不能少于登记的信访人数（{len(checked)}人）"))
    if isinstance(reps, bool) or not isinstance(reps, int):
        errors.append(FieldError("到场代表人数", "应为整数"))
        reps = 0
    elif reps < 0 or reps > people:
        errors.append(FieldError("到场代表人数", "应在0与涉及人数之间"))
    if reps > MAX_REPRESENTATIVES:
        warnings.append(f"到场代表{reps}人，超过5人（第二十条：多人反映共同意见的，应推选不超过5名代表）")

    d = data.disposition
    if d == "当场答复" and not data.answer_given.strip():
        errors.append(FieldError("答复内容", "当场答复须记录答复内容"))
    gaps = unfinished(data.answer_given, allow=FILLED_ON_SAVE)  # those two: register_case
    if gaps:  # an approved answer's 【缺：…】 must not reach the receipt
        errors.append(FieldError("答复内容", unfinished_reason(gaps)))
    if d in ("转送", "交办") and not data.unit.strip():
        errors.append(FieldError("承办单位", f"{d}须选择承办单位"))
    if d == "不予受理" and not data.reject_reason.strip():
        errors.append(FieldError("不予受理理由", "须写明理由及依据"))
    if d in ("不予受理", "引导") and not data.approach_body.strip():
        errors.append(FieldError("应向何处反映", f"{d}须告知信访人向哪个机关或途径反映"))
    if data.accepted_on and isinstance(data.received_on, dt.date) and data.accepted_on < data.received_on:
        errors.append(FieldError("受理日期", "不能早于收到日期"))
    if data.promised_reply_on and isinstance(data.received_on, dt.date) and data.promised_reply_on < data.received_on:
        errors.append(FieldError("约定答复日期", "不能早于收到日期"))
    if data.channel in v.FORWARDED_TO_US and not data.channel_ref.strip():
        warnings.append(f"{data.channel}的事项请记录来文号")
    if not any(p.address for p in checked):
        warnings.append("未记录信访人住址（第十九条）")
    if not data.reasons.strip() and data.category in ("检举控告", "申诉求决"):
        warnings.append("未记录理由（第十九条）")
    if text_errors:
        # A field holding a character that cannot be saved: that is what the clerk must fix
        # first (other checks of the same field would only quote the broken text).
        bad = {e.field for e in text_errors}
        errors = text_errors + [e for e in errors if e.field not in bad]
    missing: list[str] = []
    if historical:
        gaps = [e for e in errors if e.field in NARRATIVE_LABELS and _is_absent(e, data)]
        missing = [e.field for e in gaps]
        errors = [e for e in errors if e not in gaps]
    if errors:
        raise ValidationError(errors)
    confidential = data.confidential if data.confidential is not None else data.category == v.ACCUSATION
    return CheckedCase(data=data, petitioners=checked, people_count=people, reps_present=reps,
                       confidential=confidential, warnings=warnings, missing=missing)


def find_field(path: str, *, create: bool = False) -> tuple[Field | None, bool]:
    """A taxonomy entry by "一级/二级" path; with create, missing levels are added."""
    path = (path or "").strip().strip("/")
    if not path:
        return None, False
    parts = [p.strip() for p in path.split("/") if p.strip()]
    if len(parts) > 2:
        raise FieldError("涉及领域", f"“{path}”超过两级")
    created = False
    top = Field.get_or_none((Field.name == parts[0]) & Field.parent.is_null())
    if top is None:
        if not create:
            raise FieldError("涉及领域", f"“{parts[0]}”不在领域分类中")
        top = Field.create(name=parts[0], parent=None, sort_order=999)
        created = True
    if len(parts) == 1:
        return top, created
    child = Field.get_or_none((Field.name == parts[1]) & (Field.parent == top))
    if child is None:
        if not create:
            raise FieldError("涉及领域", f"“{path}”不在领域分类中")
        child = Field.create(name=parts[1], parent=top, default_unit=top.default_unit, sort_order=999)
        created = True
    return child, created


def find_unit(name: str, *, create: bool = False) -> tuple[Unit | None, bool]:
    name = (name or "").strip()
    if not name:
        return None, False
    unit = Unit.get_or_none(Unit.name == name)
    if unit is not None:
        return unit, False
    if not create:
        raise FieldError("承办单位", f"“{name}”不在单位名录中")
    return Unit.create(name=name), True


def search_text_for(names: list[str], summary: str, request: str, facts: str) -> str:
    """Case.search_text: the petitioners' names and the matter text (the substring index).
    It ends with a newline so that every 2-character substring starts a trigram of the index
    (core.cases.search answers 2-character terms from the index's vocabulary)."""
    return "\n".join([" ".join(names), summary, request, facts, ""])


def _search_text(petitioners: list[CheckedPetitioner], data: CaseInput) -> str:
    return search_text_for([p.name for p in petitioners], data.summary, data.request, data.facts)


def _upsert_petitioner(p: CheckedPetitioner) -> Petitioner:
    """The same ID number is the same person: reuse the row and fill in what was missing."""
    if p.id_number and p.doc_type == "身份证":
        row = Petitioner.get_or_none(Petitioner.id_number == p.id_number)
        if row is not None:
            changed = False
            for attr in ("phone", "phone_alt", "address"):
                new = getattr(p, attr)
                if new and new != getattr(row, attr):
                    setattr(row, attr, new)  # the latest contact details win
                    changed = True
            if p.name and p.name != row.name:
                row.name = p.name
                changed = True
            if changed:
                row.save()
            return row
    return Petitioner.create(
        kind=p.kind, name=p.name, doc_type=p.doc_type, id_number=p.id_number, sex=p.sex,
        birth_date=p.birth_date, phone=p.phone, phone_alt=p.phone_alt, address=p.address,
    )


def to_event_data(row: CaseEvent) -> EventData:
    return EventData(
        type=row.type, on=row.on, unit=row.unit.name if row.unit_id else "", ref=row.ref,
        deadline=row.deadline, days=row.days, reason=row.reason, approver=row.approver,
        outcome=row.outcome, rating=row.rating, note=row.note,
    )


def _window_end_fn():
    return statutory_end()


def state_of(case: Case, events: list[EventData] | None = None, window_end=None) -> CaseState:
    if events is None:
        events = [to_event_data(e) for e in
                  CaseEvent.select().where(CaseEvent.case == case).order_by(CaseEvent.on, CaseEvent.id)]
    start = initial_state(category=case.category, disposition=case.disposition,
                          channel=case.channel, received_on=case.received_on,
                          accepted_on=case.accepted_on)
    return replay(start, events, window_end)


def insert_checked(checked: CheckedCase, *, prefix: str, create_missing: bool = False,
                   events: list[EventData] = (), window_end=None) -> Saved:
    """Write one validated case (and its events) inside the caller's transaction."""
    data = checked.data
    field_row, new_field = find_field(data.field, create=create_missing)
    unit_row, new_unit = find_unit(data.unit, create=create_missing)
    if unit_row is None and field_row is not None and data.disposition in ("转送", "交办"):
        unit_row = field_row.default_unit
    state = initial_state(category=data.category, disposition=data.disposition,
                          channel=data.channel, received_on=data.received_on,
                          accepted_on=data.accepted_on)
    state = replay(state, events, window_end)
    case_no = data.case_no.strip()
    if case_no:
        if Case.select().where(Case.case_no == case_no).exists():
            raise FieldError("案件编号", f"{case_no}已存在")
        note_used_case_no(case_no)
    else:
        case_no = next_case_no(prefix, data.received_on.year)
    code = data.query_code.strip().upper()
    if code and Case.select().where(Case.query_code == code).exists():
        raise FieldError("查询码", f"{code}已被其他事项使用")
    code = code or new_query_code()
    case = Case.create(
        case_no=case_no, query_code=code, received_on=data.received_on,
        channel=data.channel, channel_ref=data.channel_ref.strip(), category=data.category,
        field=field_row, people_count=checked.people_count, reps_present=checked.reps_present,
        summary=data.summary.strip(), request=data.request.strip(), facts=data.facts.strip(),
        reasons=data.reasons.strip(), disposition=data.disposition,
        answer_given=data.answer_given.strip(), unit=unit_row,
        promised_reply_on=data.promised_reply_on, reject_reason=data.reject_reason.strip(),
        approach_body=data.approach_body.strip(),
        accepted_on=state.accepted_on if data.disposition in ("受理", "建议记录") else data.accepted_on,
        confidential=checked.confidential, status=state.status, clerk=data.clerk.strip(),
        search_text=_search_text(checked.petitioners, data), notes=data.notes.strip(),
        history_gaps=history_gaps_text(checked.missing),
    )
    for pos, p in enumerate(checked.petitioners):
        CasePetitioner.create(case=case, petitioner=_upsert_petitioner(p), position=pos,
                              is_representative=p.is_representative)
    new_units = [data.unit.strip()] if new_unit else []
    for ev in events:
        ev_unit, created = find_unit(ev.unit, create=create_missing) if ev.unit else (None, False)
        if created:
            new_units.append(ev.unit.strip())
        _write_event(case, ev, ev_unit, actor=data.clerk)
    return Saved(id=case.id, case_no=case_no, query_code=code, status=state.status,
                 warnings=tuple(checked.warnings),
                 new_fields=(data.field.strip(),) if new_field else (),
                 new_units=tuple(new_units))


def _write_event(case: Case, ev: EventData, unit: Unit | None, actor: str) -> CaseEvent:
    return CaseEvent.create(
        case=case, type=ev.type, on=ev.on, unit=unit, ref=ev.ref, deadline=ev.deadline,
        days=ev.days, reason=ev.reason, approver=ev.approver, outcome=ev.outcome,
        rating=ev.rating, note=ev.note, actor=actor,
    )


def created_details(data: CaseInput, checked: CheckedCase) -> dict:
    """What a `case_created` audit row records (never a name or an ID number)."""
    return {"category": data.category, "channel": data.channel,
            "disposition": data.disposition, "received_on": data.received_on,
            "confidential": checked.confidential, "clerk": data.clerk.strip()}


def register_case(data: CaseInput, *, today: dt.date | None = None) -> Saved:
    """Validate and save a new intake; the number and query code are allocated here.
    Needs `register`; the clerk is the acting user unless given; audited (case_created)."""
    actor = session.require("register")
    if not data.clerk.strip():
        data = dataclasses.replace(data, clerk=actor.username)
    checked = check_case(data, today=today)
    with storage_errors(), write_transaction():
        prefix = settings.get("case_prefix")
        saved = insert_checked(checked, prefix=prefix, create_missing=False)
        answer = fill_numbers(checked.data.answer_given, saved.case_no, saved.query_code)
        if answer != checked.data.answer_given:  # an answer from the library names the number
            Case.update(answer_given=answer).where(Case.id == saved.id).execute()
        audit.record("case_created", saved.case_no, created_details(data, checked))
        return saved


def get_case(case_no: str) -> Case:
    """The case by number, whoever asks (NotFoundError if there is none); the services that act
    for a user use access.get_visible_case."""
    return Case.by_number(case_no)


def _event_audit(ev: EventData, before: str, after: str, approver: str) -> dict:
    details: dict = {"type": ev.type, "on": ev.on}
    for key in ("unit", "ref", "deadline", "days", "outcome", "rating"):
        value = getattr(ev, key)
        if value not in (None, ""):
            details[key] = value
    if approver:
        details["approver"] = approver
    if before != after:
        details["status"] = [before, after]
    return details


def record_event(case_no: str, ev: EventData, *, actor: str = "",
                 approval: session.Actor | None = None) -> CaseState:
    """Add an event after the state machine allows it; the cached status follows.

    Needs `follow_up` (`print` for a printed event) and a visible case. An extension or an
    answer (access.APPROVAL_EVENTS) needs a leader: the acting user, or `approval` (a leader
    authenticated on the spot), whose username fills an empty `approver`. `actor` defaults to
    the acting user. Audited in the same transaction (event, or printed)."""
    return _record_event(case_no, ev, actor=actor, approval=approval)


def _record_event(case_no: str, ev: EventData, *, actor: str = "",
                  approval: session.Actor | None = None, approval_kind: str = "",
                  audit_action: str = "event", audit_extra: dict | None = None) -> CaseState:
    acting = session.require("print" if ev.type == "printed" else "follow_up")
    check_event_values(ev)
    actor = actor.strip() or acting.username
    kind = approval_kind or (ev.type if ev.type in APPROVAL_EVENTS else "")
    approver = ""
    if kind:
        refusal = APPROVAL_EVENTS.get(kind) or _approval_refusal(kind)
        approver = check_approval(kind, refusal, approval)
        if approver and not ev.approver.strip():
            ev = dataclasses.replace(ev, approver=approver)
    with storage_errors(), write_transaction():
        case = get_visible_case(case_no)
        window_end = _window_end_fn()
        state = state_of(case, window_end=window_end)
        unit = None
        if ev.type in ("forwarded", "assigned"):
            if not ev.unit.strip() and case.unit_id:
                ev = EventData(**{**ev.__dict__, "unit": case.unit.name})
            if ev.unit.strip():
                unit, _ = find_unit(ev.unit)
        elif ev.unit.strip():
            unit, _ = find_unit(ev.unit)
        new_state = apply_event(state, ev, window_end)
        _write_event(case, ev, unit, actor=actor)
        Case.update(Case.changed_by(acting.username), status=new_state.status,
                    unit=unit if unit is not None and ev.type in ("forwarded", "assigned") else case.unit
                    ).where(Case.id == case.id).execute()
        details = _event_audit(ev, case.status, new_state.status, ev.approver.strip())
        details.update(audit_extra or {})
        if actor != acting.username:
            details["recorded_as"] = actor
        audit.record(audit_action, case.case_no, details)
        if kind:
            record_approval(kind, case.case_no, approver)
        return new_state


def event_days_problem(event_type: str, days) -> str | None:
    """Why an event's days (延期天数) cannot be saved, or None. An extension's days are
    checked by the workflow (1..30, counting earlier extensions); any other event has none, or
    1..MAX_EXTENSION_DAYS."""
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int):
        return "应为整数"
    if event_type != "extended" and not 1 <= days <= MAX_EXTENSION_DAYS:
        return f"应在1与{MAX_EXTENSION_DAYS}之间"
    return None


def check_event_values(ev: EventData) -> None:
    """ValidationError if a text of the event holds a character that cannot be saved, or its
    days (延期天数) are not an integer, or not 1..MAX_EXTENSION_DAYS on an event other than an
    extension (whose days the workflow checks, counting earlier extensions)."""
    errors: list[FieldError] = []
    for attr, label in EVENT_TEXT_LABELS.items():
        value = getattr(ev, attr, None)
        if isinstance(value, str):
            try:
                check_text(value, label)
            except FieldError as exc:
                errors.append(exc)
    message = event_days_problem(ev.type, ev.days)
    if message:
        errors.append(FieldError("延期天数", message))
    gaps = unfinished(ev.note)
    if gaps:  # an approved answer's 【缺：…】 must not reach the letter
        errors.append(FieldError(EVENT_TEXT_LABELS.get("note", "说明"), unfinished_reason(gaps)))
    if errors:
        raise ValidationError(errors)


def _approval_refusal(kind: str) -> str:
    return APPROVAL_DOCUMENTS.get(kind, "须经负责人审批。")


def accept_case(case_no: str, on: dt.date, *, promised_reply_on: dt.date | None = None) -> CaseState:
    """A registered case (e.g. a letter awaiting decision) is accepted for handling here."""
    session.require("follow_up")
    with storage_errors(), write_transaction():
        case = get_visible_case(case_no)
        if case.status != v.REGISTERED:
            raise WorkflowError(f"事项当前状态为“{v.STATUS_LABELS[case.status]}”，不能受理")
        if on < case.received_on:
            raise WorkflowError("受理日期不能早于收到日期")
        before, disposition = case.status, case.disposition
        case.disposition, case.accepted_on = "受理", on
        if promised_reply_on:
            case.promised_reply_on = promised_reply_on
        state = state_of(case)
        case.status = state.status
        Case.update(Case.changed_by(session.current().username), disposition=case.disposition,
                    accepted_on=on, promised_reply_on=case.promised_reply_on,
                    status=state.status).where(Case.id == case.id).execute()
        details = {"type": "accept", "on": on, "disposition": [disposition, "受理"]}
        if promised_reply_on:
            details["promised_reply_on"] = promised_reply_on
        if before != state.status:
            details["status"] = [before, state.status]
        audit.record("event", case.case_no, details)
        return state


def petitioners_of(case: Case) -> list[tuple[Petitioner, bool]]:
    rows = (CasePetitioner.select(CasePetitioner, Petitioner).join(Petitioner)
            .where(CasePetitioner.case == case).order_by(CasePetitioner.position))
    return [(link.petitioner, link.is_representative) for link in rows]


def events_of(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.select().where(CaseEvent.case == case)
                .order_by(CaseEvent.on, CaseEvent.id))


def count_cases() -> int:
    with storage_errors():
        return Case.select().count()
