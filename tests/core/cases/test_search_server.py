"""Search on a PostgreSQL server finds exactly what SQLite finds, and uses its indexes (v9).

Runs when XINFANG_TEST_PG_URL names an empty database this test may wipe (CI sets it, as for
tests/core/test_postgres.py); skipped otherwise. The same cases (the demo generator's, plus
hand-written ones with ASCII in both cases, full-width letters, wildcards and a backslash) go
into a SQLite data directory and into the server. Every query must then give the same cases
in the same order, with the same total, on both.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import re

import pytest

from xinfang_desk.core.cases.records import CaseInput, PetitionerInput, register_case
from xinfang_desk.core.cases.search import search_cases
from xinfang_desk.core.demo.generate import generate_demo
from xinfang_desk.core.store import storage
from xinfang_desk.core.store.models import Case, Petitioner

PG_URL = os.environ.get("XINFANG_TEST_PG_URL")
needs_server = pytest.mark.skipif(not PG_URL, reason="XINFANG_TEST_PG_URL not set (no PostgreSQL)")

TODAY = dt.date(2026, 6, 30)
N_DEMO = 300
TRGM_INDEX = "xf_case_search_trgm"
BIGRAM_INDEX = "xf_case_search_bigrams"

# (name, summary, request, facts): text the demo does not write. The facts end each text
# (search_text ends with facts and a newline), so their last characters test "at the very end".
EXTRA_CASES = [
    ("欧阳明华", "反映小区Wi-Fi信号差，WIFI经常断线", "请求运营商处理",
     "小区WiFi连接率不足100%_急需解决"),
    ("钱七", "反映物业费上涨100%问题", "请求物业公司降价", "由每月1元涨到2元，见附件a\\b说明"),
    ("孙八", "ÉCOLE法语培训班退费", "请求退还学费", "宣传单写Ｗｉ－Ｆｉ全覆盖，实为ｗｉｆｉ时有时无"),
    ("周九", "反映路灯不亮", "请求维修", "夜间出行不便，结尾词语终"),
    ("吴十", "咨询Python_培训补贴", "了解申请条件", "网址含%20与_下划线XYZ"),
]

FIXED_QUERIES = [
    # 2-character Chinese terms, 3+ characters, several terms
    "工资", "拖欠", "噪音", "物业", "补偿", "小区", "信访", "路灯",
    "拖欠工资", "物业管理", "征地补偿", "宏达公司", "物业 噪音", "工资 拖欠 公司", "小区 物业费",
    "红绿灯", "反映 夜间", "00%", "张三丰",
    # ASCII letters in either case, mixed with CJK and punctuation
    "wifi", "WIFI", "WiFi", "Wi-Fi", "wi-fi", "wI", "Wi", "i-", "-F", "xyz", "XYZ", "yz",
    "python", "PYTHON_", "n_", "a\\b", "a\\", "\\b",
    # full-width and accented letters (the trigram index folds them, LIKE does not)
    "Ｗｉ", "ｗｉ", "ＷＩ", "ｗｉｆｉ", "ＷＩＦＩ", "Ｗ", "ｗ", "école", "ÉCOLE", "Éc", "éc", "É", "é",
    # digits and wildcards, which must stay literal
    "100", "100%", "%", "_", "%_", "0%", "%2", "%20", "_下", "\\", "1", "12", "2元", "20",
    # at the very end of the text, nowhere, one character
    "结尾词语终", "语终", "终", "不存在的词语", "量子", "Ω", "zz", "公司 不存在的词语",
    "李", "王", "a", "A", "-", "，",
    # text that is query syntax to FTS5
    '"拖欠工资', '工资"', 'AND', "OR 工资", "NEAR(工资", "*", "工*", "^物业",
]


def _fill() -> None:
    generate_demo(N_DEMO, seed=7, today=TODAY)
    for i, (name, summary, request, facts) in enumerate(EXTRA_CASES):
        register_case(CaseInput(
            received_on=TODAY - dt.timedelta(days=3 * i), channel="来访", category="申诉求决",
            disposition="受理", summary=summary, request=request, facts=facts,
            petitioners=[PetitionerInput(name=name, phone=f"1390000{i:04d}")]), today=TODAY)


def _contents() -> list[tuple]:
    return list(Case.select(Case.id, Case.case_no, Case.received_on, Case.search_text)
                .order_by(Case.id).tuples())


@pytest.fixture(scope="module")
def sqlite_dir(tmp_path_factory):
    """A SQLite data directory and the server database, filled with the same cases; the
    path of the SQLite one (the server is PG_URL). Nothing is left open."""
    pytest.importorskip("psycopg")
    from playhouse.db_url import connect

    raw = connect(PG_URL)  # start from an empty schema (drops pg_trgm with it)
    raw.execute_sql("DROP SCHEMA public CASCADE")
    raw.execute_sql("CREATE SCHEMA public")
    raw.close()
    path = tmp_path_factory.mktemp("search-sqlite") / "data"
    storage.open_data_dir(path, today=TODAY)
    try:
        _fill()
        local = _contents()
    finally:
        storage.close()
    storage.open_url(PG_URL)
    try:
        _fill()
        server = _contents()
    finally:
        storage.close()
    assert server == local  # the same cases, ids and texts: the comparison below is fair
    return path


def _queries(rng: random.Random) -> list[str]:
    """The fixed queries plus terms cut from the stored texts (open database): substrings of
    1–6 characters, the last characters of texts, names, ID numbers, phones, case numbers."""
    texts = [t for (t,) in Case.select(Case.search_text).order_by(Case.id).tuples() if t]
    queries = list(FIXED_QUERIES)
    for _ in range(160):
        text = rng.choice(texts)
        size = rng.choice((1, 2, 2, 2, 3, 3, 4, 6))
        start = rng.randrange(max(1, len(text) - size))
        queries.append(text[start:start + size])
    for text in rng.sample(texts, 20):
        queries.extend((text[-3:-1], text[-4:-1], text[-6:-1]))  # before the final newline
    for _ in range(20):
        queries.append(" ".join(rng.choice(texts)[s:s + 2] for s in (0, 5)))
    people = list(Petitioner.select(Petitioner.name, Petitioner.id_number, Petitioner.phone)
                  .order_by(Petitioner.id).tuples())
    for name, number, phone in rng.sample(people, 15):
        number, phone = number or "", phone or ""
        queries.extend((name, number, phone, number[:6], phone[-4:]))
    queries.extend(rng.sample([no for (no,) in Case.select(Case.case_no).tuples()], 5))
    queries = [" ".join(q.split()) for q in queries]  # a term never holds a space or newline
    return list(dict.fromkeys(q for q in queries if q))


def _results(queries: list[str]) -> dict[str, tuple]:
    out = {}
    for q in queries:
        every = search_cases(q, limit=100_000)
        page = search_cases(q, limit=7, offset=3)  # a later page, and the COUNT query
        capped = search_cases(q, limit=4, offset=2, count_limit=5)  # the case list's count
        out[q] = (every.total, [r.case_no for r in every.rows],
                  page.total, [r.case_no for r in page.rows],
                  capped.total, capped.capped, [r.case_no for r in capped.rows])
    return out


@needs_server
def test_server_search_gives_sqlites_results(sqlite_dir):
    storage.open_data_dir(sqlite_dir, today=TODAY)
    try:
        queries = _queries(random.Random(20260630))
        local = _results(queries)
    finally:
        storage.close()
    storage.open_url(PG_URL)
    try:
        server = _results(queries)
    finally:
        storage.close()
    differ = {q: (local[q][:2], server[q][:2]) for q in queries if local[q] != server[q]}
    assert not differ, f"{len(differ)} of {len(queries)} queries differ: {differ}"
    assert len(queries) >= 300
    found = [q for q in queries if local[q][0]]
    assert len(found) >= 200 and len(queries) - len(found) >= 15  # hits and misses both tried
    assert any(len(q) == 2 and local[q][0] > 20 for q in queries)  # 2-character terms matter
    assert sum(local[q][5] for q in queries) >= 30  # many counts stopped at the limit


def _count_query(db, text: str, caplog) -> tuple[str, tuple]:
    """The COUNT query search_cases sends for `text` (peewee logs each (sql, params))."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        result = search_cases(text, limit=1)
    assert result.total >= 1, text  # a full page: the count is asked of the server
    counts = [r.msg for r in caplog.records
              if isinstance(r.msg, tuple) and "COUNT(*)" in r.msg[0] and "xf_case" in r.msg[0]]
    assert len(counts) == 1, counts
    return counts[0]


def _plan(db, sql: str, params) -> str:
    return "\n".join(row[0] for row in db.execute_sql("EXPLAIN " + sql, params).fetchall())


@needs_server
def test_server_search_uses_its_indexes(sqlite_dir, caplog):
    db = storage.open_url(PG_URL)
    try:
        db.execute_sql("ANALYZE xf_case")
        db.execute_sql("SET enable_seqscan = off")  # a small table: make the planner show
        terms = [("WiFi", TRGM_INDEX), ("工资", BIGRAM_INDEX), ("wI", BIGRAM_INDEX),
                 ("i-", BIGRAM_INDEX), ("拖欠 工资", BIGRAM_INDEX)]
        (cjk,) = db.execute_sql("SELECT show_trgm('拖欠工资') <> '{}'").fetchone()
        if cjk:  # else this server's ctype gives Chinese no trigrams (see migration v9)
            terms.append(("拖欠工资", TRGM_INDEX))
        for text, index in terms:
            plan = _plan(db, *_count_query(db, text, caplog))
            assert index in plan, f"{text}:\n{plan}"
        # One character: no index can help, the server scans (and still answers).
        assert TRGM_INDEX not in _plan(db, *_count_query(db, "李", caplog))
    finally:
        db.execute_sql("RESET enable_seqscan")
        storage.close()


def _generic_plan(db, sql: str, params) -> str:
    """EXPLAIN of the query's generic plan, the one the server settles on once psycopg has
    prepared it (from the 5th run): the search terms are then unknown to the planner."""
    numbers = iter(range(1, len(params) + 1))
    prepared = re.sub("%s", lambda _: f"${next(numbers)}", sql)
    types = ["bigint" if isinstance(p, int) else "text" for p in params]
    db.execute_sql(f"PREPARE xf_search ({', '.join(types)}) AS {prepared}")
    try:
        db.execute_sql("SET plan_cache_mode = force_generic_plan")
        # EXECUTE is a utility statement: it takes literals, not bound parameters.
        from psycopg import sql as pgsql

        conn = db.connection()  # no parameters: psycopg leaves the % of the literals alone
        args = ", ".join(pgsql.Literal(p).as_string(conn) for p in params)
        rows = conn.execute(f"EXPLAIN EXECUTE xf_search ({args})").fetchall()
        return "\n".join(row[0] for row in rows)
    finally:
        db.execute_sql("RESET plan_cache_mode")
        db.execute_sql("DEALLOCATE xf_search")


@needs_server
def test_generic_plans_use_the_right_index(sqlite_dir, caplog):
    db = storage.open_url(PG_URL)
    try:
        db.execute_sql("SET enable_seqscan = off")
        for text, index in (("工资", BIGRAM_INDEX), ("i-", BIGRAM_INDEX), ("WiFi", TRGM_INDEX)):
            sql, params = _count_query(db, text, caplog)
            if len(text) == 2:
                # No operator of pg_trgm's index on search_text. A generic plan does not know
                # the term is short and could read that whole index for it: on 100,000 cases
                # that took 1 s, against 20 ms for the pair index alone.
                assert not re.search(r'"search_text" (I?LIKE|~)', sql), sql
            plan = _generic_plan(db, sql, params)
            assert index in plan, f"{text}:\n{plan}"
    finally:
        db.execute_sql("RESET enable_seqscan")
        storage.close()


@needs_server
def test_v9_search_objects_on_server(sqlite_dir):
    db = storage.open_url(PG_URL)
    try:
        (pairs,) = db.execute_sql("SELECT xf_bigrams('拖欠工资AB拖欠')").fetchone()
        assert sorted(pairs) == sorted({"拖欠", "欠工", "工资", "资a", "ab", "b拖"})
        assert db.execute_sql("SELECT xf_bigrams(''), xf_bigrams('a')").fetchone() == ([], [])
        (volatility,) = db.execute_sql(
            "SELECT provolatile FROM pg_proc WHERE proname = 'xf_bigrams'").fetchone()
        assert volatility == "i"  # IMMUTABLE: usable in an index
        indexes = {name for (name,) in db.execute_sql(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'xf_case'").fetchall()}
        assert {TRGM_INDEX, BIGRAM_INDEX} <= indexes
        (cjk,) = db.execute_sql("SELECT show_trgm('信访') <> '{}'").fetchone()
        if not cjk:
            pytest.skip("this server's LC_CTYPE gives Chinese no trigrams: 3+ characters scan")
    finally:
        storage.close()


def test_v9_is_nothing_on_sqlite(store):
    from xinfang_desk.core.store import migrations
    from xinfang_desk.core.store.db import database

    assert migrations.current_version(database.obj) == migrations.LATEST >= 9
    names = {n for (n,) in database.obj.execute_sql(
        "SELECT name FROM sqlite_master WHERE name LIKE '%bigram%' OR name LIKE '%trgm%'")}
    assert names == set()
