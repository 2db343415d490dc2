"""The command line as a user runs it: output, exit codes, one-line Chinese errors."""

import datetime as dt
import json
import subprocess
import sys

from tests import paths
from tests.core.helpers import intake
from xinfang_desk import __version__
from xinfang_desk.cli import main as cli
from xinfang_desk.core.cases.records import register_case
from xinfang_desk.core.store import storage

ROOT = paths.ROOT


def run(*args, data_dir=None):
    cmd = [sys.executable, "-m", "xinfang_desk"]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, cwd=ROOT,
                          timeout=120, encoding="utf-8")


def test_version():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"xinfang-desk {__version__}"


def test_usage_errors_exit_2_in_chinese(tmp_path):
    result = run("deadlines", "--on", "2026-02-30", data_dir=tmp_path)
    assert result.returncode == 2
    assert "命令行参数有误" in result.stderr and "2026-02-30" in result.stderr


def test_writing_into_a_missing_folder_names_that_folder_in_chinese(tmp_path):
    missing = tmp_path / "U盘" / "口径.json"
    result = run("answers", "export", str(missing), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert result.stderr.strip() == f"错误：无法读写 {missing.parent}：文件夹不存在。"
    result = run("report", "--month", "2026-10", "--pdf", str(tmp_path), data_dir=tmp_path / "data")
    assert result.returncode == 1 and "该名称是一个文件夹" in result.stderr
    assert ".tmp" not in result.stderr


def test_deadlines_on_an_empty_database(tmp_path):
    result = run("deadlines", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "没有需要关注的期限" in result.stdout
    assert (tmp_path / "xinfang.sqlite3").exists()


def test_deadlines_table_and_search_json(tmp_path, capsys):
    storage.open_data_dir(tmp_path)
    saved = register_case(intake(received_on=dt.date(2026, 9, 20)), today=dt.date(2026, 10, 9))
    storage.close()
    assert cli.main(["--data-dir", str(tmp_path), "deadlines", "--on", "2026-10-09"]) == 0
    out = capsys.readouterr().out
    assert f"{saved.case_no}\t15日内告知\t2026-10-08\t超期1天\t第二十三条" in out
    storage.close()
    assert cli.main(["--data-dir", str(tmp_path), "search", "拖欠工资", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["total"] == 1 and found["rows"][0]["case_no"] == saved.case_no
    assert found["rows"][0]["received_on"] == "2026-09-20"
    storage.close()


def test_a_damaged_database_gives_one_chinese_line(tmp_path):
    (tmp_path / "xinfang.sqlite3").write_bytes(b"garbage" * 1000)
    result = run("deadlines", data_dir=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and "损坏" in lines[0]
