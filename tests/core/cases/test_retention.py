"""Retention: which closed cases are due, delete or anonymise them, audit rows kept, and the
removed personal data gone from the database files."""

import datetime as dt
import json

import pytest

from tests.core.helpers import ID_LI, ID_WANG, intake
from tests.core.people.test_access import make_office
from xinfang_desk.core import session
from xinfang_desk.core.cases import retention
from xinfang_desk.core.cases.records import PetitionerInput, get_case, record_event, register_case
from xinfang_desk.core.cases.search import search_cases
from xinfang_desk.core.errors import FieldError, NotFoundError, XinfangError
from xinfang_desk.core.report.figures import monthly_figures
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store import audit, settings
from xinfang_desk.core.store.db import database
from xinfang_desk.core.store.models import AuditLog, Case, CaseEvent, CasePetitioner, Petitioner

RECEIVED = dt.date(2026, 9, 1)
LI = PetitionerInput(name="李建华", id_number=ID_LI, phone="13912345678", address="顺庆区石庙村3组")


def answered_on_spot(**overrides) -> str:
    """Closed the day it was received (当场答复)."""
    values = dict(received_on=RECEIVED, disposition="当场答复", category="咨询",
                  summary="咨询养老保险补缴政策", request="了解补缴办法", facts="",
                  answer_given="已告知补缴流程及所需材料", petitioners=[LI])
    values.update(overrides)
    return register_case(intake(**values), today=RECEIVED).case_no


def closed_later(closed_on: dt.date, **overrides) -> str:
    no = register_case(intake(received_on=RECEIVED, **overrides), today=RECEIVED).case_no
    record_event(no, EventData("replied", dt.date(2026, 10, 1), outcome="支持", note="已责令支付"))
    record_event(no, EventData("closed", closed_on, note="信访人表示满意"))
    return no


@pytest.fixture
def cases(store):
    """Registered as SYSTEM, then the office's accounts exist (purging is the admin's)."""
    made = {
        "spot": answered_on_spot(),  # closed 2026-09-01
        "open": register_case(intake(received_on=RECEIVED), today=RECEIVED).case_no,
        "late": closed_later(dt.date(2027, 2, 1)),
    }
    return made, make_office()


def test_candidates_are_old_closed_cases(cases):
    made, staff = cases
    with session.acting_as(staff["管理员"]):
        due = retention.purge_candidates(dt.date(2032, 1, 10))  # cutoff 2027-01-10
        assert [(c.case_no, c.closed_on) for c in due] == [(made["spot"], RECEIVED)]
        assert [c.case_no for c in retention.purge_candidates(dt.date(2032, 3, 1))] == [
            made["spot"], made["late"]]
        assert retention.purge_candidates(dt.date(2031, 8, 31)) == []
        settings.put("retention_years", 1)
        assert [c.case_no for c in retention.purge_candidates(dt.date(2028, 3, 1))] == [
            made["spot"], made["late"]]
        with pytest.raises(FieldError, match="不得小于1"):
            settings.put("retention_years", 0)
    assert retention.cutoff_date(dt.date(2032, 2, 29), 5) == dt.date(2027, 2, 28)


def test_only_the_admin_purges(cases):
    made, staff = cases
    for name in ("张敏", "李主任"):
        with session.acting_as(staff[name]):
            with pytest.raises(session.PermissionDenied, match="无权清理过期数据"):
                retention.purge_candidates(dt.date(2032, 3, 1))
            with pytest.raises(session.PermissionDenied):
                retention.purge(mode="delete", today=dt.date(2032, 3, 1))
    assert Case.select().count() == 3


def test_not_due_case_refused_and_nothing_changed(cases):
    made, staff = cases
    with session.acting_as(staff["管理员"]):
        with pytest.raises(XinfangError, match=made["open"]):
            retention.purge([made["spot"], made["open"]], today=dt.date(2032, 3, 1))
        with pytest.raises(FieldError, match="清理方式"):
            retention.purge(mode="shred", today=dt.date(2032, 3, 1))
    assert Case.select().count() == 3
    assert not AuditLog.select().where(AuditLog.action == "purge").exists()


def test_delete_removes_due_cases_and_their_only_people(cases):
    made, staff = cases
    audit_before = AuditLog.select().count()
    with session.acting_as(staff["管理员"]):
        report = retention.purge(mode="delete", today=dt.date(2032, 1, 10))
    assert (report.cases, report.case_nos) == (1, (made["spot"],))
    assert "已删除1件" in report.summary
    with pytest.raises(NotFoundError):
        get_case(made["spot"])
    assert {c.case_no for c in Case.select()} == {made["open"], made["late"]}
    assert not Petitioner.select().where(Petitioner.id_number == ID_LI).exists()
    assert Petitioner.select().where(Petitioner.id_number == ID_WANG).exists()  # kept cases'
    assert search_cases("李建华").total == 0
    # The audit trail is never touched: one row more, the purged case's rows still there.
    assert AuditLog.select().count() == audit_before + 1
    assert AuditLog.select().where(AuditLog.object == made["spot"]).exists()
    row = AuditLog.get(AuditLog.action == "purge")
    details = json.loads(row.details)
    assert row.actor == "管理员"
    assert (details["mode"], details["cases"], details["petitioners_removed"]) == ("delete", 1, 1)
    assert details["case_nos"] == [made["spot"]] and details["cutoff"] == "2027-01-10"
    assert audit.verify().ok


def test_anonymise_keeps_the_figures(cases):
    made, staff = cases
    # 王秀英 petitions in all three; 李建华 only in the old consultation.
    before = monthly_figures(dt.date(2026, 9, 1), dt.date(2026, 9, 30), today=dt.date(2032, 3, 1))
    with session.acting_as(staff["管理员"]):
        report = retention.purge(mode="anonymise", today=dt.date(2032, 3, 1))
    assert set(report.case_nos) == {made["spot"], made["late"]}
    after = monthly_figures(dt.date(2026, 9, 1), dt.date(2026, 9, 30), today=dt.date(2032, 3, 1))
    assert (after.received_total, after.by_category, after.by_channel) == (
        before.received_total, before.by_category, before.by_channel)
    late = get_case(made["late"])
    assert (late.summary, late.request, late.facts, late.status) == (
        retention.ANONYMISED, retention.ANONYMISED, retention.ANONYMISED, "closed")
    assert late.received_on == RECEIVED and late.category == "申诉求决" and late.search_text == ""
    notes = [e.note for e in CaseEvent.select().where(CaseEvent.case == late)]
    assert notes == [retention.ANONYMISED, retention.ANONYMISED]
    people = [link.petitioner for link in CasePetitioner.select().where(
        CasePetitioner.case.in_([late.id, get_case(made["spot"]).id]))]
    assert [(p.name, p.id_number, p.phone, p.address) for p in people] == [
        (retention.ANONYMISED, None, "", "")] * 2
    # The person of the kept open case is untouched; the one with no case left is gone.
    kept = get_case(made["open"]).links[0].petitioner
    assert (kept.name, kept.id_number) == ("王秀英", ID_WANG)
    assert not Petitioner.select().where(Petitioner.id_number == ID_LI).exists()
    assert search_cases("王秀英").total == 1 and search_cases("拖欠").total == 1


@pytest.mark.parametrize("mode", ["delete", "anonymise"])
def test_removed_id_number_is_gone_from_the_database_files(cases, store, mode):
    made, staff = cases
    files = [store.database, store.database.with_name(store.database.name + "-wal")]

    def raw() -> bytes:
        return b"".join(f.read_bytes() for f in files if f.exists())

    db = database.obj
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    assert ID_LI.encode() in raw() and "石庙村".encode() in raw()  # the check can see it
    db.execute_sql("PRAGMA secure_delete=OFF")  # as most SQLite builds have it by default
    with session.acting_as(staff["管理员"]):
        retention.purge([made["spot"]], mode=mode, today=dt.date(2032, 1, 10))
    data = raw()
    for gone in (ID_LI, "13912345678", "顺庆区石庙村3组", "已告知补缴流程", "李建华"):
        assert gone.encode() not in data, gone
    assert ID_WANG.encode() in data  # the kept cases' person is still there
    assert db.execute_sql("PRAGMA secure_delete").fetchone()[0] == 0  # restored
