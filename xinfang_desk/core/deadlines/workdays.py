"""Deadline arithmetic over China's working-day calendar (statutory holidays and 调休).

Periods are counted as the 民法典 (第二百零一条、第二百零三条) prescribes: the start day is not
counted, and a period whose last day is not a working day ends on the next working day. Some
offices count periods in working days instead; both rules are offered.

Pure date arithmetic, no database: the calendar data comes in as plain sets (see
deadlines.calendar.load_calendar), seeded from the PyPI `holidays` package by
store.holiday_seed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["Deadline", "WorkCalendar"]

RULES = ("calendar", "working")
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    due: dt.date
    warnings: tuple[str, ...] = ()


class WorkCalendar:
    """Which days are working days.

    holidays: days off that would otherwise be working days (statutory holidays, days off
    swapped in by 调休); weekend dates in it are harmless.
    workdays: weekend days that are working days (调休上班). A date in both counts as working.
    covered_years: year -> "official" (the 国务院办公厅 arrangement is entered) or "provisional"
    (computed, not checked against the notice). Years absent have no data: for them only the
    ordinary weekend rule applies, and every deadline touching them carries a warning."""

    def __init__(
        self,
        holidays: Iterable[dt.date] = (),
        workdays: Iterable[dt.date] = (),
        covered_years: Mapping[int, str] | None = None,
    ):
        self.holidays: frozenset[dt.date] = frozenset(holidays)
        self.workdays: frozenset[dt.date] = frozenset(workdays)
        self.covered_years: dict[int, str] = dict(covered_years or {})

    # ------------------------------------------------------------------ single days

    def is_working_day(self, d: dt.date) -> bool:
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5

    def next_working_day(self, d: dt.date) -> dt.date:
        """d itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    # ------------------------------------------------------------------ periods

    def add_calendar_days(self, start: dt.date, n: int) -> Deadline:
        """Deadline n calendar days after start (start not counted); a last day that is not a
        working day moves to the next working day."""
        if n < 0:
            raise ValueError(f"period must not be negative: {n}")
        due = self.next_working_day(start + dt.timedelta(days=n))
        return Deadline(due, self.year_warnings(start, due))

    def add_working_days(self, start: dt.date, n: int) -> Deadline:
        """Deadline on the n-th working day after start (start not counted). n=0 gives start
        itself, or the next working day if start is not one."""
        if n < 0:
            raise ValueError(f"period must not be negative: {n}")
        d = start
        if n == 0:
            d = self.next_working_day(d)
        left = n
        while left > 0:
            d += _ONE_DAY
            if self.is_working_day(d):
                left -= 1
        return Deadline(d, self.year_warnings(start, d))

    def add_days(self, start: dt.date, n: int, rule: str) -> Deadline:
        """rule: "calendar" (自然日) or "working" (工作日)."""
        if rule == "calendar":
            return self.add_calendar_days(start, n)
        if rule == "working":
            return self.add_working_days(start, n)
        raise ValueError(f"unknown period rule: {rule!r}")

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days after a up to and including b; negative (the same count, negated) if b
        is before a, 0 if equal. "Days left" until a deadline b as seen on day a."""
        if b < a:
            return -self.working_days_between(b, a)
        if b == a:
            return 0
        total = _weekdays_after(a, b)
        for d in self.holidays:
            if a < d <= b and d.weekday() < 5 and d not in self.workdays:
                total -= 1
        for d in self.workdays:
            if a < d <= b and d.weekday() >= 5:
                total += 1
        return total

    # ------------------------------------------------------------------ data coverage

    def year_warnings(self, start: dt.date, end: dt.date) -> tuple[str, ...]:
        """Warnings for every year from start to end (inclusive) without checked data."""
        lo, hi = min(start.year, end.year), max(start.year, end.year)
        warnings = []
        for year in range(lo, hi + 1):
            status = self.covered_years.get(year)
            if status is None:
                warnings.append(f"{year}年的节假日和调休安排尚未录入，期限按普通周末推算，请核对")
            elif status != "official":
                warnings.append(f"{year}年的节假日安排为推算数据，尚未按国务院办公厅通知核对")
        return tuple(warnings)


def _weekdays_after(a: dt.date, b: dt.date) -> int:
    """Mondays-Fridays d with a < d <= b (a <= b)."""
    days = (b - a).days
    full_weeks, extra = divmod(days, 7)
    total = full_weeks * 5
    wd = a.weekday()
    for i in range(1, extra + 1):
        if (wd + i) % 7 < 5:
            total += 1
    return total


# --------------------------------------------------------------------------- seeding

