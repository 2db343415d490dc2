"""Run core calls off the GUI thread and deliver results back on it.

A result is delivered only while the Qt objects its callbacks belong to still exist: a page,
dialog or table model deleted meanwhile (signing out, switching user, a restore) has nowhere
to put it, and calling into it would raise "Internal C++ object already deleted" in the event
loop. The owners are found from the callbacks themselves (the object of a bound method, the
Qt objects a lambda or functools.partial holds), so every caller is covered.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable

import shiboken6
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

            exc = _as_connection_error(exc)
            if isinstance(exc, XinfangError):  # a refusal the user reads, not a bug
                log.info("refused: %s", exc)
            else:
                log.exception("background task failed")
            self.signals.sig_failed.emit(exc)
        else:
            self.signals.sig_done.emit(result)


def _as_connection_error(exc: Exception) -> Exception:
    """A lost or impossible server connection, wherever it surfaced (a read outside the core's
    storage_errors too), becomes the Chinese StorageError, and this thread's broken connection
    is dropped so that the next job connects again (the clerk's retry)."""
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.store.db import connection_problem, drop_connection

    if isinstance(exc, XinfangError) or type(exc).__module__.split(".")[0] not in (
            "peewee", "psycopg", "psycopg2"):
        return exc
    message = connection_problem(exc)
    if message is None:
        return exc
    from xinfang_desk.core.errors import StorageError

    drop_connection()
    converted = StorageError(message)
    converted.__cause__ = exc
    return converted


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

    def run(self, fn: Callable, on_done: Callable, on_failed: Callable | None = None, *,
            owners: Iterable[QObject] = ()) -> None:
        """Run `fn` on the worker; `on_done(result)` or `on_failed(exc)` on the GUI thread, but
        only while every owner still exists: those named, and those the callbacks belong to
        (`owners_of`). A result for a deleted owner is dropped quietly."""
        signals = _Signals()
        self._alive.add(signals)  # keep the QObject alive until delivery
        held = (*owners, *owners_of(on_done, on_failed))

        def deliverable(what: str) -> bool:
            if all(shiboken6.isValid(o) for o in held):
                return True
            log.debug("dropped a %s for a deleted owner", what)
            return False

        def done(result):
            self._release(signals)
            if deliverable("result"):
                on_done(result)

        def failed(exc):
            self._release(signals)
            if on_failed is not None and deliverable("failure"):
                on_failed(exc)

        signals.sig_done.connect(done)
        signals.sig_failed.connect(failed)
        self.pool.start(_Job(fn, signals, self.close_after))

    def run_for(self, owners, fn: Callable, on_done: Callable,
                on_failed: Callable | None = None) -> None:
        """`run`, with `owners` named (objects the callbacks use that they do not hold)."""
        self.run(fn, on_done, on_failed, owners=owners)

    def _release(self, signals: _Signals) -> None:
        # The closures above refer back to `signals`: break the cycle so jobs do not pile up.
        self._alive.discard(signals)
        signals.deleteLater()

    def wait(self, msecs: int = 5000) -> bool:
        return self.pool.waitForDone(msecs)


def owners_of(*callbacks: Callable | None) -> tuple[QObject, ...]:
    """The Qt objects the callbacks belong to: the object of a bound method, the Qt objects a
    closure (a lambda, a nested function) or a functools.partial holds, and so on three levels
    down. A loop, not a recursive closure: a closure that refers to itself is a reference cycle,
    which would keep the owners alive until the next garbage collection."""
    found: list[QObject] = []
    seen: set[int] = set()
    todo = [(callback, 0) for callback in callbacks]
    while todo:
        obj, depth = todo.pop()
        if obj is None or id(obj) in seen or depth > 3:
            continue
        seen.add(id(obj))
        if isinstance(obj, QObject):
            found.append(obj)
        elif isinstance(obj, functools.partial):
            todo.extend((part, depth + 1) for part in (obj.func, *obj.args, *obj.keywords.values()))
        else:
            owner = getattr(obj, "__self__", None)
            if owner is not None:
                todo.append((owner, depth + 1))
            for cell in getattr(obj, "__closure__", None) or ():
                try:
                    todo.append((cell.cell_contents, depth + 1))
                except ValueError:  # a cell not yet filled
                    pass
    return tuple(dict.fromkeys(found))
