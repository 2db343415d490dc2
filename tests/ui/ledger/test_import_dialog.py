"""导入台账…: a clerk opens the office's own workbook, sees its columns and first rows, checks
it (nothing written), imports it on the worker, and keeps the refused rows to correct."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from openpyxl import Workbook, load_workbook  # noqa: E402

from tests.core.interchange import ledger_files as lf  # noqa: E402
from tests.ui import helpers  # noqa: E402
from xinfang_desk.core.cases.records import petitioners_of  # noqa: E402
from xinfang_desk.core.interchange.ledger_columns import IGNORE, load_named_mapping  # noqa: E402
from xinfang_desk.core.store.models import AuditLog, Case  # noqa: E402
from xinfang_desk.ui.ledger.import_dialog import ALL_SHEETS, LedgerImportDialog  # noqa: E402

TODAY = dt.date(2026, 1, 5)
WAIT = 20000

store = helpers.styled_store
store_tasks = helpers.store_tasks


def _dialog(qtbot, store, tasks):
    dialog = LedgerImportDialog(tasks, store.mappings, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _open(qtbot, dialog, path):
    dialog.open_file(path)
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT)


def _run(qtbot, dialog, button):
    button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT)


def _cells(table, row):
    return [table.item(row, c).text() if table.item(row, c) else ""
            for c in range(table.columnCount())]


def test_the_office_workbook_is_previewed_checked_and_imported(qtbot, store, store_tasks, tmp_path):
    path = lf.write_office_xlsx(tmp_path / "2025年来访台账.xlsx")
    dialog = _dialog(qtbot, store, store_tasks)
    _open(qtbot, dialog, path)

    # The header found under the title rows, the columns' meanings pre-filled.
    assert "第 4 行是表头" in dialog.header_label.text()
    preview = dialog.preview_table
    assert [preview.horizontalHeaderItem(c).text() for c in range(3)] == ["序号", "来访日期", "姓名"]
    assert _cells(preview, 0)[2] == "王秀英"
    assert preview.verticalHeaderItem(0).text() == "5"  # the sheet's row, as the report names it
    table = dialog.mapping_table
    assert table.combo("来访日期").currentText() == "登记日期"
    assert table.combo("交办单位").currentText() == "承办单位"
    assert table.combo("经办人").currentText() == "接待人"
    assert [dialog.sheet_combo.itemText(i) for i in range(dialog.sheet_combo.count())] == [
        ALL_SHEETS, "2025年"]

    # 检查: the dry run reports, refuses the ID Excel rounded, writes nothing.
    _run(qtbot, dialog, dialog.check_button)
    assert "可导入 4 件" in dialog.summary.text()
    report = dialog.report_text.toPlainText()
    assert "取值对应：问题类别“投诉”→“申诉求决”" in report
    assert dialog.refused_table.rowCount() == 1
    refused = _cells(dialog.refused_table, 0)
    assert refused[:3] == ["2025年", "9", "身份证号码"]
    assert "科学计数法" in refused[4] and "位数不全" in refused[4]
    assert Case.select().count() == 0

    # 导入: on the worker, with the progress bar; the rows the clerk expects are there.
    seen = []
    dialog.sig_imported.connect(seen.append)
    _run(qtbot, dialog, dialog.import_button)
    assert "导入完成：已导入 4 件" in dialog.summary.text()
    assert Case.select().count() == 4
    assert len(seen) == 1 and seen[0].imported == 4
    names = sorted(p.name for c in Case.select() for p, _ in petitioners_of(c))
    assert names == ["刘德福", "周喆", "李建国", "王秀英", "赵桂兰"]
    assert AuditLog.select().where(AuditLog.action == "imported").count() == 1

    # The refused row kept for the clerk, with the reason beside it.
    out = tmp_path / "未导入.xlsx"
    dialog.write_rejects(out)
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT)
    assert "已把未导入的 1 行" in dialog.summary.text()
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "原行号" and rows[0][-1] == "未导入原因"
    assert rows[1][3] == "陈昇" and "科学计数法" in rows[1][-1]

    # The same ledger again adds nothing.
    _run(qtbot, dialog, dialog.import_button)
    assert "没有导入任何一行" in dialog.summary.text()
    assert Case.select().count() == 4


def test_the_column_drop_downs_decide_what_comes_in_and_are_saved_by_name(
        qtbot, store, store_tasks, tmp_path):
    """An office's own column names: 接访领导 means who received the visitor, 内部编码 is to
    stay out; the clerk says so once, saves the mapping, and next year picks it by name."""
    path = tmp_path / "局长接访登记表.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "登记表"
    ws.append(["局长接访登记表"])
    ws.append(["日期", "姓名", "反映问题", "接访领导", "内部编码"])
    ws.append(["2025-05-06", "王秀英", "反映拖欠工资", "李局长", "NB-0042"])
    wb.save(path)

    dialog = _dialog(qtbot, store, store_tasks)
    _open(qtbot, dialog, path)
    table = dialog.mapping_table
    assert table.combo("接访领导").currentText() == "（记入备注）"
    table.choose("接访领导", "clerk")
    table.choose("内部编码", IGNORE)
    assert table.combo("接访领导").currentText() == "接待人"
    assert table.combo("内部编码").currentText() == "（不导入）"

    dialog.mapping_name.setText("局长接访")
    dialog.save_mapping_button.click()
    saved = load_named_mapping("局长接访", store.mappings)
    assert saved.columns["接访领导"] == "clerk" and saved.columns["内部编码"] == IGNORE
    assert list(saved.columns)[:3] == ["日期", "姓名", "反映问题"]  # the ledger's order

    _run(qtbot, dialog, dialog.import_button)
    case = Case.get()
    assert case.clerk == "李局长"
    assert "NB-0042" not in (case.notes or "")

    # A new wizard offers the saved mapping by name and applies it.
    dialog.close()
    again = _dialog(qtbot, store, store_tasks)
    names = [again.mapping_combo.itemText(i) for i in range(again.mapping_combo.count())]
    assert "局长接访" in names
    again.mapping_combo.setCurrentIndex(names.index("局长接访"))
    again.mapping_combo.activated.emit(names.index("局长接访"))
    _open(qtbot, again, path)
    assert again.mapping_table.combo("接访领导").currentText() == "接待人"


def test_two_columns_cannot_mean_the_same_field(qtbot, store, store_tasks, tmp_path):
    path = tmp_path / "台账.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["登记日期", "姓名", "反映问题", "情况说明"])
    ws.append(["2025-05-06", "王秀英", "反映拖欠工资", "单位已停产"])
    wb.save(path)
    dialog = _dialog(qtbot, store, store_tasks)
    _open(qtbot, dialog, path)
    dialog.mapping_table.choose("情况说明", "summary")
    assert dialog.mapping_table.combo("情况说明").currentText() == "反映问题"
    assert dialog.mapping_table.combo("反映问题").currentText() == "备注"
    assert "“反映问题”原来也导入为“反映问题”" in dialog.summary.text()


def test_a_gbk_csv_from_wps_and_several_sheets(qtbot, store, store_tasks, tmp_path):
    csv = lf.write_csv(tmp_path / "来信台账.csv", "gbk")
    dialog = _dialog(qtbot, store, store_tasks)
    _open(qtbot, dialog, csv)
    assert _cells(dialog.preview_table, 0)[1] == "王秀英"  # GBK read as Chinese, not mojibake
    _run(qtbot, dialog, dialog.import_button)
    assert Case.select().count() == 2
    assert dialog.result_tabs.tabText(1) == "未导入的行（1）"

    book = lf.write_two_years(tmp_path / "历年台账.xlsx")
    _open(qtbot, dialog, book)
    sheets = [dialog.sheet_combo.itemText(i) for i in range(dialog.sheet_combo.count())]
    assert sheets == [ALL_SHEETS, "说明（未找到表头）", "2024年台账", "2025年台账"]
    dialog.sheet_combo.setCurrentIndex(sheets.index("2024年台账"))
    _run(qtbot, dialog, dialog.import_button)
    assert "已导入 2 件" in dialog.summary.text()  # that sheet only
    assert Case.select().count() == 4
    assert Case.select().where(Case.received_on == dt.date(2024, 10, 14)).count() == 1
    assert Case.select().where(Case.received_on >= dt.date(2025, 1, 1),
                               Case.received_on < dt.date(2025, 6, 1)).count() == 0


def test_a_file_that_is_no_ledger_gets_a_chinese_message(qtbot, store, store_tasks, tmp_path):
    broken = tmp_path / "台账.xlsx"
    broken.write_bytes(b"this is not a workbook at all")
    dialog = _dialog(qtbot, store, store_tasks)
    _open(qtbot, dialog, broken)
    assert "未能读取台账" in dialog.summary.text()
    assert not dialog.check_button.isEnabled() and not dialog.import_button.isEnabled()

    notes = tmp_path / "说明.xlsx"
    wb = Workbook()
    wb.active.append(["本表为空"])
    wb.save(notes)
    _open(qtbot, dialog, notes)
    assert "没有找到台账表头" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()


def test_a_cancelled_import_writes_nothing(qtbot, store, store_tasks, tmp_path):
    path = tmp_path / "大台账.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["登记日期", "姓名", "反映问题", "问题类别"])
    for i in range(4500):  # three batches of the core's writer
        ws.append([dt.date(2024, 1, 1) + dt.timedelta(days=i % 365), f"来访人{i:04d}",
                   f"反映第{i}号问题", "咨询"])
    wb.save(path)
    dialog = _dialog(qtbot, store, store_tasks)
    _open(qtbot, dialog, path)
    dialog.import_button.click()
    assert dialog.cancel_button.isVisible()
    assert not dialog.close_button.isEnabled()
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=60000)
    assert "已取消导入，未写入任何数据" in dialog.summary.text()
    assert Case.select().count() == 0
    assert dialog.progress.isHidden()
