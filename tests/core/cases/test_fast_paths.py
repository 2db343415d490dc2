"""The speed-ups of issue 7 give exactly what the straightforward code gave."""

import datetime as dt

import pytest

from xinfang_desk.core.cases import followup
from xinfang_desk.core.cases import records as cases
from xinfang_desk.core.deadlines import engine as deadlines
from xinfang_desk.core.demo.generate import generate_demo
from xinfang_desk.core.report.figures import month_range, monthly_figures
from xinfang_desk.core.report.pdf import write_pdf
from xinfang_desk.core.store import storage
from xinfang_desk.core.store.models import Case

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    storage.open_data_dir(tmp_path_factory.mktemp("fast"), today=TODAY)
    generate_demo(400, seed=3, today=TODAY)
    yield
    storage.close()


def _reference_deadlines(today):
    """list_deadlines the slow way: each open case's full timeline through state_of."""
    rules = deadlines.current_rules()
    out = []
    open_or_refused = (Case.status != "closed") | (Case.disposition == "不予受理")
    for case in Case.select().where(open_or_refused):
        events = [cases.to_event_data(e) for e in cases.events_of(case)]
        start = deadlines.initial_state(category=case.category, disposition=case.disposition,
                                        channel=case.channel, received_on=case.received_on,
                                        accepted_on=case.accepted_on)
        state, _ = deadlines.replay_lenient(start, events, rules.window_end)
        for due in deadlines.deadlines_for(case.case_no, state, rules, today,
                                           case.promised_reply_on):
            if due.kind in deadlines.WINDOW_KINDS:
                continue
            out.append(due)
    out.sort(key=lambda d: (d.due, d.case_no, d.kind))
    return out


def test_list_deadlines_as_before(demo):
    got = deadlines.list_deadlines(today=TODAY)
    assert got and got == _reference_deadlines(TODAY)


def test_followup_board_states_as_before(demo):
    board = followup.followup_board(today=TODAY)
    assert board.items
    window_end = deadlines.statutory_end()
    for item in board.items:
        case = cases.get_case(item.case_no)
        state = cases.state_of(case, window_end=window_end)  # one query per case
        allowed = followup.allowed_actions(state, TODAY, window_end)
        assert item.status == followup.v.STATUS_LABELS[state.status]
        assert item.chase_refusal == allowed["chased"]
        assert item.feedback_refusal == allowed["feedback"]
        if state.forward_unit:
            assert item.unit == state.forward_unit


def test_report_pdf_with_a_long_overdue_list(demo):
    start, end = month_range("2026-10")
    report = monthly_figures(start, end, today=TODAY)
    assert len(report.overdue_items) > 5
    pdf = write_pdf(report)
    assert pdf.startswith(b"%PDF")
    # The settings are read once per document, not once per paragraph.
    from xinfang_desk.core.store.db import database

    queries = []
    original = database.obj.execute_sql

    def counting(sql, *args, **kw):
        queries.append(sql)
        return original(sql, *args, **kw)

    database.obj.execute_sql = counting
    try:
        write_pdf(report)
    finally:
        database.obj.execute_sql = original
    assert len(queries) <= 5  # font, office name …: a handful, whatever the length
