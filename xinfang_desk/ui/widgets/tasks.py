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
    def __init__(self, fn: Callable, signals: _Signals, close_after: bool = False):
        super().__init__()
        self.fn, self.signals, self.close_after = fn, signals, close_after

    def run(self) -> None:
        try:
            try:
                result = self.fn()
            finally:
                if self.close_after:
                    _close_thread_connection()
        except Exception as exc:  # noqa: BLE001 - reported to the GUI, which shows it
            from xinfang_desk.core.errors import XinfangError

            if isinstance(exc, XinfangError):  # a refusal the user reads, not a bug
                log.info("refused: %s", exc)
            else:
                log.exception("background task failed")
            self.signals.sig_failed.emit(exc)
        else:
            self.signals.sig_done.emit(result)


def _close_thread_connection() -> None:
    from xinfang_desk.core.store.db import database

    if database.obj is not None and not database.is_closed():
        database.close()  # this thread's connection only (peewee keeps one per thread)


class TaskRunner(QObject):
    """One worker thread for database work: SQLite writes are serialised anyway, and one
    thread keeps the connection use simple.

    `close_after`: a second, read-only lane (the follow-up board's long loads, so that the
    case list's pages never queue behind them) closes its connection after every job, so
    that no connection outlives the job (a restore replaces the file)."""

    def __init__(self, parent: QObject | None = None, *, close_after: bool = False):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.close_after = close_after
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
        self.pool.start(_Job(fn, signals, self.close_after))

    def run_for(self, owners, fn: Callable, on_done: Callable,
                on_failed: Callable | None = None) -> None:
        """`run`, delivering the result only while every Qt object of `owners` still exists
        (a page closed meanwhile, e.g. after a restore, has nowhere to put it)."""
        import shiboken6

        def alive() -> bool:
            return all(shiboken6.isValid(o) for o in owners)

        self.run(fn, lambda result: alive() and on_done(result),
                 lambda exc: alive() and on_failed is not None and on_failed(exc))

    def _release(self, signals: _Signals) -> None:
        # The closures above refer back to `signals`: break the cycle so jobs do not pile up.
        self._alive.discard(signals)
        signals.deleteLater()

    def wait(self, msecs: int = 5000) -> bool:
        return self.pool.waitForDone(msecs)
