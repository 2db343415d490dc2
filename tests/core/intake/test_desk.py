"""The intake desk service and its crash-safe draft, on real SQLite files."""

import datetime as dt
import json

import pytest

from tests.core.helpers import ID_WANG, intake
from xinfang_desk.core.cases import records as cases
from xinfang_desk.core.errors import ValidationError, WorkflowError
from xinfang_desk.core.intake import desk as intake_service
from xinfang_desk.core.intake import drafts
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.store.models import Case, CaseEvent

TODAY = dt.date(2026, 9, 21)


def test_forwarding_saves_case_and_forwarded_event(store):
    saved = intake_service.save_intake(
        intake(disposition="转送", unit="人力资源和社会保障局"), today=TODAY)
    assert saved.status == v.FORWARDED
    case = Case.get(Case.case_no == saved.case_no)
    assert case.status == v.FORWARDED
    assert case.unit.name == "人力资源和社会保障局"
    events = cases.events_of(case)
    assert [(e.type, e.on, e.unit.name) for e in events] == [
        ("forwarded", TODAY, "人力资源和社会保障局")]


def test_assignment_records_assigned_event(store):
    saved = intake_service.save_intake(
        intake(disposition="交办", unit="人力资源和社会保障局"), today=TODAY)
    case = Case.get(Case.case_no == saved.case_no)
    assert [e.type for e in cases.events_of(case)] == ["assigned"]
    assert case.status == v.FORWARDED


def test_plain_acceptance_has_no_event(store):
    saved = intake_service.save_intake(intake(), today=TODAY)
    assert saved.status == v.ACCEPTED
    assert CaseEvent.select().count() == 0


def test_failing_event_leaves_no_case(store, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise WorkflowError("模拟失败")

    monkeypatch.setattr(cases, "record_event", refuse)
    with pytest.raises(WorkflowError):
        intake_service.save_intake(intake(disposition="转送", unit="人力资源和社会保障局"),
                                   today=TODAY)
    assert Case.select().count() == 0
    # The number was not used up either: the next save gets 000001.
    monkeypatch.undo()
    saved = intake_service.save_intake(intake(), today=TODAY)
    assert saved.case_no.endswith("-000001")


def test_invalid_intake_writes_nothing(store):
    with pytest.raises(ValidationError) as info:
        intake_service.save_intake(intake(disposition="转送", unit=""), today=TODAY)
    assert any(e.field == "承办单位" for e in info.value.errors)
    assert Case.select().count() == 0


def test_repeat_visit_adds_visit_event(store):
    saved = cases.register_case(intake(), today=TODAY)
    status = intake_service.record_repeat_visit(saved.case_no, dt.date(2026, 10, 8),
                                                note="再次来访催问", actor="张三")
    assert status == v.ACCEPTED
    events = cases.events_of(cases.get_case(saved.case_no))
    assert [(e.type, e.on, e.note, e.actor) for e in events] == [
        ("visit", dt.date(2026, 10, 8), "再次来访催问", "张三")]
    assert Case.select().count() == 1


def test_choices_and_promised_reply(store):
    choices = intake_service.intake_choices()
    assert "来访" in choices.channels
    assert "人力资源和社会保障局" in choices.units
    paths = dict(choices.field_paths)
    assert paths["劳动社保/劳动报酬"] == "人力资源和社会保障局"
    assert choices.group_threshold == 5
    assert intake_service.suggest_promised_reply(TODAY, "当场答复") is None
    promised = intake_service.suggest_promised_reply(TODAY, "受理")
    assert promised >= TODAY + dt.timedelta(days=60)


def test_draft_round_trip(store):
    assert drafts.load_draft(store) is None
    draft = {"summary": "反映拖欠工资", "petitioners": [{"name": "王秀英", "id": ID_WANG}]}
    drafts.save_draft(store, draft)
    assert drafts.draft_path(store) == store.root / "drafts" / "intake.json"
    assert drafts.load_draft(store) == draft
    drafts.save_draft(store, {"summary": "第二版"})
    assert drafts.load_draft(store) == {"summary": "第二版"}
    assert [p.name for p in (store.root / "drafts").iterdir()] == ["intake.json"]  # no temp left
    drafts.clear_draft(store)
    assert drafts.load_draft(store) is None
    drafts.clear_draft(store)  # clearing twice is fine


@pytest.mark.parametrize("content", ['{"summary": "写到一半', "[1, 2]", ""])
def test_corrupt_draft_moved_aside(store, content):
    path = drafts.draft_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    assert drafts.load_draft(store) is None
    assert not path.exists()
    assert (path.parent / "intake.json.bad").read_text(encoding="utf-8") == content
    drafts.save_draft(store, {"ok": True})
    assert json.loads(path.read_text(encoding="utf-8")) == {"ok": True}


def test_a_promised_date_left_to_the_program_is_the_statutory_one(store):
    import datetime as dt

    from tests.core.helpers import intake as make_intake
    from xinfang_desk.core.cases.records import get_case
    from xinfang_desk.core.intake.desk import save_intake

    saved = save_intake(make_intake(received_on=dt.date(2026, 9, 21), promised_reply_on=None),
                        today=dt.date(2026, 11, 28))
    # 受理 on 2026-09-21: 60 days → 2026-11-20 (a Friday).
    assert get_case(saved.case_no).promised_reply_on == dt.date(2026, 11, 20)


def test_each_user_has_their_own_draft(store):
    from xinfang_desk.core import session

    with session.acting_as(session.Actor("张敏", session.CLERK)):
        drafts.save_draft(store, {"summary": "张敏未保存的来访"})
    with session.acting_as(session.Actor("赵磊", session.CLERK)):
        assert drafts.load_draft(store) is None  # the next clerk never sees it
        drafts.save_draft(store, {"summary": "赵磊的"})
    with session.acting_as(session.Actor("张敏", session.CLERK)):
        assert drafts.load_draft(store) == {"summary": "张敏未保存的来访"}
    assert drafts.load_draft(store) is None  # SYSTEM's own draft file is untouched
