"""Migration v4: the event-date index, on new databases and on those of the previous release."""

import shutil
import sqlite3

from tests import paths
from xinfang_desk.core.store import migrations, storage
from xinfang_desk.core.store.db import database

FIXTURE = paths.FIXTURES / "schema-v2-demo40.sqlite3"
RANGE_QUERY = ('SELECT type, COUNT(*) FROM case_event WHERE "on" BETWEEN ? AND ? '
               "GROUP BY type")


def _uses_index(con_execute) -> bool:
    plan = " ".join(str(r) for r in con_execute(
        "EXPLAIN QUERY PLAN " + RANGE_QUERY, ("2026-01-01", "2026-01-31")).fetchall())
    return "case_event_on" in plan


def test_new_database_has_the_event_date_index(tmp_path):
    storage.open_data_dir(tmp_path)
    try:
        assert migrations.current_version(database.obj) == migrations.LATEST >= 4
        assert _uses_index(database.execute_sql)
    finally:
        storage.close()


def test_older_database_gets_it_and_keeps_its_events(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "xinfang.sqlite3")
    con = sqlite3.connect(tmp_path / "xinfang.sqlite3")
    before = con.execute("SELECT * FROM case_event ORDER BY id").fetchall()
    assert not _uses_index(con.execute)
    con.close()
    storage.open_data_dir(tmp_path)
    try:
        assert 4 in [v for v, _, _ in migrations.MIGRATIONS]
        assert migrations.current_version(database.obj) == migrations.LATEST
        assert _uses_index(database.execute_sql)
        assert database.execute_sql("SELECT * FROM case_event ORDER BY id").fetchall() == before
    finally:
        storage.close()
