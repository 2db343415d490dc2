"""The holiday/调休 table's seed: China's arrangements from the PyPI `holidays` package,
written by the first migration and topped up at every open (next year's arrangement arrives
with a newer package). Years the office entered by hand are never overwritten.

`holidays` is imported only when a year is actually missing: most starts read one table."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable

from xinfang_desk.core.store.db import write_transaction
from xinfang_desk.core.store.models import CalendarDay, CalendarYear

log = logging.getLogger(__name__)

_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Chinese New Year's Eve": "春节",
    "Chinese New Year (Spring Festival)": "春节",
    "Chinese New Year Extended Holiday": "春节（延长假期）",
    "Tomb-Sweeping Day": "清明节",
    "Labor Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-Autumn Festival": "中秋节",
    "National Day": "国庆节",
}


def _chinese_name(name: str) -> str:
    """Chinese name of a holiday as the `holidays` package spells it in English. Several holidays
    on one day come joined by "; "; "(observed)" suffixes are dropped; unknown names stay."""
    out: list[str] = []
    for part in name.split(";"):
        part = re.sub(r"\s*\(observed\)\s*$", "", part.strip())
        if part.startswith("Day off (substituted"):
            zh = "调休"
        else:
            zh = _NAMES_ZH.get(part, part)
        if zh and zh not in out:
            out.append(zh)
    return "、".join(out)


def china_calendar_seed(
    years: Iterable[int],
) -> tuple[list[tuple[dt.date, str, str]], dict[int, str]]:
    """Holiday and 调休 rows for the given years from the PyPI `holidays` package.

    Returns (rows, statuses): rows are (day, kind, name) with kind "holiday" or "workday";
    statuses maps year -> "official" when the package holds the 国务院办公厅 arrangement for that
    year (recognised by at least one weekend working day) or "provisional" when it only has
    computed holiday dates. Years for which the package has nothing are left out."""
    import holidays as holidays_pkg  # lazily: only needed when seeding

    wanted = sorted(set(years))
    rows: list[tuple[dt.date, str, str]] = []
    statuses: dict[int, str] = {}
    for year in wanted:
        cal = holidays_pkg.China(years=year)
        holiday_rows = [
            (d, "holiday", _chinese_name(name)) for d, name in sorted(cal.items()) if d.year == year
        ]
        # weekend_workdays also carries stray dates of other years: keep this year's only.
        workday_rows = [
            (d, "workday", "调休上班")
            for d in sorted(getattr(cal, "weekend_workdays", ()) or ())
            if d.year == year
        ]
        if not holiday_rows and not workday_rows:
            continue
        rows.extend(holiday_rows)
        rows.extend(workday_rows)
        statuses[year] = "official" if workday_rows else "provisional"
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows, statuses


FIRST_SEEDED_YEAR = 2020


def _years_to_write(candidates, statuses: dict[int, str], known: dict) -> list[int]:
    """The candidate years the seed improves on: missing, or provisional where the seed now
    has more; never a year the office entered by hand."""
    out = []
    for year in candidates:
        status = statuses.get(year)
        if status is None:
            continue
        if year in known and known[year].source == "手工录入":
            continue
        if year in known and status == "provisional":
            continue  # nothing better than what we have
        out.append(year)
    return out


def top_up_calendar(today: dt.date, *, recheck_provisional: bool = True) -> list[int]:
    """Seed years up to next year that the table lacks, or holds only provisionally while the
    holidays package now has the official arrangement (looked for only when
    `recheck_provisional`: opening asks once a day). Years the office entered are kept.

    Runs at every start: it only reads unless there is something to write, so that the
    program starts while another program holds the write lock; `holidays` is imported only
    when there is a year to look for."""
    wanted = range(FIRST_SEEDED_YEAR, today.year + 2)
    known = {row.year: row for row in CalendarYear.select()}
    candidates = [y for y in wanted if y not in known
                  or (recheck_provisional and known[y].status == "provisional")]
    if not candidates:
        return []
    try:
        rows, statuses = china_calendar_seed(candidates)
    except Exception:  # a broken holidays install must not stop the program
        log.exception("holiday seed failed")
        return []
    if not _years_to_write(candidates, statuses, known):
        return []
    changed = []
    with write_transaction():
        # Read again under the write lock: another program may have seeded or edited meanwhile.
        known = {row.year: row for row in CalendarYear.select()}
        still = [y for y in candidates if y not in known or known[y].status == "provisional"]
        for year in _years_to_write(still, statuses, known):
            CalendarDay.delete().where(
                (CalendarDay.day >= dt.date(year, 1, 1)) & (CalendarDay.day <= dt.date(year, 12, 31))
            ).execute()
            CalendarDay.insert_many(
                [{"day": d, "kind": k, "name": n} for d, k, n in rows if d.year == year]
            ).execute()
            CalendarYear.insert(year=year, status=statuses[year], source="holidays").on_conflict(
                conflict_target=[CalendarYear.year],
                update={CalendarYear.status: statuses[year], CalendarYear.source: "holidays"},
            ).execute()
            changed.append(year)
    return changed
