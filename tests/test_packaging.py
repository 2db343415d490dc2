"""Packaging facts: the program starts and reports its version, the bundled font is present.

Also (only when XINFANG_FROZEN_DIR names a PyInstaller build, as `make build` does): checks of
the frozen one-folder build. These tests must stay Qt-free.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

import xinfang_desk

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"
FROZEN_DIR = os.environ.get("XINFANG_FROZEN_DIR")
EXE_NAME = "xinfang-desk.exe" if sys.platform == "win32" else "xinfang-desk"


def test_version_of_python_m() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "xinfang_desk", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"xinfang-desk {xinfang_desk.__version__}"


def test_version_is_pep440() -> None:
    from packaging.version import Version

    assert str(Version(xinfang_desk.__version__)) == xinfang_desk.__version__


def test_bundled_font_is_truetype_collection() -> None:
    with FONT.open("rb") as f:
        assert f.read(4) == b"ttcf"
    assert FONT.stat().st_size > 4_000_000
    licence = FONT.with_name("LICENSE-wqy-microhei.txt").read_text(encoding="utf-8")
    assert "Apache License" in licence
    assert "Font exception" in licence


def test_bundled_font_renders_chinese_in_reportlab(tmp_path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = TTFont("WQYMicroHei-packaging-test", str(FONT), subfontIndex=0)
    pdfmetrics.registerFont(font)
    for ch in "信访接待台0123456789ABCabc":
        assert ord(ch) in font.face.charToGlyph, ch
    pdf = tmp_path / "t.pdf"
    c = canvas.Canvas(str(pdf))
    c.setFont("WQYMicroHei-packaging-test", 12)
    c.drawString(72, 720, "信访接待台 2026")
    c.save()
    assert pdf.read_bytes().startswith(b"%PDF")


frozen = pytest.mark.skipif(not FROZEN_DIR, reason="XINFANG_FROZEN_DIR not set (make build)")


@frozen
def test_frozen_version() -> None:
    exe = Path(FROZEN_DIR) / EXE_NAME
    result = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"xinfang-desk {xinfang_desk.__version__}"


@frozen
def test_frozen_bundle_contents() -> None:
    internal = Path(FROZEN_DIR) / "_internal"
    assert (internal / "resources" / "fonts" / "wqy-microhei.ttc").is_file()
    assert (internal / "resources" / "fonts" / "LICENSE-wqy-microhei.txt").is_file()
    modules = _frozen_module_names(Path(FROZEN_DIR) / EXE_NAME)
    # holidays imports its country modules by name at run time: they must be bundled.
    for name in (
        "xinfang_desk.cli",
        "holidays",
        "holidays.countries.china",
        "holidays.registry",
    ):
        assert name in modules, name
    # Holiday names are translated with gettext catalogues shipped as data files.
    assert list((internal / "holidays" / "locale").glob("zh_CN/LC_MESSAGES/CN.mo"))


@frozen
def test_frozen_deadlines_uses_holidays(tmp_path: Path) -> None:
    """Run a real CLI command in the frozen program: opening a data directory seeds the
    work-day calendar from the holidays package (country modules are imported by name)."""
    exe = Path(FROZEN_DIR) / EXE_NAME
    help_text = subprocess.run(
        [str(exe), "--help"], capture_output=True, text=True, timeout=120
    ).stdout
    if "deadlines" not in help_text:
        pytest.skip("the CLI has no deadlines command yet")
    data = tmp_path / "data"
    result = subprocess.run(
        [str(exe), "--data-dir", str(data), "deadlines"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # The core falls back silently when holidays is broken; make sure it was not.
    db = data / "xinfang.sqlite3"
    if db.exists():
        with closing(sqlite3.connect(db)) as con:
            tables = {r[0] for r in con.execute("select name from sqlite_master")}
            if "calendar_year" in tables:
                seeded = con.execute(
                    "select count(*) from calendar_year where source = 'holidays'"
                ).fetchone()[0]
                assert seeded > 0, "the frozen program did not seed the calendar from holidays"


@frozen
def test_frozen_program_prints_documents_with_the_bundled_fonts(tmp_path: Path) -> None:
    """Demo data, then a receipt and a register form from the frozen CLI: ReportLab, the
    bundled TrueType fonts and the seed data all made it into the build."""
    exe = Path(FROZEN_DIR) / EXE_NAME
    data = tmp_path / "data"
    run = [str(exe), "--data-dir", str(data)]
    demo = subprocess.run(run + ["demo", "--cases", "20"], capture_output=True, text=True,
                          timeout=300)
    assert demo.returncode == 0, demo.stderr
    with closing(sqlite3.connect(data / "xinfang.sqlite3")) as con:
        case_no = con.execute("select case_no from xf_case order by id limit 1").fetchone()[0]
    for doc in ("receipt", "register"):
        out = tmp_path / f"{doc}.pdf"
        result = subprocess.run(run + ["print", case_no, "--doc", doc, "--out", str(out)],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        pdf = out.read_bytes()
        assert pdf.startswith(b"%PDF") and b"/FontFile2" in pdf


@frozen
def test_frozen_gui_starts_offscreen(tmp_path: Path) -> None:
    """The frozen GUI must come up (Qt plugins, fonts, resources found) and keep running."""
    exe = Path(FROZEN_DIR) / EXE_NAME
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [str(exe), "--data-dir", str(tmp_path / "data")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        rc = proc.wait(timeout=6)
    except subprocess.TimeoutExpired:
        rc = None  # still running: the window is up
    finally:
        proc.kill()
        out = proc.communicate()[0]
    assert rc is None, f"the frozen GUI exited with {rc}:\n{out}"


def _frozen_module_names(exe: Path) -> set[str]:
    from PyInstaller.archive.readers import CArchiveReader, ZlibArchiveReader

    carchive = CArchiveReader(str(exe))
    names: set[str] = set()
    for entry_name in carchive.toc:
        if entry_name.endswith(".pyz"):
            pyz = carchive.open_embedded_archive(entry_name)
            assert isinstance(pyz, ZlibArchiveReader)
            names.update(pyz.toc)
    return names


@frozen
def test_frozen_encrypted_backup_report_and_check(tmp_path: Path) -> None:
    """cryptography (AES-GCM backups), openpyxl and ReportLab's charts made it into the build:
    an encrypted backup is written and verified by restore, the report's PDF and workbook are
    written, and the database check passes."""
    exe = Path(FROZEN_DIR) / EXE_NAME
    data = tmp_path / "data"
    run = [str(exe), "--data-dir", str(data)]
    env = {**os.environ, "XF_PASS": "correct horse 2026"}
    assert subprocess.run(run + ["demo", "--cases", "30"], capture_output=True, text=True,
                          timeout=300).returncode == 0
    out = tmp_path / "b.xfbak"
    result = subprocess.run(run + ["backup", "--out", str(out), "--passphrase-env", "XF_PASS"],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert out.is_file() and b"SQLite format 3" not in out.read_bytes()[:64]
    restored = subprocess.run(run + ["restore", str(out), "--passphrase-env", "XF_PASS", "--yes"],
                              capture_output=True, text=True, timeout=300, env=env)
    assert restored.returncode == 0, restored.stderr
    pdf, xlsx = tmp_path / "r.pdf", tmp_path / "r.xlsx"
    report = subprocess.run(run + ["report", "--month", "2026-10", "--pdf", str(pdf),
                                   "--xlsx", str(xlsx)], capture_output=True, text=True, timeout=300)
    assert report.returncode == 0, report.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and xlsx.read_bytes()[:2] == b"PK"
    check = subprocess.run(run + ["check"], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr


@frozen
@pytest.mark.skipif(not os.environ.get("XINFANG_TEST_PG_URL"), reason="no PostgreSQL server")
def test_frozen_program_reaches_the_server(tmp_path: Path) -> None:
    """The server driver (psycopg with its binary part) made it into the build: the frozen
    program connects and says what the server holds; a wrong password is said in Chinese."""
    exe = Path(FROZEN_DIR) / EXE_NAME
    url = os.environ["XINFANG_TEST_PG_URL"]
    run = [str(exe), "--data-dir", str(tmp_path / "desk"), "--db-url", url, "server", "status"]
    result = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "PostgreSQL" in result.stdout
    wrong = url.replace("://xinfang:xinfang@", "://xinfang:wrong@")
    if wrong != url:
        result = subprocess.run(run[:4] + [wrong, "server", "status"], capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 1 and "拒绝登录" in result.stderr
