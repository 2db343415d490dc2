"""Everything a document needs to know about one case, loaded once."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from xinfang_desk.core.answers.common import to_text
from xinfang_desk.core.cases.records import (
    events_of,
    get_visible_case,
    petitioners_of,
    to_event_data,
)
from xinfang_desk.core.deadlines.engine import Rules, current_rules, default_promised_reply
from xinfang_desk.core.documents.layout import Writer
from xinfang_desk.core.people.access import visibility_condition
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import CaseState, EventData, initial_state, replay_lenient
from xinfang_desk.core.store import settings
from xinfang_desk.core.store.db import storage_errors
from xinfang_desk.core.store.models import (
    AnswerVersion,
    Case,
    CaseAnswer,
    CasePetitioner,
    Petitioner,
)


@dataclass
class Ctx:
    case: Case
    petitioners: list[tuple[Petitioner, bool]]
    events: list[EventData]
    actors: list[str]
    state: CaseState
    rules: Rules
    settings: dict
    unit: str
    field_path: str
    today: dt.date
    previous: list[tuple[str, dt.date, str]]  # other cases of the same people: (no, date, summary)
    writer: Writer = field(default_factory=Writer)
    # The approved-answer versions the case used, oldest first: (purpose, AnswerText).
    answers_used: list = field(default_factory=list)

    def reply_answer(self):
        """The answer version the latest reply was taken from, or None."""
        return next((a for purpose, a in reversed(self.answers_used) if purpose == "reply"), None)

    @property
    def office(self) -> str:
        return self.settings["office_name"]

    @property
    def promised(self) -> dt.date | None:
        c = self.case
        return c.promised_reply_on or default_promised_reply(c.received_on, c.disposition,
                                                             c.accepted_on)

    @property
    def doc_no(self) -> str:
        """〔2026〕第123号 from XF2026-000123."""
        m = re.search(r"(\d{4})\D*?0*(\d+)$", self.case.case_no)
        if not m:
            return f"〔{self.case.received_on.year}〕{self.case.case_no}号"
        return f"〔{m.group(1)}〕第{m.group(2)}号"

    def last(self, *types: str) -> EventData | None:
        for ev in reversed(self.events):
            if ev.type in types:
                return ev
        return None

    def addressee(self) -> str:
        names = [p.name for p, _ in self.petitioners]
        if not names:
            return "信访人"
        reps = [p.name for p, rep in self.petitioners if rep] or names
        if self.case.people_count > 1 and len(names) > 1:
            return f"{reps[0]}等{self.case.people_count}人"
        return names[0]

    @property
    def confidential(self) -> bool:
        return bool(self.case.confidential) or self.case.category == v.ACCUSATION


def load(case_no: str, today: dt.date | None) -> Ctx:
    today = today or dt.date.today()
    with storage_errors():
        case = get_visible_case(case_no)
        rules = current_rules()
        rows = events_of(case)
        events = [to_event_data(e) for e in rows]
        pets = petitioners_of(case)
        unit = case.unit.name if case.unit_id else ""
        field_path = case.field.path if case.field_id else ""
        values = settings.all_settings()
        ids = [p.id for p, _ in pets]
        previous = []
        if ids:
            q = (Case.select(Case.case_no, Case.received_on, Case.summary)
                 .join(CasePetitioner).where(CasePetitioner.petitioner.in_(ids) & (Case.id != case.id)
                                            & ((Case.received_on < case.received_on)
                                                 | ((Case.received_on == case.received_on) & (Case.id < case.id))))
                 .distinct().order_by(Case.received_on))
            hidden = visibility_condition()  # others' confidential cases are not listed
            if hidden is not None:
                q = q.where(hidden)
            previous = [(c.case_no, c.received_on, c.summary) for c in q]
        actors = [r.actor for r in rows]
        answers_used = _answers_used(case)
    start = initial_state(category=case.category, disposition=case.disposition,
                          channel=case.channel, received_on=case.received_on,
                          accepted_on=case.accepted_on)
    state, _problems = replay_lenient(start, events, rules.window_end)
    return Ctx(case=case, petitioners=pets, events=events, actors=actors, state=state,
               rules=rules, settings=values, unit=unit, field_path=field_path, today=today,
               previous=previous, answers_used=answers_used)


def _answers_used(case: Case) -> list:
    rows = (CaseAnswer.select(CaseAnswer, AnswerVersion).join(AnswerVersion)
            .where(CaseAnswer.case == case).order_by(CaseAnswer.used_at, CaseAnswer.id))
    return [(r.purpose, to_text(r.version)) for r in rows]
