"""Opening a data directory: creation, migrations, refusals, resolution of the path."""

import sqlite3

import pytest

from xinfang_desk.core.errors import StorageError
from xinfang_desk.core.paths import resolve_data_dir
from xinfang_desk.core.store import migrations, storage
from xinfang_desk.core.store.db import database
from xinfang_desk.core.store.models import CalendarYear, Field, Unit


def test_first_start_creates_and_migrates_the_database(tmp_path):
    root = tmp_path / "new" / "data"
    data_dir = storage.open_data_dir(root)
    try:
        assert data_dir.database.exists()
        assert (root / "backups").is_dir() and (root / "logs").is_dir()
        assert migrations.current_version(database.obj) == migrations.LATEST
        assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        # Seeded taxonomy with default units, and a calendar for this year.
        labour = Field.get((Field.name == "劳动社保") & Field.parent.is_null())
        assert labour.default_unit.name == "人力资源和社会保障局"
        assert "劳动报酬" in [c.name for c in labour.children]
        assert Unit.select().count() >= 10
        assert CalendarYear.get_or_none(CalendarYear.year == 2026).status == "official"
    finally:
        storage.close()


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path):
    storage.open_data_dir(tmp_path)
    Unit.create(name="测试单位")
    storage.close()
    storage.open_data_dir(tmp_path)
    try:
        assert Unit.get_or_none(Unit.name == "测试单位") is not None
        assert list((tmp_path / "backups").glob("pre-migration-*")) == []
    finally:
        storage.close()


def test_upgrade_from_an_older_version_copies_the_file_first(tmp_path):
    storage.open_data_dir(tmp_path)
    Unit.create(name="升级前的单位")
    # Make it look like a v1 database: no full-text index yet.
    for stmt in ("DROP TABLE case_fts_terms", "DROP TRIGGER case_fts_ai", "DROP TRIGGER case_fts_ad",
                 "DROP TRIGGER case_fts_au",
                 "DROP TABLE case_fts", "DROP TABLE audit_log", "DROP TABLE case_access",
                 'DROP TABLE "user"', "DROP TABLE case_answer", "DROP TABLE answer_version",
                 "DROP TABLE answer", "DROP TABLE policy_article", "DROP TABLE policy_doc",
                 "UPDATE meta SET value='1' WHERE key='schema_version'"):
        database.execute_sql(stmt)
    storage.close()

    storage.open_data_dir(tmp_path)
    try:
        assert migrations.current_version(database.obj) == migrations.LATEST
        copies = list((tmp_path / "backups").glob("pre-migration-v1-*.sqlite3"))
        assert len(copies) == 1
        old = sqlite3.connect(copies[0])
        assert old.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("1",)
        assert old.execute("SELECT count(*) FROM unit WHERE name='升级前的单位'").fetchone() == (1,)
        old.close()
    finally:
        storage.close()


def test_a_failing_migration_leaves_the_previous_version(tmp_path, monkeypatch):
    storage.open_data_dir(tmp_path)
    storage.close()
    before = migrations.LATEST

    def broken(db):
        db.execute_sql("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("power cut")

    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS + [(99, "broken", broken)])
    monkeypatch.setattr(migrations, "LATEST", 99)
    with pytest.raises(RuntimeError):
        storage.open_data_dir(tmp_path)
    assert migrations.current_version(database.obj) == before
    assert not database.table_exists("half_done")
    storage.close()


def test_a_database_from_a_newer_program_is_refused_untouched(tmp_path):
    storage.open_data_dir(tmp_path)
    database.execute_sql("UPDATE meta SET value='999' WHERE key='schema_version'")
    storage.close()
    before = (tmp_path / "xinfang.sqlite3").read_bytes()
    with pytest.raises(StorageError, match="更新版本"):
        storage.open_data_dir(tmp_path)
    storage.close()
    assert (tmp_path / "xinfang.sqlite3").read_bytes() == before


def test_a_file_that_is_not_a_database_gets_a_chinese_message(tmp_path):
    (tmp_path / "xinfang.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="损坏"):
        storage.open_data_dir(tmp_path)
    storage.close()
    assert (tmp_path / "xinfang.sqlite3").read_bytes() == b"this is not sqlite" * 100


def test_data_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("XINFANG_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(str(tmp_path / "cli")) == tmp_path / "cli"
    assert resolve_data_dir(None) == tmp_path / "env"
    monkeypatch.delenv("XINFANG_DATA_DIR")
    assert resolve_data_dir(None).name == "xinfang-desk"
