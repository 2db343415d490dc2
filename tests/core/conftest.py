import pytest

from xinfang_desk.core.store import storage


@pytest.fixture
def store(tmp_path):
    """A fresh data directory with a migrated database, closed afterwards."""
    data_dir = storage.open_data_dir(tmp_path / "data")
    yield data_dir
    storage.close()
