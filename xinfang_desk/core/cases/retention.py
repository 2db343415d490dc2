"""Retention (个人信息保护法 第十九条、第四十七条): closed cases older than the office's
retention period are deleted or anonymised by the administrator.

A case is due when it is closed (cached status and replayed timeline agree) and its closing
date lies more than `retention_years` (setting, at least 1) before today.

- delete: the case, its timeline, named access, links and attachments go; a petitioner who
  has no other case left goes too, and so does every stored file (FileBlob) no attachment
  uses any more. The case no longer counts in reports.
- anonymise: the figures stay (dates, class, channel, field, unit, disposition, status,
  numbers of people, the timeline's types, dates, units and outcomes) so that reports still
  count the case; its free text (summary, request, facts, reasons, answers, event notes) is
  replaced by "（已匿名）" and every petitioner link points to a new, empty "（已匿名）" person,
  so the real person is no longer tied to the case; a person with no case left is deleted.
  Its attachments are deleted too, with the files no other attachment uses: letters, ID
  copies and evidence are personal data through and through and cannot be anonymised. The
  timeline keeps one entry (移除附件, on the day of the purge) saying how many were deleted,
  naming none (a title may name the person).

One transaction, one `purge` audit row with the counts. Audit rows themselves are never
touched (they hold no ID number in clear). On SQLite the purge runs with
`PRAGMA secure_delete=ON` (freed content is overwritten with zeros), rebuilds the full-text
index (FTS5 keeps deleted terms until its segments are merged) and then checkpoints and
truncates the WAL, so the removed data is gone from the database files (等保2.0: residual
information cleared). When files were deleted it also runs VACUUM (after the commit, before
the checkpoint): a file's first bytes live in its table's pages, and copies left there by
earlier page splits, made before secure_delete was on, go only when the file is rebuilt.
Backups taken before the purge still hold it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

import peewee as pw

from xinfang_desk.core import session
from xinfang_desk.core.deadlines.engine import statutory_end
from xinfang_desk.core.errors import FieldError, XinfangError
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.rules.workflow import EventData, initial_state, replay_lenient
from xinfang_desk.core.store import audit, settings
from xinfang_desk.core.store.db import database, is_sqlite, storage_errors, write_transaction
from xinfang_desk.core.store.models import (
    Attachment,
    Case,
    CaseAccess,
    CaseEvent,
    CasePetitioner,
    FileBlob,
    Petitioner,
    Unit,
)

ANONYMISED = "（已匿名）"
MODES = {"delete": "删除", "anonymise": "匿名化"}
MAX_AUDITED_NOS = 500  # case numbers listed in the purge audit row (the count is always there)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeCandidate:
    case_no: str
    received_on: dt.date
    closed_on: dt.date
    category: str


@dataclass(frozen=True)
class PurgeReport:
    mode: str
    cutoff: dt.date
    cases: int
    events: int
    petitioners_removed: int  # personal records deleted (no case left)
    case_nos: tuple[str, ...]
    attachments: int = 0  # attachments deleted (in either mode)
    files_removed: int = 0  # stored files (FileBlob) no attachment used any more

    @property
    def summary(self) -> str:
        if not self.cases:
            return "没有需要清理的事项。"
        papers = f"，删除附件{self.attachments}份" if self.attachments else ""
        return (f"已{MODES[self.mode]}{self.cases}件办结于{self.cutoff:%Y-%m-%d}之前的事项，"
                f"删除信访人个人信息{self.petitioners_removed}条{papers}。")


def retention_years() -> int:
    return int(settings.get("retention_years"))


def cutoff_date(today: dt.date, years: int) -> dt.date:
    """The same day `years` years earlier (29 February → 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _candidates(today: dt.date) -> tuple[dt.date, list[PurgeCandidate]]:
    cutoff = cutoff_date(today, retention_years())
    window_end = statutory_end()
    # A case closes on or after the day it was received: only those received before the
    # cutoff can qualify; their timelines are replayed for the closing date.
    heads = list(Case.select(Case.id, Case.case_no, Case.category, Case.disposition,
                             Case.channel, Case.received_on, Case.accepted_on)
                 .where((Case.status == v.CLOSED) & (Case.received_on < cutoff))
                 .order_by(Case.received_on, Case.case_no).tuples())
    units = {u.id: u.name for u in Unit.select(Unit.id, Unit.name)}
    events: dict[int, list[EventData]] = defaultdict(list)
    for chunk in _chunks([h[0] for h in heads]):
        for e in (CaseEvent.select().where(CaseEvent.case.in_(chunk))
                  .order_by(CaseEvent.case, CaseEvent.on, CaseEvent.id)):
            events[e.case_id].append(EventData(
                type=e.type, on=e.on, unit=units.get(e.unit_id, ""), ref=e.ref,
                deadline=e.deadline, days=e.days, reason=e.reason, approver=e.approver,
                outcome=e.outcome, rating=e.rating, note=e.note))
    out = []
    for cid, case_no, category, disposition, channel, received, accepted in heads:
        start = initial_state(category=category, disposition=disposition, channel=channel,
                              received_on=received, accepted_on=accepted)
        state, _problems = replay_lenient(start, events.get(cid, []), window_end)
        if state.status == v.CLOSED and state.closed_on and state.closed_on < cutoff:
            out.append(PurgeCandidate(case_no, received, state.closed_on, category))
    return cutoff, out


def purge_candidates(today: dt.date | None = None) -> list[PurgeCandidate]:
    """Closed cases whose closing date is more than `retention_years` before today, oldest
    first. Needs `purge` (the administrator); shows no names or matter text."""
    session.require("purge")
    with storage_errors():
        return _candidates(today or dt.date.today())[1]


def _anonymised_text(column: pw.Field) -> pw.Node:
    """"" stays "", anything else becomes ANONYMISED (portable CASE expression)."""
    return pw.Case(None, [(column == "", "")], ANONYMISED)


def _remove_orphans(person_ids: set[int]) -> int:
    removed = 0
    for chunk in _chunks(sorted(person_ids)):
        still_linked = CasePetitioner.select(CasePetitioner.petitioner).where(
            CasePetitioner.petitioner.in_(chunk))
        removed += Petitioner.delete().where(
            Petitioner.id.in_(chunk) & Petitioner.id.not_in(still_linked)).execute()
    return removed


def purge(case_nos: list[str] | None = None, mode: str = "delete",
          today: dt.date | None = None) -> PurgeReport:
    """Delete or anonymise the given due cases (all of them by default); see the module doc.
    A case number that is not due is refused (XinfangError) and nothing is changed."""
    session.require("purge")
    if mode not in MODES:
        raise FieldError("清理方式", "应为 delete（删除）或 anonymise（匿名化）")
    today = today or dt.date.today()
    db = database.obj
    sqlite = is_sqlite(db)
    previous_secure = None
    with storage_errors():
        if sqlite:
            previous_secure = db.execute_sql("PRAGMA secure_delete").fetchone()[0]
            db.execute_sql("PRAGMA secure_delete=ON")
        try:
            with write_transaction():
                cutoff, due = _candidates(today)
                if case_nos is not None:
                    due_nos = {c.case_no for c in due}
                    wanted = list(dict.fromkeys(n.strip() for n in case_nos))
                    refused = [n for n in wanted if n not in due_nos]
                    if refused:
                        raise XinfangError(
                            f"以下事项未到清理期限或不存在，未做任何清理：{'、'.join(refused[:20])}"
                            + ("等" if len(refused) > 20 else ""))
                    keep = set(wanted)
                    due = [c for c in due if c.case_no in keep]
                report = _purge_rows([c.case_no for c in due], mode, cutoff, today)
                if report.cases:
                    if sqlite:
                        db.execute_sql("INSERT INTO case_fts(case_fts) VALUES('optimize')")
                    audit.record("purge", "", {
                        "mode": mode, "cases": report.cases, "events": report.events,
                        "petitioners_removed": report.petitioners_removed,
                        "attachments": report.attachments, "files_removed": report.files_removed,
                        "retention_years": retention_years(), "cutoff": cutoff,
                        "case_nos": list(report.case_nos[:MAX_AUDITED_NOS]),
                    })
            if sqlite and report.files_removed:
                _vacuum(db)
            if sqlite and report.cases:
                db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            if sqlite:
                db.execute_sql(f"PRAGMA secure_delete={int(previous_secure or 0)}")
    return report


def _vacuum(db: pw.Database) -> None:
    """Rebuild the file (see the module doc). The purge is committed by now: should another
    connection keep VACUUM from running, the purge stands and the log says so."""
    try:
        db.execute_sql("VACUUM")
    except pw.OperationalError as exc:
        log.warning("VACUUM after the purge did not run: %s", exc)


def _remove_attachments(case_ids: list[int]) -> tuple[dict[int, int], set[str]]:
    """Delete the cases' attachments: (how many per case, the files they used)."""
    rows = list(Attachment.select(Attachment.case, Attachment.blob)
                .where(Attachment.case.in_(case_ids)).tuples())
    per_case: dict[int, int] = defaultdict(int)
    for case_id, _blob in rows:
        per_case[case_id] += 1
    if rows:
        Attachment.delete().where(Attachment.case.in_(case_ids)).execute()
    return per_case, {blob for _case, blob in rows}


def _remove_unused_files(digests: set[str]) -> int:
    removed = 0
    for chunk in _chunks(sorted(digests)):
        used = Attachment.select(Attachment.blob).where(Attachment.blob.in_(chunk))
        removed += FileBlob.delete().where(
            FileBlob.sha256.in_(chunk) & FileBlob.sha256.not_in(used)).execute()
    return removed


def _purge_rows(nos: list[str], mode: str, cutoff: dt.date, today: dt.date) -> PurgeReport:
    ids: list[int] = []
    for chunk in _chunks(nos):
        ids += [i for (i,) in Case.select(Case.id).where(Case.case_no.in_(chunk)).tuples()]
    people: set[int] = set()
    events = 0
    attachments = 0
    digests: set[str] = set()
    for chunk in _chunks(ids):
        links = list(CasePetitioner.select().where(CasePetitioner.case.in_(chunk)))
        people.update(link.petitioner_id for link in links)
        CaseAccess.delete().where(CaseAccess.case.in_(chunk)).execute()
        per_case, used = _remove_attachments(chunk)
        attachments += sum(per_case.values())
        digests |= used
        if mode == "delete":
            events += CaseEvent.delete().where(CaseEvent.case.in_(chunk)).execute()
            CasePetitioner.delete().where(CasePetitioner.case.in_(chunk)).execute()
            Case.delete().where(Case.id.in_(chunk)).execute()
            continue
        events += CaseEvent.update(note=_anonymised_text(CaseEvent.note),
                                   reason=_anonymised_text(CaseEvent.reason)
                                   ).where(CaseEvent.case.in_(chunk)).execute()
        Case.update(
            summary=ANONYMISED, request=_anonymised_text(Case.request),
            facts=_anonymised_text(Case.facts), reasons=_anonymised_text(Case.reasons),
            answer_given=_anonymised_text(Case.answer_given),
            reject_reason=_anonymised_text(Case.reject_reason), search_text="",
            **{f.name: value for f, value in Case.changed_by("清理过期数据").items()},
        ).where(Case.id.in_(chunk)).execute()
        kinds = dict(Petitioner.select(Petitioner.id, Petitioner.kind)
                     .where(Petitioner.id.in_([link.petitioner_id for link in links])).tuples())
        for link in links:  # the case keeps its number of people, not who they were
            blank = Petitioner.create(kind=kinds.get(link.petitioner_id, "个人"), name=ANONYMISED,
                                      doc_type="无", id_number=None, phone="", phone_alt="",
                                      address="")
            CasePetitioner.update(petitioner=blank).where(CasePetitioner.id == link.id).execute()
        actor = session.current().username
        for case_id, n in per_case.items():  # the timeline keeps that there were papers
            CaseEvent.create(case=case_id, type="attachment_removed", on=today, actor=actor,
                             note=f"保存期满，附件{n}份随匿名化删除")
    removed = _remove_orphans(people)
    return PurgeReport(mode=mode, cutoff=cutoff, cases=len(ids), events=events,
                       petitioners_removed=removed, case_nos=tuple(nos),
                       attachments=attachments, files_removed=_remove_unused_files(digests))
