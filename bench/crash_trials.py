"""Crash trials: kill a writing process with SIGKILL many times and check the data after each
kill (a plain script, not a test; POSIX only).

    python bench/crash_trials.py [--trials 300] [--seed N] [--dir /tmp/xf-crash] [--keep]

Each trial starts a writer that registers cases and repeat visits through the real services,
each in its own transaction, printing each case number only after its save returned; the
writer is killed at a random moment, and the database is reopened with storage.open_data_dir
and checked: PRAGMA integrity_check, the FTS index, foreign keys, every confirmed case
present and whole, no half case, the step in flight wholly there or wholly absent, the audit
chain intact (see tests/core/store/crash_writer.py). Prints one summary line, e.g.

    300 kills survived, integrity ok, 0 confirmed cases lost

and exits 1 with the problems if any check fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.core.store.crash_writer import run_trials  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--max-delay", type=float, default=0.25,
                        help="longest wait after the writer is ready, in seconds")
    parser.add_argument("--dir", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args(argv)
    if os.name != "posix":
        print("crash trials need POSIX (SIGKILL)", file=sys.stderr)
        return 2

    work = args.dir or Path(tempfile.mkdtemp(prefix="xf-crash-"))
    data_root = work / "data"
    if data_root.exists():
        shutil.rmtree(data_root)
    try:
        stats = run_trials(args.trials, data_root, seed=args.seed, max_delay=args.max_delay,
                           log=print)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{stats.confirmed_steps} confirmed saves ({stats.confirmed_cases} cases) in "
          f"{stats.seconds:.1f} s; {stats.early_kills} kills during start-up; step in flight at "
          f"the kill: {stats.in_flight_committed} wholly saved, {stats.in_flight_absent} wholly "
          "absent")
    if stats.problems:
        print(f"FAILED after {stats.kills} kills:")
        for problem in stats.problems:
            print("  " + problem)
        return 1
    print(f"{stats.kills} kills survived, integrity ok, 0 confirmed cases lost")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
