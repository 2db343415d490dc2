"""跟踪督办: the deadlines that need chasing now, grouped for the follow-up board.

The board takes the running statutory limits from `deadlines.list_deadlines` and keeps those
that are overdue or fall within the next week, in three sections:

- 已超期: the due date has passed;
- N日内到期: due within `due_soon_days` days (the office setting, 3 by default);
- 一周内到期: due within the next 7 days (a rolling week, not Monday–Sunday, so that on a
  Friday the board still looks a full week ahead, across the weekend).

Each row carries what the clerk needs to chase without opening the case: summary, class,
the unit handling it, the petitioners' names (never ID or phone numbers; names of a
confidential 检举控告 case are withheld, 第四十六条) and which of 催办 / 记录反馈 the case's
state allows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from xinfang_desk.core.cases.records import get_case, record_event, state_of
from xinfang_desk.core.deadlines.engine import Due, _events_by_case, list_deadlines, statutory_end
from xinfang_desk.core.errors import FieldError, WorkflowError
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import EventData, allowed_actions
from xinfang_desk.core.store import settings
from xinfang_desk.core.store.db import storage_errors
from xinfang_desk.core.store.models import Case, CasePetitioner, Petitioner, Unit

WEEK_DAYS = 7

OVERDUE, SOON, WEEK = "overdue", "soon", "week"
SECTION_KEYS = (OVERDUE, SOON, WEEK)

# Filter groups of the board (label -> deadline kinds).
KIND_GROUPS: dict[str, tuple[str, ...]] = {
    "告知/转送": ("notice", "forward", "objection"),
    "承办单位反馈": ("feedback",),
    "办理": ("handling", "promised"),
    "复查复核": ("review", "rereview"),
}

CONFIDENTIAL_NAMES = "（保密）"


def section_label(key: str, soon_days: int) -> str:
    if key == OVERDUE:
        return "已超期"
    if key == SOON:
        return f"{soon_days}日内到期"
    return "一周内到期"


@dataclass(frozen=True)
class BoardItem:
    section: str
    case_no: str
    kind: str
    label: str
    due: dt.date
    days_left: int
    overdue: bool
    basis: str
    summary: str
    category: str
    unit: str
    petitioners: str
    status: str
    chase_refusal: str | None  # None: 催办 is allowed now
    feedback_refusal: str | None  # None: 记录反馈 is allowed now
    warnings: tuple[str, ...] = ()

    @property
    def can_chase(self) -> bool:
        return self.chase_refusal is None

    @property
    def can_feedback(self) -> bool:
        return self.feedback_refusal is None


@dataclass(frozen=True)
class Board:
    today: dt.date
    soon_days: int
    items: tuple[BoardItem, ...]

    def section(self, key: str, group: str | None = None) -> list[BoardItem]:
        return [i for i in filter_items(self.items, group) if i.section == key]

    def counts(self, group: str | None = None) -> dict[str, int]:
        return {key: len(self.section(key, group)) for key in SECTION_KEYS}

    def label(self, key: str) -> str:
        return section_label(key, self.soon_days)


def filter_items(items, group: str | None) -> list[BoardItem]:
    """Items whose deadline kind belongs to the filter group (all items for None/"")."""
    if not group:
        return list(items)
    kinds = KIND_GROUPS[group]
    return [i for i in items if i.kind in kinds]


def _section_of(due: Due, soon_days: int) -> str | None:
    if due.overdue:
        return OVERDUE
    if due.days_left <= soon_days:
        return SOON
    if due.days_left <= WEEK_DAYS:
        return WEEK
    return None


def _names_by_case(case_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for chunk_start in range(0, len(case_ids), 500):
        chunk = case_ids[chunk_start:chunk_start + 500]
        rows = (CasePetitioner.select(CasePetitioner.case, Petitioner.name).join(Petitioner)
                .where(CasePetitioner.case.in_(chunk))
                .order_by(CasePetitioner.case, CasePetitioner.position).tuples())
        for case_id, name in rows:
            names[case_id].append(name)
    return names


def followup_board(today: dt.date | None = None, soon_days: int | None = None) -> Board:
    """The follow-up board as of `today` (plain data, safe to hand to the GUI thread)."""
    today = today or dt.date.today()
    with storage_errors():
        if soon_days is None:
            soon_days = settings.get("due_soon_days")
        picked = [(d, s) for d in list_deadlines(today=today)
                  if (s := _section_of(d, soon_days)) is not None]
        case_nos = sorted({d.case_no for d, _ in picked})
        cases: dict[str, Case] = {}
        for chunk_start in range(0, len(case_nos), 500):
            chunk = case_nos[chunk_start:chunk_start + 500]
            for c in Case.select().where(Case.case_no.in_(chunk)):
                cases[c.case_no] = c
        units = {u.id: u.name for u in Unit.select(Unit.id, Unit.name)}
        names = _names_by_case([c.id for c in cases.values()])
        # All the timelines in a few queries (one state_of query per case took seconds).
        timelines = _events_by_case([c.id for c in cases.values()])
        window_end = statutory_end()
        facts: dict[str, tuple[str, str, str | None, str | None]] = {}
        for case_no, case in cases.items():
            try:
                state = state_of(case, timelines.get(case.id, []), window_end=window_end)
            except WorkflowError:
                # A history edited outside the program: show the row, offer no action here.
                facts[case_no] = ("", v.STATUS_LABELS.get(case.status, case.status),
                                  "事项记录有误，请在案件详情中核对", "事项记录有误，请在案件详情中核对")
                continue
            allowed = allowed_actions(state, today, window_end)
            facts[case_no] = (state.forward_unit, v.STATUS_LABELS[state.status],
                              allowed["chased"], allowed["feedback"])
    items = []
    for due, section in picked:
        case = cases[due.case_no]
        forward_unit, status, chase, feedback = facts[due.case_no]
        if case.confidential:
            people = CONFIDENTIAL_NAMES
        else:
            people = "、".join(names.get(case.id, []))
        items.append(BoardItem(
            section=section, case_no=due.case_no, kind=due.kind, label=due.label, due=due.due,
            days_left=due.days_left, overdue=due.overdue, basis=due.basis,
            summary=case.summary, category=case.category,
            unit=forward_unit or units.get(case.unit_id, ""), petitioners=people,
            status=status, chase_refusal=chase, feedback_refusal=feedback,
            warnings=due.warnings))
    # Most urgent first: within a section by due date, then case number.
    items.sort(key=lambda i: (SECTION_KEYS.index(i.section), i.due, i.case_no, i.kind))
    return Board(today=today, soon_days=soon_days, items=tuple(items))


def reminder_text(board: Board) -> str | None:
    """One line for the status bar when something is overdue or due soon, else None."""
    counts = board.counts()
    parts = []
    if counts[OVERDUE]:
        parts.append(f"{counts[OVERDUE]}项已超期")
    if counts[SOON]:
        parts.append(f"{counts[SOON]}项{board.soon_days}日内到期")
    if not parts:
        return None
    return f"有{'、'.join(parts)}，请在“跟踪督办”中处理"


def record_chase(case_no: str, on: dt.date, note: str = "", actor: str = "") -> None:
    """催办: the unit (or our own handler) was reminded; the note says how and whom."""
    record_event(case_no, EventData("chased", on, note=note.strip()), actor=actor)


def record_feedback(case_no: str, on: dt.date, note: str, actor: str = "") -> None:
    """The handling unit's result (办结报告) arrived; its content is required."""
    if not note.strip():
        raise FieldError("反馈内容", "请写明承办单位反馈的办理情况")
    with storage_errors():
        get_case(case_no)  # a clear NotFoundError before anything else
    record_event(case_no, EventData("feedback", on, note=note.strip()), actor=actor)
