"""The PostgreSQL server the server tests run against: XINFANG_TEST_PG_URL names an empty
database they may wipe (.ci/run starts a local server and sets it); without it they skip."""

import os

import pytest

PG_URL = os.environ.get("XINFANG_TEST_PG_URL")
needs_server = pytest.mark.skipif(not PG_URL, reason="XINFANG_TEST_PG_URL not set (no PostgreSQL)")


def wipe(url: str = "") -> None:
    """An empty public schema: nothing left from an earlier test."""
    from playhouse.db_url import connect

    raw = connect(url or PG_URL)
    raw.execute_sql("DROP SCHEMA public CASCADE")
    raw.execute_sql("CREATE SCHEMA public")
    raw.close()


@pytest.fixture
def server(tmp_path):
    """The models bound to a freshly migrated server database; the desk's own data directory
    beside it in tmp_path. Yields (ServerChoice, DataDir)."""
    pytest.importorskip("psycopg")
    from xinfang_desk.core.store import server as srv
    from xinfang_desk.core.store import storage

    wipe()
    choice = srv.ServerChoice.from_url(PG_URL)
    data_dir = srv.open_server(tmp_path / "desk", choice)
    yield choice, data_dir
    storage.close()
