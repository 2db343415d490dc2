"""The case state machine, as a pure fold over the event timeline.

`ledger_closed` is the one event only imported history carries: the office's old ledger says
the matter was finished, with no reply on record; it closes the case from any open state.

`initial_state` gives the state a registration leaves a case in; `apply` checks one event
against the current state and returns the next state, or raises WorkflowError with a Chinese
reason. The database caches only the resulting status; import replays events through the
same function, so an impossible history cannot be imported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import MISSING, dataclass, fields

from xinfang_desk.core.errors import WorkflowError
from xinfang_desk.core.rules import vocab as v

MAX_EXTENSION_DAYS = 30  # 第三十四条
REVIEW_WINDOW_DAYS = 30  # 第三十五条、第三十六条

# Categories whose handling opinion can be taken to 复查/复核 (第三十一条、第三十五条).
REVIEWABLE = ("申诉求决", "检举控告", "其他")


@dataclass(frozen=True)
class EventData:
    """One event as the state machine sees it (plain values, unit by name)."""

    type: str
    on: dt.date
    unit: str = ""
    ref: str = ""
    deadline: dt.date | None = None
    days: int | None = None
    reason: str = ""
    approver: str = ""
    outcome: str = ""
    rating: str = ""
    note: str = ""


@dataclass(frozen=True)
class CaseState:
    status: str
    category: str
    disposition: str
    channel: str
    received_on: dt.date
    accepted_on: dt.date | None = None
    handling_from: dt.date | None = None
    notified_on: dt.date | None = None
    forwarded_on: dt.date | None = None
    forward_unit: str = ""
    feedback_due: dt.date | None = None
    feedback_on: dt.date | None = None
    extension_days: int = 0
    replied_on: dt.date | None = None
    reply_outcome: str = ""
    review_requested_on: dt.date | None = None
    review_answered_on: dt.date | None = None
    rereview_requested_on: dt.date | None = None
    rereview_answered_on: dt.date | None = None
    closed_on: dt.date | None = None
    answered_on_spot: bool = False
    rating: str = ""
    # Closed on the word of a historical ledger (ledger_closed): finished, no reply on record.
    closed_by_ledger: bool = False

    @property
    def is_open(self) -> bool:
        return self.status != v.CLOSED


# Every CaseState field in declaration order, with its default (None for the required ones:
# _new_state always sets those).
_STATE_DEFAULTS = {f.name: (None if f.default is MISSING else f.default) for f in fields(CaseState)}
_new_object = object.__new__


def _new_state(**values) -> CaseState:
    """CaseState(**values) without the frozen __init__ (one object.__setattr__ per field):
    the defaults, then `values`. Callers pass only real field names."""
    state = _new_object(CaseState)
    attrs = state.__dict__
    attrs.update(_STATE_DEFAULTS)
    attrs.update(values)
    return state


def _replace(state: CaseState, **changes) -> CaseState:
    """dataclasses.replace(state, **changes), several times faster: the fold makes one new
    state per event, and replace re-runs the frozen __init__ over all 22 fields each time.
    Callers pass only real field names."""
    new = _new_object(state.__class__)
    attrs = new.__dict__
    attrs.update(state.__dict__)
    attrs.update(changes)
    return new


def event_data(type_: str, on: dt.date, unit: str = "", deadline: dt.date | None = None,
               days: int | None = None, reason: str = "", outcome: str = "",
               rating: str = "") -> EventData:
    """EventData(type=type_, on=on, unit=unit, ...) for bulk reads (the report replays 10⁵
    events): the same value, built without the frozen __init__. ref, approver and note stay
    empty."""
    ev = _new_object(EventData)
    ev.__dict__.update(type=type_, on=on, unit=unit, ref="", deadline=deadline, days=days,
                       reason=reason, approver="", outcome=outcome, rating=rating, note="")
    return ev


def initial_state(
    *,
    category: str,
    disposition: str,
    channel: str,
    received_on: dt.date,
    accepted_on: dt.date | None = None,
) -> CaseState:
    if disposition in ("受理", "建议记录"):
        start = accepted_on or received_on
        return _new_state(status=v.ACCEPTED, category=category, disposition=disposition,
                          channel=channel, received_on=received_on, accepted_on=start,
                          handling_from=start)
    if disposition == "当场答复":
        return _new_state(status=v.CLOSED, category=category, disposition=disposition,
                          channel=channel, received_on=received_on, answered_on_spot=True,
                          closed_on=received_on)
    if disposition in ("不予受理", "引导"):
        # Closed at the desk; a written 不予受理 notice is still watched by the deadlines.
        return _new_state(status=v.CLOSED, category=category, disposition=disposition,
                          channel=channel, received_on=received_on, closed_on=received_on)
    # 转送 / 交办: registered, waiting for the forwarding itself (15 days, 第二十二条).
    return _new_state(status=v.REGISTERED, category=category, disposition=disposition,
                      channel=channel, received_on=received_on, accepted_on=accepted_on)


def _allowed_outcomes(state: CaseState) -> tuple[str, ...]:
    return v.ADOPTION_OUTCOMES if state.category == v.SUGGESTION else v.REPLY_OUTCOMES


def _window_end(start: dt.date, window_end=None) -> dt.date:
    if window_end is not None:
        return window_end(start, REVIEW_WINDOW_DAYS)
    return start + dt.timedelta(days=REVIEW_WINDOW_DAYS)


def refusal(state: CaseState, ev: EventData, window_end=None) -> str | None:
    """Why `ev` is not allowed now, or None if it is. `window_end(start, days)` lets the
    caller apply the office's deadline calendar to the 复查/复核 windows."""
    t, s = ev.type, state.status
    label = v.EVENT_LABELS.get(t, t)
    if t not in v.EVENT_TYPES:
        return f"未知的事件类型“{t}”"
    if ev.on < state.received_on:
        return f"{label}日期{ev.on:%Y-%m-%d}早于收到日期{state.received_on:%Y-%m-%d}"
    if t in ("visit", "notified", "printed", "attachment_removed"):
        return None  # printed, attachment_removed: about the papers; allowed in every state
    if t in ("forwarded", "assigned"):
        if s not in (v.REGISTERED, v.ACCEPTED, v.FORWARDED):
            return f"事项当前状态为“{v.STATUS_LABELS[s]}”，不能再{label}"
        if not ev.unit.strip():
            return f"{label}须填写承办单位"
        return None
    if t == "chased":
        if s not in (v.ACCEPTED, v.FORWARDED):
            return "只有办理中或已转送/交办的事项才能催办"
        return None
    if t == "feedback":
        if s != v.FORWARDED:
            return "事项尚未转送或交办，没有承办单位的反馈可记录"
        return None
    if t == "extended":
        if s not in (v.ACCEPTED, v.FORWARDED):
            return f"事项当前状态为“{v.STATUS_LABELS[s]}”，不能延期（只有办理中或已转送/交办的事项可以延期）"
        if ev.days is None or ev.days < 1:
            return "延期天数须为1至30日"
        if state.extension_days + ev.days > MAX_EXTENSION_DAYS:
            already = f"（已延期{state.extension_days}日）" if state.extension_days else ""
            return f"延长期限累计不得超过30日{already}（第三十四条）"
        if not ev.reason.strip():
            return "延期须说明理由，并告知信访人"
        return None
    if t == "replied":
        if s == v.REGISTERED:
            return "事项尚未受理，不能答复（请先受理或转送/交办）"
        if s not in (v.ACCEPTED, v.FORWARDED):
            return f"事项当前状态为“{v.STATUS_LABELS[s]}”，不能再次答复"
        allowed = _allowed_outcomes(state)
        if ev.outcome not in allowed:
            kind = "建议意见类事项" if state.category == v.SUGGESTION else "答复"
            return f"{kind}的结果应为{'、'.join(allowed)}之一"
        return None
    if t == "satisfaction":
        if not (state.replied_on or state.answered_on_spot or state.review_answered_on
                or state.closed_by_ledger):
            return "事项尚未答复，不能记录满意度"
        if ev.rating not in v.RATINGS:
            return f"满意度应为{'、'.join(v.RATINGS)}之一"
        if ev.rating == "不满意" and not ev.reason.strip():
            return "信访人不满意时须记录原因"
        return None
    if t == "review_requested":
        if state.category not in REVIEWABLE:
            return f"{state.category}类事项不适用复查"
        if s not in (v.REPLIED, v.CLOSED) or state.replied_on is None or state.review_requested_on:
            return "只有已书面答复、尚未复查的事项才能申请复查"
        end = _window_end(state.replied_on, window_end)
        if ev.on > end:
            return f"复查应在收到答复之日起30日内申请，已超过期限（截止{end:%Y-%m-%d}）"
        return None
    if t == "review_answered":
        if s != v.IN_REVIEW:
            return "事项没有正在进行的复查"
        return None
    if t == "rereview_requested":
        if s != v.REVIEWED:
            return "只有复查已答复的事项才能申请复核"
        end = _window_end(state.review_answered_on, window_end)
        if ev.on > end:
            return f"复核应在收到复查意见之日起30日内申请，已超过期限（截止{end:%Y-%m-%d}）"
        return None
    if t == "rereview_answered":
        if s != v.IN_REREVIEW:
            return "事项没有正在进行的复核"
        return None
    if t == "closed":
        if s == v.CLOSED:
            return "事项已办结"
        if s in (v.IN_REVIEW, v.IN_REREVIEW):
            return f"{v.STATUS_LABELS[s]}，复查/复核答复前不能办结"
        if s not in (v.REPLIED, v.REVIEWED):
            return "事项尚未答复，不能办结"
        return None
    if t == "ledger_closed":
        if s == v.CLOSED:
            return "事项已办结"
        return None
    if t == "reopened":
        if s != v.CLOSED:
            return "只有已办结的事项才能重新办理"
        if not ev.reason.strip():
            return "重新办理须说明理由"
        return None
    return f"未知的事件类型“{t}”"


def apply(state: CaseState, ev: EventData, window_end=None) -> CaseState:
    reason = refusal(state, ev, window_end)
    if reason:
        raise WorkflowError(reason)
    t, on = ev.type, ev.on
    if t in ("visit", "printed", "attachment_removed"):
        return state
    if t == "notified":
        return state if state.notified_on else _replace(state, notified_on=on)
    if t in ("forwarded", "assigned"):
        return _replace(state, status=v.FORWARDED, forwarded_on=on,
                        forward_unit=ev.unit.strip(), feedback_due=ev.deadline, feedback_on=None,
                        notified_on=state.notified_on or on)
    if t == "chased":
        return state
    if t == "feedback":
        return _replace(state, feedback_on=on)
    if t == "extended":
        return _replace(state, extension_days=state.extension_days + ev.days)
    if t == "replied":
        # A written reply also ends the 15-day notice duty (met late if after its day).
        return _replace(state, status=v.REPLIED, replied_on=on, reply_outcome=ev.outcome,
                        notified_on=state.notified_on or on)
    if t == "satisfaction":
        return _replace(state, rating=ev.rating)
    if t == "review_requested":
        return _replace(state, status=v.IN_REVIEW, review_requested_on=on, closed_on=None)
    if t == "review_answered":
        return _replace(state, status=v.REVIEWED, review_answered_on=on)
    if t == "rereview_requested":
        return _replace(state, status=v.IN_REREVIEW, rereview_requested_on=on)
    if t == "rereview_answered":
        # 第三十六条: after 复核 the same matter is not accepted again; the case ends here.
        return _replace(state, status=v.CLOSED, rereview_answered_on=on, closed_on=on)
    if t == "closed":
        return _replace(state, status=v.CLOSED, closed_on=on)
    if t == "ledger_closed":
        return _replace(state, status=v.CLOSED, closed_on=on, closed_by_ledger=True,
                        notified_on=state.notified_on or on)
    if t == "reopened":
        return _replace(state, status=v.ACCEPTED, closed_on=None, handling_from=on,
                        accepted_on=state.accepted_on or on, replied_on=None, reply_outcome="",
                        extension_days=0, answered_on_spot=False, closed_by_ledger=False)
    raise WorkflowError(f"未知的事件类型“{t}”")


def replay(state: CaseState, events, window_end=None) -> CaseState:
    for ev in events:
        state = apply(state, ev, window_end)
    return state


def replay_lenient(state: CaseState, events, window_end=None) -> tuple[CaseState, list[str]]:
    """Like replay, but skips events the state machine refuses (a history edited outside the
    program) and returns the refusals, so one bad case cannot hide everyone's deadlines."""
    problems = []
    for ev in events:
        try:
            state = apply(state, ev, window_end)
        except WorkflowError as exc:
            problems.append(f"{ev.on:%Y-%m-%d} {v.EVENT_LABELS.get(ev.type, ev.type)}：{exc}")
    return state, problems


# The actions a clerk can take on a case, with a template event to test each against.
ACTIONS = ("visit", "forwarded", "assigned", "notified", "chased", "feedback", "extended",
           "replied", "satisfaction", "review_requested", "review_answered",
           "rereview_requested", "rereview_answered", "closed", "reopened")


def allowed_actions(state: CaseState, today: dt.date, window_end=None) -> dict[str, str | None]:
    """For each action: None if allowed now, else the reason it is not (for tooltips).
    Checks only the state, assuming the form will be filled in correctly."""
    out: dict[str, str | None] = {}
    for action in ACTIONS:
        probe = EventData(
            type=action, on=max(today, state.received_on), unit="?", days=1, reason="?",
            outcome=_allowed_outcomes(state)[0], rating="满意",
        )
        if action == "extended" and state.extension_days >= MAX_EXTENSION_DAYS:
            out[action] = "延长期限累计已达30日，不能再延期（第三十四条）"
            continue
        out[action] = refusal(state, probe, window_end)
    return out
