"""The benchmark suite of issue 7: every measure against its floor and target, in one run.

    .venv/bin/python bench/run_all.py [--cache /tmp/xf-bench] [--sizes 10000,100000,1000000]
                                      [--runs 7] [--out docs/performance.md | --no-write]
                                      [--db-url postgresql://…/xinfang_bench [--server-only]]

Builds (once, cached in --cache; see bench_db.py) data directories of 10,000, 100,000 and
1,000,000 demo cases, then measures for each size, as the median of --runs trials after one
warm-up (the SQLite page cache is warm, as on a desk PC in use):

 1. cold start (a new offscreen GUI process) to the main window shown with the case list
    filled — floor: a bare PySide6 window with a QTableView over rows read with sqlite3;
 2. the case list's first page (200 rows and the total) — floor: the hand-written query;
 3. search: 3 characters, 2 characters, a name, an ID number — floor: hand-written FTS5 /
    LIKE / index queries giving the same page of 50 rows and the total;
 4. repeat detection for a typed ID number, phone, matter text — floor: hand-written lookups
    (an FTS5 OR query of the text's trigrams ranked by bm25);
 5. saving one intake (validation, numbering, repeat check, audit row, commit) — floor: the
    same rows inserted with sqlite3 in one transaction, same pragmas (WAL, synchronous=FULL);
 6. a receipt PDF and a 3-page reply letter — floor: bare ReportLab, same font and text;
 7. the monthly report (figures, PDF, XLSX) of the last whole month — floor: GROUP BY
    queries, a bare ReportLab table and an openpyxl workbook with the month's cases;
 8. a backup of the whole database — floor: sqlite3 `VACUUM INTO`;
 9. peak memory (VmHWM) of the GUI process after paging through the list and jumping around
    in it, and its RSS along the way — floor: the bare PySide6 program.

Prints a table per size and writes it between the bench markers of docs/performance.md
(the rest of that file is left alone). Ratios are ours / floor.

With --db-url, the shared server (PostgreSQL) is then measured beside SQLite at
--server-sizes (default 100,000 and 1,000,000 cases) by bench_server.py, which has its own
block in docs/performance.md; --server-only skips the SQLite suite above. See bench_server.py
for its options (--parts, --writers, --saves, --explain).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import re
import sqlite3
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
import bench_server  # noqa: E402
from bench_env import loadavg, machine, write_block  # noqa: E402

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


# ----------------------------------------------------------------------------- results

@dataclasses.dataclass
class Row:
    item: str  # issue item number
    label: str
    ours: float | None  # ms, or MiB for memory
    floor: float | None = None
    target: float | None = None  # upper bound, same unit
    db_op: bool = False  # ratio target ≤ 3x applies
    unit: str = "ms"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.floor:
            return None
        return self.ours / self.floor

    def met(self) -> str:
        checks = []
        if self.target is not None and self.ours is not None:
            checks.append(self.ours < self.target)
        if self.db_op and self.ratio is not None:
            checks.append(self.ratio <= 3.0)
        if not checks:
            return "—"
        return "yes" if all(checks) else "**no**"


def timed(fn: Callable, runs: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


# ----------------------------------------------------------------------------- machine

# ----------------------------------------------------------------------------- floors

CASE_COLS = ("c.id, c.case_no, c.query_code, c.received_on, c.channel, c.category, c.field_id, "
             "c.summary, c.status, c.unit_id, c.confidential")


class Floor:
    """The same work with plain sqlite3 and hand-written queries."""

    def __init__(self, path: Path):
        self.con = sqlite3.connect(str(path), isolation_level=None)
        self.con.execute("PRAGMA journal_mode=wal")
        self.con.execute("PRAGMA synchronous=full")
        self.con.execute("PRAGMA foreign_keys=1")
        self.con.execute("PRAGMA busy_timeout=10000")

    def names(self, ids: list[int]) -> dict:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        out: dict[int, list] = {}
        for cid, name, number, phone in self.con.execute(
                "SELECT cp.case_id, p.name, p.id_number, p.phone FROM case_petitioner cp "
                f"JOIN petitioner p ON p.id = cp.petitioner_id WHERE cp.case_id IN ({marks}) "
                "ORDER BY cp.case_id, cp.position", ids):
            out.setdefault(cid, []).append((name, number, phone))
        return out

    def page(self, where: str = "", params=(), limit: int = 50, order="c.received_on") -> tuple:
        w = f"WHERE {where}" if where else ""
        rows = self.con.execute(
            f"SELECT {CASE_COLS} FROM xf_case c {w} ORDER BY {order} DESC, c.id DESC "
            f"LIMIT {limit}", params).fetchall()
        total = self.con.execute(f"SELECT COUNT(*) FROM xf_case c {w}", params).fetchone()[0]
        self.names([r[0] for r in rows])
        return rows, total

    def fts_page(self, term: str) -> tuple:
        return self.page("c.id IN (SELECT rowid FROM case_fts WHERE case_fts MATCH ?)",
                         (f'"{term}"',))

    def term_page(self, term: str) -> tuple:
        """A 2-character term: the index's trigrams that start with it, OR-ed."""
        starts = [r[0] for r in self.con.execute(
            "SELECT term FROM case_fts_terms WHERE term >= ? AND term < ?",
            (term, term + "\U0010ffff"))]
        if not starts:
            return [], 0
        return self.page("c.id IN (SELECT rowid FROM case_fts WHERE case_fts MATCH ?)",
                         (" OR ".join('"' + g.replace('"', '""') + '"' for g in starts),))

    def id_page(self, number: str) -> tuple:
        return self.page("c.id IN (SELECT case_id FROM case_petitioner WHERE petitioner_id IN "
                         "(SELECT id FROM petitioner WHERE id_number = ?))", (number,))

    def repeats_person(self, column_sql: str, params) -> list:
        rows = self.con.execute(
            "SELECT c.id, c.case_no, c.received_on, c.summary, c.status FROM xf_case c "
            "WHERE c.id IN (SELECT case_id FROM case_petitioner WHERE petitioner_id IN "
            f"(SELECT id FROM petitioner WHERE {column_sql})) "
            "ORDER BY c.received_on DESC LIMIT 10", params).fetchall()
        self.names([r[0] for r in rows])
        return rows

    def repeats_text(self, text: str) -> list:
        clean = re.sub(r"[\W_]+", "", text)
        grams = list(dict.fromkeys(clean[i:i + 3] for i in range(len(clean) - 2)))[:12]
        match = " OR ".join(f'"{g}"' for g in grams)
        ids = [r[0] for r in self.con.execute(
            "SELECT rowid FROM case_fts WHERE case_fts MATCH ? ORDER BY bm25(case_fts) "
            "LIMIT 100", (match,))]
        marks = ",".join("?" * len(ids))
        rows = self.con.execute(
            f"SELECT id, summary, request, facts FROM xf_case WHERE id IN ({marks})",
            ids).fetchall()
        best = sorted(rows, key=lambda r: -sum(g in (r[1] + r[2] + r[3]) for g in grams))[:10]
        self.names([r[0] for r in best])
        return best

    def save_intake(self, n: int, today: dt.date) -> None:
        from xinfang_desk.core.rules.validators import _id_check_char

        first17 = f"51130219800101{n % 1000:03d}"
        number = first17 + _id_check_char(first17)
        now = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        con = self.con
        con.execute("BEGIN IMMEDIATE")
        try:
            row = con.execute("SELECT id FROM petitioner WHERE id_number = ?", (number,)).fetchone()
            if row is None:
                pid = con.execute(
                    "INSERT INTO petitioner (kind, name, doc_type, id_number, sex, birth_date, "
                    "phone, phone_alt, address, created_at) VALUES "
                    "('个人', '测试人', '身份证', ?, '男', '1980-01-01', '13800000000', '', "
                    "'四川省南充市顺庆区人民中路1号', ?)", (number, now)).lastrowid
            else:
                pid = row[0]
            con.execute("INSERT OR IGNORE INTO case_counter (year, last) VALUES (?, 0)",
                        (today.year,))
            seq = con.execute("UPDATE case_counter SET last = last + 1 WHERE year = ? "
                              "RETURNING last", (today.year,)).fetchone()[0]
            case_no = f"FL{today.year}-{seq:06d}"
            code = hashlib.sha1(f"{n}{time.time()}".encode()).hexdigest()[:8].upper()
            text = "测试人\n反映拖欠工资\n请求支付\n信访人称其工资被拖欠。"
            cid = con.execute(
                "INSERT INTO xf_case (case_no, query_code, received_on, channel, channel_ref, "
                "category, field_id, people_count, reps_present, summary, request, facts, "
                "reasons, disposition, answer_given, unit_id, promised_reply_on, reject_reason, "
                "approach_body, accepted_on, confidential, status, clerk, search_text, "
                "created_at, updated_at) VALUES (?, ?, ?, '来访', '', '申诉求决', NULL, 1, 1, "
                "'反映拖欠工资', '请求支付', '信访人称其工资被拖欠。', '', '受理', '', NULL, NULL, "
                "'', '', ?, 0, 'accepted', '张丽', ?, ?, ?)",
                (case_no, code, today.isoformat(), today.isoformat(), text, now, now)).lastrowid
            con.execute("INSERT INTO case_petitioner (case_id, petitioner_id, position, "
                        "is_representative) VALUES (?, ?, 0, 0)", (cid, pid))
            last = con.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
            aid, prev = (last[0] + 1, last[1]) if last else (1, "0" * 64)
            details = json.dumps({"case_no": case_no}, ensure_ascii=False)
            digest = hashlib.sha256(f"{prev}{aid}{now}{details}".encode()).hexdigest()
            con.execute("INSERT INTO audit_log (id, at, actor, action, object, success, details, "
                        "prev_hash, hash) VALUES (?, ?, '张丽', 'case_created', ?, 1, ?, ?, ?)",
                        (aid, now, case_no, details, prev, digest))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def month_figures(self, start: dt.date, end: dt.date) -> dict:
        s, e = start.isoformat(), end.isoformat()
        q = self.con.execute
        out = {"received": q("SELECT COUNT(*) FROM xf_case WHERE received_on BETWEEN ? AND ?",
                             (s, e)).fetchone()[0]}
        for col in ("channel", "category", "status", "field_id", "unit_id", "disposition"):
            out[col] = q(f"SELECT {col}, COUNT(*) FROM xf_case WHERE received_on BETWEEN ? AND ? "
                         f"GROUP BY {col}", (s, e)).fetchall()
        out["events"] = q('SELECT type, COUNT(*) FROM case_event WHERE "on" BETWEEN ? AND ? '
                          "GROUP BY type", (s, e)).fetchall()
        out["open_at_end"] = q(
            "SELECT COUNT(*) FROM xf_case c WHERE c.received_on <= ? AND NOT EXISTS (SELECT 1 "
            "FROM case_event e WHERE e.case_id = c.id AND e.type = 'closed' AND e.\"on\" <= ?) "
            "AND c.disposition NOT IN ('当场答复', '不予受理', '引导')", (e, e)).fetchone()[0]
        out["cases"] = q(
            "SELECT c.case_no, c.received_on, c.channel, c.category, c.summary, c.status, "
            "(SELECT p.name FROM case_petitioner cp JOIN petitioner p ON p.id = cp.petitioner_id "
            "WHERE cp.case_id = c.id ORDER BY cp.position LIMIT 1) FROM xf_case c "
            "WHERE c.received_on BETWEEN ? AND ? ORDER BY c.received_on, c.case_no",
            (s, e)).fetchall()
        return out

    def close(self) -> None:
        self.con.close()


_FONT = []


def floor_font() -> str:
    """The bundled font, registered once (as the program does)."""
    if not _FONT:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        from xinfang_desk.core.resources import resource_path

        pdfmetrics.registerFont(TTFont("FloorCJK", str(resource_path("fonts", "wqy-microhei.ttc")),
                                       subfontIndex=0))
        _FONT.append("FloorCJK")
    return _FONT[0]


def floor_pdf(paragraphs: list[str], *, copies: int = 1, half: bool = False) -> bytes:
    from reportlab.lib.pagesizes import A4, A5
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    font = floor_font()
    style = ParagraphStyle("b", fontName=font, fontSize=11 if half else 16,
                           leading=16 if half else 28, wordWrap="CJK")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A5 if half else A4)
    story = []
    for i in range(copies):
        if i:
            story.append(PageBreak())
        story += [Paragraph(p, style) for p in paragraphs]
    doc.build(story)
    return buf.getvalue()


def floor_report(fig: dict, out: Path) -> None:
    from openpyxl import Workbook
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table

    font = floor_font()
    rows = [[str(k), str(v)] for key in ("channel", "category", "status", "events")
            for k, v in fig[key]]
    buf = io.BytesIO()
    table = Table(rows)
    table.setStyle([("FONTNAME", (0, 0), (-1, -1), font)])
    SimpleDocTemplate(buf, pagesize=A4).build([table])
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    cases = wb.create_sheet("cases")
    for r in fig["cases"]:
        cases.append(list(r))
    wb.save(out)


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


# ----------------------------------------------------------------------------- GUI probe

def probe(mode: str, data: Path, *extra: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode cached, as in an installed program
    t0 = time.time()
    proc = subprocess.run([sys.executable, str(HERE / "gui_probe.py"), mode, str(data),
                           "--t0", repr(t0), *extra], capture_output=True, text=True, env=env,
                          timeout=900)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"gui_probe {mode} failed:\n{proc.stdout}\n{proc.stderr}")


# ----------------------------------------------------------------------------- one size

LONG_FACTS = ("信访人称其于二〇一九年三月起在南充宏达建筑劳务有限公司承建的阳光花园项目务工，担任钢筋工，"
              "约定日工资三百元，按月结算。工程于二〇二〇年十二月完工后，公司以甲方未拨付工程款为由拖欠工资，"
              "信访人先后十余次到公司讨要，公司负责人避而不见，项目经理称待甲方结算后统一支付。")


def long_case(today: dt.date) -> str:
    """A replied case whose reply letter runs to about three pages a copy."""
    from xinfang_desk.core.cases import records as cases
    from xinfang_desk.core.rules.workflow import EventData

    facts = "\n".join(LONG_FACTS for _ in range(4))
    saved = cases.register_case(cases.CaseInput(
        received_on=today - dt.timedelta(days=20), channel="来访", category="申诉求决",
        summary="反映南充宏达建筑劳务有限公司拖欠工资", request="请求督促公司尽快足额支付拖欠的工资",
        facts=facts, reasons="拖欠劳动报酬违反《保障农民工工资支付条例》。",
        petitioners=[cases.PetitionerInput(name="测试人", address="四川省南充市顺庆区人民中路1号")],
        disposition="受理"), today=today)
    cases.record_event(saved.case_no, EventData(
        type="replied", on=today, outcome="支持",
        note="\n".join(["经调查核实，情况属实。已责令公司于三十日内足额支付拖欠工资，"
                        "并由劳动保障监察部门跟踪督办。"] * 3)))
    return saved.case_no


def measure_size(n: int, meta: dict, args, log) -> list[Row]:
    from xinfang_desk.core.cases import search
    from xinfang_desk.core.cases.records import CaseInput, PetitionerInput
    from xinfang_desk.core.cases.repeats import find_repeats
    from xinfang_desk.core.documents.build import build_document
    from xinfang_desk.core.intake import desk as intake
    from xinfang_desk.core.report.figures import month_range, monthly_figures
    from xinfang_desk.core.report.pdf import write_pdf
    from xinfang_desk.core.report.xlsx import write_xlsx
    from xinfang_desk.core.rules.validators import _id_check_char
    from xinfang_desk.core.store import storage
    from xinfang_desk.core.store.backup import backup_now
    from xinfang_desk.core.store.models import Case

    root = bench_db.db_dir(args.cache, n)
    runs = args.runs
    few = max(3, runs // 2)  # slow measures (processes, backups)
    rows: list[Row] = []
    s = meta["samples"]
    today = dt.date.today()

    # 1 / 9: separate GUI processes
    log("  start-up (GUI processes) ...")
    starts = [probe("ours", root) for _ in range(few + 1)][1:]
    floors = [probe("floor", root) for _ in range(few + 1)][1:]
    med = sorted(starts, key=lambda r: r["marks"]["list_filled"])[len(starts) // 2]
    fmed = statistics.median(r["marks"]["list_filled"] for r in floors) * 1000
    phases = med["marks"]
    note = (f"import {phases['imports'] * 1000:.0f}, open DB {1000 * (phases['database_open'] - phases['qapplication']):.0f}, "
            f"window {1000 * (phases['window_shown'] - phases['database_open']):.0f}, "
            f"list {1000 * (phases['list_filled'] - phases['window_shown']):.0f} ms")
    rows.append(Row("1", "cold start → main window, list filled", phases["list_filled"] * 1000,
                    fmed, 1500, note=note + "; the integrity check runs beside it"))
    check_ms = statistics.median(r["marks"]["check_done"] - r["marks"]["database_open"]
                                 for r in starts) * 1000
    rows.append(Row("1", "start-up integrity check (own thread, beside the sign-in)", check_ms,
                    None, None, note="the main window opens once it has passed: a clerk who "
                    "signs in faster waits for the rest"))

    storage.open_data_dir(root)
    fl = Floor(storage.DataDir(root).database)
    try:
        log("  case list, search, repeats ...")
        rows.append(Row("2", "case list: first page (200 rows + total)",
                        timed(lambda: search.search_cases(limit=200), runs),
                        timed(lambda: fl.page(limit=200), runs), 100, db_op=True))
        for label, text, target, ffn in (
                ("search 3 chars “物业费”", "物业费", 100, lambda: fl.fts_page("物业费")),
                ("search 2 chars “低保”", "低保", 300, lambda: fl.term_page("低保")),
                (f"search name “{s['name']}”", s["name"], 100 if len(s["name"]) >= 3 else 300,
                 lambda: fl.fts_page(s["name"]) if len(s["name"]) >= 3
                 else fl.term_page(s["name"])),
                ("search ID number", s["id_number"], 100, lambda: fl.id_page(s["id_number"]))):
            ours_ms = timed(lambda text=text: search.search_cases(text), runs)
            found = search.search_cases(text).total
            rows.append(Row("3", label, ours_ms, timed(ffn, runs), target, db_op=True,
                            note=f"{found:,} found"))
        matter = "反映物业公司擅自提高物业费，要求物业公司按合同收费"
        for label, kw, ffn in (
                ("repeats: ID number", {"id_number": s["id_number"]},
                 lambda: fl.repeats_person("id_number = ?", (s["id_number"],))),
                ("repeats: phone", {"phone": s["phone"]},
                 lambda: fl.repeats_person("phone = ? OR phone_alt = ?", (s["phone"],) * 2)),
                ("repeats: matter text (24 chars)", {"text": matter},
                 lambda: fl.repeats_text(matter))):
            rows.append(Row("4", label, timed(lambda kw=kw: find_repeats(**kw), runs),
                            timed(ffn, runs), 100, db_op=True))

        log("  save intake ...")
        counter = [0]

        def save():
            counter[0] += 1
            first17 = f"51130219750202{counter[0] % 1000:03d}"
            number = first17 + _id_check_char(first17)
            data = CaseInput(
                received_on=today, channel="来访", category="申诉求决",
                summary="反映小区物业擅自提高物业费", request="要求按合同收费",
                facts="信访人称物业公司未经业主大会同意上调物业费。", reasons="违反物业服务合同。",
                petitioners=[PetitionerInput(name="基准测", id_number=number,
                                             phone="13900000000",
                                             address="四川省南充市顺庆区模范街1号")],
                disposition="受理", clerk="张丽")
            find_repeats(id_number=number, phone="13900000000")  # as typed at the desk
            intake.save_intake(data, today=today)

        fcounter = [0]

        def floor_save():
            fcounter[0] += 1
            fl.repeats_person("id_number = ? OR phone = ?", ("110101198001010000", "13900000000"))
            fl.save_intake(fcounter[0], today)

        rows.append(Row("5", "save one intake (with repeat check)", timed(save, runs),
                        timed(floor_save, runs), 50, db_op=True))

        log("  documents ...")
        case_no = s["case_no"]
        receipt = build_document(case_no, "receipt", today=today)
        case = Case.get(Case.case_no == case_no)
        receipt_text = [case.case_no, case.query_code, case.summary, case.request,
                        "您反映的事项已登记。"] * 2
        rows.append(Row("6", "receipt PDF",
                        timed(lambda: build_document(case_no, "receipt", today=today), runs),
                        timed(lambda: floor_pdf(receipt_text, half=True), runs), 150,
                        note=f"{pdf_pages(receipt)} page(s)"))
        long_no = long_case(today)
        letter = build_document(long_no, "reply", today=today)
        lcase = Case.get(Case.case_no == long_no)
        letter_text = [lcase.summary, lcase.request, *lcase.facts.split("\n"), lcase.reasons,
                       "经调查核实，情况属实。" * 6, "如对本答复意见不服，可以自收到本意见书之日起30日内"
                       "向本机关的上一级机关请求复查。"]
        rows.append(Row("6", "reply letter PDF (2 copies)",
                        timed(lambda: build_document(long_no, "reply", today=today), runs),
                        timed(lambda: floor_pdf(letter_text, copies=2), runs),
                        note=f"{pdf_pages(letter)} pages"))

        log("  monthly report ...")
        month = f"{(today.replace(day=1) - dt.timedelta(days=1)):%Y-%m}"
        start, end = month_range(month)
        tmp = Path(tempfile.mkdtemp(prefix="xf-bench-out-"))
        report = monthly_figures(start, end, today=today)
        t_fig = timed(lambda: monthly_figures(start, end, today=today), few)
        t_pdf = timed(lambda: write_pdf(report), few)
        t_xlsx = timed(lambda: write_xlsx(report, tmp / "r.xlsx"), few)
        fig = fl.month_figures(start, end)
        f_fig = timed(lambda: fl.month_figures(start, end), few)
        f_out = timed(lambda: floor_report(fig, tmp / "f.xlsx"), few)
        rows.append(Row("7", f"monthly report {month}: figures", t_fig, f_fig, db_op=True,
                        note=f"{report.received_total:,} received"))
        rows.append(Row("7", "monthly report: PDF", t_pdf))
        rows.append(Row("7", "monthly report: XLSX", t_xlsx))
        rows.append(Row("7", "monthly report: all three", t_fig + t_pdf + t_xlsx, f_fig + f_out,
                        3000, note="floor: GROUP BY + bare PDF/XLSX"))

        log("  backup ...")
        k = [0]

        def ours_backup():
            k[0] += 1
            out = tmp / f"b{k[0]}.sqlite3"
            backup_now(root, out=out)
            for f in tmp.glob(f"b{k[0]}.sqlite3*"):
                f.unlink()

        def floor_backup():
            k[0] += 1
            out = tmp / f"f{k[0]}.sqlite3"
            c = sqlite3.connect(str(storage.DataDir(root).database))
            c.execute("VACUUM INTO ?", (str(out),))
            c.close()
            out.unlink()

        b_runs = 3 if n < 1_000_000 else 1
        rows.append(Row("8", "backup (VACUUM INTO, check, hash)", timed(ours_backup, b_runs),
                        timed(floor_backup, b_runs), db_op=True,
                        note=f"{storage.DataDir(root).database.stat().st_size / 2**20:,.0f} MiB"))
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
    finally:
        fl.close()
        storage.close()

    log("  memory while scrolling ...")
    mem = probe("ours", root, "--scroll", str(args.scroll), "--jumps", str(args.jumps))
    fmem = floors[-1]["memory_end"]["VmHWM"]
    rss = mem["scroll_rss"]
    # Does memory grow with the rows paged past? Growth over the second half of the paging
    # (the model's row cache, at most 8,000 rows, is full long before), jumps included.
    paged = [r for r in rss if isinstance(r[0], int)]
    half = next((r for r in paged if r[0] >= paged[-1][0] / 2), paged[-1])
    growth = rss[-1][1] - half[1]
    rows.append(Row("9", "GUI peak memory (VmHWM)", mem["memory_end"]["VmHWM"], fmem, 400,
                    unit="MiB", note=f"at start {mem['memory_ready']['VmRSS']:.0f} MiB"))
    series = ", ".join(f"{r[0]:,} rows {r[1]:.0f}" if isinstance(r[0], int) else
                       f"{r[0]} {r[1]:.0f}" for r in rss)
    rows.append(Row("9", "GUI RSS growth over the second half of the paging", growth,
                    unit="MiB", note=f"RSS (MiB) after: {series}; the model holds at most "
                                     f"{mem['cached_rows']:,} rows"))
    rows.append(Row("9", "list: page down (median / worst)", mem["page_down_ms_median"],
                    note=f"worst {mem['page_down_ms_max']:.0f} ms"))
    rows.append(Row("9", "list: jump anywhere (median / worst)", mem["jump_ms_median"],
                    note=f"worst {mem['jump_ms_max']:.0f} ms"))
    return rows


# ----------------------------------------------------------------------------- output

def fmt(x: float | None, unit: str = "ms") -> str:
    if x is None:
        return "—"
    if unit == "MiB":
        return f"{x:,.0f} MiB"
    return f"{x:,.1f}" if x < 100 else f"{x:,.0f}"


def table(rows: list[Row]) -> str:
    out = ["| # | measure | ours (ms) | floor (ms) | ours/floor | target | met | note |",
           "|---|---|---:|---:|---:|---|---|---|"]
    for r in rows:
        target = []
        if r.target is not None:
            target.append(f"< {fmt(r.target, r.unit)}")
        if r.db_op:
            target.append("≤ 3×")
        ratio = f"{r.ratio:.1f}×" if r.ratio is not None else "—"
        out.append(f"| {r.item} | {r.label} | {fmt(r.ours, r.unit)} | {fmt(r.floor, r.unit)} | "
                   f"{ratio} | {', '.join(target) or '—'} | {r.met()} | {r.note} |")
    return "\n".join(out)


def summary_table(results: dict[int, list[Row]]) -> str:
    sizes = sorted(results)
    head = "| measure | " + " | ".join(f"{n:,}" for n in sizes) + " |"
    out = [head, "|---|" + "---:|" * len(sizes)]
    labels = [r.label for r in results[sizes[-1]]]
    for i, label in enumerate(labels):
        cells = []
        for n in sizes:
            rs = results[n]
            r = rs[i] if i < len(rs) else None
            cells.append(fmt(r.ours, r.unit) if r else "—")
        out.append(f"| {re.sub(r'“.*?”', '', label) if 'name' in label else label} | "
                   + " | ".join(cells) + " |")
    return "\n".join(out)


def markdown(results: dict[int, list[Row]], info: dict, load: tuple[str, str], args,
             metas: dict) -> str:
    sizes = sorted(results)
    big = sizes[-1]
    lines = [
        BEGIN,
        f"Measured {dt.date.today():%Y-%m-%d} by `python bench/run_all.py"
        f"{' --sizes ' + args.sizes if args.sizes != bench_db_default() else ''}`"
        f" (median of {args.runs} runs after a warm-up; slow items fewer).",
        "",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; {info['os']}",
        f"- Python {info['python']}, SQLite {info['sqlite']}, PySide6 {info['pyside6']}, "
        f"peewee {info['peewee']}, ReportLab {info['reportlab']}",
        f"- Load average (1/5/15 min) at the start {load[0]}, at the end {load[1]}"
        f"{' — ' + args.load_note if args.load_note else ''}",
        "- Databases: " + "; ".join(
            f"{n:,} cases received {metas[n]['first_day']}…{metas[n]['last_day']}, "
            f"{metas[n]['events']:,} events, {metas[n]['db_bytes'] / 2**20:,.0f} MiB, "
            f"built in {metas[n]['build_seconds']:.0f} s" for n in sizes),
        "",
        f"### {big:,} cases",
        "",
        table(results[big]),
        "",
    ]
    if len(sizes) > 1:
        lines += ["### Ours at every size", "", summary_table(results), ""]
    lines.append(END)
    return "\n".join(lines)


def bench_db_default() -> str:
    return ",".join(str(s) for s in bench_db.DEFAULT_SIZES)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=bench_db.DEFAULT_CACHE)
    ap.add_argument("--sizes", default=bench_db_default())
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--scroll", type=int, default=1500, help="screens paged down (item 9)")
    ap.add_argument("--jumps", type=int, default=100, help="random jumps in the list (item 9)")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--load-note", default="", help="what else ran on the machine")
    ap.add_argument("--json", type=Path, default=None, help="also write raw results here")
    ap.add_argument("--db-url", default=None,
                    help="also measure a PostgreSQL server beside SQLite (bench_server.py): "
                         "postgresql://user:password@host:port/xinfang_bench")
    ap.add_argument("--server-only", action="store_true",
                    help="with --db-url: only the server comparison, not the SQLite suite")
    bench_server.add_arguments(ap, standalone=False)
    args = ap.parse_args()
    if args.server_only and not args.db_url:
        ap.error("--server-only needs --db-url")

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    if not args.server_only:
        suite(args, log)
    if args.db_url:
        bench_server.run(argparse.Namespace(**{**vars(args), "sizes": args.server_sizes}))


def suite(args, log) -> None:
    sizes = [int(x) for x in args.sizes.split(",")]
    metas = {n: bench_db.build(args.cache, n, log=log) for n in sizes}
    for n in sizes:
        bench_db.migrate(args.cache, n, log=log)
    info = machine()
    load_start = loadavg()
    results: dict[int, list[Row]] = {}
    for n in sizes:
        log(f"measuring {n:,} cases ...")
        results[n] = measure_size(n, metas[n], args, log)
        print(f"\n## {n:,} cases\n\n{table(results[n])}\n", flush=True)
    load = (load_start, loadavg())
    block = markdown(results, info, load, args, metas)
    if len(sizes) > 1:
        print(summary_table(results))
    if args.json:
        args.json.write_text(json.dumps({str(n): [dataclasses.asdict(r) for r in rs]
                                         for n, rs in results.items()}, ensure_ascii=False,
                                        indent=1), encoding="utf-8")
    if not args.no_write:
        write_block(args.out, block, BEGIN, END)
        log(f"written to {args.out}")


if __name__ == "__main__":
    main()
