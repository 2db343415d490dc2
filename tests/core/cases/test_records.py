"""Registering a case and recording events through the service the GUI and CLI share."""

import datetime as dt
import re

import pytest

from tests.core.helpers import ID_LI, ID_WANG, intake
from xinfang_desk.core.cases.records import (
    PetitionerInput,
    accept_case,
    get_case,
    petitioners_of,
    record_event,
    register_case,
)
from xinfang_desk.core.errors import ValidationError, WorkflowError
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store import settings
from xinfang_desk.core.store.models import Case, CaseEvent, Petitioner

TODAY = dt.date(2026, 11, 28)


def test_saved_case_gets_a_number_and_a_query_code(store):
    first = register_case(intake(), today=TODAY)
    second = register_case(intake(summary="再次反映拖欠工资"), today=TODAY)
    assert first.case_no == "XF2026-000001" and second.case_no == "XF2026-000002"
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", first.query_code)
    assert first.query_code != second.query_code
    assert first.status == v.ACCEPTED


def test_number_prefix_is_a_setting_and_numbers_restart_each_year(store):
    settings.put("case_prefix", "JD")
    a = register_case(intake(received_on=dt.date(2025, 12, 31)), today=TODAY)
    b = register_case(intake(), today=TODAY)
    assert (a.case_no, b.case_no) == ("JD2025-000001", "JD2026-000001")


def test_id_number_is_normalised_and_sex_and_birth_date_derived(store):
    saved = register_case(intake(petitioners=[PetitionerInput(name="王秀英", id_number=ID_WANG.lower())]),
                          today=TODAY)
    (person, _), = petitioners_of(get_case(saved.case_no))
    assert person.id_number == ID_WANG
    assert person.sex == "女" and person.birth_date == dt.date(1949, 12, 31)
    assert person.doc_type == "身份证"


def test_legacy_15_digit_id_is_upgraded(store):
    saved = register_case(intake(petitioners=[PetitionerInput(name="李建国", id_number="340524800101001")]),
                          today=TODAY)
    (person, _), = petitioners_of(get_case(saved.case_no))
    assert person.id_number == ID_LI and person.sex == "男"


def test_same_id_number_is_the_same_person(store):
    register_case(intake(), today=TODAY)
    register_case(intake(petitioners=[PetitionerInput(name="王秀英", id_number=ID_WANG, phone="0817-2223344")]),
                  today=TODAY)
    assert Petitioner.select().where(Petitioner.id_number == ID_WANG).count() == 1
    assert Petitioner.get(Petitioner.id_number == ID_WANG).phone == "0817-2223344"


def test_accusations_are_confidential_by_default(store):
    saved = register_case(intake(category="检举控告", summary="举报村干部侵占补偿款"), today=TODAY)
    assert get_case(saved.case_no).confidential is True
    assert get_case(register_case(intake(), today=TODAY).case_no).confidential is False


def test_group_visit_counts_and_the_five_representative_warning(store):
    people = [PetitionerInput(name=n, is_representative=True, address="顺庆区某小区")
              for n in ("甲一", "乙二", "丙三", "丁四", "戊五", "己六")]
    saved = register_case(intake(petitioners=people, people_count=40, reps_present=6), today=TODAY)
    case = get_case(saved.case_no)
    assert (case.people_count, case.reps_present) == (40, 6)
    assert any("不超过5名代表" in w for w in saved.warnings)
    assert len(petitioners_of(case)) == 6


def test_every_wrong_field_is_named_and_nothing_is_saved(store):
    bad = intake(
        petitioners=[PetitionerInput(name="", id_number="110105194912310021", phone="12345")],
        disposition="转送", unit="", request=" ",
    )
    with pytest.raises(ValidationError) as info:
        register_case(bad, today=TODAY)
    text = str(info.value)
    for expected in ("信访人姓名", "身份证号", "校验", "联系电话", "诉求", "承办单位"):
        assert expected in text, text
    assert Case.select().count() == 0 and Petitioner.select().count() == 0


def test_disposition_context_is_required(store):
    with pytest.raises(ValidationError, match="答复内容"):
        register_case(intake(disposition="当场答复"), today=TODAY)
    with pytest.raises(ValidationError, match="应向何处反映"):
        register_case(intake(disposition="引导"), today=TODAY)
    with pytest.raises(ValidationError, match="不予受理理由"):
        register_case(intake(disposition="不予受理", approach_body="县人民法院"), today=TODAY)


def test_future_receipt_dates_and_unknown_fields_are_refused(store):
    with pytest.raises(ValidationError, match="晚于今天"):
        register_case(intake(received_on=TODAY + dt.timedelta(days=1)), today=TODAY)
    with pytest.raises(Exception, match="不在领域分类中"):
        register_case(intake(field="星际旅行"), today=TODAY)


def test_events_move_the_status_and_refusals_write_nothing(store):
    saved = register_case(intake(disposition="转送", unit="人力资源和社会保障局"), today=TODAY)
    assert get_case(saved.case_no).status == v.REGISTERED
    with pytest.raises(WorkflowError, match="尚未受理"):
        record_event(saved.case_no, EventData("replied", dt.date(2026, 9, 25), outcome="支持"))
    assert CaseEvent.select().count() == 0
    record_event(saved.case_no, EventData("forwarded", dt.date(2026, 9, 22), ref="劳转〔2026〕3号"))
    case = get_case(saved.case_no)
    assert case.status == v.FORWARDED
    event = CaseEvent.get(CaseEvent.case == case)
    assert event.unit.name == "人力资源和社会保障局"  # the case's unit when none is given
    record_event(saved.case_no, EventData("feedback", dt.date(2026, 10, 20), note="已责令企业支付"))
    record_event(saved.case_no, EventData("replied", dt.date(2026, 10, 21), outcome="支持"))
    assert get_case(saved.case_no).status == v.REPLIED


def test_accepting_a_registered_letter(store):
    saved = register_case(intake(channel="来信", disposition="转送", unit="民政局"), today=TODAY)
    state = accept_case(saved.case_no, dt.date(2026, 9, 23))
    case = get_case(saved.case_no)
    assert case.status == v.ACCEPTED and case.accepted_on == dt.date(2026, 9, 23)
    assert state.handling_from == dt.date(2026, 9, 23)
    with pytest.raises(WorkflowError, match="不能受理"):
        accept_case(saved.case_no, dt.date(2026, 9, 24))
