"""Field corrections: checked like the intake, one transaction, old → new per field on the
audit trail, and the change history of the detail view."""

import datetime as dt
import json

import pytest

from tests.core.helpers import intake
from tests.core.people.test_access import accusation, make_office
from xinfang_desk.core import session
from xinfang_desk.core.cases.edit import NOTHING_CHANGED, change_history, update_case
from xinfang_desk.core.cases.records import get_case, petitioners_of, record_event, register_case
from xinfang_desk.core.cases.search import search_cases
from xinfang_desk.core.errors import FieldError, ValidationError, XinfangError
from xinfang_desk.core.people import access
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store.models import AuditLog, Case

TODAY = dt.date(2026, 10, 20)


@pytest.fixture
def office(store):
    staff = make_office()
    with session.acting_as(staff["张敏"]):
        no = register_case(intake(clerk=""), today=TODAY).case_no
    return staff, no


def _changed_rows():
    return [(r.actor, json.loads(r.details)) for r in
            AuditLog.select().where(AuditLog.action == "case_changed").order_by(AuditLog.id)]


def test_update_writes_old_and_new_per_field(office):
    staff, no = office
    with session.acting_as(staff["张敏"]):
        done = update_case(no, {
            "summary": "反映单位拖欠工资四个月",
            "request": "要求单位支付拖欠的工资",  # unchanged: not recorded
            "field": "劳动社保/社会保险",
            "people_count": 3,
            "petitioners": {0: {"phone": "139 1234 5678", "address": "顺庆区北城街道8号"}},
        }, reason="信访人补充材料后更正")
    assert [c.field for c in done] == ["summary", "field", "people_count",
                                      "petitioners[0].phone", "petitioners[0].address"]
    case = get_case(no)
    assert case.summary == "反映单位拖欠工资四个月" and case.field.path == "劳动社保/社会保险"
    assert case.people_count == 3
    person = petitioners_of(case)[0][0]
    assert (person.phone, person.address) == ("13912345678", "顺庆区北城街道8号")
    rows = _changed_rows()
    assert all(actor == "张敏" and d["reason"] == "信访人补充材料后更正" for actor, d in rows)
    assert [(d["field"], d["old"], d["new"]) for _a, d in rows] == [
        ("summary", "反映单位拖欠工资三个月", "反映单位拖欠工资四个月"),
        ("field", "劳动社保/劳动报酬", "劳动社保/社会保险"),
        ("people_count", 1, 3),
        ("petitioners[0].phone", "138****1234", "139****5678"),  # phones masked in the trail
        ("petitioners[0].address", "四川省南充市……", "顺庆区北城街……"),
    ]


def test_search_text_follows_the_edit(office):
    staff, no = office
    with session.acting_as(staff["张敏"]):
        update_case(no, {"facts": "2026年6月至9月工资未发放，老板失联"}, reason="补充事实")
        assert [r.case_no for r in search_cases("老板失联").rows] == [no]
        assert search_cases("一万二千元").rows == []


def test_change_history_for_the_detail_view(office):
    staff, no = office
    with session.acting_as(staff["张敏"]):
        update_case(no, {"summary": "反映单位拖欠工资四个月"}, reason="更正")
        record_event(no, EventData("chased", dt.date(2026, 9, 30), note="电话催办"))
    with session.acting_as(staff["李主任"]):
        record_event(no, EventData("replied", dt.date(2026, 10, 9), outcome="支持"))
        update_case(no, {"confidential": True}, reason="涉及举报内容")
    history = change_history(no)
    assert [(h.actor, h.action, h.field, h.old, h.new) for h in history] == [
        ("张敏", "登记事项", "信访类别", "", "申诉求决"),
        ("张敏", "修改事项", "事项摘要", "反映单位拖欠工资三个月", "反映单位拖欠工资四个月"),
        ("张敏", "办理记录", "催办", "", ""),
        ("李主任", "办理记录", "答复", "办理中", "已答复"),
        ("李主任", "修改事项", "保密", "否", "是"),
    ]
    assert all(len(h.at) == 19 for h in history)


def test_checked_like_the_intake_and_nothing_saved_on_error(office):
    staff, no = office
    with session.acting_as(staff["张敏"]):
        with pytest.raises(ValidationError) as info:
            update_case(no, {"summary": "新摘要", "request": "", "unit": "不存在的单位",
                             "people_count": 0, "petitioners": {0: {"phone": "12"}}},
                        reason="更正")
        fields = {e.field for e in info.value.errors}
        assert {"诉求", "承办单位", "涉及人数", "信访人王秀英联系电话"} <= fields
        with pytest.raises(ValidationError, match="类别"):
            update_case(no, {"category": "咨询"}, reason="改类别")
        with pytest.raises(FieldError, match="修改原因"):
            update_case(no, {"summary": "新摘要"}, reason=" ")
        with pytest.raises(XinfangError, match=NOTHING_CHANGED):
            update_case(no, {"summary": "反映单位拖欠工资三个月"}, reason="无变化")
    assert get_case(no).summary == "反映单位拖欠工资三个月"
    assert _changed_rows() == []


def test_refused_when_not_visible_or_not_allowed(office):
    staff, no = office
    with session.acting_as(staff["张敏"]):
        secret = register_case(accusation(), today=TODAY).case_no
    with session.acting_as(staff["王芳"]):
        with pytest.raises(session.PermissionDenied, match=access.DENIED):
            update_case(secret, {"summary": "改"}, reason="试")
        with pytest.raises(session.PermissionDenied, match=access.DENIED):
            change_history(secret)
    with session.acting_as(staff["张敏"]), pytest.raises(session.PermissionDenied, match="取消保密"):
        update_case(secret, {"confidential": False}, reason="不需要保密")
    with session.acting_as(staff["管理员"]), pytest.raises(session.PermissionDenied):
        update_case(no, {"summary": "改"}, reason="试")
    with session.acting_as(staff["李主任"]):
        update_case(secret, {"confidential": False}, reason="检举人同意公开")
    with session.acting_as(staff["王芳"]):
        assert [r.case_no for r in search_cases("侵占集体土地").rows] == [secret]
    assert get_case(secret).summary == "检举村主任侵占集体土地补偿款"


@pytest.mark.parametrize("changes, field", [
    ({"summary": "拖欠工资\x00三个月"}, "事项摘要"),
    ({"facts": "事实\ud800"}, "事实"),
    ({"people_count": 10**30}, "涉及人数"),
    ({"petitioners": {0: {"address": "中城街道\x001号"}}}, "住址"),
])
def test_unsavable_edits_refused_naming_the_field(store, changes, field):
    no = register_case(intake(), today=TODAY).case_no
    before = Case.get(Case.case_no == no).summary
    with pytest.raises((FieldError, ValidationError)) as exc:
        update_case(no, changes, "更正")
    assert field in str(exc.value)
    assert Case.get(Case.case_no == no).summary == before
