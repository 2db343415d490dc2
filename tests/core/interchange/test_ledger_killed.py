"""A ledger import killed in the middle (the power cut, the task manager) leaves the database
as it was: the accepted rows are written in one transaction."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

from tests import paths
from tests.core.interchange import ledger_files as lf

WRITER = textwrap.dedent("""
    import datetime as dt, sys, time
    from pathlib import Path
    from xinfang_desk.core.interchange import ledger_import
    from xinfang_desk.core.store import storage
    storage.open_data_dir(Path(sys.argv[1]))
    ledger_import.BATCH = 1

    def written(done, total):
        print("WROTE", done, total, flush=True)
        time.sleep(60)  # killed here, inside the transaction

    ledger_import.import_ledger(Path(sys.argv[2]), today=dt.date(2026, 1, 5), progress=written)
""")


def test_a_killed_import_leaves_nothing(tmp_path):
    ledger = lf.write_office_xlsx(tmp_path / "t.xlsx")
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(data), str(ledger)],
                            stdout=subprocess.PIPE, text=True, cwd=paths.ROOT,
                            env={**os.environ, "PYTHONPATH": str(paths.ROOT)})
    try:
        assert proc.stdout.readline().startswith("WROTE 1 4")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
    con = sqlite3.connect(data / "xinfang.sqlite3")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("SELECT COUNT(*) FROM xf_case").fetchone() == (0,)
        assert con.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'imported'").fetchone() == (0,)
    finally:
        con.close()
