"""The deadline engine: which statutory limits apply to each open case, and when they fall.

Periods are counted per 民法典 第二百零一条/第二百零三条 by the WorkCalendar (start day not
counted, a last day that is not a working day moves to the next working day), in calendar
days or working days as the office's `deadline_rule` setting says. The 5-day objection
period of 第二十三条 is always counted in working days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import peewee as pw

from xinfang_desk.core.deadlines.calendar import load_calendar
from xinfang_desk.core.deadlines.workdays import WorkCalendar
from xinfang_desk.core.people.access import visibility_condition
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import (
    REVIEWABLE,
    CaseState,
    EventData,
    event_data,
    initial_state,
    replay_lenient,
)
from xinfang_desk.core.store import settings
from xinfang_desk.core.store.db import storage_errors
from xinfang_desk.core.store.models import Case, CaseEvent, Unit

NOTICE_DAYS = 15  # 第二十二条、第二十三条
OBJECTION_WORKDAYS = 5  # 第二十三条
HANDLING_DAYS = 60  # 第三十四条
REVIEW_DAYS = 30  # 第三十五条、第三十六条

KIND_LABELS = {
    "notice": "15日内告知",
    "forward": "15日内转送/交办",
    "objection": "5个工作日内提出异议",
    "handling": "60日内办结",
    "feedback": "承办单位反馈",
    "promised": "约定答复日",
    "review": "30日内复查答复",
    "rereview": "30日内复核答复",
    "review_window": "复查申请期",
    "rereview_window": "复核申请期",
}
# Windows are the petitioner's time, not ours: they expire, they are never "overdue".
WINDOW_KINDS = ("review_window", "rereview_window")


@dataclass(frozen=True, slots=True)  # slots: a report holds 10⁵ of them
class Due:
    case_no: str
    kind: str
    label: str
    due: dt.date
    days_left: int
    overdue: bool
    basis: str
    warnings: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {"case_no": self.case_no, "kind": self.kind, "label": self.label,
                "due": self.due.isoformat(), "days_left": self.days_left,
                "overdue": self.overdue, "basis": self.basis, "warnings": list(self.warnings)}


@dataclass(frozen=True)
class Rules:
    calendar: WorkCalendar
    rule: str = "calendar"
    office_mode: str = "organ"
    feedback_days: int = 60
    # add()'s answers so far, by (start, days): a report or a deadline list works out the same
    # periods for thousands of cases that share a start day. Deadlines are immutable values.
    _added: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def add(self, start: dt.date, days: int):
        key = (start, days)
        deadline = self._added.get(key)
        if deadline is None:
            deadline = self._added[key] = self.calendar.add_days(start, days, self.rule)
        return deadline

    def window_end(self, start: dt.date, days: int) -> dt.date:
        return self.add(start, days).due


def current_rules() -> Rules:
    got = settings.get_many("deadline_rule", "office_mode", "feedback_days")
    return Rules(calendar=load_calendar(), rule=got["deadline_rule"],
                 office_mode=got["office_mode"], feedback_days=got["feedback_days"])


def statutory_end() -> Callable[[dt.date, int], dt.date]:
    return current_rules().window_end


def _entry(case_no, kind, basis, deadline, today) -> Due:
    due = deadline.due
    days_left = (due - today).days
    overdue = days_left < 0 and kind not in WINDOW_KINDS
    return Due(case_no=case_no, kind=kind, label=KIND_LABELS[kind], due=due, days_left=days_left,
               overdue=overdue, basis=basis, warnings=tuple(deadline.warnings))


class _Fixed:
    """A date set by a person (a promise, a unit's deadline): no calendar arithmetic."""

    def __init__(self, due: dt.date):
        self.due, self.warnings = due, ()


def deadlines_for(case_no: str, state: CaseState, rules: Rules, today: dt.date,
                  promised_reply_on: dt.date | None = None) -> list[Due]:
    """Every limit that currently runs for one case (windows included, even if expired)."""
    out: list[Due] = []
    s = state
    needs_notice = s.disposition in ("受理", "转送", "交办", "不予受理", "建议记录")
    if needs_notice and s.notified_on is None and s.forwarded_on is None:
        forwarding = s.disposition in ("转送", "交办") and s.status == v.REGISTERED
        kind = "forward" if forwarding else "notice"
        basis = "第二十二条" if rules.office_mode == "bureau" and forwarding else "第二十三条"
        out.append(_entry(case_no, kind, basis, rules.add(s.received_on, NOTICE_DAYS), today))
    if s.channel in v.FORWARDED_TO_US and s.status == v.REGISTERED:
        out.append(_entry(case_no, "objection", "第二十三条",
                          rules.calendar.add_working_days(s.received_on, OBJECTION_WORKDAYS), today))
    if s.status == v.ACCEPTED and s.handling_from:
        out.append(_entry(case_no, "handling", "第三十四条",
                          rules.add(s.handling_from, HANDLING_DAYS + s.extension_days), today))
    if s.status == v.FORWARDED and s.feedback_on is None and s.forwarded_on:
        if s.feedback_due:
            fixed = s.feedback_due + dt.timedelta(days=s.extension_days)
            deadline = rules.calendar.add_calendar_days(fixed, 0) if s.extension_days else _Fixed(fixed)
        else:
            deadline = rules.add(s.forwarded_on, rules.feedback_days + s.extension_days)
        out.append(_entry(case_no, "feedback", "转送/交办要求", deadline, today))
    if promised_reply_on and s.status in (v.REGISTERED, v.ACCEPTED, v.FORWARDED):
        out.append(_entry(case_no, "promised", "与信访人约定", _Fixed(promised_reply_on), today))
    if s.status == v.IN_REVIEW and s.review_requested_on:
        out.append(_entry(case_no, "review", "第三十五条",
                          rules.add(s.review_requested_on, REVIEW_DAYS), today))
    if s.status == v.IN_REREVIEW and s.rereview_requested_on:
        out.append(_entry(case_no, "rereview", "第三十六条",
                          rules.add(s.rereview_requested_on, REVIEW_DAYS), today))
    if s.status == v.REPLIED and s.replied_on and s.review_requested_on is None:
        if s.category in REVIEWABLE:
            out.append(_entry(case_no, "review_window", "第三十五条",
                              rules.add(s.replied_on, REVIEW_DAYS), today))
    if s.status == v.REVIEWED and s.review_answered_on:
        out.append(_entry(case_no, "rereview_window", "第三十六条",
                          rules.add(s.review_answered_on, REVIEW_DAYS), today))
    return out


# What the deadlines of an open case are worked out from (core.report.figures reads the same columns).
_OPEN_CASE_COLUMNS = (Case.id, Case.case_no, Case.category, Case.disposition, Case.channel,
                      Case.received_on, Case.accepted_on, Case.promised_reply_on)


def _open_case_condition():
    # Closed cases matter only while a written 不予受理 notice is still owed: no notice
    # recorded yet (one dated before receipt would be refused by the state machine, so it does
    # not count). Without that test every 不予受理 case of the history was read and replayed
    # each time (three quarters of the work on 1,000,000 cases).
    notice = CaseEvent.alias("notice")
    given = (notice.select(pw.SQL("1"))
             .where((notice.case == Case.id) & (notice.type == "notified")
                    & (notice.on >= Case.received_on)))
    return (Case.status != v.CLOSED) | ((Case.disposition == "不予受理") & ~pw.fn.EXISTS(given))


def _open_case_query():
    return Case.select(*_OPEN_CASE_COLUMNS).where(_open_case_condition())


def _events_by_case(case_ids: list[int]) -> dict[int, list[EventData]]:
    """Each case's timeline as the state machine reads it (ref, approver and note left empty:
    nothing here reads them). Read through a raw cursor in chunks: building a CaseEvent model
    per row took 7 of the 8 s of the follow-up board on 100,000 cases."""
    by_case: dict[int, list[EventData]] = defaultdict(list)
    units = {u.id: u.name for u in Unit.select(Unit.id, Unit.name)}
    db = Case._meta.database
    days: dict = {None: None}
    for chunk_start in range(0, len(case_ids), 500):
        chunk = case_ids[chunk_start:chunk_start + 500]
        query = (CaseEvent.select(CaseEvent.case, CaseEvent.type, CaseEvent.on, CaseEvent.unit,
                                  CaseEvent.deadline, CaseEvent.days, CaseEvent.reason,
                                  CaseEvent.outcome, CaseEvent.rating)
                 .where(CaseEvent.case.in_(chunk))
                 .order_by(CaseEvent.case, CaseEvent.on, CaseEvent.id))
        for cid, typ, on, unit, deadline, n_days, reason, outcome, rating in db.execute(query):
            on_day = days.get(on)
            if on_day is None:
                on_day = days[on] = _as_date(on)
            due = days.get(deadline)
            if due is None and deadline is not None:
                due = days[deadline] = _as_date(deadline)
            by_case[cid].append(event_data(typ, on_day, units.get(unit, ""), due, n_days,
                                           reason or "", outcome or "", rating or ""))
    return by_case


def _as_date(value) -> dt.date:
    """A date column as read through a raw cursor (text on SQLite, a date elsewhere)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def list_deadlines(today: dt.date | None = None, within: int | None = None,
                   include_windows: bool = False) -> list[Due]:
    """What is overdue, or (with `within`) due within that many days, across all open cases
    the acting user may see. Without `within`, every running deadline is listed. Sorted by
    due date."""
    today = today or dt.date.today()
    with storage_errors():
        rules = current_rules()
        query = _open_case_query()
        hidden = visibility_condition()  # others' confidential cases (core.people.access)
        if hidden is not None:
            query = query.where(hidden)
        cases = list(query.tuples())
        events = _events_by_case([c[0] for c in cases])
    out: list[Due] = []
    for cid, case_no, category, disposition, channel, received, accepted, promised in cases:
        state = initial_state(category=category, disposition=disposition, channel=channel,
                              received_on=received, accepted_on=accepted)
        state, _problems = replay_lenient(state, events.get(cid, []), rules.window_end)
        for due in deadlines_for(case_no, state, rules, today, promised):
            if due.kind in WINDOW_KINDS and (not include_windows or due.days_left < 0):
                continue
            if within is not None and not due.overdue and due.days_left > within:
                continue
            out.append(due)
    out.sort(key=lambda d: (d.due, d.case_no, d.kind))
    return out


def default_promised_reply(received_on: dt.date, disposition: str,
                           accepted_on: dt.date | None = None) -> dt.date | None:
    """The reply date to offer the visitor at the desk (the statutory limit that applies)."""
    rules = current_rules()
    if disposition in ("受理", "建议记录", "交办"):
        return rules.add(accepted_on or received_on, HANDLING_DAYS).due
    if disposition in ("转送", "不予受理"):
        return rules.add(received_on, NOTICE_DAYS).due
    return None
