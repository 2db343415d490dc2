"""The editable holiday/调休 table: seeding, loading into a WorkCalendar, editing."""

from __future__ import annotations

import datetime as dt
import logging

from xinfang_desk.core import session
from xinfang_desk.core.deadlines.workdays import WorkCalendar
from xinfang_desk.core.errors import FieldError
from xinfang_desk.core.store import audit
from xinfang_desk.core.store.db import storage_errors, write_transaction
from xinfang_desk.core.store.models import CalendarDay, CalendarYear

log = logging.getLogger(__name__)

def load_calendar() -> WorkCalendar:
    # Plain tuples, not model objects: read at every save (the promised reply date), and
    # about 4 times faster this way.
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for day, kind in CalendarDay.select(CalendarDay.day, CalendarDay.kind).tuples():
        (workdays if kind == "workday" else holidays).add(day)
    years = dict(CalendarYear.select(CalendarYear.year, CalendarYear.status).tuples())
    return WorkCalendar(holidays=holidays, workdays=workdays, covered_years=years)


def set_day(day: dt.date, kind: str | None, name: str = "") -> None:
    """Office edit: mark a day as holiday / workday, or back to the normal rule (kind=None).
    The year then counts as entered by hand and is never overwritten by seeding."""
    if kind not in (None, "holiday", "workday"):
        raise FieldError("日期类型", "应为节假日或调休上班日")
    session.require("settings")
    with write_transaction():
        audit.record("settings_changed", "calendar", {"day": day.isoformat(), "kind": kind or "normal",
                                                      "name": name})
        CalendarDay.delete().where(CalendarDay.day == day).execute()
        if kind:
            CalendarDay.create(day=day, kind=kind, name=name)
        CalendarYear.insert(year=day.year, status="official", source="手工录入").on_conflict(
            conflict_target=[CalendarYear.year],
            update={CalendarYear.status: "official", CalendarYear.source: "手工录入"},
        ).execute()


def days_of_year(year: int) -> list[tuple[dt.date, str, str]]:
    """The holiday/调休 rows of one year, by date: (day, "holiday"|"workday", name)."""
    with storage_errors():
        rows = (CalendarDay.select().where(
            (CalendarDay.day >= dt.date(year, 1, 1)) & (CalendarDay.day <= dt.date(year, 12, 31)))
            .order_by(CalendarDay.day))
        return [(r.day, r.kind, r.name) for r in rows]


def year_status(year: int) -> tuple[str | None, str]:
    """(status, source) of a year: status "official" / "provisional", or None without data;
    source "holidays" (seeded) or "手工录入" (edited by the office)."""
    with storage_errors():
        row = CalendarYear.get_or_none(CalendarYear.year == year)
        return (row.status, row.source) if row else (None, "")


def known_years() -> list[int]:
    with storage_errors():
        return sorted(r.year for r in CalendarYear.select(CalendarYear.year))
