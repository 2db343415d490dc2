"""Cached benchmark databases: one data directory per size, built once with core.demo.bulk.

    python bench/bench_db.py [--cache /tmp/xf-bench] [--sizes 10000,100000,1000000]

builds (or finds) `<cache>/cases-<N>/`, a data directory with N demo cases, and
`<cache>/cases-<N>/bench.json`: how it was built and sample values the benchmarks look up
(a name, an ID number, a phone, a case number). A directory whose bench.json is missing or
was made by another generator version is built again from scratch. Benchmarks that write
(saving intakes) add a few cases per run; that drift is negligible and not undone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_CACHE = Path("/tmp/xf-bench")
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
GENERATOR_VERSION = 2  # bump when core.demo.bulk's output changes
SEED = 1


def db_dir(cache: Path, n: int) -> Path:
    return Path(cache) / f"cases-{n}"


def read_meta(cache: Path, n: int) -> dict | None:
    path = db_dir(cache, n) / "bench.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("version") != GENERATOR_VERSION or meta.get("cases") != n:
        return None
    return meta


def _samples() -> dict:
    """Values to look up: a petitioner with an ID number and a 3-character name who has
    more than one case, a phone, a case number, from the middle of the history."""
    from xinfang_desk.core.store.models import Case, CasePetitioner, Petitioner

    n = Case.select().count()
    mid = Case.select().order_by(Case.id).offset(n // 2).first()
    person = (Petitioner.select()
              .where((Petitioner.doc_type == "身份证") & (Petitioner.phone.startswith("1"))
                     & (Petitioner.id > mid.id // 2))
              .order_by(Petitioner.id))
    chosen = None
    for p in person.limit(2000):
        if len(p.name) == 3 and CasePetitioner.select().where(
                CasePetitioner.petitioner == p).count() > 1:
            chosen = p
            break
    chosen = chosen or person.first()
    return {"name": chosen.name, "id_number": chosen.id_number, "phone": chosen.phone,
            "address": chosen.address, "case_no": mid.case_no}


def build(cache: Path, n: int, *, log=print) -> dict:
    """The data directory for n cases (built if missing); returns its bench.json content."""
    meta = read_meta(cache, n)
    if meta is not None:
        return meta
    from xinfang_desk.core.demo.bulk import generate_bulk
    from xinfang_desk.core.store import storage

    root = db_dir(cache, n)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    today = dt.date.today()
    log(f"building {n:,} cases in {root} ...")
    started = time.perf_counter()
    storage.open_data_dir(root, today=today)
    try:
        step = max(n // 10, 1)

        def progress(done, total):
            if done // step != (done - 20_000) // step or done == total:
                log(f"  {done:,}/{total:,} cases, {time.perf_counter() - started:.0f} s")

        report = generate_bulk(n, seed=SEED, today=today, audit_rows=True, progress=progress)
        samples = _samples()
    finally:
        storage.close()
    from xinfang_desk.core.paths import DataDir

    size = DataDir(root).database.stat().st_size
    meta = {"version": GENERATOR_VERSION, "cases": n, "seed": SEED, "built_on": today.isoformat(),
            "build_seconds": round(time.perf_counter() - started, 1),
            "generate_seconds": report.seconds, "index_seconds": report.index_seconds,
            "events": report.events, "petitioners": report.petitioners,
            "audit_rows": report.audit_rows, "first_day": report.first_day.isoformat(),
            "last_day": report.last_day.isoformat(), "by_status": report.by_status,
            "db_bytes": size, "samples": samples}
    (root / "bench.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                     encoding="utf-8")
    log(f"built {n:,} cases in {meta['build_seconds']} s ({size / 2**20:.0f} MiB)")
    return meta


def migrate(cache: Path, n: int, *, log=print) -> None:
    """Bring a cached database to this program's schema (as the program does on opening it),
    outside the timings; the pre-migration copies are dropped (the cache is throw-away)."""
    import sqlite3

    from xinfang_desk.core.paths import DataDir
    from xinfang_desk.core.store import migrations

    dd = DataDir(db_dir(cache, n))
    con = sqlite3.connect(str(dd.database))
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    finally:
        con.close()
    if row and int(row[0]) >= migrations.LATEST:
        return
    from xinfang_desk.core.store import storage

    log(f"migrating the {n:,}-case database to schema v{migrations.LATEST} ...")
    storage.open_data_dir(dd.root)
    storage.close()
    for f in dd.backups.glob("pre-migration-*"):
        f.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES))
    args = ap.parse_args()
    for n in (int(s) for s in args.sizes.split(",")):
        build(args.cache, n)
        migrate(args.cache, n)


if __name__ == "__main__":
    main()
