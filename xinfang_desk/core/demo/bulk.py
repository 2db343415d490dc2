"""A large demo history fast: hundreds of thousands to millions of cases for load tests.

`generate_bulk` invents cases exactly as `core.demo.generate` does (the same people, ID numbers with
correct check characters, templates, channel/class/field/unit mix, repeat visitors, group
visits, and timelines of notices, forwardings, feedback, replies, satisfaction, reviews,
extensions, reopenings; some confidential, some stalled and overdue), and checks each one with
`cases.check_case` and its timeline with the state machine (`workflow.replay`), but writes
them with batched raw `executemany` inserts instead of one ORM call per row: about 0.2 ms a
case instead of 2–3 ms, so a million cases take a few minutes. The history spans
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

from xinfang_desk.core.cases.numbering import format_case_no
from xinfang_desk.core.cases.records import (
    check_case,
    created_details,
    find_field,
    find_unit,
    search_text_for,
)
from xinfang_desk.core.demo.generate import VISIT_NOTES, _Generator, _Spec, preflight
from xinfang_desk.core.errors import WorkflowError
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import EventData, apply, initial_state
from xinfang_desk.core.store import audit, settings
from xinfang_desk.core.store.db import database, is_sqlite, storage_errors, write_transaction
from xinfang_desk.core.store.models import AuditLog, Case, CaseCounter, Petitioner

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


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


class _Writer:
    """Turns checked specs into rows and writes them in batches."""

    def __init__(self, *, today: dt.date, rules, audit_rows: bool, report: BulkReport):
        db = database.obj
        self.db = db
        self.today = today
        self.rules = rules
        self.audit_rows = audit_rows
        self.report = report
        self.prefix = settings.get("case_prefix")
        self.now = dt.datetime.now().replace(microsecond=0).strftime("%Y-%m-%d %H:%M:%S")
        self.next_case = (db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM xf_case")
                          .fetchone()[0]) + 1
        self.next_pet = (db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM petitioner")
                         .fetchone()[0]) + 1
        self.counters = {y: last for y, last in CaseCounter.select(
            CaseCounter.year, CaseCounter.last).tuples()}
        self.used_case_nos = {no for (no,) in Case.select(Case.case_no).tuples()}
        self.pet_by_id: dict[str, int] = {n: i for n, i in Petitioner.select(
            Petitioner.id_number, Petitioner.id).where(
            (Petitioner.doc_type == "身份证") & Petitioner.id_number.is_null(False)).tuples()}
        self.fields: dict[str, int | None] = {}
        self.field_unit: dict[int, int | None] = {}
        self.units: dict[str, int] = {}
        last = (AuditLog.select(AuditLog.id, AuditLog.hash)
                .order_by(AuditLog.id.desc()).limit(1).tuples().first())
        self.audit_id, self.audit_hash = last if last else (0, audit.GENESIS)

    # ---- lookups (rare misses create the row, as core.demo.generate's create_missing does)

    def field_id(self, path: str) -> int | None:
        if path not in self.fields:
            row, _ = find_field(path, create=True)
            self.fields[path] = row.id if row else None
            if row is not None:
                self.field_unit[row.id] = row.default_unit_id
        return self.fields[path]

    def unit_id(self, name: str) -> int | None:
        name = (name or "").strip()
        if not name:
            return None
        if name not in self.units:
            row, _ = find_unit(name, create=True)
            self.units[name] = row.id
        return self.units[name]

    def case_no(self, year: int) -> str:
        while True:
            seq = self.counters.get(year, 0) + 1
            self.counters[year] = seq
            no = format_case_no(self.prefix, year, seq)
            if no not in self.used_case_nos:
                return no

    # ---- one batch

    def write(self, specs: list[_Spec]) -> None:
        case_rows, pet_rows, link_rows, event_rows, audit_rows = [], [], [], [], []
        report = self.report
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
            case_id = self.next_case
            self.next_case += 1
            case_no = self.case_no(data.received_on.year)
            field_id = self.field_id(data.field)
            unit_id = self.unit_id(data.unit)
            if unit_id is None and field_id is not None and data.disposition in ("转送", "交办"):
                unit_id = self.field_unit.get(field_id)
            accepted_on = (state.accepted_on if data.disposition in ("受理", "建议记录")
                           else data.accepted_on)
            received = data.received_on.isoformat()
            case_rows.append((
                case_id, case_no, data.query_code, received, data.channel,
                data.channel_ref.strip(), data.category, field_id, checked.people_count,
                checked.reps_present, data.summary.strip(), data.request.strip(),
                data.facts.strip(), data.reasons.strip(), data.disposition,
                data.answer_given.strip(), unit_id, _iso(data.promised_reply_on),
                data.reject_reason.strip(), data.approach_body.strip(), _iso(accepted_on),
                checked.confidential, state.status, data.clerk.strip(),
                search_text_for([p.name for p in checked.petitioners], data.summary, data.request,
                                data.facts),
                self.now, self.now))
            for pos, p in enumerate(checked.petitioners):
                pet_id = None
                if p.id_number and p.doc_type == "身份证":
                    pet_id = self.pet_by_id.get(p.id_number)
                if pet_id is None:
                    pet_id = self.next_pet
                    self.next_pet += 1
                    pet_rows.append((pet_id, p.kind, p.name, p.doc_type, p.id_number, p.sex,
                                     _iso(p.birth_date), p.phone, p.phone_alt, p.address,
                                     self.now))
                    if p.id_number and p.doc_type == "身份证":
                        self.pet_by_id[p.id_number] = pet_id
                link_rows.append((case_id, pet_id, pos, bool(p.is_representative)))
            for ev in events:
                event_rows.append((case_id, ev.type, ev.on.isoformat(),
                                   self.unit_id(ev.unit) if ev.unit else None, ev.ref,
                                   _iso(ev.deadline), ev.days, ev.reason, ev.approver,
                                   ev.outcome, ev.rating, ev.note, data.clerk, self.now))
                report.events_by_type[ev.type] = report.events_by_type.get(ev.type, 0) + 1
            if self.audit_rows:
                self.audit_id += 1
                at = f"{received} {8 + spec.seq % 9:02d}:{spec.seq % 60:02d}:{spec.seq * 7 % 60:02d}"
                details = audit.canonical(created_details(data, checked))
                digest = audit.row_hash(self.audit_hash, self.audit_id, at, data.clerk,
                                        "case_created", case_no, True, details)
                audit_rows.append((self.audit_id, at, data.clerk, "case_created", case_no, True,
                                   details, self.audit_hash, digest))
                self.audit_hash = digest
            report.cases += 1
            report.events += len(events)
            report.by_status[state.status] = report.by_status.get(state.status, 0) + 1
            report.by_channel[data.channel] = report.by_channel.get(data.channel, 0) + 1
            report.by_category[data.category] = report.by_category.get(data.category, 0) + 1
            report.confidential += int(checked.confidential)
        report.petitioners += len(pet_rows)
        report.audit_rows += len(audit_rows)
        cur = self.db.cursor()
        p = self.db.param

        def many(sql: str, rows: list) -> None:
            if rows:
                cur.executemany(sql.replace("?", p), rows)

        many(
            "INSERT INTO petitioner (id, kind, name, doc_type, id_number, sex, birth_date, phone, "
            "phone_alt, address, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)", pet_rows)
        many(
            "INSERT INTO xf_case (id, case_no, query_code, received_on, channel, channel_ref, "
            "category, field_id, people_count, reps_present, summary, request, facts, reasons, "
            "disposition, answer_given, unit_id, promised_reply_on, reject_reason, "
            "approach_body, accepted_on, confidential, status, clerk, search_text, created_at, "
            "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            case_rows)
        many(
            "INSERT INTO case_petitioner (case_id, petitioner_id, position, is_representative) "
            "VALUES (?,?,?,?)", link_rows)
        many(
            'INSERT INTO case_event (case_id, type, "on", unit_id, ref, deadline, days, reason, '
            "approver, outcome, rating, note, actor, created_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", event_rows)
        many('INSERT INTO audit_log (id, "at", actor, action, object, success, details, '
             "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)", audit_rows)

    def save_counters(self) -> None:
        if not is_sqlite(self.db):  # ids were given explicitly: move the sequences past them
            for table in ("xf_case", "petitioner"):
                self.db.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))")
        for year, last in self.counters.items():
            CaseCounter.insert(year=year, last=last).on_conflict(
                conflict_target=[CaseCounter.year], update={CaseCounter.last: last}).execute()


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

