"""A process killed with SIGKILL in the middle of saving loses nothing it had confirmed and
leaves no half-saved case (the writer and the checks are in tests/core/store/crash_writer.py;
bench/crash_trials.py runs the same trials 300 times)."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.core.store.crash_writer import ROOT, TODAY, Ledger, check_database, run_trials

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL trials need POSIX")

TRIALS = 40


def test_killed_writers_lose_no_confirmed_case_and_leave_no_half_case(tmp_path):
    stats = run_trials(TRIALS, tmp_path / "data", seed=20261128)
    lost = sum("LOST" in p for p in stats.problems)
    print(f"\n{stats.kills - bool(stats.problems)} kills survived ({stats.early_kills} during "
          f"start-up), {len(stats.problems)} problems, {lost} of {stats.confirmed_cases} "
          f"confirmed cases lost; {stats.confirmed_steps} confirmed "
          f"saves; step in flight at the kill: {stats.in_flight_committed} wholly saved, "
          f"{stats.in_flight_absent} wholly absent ({stats.seconds:.1f} s)")
    assert stats.problems == []
    assert stats.kills == TRIALS
    # The trials must really have killed writers in the middle of their work.
    assert stats.confirmed_cases >= TRIALS
    assert stats.in_flight_committed + stats.in_flight_absent >= TRIALS // 2


def test_the_check_finds_a_lost_case_and_a_half_case(tmp_path):
    """The checker itself can fail: a confirmed case removed behind the program's back, and a
    case row without its petitioner link, are both reported."""
    from xinfang_desk.core.store import storage
    from xinfang_desk.core.store.db import database

    root = tmp_path / "data"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "tests.core.store.crash_writer", str(root), "1",
                             "7"], cwd=ROOT, env=env, stdout=subprocess.PIPE, bufsize=0)
    first = proc.stdout.readline()
    assert first == b"READY\n"
    deadline = time.monotonic() + 20
    lines = []
    while sum(line.startswith("C ") for line in lines) < 3 and time.monotonic() < deadline:
        lines.append(proc.stdout.readline().decode().rstrip("\n"))
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    ledger = Ledger()
    pending = ledger.apply(lines)
    confirmed = list(ledger.cases)
    assert len(confirmed) >= 3
    assert check_database(root, ledger, pending, []) == []

    storage.open_data_dir(root, today=TODAY)
    database.execute_sql("DELETE FROM case_petitioner WHERE case_id ="
                         " (SELECT id FROM xf_case WHERE case_no = ?)", (confirmed[0],))
    database.execute_sql("DELETE FROM case_event WHERE case_id ="
                         " (SELECT id FROM xf_case WHERE case_no = ?)", (confirmed[1],))
    database.execute_sql("DELETE FROM xf_case WHERE case_no = ?", (confirmed[1],))
    storage.close()
    problems = check_database(root, ledger, None, [])
    text = "\n".join(problems)
    assert f"half case {confirmed[0]}" in text
    assert f"confirmed case {confirmed[1]} LOST" in text
