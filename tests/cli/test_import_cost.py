"""Every command pays only for what it does: a search imports no server driver, no PDF or
workbook library and no holiday package, and the same process still reaches the server when
one is named (core.drivers, core.store.server.ServerDatabase)."""

import json
import subprocess
import sys
import textwrap

import pytest

from tests import paths
from tests.core.helpers import intake
from tests.core.server_db import PG_URL, needs_server, wipe
from xinfang_desk.core.cases.records import register_case
from xinfang_desk.core.store import storage

HEAVY = ("psycopg", "psycopg2", "reportlab", "openpyxl", "holidays", "PySide6")

# The entry point as `xinfang-desk` runs it, then what it imported.
PROBE = textwrap.dedent("""
    import io, json, sys
    from contextlib import redirect_stdout
    from xinfang_desk.cli.main import main
    out = io.StringIO()
    with redirect_stdout(out):
        rc = main(sys.argv[1:])
    loaded = sorted(m for m in {HEAVY!r} if sys.modules.get(m) is not None)
    print(json.dumps({{"rc": rc, "loaded": loaded, "out": out.getvalue()}}))
""").format(HEAVY=HEAVY)


def probe(*args, env=None):
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                            text=True, cwd=paths.ROOT, timeout=120, encoding="utf-8", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def desk(tmp_path):
    """A data directory in daily use: opened (calendar seeded, checked) and closed today."""
    root = tmp_path / "desk"
    storage.open_data_dir(root)
    register_case(intake(summary="反映单位拖欠工资三个月"))
    storage.close()
    return root


def test_search_imports_no_driver_pdf_workbook_or_holiday_library(desk):
    got = probe("--data-dir", str(desk), "search", "拖欠工资", "--json")
    assert got["rc"] == 0 and json.loads(got["out"])["total"] == 1
    assert got["loaded"] == []


def test_deadlines_and_attachments_import_none_of_them_either(desk):
    got = probe("--data-dir", str(desk), "deadlines", "--json")
    assert got["rc"] == 0
    assert [d["label"] for d in json.loads(got["out"])] == ["15日内告知", "60日内办结"]
    assert got["loaded"] == []
    got = probe("--data-dir", str(desk), "attachments", "XF2026-000001", "--json")
    assert got["rc"] == 0 and json.loads(got["out"]) == []
    assert got["loaded"] == []


def test_a_document_loads_reportlab_and_nothing_else_heavy(desk, tmp_path):
    storage.open_data_dir(desk)
    from xinfang_desk.core.store.models import Case

    case_no = Case.get().case_no
    storage.close()
    got = probe("--data-dir", str(desk), "print", case_no, "--doc", "receipt",
                "--out", str(tmp_path / "r.pdf"))
    assert got["rc"] == 0 and (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert got["loaded"] == ["reportlab"]


@needs_server
def test_the_server_driver_comes_when_a_server_is_named(tmp_path):
    import os

    pytest.importorskip("psycopg")
    wipe()
    env = {**os.environ, "XINFANG_ADMIN_PASSWORD": "admin2026a", "XINFANG_PASSWORD": "admin2026a"}
    desk = str(tmp_path / "desk")
    init = probe("--data-dir", desk, "--db-url", PG_URL, "server", "init", env=env)
    assert init["rc"] == 0 and "已初始化" in init["out"]
    got = probe("--data-dir", desk, "--db-url", PG_URL, "--user", "admin", "search", "工资",
                "--json", env=env)
    assert got["rc"] == 0 and json.loads(got["out"]) == {"total": 0, "rows": []}
    assert got["loaded"] == ["psycopg"]
