"""`report --from --to`: any date range, both days included; bad ranges refused in Chinese."""

import datetime as dt
import json

import pytest

from tests.core.helpers import intake
from xinfang_desk.cli import main as cli
from xinfang_desk.core.cases.records import register_case
from xinfang_desk.core.store import storage

D = dt.date


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    storage.close()
    out = capsys.readouterr()
    return code, out.out, out.err


def test_range_counts_both_ends(tmp_path, capsys):
    storage.open_data_dir(tmp_path)
    for day in (D(2026, 10, 9), D(2026, 10, 10), D(2026, 10, 15), D(2026, 10, 20), D(2026, 10, 21)):
        register_case(intake(received_on=day), today=D(2026, 11, 1))
    storage.close()
    code, out, _ = _run(capsys, "--data-dir", str(tmp_path), "report", "--from", "2026-10-10",
                        "--to", "2026-10-20", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["start"], data["end"], data["received_total"]) == ("2026-10-10", "2026-10-20", 3)
    # the previous period is the 11 days before: 09-29..10-09 holds the 10-09 case only
    assert data["change"]["received_total"] == 2


@pytest.mark.parametrize("argv, message", [
    (["--from", "2026-10-20", "--to", "2026-10-10"], "统计止日不能早于起日"),
    (["--from", "2026-10-20"], "使用 --from 时须同时给出 --to"),
    (["--month", "2026-10", "--to", "2026-10-10"], "--to 只能与 --from 一起使用"),
])
def test_bad_ranges_refused(tmp_path, capsys, argv, message):
    code, _, err = _run(capsys, "--data-dir", str(tmp_path), "report", *argv)
    assert code == 1 and message in err
    assert not (tmp_path / "xinfang.sqlite3").exists()  # refused before opening anything


def test_month_and_from_are_exclusive(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--data-dir", str(tmp_path), "report", "--month", "2026-10", "--from", "2026-10-01"])
    assert exc.value.code == 2
