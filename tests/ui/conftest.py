"""Fixtures shared by the UI tests; a module defining its own fixture of the same name wins."""

import pytest

pytest.importorskip("PySide6")


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread(qapp):
    """As the program does (ui/gc_guard.py): no automatic collection, which could run on a
    worker thread and destroy a Qt object there; a full collection after each test, here."""
    import gc

    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()


@pytest.fixture(autouse=True)
def _no_window_outlives_its_test(qapp):
    """Windows a test leaves behind (a flow's main window, closed but not deleted) keep their
    timers: a later refresh would run through the models, by then bound to another test's
    database, on the old window's worker thread, and keep a connection to that file open (its
    WAL then outlives storage.close(), and the next start counts as unclean). Every top-level
    widget is deleted after each test (not closed: a close is the user's act, with its
    sign-out and exit backup); deleting a window waits for its worker threads."""
    yield
    from PySide6.QtCore import QCoreApplication, QEvent

    for widget in qapp.topLevelWidgets():
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def tasks(qapp):
    """A TaskRunner, waited on before the test's other fixtures are torn down."""
    from xinfang_desk.ui.widgets.tasks import TaskRunner

    runner = TaskRunner()
    yield runner
    runner.wait(10000)
