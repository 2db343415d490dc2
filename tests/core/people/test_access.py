"""Who sees confidential cases, who approves extensions and answers, who may do what, and the
deliberate reveal of a full ID number."""

import datetime as dt
import io
import json

import pytest

from tests.core.helpers import ID_LI, ID_WANG, intake
from xinfang_desk.core import session
from xinfang_desk.core.cases import detail
from xinfang_desk.core.cases.detail import load_case_detail
from xinfang_desk.core.cases.followup import followup_board, record_chase
from xinfang_desk.core.cases.records import (
    PetitionerInput,
    events_of,
    get_case,
    record_event,
    register_case,
)
from xinfang_desk.core.cases.repeats import find_repeats
from xinfang_desk.core.cases.search import search_cases
from xinfang_desk.core.deadlines.engine import list_deadlines
from xinfang_desk.core.documents.build import build_document, record_printed
from xinfang_desk.core.documents.context import load as load_doc_context
from xinfang_desk.core.interchange.jsonl import export_cases
from xinfang_desk.core.people import access, users
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.session import PermissionDenied
from xinfang_desk.core.store import audit, settings
from xinfang_desk.core.store.models import AuditLog, Case, CaseEvent

TODAY = dt.date(2026, 10, 20)
PASSWORD = "abc12345"
# Accounts of the test office: username -> role.
STAFF = {"管理员": session.ADMIN, "李主任": session.LEADER, "张敏": session.CLERK,
         "王芳": session.CLERK}


def make_office() -> dict[str, session.Actor]:
    """The office's accounts (the first, an admin, creates the others); nobody signed in."""
    users.create_user("管理员", PASSWORD, session.ADMIN)
    with session.acting_as(users.actor_of(users.get_user("管理员"))):
        for name, role in STAFF.items():
            if role != session.ADMIN:
                users.create_user(name, PASSWORD, role)
    return {name: users.actor_of(users.get_user(name)) for name in STAFF}


def accusation(**overrides):
    """A confidential 检举控告 matter about a village official, received 2026-09-01."""
    values = dict(received_on=dt.date(2026, 9, 1), category="检举控告",
                  summary="检举村主任侵占集体土地补偿款",
                  request="要求查处村主任侵占补偿款问题",
                  facts="2025年征地补偿款发放时被截留约八万元",
                  petitioners=[PetitionerInput(name="李建华", id_number=ID_LI,
                                               phone="13912345678", address="顺庆区石庙村3组")],
                  disposition="受理", field="", clerk="")
    values.update(overrides)
    return intake(**values)


@pytest.fixture
def office(store):
    staff = make_office()
    with session.acting_as(staff["张敏"]):
        secret = register_case(accusation(), today=TODAY).case_no
        plain = register_case(intake(received_on=dt.date(2026, 9, 2), clerk=""), today=TODAY).case_no
    return staff, secret, plain


def _found(case_no: str, **search) -> bool:
    return case_no in {r.case_no for r in search_cases(**search, limit=500).rows}


def _invisible_everywhere(case_no: str) -> None:
    assert not _found(case_no)
    assert not _found(case_no, text=case_no)
    assert not _found(case_no, text="李建华")
    assert not _found(case_no, text=ID_LI)
    assert not _found(case_no, text="13912345678")
    assert not _found(case_no, text="侵占集体土地")
    assert not _found(case_no, text="村主")  # LIKE path (short term)
    assert not _found(case_no, confidential=True)
    assert not _found(case_no, overdue_only=True, today=dt.date(2027, 6, 1))
    assert case_no not in {d.case_no for d in list_deadlines(today=dt.date(2027, 6, 1))}
    assert case_no not in {i.case_no for i in followup_board(today=dt.date(2027, 6, 1)).items}
    assert not find_repeats(id_number=ID_LI, phone="13912345678", name="李建华",
                            text="检举村主任侵占集体土地补偿款")
    buf = io.StringIO()
    export_cases(buf, masked=True)
    assert case_no not in buf.getvalue() and "李建华" not in buf.getvalue()
    with pytest.raises(PermissionDenied, match=access.DENIED):
        export_cases(io.StringIO(), case_nos=[case_no], masked=True)
    with pytest.raises(PermissionDenied, match="该事项为保密事项，您无权查看。"):
        load_case_detail(case_no, today=TODAY)
    with pytest.raises(PermissionDenied, match=access.DENIED):
        build_document(case_no, "receipt", today=TODAY)
    with pytest.raises(PermissionDenied, match=access.DENIED):
        access.get_visible_case(case_no)
    assert case_no not in {c.case_no for c in Case.select().where(access.visible_cases_clause())}


def _visible_everywhere(case_no: str) -> None:
    assert _found(case_no)
    assert _found(case_no, text=case_no)
    assert _found(case_no, text="李建华")
    assert _found(case_no, text=ID_LI)
    assert _found(case_no, text="村主")
    assert _found(case_no, overdue_only=True, today=dt.date(2027, 6, 1))
    assert case_no in {d.case_no for d in list_deadlines(today=dt.date(2027, 6, 1))}
    assert case_no in {i.case_no for i in followup_board(today=dt.date(2027, 6, 1)).items}
    assert [m.case_no for m in find_repeats(id_number=ID_LI)] == [case_no]
    assert load_case_detail(case_no, today=TODAY).case_no == case_no
    assert build_document(case_no, "receipt", today=TODAY).startswith(b"%PDF")
    assert case_no in {c.case_no for c in Case.select().where(access.visible_cases_clause())}


def test_accusation_is_confidential_by_default(office):
    _staff, secret, plain = office
    assert get_case(secret).confidential and get_case(secret).clerk == "张敏"
    assert not get_case(plain).confidential


def test_other_clerk_cannot_find_or_open_confidential_case(office):
    staff, secret, plain = office
    with session.acting_as(staff["王芳"]):
        _invisible_everywhere(secret)
        assert _found(plain) and _found(plain, text="王秀英")
        with pytest.raises(PermissionDenied, match=access.DENIED):
            record_chase(secret, dt.date(2026, 9, 10), "电话催办")
        assert not access.can_see(get_case(secret))
    assert CaseEvent.select().count() == 0


def test_registering_clerk_and_leader_see_it(office):
    staff, secret, _plain = office
    for name in ("张敏", "李主任"):
        with session.acting_as(staff[name]):
            _visible_everywhere(secret)
            assert access.can_see(get_case(secret))
    _visible_everywhere(secret)  # SYSTEM (no one signed in)


def test_admin_keeps_the_system_not_the_cases(office):
    staff, secret, plain = office
    with session.acting_as(staff["管理员"]):
        assert not _found(secret) and _found(plain)
        with pytest.raises(PermissionDenied):
            register_case(intake(), today=TODAY)
        with pytest.raises(PermissionDenied, match="无权跟踪督办"):
            record_chase(plain, dt.date(2026, 9, 10))


def test_named_user_sees_it_after_a_leaders_grant(office):
    staff, secret, _plain = office
    with session.acting_as(staff["张敏"]), pytest.raises(PermissionDenied, match="只有负责人"):
        access.grant_access(secret, "王芳")
    with session.acting_as(staff["李主任"]):
        assert access.grant_access(secret, "王芳") is True
        assert access.grant_access(secret, "王芳") is False  # already named: nothing new
        assert access.access_list(secret) == ["王芳"]
    row = AuditLog.get(AuditLog.action == "access_granted")
    assert (row.actor, row.object, json.loads(row.details)) == ("李主任", secret, {"user": "王芳"})
    with session.acting_as(staff["王芳"]):
        _visible_everywhere(secret)
    with session.acting_as(staff["李主任"]):
        assert access.revoke_access(secret, "王芳")
    with session.acting_as(staff["王芳"]):
        _invisible_everywhere(secret)


def test_grant_refused_for_plain_case_and_unknown_user(office):
    staff, secret, plain = office
    with session.acting_as(staff["李主任"]):
        with pytest.raises(Exception, match="不是保密事项"):
            access.grant_access(plain, "王芳")
        with pytest.raises(Exception, match="没有用户"):
            access.grant_access(secret, "赵六")
    assert not AuditLog.select().where(AuditLog.action == "access_granted").exists()


def test_earlier_visits_on_letters_omit_invisible_confidential_cases(office):
    staff, secret, _plain = office
    with session.acting_as(staff["王芳"]):
        later = register_case(intake(
            received_on=dt.date(2026, 9, 5), summary="反映补偿款发放不公开",
            petitioners=[PetitionerInput(name="李建华", id_number=ID_LI, address="石庙村")],
        ), today=TODAY).case_no
        assert load_doc_context(later, TODAY).previous == []
    with session.acting_as(staff["李主任"]):
        assert [p[0] for p in load_doc_context(later, TODAY).previous] == [secret]


# ---------------------------------------------------------------------------- approvals

EXTENSION = EventData("extended", dt.date(2026, 10, 15), days=30, reason="涉及多个部门，需进一步调查核实")
REPLY = EventData("replied", dt.date(2026, 10, 16), outcome="支持", note="责令村委会退还")


def test_clerk_extension_without_approval_is_refused_and_nothing_saved(office):
    staff, secret, plain = office
    before = AuditLog.select().count()
    with session.acting_as(staff["张敏"]):
        with pytest.raises(PermissionDenied, match="延期须经负责人审批"):
            record_event(plain, EXTENSION)
        with pytest.raises(PermissionDenied, match="答复意见须经负责人审批"):
            record_event(plain, REPLY)
        other_clerk = users.authenticate("王芳", PASSWORD)
        with pytest.raises(PermissionDenied, match="延期须经负责人审批"):
            record_event(plain, EXTENSION, approval=other_clerk)
    assert events_of(get_case(plain)) == []
    assert AuditLog.select().where(AuditLog.action.in_(["event", "approval"])).count() == 0
    assert AuditLog.select().count() == before + 1  # only the other clerk's log-in


def test_extension_with_leaders_approval_is_saved_with_approver(office):
    staff, _secret, plain = office
    leader = users.authenticate("李主任", PASSWORD)  # the GUI's approval dialog
    with session.acting_as(staff["张敏"]):
        record_event(plain, EXTENSION, approval=leader)
        record_event(plain, REPLY, approval=leader)
    (ext, rep) = events_of(get_case(plain))
    assert (ext.type, ext.approver, ext.actor) == ("extended", "李主任", "张敏")
    assert (rep.type, rep.approver, rep.actor) == ("replied", "李主任", "张敏")
    rows = list(AuditLog.select().where(AuditLog.action.in_(["event", "approval"]))
                .order_by(AuditLog.id))
    assert [(r.action, r.actor) for r in rows] == [
        ("event", "张敏"), ("approval", "李主任"), ("event", "张敏"), ("approval", "李主任")]
    assert json.loads(rows[0].details)["approver"] == "李主任"
    assert json.loads(rows[2].details)["status"] == ["accepted", "replied"]
    assert get_case(plain).status == "replied"


def test_leader_approves_own_extension_and_given_approver_is_kept(office):
    staff, _secret, plain = office
    with session.acting_as(staff["李主任"]):
        record_event(plain, EXTENSION)
    assert events_of(get_case(plain))[0].approver == "李主任"
    with session.acting_as(staff["张敏"]):
        record_event(plain, EventData("replied", dt.date(2026, 10, 16), outcome="支持",
                                      approver="周局长"),
                     approval=users.authenticate("李主任", PASSWORD))
    assert events_of(get_case(plain))[1].approver == "周局长"


def test_disabled_leader_cannot_approve(office):
    staff, _secret, plain = office
    leader = users.authenticate("李主任", PASSWORD)
    with session.acting_as(staff["管理员"]):
        users.update_user("李主任", active=False)
    with session.acting_as(staff["张敏"]), pytest.raises(PermissionDenied, match="延期"):
        record_event(plain, EXTENSION, approval=leader)


def test_printing_extension_and_reply_letters_needs_approval(office):
    staff, _secret, plain = office
    leader = users.authenticate("李主任", PASSWORD)
    with session.acting_as(staff["张敏"]):
        record_event(plain, EXTENSION, approval=leader)
        record_printed(plain, "receipt", on=TODAY)  # an ordinary document: no approval
        with pytest.raises(PermissionDenied, match="延期须经负责人审批"):
            record_printed(plain, "extend", on=TODAY)
        record_printed(plain, "extend", on=TODAY, approval=leader)
    printed = [e for e in events_of(get_case(plain)) if e.type == "printed"]
    assert [(e.note, e.approver, e.actor) for e in printed] == [
        ("回执", "", "张敏"), ("延期告知书", "李主任", "张敏")]
    rows = list(AuditLog.select().where(AuditLog.action == "printed").order_by(AuditLog.id))
    assert [(r.actor, json.loads(r.details)["doc"]) for r in rows] == [("张敏", "receipt"),
                                                                       ("张敏", "extend")]


# ---------------------------------------------------------------------------- permissions

def test_settings_need_the_settings_permission(office):
    staff, _secret, _plain = office
    for name in ("张敏", "李主任"):
        with session.acting_as(staff[name]):
            with pytest.raises(PermissionDenied, match="无权修改设置"):
                settings.put("office_name", "某县信访局")
            with pytest.raises(PermissionDenied):
                settings.put_many({"office_name": "某县信访局"})
    with session.acting_as(staff["管理员"]):
        settings.put("office_name", "某县信访局")
    assert settings.get("office_name") == "某县信访局"


def test_full_export_only_by_a_leader(office):
    staff, secret, plain = office
    with session.acting_as(staff["张敏"]):
        with pytest.raises(PermissionDenied, match="负责人"):
            export_cases(io.StringIO())
        buf = io.StringIO()
        assert export_cases(buf, masked=True) == 2
    text = buf.getvalue()
    assert ID_WANG not in text and ID_LI not in text and "13800001234" not in text
    assert "110105********002X" in text and "138****1234" in text
    with session.acting_as(staff["李主任"]):
        full = io.StringIO()
        assert export_cases(full) == 2
    assert ID_WANG in full.getvalue() and ID_LI in full.getvalue()
    with session.acting_as(staff["管理员"]), pytest.raises(PermissionDenied, match="无权导出数据"):
        export_cases(io.StringIO(), masked=True)


# ---------------------------------------------------------------------------- reveal

def test_reveal_id_returns_full_number_and_is_audited(office):
    staff, secret, plain = office
    with session.acting_as(staff["王芳"]):
        assert load_case_detail(plain, today=TODAY).petitioners[0].id_number == "110105********002X"
        assert detail.reveal_id(plain, 0) == ID_WANG
        with pytest.raises(PermissionDenied, match=access.DENIED):
            detail.reveal_id(secret, 0)
        with pytest.raises(Exception, match="没有第2位信访人"):
            detail.reveal_id(plain, 1)
    row = AuditLog.get(AuditLog.action == "reveal_id")
    assert (row.actor, row.object) == ("王芳", plain)
    assert ID_WANG not in row.details and "110105********002X" in row.details
    with session.acting_as(staff["管理员"]), pytest.raises(PermissionDenied):
        detail.reveal_id(plain, 0)


def test_full_ids_in_the_detail_view_are_audited(office):
    staff, _secret, plain = office
    with session.acting_as(staff["张敏"]):
        assert load_case_detail(plain, today=TODAY, show_full_ids=True).petitioners[0].id_number == ID_WANG
    row = AuditLog.get(AuditLog.action == "reveal_id")
    assert row.actor == "张敏" and ID_WANG not in row.details


def test_audit_report_helper(office):
    staff, _secret, _plain = office
    with session.acting_as(staff["张敏"]):
        access.audit_report(dt.date(2026, 9, 1), dt.date(2026, 9, 30), ["xlsx"])
        with pytest.raises(PermissionDenied, match="负责人"):
            access.audit_report(dt.date(2026, 9, 1), dt.date(2026, 9, 30), ["xlsx"], masked=False)
    row = AuditLog.get(AuditLog.action == "report")
    assert row.actor == "张敏" and json.loads(row.details)["outputs"] == ["xlsx"]
    assert audit.verify().ok


# ---------------------------------------------------------------------------- PostgreSQL

def test_visibility_edit_and_purge_on_postgres():
    """The same rules through portable SQL (runs when XINFANG_TEST_PG_URL is set)."""
    import os

    url = os.environ.get("XINFANG_TEST_PG_URL")
    if not url:
        pytest.skip("XINFANG_TEST_PG_URL not set (no PostgreSQL)")
    pytest.importorskip("psycopg")
    from playhouse.db_url import connect

    from xinfang_desk.core.cases import retention
    from xinfang_desk.core.cases.edit import change_history, update_case
    from xinfang_desk.core.store import storage

    raw = connect(url)
    raw.execute_sql("DROP SCHEMA public CASCADE")
    raw.execute_sql("CREATE SCHEMA public")
    raw.close()
    storage.open_url(url)
    try:
        staff = make_office()
        with session.acting_as(staff["张敏"]):
            secret = register_case(accusation(), today=TODAY).case_no
            spot = register_case(intake(disposition="当场答复", category="咨询", facts="",
                                        answer_given="已告知", clerk=""), today=TODAY).case_no
        with session.acting_as(staff["王芳"]):
            _invisible_everywhere(secret)
        with session.acting_as(staff["李主任"]):
            access.grant_access(secret, "王芳")
            update_case(secret, {"summary": "检举村主任截留征地补偿款"}, reason="更正")
        with session.acting_as(staff["王芳"]):
            assert _found(secret, text="截留征地") and _found(secret, text="村主")
            assert [h.field for h in change_history(secret)][-1] == "事项摘要"
        with session.acting_as(staff["管理员"]):
            report = retention.purge(mode="anonymise", today=dt.date(2032, 1, 1))
        assert report.case_nos == (spot,)
        assert get_case(spot).summary == retention.ANONYMISED
        assert audit.verify().ok
    finally:
        storage.close()


def test_an_account_named_like_system_does_not_inherit_systems_cases(store):
    secret = register_case(accusation(), today=TODAY).case_no  # before any account
    assert get_case(secret).clerk == session.SYSTEM.username
    namesake = session.Actor(session.SYSTEM.username, session.CLERK)
    with session.acting_as(namesake):
        assert not _found(secret)
        assert not access.can_see(get_case(secret))
