"""Timing of the case list model on a large database (a plain script, not a test).

    python bench/bench_case_list.py [--cases 100000] [--dir /tmp/xf-bench] [--keep]

Builds N synthetic cases with the fast builder of bench_core_search.py, then measures, with
the real worker thread and event loop (offscreen): the first screen of CasesPage (query to
rows painted), scrolling page by page, jumping to the middle and the end, re-sorting, a
search, and how many rows the model keeps in memory. Times are in milliseconds.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

if sys.version_info < (3, 12):
    # PySide6 6.12 returns borrowed True/None from some calls (SignalInstance.emit,
    # QApplication.processEvents): thousands of calls drive their refcount to 0, which is
    # fatal on Python 3.11. Make them immortal, as Python 3.12 does.
    for _b in (True, False, None):
        ctypes.c_ssize_t.from_address(id(_b)).value += 1 << 40


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    from bench_core_search import build
    from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt
    from PySide6.QtWidgets import QApplication

    from xinfang_desk.core.store.models import Case
    from xinfang_desk.core.store.storage import close, open_data_dir
    from xinfang_desk.ui.cases.page import CasesPage
    from xinfang_desk.ui.style import setup_application
    from xinfang_desk.ui.widgets.tasks import TaskRunner

    app = QApplication([])
    setup_application(app)
    root = args.dir or Path(tempfile.mkdtemp(prefix="xf-bench-list-"))
    open_data_dir(root)
    existing = Case.select().count()
    if existing < args.cases:
        t0 = time.perf_counter()
        build(args.cases - existing)
        print(f"built {args.cases - existing} cases in {time.perf_counter() - t0:.1f} s")

    tasks = TaskRunner()
    page = CasesPage(tasks)
    page.resize(1280, 760)
    page.show()
    model, table = page.model, page.table

    def wait_for(signal, action) -> float:
        """ms from action() until signal fires (the event loop runs meanwhile)."""
        fired = []
        signal.connect(lambda *a: fired.append(a))
        timer = QElapsedTimer()
        timer.start()
        action()
        while not fired:
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        ms = timer.nsecsElapsed() / 1e6
        signal.disconnect()
        return ms

    def painted(action) -> float:
        """ms until the rows on screen are loaded and painted."""
        timer = QElapsedTimer()
        timer.start()
        action()
        while True:
            # Wait for events like an idle GUI does (a busy loop would starve the worker
            # thread of the GIL), then paint what is on screen.
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            if model.loading:
                app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
                continue
            table.viewport().repaint()
            top = table.rowAt(0)
            bottom = table.rowAt(table.viewport().height() - 1)
            if top < 0:
                continue
            bottom = bottom if bottom >= 0 else model.rowCount() - 1
            if model.row_at(top) is not None and model.row_at(bottom) is not None:
                break
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        return timer.nsecsElapsed() / 1e6

    results = []
    ms = painted(page.refresh)
    results.append(("first screen (query, count, paint)", ms, model.rowCount()))
    ms = painted(page.refresh)
    results.append(("refresh (warm)", ms, model.rowCount()))

    bar = table.verticalScrollBar()
    rows_per_screen = table.rowAt(table.viewport().height() - 1) - table.rowAt(0) + 1
    step_times = []
    requests_before = model.requests
    for _ in range(300):  # 300 screens down, as with the Page Down key held
        step_times.append(painted(lambda: bar.setValue(bar.value() + rows_per_screen)))
    results.append((f"page down x300 ({rows_per_screen} rows/screen): median",
                    statistics.median(step_times), model.requests - requests_before))
    results.append(("page down x300: worst (a page fetch)", max(step_times), model.cached_rows()))
    results.append(("jump to the middle", painted(lambda: bar.setValue(bar.maximum() // 2)),
                    table.rowAt(0)))
    results.append(("jump to the end", painted(lambda: bar.setValue(bar.maximum())),
                    table.rowAt(0)))
    results.append(("sort by 收到日期 ascending",
                    painted(lambda: table.sortByColumn(1, Qt.SortOrder.AscendingOrder)),
                    model.rowCount()))
    results.append(("sort by 状态 descending",
                    painted(lambda: table.sortByColumn(9, Qt.SortOrder.DescendingOrder)),
                    model.rowCount()))
    results.append(("jump to the end (sorted by 状态)", painted(lambda: bar.setValue(bar.maximum())),
                    table.rowAt(0)))
    results.append(("search '拖欠工资' (after the 300 ms pause)",
                    wait_for(model.sig_loaded, lambda: page.search_box.setText("拖欠工资")),
                    model.rowCount()))
    results.append(("filter 状态=已办结 + 领域=劳动社保",
                    wait_for(model.sig_loaded, lambda: (
                        page.search_box.setText(""), page.status_combo.setCurrentText("已办结"),
                        page.field_combo.setCurrentText("劳动社保") if page.field_combo.findText(
                            "劳动社保") >= 0 else None)), model.rowCount()))
    print(f"{'measure':52} {'ms':>8} {'rows/requests':>14}")
    for label, ms, n in results:
        print(f"{label:52} {ms:8.1f} {n:>14}")
    print(f"rows held by the model: {model.cached_rows()} "
          f"(max {model.page_size * model.max_pages}) of {model.rowCount()}")
    tasks.wait()
    close()
    if not args.keep and args.dir is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
