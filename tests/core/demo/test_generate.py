"""The demo generator: deterministic, varied, valid, and never mixed into real data."""

import datetime as dt
import io

import pytest

from xinfang_desk.core.cases import records as cases
from xinfang_desk.core.deadlines import engine as deadlines
from xinfang_desk.core.demo.generate import generate_demo
from xinfang_desk.core.errors import XinfangError
from xinfang_desk.core.interchange.jsonl import export_cases
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.validators import normalize_phone, parse_resident_id
from xinfang_desk.core.store import storage
from xinfang_desk.core.store.models import Case, CaseEvent, CasePetitioner, Petitioner

TODAY = dt.date(2026, 11, 20)


def _demo_export(root, seed, n=250):
    storage.open_data_dir(root, today=TODAY)
    try:
        report = generate_demo(n, seed=seed, today=TODAY)
        out = io.StringIO()
        export_cases(out)
        return report, out.getvalue()
    finally:
        storage.close()


def test_same_seed_same_data_other_seed_other_data(tmp_path):
    report_a, a = _demo_export(tmp_path / "a", seed=11)
    report_b, b = _demo_export(tmp_path / "b", seed=11)
    _, c = _demo_export(tmp_path / "c", seed=12)
    assert a == b
    assert report_a.by_channel == report_b.by_channel
    assert a != c


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    storage.open_data_dir(root, today=TODAY)
    report = generate_demo(600, seed=1, today=TODAY)
    yield report
    storage.close()


def test_report_and_database_agree(demo_db):
    report = demo_db
    assert report.cases == 600 == cases.count_cases()
    assert report.events == CaseEvent.select().count()
    assert set(report.by_channel) == set(v.CHANNELS)
    assert set(report.by_category) == set(v.CATEGORIES)
    mix = report.by_category
    assert mix["申诉求决"] > mix["咨询"] > mix["检举控告"]
    assert mix["申诉求决"] > mix["建议意见"]
    for channel in v.CHANNELS:
        assert Case.select().where(Case.channel == channel).count() > 0, channel


def test_history_lies_in_the_year_before_today(demo_db):
    first = Case.select().order_by(Case.received_on).first().received_on
    last = Case.select().order_by(Case.received_on.desc()).first().received_on
    assert TODAY - dt.timedelta(days=366) <= first and last <= TODAY
    assert CaseEvent.select().where(CaseEvent.on > TODAY).count() == 0


def test_overdue_and_due_soon_matters_exist(demo_db):
    due = deadlines.list_deadlines(today=TODAY)
    overdue = [d for d in due if d.overdue]
    assert overdue
    assert len(overdue) < 0.15 * demo_db.cases  # an office in trouble, not in collapse
    assert {d.kind for d in overdue} & {"handling", "feedback", "promised"}
    assert [d for d in due if not d.overdue and d.days_left <= 7]
    assert Case.select().where(Case.promised_reply_on.is_null(False)).count() > 0


def test_group_visits_and_representatives(demo_db):
    groups = list(Case.select().where(Case.people_count >= 5))
    assert groups
    assert all(g.channel == "来访" for g in groups)
    assert all(1 <= g.reps_present <= 7 for g in groups)
    reps = CasePetitioner.select().where(CasePetitioner.is_representative).count()
    assert reps >= len(groups)


def test_repeat_visitors(demo_db):
    assert demo_db.repeat_visits > 0
    assert CaseEvent.select().where(CaseEvent.type == "visit").count() == demo_db.repeat_visits
    # The same person (by ID number) in more than one case.
    shared = (CasePetitioner.select(CasePetitioner.petitioner)
              .group_by(CasePetitioner.petitioner).having(pw_count() > 1))
    assert shared.count() > 0


def pw_count():
    import peewee

    return peewee.fn.COUNT(CasePetitioner.id)


def test_every_id_number_and_phone_is_valid(demo_db):
    people = list(Petitioner.select())
    with_id = [p for p in people if p.doc_type == "身份证"]
    assert len(with_id) > 0.5 * len(people)
    for p in with_id:
        info = parse_resident_id(p.id_number, today=TODAY)
        assert info.number == p.id_number and info.sex == p.sex and info.birth_date == p.birth_date
    for p in people:
        for phone in (p.phone, p.phone_alt):
            if phone:
                assert normalize_phone(phone) == phone
    assert any("-" in p.phone for p in people)  # landlines
    assert any(p.id_number and p.id_number.startswith("511302") for p in people)
    rare = set("喆堃珺昇燊玥翀犇淼焱")
    assert any(rare & set(p.name) for p in people)


def test_event_variety(demo_db):
    types = {t for (t,) in CaseEvent.select(CaseEvent.type).distinct().tuples()}
    for needed in ("forwarded", "assigned", "feedback", "chased", "replied", "satisfaction",
                   "extended", "review_requested", "closed", "notified"):
        assert needed in types, needed
    outcomes = {o for (o,) in CaseEvent.select(CaseEvent.outcome)
                .where(CaseEvent.type == "replied").tuples()}
    assert {"采纳", "部分采纳", "不采纳"} <= outcomes
    unhappy = list(CaseEvent.select().where(CaseEvent.rating == "不满意"))
    assert unhappy and all(e.reason for e in unhappy)
    forwarded_refs = Case.select().where(Case.channel.in_(v.FORWARDED_TO_US))
    assert all(c.channel_ref for c in forwarded_refs)
    assert Case.select().where(Case.confidential).count() > 0


def test_every_demo_case_has_its_case_created_audit_row(demo_db):
    """As if registered at the desk: one hash-chained row per case, by its clerk, on its day."""
    from xinfang_desk.core.store import audit
    from xinfang_desk.core.store.models import AuditLog, Case

    rows = {r.object: r for r in AuditLog.select().where(AuditLog.action == "case_created")}
    cases = list(Case.select())
    assert len(rows) == len(cases) == demo_db.cases
    for case in cases[:50]:
        row = rows[case.case_no]
        assert row.actor == case.clerk and row.at.startswith(case.received_on.isoformat())
    assert audit.verify().ok


def test_refuses_a_data_dir_with_cases(demo_db):
    with pytest.raises(XinfangError, match="已有600件"):
        generate_demo(10, seed=2, today=TODAY)
    assert cases.count_cases() == 600


def test_force_adds_to_existing_data(tmp_path):
    storage.open_data_dir(tmp_path / "f", today=TODAY)
    try:
        generate_demo(20, seed=3, today=TODAY)
        generate_demo(15, seed=4, today=TODAY, force=True)
        assert cases.count_cases() == 35
    finally:
        storage.close()

