"""The follow-up board: which deadlines are chased now, in which section, with which actions."""

import datetime as dt

import pytest

from tests.core.helpers import intake
from xinfang_desk.core.cases import followup
from xinfang_desk.core.cases.records import PetitionerInput, record_event, register_case
from xinfang_desk.core.errors import FieldError
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store import settings

TODAY = dt.date(2026, 10, 20)  # a Tuesday
UNIT = "住房和城乡建设局"


def forwarded(feedback_due: dt.date, **overrides) -> str:
    """A matter forwarded on 2026-09-02 whose unit must report back by `feedback_due`."""
    values = dict(received_on=dt.date(2026, 9, 1), disposition="转送", unit=UNIT,
                  field="城乡建设/物业管理", summary="小区电梯长期停运")
    values.update(overrides)
    saved = register_case(intake(**values), today=TODAY)
    record_event(saved.case_no, EventData("forwarded", dt.date(2026, 9, 2), unit=UNIT,
                                          deadline=feedback_due))
    return saved.case_no


@pytest.fixture
def board_cases(store):
    return {
        "overdue": forwarded(dt.date(2026, 10, 10)),
        "soon": forwarded(dt.date(2026, 10, 22)),  # 2 days left
        "week": forwarded(dt.date(2026, 10, 26)),  # 6 days left
        "later": forwarded(dt.date(2026, 11, 30)),
    }


def test_sections_by_days_left(board_cases):
    board = followup.followup_board(today=TODAY)
    by_case = {i.case_no: i for i in board.items}
    assert by_case[board_cases["overdue"]].section == followup.OVERDUE
    assert by_case[board_cases["soon"]].section == followup.SOON
    assert by_case[board_cases["week"]].section == followup.WEEK
    assert board_cases["later"] not in by_case
    assert board.counts() == {"overdue": 1, "soon": 1, "week": 1}
    assert [board.label(k) for k in followup.SECTION_KEYS] == ["已超期", "3日内到期", "一周内到期"]
    item = by_case[board_cases["overdue"]]
    assert (item.kind, item.label, item.days_left) == ("feedback", "承办单位反馈", -10)
    assert item.unit == UNIT and item.summary == "小区电梯长期停运"
    assert item.category == "申诉求决" and item.status == "已转送/交办"
    assert item.petitioners == "王秀英"
    assert item.can_chase and item.can_feedback


def test_soon_days_follows_the_setting(board_cases):
    settings.put("due_soon_days", 7)
    board = followup.followup_board(today=TODAY)
    assert board.counts() == {"overdue": 1, "soon": 2, "week": 0}
    assert board.label(followup.SOON) == "7日内到期"


def test_kind_filter_and_actions_of_a_case_handled_here(store):
    # Accepted here on 2026-08-20: 60 days end 2026-10-19, overdue on TODAY; no unit to
    # report back, so feedback is refused while chasing our own handler is allowed.
    saved = register_case(intake(received_on=dt.date(2026, 8, 20)), today=TODAY)
    record_event(saved.case_no, EventData("notified", dt.date(2026, 8, 21)))
    fwd = forwarded(dt.date(2026, 10, 10))
    board = followup.followup_board(today=TODAY)
    handling = [i for i in board.items if i.case_no == saved.case_no]
    assert [i.kind for i in handling] == ["handling"]
    assert handling[0].can_chase and not handling[0].can_feedback
    assert "尚未转送" in handling[0].feedback_refusal
    assert [i.case_no for i in board.section(followup.OVERDUE, "办理")] == [saved.case_no]
    assert [i.case_no for i in board.section(followup.OVERDUE, "承办单位反馈")] == [fwd]
    assert board.section(followup.OVERDUE, "复查复核") == []
    assert board.counts("告知/转送") == {"overdue": 0, "soon": 0, "week": 0}


def test_forward_deadline_is_in_the_notice_group(store):
    saved = register_case(intake(received_on=dt.date(2026, 10, 5), disposition="转送",
                                 unit=UNIT), today=TODAY)
    board = followup.followup_board(today=TODAY)
    [item] = board.items
    assert (item.case_no, item.kind) == (saved.case_no, "forward")
    assert item.days_left == 0 and item.section == followup.SOON  # due 2026-10-20: 15 days
    assert followup.filter_items(board.items, "告知/转送") == [item]
    assert not item.can_feedback  # not forwarded yet


def test_confidential_names_are_withheld(store):
    forwarded(dt.date(2026, 10, 10), category="检举控告", summary="举报村干部优亲厚友",
              petitioners=[PetitionerInput(name="周喆")])
    [item] = followup.followup_board(today=TODAY).items
    assert item.petitioners == "（保密）"
    assert "周喆" not in repr(item)


def test_feedback_takes_the_case_off_the_board_and_chasing_keeps_it(board_cases):
    case_no = board_cases["overdue"]
    followup.record_chase(case_no, TODAY, "电话催办，承办人李科长")
    assert case_no in [i.case_no for i in followup.followup_board(today=TODAY).items]
    with pytest.raises(FieldError, match="反馈内容"):
        followup.record_feedback(case_no, TODAY, "  ")
    followup.record_feedback(case_no, TODAY, "已修复电梯并答复")
    assert case_no not in [i.case_no for i in followup.followup_board(today=TODAY).items]


def test_reminder_text(board_cases):
    board = followup.followup_board(today=TODAY)
    assert followup.reminder_text(board) == "有1项已超期、1项3日内到期，请在“跟踪督办”中处理"
    quiet = followup.followup_board(today=dt.date(2026, 9, 3))
    assert followup.reminder_text(quiet) is None


def test_empty_board(store):
    board = followup.followup_board(today=TODAY)
    assert board.items == () and followup.reminder_text(board) is None
