"""The bulk demo generator: fast, and what it writes is what the desk would have written."""

import datetime as dt

import peewee
import pytest

from xinfang_desk.core.cases import records as cases
from xinfang_desk.core.cases import search
from xinfang_desk.core.cases.detail import load_case_detail
from xinfang_desk.core.cases.numbering import is_query_code, parse_case_no
from xinfang_desk.core.cases.repeats import find_repeats
from xinfang_desk.core.deadlines import engine as deadlines
from xinfang_desk.core.demo.bulk import generate_bulk
from xinfang_desk.core.errors import XinfangError
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.validators import normalize_phone, parse_resident_id
from xinfang_desk.core.store import audit, storage
from xinfang_desk.core.store import check as dbcheck
from xinfang_desk.core.store.models import (
    AuditLog,
    Case,
    CaseCounter,
    CaseEvent,
    CasePetitioner,
    Petitioner,
)

TODAY = dt.date(2026, 11, 20)
N = 3000


@pytest.fixture(scope="module")
def bulk(tmp_path_factory):
    root = tmp_path_factory.mktemp("bulk")
    storage.open_data_dir(root, today=TODAY)
    report = generate_bulk(N, seed=5, today=TODAY, years=2, audit_rows=True, batch_size=700)
    yield report
    storage.close()


def test_counts_agree(bulk):
    assert bulk.cases == N == Case.select().count()
    assert bulk.events == CaseEvent.select().count()
    assert bulk.petitioners == Petitioner.select().count()
    assert bulk.audit_rows == N == AuditLog.select().count()
    assert bulk.dropped_events == 0
    assert sum(bulk.by_status.values()) == N
    assert set(bulk.by_channel) == set(v.CHANNELS)
    assert set(bulk.by_category) == set(v.CATEGORIES)
    assert bulk.confidential == Case.select().where(Case.confidential).count() > 0


def test_database_checks_pass(bulk):
    report = dbcheck.check_database(today=TODAY)
    assert all(line.ok for line in report.lines if line.label != "备份"), report.text()
    assert audit.verify().ok


def test_history_spans_the_years_before_today(bulk):
    first = Case.select().order_by(Case.received_on).first().received_on
    last = Case.select().order_by(Case.received_on.desc()).first().received_on
    assert TODAY - dt.timedelta(days=2 * 365 + 3) <= first < TODAY - dt.timedelta(days=600)
    assert TODAY - dt.timedelta(days=30) < last <= TODAY
    assert CaseEvent.select().where(CaseEvent.on > TODAY).count() == 0


def test_status_is_the_replayed_timeline(bulk):
    rules = deadlines.current_rules()
    for case in Case.select().order_by(Case.id):
        state = cases.state_of(case, window_end=rules.window_end)
        assert case.status == state.status, case.case_no
    statuses = {c for (c,) in Case.select(Case.status).distinct().tuples()}
    assert {v.REGISTERED, v.ACCEPTED, v.FORWARDED, v.REPLIED, v.CLOSED} <= statuses


def test_case_numbers_in_order_of_receipt_and_counters_past_them(bulk):
    rows = list(Case.select(Case.case_no, Case.query_code, Case.received_on)
                .order_by(Case.id).tuples())
    last_seq: dict[int, tuple[int, dt.date]] = {}
    for case_no, code, received in rows:
        prefix, year, seq = parse_case_no(case_no)
        assert prefix == "XF" and year == received.year and is_query_code(code)
        if year in last_seq:
            assert seq == last_seq[year][0] + 1 and received >= last_seq[year][1]
        else:
            assert seq == 1
        last_seq[year] = (seq, received)
    for year, (seq, _) in last_seq.items():
        assert CaseCounter.get_by_id(year).last == seq


def test_people_valid_and_one_row_per_id_number(bulk):
    people = list(Petitioner.select())
    ids = [p.id_number for p in people if p.doc_type == "身份证"]
    assert len(ids) == len(set(ids)) > N / 3
    for p in people:
        if p.doc_type == "身份证":
            info = parse_resident_id(p.id_number, today=TODAY)
            assert (info.number, info.sex, info.birth_date) == (p.id_number, p.sex, p.birth_date)
        for phone in (p.phone, p.phone_alt):
            if phone:
                assert normalize_phone(phone) == phone
    # Repeat visitors: one person in several cases; group visits with representatives.
    assert CasePetitioner.select(CasePetitioner.petitioner).group_by(
        CasePetitioner.petitioner).having(peewee.fn.COUNT(CasePetitioner.id) > 1).count() > 0
    assert Case.select().where(Case.people_count >= 5).count() > 0


def test_event_variety_and_overdue(bulk):
    for needed in ("notified", "forwarded", "assigned", "feedback", "replied", "satisfaction",
                   "extended", "closed", "visit", "printed"):
        assert bulk.events_by_type.get(needed, 0) > 0, needed
    overdue = [d for d in deadlines.list_deadlines(today=TODAY) if d.overdue]
    assert 0 < len(overdue) < 0.15 * N


def test_search_and_detail_read_cases_back(bulk):
    case = Case.select().where(Case.category == "申诉求决").order_by(Case.id.desc()).first()
    pets = cases.petitioners_of(case)
    detail = load_case_detail(case.case_no, today=TODAY)
    assert detail.case_no == case.case_no
    # The full-text index was built: a phrase of the summary finds the case.
    phrase = case.summary[2:8]
    found = search.search_cases(phrase, limit=N)
    assert case.id in {r.id for r in found.rows}
    assert search.search_cases(case.case_no).rows[0].id == case.id
    assert search.search_cases(case.query_code).rows[0].id == case.id
    person = next((p for p, _ in pets if p.doc_type == "身份证"), None)
    if person is not None:
        assert case.id in {r.id for r in search.search_cases(person.id_number).rows}
        assert case.id in {m.case_id for m in find_repeats(id_number=person.id_number)}
    # The insert trigger is back: a case registered afterwards is found by its text.
    saved = cases.register_case(cases.CaseInput(
        received_on=TODAY, channel="来访", category="咨询", summary="咨询独一无二的测试事项",
        request="询问", petitioners=[cases.PetitionerInput(name="测试")],
        disposition="当场答复", answer_given="已答复"), today=TODAY)
    assert [r.case_no for r in search.search_cases("独一无二").rows] == [saved.case_no]
    assert parse_case_no(saved.case_no)[2] == parse_case_no(
        Case.select().where(Case.received_on.year == TODAY.year)
        .order_by(Case.id.desc()).offset(1).first().case_no)[2] + 1


def test_old_backlog_is_worked_off(bulk):
    old = Case.select().where(Case.received_on < TODAY - dt.timedelta(days=366))
    assert old.count() > N / 3
    assert old.where(Case.status != v.CLOSED).count() == 0
    assert bulk.caught_up > 0
    # Recent cases keep the demo's stalls and open matters.
    recent = Case.select().where(Case.received_on > TODAY - dt.timedelta(days=300))
    assert recent.where(Case.status != v.CLOSED).count() > 0


def test_refuses_a_data_dir_with_cases(bulk):
    with pytest.raises(XinfangError, match="已有"):
        generate_bulk(10, seed=2, today=TODAY)


def test_same_seed_same_cases(tmp_path):
    def run(name):
        storage.open_data_dir(tmp_path / name, today=TODAY)
        try:
            generate_bulk(200, seed=9, today=TODAY)
            return list(Case.select(Case.case_no, Case.query_code, Case.summary, Case.status)
                        .order_by(Case.id).tuples())
        finally:
            storage.close()

    assert run("a") == run("b")


def test_without_catch_up_stalls_pile_up(tmp_path):
    storage.open_data_dir(tmp_path / "c", today=TODAY)
    try:
        report = generate_bulk(400, seed=9, today=TODAY, years=2, catch_up_days=None)
        assert report.caught_up == 0
        old = Case.select().where(Case.received_on < TODAY - dt.timedelta(days=366))
        assert old.where(Case.status != v.CLOSED).count() > 0
    finally:
        storage.close()
