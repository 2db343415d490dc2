"""Schema version and ordered migrations.

Each step runs in its own transaction and bumps the version in the same transaction, so a
crash leaves the database at the previous version, never half-migrated. Before migrating an
existing database, a copy of the file is taken with SQLite's online backup API.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import peewee

from xinfang_desk.core.errors import StorageError
from xinfang_desk.core.resources import load_json
from xinfang_desk.core.store import models as m
from xinfang_desk.core.store.db import copy_sqlite_file, database, is_sqlite
from xinfang_desk.core.store.holiday_seed import top_up_calendar

log = logging.getLogger(__name__)


def _create_tables(db: peewee.Database) -> None:
    db.create_tables(m.V1_MODELS)


def _seed_taxonomy(db: peewee.Database) -> None:
    data = load_json("seed", "fields.json")
    for order, top in enumerate(data["fields"]):
        unit = None
        if top.get("unit"):
            unit, _ = m.Unit.get_or_create(name=top["unit"])
        parent = m.Field.create(name=top["name"], parent=None, default_unit=unit, sort_order=order)
        for child_order, child in enumerate(top.get("children", [])):
            m.Field.create(name=child, parent=parent, default_unit=unit, sort_order=child_order)


def _seed_calendar(db: peewee.Database) -> None:
    top_up_calendar(dt.date.today())


def _fts_index(db: peewee.Database) -> None:
    """Trigram full-text index over Case.search_text (SQLite only; elsewhere search uses LIKE)."""
    if not is_sqlite(db):
        return
    db.execute_sql(
        "CREATE VIRTUAL TABLE case_fts USING fts5("
        "search_text, content='xf_case', content_rowid='id', tokenize='trigram')"
    )
    db.execute_sql(
        "CREATE TRIGGER case_fts_ai AFTER INSERT ON xf_case BEGIN "
        "INSERT INTO case_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
    )
    db.execute_sql(
        "CREATE TRIGGER case_fts_ad AFTER DELETE ON xf_case BEGIN "
        "INSERT INTO case_fts(case_fts, rowid, search_text) VALUES('delete', old.id, old.search_text); END"
    )
    db.execute_sql(
        "CREATE TRIGGER case_fts_au AFTER UPDATE OF search_text ON xf_case BEGIN "
        "INSERT INTO case_fts(case_fts, rowid, search_text) VALUES('delete', old.id, old.search_text); "
        "INSERT INTO case_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
    )


def _v3_users_audit(db: peewee.Database) -> None:
    """Users, named access to confidential cases, and the append-only audit trail."""
    db.create_tables([m.User, m.CaseAccess, m.AuditLog])
    table = m.AuditLog._meta.table_name
    if is_sqlite(db):
        for op in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END")
    else:  # PostgreSQL
        db.execute_sql(
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'audit rows are append-only'; END $$")
        db.execute_sql(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")


def _v4_event_date_index(db: peewee.Database) -> None:
    """An index on the event date: the report counts a period's events (notices, replies,
    satisfaction …) by date range, which otherwise scans every event of the history
    (about 0.7 s a query on 1,000,000 cases). Portable SQL."""
    db.execute_sql('CREATE INDEX IF NOT EXISTS case_event_on ON case_event ("on")')


def _v5_search_text_terminator(db: peewee.Database) -> None:
    """Every search_text ends with a newline, so that each occurrence of a 2-character term is
    the start of some trigram in `case_fts` and a 2-character search can be answered from the
    index's vocabulary (core.cases.search) instead of a LIKE scan. Cases without facts already end
    so; the FTS update trigger re-indexes the rest (about 20 s on 1,000,000 cases)."""
    p = db.param
    db.execute_sql(
        f"UPDATE xf_case SET search_text = search_text || {p} "
        f"WHERE search_text <> '' AND search_text NOT LIKE {p}", ["\n", "%\n"])
    if is_sqlite(db):
        # The index's term list, read by range: the trigrams that start with a 2-character term.
        db.execute_sql("CREATE VIRTUAL TABLE case_fts_terms USING fts5vocab(case_fts, row)")


def _v6_answer_library(db: peewee.Database) -> None:
    """The approved-answer library (答复口径) and policy references, seeded from
    resources/seed/answers.json: answers approved as "系统预置", articles as summaries (要点)."""
    db.create_tables(m.ANSWER_MODELS)
    data = load_json("seed", "answers.json")
    now = dt.datetime.now().replace(microsecond=0)

    def day(text):
        return dt.date.fromisoformat(text) if text else None

    for doc in data.get("policies", []):
        row = m.PolicyDoc.create(
            name=doc["name"], issuer=doc.get("issuer", ""), doc_no=doc.get("doc_no", ""),
            issued_on=day(doc.get("issued_on")), effective_on=day(doc.get("effective_on")),
            note=doc.get("note", ""))
        for order, art in enumerate(doc.get("articles", [])):
            m.PolicyArticle.create(doc=row, article=art["article"], sort_order=order,
                                   text=art["text"], text_kind=art.get("text_kind", "要点"))
    for item in data.get("answers", []):
        answer = m.Answer.create(created_at=now)
        m.AnswerVersion.create(
            answer=answer, version=1, title=item["title"], fields="\n".join(item.get("fields", [])),
            keywords="\n".join(item.get("keywords", [])), body=item["body"],
            basis_name=item.get("basis_name", ""), basis_article=item.get("basis_article", ""),
            basis_date=day(item.get("basis_date")), status="approved", drafted_by="系统预置",
            drafted_at=now, approved_by="系统预置", approved_at=now, note=item.get("note", ""))


def _v7_history_notes(db: peewee.Database) -> None:
    """Imported history: the case's notes (the ledger's unmapped columns and what the import
    noticed) and the narrative fields it lacked. Plain ALTER TABLE … ADD COLUMN with a default,
    the same on SQLite and PostgreSQL (playhouse.migrate would rebuild the SQLite table for a
    NOT NULL column, which the foreign keys of the events do not survive)."""
    have = {c.name for c in db.get_columns("xf_case")}  # a new database has them from v1
    for name, sql_type in (("notes", "TEXT"), ("history_gaps", "VARCHAR(200)")):
        if name not in have:
            db.execute_sql(f"ALTER TABLE xf_case ADD COLUMN {name} {sql_type} NOT NULL DEFAULT ''")


def _v8_case_version(db: peewee.Database) -> None:
    """Several desks on one server: each case carries a version, bumped by every change, and
    who made the last change, so that an edit based on an older version is refused naming
    them instead of silently overwriting their work. Plain ALTER TABLE, as in v7."""
    have = {c.name for c in db.get_columns("xf_case")}
    for name, sql_type in (("version", "INTEGER NOT NULL DEFAULT 1"),
                           ("updated_by", "VARCHAR(50) NOT NULL DEFAULT ''")):
        if name not in have:
            db.execute_sql(f"ALTER TABLE xf_case ADD COLUMN {name} {sql_type}")


def _v9_server_search_indexes(db: peewee.Database) -> None:
    """Indexed substring search on PostgreSQL (core.cases.search; SQLite has case_fts, v2/v5).
    pg_trgm answers ILIKE '%term%' from a GIN trigram index for 3+ characters, but a shorter
    pattern has no trigram to look up. So xf_bigrams(text), the distinct 2-character substrings
    of lower(text), gets a GIN index too: a 2-character term is
    `xf_bigrams(search_text) @> xf_bigrams(term)`. Both indexes only narrow the candidates,
    and the exact test runs on those. pg_trgm builds trigrams only from the letters and
    digits of the database's LC_CTYPE. Under a C ctype, or in a SQL_ASCII database, Chinese
    text makes no trigrams, and xf_bigrams pairs bytes rather than characters. Results stay
    correct, but Chinese terms then scan the table, and a warning is logged."""
    if is_sqlite(db):
        return
    try:
        with db.atomic():  # a savepoint: without the extension the rest still helps
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            db.execute_sql("CREATE INDEX IF NOT EXISTS xf_case_search_trgm "
                           "ON xf_case USING gin (search_text gin_trgm_ops)")
        trigrams = db.execute_sql("SELECT show_trgm('信访')").fetchone()[0]
        if not trigrams:
            log.warning("pg_trgm makes no trigrams of Chinese text in this database (its "
                        "LC_CTYPE or encoding): searches of 3+ characters scan xf_case")
    except peewee.DatabaseError as exc:
        log.warning("pg_trgm unavailable (%s): searches of 3+ characters scan xf_case", exc)
    # lower() folds case as ILIKE does. IMMUTABLE holds because the database's ctype never
    # changes. string_to_array(t, NULL) splits t into characters, and unnest pairs each
    # character with the next in one pass (substr(t, i, 2) would restart from the first
    # character every time).
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION xf_bigrams(t text) RETURNS text[] "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ "
        "SELECT coalesce(array_agg(DISTINCT a || b), '{}') "
        "FROM (SELECT string_to_array(lower(t), NULL) AS c) s, "
        "unnest(c[1:cardinality(c) - 1], c[2:]) AS u(a, b) $$")
    db.execute_sql("CREATE INDEX IF NOT EXISTS xf_case_search_bigrams "
                   "ON xf_case USING gin (xf_bigrams(search_text))")


def _v10_attachments(db: peewee.Database) -> None:
    """The papers of a matter: attachments and their bytes, in the database (see
    models.FileBlob for why)."""
    db.create_tables(m.ATTACHMENT_MODELS)


def _v11_confidential_index(db: peewee.Database) -> None:
    """A small partial index of the confidential cases by clerk: a clerk's whole case list is
    counted from it and the count index (core.people.access.visible_case_count) instead of
    reading every case. The same SQL on SQLite and PostgreSQL."""
    db.execute_sql("CREATE INDEX IF NOT EXISTS xf_case_confidential_clerk "
                   "ON xf_case (clerk) WHERE confidential")


def _v1(db: peewee.Database) -> None:
    _create_tables(db)
    _seed_taxonomy(db)
    _seed_calendar(db)


# (version, description, step). Append only; never edit a released step.
MIGRATIONS: list[tuple[int, str, Callable[[peewee.Database], None]]] = [
    (1, "initial schema, seeded taxonomy and calendar", _v1),
    (2, "trigram full-text index of cases", _fts_index),
    (3, "users, case access and the audit trail", _v3_users_audit),
    (4, "index of event dates (report periods)", _v4_event_date_index),
    (5, "search text ends with a newline (2-character search)", _v5_search_text_terminator),
    (6, "approved-answer library", _v6_answer_library),
    (7, "notes and missing narrative of imported history", _v7_history_notes),
    (8, "case version and last editor (several desks on one server)", _v8_case_version),
    (9, "indexed substring search on PostgreSQL (pg_trgm, 2-character index)",
     _v9_server_search_indexes),
    (10, "attachments and their bytes (the papers of a matter)", _v10_attachments),
    (11, "partial index of confidential cases (a clerk's list counted fast)",
     _v11_confidential_index),
]
LATEST = MIGRATIONS[-1][0]


def current_version(db: peewee.Database) -> int:
    if not db.table_exists(m.Meta._meta.table_name):
        return 0
    row = m.Meta.get_or_none(m.Meta.key == "schema_version")
    return int(row.value) if row else 0


def _set_version(version: int) -> None:
    m.Meta.insert(key="schema_version", value=str(version)).on_conflict(
        conflict_target=[m.Meta.key], update={m.Meta.value: str(version)}
    ).execute()


MIGRATION_LOCK_KEY = 0x58460002  # pg_advisory_lock key: one desk migrates a server at a time


def migrate(db_path: Path | None, backups_dir: Path | None, *,
            before_upgrade: Callable[[int], object] | None = None) -> list[int]:
    """Bring the open database to LATEST; returns the versions applied. On a server several
    desks may start at once after an upgrade: they take turns, and the later ones find the
    work done. A SQLite file is copied into `backups_dir` before an upgrade; a server calls
    `before_upgrade(version)` instead (its pg_dump, by the desk whose turn it is), and an
    exception from it leaves the database untouched."""
    db = database.obj
    if is_sqlite(db):
        return _migrate(db, db_path, backups_dir)
    db.execute_sql("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
    try:
        return _migrate(db, None, None, before_upgrade)
    finally:
        db.execute_sql("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))


def _migrate(db: peewee.Database, db_path: Path | None, backups_dir: Path | None,
             before_upgrade: Callable[[int], object] | None = None) -> list[int]:
    version = current_version(db)
    if version > LATEST:
        raise StorageError(
            f"该数据库由更新版本的信访接待台创建（数据结构版本 {version}），"
            f"本程序只支持到版本 {LATEST}。请安装新版程序后再打开，数据未作任何改动。"
        )
    if version == LATEST:
        return []
    if version > 0 and db_path is not None and backups_dir is not None and is_sqlite(db):
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        copy = backups_dir / f"pre-migration-v{version}-{stamp}.sqlite3"
        copy_sqlite_file(db_path, copy)
        log.info("copied database to %s before migrating from v%s", copy, version)
    if version > 0 and before_upgrade is not None:
        before_upgrade(version)
    applied = []
    for step_version, description, step in MIGRATIONS:
        if step_version <= version:
            continue
        with database.atomic():
            log.info("migrating to v%s: %s", step_version, description)
            step(db)
            _set_version(step_version)
        applied.append(step_version)
    return applied
