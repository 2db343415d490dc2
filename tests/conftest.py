"""Shared pytest setup for the whole suite.

This file must stay Qt-free: the core tests also run in a venv without PySide6
(`make test-core`), and this conftest is loaded there too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Before anything can import Qt: without a display the default xcb platform aborts the
# process, so tests render offscreen unless the caller chose otherwise (e.g. xcb under Xvfb).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test may read or write the real keyring of whoever runs the suite (the server password):
# keyring's "null" backend keeps nothing; a test that needs one installs an in-memory backend.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point every test at a fresh, empty data directory.

    No test may touch the user's real data: XINFANG_DATA_DIR is set to a new temporary
    directory, and the XDG base directories (used by platformdirs and by QSettings on
    Linux) are redirected too, so that code falling back to the platform default
    directory also lands in a temporary place.
    """
    base = tmp_path_factory.mktemp("xinfang")
    data = base / "data"
    data.mkdir()
    monkeypatch.setenv("XINFANG_DATA_DIR", str(data))
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        path = base / var.lower()
        path.mkdir()
        monkeypatch.setenv(var, str(path))
    return data


@pytest.fixture
def data_dir(_isolated_data_dir: Path) -> Path:
    """A fresh, empty data directory for this test; the same one XINFANG_DATA_DIR names."""
    return _isolated_data_dir


@pytest.fixture(autouse=True)
def _fast_passwords_and_no_one_signed_in(monkeypatch: pytest.MonkeyPatch):
    """Cheap password hashes (the cost travels inside each hash, so verification is unaffected)
    and every test starts and ends with no user signed in (the SYSTEM actor)."""
    from xinfang_desk.core import session
    from xinfang_desk.core.people import users

    monkeypatch.setattr(users, "SCRYPT_N", 2**10)
    session.set_current(None)
    yield
    session.set_current(None)


@pytest.fixture
def store(tmp_path):
    """A fresh data directory with a migrated database, closed afterwards."""
    from xinfang_desk.core.store import storage

    data_dir = storage.open_data_dir(tmp_path / "data")
    yield data_dir
    storage.close()
