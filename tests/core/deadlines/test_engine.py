"""Deadlines on a real database with the seeded 2026 calendar (国务院办公厅 arrangement).

Every expected date below was counted by hand on the 2026 calendar:
National Day 10-01..10-07 off, 09-20 (Sun) and 10-10 (Sat) worked; Spring Festival
02-15..02-23 off, 02-14 and 02-28 (Sat) worked; Qingming 04-04..04-06 off.
"""

import datetime as dt
import json

from tests.core.helpers import intake
from xinfang_desk.cli import main as cli
from xinfang_desk.core.cases.records import record_event, register_case
from xinfang_desk.core.deadlines.engine import default_promised_reply, list_deadlines
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store import settings

TODAY = dt.date(2026, 11, 28)


def dues(case_no, today, **kw):
    return {d.kind: d for d in list_deadlines(today=today, **kw) if d.case_no == case_no}


def test_60_day_handling_limit(store):
    saved = register_case(intake(received_on=dt.date(2026, 9, 21)), today=TODAY)
    d = dues(saved.case_no, dt.date(2026, 9, 22))
    assert d["handling"].due == dt.date(2026, 11, 20)  # a Friday, a working day
    assert d["handling"].days_left == 59 and not d["handling"].overdue
    assert d["notice"].due == dt.date(2026, 10, 8)  # 10-06 falls in the National Day block


def test_15_days_landing_in_the_spring_festival_moves_past_the_block(store):
    saved = register_case(intake(received_on=dt.date(2026, 1, 31)), today=TODAY)
    # 01-31 + 15 = 02-15, first day of the block; 02-23 is a substituted day off.
    assert dues(saved.case_no, dt.date(2026, 2, 1))["notice"].due == dt.date(2026, 2, 24)


def test_15_days_across_a_month_end_into_qingming(store):
    saved = register_case(intake(received_on=dt.date(2026, 3, 20)), today=TODAY)
    assert dues(saved.case_no, dt.date(2026, 3, 21))["notice"].due == dt.date(2026, 4, 7)


def test_objection_period_counts_working_days_including_a_tiaoxiu_saturday(store):
    saved = register_case(intake(received_on=dt.date(2026, 9, 28), channel="上级转送",
                                 channel_ref="市信访局转〔2026〕88号", disposition="转送",
                                 unit="民政局"), today=TODAY)
    # 09-29, 09-30, (holiday block), 10-08, 10-09, 10-10 (Saturday worked) = 5 working days.
    d = dues(saved.case_no, dt.date(2026, 9, 29))
    assert d["objection"].due == dt.date(2026, 10, 10)
    assert d["forward"].due == dt.date(2026, 10, 13)  # 10-13 is the 15th day, a Tuesday


def test_overdue_and_days_left(store):
    saved = register_case(intake(received_on=dt.date(2026, 9, 20)), today=TODAY)
    d = dues(saved.case_no, dt.date(2026, 10, 9))
    assert d["notice"].due == dt.date(2026, 10, 8)
    assert d["notice"].overdue and d["notice"].days_left == -1
    record_event(saved.case_no, EventData("notified", dt.date(2026, 10, 9)))
    assert "notice" not in dues(saved.case_no, dt.date(2026, 10, 9))


def test_extension_adds_to_the_60_days(store):
    saved = register_case(intake(received_on=dt.date(2026, 9, 21)), today=TODAY)
    record_event(saved.case_no, EventData("extended", dt.date(2026, 11, 10), days=20,
                                          reason="需要现场核查", approver="李局长"))
    assert dues(saved.case_no, dt.date(2026, 11, 10))["handling"].due == dt.date(2026, 12, 10)


def test_working_day_rule_is_a_setting(store):
    settings.put("deadline_rule", "working")
    saved = register_case(intake(received_on=dt.date(2026, 9, 28)), today=TODAY)
    # 15 working days: 09-29, 09-30, 10-08, 10-09, 10-10, 10-12..16, 10-19..23.
    assert dues(saved.case_no, dt.date(2026, 9, 29))["notice"].due == dt.date(2026, 10, 23)


def test_forwarded_matter_feedback_and_promised_date(store):
    saved = register_case(intake(received_on=dt.date(2026, 9, 1), disposition="交办", unit="民政局",
                                 promised_reply_on=dt.date(2026, 10, 30)), today=TODAY)
    record_event(saved.case_no, EventData("assigned", dt.date(2026, 9, 2), ref="交〔2026〕5号",
                                          deadline=dt.date(2026, 10, 15)))
    d = dues(saved.case_no, dt.date(2026, 10, 20))
    assert d["feedback"].due == dt.date(2026, 10, 15) and d["feedback"].overdue
    assert d["promised"].due == dt.date(2026, 10, 30) and d["promised"].days_left == 10
    assert "notice" not in d  # forwarding within 15 days satisfied it
    record_event(saved.case_no, EventData("feedback", dt.date(2026, 10, 21)))
    assert "feedback" not in dues(saved.case_no, dt.date(2026, 10, 22))


def test_review_answer_due_in_30_days(store):
    saved = register_case(intake(received_on=dt.date(2026, 8, 3)), today=TODAY)
    record_event(saved.case_no, EventData("replied", dt.date(2026, 9, 1), outcome="不予支持"))
    windows = dues(saved.case_no, dt.date(2026, 9, 2), include_windows=True)
    assert windows["review_window"].due == dt.date(2026, 10, 8)  # 10-01 falls in the block
    record_event(saved.case_no, EventData("review_requested", dt.date(2026, 9, 10)))
    d = dues(saved.case_no, dt.date(2026, 9, 11))
    assert d["review"].due == dt.date(2026, 10, 10)  # a Saturday worked by 调休


def test_within_filters_but_keeps_overdue(store):
    a = register_case(intake(received_on=dt.date(2026, 9, 1)), today=TODAY).case_no
    b = register_case(intake(received_on=dt.date(2026, 11, 20)), today=TODAY).case_no
    found = {d.case_no for d in list_deadlines(today=dt.date(2026, 11, 28), within=3)}
    assert a in found and b not in found


def test_years_without_calendar_data_warn(store):
    saved = register_case(intake(received_on=dt.date(2026, 12, 20)), today=dt.date(2026, 12, 21))
    d = dues(saved.case_no, dt.date(2026, 12, 21))
    assert any("2027" in w for w in d["handling"].warnings)


def test_promised_reply_default_follows_the_disposition(store):
    assert default_promised_reply(dt.date(2026, 9, 21), "受理") == dt.date(2026, 11, 20)
    assert default_promised_reply(dt.date(2026, 9, 21), "当场答复") is None


def test_cli_deadlines_json(store, capsys):
    saved = register_case(intake(received_on=dt.date(2026, 9, 20)), today=TODAY)
    assert cli.main(["--data-dir", str(store.root), "deadlines", "--on", "2026-10-09", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    notice = [i for i in items if i["case_no"] == saved.case_no and i["kind"] == "notice"][0]
    assert notice == {**notice, "due": "2026-10-08", "days_left": -1, "overdue": True}
