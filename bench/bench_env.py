"""What machine a benchmark ran on (CPU, cores, memory, OS, library versions), how busy it
was, and writing a result block into docs/performance.md: shared by run_all.py,
bench_server.py and bench_cli.py, so that they never import each other."""

from __future__ import annotations

import os
import platform
import re
import sqlite3
from pathlib import Path


def machine() -> dict:
    import peewee
    import PySide6
    import reportlab

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kb / 2**20:.0f} GiB"
    except (OSError, AttributeError):
        pass
    osname = platform.platform()
    try:
        pretty = re.search(r'PRETTY_NAME="([^"]+)"', Path("/etc/os-release").read_text())
        osname = f"{pretty.group(1)}, Linux {platform.release()}" if pretty else osname
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "ram": ram, "os": osname,
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "pyside6": PySide6.__version__, "peewee": peewee.__version__,
            "reportlab": reportlab.Version}


def loadavg() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def write_block(path: Path, block: str, begin: str, end: str, heading: str = "") -> None:
    """Put `block` (which starts with `begin` and ends with `end`) in place of the file's block
    between those markers, or at the end of the file under `heading` if it has none yet."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n\n"
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + (f"\n\n{heading}" if heading else "") + f"\n\n{block}\n"
    path.write_text(text, encoding="utf-8")
