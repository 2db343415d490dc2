"""Crash trials: a writer process registers cases until it is killed with SIGKILL; then the
database is reopened the way the program opens it and checked.

Run as a module, this file is the writer:

    python -m tests.core.store.crash_writer DATA_DIR TRIAL SEED

It opens the data directory with `storage.open_data_dir`, prints ``READY`` and then loops
forever, each step in its own transaction through the real services:

* a new intake (`intake.save_intake`): 受理 (no event) or 转送 (the forwarding event is written
  in the same transaction), one or two petitioners;
* a repeat visit (`intake.record_repeat_visit`) on a case saved earlier.

Before a step it prints ``P …`` (pending); only after the service returned — the transaction
committed — it prints the confirmation (``C …`` / ``V …``), flushed at once. So every
confirmation on stdout is a save the clerk would have seen succeed, and at most one step (the
last ``P`` without confirmation) was in flight when the kill came.

`run_trials` (used by tests/core/test_crash_safety.py and bench/crash_trials.py) starts the
writer, kills it at a random moment, reopens the database and checks, after every kill:
`PRAGMA integrity_check`, the FTS index, foreign keys, every confirmed case present and whole
(petitioner links, events, search text, found by search), no half case or orphan petitioner,
the in-flight step either wholly there or wholly absent, and the audit chain intact with one
row per case and per event. The ledger carries over: every trial continues on the database
the previous kill left behind.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
TODAY = dt.date(2026, 11, 28)
RECEIVED = dt.date(2026, 9, 21)
NAMES = ("王秀英", "李建国", "赵桂兰", "陈昇", "周喆", "𠀀德福")  # one with a rare (Ext. B) character
ID_WANG = "11010519491231002X"


# --------------------------------------------------------------------------- the writer


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def writer(data_root: Path, trial: int, seed: int) -> None:
    from xinfang_desk.core.cases.records import CaseInput, PetitionerInput
    from xinfang_desk.core.intake import desk as intake_service
    from xinfang_desk.core.store import storage
    from xinfang_desk.core.store.models import Case, Unit

    rng = random.Random(seed)
    storage.open_data_dir(data_root, today=TODAY)
    existing = [no for (no,) in Case.select(Case.case_no).tuples()]
    units = [name for (name,) in Unit.select(Unit.name).order_by(Unit.id).tuples()]
    _out("READY")
    step = 0
    while True:
        step += 1
        if existing and rng.random() < 0.25:
            case_no = rng.choice(existing)
            _out(f"P visit {case_no}")
            intake_service.record_repeat_visit(case_no, TODAY, note=f"第{trial}轮再次来访")
            _out(f"V {case_no}")
            continue
        token = f"K{trial}x{step}Z"
        forward = rng.random() < 0.4
        n_pets = rng.choice((1, 1, 2))
        pets = [PetitionerInput(name=rng.choice(NAMES), phone="13800001234",
                                address=f"顺庆区中城街道{step}号")]
        if n_pets == 2:
            # The second one is known by ID number: the petitioner row is reused and updated.
            pets.append(PetitionerInput(name="王秀英", id_number=ID_WANG,
                                        phone=f"1390000{step % 10000:04d}"))
        data = CaseInput(
            received_on=RECEIVED, channel="来访", category="申诉求决",
            summary=f"反映单位拖欠工资 {token}", request="要求单位支付拖欠的工资",
            facts=f"第{trial}轮第{step}件，" + "工资未发放。" * rng.randint(1, 200),
            petitioners=pets, disposition="转送" if forward else "受理",
            unit=rng.choice(units) if forward else "", field="劳动社保/劳动报酬", clerk="张三",
        )
        n_events = 1 if forward else 0
        _out(f"P case {token} {n_events} {n_pets}")
        saved = intake_service.save_intake(data, today=TODAY)
        _out(f"C {saved.case_no} {token} {n_events} {n_pets}")
        existing.append(saved.case_no)


# --------------------------------------------------------------------------- the ledger


@dataclass
class Expected:
    token: str
    events: int
    petitioners: int


@dataclass
class Ledger:
    """What the writers confirmed, over all trials so far."""

    cases: dict[str, Expected] = field(default_factory=dict)
    confirmed_steps: int = 0
    in_flight_committed: int = 0
    in_flight_absent: int = 0

    def apply(self, lines: list[str]) -> tuple[str, list[str]] | None:
        """Add the confirmed steps; return the in-flight step (kind, args), if any."""
        pending: tuple[str, list[str]] | None = None
        for line in lines:
            kind, *args = line.split()
            if kind == "READY":
                continue
            if kind == "P":
                pending = (args[0], args[1:])
            elif kind == "C":
                case_no, token, n_events, n_pets = args
                self.cases[case_no] = Expected(token, int(n_events), int(n_pets))
                self.confirmed_steps += 1
                pending = None
            elif kind == "V":
                self.cases[args[0]].events += 1
                self.confirmed_steps += 1
                pending = None
            else:
                raise ValueError(f"unexpected writer line {line!r}")
        return pending


# --------------------------------------------------------------------------- the check


def check_database(data_root: Path, ledger: Ledger, pending, new_cases: list[str]) -> list[str]:
    """Reopen like the program does and check everything; returns the problems found (and
    updates the ledger with the in-flight step if it turned out committed)."""
    from xinfang_desk.core.cases import search
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.store import audit, storage
    from xinfang_desk.core.store.db import database
    from xinfang_desk.core.store.models import AuditLog, Case, CaseEvent, CasePetitioner, Petitioner

    problems: list[str] = []
    try:
        storage.open_data_dir(data_root, today=TODAY)
    except XinfangError as exc:
        return [f"reopening failed: {exc}"]
    try:
        rows = [r[0] for r in database.execute_sql("PRAGMA integrity_check").fetchall()]
        if rows != ["ok"]:
            problems.append(f"integrity_check: {rows[:5]}")
        fk = database.execute_sql("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk[:5]}")
        try:
            database.execute_sql("INSERT INTO case_fts(case_fts) VALUES('integrity-check')")
        except Exception as exc:  # noqa: BLE001 - reported as a problem, not raised
            problems.append(f"FTS index integrity-check: {exc}")

        cases = {no: (cid, text) for cid, no, text in
                 Case.select(Case.id, Case.case_no, Case.search_text).tuples()}
        links: dict[int, int] = {}
        for (cid,) in CasePetitioner.select(CasePetitioner.case).tuples():
            links[cid] = links.get(cid, 0) + 1
        events: dict[int, int] = {}
        for (cid,) in CaseEvent.select(CaseEvent.case).tuples():
            events[cid] = events.get(cid, 0) + 1
        orphans = (Petitioner.select().where(Petitioner.id.not_in(
            CasePetitioner.select(CasePetitioner.petitioner))).count())
        if orphans:
            problems.append(f"{orphans} petitioner row(s) without a case (half write)")
        for no, (cid, _) in cases.items():
            if not links.get(cid):
                problems.append(f"half case {no}: a case row without its petitioner link")

        # The step in flight at the kill: wholly there or wholly absent.
        if pending is not None:
            kind, args = pending
            if kind == "case":
                token, n_events, n_pets = args[0], int(args[1]), int(args[2])
                found = [no for no, (_, text) in cases.items() if token in text]
                if found:
                    ledger.cases[found[0]] = Expected(token, n_events, n_pets)
                    new_cases.append(found[0])
                    ledger.in_flight_committed += 1
                else:
                    ledger.in_flight_absent += 1
            elif kind == "visit":
                cid = cases[args[0]][0] if args[0] in cases else None
                expected = ledger.cases[args[0]].events
                have = events.get(cid, 0)
                if have == expected + 1:
                    ledger.cases[args[0]].events += 1
                    ledger.in_flight_committed += 1
                else:
                    ledger.in_flight_absent += 1

        unknown = sorted(set(cases) - set(ledger.cases))
        if unknown:
            problems.append(f"cases nobody confirmed and not in flight: {unknown[:5]}")
        for no, exp in ledger.cases.items():
            if no not in cases:
                problems.append(f"confirmed case {no} LOST")
                continue
            cid, text = cases[no]
            if exp.token not in text:
                problems.append(f"{no}: search text {text[:40]!r} lacks {exp.token}")
            if links.get(cid, 0) != exp.petitioners:
                problems.append(f"{no}: {links.get(cid, 0)} petitioner links, "
                                f"expected {exp.petitioners}")
            if events.get(cid, 0) != exp.events:
                problems.append(f"{no}: {events.get(cid, 0)} events, expected {exp.events}")
        for no in new_cases:
            hits = [r.case_no for r in search.search_cases(ledger.cases[no].token).rows]
            if hits != [no]:
                problems.append(f"search for {ledger.cases[no].token} found {hits}, not {no}")

        result = audit.verify()
        if not result.ok:
            problems.append(f"audit chain: {result.message}")
        created = AuditLog.select().where(AuditLog.action == "case_created").count()
        if created != len(cases):
            problems.append(f"{created} case_created audit rows for {len(cases)} cases")
        audited_events = AuditLog.select().where(AuditLog.action == "event").count()
        if audited_events != sum(events.values()):
            problems.append(f"{audited_events} event audit rows for {sum(events.values())} events")
    finally:
        storage.close()
    return problems


# --------------------------------------------------------------------------- the trials


@dataclass
class TrialStats:
    kills: int = 0
    early_kills: int = 0  # during start-up (opening, checking), before the first write
    confirmed_cases: int = 0
    confirmed_steps: int = 0
    in_flight_committed: int = 0
    in_flight_absent: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def run_trials(n: int, data_root: Path, *, seed: int = 20261128, max_delay: float = 0.25,
               early_share: float = 0.1, log: Callable[[str], None] | None = None) -> TrialStats:
    """n writer runs, each killed with SIGKILL at a random moment, each followed by the check.
    Stops at the first trial with problems (they are in the result)."""
    rng = random.Random(seed)
    ledger = Ledger()
    stats = TrialStats()
    started = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for trial in range(1, n + 1):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.core.store.crash_writer", str(data_root), str(trial),
             str(rng.randrange(2**32))],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            bufsize=0)  # unbuffered: readline() must not swallow lines communicate() needs
        early = rng.random() < early_share
        lines_head = b""
        if early:
            time.sleep(rng.uniform(0, 0.4))  # somewhere in start-up or the first writes
        else:
            lines_head = proc.stdout.readline()
            if lines_head != b"READY\n":
                proc.kill()
                out, err = proc.communicate()
                stats.problems.append(f"trial {trial}: writer did not start: "
                                      f"{err.decode(errors='replace')[-2000:]}")
                break
            time.sleep(rng.uniform(0, max_delay))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        if proc.returncode != -signal.SIGKILL:
            stats.problems.append(f"trial {trial}: writer ended by itself (rc "
                                  f"{proc.returncode}): {err.decode(errors='replace')[-2000:]}")
            break
        stats.kills += 1
        stats.early_kills += early and b"READY" not in lines_head + out
        text = (lines_head + out).decode()
        lines = text.split("\n")[:-1]  # a last line without its newline was cut by the kill
        before = set(ledger.cases)
        pending = ledger.apply(lines)
        new_cases = [no for no in ledger.cases if no not in before]
        problems = check_database(data_root, ledger, pending, new_cases)
        if problems:
            stats.problems.extend(f"trial {trial}: {p}" for p in problems)
            break
        if log and trial % 50 == 0:
            log(f"{trial} kills, {len(ledger.cases)} confirmed cases, all checks passed")
    stats.confirmed_cases = len(ledger.cases)
    stats.confirmed_steps = ledger.confirmed_steps
    stats.in_flight_committed = ledger.in_flight_committed
    stats.in_flight_absent = ledger.in_flight_absent
    stats.seconds = time.perf_counter() - started
    return stats


if __name__ == "__main__":
    writer(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
