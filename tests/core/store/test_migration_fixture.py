"""A database written by the previous release (schema v2, 40 demo cases, made with the v2 code
and committed as a file) opens, migrates to the latest version and keeps every row."""

import shutil
import sqlite3
from pathlib import Path

from tests import paths
from xinfang_desk.core.store import migrations, storage
from xinfang_desk.core.store.db import database

FIXTURE = paths.FIXTURES / "schema-v2-demo40.sqlite3"
TABLES = ("xf_case", "case_event", "petitioner", "case_petitioner", "unit", "field", "setting",
          "case_counter", "calendar_day")


def _rows(path: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}
    finally:
        con.close()


def _search_text_column(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return [r[1] for r in con.execute("PRAGMA table_info(xf_case)")].index("search_text")
    finally:
        con.close()


def test_v2_database_migrates_and_keeps_every_row(tmp_path):
    shutil.copy(FIXTURE, tmp_path / "xinfang.sqlite3")
    before = _rows(tmp_path / "xinfang.sqlite3")
    assert len(before["xf_case"]) == 40 and len(before["case_event"]) == 128
    storage.open_data_dir(tmp_path)
    try:
        assert migrations.current_version(database.obj) == migrations.LATEST
        assert database.table_exists("audit_log") and database.table_exists("user")
        hits = database.execute_sql(
            "SELECT count(*) FROM case_fts WHERE case_fts MATCH ?", ('"' + before["xf_case"][0][10][:3] + '"',)
        ).fetchone()[0]
        assert hits >= 1  # the full-text index still answers
    finally:
        storage.close()
    after = _rows(tmp_path / "xinfang.sqlite3")
    # v5 ends every search text with a newline (2-character search); nothing else changes.
    col = _search_text_column(tmp_path / "xinfang.sqlite3")
    assert any(not r[col].endswith("\n") for r in before["xf_case"])
    assert [r[col] for r in after["xf_case"]] == [
        t if t.endswith("\n") else t + "\n" for t in (r[col] for r in before["xf_case"])]
    # v7 adds the notes and history gaps of imported history: empty for these desk cases;
    # v8 the version (1: never changed since) and the last editor (none recorded).
    width = len(before["xf_case"][0])
    assert {r[width:] for r in after["xf_case"]} == {("", "", 1, "")}
    strip = lambda rows: [r[:col] + r[col + 1:width] for r in rows]  # noqa: E731
    assert strip(after["xf_case"]) == strip(before["xf_case"])
    for table in TABLES:
        if table == "xf_case":
            continue
        if table == "calendar_day":  # the calendar is topped up with later years, never edited
            assert set(before[table]) <= set(after[table])
        else:
            assert after[table] == before[table], table
    copies = list((tmp_path / "backups").glob("pre-migration-v2-*.sqlite3"))
    assert len(copies) == 1 and _rows(copies[0]) == before
