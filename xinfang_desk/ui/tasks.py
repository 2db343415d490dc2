"""Run core calls off the GUI thread and deliver results back on it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Signals(QObject):
    sig_done = Signal(object)
    sig_failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable, signals: _Signals):
        super().__init__()
        self.fn, self.signals = fn, signals

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # noqa: BLE001 - reported to the GUI, which shows it
            from xinfang_desk.core.errors import XinfangError

            if isinstance(exc, XinfangError):  # a refusal the user reads, not a bug
                log.info("refused: %s", exc)
            else:
                log.exception("background task failed")
            self.signals.sig_failed.emit(exc)
        else:
            self.signals.sig_done.emit(result)


class TaskRunner(QObject):
    """One worker thread for database work: SQLite writes are serialised anyway, and one
    thread keeps the connection use simple."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._alive: set[_Signals] = set()

    def run(self, fn: Callable, on_done: Callable, on_failed: Callable | None = None) -> None:
        signals = _Signals()
        self._alive.add(signals)  # keep the QObject alive until delivery

        def done(result):
            self._release(signals)
            on_done(result)

        def failed(exc):
            self._release(signals)
            if on_failed:
                on_failed(exc)

        signals.sig_done.connect(done)
        signals.sig_failed.connect(failed)
        self.pool.start(_Job(fn, signals))

    def _release(self, signals: _Signals) -> None:
        # The closures above refer back to `signals`: break the cycle so jobs do not pile up.
        self._alive.discard(signals)
        signals.deleteLater()

    def wait(self, msecs: int = 5000) -> bool:
        return self.pool.waitForDone(msecs)
