"""Benchmark: the monthly report on a large synthetic database (not a test).

    .venv/bin/python bench/bench_report.py [--cases 100000] [--demo] [--dir DIR --keep]
                                           [--month YYYY-MM] [--runs 5]

Builds the cases with bench_core_search.build (raw inserts, random statuses, no events, so many
cases stay open — a pessimistic load for the overdue count), or with --demo through
core.demo.generate_demo (a realistic year of timelines: about 3 events a case, replies,
reviews, reopenings — what the replays in the report really chew on; about 4 minutes for
100,000 cases, so keep it: --dir /tmp/xf_bench_100k --keep). Then times one month's figures
(default: last month; the previous month's headline figures included) and the workbook.
Target (issue 5): a month out of 100,000 cases in under 2 s.
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

from xinfang_desk.core.report.figures import month_range, monthly_figures  # noqa: E402
from xinfang_desk.core.report.xlsx import write_xlsx
from xinfang_desk.core.store import storage  # noqa: E402
from xinfang_desk.core.store.models import Case, CaseEvent  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--keep", action="store_true", help="reuse/keep the database in --dir")
    ap.add_argument("--demo", action="store_true",
                    help="build with core.demo (realistic timelines) instead of raw inserts")
    ap.add_argument("--month", default=None, help="YYYY-MM (default: last month)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs after one warm-up")
    args = ap.parse_args()
    tmp = None
    root = args.dir
    if root is None:
        tmp = tempfile.TemporaryDirectory()
        root = Path(tmp.name)
    storage.open_data_dir(root)
    today = dt.date.today()
    if not (args.keep and Case.select().count()):
        if args.demo:
            from xinfang_desk.core.demo.generate import generate_demo

            generate_demo(args.cases, today=today, batch_size=2000)
        else:
            build(args.cases)
    total = Case.select().count()
    events = CaseEvent.select().count()
    if args.month:
        month = args.month
    else:
        month = f"{(today.replace(day=1) - dt.timedelta(days=1)):%Y-%m}"
    start, end = month_range(month)
    ms, report = timed(lambda: monthly_figures(start, end, today=today), runs=args.runs)
    out = root / "bench-report.xlsx"
    ms_xlsx, _ = timed(lambda: write_xlsx(report, out), runs=3)
    print(f"cases in database: {total:,}, events: {events:,}")
    print(f"month {start:%Y-%m}: {report.received_total} received, {report.replies} replies, "
          f"{report.overdue_at_end} overdue at the end "
          f"({report.previous['overdue_at_end']} at the previous month's end)")
    print(f"monthly_figures  median {ms:8.1f} ms   (target < 2000 ms; {args.runs} runs)")
    print(f"write_xlsx       median {ms_xlsx:8.1f} ms")
    storage.close()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
