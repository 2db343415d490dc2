"""A reply or a forwarding ends the 15-day notice duty: met late, it counts as late in the
on-time rate, but it is no longer a running, overdue deadline (deadlines, the board, the
report's 期末超期)."""

import datetime as dt

from tests.core.helpers import intake
from xinfang_desk.core.cases.followup import followup_board
from xinfang_desk.core.cases.records import record_event, register_case
from xinfang_desk.core.deadlines.engine import list_deadlines
from xinfang_desk.core.report.figures import monthly_figures
from xinfang_desk.core.rules.workflow import EventData

TODAY = dt.date(2026, 11, 20)
RECEIVED = dt.date(2026, 9, 1)  # the 15-day notice was due on 2026-09-16


def _late_reply(day=dt.date(2026, 9, 25)) -> str:
    saved = register_case(intake(received_on=RECEIVED, promised_reply_on=None), today=TODAY)
    record_event(saved.case_no, EventData(type="replied", on=day, outcome="支持"))
    return saved.case_no


def test_a_late_reply_is_no_running_notice_deadline(store):
    case_no = _late_reply()
    kinds = {(d.case_no, d.kind) for d in list_deadlines(today=TODAY)}
    assert (case_no, "notice") not in kinds
    board = followup_board(today=TODAY)
    assert all(item.case_no != case_no or item.kind != "notice" for item in board.items)


def test_a_late_reply_counts_late_in_the_on_time_rate_and_is_not_overdue_at_the_end(store):
    case_no = _late_reply()
    report = monthly_figures(dt.date(2026, 9, 1), dt.date(2026, 9, 30), today=TODAY)
    assert report.notice_on_time_rate == 0.0  # one owed, met late
    assert case_no not in {d.case_no for d in report.overdue_items}


def test_a_reply_in_time_counts_on_time(store):
    _late_reply(day=dt.date(2026, 9, 10))
    report = monthly_figures(dt.date(2026, 9, 1), dt.date(2026, 9, 30), today=TODAY)
    assert report.notice_on_time_rate == 1.0


def test_without_a_reply_the_notice_is_overdue_as_before(store):
    saved = register_case(intake(received_on=RECEIVED, promised_reply_on=None), today=TODAY)
    kinds = {(d.case_no, d.kind, d.overdue) for d in list_deadlines(today=TODAY)}
    assert (saved.case_no, "notice", True) in kinds
    report = monthly_figures(dt.date(2026, 9, 1), dt.date(2026, 9, 30), today=TODAY)
    assert saved.case_no in {d.case_no for d in report.overdue_items}
