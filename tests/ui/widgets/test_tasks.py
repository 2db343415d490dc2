"""Worker results reach only owners that still exist (ui/widgets/tasks.py)."""

import functools
import threading

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

from xinfang_desk.ui.cases import table_model
from xinfang_desk.ui.cases.table_model import CaseTableModel
from xinfang_desk.ui.widgets.tasks import TaskRunner, owners_of


def _held_fetch(monkeypatch):
    """fetch_page waits until the test lets it answer."""
    release = threading.Event()
    real = table_model.fetch_page

    def held(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(table_model, "fetch_page", held)
    return release


def test_a_case_list_reload_answered_after_its_model_was_deleted_is_dropped(
        qtbot, store, tasks, monkeypatch):
    """Signing out while the case list reloads: the model is deleted before the page comes
    back. The page must be dropped quietly, not raise "Internal C++ object (CaseTableModel)
    already deleted" in the event loop (pytest-qt fails the test on such an exception)."""
    release = _held_fetch(monkeypatch)
    gone = CaseTableModel(tasks)
    gone.reload()
    shiboken6.delete(gone)  # the window closed on sign-out
    kept = CaseTableModel(tasks)
    with qtbot.waitSignal(kept.sig_loaded, timeout=10000) as loaded:
        kept.reload()
        release.set()
    assert loaded.args == [0]  # the live model got its (empty) first page
    assert tasks.wait(10000)
    qtbot.wait(50)  # deliver anything still queued for the deleted model


def test_a_failure_for_a_deleted_model_is_dropped_too(qtbot, store, tasks, monkeypatch):
    release = threading.Event()

    def broken(*args, **kwargs):
        release.wait(10)
        raise RuntimeError("database gone")

    monkeypatch.setattr(table_model, "fetch_page", broken)
    gone = CaseTableModel(tasks)
    gone.reload()
    shiboken6.delete(gone)
    release.set()
    assert tasks.wait(10000)
    qtbot.wait(50)


def test_a_lambda_holding_a_deleted_widget_is_not_called(qtbot, qapp):
    runner = TaskRunner()
    label = QLabel()
    called, control = [], []
    gate = threading.Event()
    runner.run(lambda: gate.wait(10) and 42, lambda result: called.append(label.setText(str(result))))
    runner.run(lambda: 7, control.append)  # no Qt owner: always delivered
    shiboken6.delete(label)
    gate.set()
    qtbot.waitUntil(lambda: control == [7], timeout=10000)
    assert called == []
    assert runner.wait(10000)


def test_owners_are_found_in_bound_methods_closures_and_partials(qapp):
    class Page(QObject):
        def done(self, result):
            pass

    page, other = Page(), QObject()
    assert owners_of(page.done) == (page,)
    assert owners_of(lambda r: page.done(r)) == (page,)
    assert set(owners_of(functools.partial(page.done), lambda r: other)) == {page, other}
    assert owners_of(print, None, lambda r: r) == ()
