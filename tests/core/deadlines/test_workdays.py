"""Deadline arithmetic on a hand-built 2026 calendar (国务院办公厅 arrangement for 2026).

Weekdays were worked out by hand from 2026-01-01 being a Thursday: 2026-02-01 and 2026-03-01
are Sundays, 2026-10-01 is a Thursday, 2028-01-01 a Saturday, 2028-02-29 a Tuesday.

2026 arrangement:
  元旦     01-01..01-03 off, 01-04 (Sun) worked
  春节     02-15..02-23 off, 02-14 (Sat) and 02-28 (Sat) worked
  清明节   04-04..04-06 off
  劳动节   05-01..05-05 off, 05-09 (Sat) worked
  国庆节   10-01..10-07 off, 09-20 (Sun) and 10-10 (Sat) worked
"""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang_desk.core.deadlines.workdays import Deadline, WorkCalendar
from xinfang_desk.core.store.holiday_seed import china_calendar_seed

D = dt.date


def span(first: dt.date, last: dt.date) -> set[dt.date]:
    return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}


HOLIDAYS_2026 = (
    span(D(2026, 1, 1), D(2026, 1, 3))
    | span(D(2026, 2, 15), D(2026, 2, 23))
    | span(D(2026, 4, 4), D(2026, 4, 6))
    | span(D(2026, 5, 1), D(2026, 5, 5))
    | span(D(2026, 10, 1), D(2026, 10, 7))
)
WORKDAYS_2026 = {
    D(2026, 1, 4),
    D(2026, 2, 14),
    D(2026, 2, 28),
    D(2026, 5, 9),
    D(2026, 9, 20),
    D(2026, 10, 10),
}

NO_DATA_2028 = "2028年的节假日和调休安排尚未录入，期限按普通周末推算，请核对"
PROVISIONAL_2027 = "2027年的节假日安排为推算数据，尚未按国务院办公厅通知核对"


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar(
        holidays=set(HOLIDAYS_2026),
        workdays=set(WORKDAYS_2026),
        covered_years={2026: "official", 2027: "provisional"},
    )


# --------------------------------------------------------------------------- single days


def test_is_working_day(cal):
    assert cal.is_working_day(D(2026, 3, 2))  # Monday
    assert not cal.is_working_day(D(2026, 3, 7))  # Saturday
    assert not cal.is_working_day(D(2026, 3, 8))  # Sunday
    assert not cal.is_working_day(D(2026, 2, 16))  # Spring Festival, a Monday
    assert cal.is_working_day(D(2026, 2, 14))  # 调休 Saturday
    assert cal.is_working_day(D(2026, 9, 20))  # 调休 Sunday


def test_workday_wins_over_holiday():
    day = D(2026, 2, 14)
    cal = WorkCalendar(holidays={day}, workdays={day}, covered_years={2026: "official"})
    assert cal.is_working_day(day)


def test_next_working_day(cal):
    assert cal.next_working_day(D(2026, 3, 2)) == D(2026, 3, 2)
    assert cal.next_working_day(D(2026, 3, 7)) == D(2026, 3, 9)
    assert cal.next_working_day(D(2026, 2, 15)) == D(2026, 2, 24)
    assert cal.next_working_day(D(2026, 10, 1)) == D(2026, 10, 8)


# --------------------------------------------------------------------------- calendar days


def test_calendar_days_across_month_end(cal):
    # 2026-01-20 (Tue) + 15 days = 2026-02-04, a Wednesday.
    assert cal.add_calendar_days(D(2026, 1, 20), 15) == Deadline(D(2026, 2, 4), ())


def test_calendar_days_ending_on_a_weekend_move_to_monday(cal):
    # 2026-03-16 + 12 = 2026-03-28, a Saturday -> Monday 03-30.
    assert cal.add_calendar_days(D(2026, 3, 16), 12).due == D(2026, 3, 30)


def test_calendar_days_across_month_end_into_qingming(cal):
    # 2026-03-25 + 10 = 2026-04-04 (Sat, Qingming 04-04..04-06) -> Tuesday 04-07.
    assert cal.add_calendar_days(D(2026, 3, 25), 10).due == D(2026, 4, 7)


def test_calendar_days_landing_in_spring_festival(cal):
    # 2026-02-01 + 15 = 2026-02-16 (Spring Festival) -> first working day after: 02-24 (Tue).
    assert cal.add_calendar_days(D(2026, 2, 1), 15) == Deadline(D(2026, 2, 24), ())


def test_calendar_days_landing_in_national_day(cal):
    # 2026-09-21 + 15 = 2026-10-06 (National Day block) -> 10-08 (Thu).
    assert cal.add_calendar_days(D(2026, 9, 21), 15).due == D(2026, 10, 8)
    # 60 days from 2026-09-21 = 2026-11-20, a Friday: stays.
    assert cal.add_calendar_days(D(2026, 9, 21), 60).due == D(2026, 11, 20)


def test_calendar_days_landing_on_a_swapped_working_saturday_stay(cal):
    # 2026-02-13 + 15 = 2026-02-28, a Saturday worked by 调休: the deadline stays there.
    assert cal.add_calendar_days(D(2026, 2, 13), 15).due == D(2026, 2, 28)
    # 2026-02-04 + 10 = 2026-02-14, also a worked Saturday.
    assert cal.add_calendar_days(D(2026, 2, 4), 10).due == D(2026, 2, 14)


def test_zero_calendar_days(cal):
    assert cal.add_calendar_days(D(2026, 3, 2), 0).due == D(2026, 3, 2)
    assert cal.add_calendar_days(D(2026, 3, 7), 0).due == D(2026, 3, 9)


def test_negative_period_is_a_programming_error(cal):
    with pytest.raises(ValueError):
        cal.add_calendar_days(D(2026, 3, 2), -1)
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 3, 2), -1)


# --------------------------------------------------------------------------- working days


def test_working_days_across_spring_festival_and_swapped_saturday(cal):
    # After 2026-02-12 (Thu): 02-13 Fri (1), 02-14 Sat worked (2), 02-15..02-23 off,
    # 02-24 (3), 02-25 (4), 02-26 (5).
    assert cal.add_working_days(D(2026, 2, 12), 5) == Deadline(D(2026, 2, 26), ())


def test_working_days_across_national_day(cal):
    # After 2026-09-29 (Tue): 09-30 (1), 10-01..10-07 off, 10-08 (2), 10-09 (3),
    # 10-10 Sat worked (4), 10-11 Sun off, 10-12 Mon (5).
    assert cal.add_working_days(D(2026, 9, 29), 5).due == D(2026, 10, 12)


def test_working_days_start_on_a_holiday(cal):
    # Start day is never counted: from 2026-10-03 the first working day is 10-08.
    assert cal.add_working_days(D(2026, 10, 3), 1).due == D(2026, 10, 8)
    assert cal.add_working_days(D(2026, 10, 3), 0).due == D(2026, 10, 8)


def test_working_days_over_a_plain_weekend(cal):
    # After Friday 2026-03-06: 03-09..03-13 are working days 1..5.
    assert cal.add_working_days(D(2026, 3, 6), 5).due == D(2026, 3, 13)


def test_add_days_dispatches_on_rule(cal):
    assert cal.add_days(D(2026, 2, 1), 15, "calendar").due == D(2026, 2, 24)
    assert cal.add_days(D(2026, 2, 12), 5, "working").due == D(2026, 2, 26)
    with pytest.raises(ValueError):
        cal.add_days(D(2026, 2, 1), 15, "lunar")


def test_working_days_between(cal):
    assert cal.working_days_between(D(2026, 9, 29), D(2026, 10, 12)) == 5
    assert cal.working_days_between(D(2026, 10, 12), D(2026, 9, 29)) == -5
    assert cal.working_days_between(D(2026, 10, 12), D(2026, 10, 12)) == 0
    assert cal.working_days_between(D(2026, 2, 12), D(2026, 2, 26)) == 5
    # 10-03 is a holiday on a Saturday: it must not be subtracted twice.
    assert cal.working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    # Whole of March 2026: 31 days, 22 weekdays, no holidays.
    assert cal.working_days_between(D(2026, 2, 28), D(2026, 3, 31)) == 22


@given(
    start=st.dates(min_value=D(2025, 12, 1), max_value=D(2026, 12, 31)),
    n=st.integers(min_value=0, max_value=80),
)
def test_working_days_between_agrees_with_add_working_days(start, n):
    cal = WorkCalendar(holidays=HOLIDAYS_2026, workdays=WORKDAYS_2026)
    due = cal.add_working_days(start, n).due
    if cal.is_working_day(start) or n > 0:
        assert cal.working_days_between(start, due) == n
    # Brute force: count day by day.
    count = sum(
        1
        for i in range(1, (due - start).days + 1)
        if cal.is_working_day(start + dt.timedelta(days=i))
    )
    assert cal.working_days_between(start, due) == count


# --------------------------------------------------------------------------- warnings


def test_no_warning_inside_an_official_year(cal):
    assert cal.add_calendar_days(D(2026, 3, 2), 60).warnings == ()


def test_warning_for_provisional_year(cal):
    # 2026-12-20 + 30 = 2027-01-19, a Tuesday (2027-01-01 is a Friday).
    result = cal.add_calendar_days(D(2026, 12, 20), 30)
    assert result.due == D(2027, 1, 19)
    assert result.warnings == (PROVISIONAL_2027,)


def test_warnings_for_provisional_and_uncovered_years(cal):
    # 2027-12-20 + 30 = 2028-01-19, a Wednesday.
    result = cal.add_calendar_days(D(2027, 12, 20), 30)
    assert result.due == D(2028, 1, 19)
    assert result.warnings == (PROVISIONAL_2027, NO_DATA_2028)


def test_warnings_are_not_repeated(cal):
    result = cal.add_working_days(D(2028, 1, 3), 200)
    assert result.warnings == (NO_DATA_2028,)


def test_warning_when_the_computation_runs_into_a_year_without_data():
    cal = WorkCalendar(holidays=set(), workdays=set(), covered_years={2026: "official"})
    result = cal.add_working_days(D(2026, 12, 30), 3)
    # 12-31 (Thu) 1, 2027-01-01 (Fri) 2 -- no data, counted as a weekday --, 01-04 (Mon) 3.
    assert result.due == D(2027, 1, 4)
    assert result.warnings == ("2027年的节假日和调休安排尚未录入，期限按普通周末推算，请核对",)


# --------------------------------------------------------------------------- leap year


def test_leap_day_2028(cal):
    # 2028-02-19 + 10 = 2028-02-29, a Tuesday.
    result = cal.add_calendar_days(D(2028, 2, 19), 10)
    assert result.due == D(2028, 2, 29)
    assert result.warnings == (NO_DATA_2028,)
    # 2028-01-30 + 30 = 2028-02-29 (January has 31 days, so not 03-01).
    assert cal.add_calendar_days(D(2028, 1, 30), 30).due == D(2028, 2, 29)
    # After Monday 2028-02-28 the first working day is the leap day.
    assert cal.add_working_days(D(2028, 2, 28), 1).due == D(2028, 2, 29)
    # 2028-02-26 is a Saturday: + 2 = 02-28 (Mon), + 3 = 02-29.
    assert cal.add_calendar_days(D(2028, 2, 26), 3).due == D(2028, 2, 29)


def test_non_leap_year_has_no_february_29(cal):
    # 2026-02-27 (Fri) + 2 = 2026-03-01 (Sun) -> 03-02 (Mon).
    assert cal.add_calendar_days(D(2026, 2, 27), 2).due == D(2026, 3, 2)


# --------------------------------------------------------------------------- seeding


def test_china_calendar_seed_2026_matches_the_official_arrangement():
    pytest.importorskip("holidays")
    rows, statuses = china_calendar_seed([2026, 2027])
    assert statuses == {2026: "official", 2027: "provisional"}
    assert all(kind in ("holiday", "workday") for _, kind, _ in rows)

    workdays_2026 = {d for d, kind, _ in rows if kind == "workday" and d.year == 2026}
    assert workdays_2026 == WORKDAYS_2026  # no stray dates from other years
    assert all(d.year in (2026, 2027) for d, _, _ in rows)

    cal = WorkCalendar(
        holidays={d for d, kind, _ in rows if kind == "holiday"},
        workdays={d for d, kind, _ in rows if kind == "workday"},
        covered_years=statuses,
    )
    for block in (
        span(D(2026, 1, 1), D(2026, 1, 3)),
        span(D(2026, 2, 15), D(2026, 2, 23)),
        span(D(2026, 5, 1), D(2026, 5, 5)),
        span(D(2026, 10, 1), D(2026, 10, 7)),
    ):
        for day in block:
            assert not cal.is_working_day(day), day
    for day in WORKDAYS_2026:
        assert cal.is_working_day(day), day
    # The days around the blocks are ordinary working days.
    for day in (D(2025, 12, 31), D(2026, 1, 5), D(2026, 2, 24), D(2026, 5, 6), D(2026, 10, 8)):
        assert cal.is_working_day(day), day
    # The same deadlines as on the hand-built calendar.
    assert cal.add_calendar_days(D(2026, 2, 1), 15).due == D(2026, 2, 24)
    assert cal.add_working_days(D(2026, 9, 29), 5).due == D(2026, 10, 12)

    names = {(d, kind): name for d, kind, name in rows}
    assert names[(D(2026, 1, 1), "holiday")] == "元旦"
    assert names[(D(2026, 2, 17), "holiday")] == "春节"
    assert names[(D(2026, 2, 20), "holiday")] == "调休"
    assert names[(D(2026, 10, 1), "holiday")] == "国庆节"
    assert names[(D(2026, 2, 14), "workday")] == "调休上班"


def test_china_calendar_seed_empty():
    pytest.importorskip("holidays")
    assert china_calendar_seed([]) == ([], {})
