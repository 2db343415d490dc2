"""xinfang-desk import LEDGER.xlsx / .xls / .csv and export --out LEDGER.xlsx, as a clerk runs
them: what is printed, exit codes, the rejects workbook, a saved column mapping."""

import json

from openpyxl import Workbook, load_workbook

from tests.cli.test_cli import run
from tests.core.interchange import ledger_files as lf


def test_import_takes_the_good_rows_and_lists_the_refused(tmp_path):
    ledger = lf.write_office_xlsx(tmp_path / "2025年来访台账.xlsx")
    data = tmp_path / "data"
    dry = run("import", str(ledger), "--dry-run", data_dir=data)
    assert dry.returncode == 0, dry.stderr
    assert "可导入 4 件，未导入 1 行" in dry.stdout
    assert "取值对应：问题类别“投诉”→“申诉求决”" in dry.stdout
    done = run("import", str(ledger), "--rejects", str(tmp_path / "未导入.xlsx"), data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "已导入 4 件" in done.stdout
    assert "未导入 2025年 第9行 身份证号码（5.11302E+17）" in done.stdout
    assert "科学计数法" in done.stdout and "位数不全" in done.stdout
    assert load_workbook(tmp_path / "未导入.xlsx").active.max_row == 2
    again = run("import", str(ledger), data_dir=data)  # nothing new, one row still wrong
    assert again.returncode == 1
    assert "已导入 0 件" in again.stdout and "已有或重复 4 行" in again.stdout
    listed = json.loads(run("search", "拖欠工资", "--json", data_dir=data).stdout)
    assert listed["total"] == 1


def test_import_exits_1_when_no_row_can_be_taken(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["登记日期", "姓名", "反映问题"])
    ws.append(["2025-02-30", "王秀英", "甲"])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    result = run("import", str(path), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert "日期2025-02-30不存在" in result.stdout and "没有可以导入的行" in result.stderr


def test_a_mapping_file_and_csv_and_xls(tmp_path):
    data = tmp_path / "data"
    csv = lf.write_csv(tmp_path / "台账.csv", "gbk")
    assert "已导入 2 件" in run("import", str(csv), data_dir=data).stdout
    xls = lf.write_xls(tmp_path / "旧台账.xls")
    assert "已导入 2 件" in run("import", str(xls), data_dir=data).stdout
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"format": "xinfang-desk-ledger-mapping", "version": 1,
                                   "columns": {"反映问题": "summary", "备注": ""},
                                   "values": {"category": {"投诉": "检举控告"}}},
                                  ensure_ascii=False), encoding="utf-8")
    other = tmp_path / "other"
    out = run("import", str(lf.write_office_xlsx(tmp_path / "t.xlsx")), "--mapping", str(mapping),
              "--dry-run", data_dir=other)
    assert "问题类别“投诉”→“检举控告”" in out.stdout and "备注→（不导入）" in out.stdout
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    bad = run("import", str(csv), "--mapping", str(broken), data_dir=other)
    assert bad.returncode == 1 and "列映射文件 broken.json 无法读取" in bad.stderr


def test_export_writes_the_ledger_layout(tmp_path):
    data = tmp_path / "data"
    run("import", str(lf.write_office_xlsx(tmp_path / "t.xlsx")), data_dir=data)
    out = tmp_path / "台账导出.xlsx"
    result = run("export", "--out", str(out), data_dir=data)
    assert result.returncode == 0 and "已导出台账 4 件" in result.stderr
    ws = load_workbook(out).active
    assert [c.value for c in ws[2]][:3] == ["序号", "登记日期", "姓名"]
    assert ws.max_row == 6  # title, header, four cases
