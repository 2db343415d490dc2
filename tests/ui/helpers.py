"""Fixtures shared by several UI test modules under their own names; a module picks one up by
assigning it, e.g. ``store = helpers.styled_store``."""

import pytest


@pytest.fixture
def styled_store(tmp_path, qapp):
    """A fresh data directory, with the application style set up; closed afterwards."""
    from xinfang_desk.core.store import storage
    from xinfang_desk.ui.style import setup_application

    setup_application(qapp)
    d = storage.open_data_dir(tmp_path / "data")
    yield d
    storage.close()


@pytest.fixture
def store_tasks(store):
    """A TaskRunner waited on before the store closes: a queued write may still run."""
    from xinfang_desk.ui.widgets.tasks import TaskRunner

    runner = TaskRunner()
    yield runner
    runner.wait(10000)


def open_intake_page(qtbot, tasks, store, today, size=(1280, 760), wait=10000):
    """The intake page over `store`, shown, active and ready for typing."""
    from PySide6.QtWidgets import QApplication

    from xinfang_desk.ui.intake.page import IntakePage

    page = IntakePage(tasks, store, today=today)
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page, timeout=wait)
    qtbot.waitUntil(page.is_ready, timeout=wait)
    return page
