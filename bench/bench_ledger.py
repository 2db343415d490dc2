"""How long an office's whole ledger takes to come in (issue 14: 50,000 rows in under a minute
on a 2-core PC).

Writes a ledger workbook shaped like an office's (a title row, Excel dates, ID numbers as
text, the office's own words for classes, results in words: forwarded, answered, open), then
imports it into a fresh data directory, and again (every row a duplicate). Prints the times:

    .venv/bin/python bench/bench_ledger.py [--rows 50000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xinfang_desk.core.interchange.ledger_import import import_ledger  # noqa: E402
from xinfang_desk.core.interchange.sheets import read_sheets  # noqa: E402
from xinfang_desk.core.store import storage  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "秀英建国桂兰德福玉学军菊志强丽华明辉海燕晓东红梅春生"
MATTERS = ("反映单位拖欠工资", "反映邻居建房侵占宅基地", "咨询低保办理条件", "建议增设公交站点",
           "反映小区物业费上涨", "举报村干部优亲厚友", "反映噪音扰民", "咨询养老保险补缴")
CLASSES = ("投诉", "求决", "咨询", "建议", "举报", "申诉")
UNITS = ("区人社局", "区住建局", "某某镇政府", "区民政局", "区城管局")
RESULTS = ("已转{unit}办理，已答复，支持", "当场答复，告知政策", "办理中", "已办结",
           "已转{unit}办理", "已答复，解释说明")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id(rng: random.Random) -> str:
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(60 * 365))
    first17 = f"511302{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def write_ledger(path: Path, rows: int, seed: int = 1) -> None:
    from openpyxl import Workbook

    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("2025年")
    ws.append(["某某县信访局2025年来访登记台账"])
    ws.append(["序号", "来访日期", "姓名", "身份证号码", "联系电话", "住址", "反映问题", "问题类别",
               "交办单位", "办理情况", "办结日期", "是否满意"])
    start = dt.datetime(2025, 1, 1)
    for n in range(1, rows + 1):
        received = start + dt.timedelta(days=rng.randrange(365))
        result = rng.choice(RESULTS)
        unit = rng.choice(UNITS) if "{unit}" in result else ""
        finished = "已" in result or "当场" in result
        ws.append([n, received, rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                   _id(rng), f"13{rng.randrange(10**9):09d}", f"顺庆区{rng.randrange(200)}号",
                   f"{rng.choice(MATTERS)}（第{n}件）", rng.choice(CLASSES), unit,
                   result.format(unit=unit), received + dt.timedelta(days=20) if finished else None,
                   rng.choice(("满意", "基本满意", "")) if finished else ""])
    wb.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--keep", metavar="DIR", help="keep the ledger and data directory here")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="xf-ledger-"))
    work.mkdir(parents=True, exist_ok=True)
    ledger = work / f"台账-{args.rows}.xlsx"
    t0 = time.perf_counter()
    write_ledger(ledger, args.rows)
    t_write = time.perf_counter() - t0
    t0 = time.perf_counter()
    read_sheets(ledger)
    t_read = time.perf_counter() - t0
    storage.open_data_dir(work / "data")
    today = dt.date(2026, 6, 30)
    t0 = time.perf_counter()
    first = import_ledger(ledger, today=today)
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = import_ledger(ledger, today=today)
    t_again = time.perf_counter() - t0
    storage.close()
    print(f"ledger of {args.rows:,} rows ({ledger.stat().st_size / 2**20:.1f} MiB) written in "
          f"{t_write:.1f} s; read alone {t_read:.1f} s")
    print(f"import: {first.imported:,} cases, {len(first.refused)} refused, "
          f"{t_import:.1f} s ({args.rows / t_import:,.0f} rows/s)")
    print(f"import again: {again.imported} new, {len(again.duplicates):,} duplicates, "
          f"{t_again:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
