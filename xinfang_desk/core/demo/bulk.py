"""A large demo history fast: hundreds of thousands to millions of cases for load tests.

`generate_bulk` invents cases exactly as `core.demo.generate` does (the same people, ID numbers with
correct check characters, templates, channel/class/field/unit mix, repeat visitors, group
visits, and timelines of notices, forwardings, feedback, replies, satisfaction, reviews,
extensions, reopenings; some confidential, some stalled and overdue), and checks each one with
`cases.check_case` and its timeline with the state machine (`workflow.replay`), but writes
them with batched raw `executemany` inserts (core.cases.batch) instead of one ORM call per row:
about 0.2 ms a case instead of 2–3 ms, so a million cases take a few minutes. The history spans
`years` years before `today` (by default one year per 50,000 cases). The demo leaves some
matters stalled or never closed, which is right for a year; over many years they would pile
up into an office in collapse, so cases older than a year that are still open get their
backlog worked off (a late notice, feedback, reply, close) unless `catch_up_days=None`.

What it writes is what the desk would have written: case numbers (prefix + year + sequence,
in order of receipt) and query codes unique, the case counters moved past them, `search_text`
filled, one petitioner row per ID number, `Case.status` the replayed status. On SQLite the
full-text index is rebuilt once at the end (the insert trigger is suspended meanwhile).
With `audit=True` each case gets its hash-chained `case_created` audit row.

Qt-free; only for empty (or throw-away) data directories, like `core.demo.generate`.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from xinfang_desk.core.cases.batch import BatchCase, BatchWriter
from xinfang_desk.core.cases.records import check_case
from xinfang_desk.core.demo.generate import VISIT_NOTES, _Generator, _Spec, preflight
from xinfang_desk.core.errors import WorkflowError
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import EventData, apply, initial_state
from xinfang_desk.core.store.db import database, is_sqlite, storage_errors, write_transaction

CASES_PER_YEAR = 50_000
REPEAT_LOOKBACK_DAYS = 150  # a repeat visit concerns a case 10 to 150 days older (core.demo.generate)


@dataclass
class BulkReport:
    cases: int = 0
    events: int = 0
    petitioners: int = 0  # rows written (one per ID number; others one per appearance)
    audit_rows: int = 0
    dropped_events: int = 0  # refused by the state machine (none expected)
    caught_up: int = 0  # old cases finished by the backlog clean-up (see generate_bulk)
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    by_status: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    events_by_type: dict[str, int] = field(default_factory=dict)
    confidential: int = 0
    seconds: float = 0.0
    index_seconds: float = 0.0

    def summary(self) -> str:
        return (f"{self.cases} 件事项（{self.first_day} 至 {self.last_day}），{self.events} 条办理记录，"
                f"{self.petitioners} 位信访人，用时 {self.seconds:.1f} 秒")


class _Writer:
    """Checks the generated specs and hands them to the batch writer (core.cases.batch)."""

    def __init__(self, *, today: dt.date, rules, audit_rows: bool, report: BulkReport):
        self.batch = BatchWriter()
        self.today = today
        self.rules = rules
        self.audit_rows = audit_rows
        self.report = report

    def write(self, specs: list[_Spec]) -> None:
        report = self.report
        items = []
        for spec in specs:
            data = spec.data
            checked = check_case(data, today=self.today)
            state = initial_state(category=data.category, disposition=data.disposition,
                                  channel=data.channel, received_on=data.received_on,
                                  accepted_on=data.accepted_on)
            events: list[EventData] = []
            for ev in spec.events:
                try:
                    state = apply(state, ev, self.rules.window_end)
                except WorkflowError:
                    report.dropped_events += len(spec.events) - len(events)
                    break
                events.append(ev)
            at = None
            if self.audit_rows:
                at = (f"{data.received_on.isoformat()} "
                      f"{8 + spec.seq % 9:02d}:{spec.seq % 60:02d}:{spec.seq * 7 % 60:02d}")
            items.append(BatchCase(checked, events, state, query_code=data.query_code,
                                   audit_at=at))
            for ev in events:
                report.events_by_type[ev.type] = report.events_by_type.get(ev.type, 0) + 1
            report.cases += 1
            report.events += len(events)
            report.by_status[state.status] = report.by_status.get(state.status, 0) + 1
            report.by_channel[data.channel] = report.by_channel.get(data.channel, 0) + 1
            report.by_category[data.category] = report.by_category.get(data.category, 0) + 1
            report.confidential += int(checked.confidential)
        before = self.batch.totals.petitioners, self.batch.totals.audit_rows
        self.batch.write(items)
        report.petitioners += self.batch.totals.petitioners - before[0]
        report.audit_rows += self.batch.totals.audit_rows - before[1]

    def save_counters(self) -> None:
        self.batch.finish()


def _catch_up(spec: _Spec, rng: random.Random, today: dt.date, window_end) -> int:
    """Finish a case the demo left open (stalled, no feedback, replied but never closed …):
    the office works its backlog off within a year. Returns the number of events added."""
    data = spec.data
    state = initial_state(category=data.category, disposition=data.disposition,
                          channel=data.channel, received_on=data.received_on,
                          accepted_on=data.accepted_on)
    try:
        for ev in spec.events:
            state = apply(state, ev, window_end)
    except WorkflowError:
        return 0
    added = 0
    last = max([data.received_on, *(e.on for e in spec.events)])
    needs_notice = data.disposition in ("受理", "转送", "交办", "不予受理", "建议记录")
    if needs_notice and state.notified_on is None and state.forwarded_on is None:
        spec.events.append(EventData(type="notified", on=min(today, last + dt.timedelta(
            days=rng.randint(1, 10))), note="补送告知书"))
        state = apply(state, spec.events[-1], window_end)
        last, added = spec.events[-1].on, added + 1
    suggestion = data.category == v.SUGGESTION
    while state.status != v.CLOSED:
        on = last + dt.timedelta(days=rng.randint(5, 40))
        if on > today:
            break
        s = state.status
        if s == v.REGISTERED:
            if not data.unit:
                break
            ev = EventData(type="forwarded" if data.disposition == "转送" else "assigned", on=on,
                           unit=data.unit, note="补办转送")
        elif s == v.FORWARDED and state.feedback_on is None:
            ev = EventData(type="feedback", on=on, note="承办单位报送办结报告（积案清理）。")
        elif s in (v.ACCEPTED, v.FORWARDED):
            ev = EventData(type="replied", on=on, outcome="部分采纳" if suggestion else "解释说明",
                           note="积案清理，送达答复意见书")
        elif s == v.IN_REVIEW:
            ev = EventData(type="review_answered", on=on, outcome="维持")
        elif s == v.IN_REREVIEW:
            ev = EventData(type="rereview_answered", on=on, outcome="维持")
        elif s in (v.REPLIED, v.REVIEWED):
            ev = EventData(type="closed", on=on)
        else:
            break
        try:
            state = apply(state, ev, window_end)
        except WorkflowError:
            break
        spec.events.append(ev)
        last, added = on, added + 1
    return added


def _suspend_fts_trigger() -> bool:
    """Drop the FTS insert trigger (SQLite); True if it was there."""
    db = database.obj
    if not is_sqlite(db):
        return False
    found = db.execute_sql(
        "SELECT 1 FROM sqlite_master WHERE type='trigger' AND name='case_fts_ai'").fetchone()
    if found:
        db.execute_sql("DROP TRIGGER case_fts_ai")
    return bool(found)


def _restore_fts_trigger_and_rebuild() -> None:
    db = database.obj
    db.execute_sql(
        "CREATE TRIGGER IF NOT EXISTS case_fts_ai AFTER INSERT ON xf_case BEGIN "
        "INSERT INTO case_fts(rowid, search_text) VALUES (new.id, new.search_text); END")
    db.execute_sql("INSERT INTO case_fts(case_fts) VALUES('rebuild')")


def generate_bulk(n_cases: int, seed: int = 1, today: dt.date | None = None, *,
                  years: int | None = None, audit_rows: bool = False, force: bool = False,
                  catch_up_days: int | None = 365,
                  batch_size: int = 20_000,
                  progress: Callable[[int, int], None] | None = None) -> BulkReport:
    """Fill the open data directory with `n_cases` invented cases received over the `years`
    years before `today` (default: one year per CASES_PER_YEAR cases). Cases received more
    than `catch_up_days` before today are finished if core.demo.generate left them open (None: leave
    them, so stalled matters pile up over the years — an office in collapse). Refuses a
    directory that already has cases unless `force`. Deterministic for a given seed and
    today."""
    started = time.perf_counter()
    today = today or dt.date.today()
    rules, used_codes, field_units = preflight(n_cases, force=force)
    years = years or max(1, round(n_cases / CASES_PER_YEAR))
    report = BulkReport()
    with storage_errors():
        writer = _Writer(today=today, rules=rules, audit_rows=audit_rows, report=report)
    rng = random.Random(seed)
    gen = _Generator(rng, today, rules, field_units, used_codes)
    catch_up_rng = random.Random(seed + 1)  # the demo's own stream stays as it was
    catch_up_before = (today - dt.timedelta(days=catch_up_days)) if catch_up_days is not None \
        else None

    span = 365 * years - 1
    first = today.toordinal() - span
    days = sorted(first + rng.randrange(span + 1) for _ in range(n_cases))
    report.first_day = dt.date.fromordinal(days[0])

    # A sliding window of the last REPEAT_LOOKBACK_DAYS days of cases stays in memory (a repeat
    # visit adds an event to one of them); older cases are written in order of receipt.
    window: list[_Spec] = []  # in order of generation (received day ascending)
    window_days: list[int] = []
    pending: list[_Spec] = []
    done = 0
    trigger = False

    def flush(specs: list[_Spec]) -> None:
        nonlocal done
        specs.sort(key=lambda s: (s.data.received_on, s.seq))
        for spec in specs:
            if catch_up_before is not None and spec.data.received_on < catch_up_before:
                report.caught_up += bool(_catch_up(spec, catch_up_rng, today,
                                                   rules.window_end))
            if spec.data.channel == "来访" and spec.seq % 3 == 0:
                spec.events.insert(0, EventData(type="printed", on=spec.data.received_on,
                                                note="回执"))
        with storage_errors(), write_transaction():
            writer.write(specs)
        done += len(specs)
        if progress:
            progress(done, n_cases)

    try:
        with storage_errors():
            trigger = _suspend_fts_trigger()
        for seq, day in enumerate(days):
            received = dt.date.fromordinal(day)
            # Move cases older than the look-back out of the window.
            cut = bisect.bisect_left(window_days, day - REPEAT_LOOKBACK_DAYS - 3)
            if cut:
                pending.extend(window[:cut])
                del window[:cut], window_days[:cut]
                if len(pending) >= batch_size:
                    flush(pending)
                    pending = []
            repeat_of = None
            lo = bisect.bisect_left(window_days, day - REPEAT_LOOKBACK_DAYS)
            hi = bisect.bisect_right(window_days, day - 10)
            if hi > lo and rng.random() < 0.08:
                candidate = window[rng.randrange(lo, hi)]
                if candidate.data.received_on + dt.timedelta(days=10) <= received and \
                        candidate.data.petitioners[0].id_number:
                    candidate.events.append(
                        EventData(type="visit", on=received, note=rng.choice(VISIT_NOTES)))
                    candidate.events.sort(key=lambda e: e.on)
                    if rng.random() < 0.4:
                        repeat_of = candidate
            spec = gen.case(seq, received, repeat_of)
            window.append(spec)
            window_days.append(spec.data.received_on.toordinal())
            if len(window_days) > 1 and window_days[-1] < window_days[-2]:
                # A walk-in on a weekend moved back to Friday: keep the window sorted.
                window.sort(key=lambda s: s.data.received_on)
                window_days.sort()
        pending.extend(window)
        for start in range(0, len(pending), batch_size):
            flush(pending[start:start + batch_size])
        with storage_errors(), write_transaction():
            writer.save_counters()
    finally:
        if trigger:
            index_started = time.perf_counter()
            with storage_errors(), write_transaction():
                _restore_fts_trigger_and_rebuild()
            report.index_seconds = round(time.perf_counter() - index_started, 2)
    report.last_day = dt.date.fromordinal(days[-1])
    report.by_status = dict(sorted(report.by_status.items()))
    report.by_channel = {c: report.by_channel[c] for c in v.CHANNELS if c in report.by_channel}
    report.by_category = {c: report.by_category[c] for c in v.CATEGORIES
                          if c in report.by_category}
    report.events_by_type = {t: report.events_by_type[t] for t in v.EVENT_TYPES
                             if t in report.events_by_type}
    report.seconds = round(time.perf_counter() - started, 2)
    return report

