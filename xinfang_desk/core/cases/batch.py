"""Writing many checked cases at once: the large demo histories and imported ledgers.

`register_case` writes one case through the ORM in 2–3 ms; a history of 50,000 or 1,000,000
cases is written here with batched raw `executemany` inserts instead (about 0.2 ms a case),
inside the caller's write transaction, with the same result the desk would have written:
case numbers (prefix + year + sequence, the yearly counters moved past them), unique query
codes, one petitioner row per ID number, `search_text`, the replayed status, and optionally a
hash-chained `case_created` audit row per case. The caller checks each case (`check_case`)
and replays its timeline first; this module only writes.

Ids are given explicitly (one query for the next free id, not one per row); on PostgreSQL the
tables are locked for the transaction so that no other desk takes an id meanwhile, and the id
sequences are moved past them at the end.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from xinfang_desk.core.cases.numbering import (
    QUERY_ALPHABET,
    QUERY_CODE_LENGTH,
    format_case_no,
    parse_case_no,
)
from xinfang_desk.core.cases.records import (
    CheckedCase,
    created_details,
    find_field,
    find_unit,
    history_gaps_text,
    search_text_for,
)
from xinfang_desk.core.rules.workflow import CaseState, EventData
from xinfang_desk.core.store import audit, settings
from xinfang_desk.core.store.db import database, is_sqlite
from xinfang_desk.core.store.models import AuditLog, Case, CaseCounter, Petitioner

_CHUNK = 500  # values per IN (…) query


@dataclass
class BatchCase:
    """One case to write: checked, its timeline already replayed to `state`."""

    checked: CheckedCase
    events: list[EventData]
    state: CaseState
    query_code: str = ""  # "" = allocate one
    case_no: str = ""  # a number kept from elsewhere (its counter is moved past it); "" = allocate
    audit_at: str | None = None  # "YYYY-MM-DD HH:MM:SS" of its case_created audit row, if any


@dataclass
class BatchTotals:
    cases: int = 0
    events: int = 0
    petitioners: int = 0  # rows written (one per ID number; others one per appearance)
    audit_rows: int = 0
    case_nos: list[str] = field(default_factory=list)
    new_fields: list[str] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _chunks(items: list, size: int = _CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class BatchWriter:
    """Turns checked cases into rows and writes them in batches (`write`), in the caller's
    transaction; `finish` moves the counters (and on PostgreSQL the id sequences) on."""

    def __init__(self):
        db = database.obj
        self.db = db
        if not is_sqlite(db):  # explicit ids: no other desk may insert until we commit
            db.execute_sql("LOCK TABLE xf_case, petitioner IN SHARE ROW EXCLUSIVE MODE")
        self.prefix = settings.get("case_prefix")
        self.now = dt.datetime.now().replace(microsecond=0).strftime("%Y-%m-%d %H:%M:%S")
        self.next_case = (db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM xf_case")
                          .fetchone()[0]) + 1
        self.next_pet = (db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM petitioner")
                         .fetchone()[0]) + 1
        self.counters = {y: last for y, last in CaseCounter.select(
            CaseCounter.year, CaseCounter.last).tuples()}
        self.pet_by_id: dict[str, int] = {}
        self.codes: set[str] = set()  # query codes given in this run
        self.fields: dict[str, int | None] = {}
        self.field_unit: dict[int, int | None] = {}
        self.units: dict[str, int] = {}
        self.totals = BatchTotals()
        last = (AuditLog.select(AuditLog.id, AuditLog.hash)
                .order_by(AuditLog.id.desc()).limit(1).tuples().first())
        self.audit_id, self.audit_hash = last if last else (0, audit.GENESIS)

    # ---- lookups (a missing field or unit is created, as an import does)

    def field_id(self, path: str) -> int | None:
        path = (path or "").strip().strip("/")
        if path not in self.fields:
            row, created = find_field(path, create=True)
            self.fields[path] = row.id if row else None
            if row is not None:
                self.field_unit[row.id] = row.default_unit_id
            if created:
                self.totals.new_fields.append(path)
        return self.fields[path]

    def unit_id(self, name: str) -> int | None:
        name = (name or "").strip()
        if not name:
            return None
        if name not in self.units:
            row, created = find_unit(name, create=True)
            self.units[name] = row.id
            if created:
                self.totals.new_units.append(name)
        return self.units[name]

    def reserve(self, case_nos) -> None:
        """Numbers kept from elsewhere move their year's counter past them first, so that no
        number allocated for an earlier case takes a later case's kept number."""
        for no in case_nos:
            parsed = parse_case_no(no) if no else None
            if parsed:
                _, year, seq = parsed
                self.counters[year] = max(self.counters.get(year, 0), seq)

    def _taken(self, column, values: list[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(values):
            found.update(v for (v,) in Case.select(column).where(column.in_(chunk)).tuples())
        return found

    def _allocate_numbers(self, items: list[BatchCase]) -> list[str]:
        numbers = []
        for item in items:
            if item.case_no:
                numbers.append(item.case_no)
                continue
            year = item.checked.data.received_on.year
            seq = self.counters.get(year, 0) + 1
            self.counters[year] = seq
            numbers.append(format_case_no(self.prefix, year, seq))
        # A number held by an older case (imported from elsewhere, beyond the counter): next.
        taken = self._taken(Case.case_no, [n for n, i in zip(numbers, items, strict=True)
                                           if not i.case_no])
        while taken:
            for k, (no, item) in enumerate(zip(numbers, items, strict=True)):
                if no in taken and not item.case_no:
                    year = item.checked.data.received_on.year
                    self.counters[year] += 1
                    numbers[k] = format_case_no(self.prefix, year, self.counters[year])
            taken = self._taken(Case.case_no, [numbers[k] for k, no in enumerate(numbers)
                                               if no in taken])
        return numbers

    def _allocate_codes(self, items: list[BatchCase]) -> list[str]:
        codes = [item.query_code for item in items]

        def fresh() -> str:
            while True:
                code = "".join(secrets.choice(QUERY_ALPHABET) for _ in range(QUERY_CODE_LENGTH))
                if code not in self.codes:
                    self.codes.add(code)
                    return code

        missing = [k for k, code in enumerate(codes) if not code]
        for k in missing:
            codes[k] = fresh()
        while True:
            clash = self._taken(Case.query_code, [codes[k] for k in missing])
            missing = [k for k in missing if codes[k] in clash]
            if not missing:
                return codes
            for k in missing:
                codes[k] = fresh()

    def _known_petitioners(self, items: list[BatchCase]) -> None:
        wanted = {p.id_number for item in items for p in item.checked.petitioners
                  if p.id_number and p.doc_type == "身份证"} - set(self.pet_by_id)
        for chunk in _chunks(sorted(wanted)):
            self.pet_by_id.update(Petitioner.select(Petitioner.id_number, Petitioner.id).where(
                (Petitioner.doc_type == "身份证") & Petitioner.id_number.in_(chunk)).tuples())

    # ---- one batch

    def write(self, items: list[BatchCase]) -> list[str]:
        """Write the cases; returns their case numbers, in order."""
        case_rows, pet_rows, link_rows, event_rows, audit_rows = [], [], [], [], []
        numbers = self._allocate_numbers(items)
        codes = self._allocate_codes(items)
        self._known_petitioners(items)
        for item, case_no, code in zip(items, numbers, codes, strict=True):
            checked, state = item.checked, item.state
            data = checked.data
            case_id = self.next_case
            self.next_case += 1
            field_id = self.field_id(data.field)
            unit_id = self.unit_id(data.unit)
            if unit_id is None and field_id is not None and data.disposition in ("转送", "交办"):
                unit_id = self.field_unit.get(field_id)
            accepted_on = (state.accepted_on if data.disposition in ("受理", "建议记录")
                           else data.accepted_on)
            received = data.received_on.isoformat()
            case_rows.append((
                case_id, case_no, code, received, data.channel,
                data.channel_ref.strip(), data.category, field_id, checked.people_count,
                checked.reps_present, data.summary.strip(), data.request.strip(),
                data.facts.strip(), data.reasons.strip(), data.disposition,
                data.answer_given.strip(), unit_id, _iso(data.promised_reply_on),
                data.reject_reason.strip(), data.approach_body.strip(), _iso(accepted_on),
                checked.confidential, state.status, data.clerk.strip(),
                search_text_for([p.name for p in checked.petitioners], data.summary, data.request,
                                data.facts),
                self.now, self.now, data.notes.strip(), history_gaps_text(checked.missing)))
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
            for ev in item.events:
                event_rows.append((case_id, ev.type, ev.on.isoformat(),
                                   self.unit_id(ev.unit) if ev.unit else None, ev.ref,
                                   _iso(ev.deadline), ev.days, ev.reason, ev.approver,
                                   ev.outcome, ev.rating, ev.note, data.clerk, self.now))
            if item.audit_at is not None:
                self.audit_id += 1
                details = audit.canonical(created_details(data, checked))
                digest = audit.row_hash(self.audit_hash, self.audit_id, item.audit_at, data.clerk,
                                        "case_created", case_no, True, details)
                audit_rows.append((self.audit_id, item.audit_at, data.clerk, "case_created",
                                   case_no, True, details, self.audit_hash, digest))
                self.audit_hash = digest
        totals = self.totals
        totals.cases += len(case_rows)
        totals.events += len(event_rows)
        totals.petitioners += len(pet_rows)
        totals.audit_rows += len(audit_rows)
        totals.case_nos.extend(numbers)
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
            "updated_at, notes, history_gaps) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", case_rows)
        many(
            "INSERT INTO case_petitioner (case_id, petitioner_id, position, is_representative) "
            "VALUES (?,?,?,?)", link_rows)
        many(
            'INSERT INTO case_event (case_id, type, "on", unit_id, ref, deadline, days, reason, '
            "approver, outcome, rating, note, actor, created_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", event_rows)
        many('INSERT INTO audit_log (id, "at", actor, action, object, success, details, '
             "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)", audit_rows)
        return numbers

    def finish(self) -> BatchTotals:
        """Move the yearly counters past the numbers written (and, on PostgreSQL, the id
        sequences past the ids given). Call inside the same transaction, after the last batch."""
        if not is_sqlite(self.db):
            for table in ("xf_case", "petitioner"):
                self.db.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"GREATEST((SELECT MAX(id) FROM {table}), 1))")
        for year, last in self.counters.items():
            CaseCounter.insert(year=year, last=last).on_conflict(
                conflict_target=[CaseCounter.year], update={CaseCounter.last: last}).execute()
        return self.totals
