"""One GUI process for bench/run_all.py (offscreen): start-up time, memory, scrolling.

    python bench/gui_probe.py ours  DATA_DIR --t0 EPOCH [--scroll N] [--jumps N]
    python bench/gui_probe.py floor DATA_DIR --t0 EPOCH

`ours` starts the program as the launcher does with no user account (instance lock,
open_data_dir with its start-up check and migrations, main window for the SYSTEM actor), shows
the 案件列表 tab and waits until the rows on screen are loaded and painted. `floor` is a bare
PySide6 program: a window with a QTableView over the newest 200 cases read with plain sqlite3.
Prints one JSON line: seconds from --t0 (taken by the parent before starting this process)
to each phase, and memory (VmRSS, VmHWM) in MiB; with --scroll, RSS while paging down N
screens and jumping to N random places in the list.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if sys.version_info < (3, 12):
    # PySide6 6.12 returns borrowed True/None from some calls (SignalInstance.emit,
    # QApplication.processEvents): thousands of calls drive their refcount to 0, which is
    # fatal on Python 3.11. Make them immortal, as Python 3.12 does (see bench_case_list.py).
    for _b in (True, False, None):
        ctypes.c_ssize_t.from_address(id(_b)).value += 1 << 40


def memory() -> dict:
    out = {}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = round(int(line.split()[1]) / 1024, 1)
    return out


def stopwatch(t0: float):
    """A dict of named marks, seconds since t0, and the function that records one."""
    marks = {}

    def mark(name):
        marks[name] = round(time.time() - t0, 4)

    return marks, mark


def ours(args) -> dict:
    marks, mark = stopwatch(args.t0)
    mark("interpreter")
    from xinfang_desk.core.drivers import import_peewee

    import_peewee()  # as the program's entry point does first (cli.main.main)
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from xinfang_desk.core.store import instance_lock
    from xinfang_desk.core.store.storage import open_unchecked
    from xinfang_desk.ui.main_window import build_main_window
    from xinfang_desk.ui.style import setup_application

    mark("imports")
    app = QApplication([])
    setup_application(app)
    mark("qapplication")
    lock = instance_lock.acquire(Path(args.data))
    # As the program does (ui.recovery): open without the integrity check, which (when one is
    # owed: after an unclean stop, or the daily one) runs on a thread of its own.
    data_dir, check = open_unchecked(Path(args.data))
    mark("database_open")
    checked = threading.Thread(
        target=lambda: (check.run() if check else None, mark("check_done")), daemon=True)
    checked.start()
    window = build_main_window(data_dir)
    window.resize(1280, 800)
    window.tabs.setCurrentWidget(window.cases)
    window.show()
    mark("window_shown")
    model, table = window.cases.model, window.cases.table

    def screen_loaded() -> bool:
        if model.loading or model.rowCount() == 0:
            return False
        table.viewport().repaint()
        top = table.rowAt(0)
        if top < 0:
            return False
        bottom = table.rowAt(table.viewport().height() - 1)
        bottom = bottom if bottom >= 0 else model.rowCount() - 1
        return model.row_at(top) is not None and model.row_at(bottom) is not None

    def wait_painted():
        while True:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            if screen_loaded():
                return
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)

    wait_painted()
    mark("list_filled")
    checked.join()
    result = {"marks": marks, "rows": model.rowCount(), "memory_ready": memory()}
    if args.scroll or args.jumps:
        bar = table.verticalScrollBar()
        per_screen = max(1, table.rowAt(table.viewport().height() - 1) - table.rowAt(0) + 1)
        samples = [(0, memory()["VmRSS"])]
        rows_passed = 0
        step_ms = []
        for i in range(args.scroll):
            t = time.perf_counter()
            bar.setValue(bar.value() + per_screen)
            wait_painted()
            step_ms.append((time.perf_counter() - t) * 1000)
            rows_passed += per_screen
            if (i + 1) % max(1, args.scroll // 5) == 0:
                samples.append((rows_passed, memory()["VmRSS"]))
        rng = random.Random(3)
        jump_ms = []
        for i in range(args.jumps):
            t = time.perf_counter()
            bar.setValue(rng.randrange(bar.maximum() + 1))
            wait_painted()
            jump_ms.append((time.perf_counter() - t) * 1000)
            rows_passed += per_screen
            if (i + 1) % max(1, args.jumps // 5) == 0:
                samples.append((f"jumps {i + 1}", memory()["VmRSS"]))
        step_ms.sort()
        jump_ms.sort()
        result.update(scroll_rss=samples, rows_per_screen=per_screen,
                      cached_rows=model.cached_rows(),
                      page_down_ms_median=round(step_ms[len(step_ms) // 2], 2) if step_ms else None,
                      page_down_ms_max=round(step_ms[-1], 2) if step_ms else None,
                      jump_ms_median=round(jump_ms[len(jump_ms) // 2], 2) if jump_ms else None,
                      jump_ms_max=round(jump_ms[-1], 2) if jump_ms else None)
    result["memory_end"] = memory()
    window.tasks.wait()
    instance_lock.release(lock)
    return result


def floor(args) -> dict:
    marks, mark = stopwatch(args.t0)
    mark("interpreter")
    import sqlite3

    from PySide6.QtCore import QEventLoop
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    mark("imports")
    app = QApplication([])
    mark("qapplication")
    con = sqlite3.connect(str(Path(args.data) / "xinfang.sqlite3"))
    rows = con.execute(
        "SELECT case_no, received_on, channel, category, summary, status FROM xf_case "
        "ORDER BY received_on DESC, id DESC LIMIT 200").fetchall()
    total = con.execute("SELECT COUNT(*) FROM xf_case").fetchone()[0]
    mark("database_open")
    model = QStandardItemModel(len(rows), 6)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            model.setItem(r, c, QStandardItem(str(value)))
    window = QMainWindow()
    table = QTableView()
    table.setModel(model)
    window.setCentralWidget(table)
    window.setWindowTitle(f"{total}")
    window.resize(1280, 800)
    window.show()
    mark("window_shown")
    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    table.viewport().repaint()
    mark("list_filled")
    return {"marks": marks, "rows": total, "memory_ready": memory(), "memory_end": memory()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("ours", "floor"))
    ap.add_argument("data")
    ap.add_argument("--t0", type=float, default=None)
    ap.add_argument("--scroll", type=int, default=0)
    ap.add_argument("--jumps", type=int, default=0)
    args = ap.parse_args()
    if args.t0 is None:
        args.t0 = time.time()
    result = ours(args) if args.mode == "ours" else floor(args)
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
    if args.mode == "ours":  # a clean close: else the next probe finds an unclean stop
        from xinfang_desk.core.store import storage

        storage.close()
    os._exit(0)  # skip the rest of the teardown: not part of what is measured


if __name__ == "__main__":
    main()
