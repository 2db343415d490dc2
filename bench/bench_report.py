"""Benchmark: the monthly report on a large synthetic database (not a test).

    .venv/bin/python bench/bench_report.py [--cases 100000] [--dir DIR --keep]

Builds the cases with bench_core_search.build (raw inserts, random statuses, so many cases
stay open — a pessimistic load for the overdue count), then times one month's figures and the
workbook. Target (issue 5): a month out of 100,000 cases in under 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core_search import build, timed  # noqa: E402

from xinfang_desk.core import storage  # noqa: E402
from xinfang_desk.core.models import Case  # noqa: E402
from xinfang_desk.core.report import month_range, monthly_figures, write_xlsx  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--keep", action="store_true", help="reuse/keep the database in --dir")
    args = ap.parse_args()
    tmp = None
    root = args.dir
    if root is None:
        tmp = tempfile.TemporaryDirectory()
        root = Path(tmp.name)
    storage.open_data_dir(root)
    if not (args.keep and Case.select().count()):
        build(args.cases)
    total = Case.select().count()
    today = dt.date.today()
    first_of_month = today.replace(day=1)
    last_month = (first_of_month - dt.timedelta(days=1)).replace(day=1)
    start, end = month_range(f"{last_month:%Y-%m}")
    ms, report = timed(lambda: monthly_figures(start, end, today=today), runs=3)
    out = root / "bench-report.xlsx"
    ms_xlsx, _ = timed(lambda: write_xlsx(report, out), runs=3)
    print(f"cases in database: {total:,}")
    print(f"month {start:%Y-%m}: {report.received_total} received")
    print(f"monthly_figures  median {ms:8.1f} ms   (target < 2000 ms)")
    print(f"write_xlsx       median {ms_xlsx:8.1f} ms")
    storage.close()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
