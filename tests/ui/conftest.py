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


@pytest.fixture
def tasks(qapp):
    """A TaskRunner, waited on before the test's other fixtures are torn down."""
    from xinfang_desk.ui.widgets.tasks import TaskRunner

    runner = TaskRunner()
    yield runner
    runner.wait(10000)
