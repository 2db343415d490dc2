"""The case detail as the detail window shows it: fields, masked petitioners, timeline lines,
deadlines and the actions allowed now."""

import datetime as dt

import pytest

from tests.core.helpers import ID_WANG, intake
from xinfang_desk.core.cases.detail import ACTION_ORDER, describe_event, load_case_detail
from xinfang_desk.core.cases.records import accept_case, record_event, register_case
from xinfang_desk.core.errors import NotFoundError
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import EventData

TODAY = dt.date(2026, 10, 9)
UNIT = "人力资源和社会保障局"


def forwarded_case():
    saved = register_case(intake(disposition="转送", unit=UNIT), today=TODAY)
    record_event(saved.case_no, EventData(type="forwarded", on=dt.date(2026, 9, 22), unit=UNIT,
                                          ref="劳转〔2026〕3号", deadline=dt.date(2026, 10, 15)))
    return saved.case_no


def test_timeline_lines_are_chinese_one_liners(store):
    no = forwarded_case()
    record_event(no, EventData(type="extended", on=dt.date(2026, 10, 1), days=20,
                               reason="需现场核查", approver="李局长"))
    record_event(no, EventData(type="feedback", on=dt.date(2026, 10, 3), note="已督促单位支付"))
    record_event(no, EventData(type="replied", on=dt.date(2026, 10, 5), outcome="支持"))
    record_event(no, EventData(type="satisfaction", on=dt.date(2026, 10, 6), rating="不满意",
                               reason="补偿太低"))
    detail = load_case_detail(no, today=TODAY)
    lines = [e.line for e in detail.timeline]
    assert lines[0].startswith("2026-09-21 登记（来访），处理方式：转送（人力资源和社会保障局）")
    assert lines[1:] == [
        "2026-09-22 转送 人力资源和社会保障局（劳转〔2026〕3号），反馈期限2026-10-15",
        "2026-10-01 延期20日：需现场核查（批准人：李局长）",
        "2026-10-03 承办单位反馈：已督促单位支付",
        "2026-10-05 答复：支持",
        "2026-10-06 满意度：不满意（补偿太低）",
    ]
    assert detail.timeline[0].actor == "张三"
    assert detail.status_label == "已答复"
    assert detail.extension_days_left == 10


def test_describe_other_events():
    on = dt.date(2026, 1, 1)
    assert describe_event(EventData(type="chased", on=on, note="电话催办")) == "催办：电话催办"
    assert describe_event(EventData(type="closed", on=on)) == "办结"
    assert describe_event(EventData(type="reopened", on=on, reason="问题未解决")) == "重新办理：问题未解决"
    assert describe_event(EventData(type="review_answered", on=on, outcome="维持")) == "复查答复：维持"
    assert describe_event(EventData(type="assigned", on=on, unit="某局")) == "交办 某局"


def test_forwarded_case_allows_reply_but_not_closing(store):
    no = forwarded_case()
    detail = load_case_detail(no, today=TODAY)
    assert list(detail.actions) == list(ACTION_ORDER)
    a = detail.actions
    assert a["replied"] is None and a["feedback"] is None and a["chased"] is None
    assert a["extended"] is None
    assert a["closed"] == "事项尚未答复，不能办结"
    assert a["accept"] == "事项当前状态为“已转送/交办”，不能受理"
    assert a["reopened"] == "只有已办结的事项才能重新办理"
    assert detail.reply_outcomes == v.REPLY_OUTCOMES
    kinds = {d.kind: d for d in detail.deadlines}
    assert kinds["feedback"].due == dt.date(2026, 10, 15)
    assert kinds["feedback"].days_left == 6


def test_registered_case_can_be_accepted_and_then_not(store):
    saved = register_case(intake(disposition="转送", unit=UNIT), today=TODAY)
    detail = load_case_detail(saved.case_no, today=TODAY)
    assert detail.actions["accept"] is None
    assert detail.actions["feedback"] == "事项尚未转送或交办，没有承办单位的反馈可记录"
    assert detail.actions["replied"].startswith("事项尚未受理")
    assert [d.kind for d in detail.deadlines] == ["forward"]
    accept_case(saved.case_no, dt.date(2026, 9, 25))
    detail = load_case_detail(saved.case_no, today=TODAY)
    assert detail.status == v.ACCEPTED
    assert detail.actions["accept"] is not None
    assert "handling" in {d.kind for d in detail.deadlines}


def test_replied_case_shows_the_review_window_and_reasons(store):
    saved = register_case(intake(), today=TODAY)  # 受理
    record_event(saved.case_no, EventData(type="replied", on=dt.date(2026, 9, 30), outcome="解释说明"))
    detail = load_case_detail(saved.case_no, today=TODAY)
    assert detail.actions["closed"] is None
    assert detail.actions["review_requested"] is None
    assert detail.actions["replied"] == "事项当前状态为“已答复”，不能再次答复"
    window = [d for d in detail.deadlines if d.kind == "review_window"]
    assert window and not window[0].overdue


def test_suggestions_offer_adoption_outcomes(store):
    saved = register_case(intake(category="建议意见", disposition="建议记录", facts=""), today=TODAY)
    assert load_case_detail(saved.case_no, today=TODAY).reply_outcomes == v.ADOPTION_OUTCOMES


def test_full_extension_is_refused_with_reason(store):
    no = forwarded_case()
    record_event(no, EventData(type="extended", on=dt.date(2026, 10, 1), days=30,
                               reason="需现场核查", approver="李局长"))
    detail = load_case_detail(no, today=TODAY)
    assert detail.extension_days_left == 0
    assert detail.actions["extended"] == "延长期限累计已达30日，不能再延期（第三十四条）"


def test_ids_and_phones_masked_unless_asked(store):
    no = forwarded_case()
    detail = load_case_detail(no, today=TODAY)
    p = detail.petitioners[0]
    assert p.id_number == "110105********002X"
    assert p.phone == "138****1234"
    assert ID_WANG not in repr(detail) and "13800001234" not in repr(detail)
    full = load_case_detail(no, today=TODAY, show_full_ids=True).petitioners[0]
    assert full.id_number == ID_WANG and full.phone == "13800001234"
    assert (p.sex, p.birth_date) == ("女", dt.date(1949, 12, 31))


def test_fields_have_labels(store):
    detail = load_case_detail(forwarded_case(), today=TODAY)
    fields = dict(detail.fields)
    assert fields["信访类别"] == "申诉求决"
    assert fields["涉及领域"] == "劳动社保/劳动报酬"
    assert fields["承办单位"] == UNIT
    assert fields["状态"] == "已转送/交办"
    assert fields["保密"] == "否"


def test_unknown_case(store):
    with pytest.raises(NotFoundError):
        load_case_detail("XF2026-999999", today=TODAY)
