"""Fixtures shared by the UI tests; a module defining its own fixture of the same name wins."""

import pytest

pytest.importorskip("PySide6")


@pytest.fixture
def store(tmp_path):
    """A fresh data directory, closed afterwards."""
    from xinfang_desk.core import storage

    d = storage.open_data_dir(tmp_path / "data")
    yield d
    storage.close()


@pytest.fixture
def tasks(qapp):
    """A TaskRunner, waited on before the test's other fixtures are torn down."""
    from xinfang_desk.ui.tasks import TaskRunner

    runner = TaskRunner()
    yield runner
    runner.wait(10000)
