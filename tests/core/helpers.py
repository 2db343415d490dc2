"""Small builders for core tests: hand-written intakes, not generated data."""

import datetime as dt

from xinfang_desk.core.cases.records import CaseInput, PetitionerInput

# Valid resident ID numbers, check characters worked out by hand (GB 11643 MOD 11-2).
ID_WANG = "11010519491231002X"  # 1949-12-31, female (sequence 002)
ID_LI = "34052419800101001X"  # upgraded from 340524800101001, male (sequence 001)


def intake(**overrides) -> CaseInput:
    values = dict(
        received_on=dt.date(2026, 9, 21),
        channel="来访",
        category="申诉求决",
        summary="反映单位拖欠工资三个月",
        request="要求单位支付拖欠的工资",
        facts="2026年6月至8月工资未发放，共计一万二千元",
        reasons="已多次向单位讨要未果",
        petitioners=[PetitionerInput(name="王秀英", id_number=ID_WANG, phone="13800001234",
                                     address="四川省南充市顺庆区中城街道1号")],
        disposition="受理",
        field="劳动社保/劳动报酬",
        clerk="张三",
    )
    values.update(overrides)
    return CaseInput(**values)


def stop_uncleanly(root) -> None:
    """A program that opened the data directory and ended without closing it (killed, power
    cut): a real process, so that its open mark is left unlocked."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import os, sys; from pathlib import Path; "
            "from xinfang_desk.core.store import storage; "
            "storage.open_data_dir(Path(sys.argv[1])); os._exit(0)")
    root_dir = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code, str(root)], cwd=root_dir,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def make_check_due(root) -> None:
    """As if the whole file had last been checked two days ago: the daily check is due."""
    from pathlib import Path

    from xinfang_desk.core.paths import DataDir
    from xinfang_desk.core.store import run_state

    run_state.record_full_check(DataDir(Path(root)), dt.datetime.now() - dt.timedelta(days=2))


def damage_last_page(path) -> bytes:
    """Scribble inside the file's last page (an index: opening never reads it, the full check
    does); returns the damaged file's bytes."""
    data = bytearray(path.read_bytes())
    page = 4096
    data[-page + 200:-100] = b"\xa5\x5a" * ((page - 300) // 2)
    path.write_bytes(bytes(data))
    return bytes(data)
