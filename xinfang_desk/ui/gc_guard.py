"""Python's garbage collection on the GUI thread only.

The automatic collector runs in whichever thread happens to allocate when a threshold is
reached: on a worker thread it may finalise a Qt object (a dialog, a signal holder caught in a
reference cycle) that only the GUI thread may destroy, and crash the process (seen in the test
suite: a segmentation fault while a worker restored a backup). So the automatic collector is
turned off and the same threshold-driven collections run from a timer on the GUI thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


def collect_like_python() -> int:
    """One step of what the automatic collector would do now (by its thresholds), here."""
    found = 0
    count0, count1, count2 = gc.get_count()
    limit0, limit1, limit2 = gc.get_threshold()
    if count0 > limit0:
        generation = 0
        if count1 > limit1:
            generation = 2 if count2 > limit2 else 1
        found = gc.collect(generation)
    return found


class GuiThreadCollector(QObject):
    """Turns the automatic collector off while it exists and collects from a timer on the
    thread that created it (the GUI thread)."""

    def __init__(self, interval_ms: int = 500, parent: QObject | None = None):
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(collect_like_python)
        self.timer.start(interval_ms)

    def stop(self) -> None:
        self.timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
