"""The state machine: what each state allows, and the Chinese reason for every refusal."""

import datetime as dt

import pytest

from xinfang_desk.core.errors import WorkflowError
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import (
    EventData,
    allowed_actions,
    apply,
    initial_state,
    replay,
)

D = dt.date(2026, 3, 2)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def state(disposition="受理", category="申诉求决", channel="来访", events=()):
    s = initial_state(category=category, disposition=disposition, channel=channel, received_on=D)
    return replay(s, events)


def ev(type_, n=1, **kw):
    return EventData(type=type_, on=day(n), **kw)


def refused(s, event, *words):
    with pytest.raises(WorkflowError) as info:
        apply(s, event)
    for w in words:
        assert w in str(info.value), str(info.value)
    return str(info.value)


@pytest.mark.parametrize("disposition,status", [
    ("当场答复", v.CLOSED), ("受理", v.ACCEPTED), ("建议记录", v.ACCEPTED),
    ("转送", v.REGISTERED), ("交办", v.REGISTERED), ("不予受理", v.CLOSED), ("引导", v.CLOSED),
])
def test_initial_status_follows_the_disposition(disposition, status):
    assert state(disposition).status == status


def test_accepted_case_starts_its_60_days_on_the_acceptance_date():
    s = initial_state(category="申诉求决", disposition="受理", channel="来信", received_on=D,
                      accepted_on=day(3))
    assert s.accepted_on == day(3) and s.handling_from == day(3)


def test_no_reply_before_acceptance():
    s = state("转送")
    refused(s, ev("replied", outcome="支持"), "尚未受理", "不能答复")


def test_full_path_forward_feedback_reply_review_rereview_closes():
    s = state("转送", events=[
        ev("forwarded", 1, unit="住房和城乡建设局", ref="转2026-1"),
        ev("chased", 20),
        ev("feedback", 30),
        ev("replied", 31, outcome="不予支持"),
        ev("satisfaction", 32, rating="不满意", reason="补偿标准太低"),
        ev("review_requested", 40),
        ev("review_answered", 60, outcome="不予支持"),
        ev("rereview_requested", 70),
        ev("rereview_answered", 90),
    ])
    assert s.status == v.CLOSED
    assert s.forward_unit == "住房和城乡建设局"
    assert s.rereview_answered_on == day(90)


def test_forward_needs_a_unit_and_an_open_case():
    refused(state("转送"), ev("forwarded", unit=" "), "须填写承办单位")
    refused(state("当场答复"), ev("forwarded", unit="民政局"), "已办结", "不能再转送")


def test_chase_only_while_someone_is_handling_it():
    refused(state("转送"), ev("chased"), "只有办理中或已转送/交办的事项才能催办")
    refused(state("当场答复"), ev("chased"), "催办")


def test_feedback_only_after_forwarding():
    refused(state("受理"), ev("feedback"), "尚未转送或交办")


def test_extension_limits():
    s = state("受理", events=[ev("extended", 50, days=20, reason="需现场核查", approver="王主任")])
    assert s.extension_days == 20
    msg = refused(s, ev("extended", 55, days=11, reason="再延", approver="王主任"),
                  "累计不得超过30日", "已延期20日")
    assert "第三十四条" in msg
    assert apply(s, ev("extended", 55, days=10, reason="再延")).extension_days == 30
    refused(state("受理"), ev("extended", days=0, reason="x"), "1至30日")
    refused(state("受理"), ev("extended", days=31, reason="x"), "累计不得超过30日")
    refused(state("受理"), ev("extended", days=5, reason=" "), "须说明理由")
    refused(state("转送"), ev("extended", days=5, reason="x"), "不能延期")


def test_no_second_extension_once_30_days_are_used():
    s = state("受理", events=[ev("extended", 50, days=30, reason="复杂")])
    assert "已达30日" in allowed_actions(s, day(51))["extended"]


def test_reply_outcomes_depend_on_the_class():
    refused(state("建议记录", category="建议意见"), ev("replied", outcome="支持"), "采纳、部分采纳、不采纳")
    refused(state("受理"), ev("replied", outcome="采纳"), "支持、解释说明、不予支持")
    s = apply(state("建议记录", category="建议意见"), ev("replied", outcome="部分采纳"))
    assert s.status == v.REPLIED and s.reply_outcome == "部分采纳"


def test_no_second_reply():
    s = state("受理", events=[ev("replied", 10, outcome="支持")])
    refused(s, ev("replied", 11, outcome="支持"), "不能再次答复")


def test_satisfaction_needs_an_answer_and_a_reason_when_unhappy():
    refused(state("受理"), ev("satisfaction", rating="满意"), "尚未答复")
    answered = state("当场答复")
    assert apply(answered, ev("satisfaction", rating="满意")).rating == "满意"
    refused(answered, ev("satisfaction", rating="不满意"), "须记录原因")
    refused(answered, ev("satisfaction", rating="很好"), "满意度应为")


def test_review_window_is_30_days_from_the_reply():
    s = state("受理", events=[ev("replied", 10, outcome="不予支持")])
    assert apply(s, ev("review_requested", 40)).status == v.IN_REVIEW
    refused(s, ev("review_requested", 41), "30日内申请", f"截止{day(40):%Y-%m-%d}")


def test_review_window_can_follow_the_office_calendar():
    s = state("受理", events=[ev("replied", 10, outcome="不予支持")])
    later = day(45)
    # A calendar that pushes the end of the window five days on (e.g. a holiday block).
    assert apply(s, ev("review_requested", 45), window_end=lambda start, n: later).status == v.IN_REVIEW


def test_review_not_for_suggestions_or_inquiries():
    s = state("建议记录", category="建议意见", events=[ev("replied", 5, outcome="采纳")])
    refused(s, ev("review_requested", 6), "建议意见类事项不适用复查")


def test_review_and_rereview_need_their_predecessor():
    refused(state("受理"), ev("review_requested"), "已书面答复")
    refused(state("受理"), ev("review_answered"), "没有正在进行的复查")
    refused(state("受理"), ev("rereview_requested"), "复查已答复")
    refused(state("受理"), ev("rereview_answered"), "没有正在进行的复核")
    s = state("受理", events=[ev("replied", 5, outcome="不予支持"), ev("review_requested", 6)])
    refused(s, ev("review_requested", 7), "尚未复查")
    refused(s, ev("closed", 8), "复查中", "不能办结")
    s = apply(s, ev("review_answered", 30))
    refused(s, ev("rereview_requested", 61), "30日内申请")


def test_close_needs_an_answer():
    refused(state("受理"), ev("closed"), "尚未答复，不能办结")
    refused(state("转送"), ev("closed"), "尚未答复")
    refused(state("当场答复"), ev("closed"), "事项已办结")
    s = state("受理", events=[ev("replied", 5, outcome="支持")])
    assert apply(s, ev("closed", 6)).status == v.CLOSED


def test_reopen_only_closed_cases_with_a_reason_and_restarts_handling():
    refused(state("受理"), ev("reopened", reason="x"), "只有已办结的事项")
    refused(state("当场答复"), ev("reopened", reason=""), "须说明理由")
    s = apply(state("当场答复"), ev("reopened", 20, reason="信访人补充新材料"))
    assert s.status == v.ACCEPTED and s.handling_from == day(20)
    assert apply(s, ev("replied", 25, outcome="支持")).status == v.REPLIED


def test_events_cannot_predate_the_receipt():
    refused(state("受理"), EventData(type="chased", on=day(-1)), "早于收到日期")


def test_unknown_event_type():
    refused(state("受理"), ev("teleported"), "未知的事件类型")


def test_repeat_visits_and_notices_are_always_allowed():
    for disposition in ("当场答复", "受理", "转送", "不予受理"):
        s = state(disposition)
        assert apply(s, ev("visit")).status == s.status
        assert apply(s, ev("notified")).notified_on == day(1)


def test_allowed_actions_give_reasons_for_what_is_disabled():
    actions = allowed_actions(state("转送"), day(1))
    assert actions["forwarded"] is None and actions["visit"] is None
    assert "尚未受理" in actions["replied"]
    assert actions["closed"] and actions["feedback"]
    forwarded = state("转送", events=[ev("forwarded", 1, unit="民政局")])
    acts = allowed_actions(forwarded, day(2))
    assert acts["feedback"] is None and acts["chased"] is None and acts["replied"] is None
