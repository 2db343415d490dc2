"""Fixtures shared by several UI test modules under their own names; a module picks one up by
assigning it, e.g. ``store = helpers.styled_store``."""

import pytest


@pytest.fixture
def styled_store(tmp_path, qapp):
    """A fresh data directory, with the application style set up; closed afterwards."""
    from xinfang_desk.core import storage
    from xinfang_desk.ui.style import setup_application

    setup_application(qapp)
    d = storage.open_data_dir(tmp_path / "data")
    yield d
    storage.close()


@pytest.fixture
def store_tasks(store):
    """A TaskRunner waited on before the store closes: a queued write may still run."""
    from xinfang_desk.ui.tasks import TaskRunner

    runner = TaskRunner()
    yield runner
    runner.wait(10000)
