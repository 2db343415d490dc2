"""Every change to a case, a setting or the data set leaves one audit row naming who did it,
written in the same transaction as the change."""

import datetime as dt
import io
import json

import pytest

from tests.core.helpers import ID_WANG, intake
from tests.core.people.test_access import make_office
from xinfang_desk.core import session
from xinfang_desk.core.cases.records import accept_case, get_case, record_event, register_case
from xinfang_desk.core.documents.build import record_printed
from xinfang_desk.core.errors import ValidationError, WorkflowError
from xinfang_desk.core.intake.desk import save_intake
from xinfang_desk.core.interchange.jsonl import export_cases, import_cases
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store import audit, settings
from xinfang_desk.core.store.models import AuditLog, Case

TODAY = dt.date(2026, 10, 20)


def rows(action: str) -> list[tuple[str, str, dict]]:
    return [(r.actor, r.object, json.loads(r.details) if r.details else {})
            for r in AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id)]


@pytest.fixture
def staff(store):
    return make_office()


def test_case_created_names_the_clerk(staff):
    with session.acting_as(staff["张敏"]):
        saved = register_case(intake(clerk=""), today=TODAY)
    assert get_case(saved.case_no).clerk == "张敏"
    [(actor, obj, details)] = rows("case_created")
    assert (actor, obj) == ("张敏", saved.case_no)
    assert details["category"] == "申诉求决" and details["confidential"] is False
    assert details["clerk"] == "张敏"
    assert ID_WANG not in AuditLog.select(AuditLog.details).where(
        AuditLog.action == "case_created").scalar()


def test_refused_intake_leaves_no_row(staff):
    with session.acting_as(staff["张敏"]), pytest.raises(ValidationError):
        register_case(intake(summary=""), today=TODAY)
    assert rows("case_created") == []


def test_intake_with_forwarding_writes_both_rows(staff):
    with session.acting_as(staff["张敏"]):
        saved = save_intake(intake(disposition="转送", unit="人力资源和社会保障局", clerk=""),
                           today=TODAY)
    assert [r[0] for r in rows("case_created")] == ["张敏"]
    [(actor, obj, details)] = rows("event")
    assert (actor, obj, details["type"], details["unit"]) == (
        "张敏", saved.case_no, "forwarded", "人力资源和社会保障局")
    assert details["status"] == ["registered", "forwarded"]
    events = get_case(saved.case_no).events
    assert [e.actor for e in events] == ["张敏"]


def test_events_record_type_date_status_change_and_actor(staff):
    with session.acting_as(staff["张敏"]):
        no = register_case(intake(disposition="转送", unit="人力资源和社会保障局"), today=TODAY).case_no
        accept_case(no, dt.date(2026, 9, 22))
        record_event(no, EventData("chased", dt.date(2026, 9, 30), note="电话催办"))
        record_event(no, EventData("visit", dt.date(2026, 10, 1)), actor="前台")
        with pytest.raises(WorkflowError):
            record_event(no, EventData("closed", dt.date(2026, 10, 2)))
    got = rows("event")
    assert [(a, d["type"], d["on"], d.get("status")) for a, _o, d in got] == [
        ("张敏", "accept", "2026-09-22", ["registered", "accepted"]),
        ("张敏", "chased", "2026-09-30", None),
        ("张敏", "visit", "2026-10-01", None),
    ]
    assert got[2][2]["recorded_as"] == "前台"  # the event names someone else: both are kept
    assert [e.actor for e in get_case(no).events] == ["张敏", "前台"]


def test_printed_row(staff):
    with session.acting_as(staff["王芳"]):
        no = register_case(intake(), today=TODAY).case_no
        record_printed(no, "receipt", on=TODAY)
    assert rows("printed") == [("王芳", no, {"type": "printed", "on": "2026-10-20",
                                              "doc": "receipt", "title": "回执"})]


def test_export_and_import_rows(staff, tmp_path):
    with session.acting_as(staff["张敏"]):
        register_case(intake(), today=TODAY)
        export_cases(io.StringIO(), masked=True)
    with session.acting_as(staff["李主任"]):
        export_cases(tmp_path / "all.jsonl")
    assert rows("exported") == [
        ("张敏", "", {"count": 1, "masked": True, "target": "stdout", "selected": False}),
        ("李主任", "", {"count": 1, "masked": False, "target": "all.jsonl", "selected": False}),
    ]
    text = (tmp_path / "all.jsonl").read_text(encoding="utf-8")
    Case.delete().execute()
    (tmp_path / "all.jsonl").write_text(text, encoding="utf-8")
    with session.acting_as(staff["张敏"]):
        import_cases(tmp_path / "all.jsonl", dry_run=True)
        assert rows("imported") == []  # a dry run keeps nothing, not even its row
        report = import_cases(tmp_path / "all.jsonl")
    [(actor, _obj, details)] = rows("imported")
    assert actor == "张敏" and details["count"] == 1 and details["first"] == report.case_nos[0]
    with session.acting_as(staff["管理员"]), pytest.raises(session.PermissionDenied):
        import_cases(tmp_path / "all.jsonl")


def test_settings_changed_old_and_new(staff):
    with session.acting_as(staff["管理员"]):
        settings.put("due_soon_days", 5)
        settings.put("due_soon_days", 5)  # unchanged: no row
        assert settings.put_many({"office_name": "某县信访局", "due_soon_days": 7}) == {}
        assert "due_soon_days" in settings.put_many({"due_soon_days": "x"})
    assert rows("settings_changed") == [
        ("管理员", "due_soon_days", {"key": "due_soon_days", "old": 3, "new": 5}),
        ("管理员", "office_name", {"key": "office_name", "old": "某某县信访接待室", "new": "某县信访局"}),
        ("管理员", "due_soon_days", {"key": "due_soon_days", "old": 5, "new": 7}),
    ]


def test_system_actor_before_accounts_exist(store):
    no = register_case(intake(), today=TODAY).case_no
    record_event(no, EventData("chased", dt.date(2026, 9, 30)))
    assert [r[0] for r in rows("case_created") + rows("event")] == ["系统", "系统"]
    assert get_case(no).clerk == "张三"  # given in the intake: kept
    assert audit.verify().ok
