"""What a whole process costs (issue 17: "every command pays only for what it does").

    .venv/bin/python bench/bench_cli.py [--sizes 100000,1000000] [--runs 7] [--cache /tmp/xf-bench]
                                        [--only version,search,...] [--build]
                                        [--out docs/performance.md | --no-write]

For each cached data directory of bench_db.py (`<cache>/cases-<N>/`; a size whose bench.json
is missing or unfinished is skipped unless --build is given, which builds it — never while
another process is building it), measures the wall time of a fresh process, from the parent's
start of it to its exit, as the median of --runs after one warm-up run (the page cache is
warm, as on a desk PC in use; a command whose warm-up takes over 10 s gets 3 runs):

 - `python -c pass`: the bare interpreter (the same sys.executable, site included);
 - `xinfang-desk --version`: the floor of any command, the interpreter and our entry point;
 - `search 物业费 --json` and `search 低保 --json` (3 and 2 characters), each beside a bare
   `python -c` that does the same search by hand with sqlite3 — the FTS5 trigram table
   `case_fts`, for 2 characters the trigrams starting with the term read from `case_fts_terms`
   and OR-ed, as core.cases.search does — printing the same 50 rows newest first (with the
   petitioners' names) and the total as JSON; the notes give both totals and say whether the
   two pages hold the same case numbers;
 - `deadlines --json`, `export --out FILE.jsonl` (the file removed before each run) and
   `print CASE_NO --doc receipt --out FILE.pdf` for bench.json's sample case (each run records
   one more "printed" event on that case: drift like bench_db.py's, not undone);
 - when the PyInstaller build is there (`make build`; --built names its folder), the same
   `--version` and searches through its console program `xinfang-desk-cli`, the one an
   office installs and scripts, each search against the built program's own `--version`;
 - the GUI cold start, ours against a bare PySide6 window: bench/gui_probe.py `ours` and
   `floor` in a new process each (offscreen), reporting the seconds from the parent's t0 to
   "main window shown" and "list filled" as gui_probe marks them.

The program's commands run through the console script `xinfang-desk` next to sys.executable
when there is one, else `python -m xinfang_desk`; every one with `--data-dir DIR`, in a copy
of the environment with QT_QPA_PLATFORM=offscreen and without XINFANG_DB_URL. A command that
does not exit 0 has its stderr printed and its row marked failed; the run goes on.
Targets: search ≤ 1.5× `--version` (at every size), GUI cold start ≤ 3× the bare window.
Prints a table per size and writes them between the bench-cli markers of docs/performance.md
(created at the end of the file if missing; the rest of the file is left alone).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import bench_db  # noqa: E402
from bench_env import loadavg, machine, write_block  # noqa: E402

BEGIN, END = "<!-- bench-cli:begin -->", "<!-- bench-cli:end -->"
HEADING = "## Whole commands: what a process costs (issue 17)"
DEFAULT_SIZES = "100000,1000000"
KEYS = ("python", "version", "search", "deadlines", "export", "print", "gui")
TERMS = ("物业费", "低保")
SLOW_MS, SLOW_RUNS = 10_000, 3  # a command slower than this on its warm-up gets fewer runs
TIMEOUT = 1800  # s, one process
SEARCH_LIMIT, GUI_LIMIT = 1.5, 3.0  # × --version, × the bare window

# The same search as `xinfang-desk search TERM --json`, by hand: argv = database, term.
HAND_SEARCH = r"""
import json, sqlite3, sys
db, term = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
def phrase(t):
    return '"' + t.replace('"', '""') + '"'
if len(term) >= 3:
    match = phrase(term)
else:  # every occurrence starts a trigram: OR the indexed trigrams that start with the term
    low = term.lower()
    match = " OR ".join(phrase(r[0]) for r in con.execute(
        "SELECT term FROM case_fts_terms WHERE term >= ? AND term < ?", (low, low + "\U0010ffff")))
rows, total = [], 0
if match:
    where = "id IN (SELECT rowid FROM case_fts WHERE case_fts MATCH ?)"
    rows = con.execute("SELECT id, case_no, received_on, category, status, summary FROM xf_case "
                       f"WHERE {where} ORDER BY received_on DESC, id DESC LIMIT 50",
                       (match,)).fetchall()
    total = con.execute(f"SELECT COUNT(*) FROM xf_case WHERE {where}", (match,)).fetchone()[0]
names = {}
if rows:
    marks = ",".join("?" * len(rows))
    for cid, name in con.execute(
            "SELECT cp.case_id, p.name FROM case_petitioner cp JOIN petitioner p "
            f"ON p.id = cp.petitioner_id WHERE cp.case_id IN ({marks}) "
            "ORDER BY cp.case_id, cp.position", [r[0] for r in rows]):
        names.setdefault(cid, []).append(name)
out = [dict(zip(("id", "case_no", "received_on", "category", "status", "summary"), r),
            petitioners="、".join(names.get(r[0], []))) for r in rows]
print(json.dumps({"total": total, "rows": out}, ensure_ascii=False, indent=1))
"""


# ----------------------------------------------------------------------------- results

@dataclasses.dataclass
class Row:
    key: str
    label: str
    times: list[float]  # ms, one per run
    note: str = ""
    failed: str = ""  # why, if the process failed
    limit: float | None = None  # target: ≤ limit × base
    base: str = ""  # "version" or the label of the bare GUI row
    base_ms: float | None = None
    program: str = "dev"  # "dev" (the console script) or "built" (the PyInstaller program)

    @property
    def ms(self) -> float | None:
        return statistics.median(self.times) if self.times and not self.failed else None

    def met(self) -> str:
        if self.failed:
            return "**failed**"
        if self.limit is None or self.ms is None or not self.base_ms:
            return "—"
        return "yes" if self.ms <= self.limit * self.base_ms else "**no**"

    def spread(self) -> str:
        return f"runs {min(self.times):,.0f}–{max(self.times):,.0f} ms" if self.times else ""


# ----------------------------------------------------------------------------- processes

def program() -> tuple[list[str], str]:
    """How to start the program, and how to say so."""
    script = Path(sys.executable).parent / "xinfang-desk"
    if script.exists():
        return [str(script)], f"the console script `{shown(script)}`"
    return [sys.executable, "-m", "xinfang_desk"], f"`{sys.executable} -m xinfang_desk`"


def built_program(folder: Path | None) -> Path | None:
    """The PyInstaller build's console program (`make build`), the one an office scripts,
    or None when there is no build."""
    if folder is None:
        return None
    exe = folder / ("xinfang-desk-cli.exe" if os.name == "nt" else "xinfang-desk-cli")
    return exe if exe.exists() else None


def shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def child_env() -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("XINFANG_DB_URL", None)
    # As an installed program runs: bytecode cached (the warm-up run writes it). With
    # PYTHONDONTWRITEBYTECODE set (some shells and CI images) every start would compile every
    # module of ours again, about 40 % more for a search.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed_process(argv: list[str], runs: int, log, *, before: Callable | None = None
                  ) -> tuple[list[float], str, str]:
    """Wall times (ms) of `runs` processes after one warm-up; (times, failure or "", the
    warm-up's stdout). Fewer runs for a slow command (see SLOW_MS)."""
    times: list[float] = []
    first = ""
    i, total = 0, runs + 1
    while i < total:
        if before:
            before()
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(argv, capture_output=True, env=child_env(), timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return times, f"timed out after {TIMEOUT} s", first
        ms = (time.perf_counter() - t0) * 1000
        err = proc.stderr.decode("utf-8", "replace").strip()
        if proc.returncode != 0:
            log(f"    FAILED (exit {proc.returncode}): {' '.join(argv)}\n{err}")
            return times, f"exit {proc.returncode}: {err.splitlines()[-1] if err else ''}", first
        if i == 0:
            first = proc.stdout.decode("utf-8", "replace")
            if err:
                log(f"    stderr: {err[:300]}")
            if ms > SLOW_MS:
                total = min(total, SLOW_RUNS + 1)
        else:
            times.append(ms)
        i += 1
    return times, "", first


def gui_probe(mode: str, data: Path) -> dict:
    """One bench/gui_probe.py process; its marks in seconds from t0, taken here."""
    t0 = time.time()
    proc = subprocess.run([sys.executable, str(HERE / "gui_probe.py"), mode, str(data),
                           "--t0", repr(t0)], capture_output=True, text=True, env=child_env(),
                          timeout=TIMEOUT)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"gui_probe {mode} failed (exit {proc.returncode}):\n{proc.stderr}")


def search_totals(stdout: str) -> tuple[int | None, list[str]]:
    try:
        data = json.loads(stdout)
        return data["total"], [r["case_no"] for r in data["rows"]]
    except (ValueError, KeyError, TypeError):
        return None, []


# ----------------------------------------------------------------------------- one size

def measure_size(n: int, meta: dict, args, log) -> list[Row]:
    root = bench_db.db_dir(args.cache, n)
    database = root / "xinfang.sqlite3"
    prog, _ = program()
    cli = [*prog, "--data-dir", str(root)]
    runs, only = args.runs, args.only
    rows: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="xf-bench-cli-"))

    def add(key, label, argv, *, before=None, **kw) -> tuple[Row, str]:
        log(f"  {label} ...")
        times, failed, out = timed_process(argv, runs, log, before=before)
        row = Row(key, label, times, failed=failed, **kw)
        if len(times) < runs and not failed:
            row.note = f"{len(times)} runs (slow); "
        rows.append(row)
        return row, out

    def remove(*paths: Path) -> Callable:
        return lambda: [p.unlink(missing_ok=True) for p in paths]

    built = built_program(args.built)
    try:
        if "python" in only:
            add("python", "`python -c pass` (the interpreter alone)",
                [sys.executable, "-c", "pass"])
        add("version", "`xinfang-desk --version`", [*prog, "--version"])
        if "search" in only:
            for term in TERMS:
                ours, out = add("search", f"`search {term} --json`",
                                [*cli, "search", term, "--json"], limit=SEARCH_LIMIT,
                                base="version")
                hand, hout = add("search", f"hand search {term}: `python -c` + sqlite3",
                                 [sys.executable, "-c", HAND_SEARCH, str(database), term])
                total, page = search_totals(out)
                htotal, hpage = search_totals(hout)
                ours.note += f"{total:,} found" if total is not None else "total unreadable"
                hand.note += f"{htotal:,} found" if htotal is not None else "total unreadable"
                if total is not None and htotal is not None:
                    ours.note += (", same total and page as by hand" if (total, page) ==
                                  (htotal, hpage) else f" — **by hand: {htotal:,}, page "
                                  f"{'same' if page == hpage else 'differs'}**")
        if built is not None and "search" in only:
            # The same target for the program an office installs: its own start is the floor.
            bcli = [str(built), "--data-dir", str(root)]
            add("version", f"built program: `{built.name} --version`", [str(built), "--version"],
                program="built")
            for term in TERMS:
                row, out = add("search", f"built program: `search {term} --json`",
                               [*bcli, "search", term, "--json"], limit=SEARCH_LIMIT,
                               base="version", program="built")
                total, _ = search_totals(out)
                row.note += f"{total:,} found" if total is not None else "total unreadable"
        if "deadlines" in only:
            dl, out = add("deadlines", "`deadlines --json`", [*cli, "deadlines", "--json"])
            try:
                dl.note += f"{len(json.loads(out)):,} deadlines listed"
            except ValueError:
                pass
        if "export" in only:
            target = tmp / "out.jsonl"
            ex, _ = add("export", "`export --out out.jsonl`",
                        [*cli, "export", "--out", str(target)], before=remove(target))
            if target.exists():
                ex.note += f"{target.stat().st_size / 2**20:,.0f} MiB written"
            target.unlink(missing_ok=True)
        if "print" in only:
            case_no = meta["samples"]["case_no"]
            target = tmp / "r.pdf"
            pr, _ = add("print", f"`print {case_no} --doc receipt --out r.pdf`",
                        [*cli, "print", case_no, "--doc", "receipt", "--out", str(target)],
                        before=remove(target))
            pr.note += "records a printed event each run"
        if "gui" in only:
            rows += measure_gui(root, runs, log)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    versions = {r.program: r.ms for r in rows if r.key == "version"}
    for r in rows:
        if r.base == "version":
            r.base_ms = versions.get(r.program)
        if r.times and not r.failed:
            r.note += ("; " if r.note else "") + r.spread()
    return rows


def measure_gui(root: Path, runs: int, log) -> list[Row]:
    marks: dict[str, list[dict]] = {}
    for mode in ("ours", "floor"):
        log(f"  GUI cold start: gui_probe.py {mode} ...")
        try:
            marks[mode] = [gui_probe(mode, root)["marks"] for _ in range(runs + 1)][1:]
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            log(f"    FAILED: {exc}")
            marks[mode] = []
    out = []
    for phase, what in (("window_shown", "main window shown"), ("list_filled", "list filled")):
        bare = Row("gui", f"bare PySide6 window: {what}",
                   [m[phase] * 1000 for m in marks["floor"]],
                   failed="" if marks["floor"] else "gui_probe floor failed")
        ours = Row("gui", f"GUI cold start: {what}", [m[phase] * 1000 for m in marks["ours"]],
                   failed="" if marks["ours"] else "gui_probe ours failed",
                   limit=GUI_LIMIT, base=bare.label, base_ms=bare.ms)
        if ours.ms and bare.ms:
            ours.note = f"{ours.ms / bare.ms:.1f}× the bare window"
        out += [ours, bare]
    return out


# ----------------------------------------------------------------------------- output

def fmt(ms: float | None) -> str:
    return "—" if ms is None else (f"{ms:,.1f}" if ms < 100 else f"{ms:,.0f}")


def table(rows: list[Row]) -> str:
    versions = {r.program: r.ms for r in rows if r.key == "version"}
    out = ["| command | wall (ms, median) | × `--version` | target | met | note |",
           "|---|---:|---:|---|---|---|"]
    for r in rows:
        times = "failed" if r.failed else fmt(r.ms)
        version = versions.get(r.program)
        ratio = f"{r.ms / version:.2f}×" if r.ms and version else "—"
        target = ("—" if r.limit is None else
                  f"≤ {r.limit:g}× `--version`" if r.base == "version" else
                  f"≤ {r.limit:g}× bare window")
        note = (r.failed or r.note).replace("|", "\\|")
        out.append(f"| {r.label} | {times} | {ratio} | {target} | {r.met()} | {note} |")
    return "\n".join(out)


def markdown(results: dict[int, list[Row]], metas: dict, info: dict, load: tuple[str, str],
             how: str, args) -> str:
    cmd = "python bench/bench_cli.py" + "".join(
        f" {flag} {value}" for flag, value, default in (
            ("--sizes", args.sizes, DEFAULT_SIZES), ("--runs", str(args.runs), "7"),
            ("--only", ",".join(args.only), ",".join(KEYS))) if value != default)
    lines = [
        BEGIN,
        f"Measured {dt.date.today():%Y-%m-%d} by `{cmd}`: wall time of a fresh process, median "
        f"of {args.runs} run{'s' * (args.runs > 1)} after a warm-up (page cache warm); the "
        f"program run as {how}, every command with `--data-dir DIR` of the benchmark "
        "database, signed in as SYSTEM (it has no user accounts). GUI rows: seconds from the "
        "parent's start of the process to the phase, as `bench/gui_probe.py` marks it.",
        "",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; {info['os']}",
        f"- Python {info['python']}, SQLite {info['sqlite']}, PySide6 {info['pyside6']}, "
        f"peewee {info['peewee']}, ReportLab {info['reportlab']}",
        f"- Load average (1/5/15 min) at the start {load[0]}, at the end {load[1]}",
    ]
    for n in sorted(results):
        m = metas[n]
        lines += ["", f"### {n:,} cases", "",
                  f"{m['db_bytes'] / 2**20:,.0f} MiB database, received {m['first_day']}…"
                  f"{m['last_day']}.", "", table(results[n])]
    lines.append(END)
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=bench_db.DEFAULT_CACHE)
    ap.add_argument("--sizes", default=DEFAULT_SIZES)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--only", default=",".join(KEYS),
                    help=f"rows to measure, of {','.join(KEYS)} (version is always measured)")
    ap.add_argument("--built", type=Path, default=ROOT / "dist" / "xinfang-desk",
                    help="the PyInstaller build (make build) whose program is measured too, "
                         "when it is there")
    ap.add_argument("--build", action="store_true",
                    help="build a missing database (not while another process builds it)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    args.only = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = set(args.only) - set(KEYS)
    if unknown or args.runs < 1:
        ap.error(f"unknown --only keys {sorted(unknown)}" if unknown else "--runs must be ≥ 1")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    metas = {}
    for n in (int(s) for s in args.sizes.split(",")):
        meta = bench_db.read_meta(args.cache, n)
        if meta is None and not args.build:
            log(f"skipping {n:,} cases: {bench_db.db_dir(args.cache, n)} is not built (yet); "
                "--build builds it")
            continue
        metas[n] = bench_db.build(args.cache, n, log=log)
        bench_db.migrate(args.cache, n, log=log)
    if not metas:
        sys.exit("no benchmark database to measure")

    info = machine()
    _, how = program()
    built = built_program(args.built)
    if built is not None:
        how += (f"; rows marked \"built program\" ran the PyInstaller build's "
                f"`{shown(built)}` (`make build`), the program an office installs and scripts, "
                "each against its own `--version`")
    load_start = loadavg()
    print(f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram']}; {info['os']}; "
          f"Python {info['python']}, SQLite {info['sqlite']}, PySide6 {info['pyside6']}")
    print(f"Program run as {how}; load average at the start {load_start}", flush=True)
    results = {}
    for n, meta in metas.items():
        log(f"measuring {n:,} cases ...")
        results[n] = measure_size(n, meta, args, log)
        print(f"\n## {n:,} cases\n\n{table(results[n])}\n", flush=True)
    load = (load_start, loadavg())
    print(f"Load average at the end {load[1]}")
    if not args.no_write:
        write_block(args.out, markdown(results, metas, info, load, how, args), BEGIN, END,
                    HEADING)
        log(f"written to {args.out}")


if __name__ == "__main__":
    main()
