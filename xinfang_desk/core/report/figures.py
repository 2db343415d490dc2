"""The monthly report (第四十一条): every figure is defined once, here.

A period is `start`..`end`, both days included. "Received in the period" means
`Case.received_on` in the period; "events in the period" means timeline events whose date
(`CaseEvent.on`) is in the period. Counting is done with aggregate SQL (GROUP BY, COUNT,
SUM, MIN, COALESCE: portable, nothing SQLite-only); replayed in Python are only the period's
replied cases, to know the handling deadline each reply was due by, and the open cases, once
for the overdue counts at the end of both periods.

A rate is a fraction 0..1, or None when its denominator is 0 (shown "—", never 0%).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import attrgetter

import peewee as pw

from xinfang_desk.core.deadlines.engine import (
    _OPEN_CASE_COLUMNS,
    HANDLING_DAYS,
    NOTICE_DAYS,
    Due,
    Rules,
    _open_case_condition,
    current_rules,
    deadlines_for,
)
from xinfang_desk.core.errors import WorkflowError
from xinfang_desk.core.people.access import visibility_condition
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import EventData, apply, event_data, initial_state
from xinfang_desk.core.store import settings
from xinfang_desk.core.store.db import storage_errors
from xinfang_desk.core.store.models import Case, CaseEvent, Field, Unit

# Dispositions that owe a written notice (or the forwarding) within 15 days (第二十二条、第二十三条),
# as in deadlines.deadlines_for.
NOTICE_DISPOSITIONS = ("受理", "转送", "交办", "不予受理", "建议记录")
# Events that meet the 15-day notice/forward limit: a notice, a forwarding, or a reply (which
# tells the petitioner the result; late if after the 15th day). Imported history closed on the
# ledger's word ends the duty too.
NOTICE_EVENTS = ("notified", "forwarded", "assigned", "replied", "ledger_closed")
# Categories counted as complaints against a unit.
COMPLAINT_CATEGORIES = ("检举控告", "申诉求决")
TOP_UNITS = 5
NO_FIELD = "（未分类）"
NO_UNIT = "（未指定）"

# The headline figures whose change against the previous period is given.
HEADLINE = ("received_total", "forwarded", "overdue_at_end", "notice_on_time_rate",
            "handling_on_time_rate", "satisfaction_rate")
HEADLINE_LABELS = {
    "received_total": "受理登记信访事项（件）",
    "forwarded": "转送、交办（次）",
    "overdue_at_end": "期末超期事项（件）",
    "notice_on_time_rate": "15日内告知/转送按期率",
    "handling_on_time_rate": "60日内办结按期率",
    "satisfaction_rate": "满意率",
}


@dataclass
class Report:
    """The figures of one period. Each field's comment says exactly what it counts."""

    start: dt.date
    end: dt.date
    today: dt.date
    #: Cases received in the period.
    received_total: int = 0
    #: Cases received in the period per channel (every channel listed, zeros included).
    by_channel: dict[str, int] = field(default_factory=dict)
    #: Cases received in the period per class (every class listed, zeros included).
    by_category: dict[str, int] = field(default_factory=dict)
    #: Cases received in the period per top-level field (a sub-field counts for its parent;
    #: no field: "（未分类）"); most first.
    by_field: dict[str, int] = field(default_factory=dict)
    #: Cases received in the period per the case's unit (承办单位, as now recorded on the case;
    #: none: "（未指定）"); most first.
    by_unit: dict[str, int] = field(default_factory=dict)
    #: Cases received in the period with people_count >= the `group_threshold` setting (any channel).
    group_visits: int = 0
    #: Sum of people_count over those group visits.
    group_people: int = 0
    #: Sum of people_count over all cases received in the period (人次).
    people_involved: int = 0
    #: `visit` events (重复来访) dated in the period, whenever their case was received.
    repeat_visits: int = 0
    #: Top 5 units by 检举控告 + 申诉求决 cases received in the period: [(unit, count)], most first,
    #: ties by name; cases without a unit left out.
    units_most_complained: list[tuple[str, int]] = field(default_factory=list)
    #: `forwarded` + `assigned` events dated in the period.
    forwarded: int = 0
    #: `chased` events (催办) dated in the period.
    chased: int = 0
    #: `feedback` events (承办单位反馈) dated in the period.
    feedback_received: int = 0
    #: Cases received in the period that owe a 15-day notice/forwarding (受理、转送、交办、不予受理、
    #: 建议记录) whose due date is before `today` or which were notified/forwarded/assigned by it.
    notice_due: int = 0
    #: Of those, cases whose first notified/forwarded/assigned event is on or before the due date.
    notice_on_time: int = 0
    #: notice_on_time / notice_due.
    notice_on_time_rate: float | None = None
    #: `replied` events dated in the period.
    replies: int = 0
    #: Of those, replies on or before the handling due date: 60 days + extensions from acceptance
    #: (or reopening); for a forwarded/assigned case from its acceptance or receipt.
    handling_on_time: int = 0
    #: handling_on_time / replies.
    handling_on_time_rate: float | None = None
    #: Distinct cases with a running deadline overdue on `end`: the overdue entries of
    #: deadlines.list_deadlines(today=end) (computed here with the same deadlines_for, faster).
    #: Uses each case's CURRENT state: a case answered after `end` no longer counts.
    overdue_at_end: int = 0
    #: The overdue deadlines behind overdue_at_end (one case may have several).
    overdue_items: list[Due] = field(default_factory=list)
    #: `extended` events (延期) dated in the period.
    extensions: int = 0
    #: `replied` events dated in the period on 建议意见 cases, per outcome 采纳/部分采纳/不采纳.
    adoption: dict[str, int] = field(default_factory=dict)
    #: `review_requested` events (申请复查) dated in the period.
    review_requests: int = 0
    #: `rereview_requested` events (申请复核) dated in the period.
    rereview_requests: int = 0
    #: `satisfaction` events dated in the period per rating (every rating listed).
    satisfaction: dict[str, int] = field(default_factory=dict)
    #: (满意 + 基本满意) / (满意 + 基本满意 + 不满意); 未表态 left out.
    satisfaction_rate: float | None = None
    #: The previous period (see previous_period) and its headline figures.
    previous_start: dt.date | None = None
    previous_end: dt.date | None = None
    previous: dict[str, float | int | None] = field(default_factory=dict)
    #: Headline figure minus the previous period's (None if either is None).
    change: dict[str, float | int | None] = field(default_factory=dict)


def month_range(month: str) -> tuple[dt.date, dt.date]:
    """'2026-10' → (2026-10-01, 2026-10-31). ValueError if it is not a real YYYY-MM."""
    parts = month.strip().split("-")
    if len(parts) != 2 or len(parts[0]) != 4 or not (1 <= len(parts[1]) <= 2):
        raise ValueError(month)
    year, mon = int(parts[0]), int(parts[1])
    start = dt.date(year, mon, 1)
    nxt = dt.date(year + 1, 1, 1) if mon == 12 else dt.date(year, mon + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def _is_whole_months(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and (end + dt.timedelta(days=1)).day == 1


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period just before: the same number of whole calendar months when the period is
    whole months (October → September), otherwise the same number of days."""
    if _is_whole_months(start, end):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        prev_end = start - dt.timedelta(days=1)
        y, m = start.year, start.month - months
        while m < 1:
            y, m = y - 1, m + 12
        return dt.date(y, m, 1), prev_end
    length = end - start
    prev_end = start - dt.timedelta(days=1)
    return prev_end - length, prev_end


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def received_between(start: dt.date, end: dt.date):
    return Case.received_on.between(start, end)


def _count_by(column, start, end, where=None):
    cond = received_between(start, end)
    if where is not None:
        cond &= where
    query = (Case.select(column, pw.fn.COUNT(Case.id)).where(cond).group_by(column))
    return {key: n for key, n in query.tuples()}


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _by_field(start, end) -> dict[str, int]:
    top = pw.fn.COALESCE(Field.parent, Field.id)
    query = (Case.select(top.alias("top"), pw.fn.COUNT(Case.id))
             .join(Field, pw.JOIN.LEFT_OUTER, on=(Case.field == Field.id))
             .where(received_between(start, end)).group_by(top))
    rows = list(query.tuples())
    names = {i: n for i, n in Field.select(Field.id, Field.name).where(Field.parent.is_null()).tuples()}
    out: dict[str, int] = {}
    for top_id, n in rows:
        name = names.get(top_id, NO_FIELD) if top_id is not None else NO_FIELD
        out[name] = out.get(name, 0) + n
    return _sorted(out)


def _by_unit(start, end) -> tuple[dict[str, int], dict[str, int]]:
    """Cases received in the period per unit (see Report.by_unit), and the same for the
    complaints (COMPLAINT_CATEGORIES) only. One GROUP BY unit, category: the class is picked
    in Python, so that SQLite keeps to the received_on index (without table statistics it
    picks the far slower category index for `category IN (...)`)."""
    every: dict[int | None, int] = {}
    complaints: dict[int | None, int] = {}
    query = (Case.select(Case.unit, Case.category, pw.fn.COUNT(Case.id))
             .where(received_between(start, end)).group_by(Case.unit, Case.category))
    for unit, category, n in query.tuples():
        every[unit] = every.get(unit, 0) + n
        if category in COMPLAINT_CATEGORIES:
            complaints[unit] = complaints.get(unit, 0) + n
    ids = [i for i in every if i is not None]
    names = ({i: n for i, n in Unit.select(Unit.id, Unit.name).where(Unit.id.in_(ids)).tuples()}
             if ids else {})

    def named(counts):
        return _sorted({(names.get(i, NO_UNIT) if i is not None else NO_UNIT): n
                        for i, n in counts.items()})

    return named(every), named(complaints)


def _event_counts(start, end) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Events dated in the period per type; `replied` events per outcome; `satisfaction`
    events per rating. One scan of the events (GROUP BY type, outcome, rating)."""
    by_type: dict[str, int] = {}
    outcomes: dict[str, int] = {}
    ratings: dict[str, int] = {}
    query = (CaseEvent.select(CaseEvent.type, CaseEvent.outcome, CaseEvent.rating,
                              pw.fn.COUNT(CaseEvent.id))
             .where(CaseEvent.on.between(start, end))
             .group_by(CaseEvent.type, CaseEvent.outcome, CaseEvent.rating))
    for typ, outcome, rating, n in query.tuples():
        by_type[typ] = by_type.get(typ, 0) + n
        if typ == "replied":
            outcomes[outcome] = outcomes.get(outcome, 0) + n
        elif typ == "satisfaction":
            ratings[rating] = ratings.get(rating, 0) + n
    return by_type, outcomes, ratings


def _notice(start, end, today, rules: Rules) -> tuple[int, int]:
    first = pw.fn.MIN(CaseEvent.on)
    # The disposition is picked in Python, so that SQLite keeps to the received_on index
    # (without table statistics it picks the far slower disposition index for `IN (...)`).
    query = (Case.select(Case.received_on, Case.disposition, first)
             .join(CaseEvent, pw.JOIN.LEFT_OUTER,
                   on=((CaseEvent.case == Case.id) & CaseEvent.type.in_(NOTICE_EVENTS)))
             .where(received_between(start, end))
             .group_by(Case.id, Case.received_on, Case.disposition))
    due_cache: dict[dt.date, dt.date] = {}
    due_n = met = 0
    for received, disposition, first_on in query.tuples():
        if disposition not in NOTICE_DISPOSITIONS:
            continue
        if received not in due_cache:
            due_cache[received] = rules.add(received, NOTICE_DAYS).due
        due = due_cache[received]
        if isinstance(first_on, str):  # some drivers return aggregates of dates as text
            first_on = dt.date.fromisoformat(first_on[:10])
        on_time = first_on is not None and first_on <= due
        if on_time or due < today:
            due_n += 1
            met += on_time
    return due_n, met


def _day(value) -> dt.date | None:
    """A date column read through a raw cursor (SQLite gives text, PostgreSQL a date)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


class _Days(dict):
    """_day with memory: raw date value → dt.date, each distinct value converted once (a year
    of events has a few hundred distinct dates, read tens of thousands of times)."""

    def __missing__(self, value):
        day = self[value] = _day(value)
        return day


# What the state machine reads of an event (the unit only as "recorded or not").
_EVENT_COLUMNS = (CaseEvent.type, CaseEvent.on, CaseEvent.unit, CaseEvent.deadline,
                  CaseEvent.days, CaseEvent.reason, CaseEvent.outcome, CaseEvent.rating)


def _timelines(query, width: int, days: _Days):
    """(head, events) per case, from a query whose rows are `width` case columns (the case id
    first) then _EVENT_COLUMNS, ordered by case id, event date, event id. A case without events
    comes as one row whose event columns are NULL (LEFT JOIN). Read through a raw cursor
    (several times faster than peewee's row conversion on 10⁵ events); the events are what the
    state machine reads, the unit a placeholder when one is recorded. `head` is the raw row
    slice: date columns in it are still to be converted with `days`."""
    db = Case._meta.database
    current = None
    head: tuple = ()
    events: list[EventData] = []
    for row in db.execute(query):
        if row[0] != current:
            if current is not None:
                yield head, events
            current, head, events = row[0], row[:width], []
        typ, on, unit, deadline, n_days, reason, outcome, rating = row[width:]
        if typ is not None:
            events.append(event_data(typ, days[on], "?" if unit is not None else "",
                                     days[deadline], n_days, reason, outcome, rating))
    if current is not None:
        yield head, events


def _replay(state, events: list[EventData], window_end):
    """deadlines.replay_lenient without collecting the refusals (nobody reads them here)."""
    for ev in events:
        try:
            state = apply(state, ev, window_end)
        except WorkflowError:
            continue  # a refused event is skipped
    return state


_DUE_ORDER = attrgetter("due", "case_no", "kind")  # as deadlines.list_deadlines sorts


def overdue_on(days: list[dt.date], rules: Rules) -> dict[dt.date, list[Due]]:
    """For each day, the deadlines overdue on it: what deadlines.list_deadlines(today=day)
    marks overdue, from each open case's current state. One pass serves several days: each
    open case is replayed once and its running deadlines worked out once (their due dates do
    not depend on the day; only days_left and overdue do)."""
    last = max(days)
    # The open cases (as deadlines.list_deadlines reads them), each with its timeline.
    query = (Case.select(*_OPEN_CASE_COLUMNS, *_EVENT_COLUMNS)
             .join(CaseEvent, pw.JOIN.LEFT_OUTER, on=(CaseEvent.case == Case.id))
             .where(_open_case_condition() & (Case.received_on <= last))
             .order_by(Case.id, CaseEvent.on, CaseEvent.id))
    out: dict[dt.date, list[Due]] = {d: [] for d in days}
    window_end = rules.window_end
    conv = _Days()
    for head, events in _timelines(query, len(_OPEN_CASE_COLUMNS), conv):
        _cid, case_no, category, disposition, channel, received, accepted, promised = head
        received = conv[received]
        state = initial_state(category=category, disposition=disposition, channel=channel,
                              received_on=received, accepted_on=conv[accepted])
        state = _replay(state, events, window_end)
        for d in deadlines_for(case_no, state, rules, last, conv[promised]):
            if not d.overdue:
                continue  # not overdue on the last day: not overdue on an earlier one either
            for day in days:
                # Nothing is overdue before receipt: every limit runs from it or later.
                if received > day or d.due >= day:
                    continue
                out[day].append(d if day == last else Due(
                    case_no=d.case_no, kind=d.kind, label=d.label, due=d.due,
                    days_left=(d.due - day).days, overdue=True, basis=d.basis,
                    warnings=d.warnings))
    for items in out.values():
        items.sort(key=_DUE_ORDER)
    return out


def _handling(start, end, rules: Rules) -> tuple[int, int]:
    replied = (CaseEvent.select(CaseEvent.case)
               .where(CaseEvent.on.between(start, end) & (CaseEvent.type == "replied")))
    query = (Case.select(Case.id, Case.category, Case.disposition, Case.channel,
                         Case.received_on, Case.accepted_on, *_EVENT_COLUMNS)
             .join(CaseEvent, on=(CaseEvent.case == Case.id))
             .where(Case.id.in_(replied))
             .order_by(Case.id, CaseEvent.on, CaseEvent.id))
    replies = on_time = 0
    window_end = rules.window_end
    conv = _Days()
    for head, events in _timelines(query, 6, conv):
        _cid, category, disposition, channel, received, accepted = head
        state = initial_state(category=category, disposition=disposition, channel=channel,
                              received_on=conv[received], accepted_on=conv[accepted])
        for ev in events:
            if ev.type == "replied" and start <= ev.on <= end:
                begin = state.handling_from or state.accepted_on or state.received_on
                due = rules.add(begin, HANDLING_DAYS + state.extension_days).due
                replies += 1
                on_time += ev.on <= due
            try:
                state = apply(state, ev, window_end)
            except WorkflowError:
                continue  # as deadlines.replay_lenient: a refused event is skipped
    return replies, on_time


def _figures(start: dt.date, end: dt.date, today: dt.date, rules: Rules, *,
             headline_only: bool = False) -> Report:
    """The figures of one period; with `headline_only`, only those in HEADLINE (all that is
    kept of the previous period) are filled in."""
    r = Report(start=start, end=end, today=today)
    channels = _count_by(Case.channel, start, end)
    r.received_total = sum(channels.values())
    ev, outcomes, ratings = _event_counts(start, end)
    r.forwarded = ev.get("forwarded", 0) + ev.get("assigned", 0)
    r.satisfaction = {k: ratings.get(k, 0) for k in v.RATINGS}
    good = r.satisfaction["满意"] + r.satisfaction["基本满意"]
    r.satisfaction_rate = _rate(good, good + r.satisfaction["不满意"])
    r.notice_due, r.notice_on_time = _notice(start, end, today, rules)
    r.notice_on_time_rate = _rate(r.notice_on_time, r.notice_due)
    r.replies, r.handling_on_time = _handling(start, end, rules)
    r.handling_on_time_rate = _rate(r.handling_on_time, r.replies)
    if headline_only:
        return r

    r.by_channel = {c: channels.get(c, 0) for c in v.CHANNELS}
    r.by_channel.update({c: n for c, n in channels.items() if c not in r.by_channel})
    categories = _count_by(Case.category, start, end)
    r.by_category = {c: categories.get(c, 0) for c in v.CATEGORIES}
    r.by_category.update({c: n for c, n in categories.items() if c not in r.by_category})
    r.by_field = _by_field(start, end)
    r.by_unit, complained = _by_unit(start, end)

    threshold = settings.get("group_threshold")
    people = pw.fn.COALESCE(pw.fn.SUM(Case.people_count), 0)
    r.people_involved = int(Case.select(people).where(received_between(start, end)).scalar() or 0)
    group = (Case.select(pw.fn.COUNT(Case.id), people)
             .where(received_between(start, end) & (Case.people_count >= threshold)).tuples())
    r.group_visits, gp = group[0]
    r.group_people = int(gp or 0)

    complained.pop(NO_UNIT, None)
    r.units_most_complained = list(complained.items())[:TOP_UNITS]

    r.repeat_visits = ev.get("visit", 0)
    r.chased = ev.get("chased", 0)
    r.feedback_received = ev.get("feedback", 0)
    r.extensions = ev.get("extended", 0)
    r.review_requests = ev.get("review_requested", 0)
    r.rereview_requests = ev.get("rereview_requested", 0)
    r.adoption = {o: outcomes.get(o, 0) for o in v.ADOPTION_OUTCOMES}
    return r


def _set_overdue(r: Report, items: list[Due]) -> None:
    r.overdue_at_end = len({d.case_no for d in items})
    r.overdue_items = _visible_only(items)


def _visible_only(items: list[Due]) -> list[Due]:
    """The overdue list names cases: confidential ones the user may not see are left out of
    it (the count above still includes them — figures are not personal data)."""
    cond = visibility_condition()
    if cond is None or not items:
        return items
    numbers = sorted({d.case_no for d in items})
    seen: set[str] = set()
    for i in range(0, len(numbers), 500):
        seen.update(no for (no,) in Case.select(Case.case_no).where(
            Case.case_no.in_(numbers[i:i + 500]) & cond).tuples())
    return [d for d in items if d.case_no in seen]


def monthly_figures(start: dt.date, end: dt.date, *, today: dt.date | None = None) -> Report:
    """The figures of `start`..`end` (both included), with the change against the previous
    period. `today` decides which 15-day notice limits have passed (default: today)."""
    if end < start:
        raise ValueError("end before start")
    today = today or dt.date.today()
    with storage_errors():
        rules = current_rules()
        report = _figures(start, end, today, rules)
        p_start, p_end = previous_period(start, end)
        prev = _figures(p_start, p_end, today, rules, headline_only=True)
        overdue = overdue_on([end, p_end], rules)
    _set_overdue(report, overdue[end])
    _set_overdue(prev, overdue[p_end])
    report.previous_start, report.previous_end = p_start, p_end
    for key in HEADLINE:
        now, before = getattr(report, key), getattr(prev, key)
        report.previous[key] = before
        report.change[key] = None if now is None or before is None else now - before
    return report


def report_json(report: Report) -> dict:
    """Plain JSON-ready values (dates ISO, rates as fractions or null)."""
    out = {
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "today": report.today.isoformat(),
    }
    for name in Report.__dataclass_fields__:
        if name in ("start", "end", "today"):
            continue
        value = getattr(report, name)
        if name == "overdue_items":
            value = [d.as_json() for d in value]
        elif name == "units_most_complained":
            value = [{"unit": u, "count": n} for u, n in value]
        elif isinstance(value, dt.date):
            value = value.isoformat()
        out[name] = value
    return out


def format_rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


# ------------------------------------------------------------------------------ workbook

