"""Garbage collection runs on the GUI thread only (ui/gc_guard.py)."""

import gc
import threading

from xinfang_desk.ui.gc_guard import GuiThreadCollector, collect_like_python


class _Cycle:
    def __init__(self):
        self.me = self


def test_the_collector_turns_automatic_collection_off_and_collects_on_its_timer(qtbot):
    gc.enable()
    collector = GuiThreadCollector(interval_ms=20)
    try:
        assert not gc.isenabled()
        freed = threading.Event()

        class Watched(_Cycle):
            def __del__(self):
                freed.set()

        Watched()
        for _ in range(gc.get_threshold()[0] + 10):
            _Cycle()  # garbage enough to pass the first threshold
        # A worker allocating now would not collect; the GUI thread's timer does.
        qtbot.waitUntil(freed.is_set, timeout=5000)
    finally:
        collector.stop()
    assert gc.isenabled()


def test_nothing_is_collected_below_the_threshold():
    gc.collect()
    gc.disable()
    try:
        _Cycle()
        assert gc.get_count()[0] < gc.get_threshold()[0]
        assert collect_like_python() == 0
    finally:
        gc.enable()
