"""The shared server (PostgreSQL) beside SQLite (issue 15): the desk's hot paths at scale.

    .venv/bin/python bench/bench_server.py --db-url postgresql://USER:PASSWORD@HOST:5432/xinfang_bench
            [--sizes 100000,1000000] [--runs 7] [--writers 4] [--saves 50]
            [--parts list,save,report,writers,search] [--explain] [--cache /tmp/xf-bench]
            [--out docs/performance.md | --no-write] [--rebuild-server]

or the same through `bench/run_all.py --db-url URL [--server-only]`.

For each size the SQLite data directory of bench_db.py (cached in --cache) is copied onto the
server with the program's own command, `xinfang-desk --data-dir DIR migrate-to URL` (COPY,
then counts, the audit chain and a year of monthly reports verified), into the database
`<the URL's database>_100k`, `…_1m`. The URL's database name must start with
`xinfang_bench`: this tool drops and creates those databases (connected as the URL's user,
which needs CREATEDB), and no other. After the copy, VACUUM (ANALYZE): what autovacuum does a
minute or two later anyway, done at once so that no measure runs without planner statistics.
A server database is reused while it holds the cases copied from the cached directory
(`<cache>/server-<database>.json` says which), so a later run only measures.

Then, in a fresh process per database (the models bound with storage.open_unchecked for
SQLite, server.open_server for PostgreSQL; the acting user is SYSTEM, as in run_all.py), the
median of --runs trials after one warm-up:

 - the case list's first page: search_cases() as the GUI's case list asks for it (200 rows
   newest first and the total), once as SYSTEM and once signed in as a clerk (who does not
   see the others' confidential cases: one more condition);
 - search: 3 characters, 2 characters, a name, an ID number as the case list's search box asks
   (search_cases(text), 200 rows, the total counted up to LIST_COUNT_LIMIT), and the 3- and
   2-character terms once more as `xinfang-desk search` asks (50 rows, every match counted);
 - saving one intake: core.cases.records.register_case with an intake like
   tests/core/helpers.py `intake()`, received today (each save a new petitioner: 1,000 ID
   numbers a process, later runs find them again as repeat visitors);
 - the monthly figures of the last whole month (core.report.figures.monthly_figures), and on
   the server once more with `SET jit = on` for the session (the server's default; a desk's
   connection turns it off, core.store.server);
 - --writers processes saving --saves intakes each at the same moment (after one warm-up
   save each, released together): saves per second overall (all saves / first start to last
   end) and the median and 95th percentile of one save's latency, lock waits included.

Targets on 1,000,000 cases (issue 15): search < 150 ms, save < 50 ms, list page < 100 ms.
Results are kept in `<cache>/server-results.json` (so `--parts search` re-measures only the
search rows) and written between the bench-server markers of docs/performance.md. With
--explain, the SELECTs the server list and search rows send are run again under
EXPLAIN (ANALYZE, BUFFERS) and written to `<cache>/server-explain-<N>.txt`.
Saves add cases to both databases (a few hundred a run); like bench_db.py, that drift is
not undone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import inspect
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import bench_db  # noqa: E402
from bench_env import loadavg, machine, write_block  # noqa: E402

BEGIN, END = "<!-- bench-server:begin -->", "<!-- bench-server:end -->"
HEADING = "## The server (PostgreSQL) beside SQLite"
NAME_PREFIX = "xinfang_bench"  # the only databases this tool may drop and create
DEFAULT_SIZES = (100_000, 1_000_000)
PARTS = ("list", "save", "report", "writers", "search")
TARGETS = {"list": 100.0, "search": 150.0, "save": 50.0}  # ms, on 1,000,000 cases
CLI = ROOT / ".venv" / "bin" / "xinfang-desk"  # the program's own command (else -m xinfang_desk)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def timed(fn, runs: int, warmup: int = 1) -> tuple[float, list[float]]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), times


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile, nearest rank."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


# ----------------------------------------------------------------------------- server databases

def size_label(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def url_for(base_url: str, n: int) -> str:
    """The URL of the server database for n cases: the base URL's database + _100k, _1m …"""
    parts = urlsplit(base_url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path=f"/{name}_{size_label(n)}"))


def db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def safe_label(url: str) -> str:
    from xinfang_desk.core.store.server import ServerChoice

    return ServerChoice.from_url(url).label  # no password


def _admin(url: str):
    """An autocommit connection to the server's maintenance database as the URL's user."""
    import psycopg

    from xinfang_desk.core.store.server import ServerChoice

    c = ServerChoice.from_url(url)
    return psycopg.connect(host=c.host, port=c.port, user=c.user, password=c.password or None,
                           dbname="postgres", autocommit=True, connect_timeout=5)


def _recreate(url: str) -> None:
    name = db_name(url)
    if not name.startswith(NAME_PREFIX):
        raise SystemExit(f"refusing to drop/create {name!r}: only {NAME_PREFIX}* databases")
    with _admin(url) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')


def _server_facts(url: str) -> dict | None:
    """Cases in the database and its size, or None if it does not exist / has no cases table."""
    import psycopg

    from xinfang_desk.core.store.server import ServerChoice

    c = ServerChoice.from_url(url)
    try:
        with psycopg.connect(host=c.host, port=c.port, user=c.user, dbname=c.database,
                             password=c.password or None, connect_timeout=5) as con:
            cases = con.execute("SELECT count(*) FROM xf_case").fetchone()[0]
            size = con.execute("SELECT pg_database_size(current_database())").fetchone()[0]
            schema = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except psycopg.Error:
        return None
    return {"cases": cases, "bytes": size, "schema": int(schema[0]) if schema else 0}


def vacuum_analyze(url: str) -> None:
    """What autovacuum does a minute or two after the copy (planner statistics, the visibility
    map), done at once so that the measures do not depend on its timing. Without statistics
    the planner takes the freshly copied tables for small ones: it hashes the whole petitioner
    table for 50 rows of names and scans xf_case for a search."""
    import psycopg

    from xinfang_desk.core.store.server import ServerChoice

    c = ServerChoice.from_url(url)
    with psycopg.connect(host=c.host, port=c.port, user=c.user, dbname=c.database,
                         password=c.password or None, autocommit=True) as con:
        con.execute("VACUUM (ANALYZE)")


def migrations_fingerprint() -> str:
    """A hash of the migration steps' code: a cached server database made by other steps
    (another version of migration 9, say) is worth knowing about."""
    from xinfang_desk.core.store import migrations

    text = "".join(inspect.getsource(step) for _v, _d, step in migrations.MIGRATIONS)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def server_meta_path(cache: Path, url: str) -> Path:
    return Path(cache) / f"server-{db_name(url)}.json"


def ensure_server(cache: Path, n: int, url: str, meta: dict, *, rebuild: bool = False) -> dict:
    """The server database for n cases, copied from the cached data directory with
    `xinfang-desk migrate-to` unless it already holds that copy; returns its record."""
    path = server_meta_path(cache, url)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = None
    source = {"version": meta["version"], "cases": meta["cases"], "built_on": meta["built_on"],
              "build_seconds": meta["build_seconds"]}
    facts = _server_facts(url)
    if (not rebuild and record is not None and facts is not None
            and record.get("source") == source and facts["cases"] >= record["cases_copied"]
            and facts["cases"] - record["cases_copied"] <= max(n // 20, 5000)):
        if record.get("migrations") != migrations_fingerprint():
            log(f"  note: {db_name(url)} was copied under other migration code "
                f"({record.get('migrations')} ≠ {migrations_fingerprint()}); --rebuild-server "
                "copies it again")
        record.update(facts_now=facts)
        return record
    root = bench_db.db_dir(cache, n)
    import sqlite3

    con = sqlite3.connect(str(root / "xinfang.sqlite3"))
    try:
        copied = con.execute("SELECT count(*) FROM xf_case").fetchone()[0]
    finally:
        con.close()
    log(f"copying {copied:,} cases to {safe_label(url)} (migrate-to) ...")
    _recreate(url)
    t0 = time.perf_counter()
    program = [str(CLI)] if CLI.exists() else [sys.executable, "-m", "xinfang_desk"]
    proc = subprocess.run([*program, "--data-dir", str(root), "migrate-to", url],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"migrate-to failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    for line in proc.stdout.splitlines():
        log(f"  {line}")
    t1 = time.perf_counter()
    vacuum_analyze(url)
    vacuum_seconds = time.perf_counter() - t1
    log(f"  VACUUM (ANALYZE) in {vacuum_seconds:.0f} s")
    facts = _server_facts(url)
    record = {"database": db_name(url), "source": source, "cases_copied": copied,
              "migrate_seconds": round(seconds, 1), "vacuum_seconds": round(vacuum_seconds, 1),
              "copied_on": dt.date.today().isoformat(), "bytes": facts["bytes"], "schema": facts["schema"],
              "migrations": migrations_fingerprint(), "report": proc.stdout.splitlines()}
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    log(f"  copied in {seconds:.0f} s ({facts['bytes'] / 2**20:,.0f} MiB on the server)")
    record.update(facts_now=facts)
    return record


# ----------------------------------------------------------------------------- one process

def bind(backend: str, cache: Path, n: int, url: str | None) -> None:
    """Bind the models to the bench database of n cases, as the program would."""
    if backend == "sqlite":
        from xinfang_desk.core.store import storage

        storage.open_unchecked(bench_db.db_dir(cache, n))  # the start-up check is not timed
        import atexit

        atexit.register(storage.close)  # a clean close: the next opening owes no check
    else:
        from xinfang_desk.core.store.server import ServerChoice, open_server

        open_server(Path(cache) / "server-desk", ServerChoice.from_url(url))


def intake(k: int, writer: int, today: dt.date):
    """A realistic intake (tests/core/helpers.py `intake()`), received today, with an ID
    number and phone of its own: writer 0 is the single-save measure, 1… the writers."""
    from xinfang_desk.core.cases.records import CaseInput, PetitionerInput
    from xinfang_desk.core.rules.validators import _id_check_char

    first17 = f"511302{1970 + writer:04d}0315{k % 1000:03d}"
    return CaseInput(
        received_on=today, channel="来访", category="申诉求决",
        summary="反映单位拖欠工资三个月", request="要求单位支付拖欠的工资",
        facts="2026年6月至8月工资未发放，共计一万二千元", reasons="已多次向单位讨要未果",
        petitioners=[PetitionerInput(name="王秀英", id_number=first17 + _id_check_char(first17),
                                     phone=f"139{writer:02d}{k % 1_000_000:06d}",
                                     address="四川省南充市顺庆区中城街道1号")],
        disposition="受理", field="劳动社保/劳动报酬", clerk="张三")


def _capture(fn) -> list[tuple[str, tuple]]:
    """The statements fn sends (SQL, params), through the bound database."""
    from xinfang_desk.core.store.db import database

    db = database.obj
    sent: list[tuple[str, tuple]] = []
    original = db.execute_sql

    def spy(sql, params=None, *a, **kw):
        sent.append((sql, tuple(params or ())))
        return original(sql, params, *a, **kw)

    db.execute_sql = spy
    try:
        fn()
    finally:
        del db.execute_sql
    return sent


def explain(label: str, fn) -> str:
    from xinfang_desk.core.store.db import database

    out = [f"==== {label}"]
    for sql, params in _capture(fn):
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        rows = database.obj.execute_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
        out += ["", f"-- {sql}", f"-- params {params!r}", *(r[0] for r in rows)]
    return "\n".join(out)


def measure(backend: str, cache: Path, n: int, url: str | None, runs: int, parts: list[str],
            meta: dict, explain_to: Path | None) -> dict:
    """The single-process measures on one database (runs in a process of its own)."""
    from xinfang_desk.core.cases.records import register_case
    from xinfang_desk.core.cases.search import search_cases
    from xinfang_desk.core.report.figures import month_range, monthly_figures

    bind(backend, cache, n, url)
    today = dt.date.today()
    s = meta["samples"]
    out: dict = {}

    def put(key, label, fn, k=runs, note=""):
        med, times = timed(fn, k)
        out[key] = {"label": label, "ms": med, "times": times, "note": note,
                    "measured": dt.datetime.now().isoformat(timespec="seconds")}

    plans = []
    if "list" in parts:
        # What the 案件列表 tab asks for on opening (ui/cases/table_model.fetch_page).
        def first_page():
            return search_cases("", order_by="-received_on", limit=200, offset=0, today=today)

        put("list", "case list: first page (200 rows + total)", first_page)
        out["list"]["note"] = f"{search_cases('', limit=1).total:,} cases"
        # A clerk sees the list with the others' confidential cases filtered out
        # (core.people.access.visibility_condition): another WHERE, another count.
        from xinfang_desk.core import session

        clerk = session.Actor("张丽", session.CLERK, "张丽")

        def clerk_page():
            with session.acting_as(clerk):
                return first_page()

        put("list_clerk", "case list: first page, signed in as a clerk", clerk_page)
        out["list_clerk"]["note"] = f"{clerk_page().total:,} visible"
        if explain_to is not None and backend == "server":
            plans.append(explain(f"case list, first page ({n:,} cases)", first_page))
            plans.append(explain(f"case list, first page, a clerk ({n:,} cases)", clerk_page))
    if "save" in parts:
        counter = [0]

        def save():
            counter[0] += 1
            register_case(intake(counter[0] + int(time.time()) % 500, 0, today), today=today)

        put("save", "save one intake (register_case)", save)
    if "report" in parts:
        month = f"{(today.replace(day=1) - dt.timedelta(days=1)):%Y-%m}"
        start, end = month_range(month)
        report = monthly_figures(start, end, today=today)
        put("report", f"monthly figures {month}", lambda: monthly_figures(start, end, today=today),
            k=max(3, runs // 2), note=f"{report.received_total:,} received")
        if backend == "server":
            # The open-matters query costs more than jit_optimize_above_cost: with JIT on (the
            # server's default) PostgreSQL spends a few hundred ms compiling it first; a desk
            # connects with it off. What the default would cost, for comparison:
            from xinfang_desk.core.store.db import database

            database.obj.execute_sql("SET jit = on")
            put("report_jit", f"monthly figures {month}, server with jit = on",
                lambda: monthly_figures(start, end, today=today), k=max(3, runs // 2),
                note="SET jit = on for the session (desks run with it off)")
            database.obj.execute_sql("RESET jit")
    if "search" in parts:
        # As the 案件列表's search box asks (ui/cases/table_model.fetch_page): 200 rows and the
        # total counted up to LIST_COUNT_LIMIT ("10,000+" beyond).
        from xinfang_desk.core.cases.search import LIST_COUNT_LIMIT

        def as_listed(text):
            return search_cases(text, limit=200, count_limit=LIST_COUNT_LIMIT, today=today)

        def exact(text):  # as `xinfang-desk search` asks: 50 rows and every match counted
            return search_cases(text)

        for key, label, text, fn in (
                ("search3", "search 3 chars “物业费”", "物业费", as_listed),
                ("search2", "search 2 chars “低保”", "低保", as_listed),
                ("search_name", f"search name “{s['name']}”", s["name"], as_listed),
                ("search_id", "search ID number", s["id_number"], as_listed),
                ("exact3", "search 3 chars, exact total (the CLI)", "物业费", exact),
                ("exact2", "search 2 chars, exact total (the CLI)", "低保", exact)):
            put(key, label, lambda text=text, fn=fn: fn(text))
            r = fn(text)
            out[key]["note"] = (f"{r.total:,}+ listed of {exact(text).total:,} found" if r.capped
                                else f"{r.total:,} found")
            if explain_to is not None and backend == "server":
                plans.append(explain(f"{label} ({n:,} cases)", lambda text=text, fn=fn: fn(text)))
    if plans:
        explain_to.write_text("\n\n".join(plans) + "\n", encoding="utf-8")
    return out


def writer(backend: str, cache: Path, n: int, url: str | None, index: int, saves: int) -> dict:
    """One of the concurrent writers: bind, one warm-up save, READY, wait for GO, save."""
    from xinfang_desk.core.cases.records import register_case

    bind(backend, cache, n, url)
    today = dt.date.today()
    base = int(time.time()) % 500
    register_case(intake(base, index, today), today=today)
    print("READY", flush=True)
    sys.stdin.readline()
    lat, errors = [], 0
    start = time.time()
    for k in range(1, saves + 1):
        t0 = time.perf_counter()
        try:
            register_case(intake(base + k, index, today), today=today)
        except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
            errors += 1
            log(f"writer {index}: {type(exc).__name__}: {exc}")
            continue
        lat.append((time.perf_counter() - t0) * 1000)
    return {"start": start, "end": time.time(), "latencies": lat, "errors": errors}


def child_args(args, n: int) -> list[str]:
    out = ["--cache", str(args.cache), "--size", str(n)]
    if args.db_url:
        out += ["--db-url", args.db_url]
    return out


def run_child(argv: list[str]) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__)), *argv], capture_output=True,
                          text=True, timeout=3600)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"{' '.join(argv[:2])} failed:\n{proc.stdout}\n{proc.stderr}")


def concurrent_saves(args, n: int, backend: str) -> dict:
    """--writers processes, released together, --saves saves each."""
    procs = [subprocess.Popen(
        [sys.executable, str(Path(__file__)), "--writer", backend, "--index", str(i + 1),
         "--saves", str(args.saves), *child_args(args, n)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for i in range(args.writers)]
    try:
        for p in procs:
            line = p.stdout.readline()
            if line.strip() != "READY":
                raise RuntimeError(f"a writer did not start: {line!r}")
        for p in procs:
            p.stdin.write("GO\n")
            p.stdin.flush()
        results = []
        for p in procs:
            out, _ = p.communicate(timeout=3600)
            results += [json.loads(line[7:]) for line in out.splitlines()
                        if line.startswith("RESULT ")]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    if len(results) != len(procs):
        raise RuntimeError("a writer failed")
    lat = [x for r in results for x in r["latencies"]]
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    return {"writers": args.writers, "saves": len(lat), "errors": sum(r["errors"] for r in results),
            "seconds": wall, "per_second": len(lat) / wall, "median": statistics.median(lat),
            "p95": percentile(lat, 95), "max": max(lat),
            "measured": dt.datetime.now().isoformat(timespec="seconds")}


# ----------------------------------------------------------------------------- the whole run

def results_path(cache: Path) -> Path:
    return Path(cache) / "server-results.json"


def load_results(cache: Path) -> dict:
    try:
        return json.loads(results_path(cache).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def server_settings(url: str) -> dict:
    with _admin(url) as con:
        out = {"version": con.execute("SHOW server_version").fetchone()[0].split()[0]}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "jit",
                     "synchronous_commit", "random_page_cost"):
            out[name] = con.execute(f"SHOW {name}").fetchone()[0]
    return out


def run(args) -> dict:
    """Build what is missing, measure the --parts at every size, store and return the results."""
    sizes = [int(x) for x in str(args.sizes).split(",")]
    parts = [p for p in PARTS if p in args.parts.split(",")]
    base = args.db_url
    if not db_name(base).startswith(NAME_PREFIX):
        raise SystemExit(f"the --db-url database must start with {NAME_PREFIX} (it names the "
                         f"bench databases {NAME_PREFIX}…_100k, _1m, which this tool drops)")
    results = load_results(args.cache)
    results["machine"] = machine()
    results["server"] = server_settings(base)
    results.setdefault("load", {})["start"] = loadavg()
    for n in sizes:
        meta = bench_db.build(args.cache, n, log=log)
        bench_db.migrate(args.cache, n, log=log)
        url = url_for(base, n)
        record = ensure_server(args.cache, n, url, meta, rebuild=args.rebuild_server)
        entry = results.setdefault(str(n), {"sqlite": {}, "server": {}, "writers": {}})
        entry["meta"] = {k: meta[k] for k in ("first_day", "last_day", "events", "db_bytes",
                                              "build_seconds")}
        entry["server_db"] = {k: record.get(k) for k in ("database", "cases_copied",
                                                         "migrate_seconds", "copied_on")}
        entry["server_db"]["label"] = safe_label(url)
        entry["server_db"]["bytes"] = record["facts_now"]["bytes"]
        single = [p for p in parts if p != "writers"]
        entry["load"] = loadavg()
        for backend in ("sqlite", "server"):
            if single:
                log(f"measuring {n:,} cases on {backend}: {', '.join(single)} ...")
                argv = ["--measure", backend, "--runs", str(args.runs), "--parts",
                        ",".join(single), *child_args(args, n)]
                if args.explain:
                    argv.append("--explain")
                entry[backend].update(run_child(argv))
            if "writers" in parts:
                log(f"  {args.writers} writers × {args.saves} saves on {backend} ...")
                entry["writers"][backend] = concurrent_saves(args, n, backend)
        entry["cases_now"] = (_server_facts(url) or {}).get("cases")
        print(f"\n{size_tables(n, entry)}\n", flush=True)
    shutil.rmtree(Path(args.cache) / "server-desk", ignore_errors=True)
    results["load"]["end"] = loadavg()
    results["runs"] = args.runs
    results_path(args.cache).write_text(json.dumps(results, ensure_ascii=False, indent=1),
                                        encoding="utf-8")
    if not args.no_write:
        write_block(args.out, markdown(results, base), BEGIN, END, HEADING)
        log(f"written to {args.out}")
    return results




# ----------------------------------------------------------------------------- output

ROW_KEYS = ("list", "list_clerk", "search3", "search2", "search_name", "search_id", "exact3",
            "exact2", "save", "report", "report_jit")


def fmt(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:,.1f}" if x < 100 else f"{x:,.0f}"


def size_tables(n: int, entry: dict) -> str:
    out = [f"### {n:,} cases", "",
           "| measure | SQLite (ms) | server (ms) | server/SQLite | target | met | note |",
           "|---|---:|---:|---:|---|---|---|"]
    lite, srv = entry.get("sqlite", {}), entry.get("server", {})
    for key in ROW_KEYS:
        a, b = lite.get(key), srv.get(key)
        if a is None and b is None:
            continue
        label = (b or a)["label"]
        x, y = (a or {}).get("ms"), (b or {}).get("ms")
        ratio = f"{y / x:.1f}×" if x and y else "—"
        family = "search" if key.startswith("search") else key.split("_")[0]
        target = TARGETS.get(family)
        met = "—" if target is None or y is None else ("yes" if y < target else "**no**")
        notes = [f"SQLite {a['note']}" if a and a["note"] else "",
                 f"server {b['note']}" if b and b["note"] else ""]
        if a and b and a["note"] == b["note"]:
            notes = [a["note"]]
        if b and len(b["times"]) > 1:
            notes.append(f"server runs {fmt(min(b['times']))}–{fmt(max(b['times']))}")
        out.append(f"| {label} | {fmt(x)} | {fmt(y)} | {ratio} | "
                   f"{f'< {target:.0f}' if target else '—'} | {met} | "
                   f"{'; '.join(t for t in notes if t)} |")
    w = entry.get("writers", {})
    if w:
        any_w = next(iter(w.values()))
        out += ["", f"{any_w['writers']} processes saving {any_w['saves'] // any_w['writers']} "
                "intakes each at the same moment (register_case; lock waits included):", "",
                "| database | saves/s overall | one save: median (ms) | 95th percentile | "
                "worst | errors |", "|---|---:|---:|---:|---:|---:|"]
        for backend in ("sqlite", "server"):
            r = w.get(backend)
            if r:
                out.append(f"| {'SQLite' if backend == 'sqlite' else 'server'} | "
                           f"{r['per_second']:,.0f} | {fmt(r['median'])} | {fmt(r['p95'])} | "
                           f"{fmt(r['max'])} | {r['errors']} |")
    return "\n".join(out)


def markdown(results: dict, base_url: str) -> str:
    info, pg = results["machine"], results["server"]
    sizes = sorted(int(k) for k in results if k.isdigit())
    dates = sorted({v["measured"][:10] for n in sizes for b in ("sqlite", "server")
                    for v in results[str(n)].get(b, {}).values()}
                   | {v["measured"][:10] for n in sizes
                      for v in results[str(n)].get("writers", {}).values()})
    label = safe_label(base_url)
    host = urlsplit(base_url).hostname or ""
    where = (" on the same machine, over TCP to " + host if host in ("127.0.0.1", "localhost", "::1")
             else " on " + host)
    lines = [
        BEGIN,
        f"Measured {', '.join(dates)} by `python bench/bench_server.py --db-url "
        f"postgresql://{label.split('@')[0]}:…@{label.split('@')[1]}` (median of "
        f"{results.get('runs', '?')} runs after a warm-up, "
        f"{max(3, results.get('runs', 7) // 2)} for the monthly figures).",
        "",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; {info['os']}; "
        f"Python {info['python']}, SQLite {info['sqlite']}, peewee {info['peewee']}",
        f"- Server: PostgreSQL {pg['version']}{where}; "
        f"shared_buffers {pg['shared_buffers']}, work_mem {pg['work_mem']}, "
        f"effective_cache_size {pg['effective_cache_size']}, jit {pg['jit']}, "
        f"synchronous_commit {pg['synchronous_commit']}, random_page_cost "
        f"{pg['random_page_cost']} (the installation's defaults)",
        f"- Load average (1/5/15 min) at the start {results['load'].get('start')}, at the end "
        f"{results['load'].get('end')} (others were working on the machine)",
    ]
    for n in sizes:
        e = results[str(n)]
        d = e.get("server_db", {})
        lines.append(
            f"- {n:,} cases: SQLite {e['meta']['db_bytes'] / 2**20:,.0f} MiB; server database "
            f"`{d.get('database')}` {d.get('bytes', 0) / 2**20:,.0f} MiB, filled by "
            f"`migrate-to` in {d.get('migrate_seconds', 0):,.0f} s"
            + (f"; {e['cases_now']:,} cases now (the saves)" if e.get("cases_now") else "")
            + (f"; load average {e['load']} when its measures began" if e.get("load") else ""))
    for n in sizes:
        lines += ["", size_tables(n, results[str(n)])]
    lines.append(END)
    return "\n".join(lines)


def add_arguments(ap: argparse.ArgumentParser, *, standalone: bool) -> None:
    if standalone:
        ap.add_argument("--db-url", required=True,
                        help="postgresql://user:password@host:port/xinfang_bench (a prefix: "
                             "databases <name>_100k, <name>_1m are made)")
        ap.add_argument("--cache", type=Path, default=bench_db.DEFAULT_CACHE)
        ap.add_argument("--runs", type=int, default=7)
        ap.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
        ap.add_argument("--no-write", action="store_true")
        ap.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
    else:
        ap.add_argument("--server-sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="sizes measured on the server (with --db-url)")
    ap.add_argument("--parts", default=",".join(PARTS), help=f"some of {','.join(PARTS)}")
    ap.add_argument("--writers", type=int, default=4, help="concurrent saving processes")
    ap.add_argument("--saves", type=int, default=50, help="saves per writer")
    ap.add_argument("--explain", action="store_true",
                    help="EXPLAIN ANALYZE the server list and search rows into <cache>/server-explain-N.txt")
    ap.add_argument("--rebuild-server", action="store_true",
                    help="copy the server databases again even if they look current")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(ap, standalone=True)
    # Internal: the child processes.
    ap.add_argument("--measure", choices=("sqlite", "server"), help=argparse.SUPPRESS)
    ap.add_argument("--writer", choices=("sqlite", "server"), help=argparse.SUPPRESS)
    ap.add_argument("--index", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure or args.writer:
        n = args.size
        url = url_for(args.db_url, n) if args.db_url else None
        if args.measure:
            meta = bench_db.read_meta(args.cache, n)
            out = Path(args.cache) / f"server-explain-{n}.txt" if args.explain else None
            result = measure(args.measure, args.cache, n, url, args.runs,
                             args.parts.split(","), meta, out)
        else:
            result = writer(args.writer, args.cache, n, url, args.index, args.saves)
        print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
        return
    run(args)


if __name__ == "__main__":
    main()
