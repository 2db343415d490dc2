"""The office's Excel/WPS ledger comes in: the rows a clerk would expect are there with the
right people, dates, class, unit and events; the refused rows carry the right reason; blank,
total and repeated header rows are skipped; importing twice adds nothing; an interrupted
import leaves nothing."""

import datetime as dt
import json
import sqlite3

import pytest
from openpyxl import Workbook, load_workbook

from tests.core.helpers import ID_LI, ID_WANG
from tests.core.interchange import ledger_files as lf
from xinfang_desk.core.cases.batch import BatchWriter
from xinfang_desk.core.cases.records import events_of, get_case, petitioners_of
from xinfang_desk.core.deadlines.engine import list_deadlines
from xinfang_desk.core.errors import StorageError
from xinfang_desk.core.interchange import ledger_import
from xinfang_desk.core.interchange.ledger_columns import Mapping, load_mapping, save_mapping
from xinfang_desk.core.interchange.ledger_export import export_ledger
from xinfang_desk.core.interchange.ledger_import import import_ledger, preview, write_rejects
from xinfang_desk.core.interchange.sheets import SheetError
from xinfang_desk.core.rules import vocab as v
from xinfang_desk.core.store import audit, storage
from xinfang_desk.core.store.models import AuditLog, Case

TODAY = dt.date(2026, 1, 5)


def _case_of(name: str) -> Case:
    return next(c for c in Case.select() if any(p.name == name for p, _ in petitioners_of(c)))


def _types(case: Case) -> list[str]:
    return [e.type for e in events_of(case)]


def test_an_office_workbook_comes_in_with_people_dates_class_unit_and_events(store, tmp_path):
    path = lf.write_office_xlsx(tmp_path / "2025年来访台账.xlsx")
    report = import_ledger(path, today=TODAY)
    assert report.imported == 4 and Case.select().count() == 4
    assert report.skipped == {"空行": 1, "重复表头": 1, "合计行": 1}

    wang = _case_of("王秀英")
    assert wang.received_on == dt.date(2025, 3, 4)
    assert wang.category == "申诉求决"  # the office's 投诉
    assert wang.field.name == "劳动社保" and wang.unit.name == "区人社局"
    assert wang.disposition == "转送" and wang.status == v.CLOSED
    assert _types(wang) == ["forwarded", "replied", "closed", "satisfaction"]
    assert [e.outcome for e in events_of(wang) if e.type == "replied"] == ["支持"]
    person, _ = petitioners_of(wang)[0]
    assert person.id_number == ID_WANG and person.phone == "13800001234"
    assert "经办人" not in wang.notes and wang.clerk == "张敏"

    group = _case_of("李建国")
    assert [p.name for p, _ in petitioners_of(group)] == ["李建国", "赵桂兰"]
    assert petitioners_of(group)[0][0].id_number == ID_LI
    assert group.people_count == 36 and group.disposition == "当场答复"
    assert group.answer_given.startswith("当场答复，告知政策依据")
    assert "备注：集体访" in group.notes

    suggestion = _case_of("周喆")
    assert suggestion.category == "建议意见" and suggestion.status == v.CLOSED
    assert _types(suggestion) == ["ledger_closed", "satisfaction"]  # no outcome on record
    assert "原台账编号：4" in suggestion.notes

    open_one = _case_of("刘德福")
    assert open_one.status == v.ACCEPTED and open_one.history_gaps == "诉求"
    assert "办理情况：办理中" in open_one.notes


def test_the_id_excel_turned_into_a_number_refuses_that_row_with_the_value_as_shown(store, tmp_path):
    report = import_ledger(lf.write_office_xlsx(tmp_path / "t.xlsx"), today=TODAY)
    [problem] = report.refused
    assert (problem.sheet, problem.row, problem.column, problem.value) == \
        ("2025年", 9, "身份证号码", "5.11302E+17")
    assert "科学计数法" in problem.reason and "位数不全" in problem.reason
    assert "文本" in problem.reason
    assert not any(p.name == "陈昇" for c in Case.select() for p, _ in petitioners_of(c))


def test_imported_history_raises_no_false_alarms(store, tmp_path):
    import_ledger(lf.write_office_xlsx(tmp_path / "t.xlsx"), today=TODAY)
    running = {(d.case_no, d.kind) for d in list_deadlines(today=TODAY)}
    open_no = _case_of("刘德福").case_no
    # Only the matter the ledger says is still being handled runs; the finished ones do not.
    assert {no for no, _ in running} == {open_no}


def test_importing_the_same_ledger_twice_adds_nothing(store, tmp_path):
    path = lf.write_office_xlsx(tmp_path / "t.xlsx")
    first = import_ledger(path, today=TODAY)
    again = import_ledger(path, today=TODAY)
    assert again.imported == 0 and Case.select().count() == first.imported
    assert len(again.duplicates) == 4
    assert all("已在本机数据中" in d.reason for d in again.duplicates)


def test_one_audit_row_records_the_import(store, tmp_path):
    path = lf.write_office_xlsx(tmp_path / "来访台账.xlsx")
    before = AuditLog.select().count()
    report = import_ledger(path, today=TODAY)
    rows = list(AuditLog.select().where(AuditLog.id > before))
    assert [r.action for r in rows] == ["imported"]
    details = json.loads(rows[0].details)
    assert details["file"] == "来访台账.xlsx" and details["sha256"] == report.sha256
    assert (details["imported"], details["refused"], details["skipped"]) == (4, 1, 3)
    assert audit.verify().ok


def test_a_dry_run_reports_without_writing(store, tmp_path):
    report = import_ledger(lf.write_office_xlsx(tmp_path / "t.xlsx"), dry_run=True, today=TODAY)
    assert report.imported == 4 and Case.select().count() == 0
    assert report.mapped[("问题类别", "投诉", "申诉求决")] == 1  # the other 投诉 row is refused
    assert report.new_units == ["区人社局"] and "劳动社保" not in report.new_fields
    text = "\n".join(report.lines())
    assert "取值对应：问题类别“投诉”→“申诉求决”" in text
    assert "交办单位→承办单位" in text and "经办人→接待人" in text


def test_several_sheets_dates_without_a_year_and_groups(store, tmp_path):
    path = lf.write_two_years(tmp_path / "历年台账.xlsx")
    report = import_ledger(path, today=TODAY)
    assert report.sheets == ["2024年台账", "2025年台账"]  # 说明 has no ledger header
    assert report.imported == 4
    sun = sorted((c.received_on, c.channel) for c in Case.select()
                 if any(p.name == "孙军菊" for p, _ in petitioners_of(c)))
    assert sun == [(dt.date(2024, 10, 14), "来信"), (dt.date(2024, 11, 2), "来访")]
    only = import_ledger(path, sheet="2025年台账", dry_run=True, today=TODAY)
    assert only.sheets == ["2025年台账"] and len(only.duplicates) == 2
    with pytest.raises(SheetError, match="没有名为“2023年”的工作表"):
        import_ledger(path, sheet="2023年", today=TODAY)
    with pytest.raises(SheetError, match="没有找到表头"):
        import_ledger(path, sheet="说明", today=TODAY)


def test_an_xls_file_from_excel_97(store, tmp_path):
    report = import_ledger(lf.write_xls(tmp_path / "旧台账.xls"), today=TODAY)
    assert report.imported == 2
    wang = _case_of("王秀英")
    assert wang.received_on == dt.date(2025, 3, 4) and wang.status == v.CLOSED


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_csv_saved_by_wps(store, tmp_path, encoding):
    report = import_ledger(lf.write_csv(tmp_path / "台账2025.csv", encoding), today=TODAY)
    assert report.imported == 2
    assert sorted(c.received_on for c in Case.select()) == [dt.date(2025, 6, 1), dt.date(2025, 6, 2)]
    li = _case_of("李建国")
    assert li.disposition == "当场答复" and li.category == "咨询"
    assert "办结（2025-06-02）与处理方式“当场答复”重复" in li.notes  # taken, the repeat noted
    [problem] = report.refused
    assert problem.value == "5.11302E+17" and "科学计数法" in problem.reason


def test_a_wrong_check_character_a_day_that_does_not_exist_and_an_unknown_channel(store, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["登记日期", "姓名", "身份证号码", "信访形式", "反映问题"])
    ws.append(["2025-02-30", "王秀英", "", "来访", "甲"])
    ws.append(["2025-03-01", "王秀英", ID_WANG[:-1] + "3", "来访", "乙"])
    ws.append(["2025-03-02", "王秀英", "", "微博留言", "丙"])
    ws.append(["2025-03-03", "王秀英", " " + ID_WANG.lower().replace("1", "１") + " ", "来访", "丁"])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    report = import_ledger(path, today=TODAY)
    reasons = {(p.row, p.column): p.reason for p in report.refused}
    assert reasons[(2, "登记日期")] == "日期2025-02-30不存在"
    assert "校验位应为X，实为3" in reasons[(3, "身份证号码")]
    assert "“微博留言”不是信访形式" in reasons[(4, "信访形式")]
    assert report.imported == 1  # spaces, full-width digits and a lower-case x are fine
    assert petitioners_of(Case.get())[0][0].id_number == ID_WANG
    mapping = Mapping(values={"channel": {"微博留言": "网上"}})
    again = import_ledger(path, mapping=mapping, today=TODAY)
    assert again.imported == 1 and Case.select().where(Case.channel == "网上").count() == 1


def test_a_mapping_file_names_the_columns_of_an_unusual_ledger(store, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["收件时间", "当事人", "问题描述", "分类"])
    ws.append([dt.datetime(2025, 5, 6), "王秀英", "反映拖欠工资", "劳资纠纷"])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    guessed = import_ledger(path, dry_run=True, today=TODAY)
    assert guessed.columns["Sheet"][-1] == ("分类", "")  # unknown: kept in the notes
    assert guessed.unmapped == ["分类"]
    mapping_file = tmp_path / "map.json"
    save_mapping(Mapping(name="某镇台账", columns={
        "收件时间": "received_on", "当事人": "names", "问题描述": "summary", "分类": "category"},
        values={"category": {"劳资纠纷": "申诉求决"}}), mapping_file)
    mapping = load_mapping(mapping_file)
    assert mapping.name == "某镇台账"
    report = import_ledger(path, mapping=mapping, today=TODAY)
    assert report.imported == 1 and Case.get().category == "申诉求决"


def test_ledger_numbers_that_fit_ours_are_kept(store, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["编号", "登记日期", "姓名", "反映问题"])
    ws.append(["XF2025-000123", "2025-03-04", "王秀英", "甲事"])
    ws.append(["2025-12", "2025-03-05", "李建国", "乙事"])
    ws.append(["XF2024-000001", "2025-03-06", "赵桂兰", "丙事"])  # the wrong year for ours
    path = tmp_path / "t.xlsx"
    wb.save(path)
    report = import_ledger(path, today=TODAY)
    assert report.kept_numbers == 1
    assert get_case("XF2025-000123").summary == "甲事"
    li = _case_of("李建国")
    assert li.case_no == "XF2025-000124" and "原台账编号：2025-12" in li.notes
    assert "原台账编号：XF2024-000001" in _case_of("赵桂兰").notes


def test_the_refused_rows_go_to_a_workbook_the_clerk_corrects_and_imports(store, tmp_path):
    path = lf.write_office_xlsx(tmp_path / "t.xlsx")
    report = import_ledger(path, today=TODAY)
    rejects = tmp_path / "未导入.xlsx"
    assert write_rejects(report, path, rejects) == 1
    ws = load_workbook(rejects).active
    header = [c.value for c in ws[1]]
    assert header[0] == "原行号" and header[-1] == "未导入原因"
    row = [c.value for c in ws[2]]
    assert row[0] == 9 and "科学计数法" in row[-1]
    ws.cell(2, header.index("身份证号码") + 1).value = lf.ID_ZHOU  # the clerk retypes it as text
    load_fixed = tmp_path / "改正后.xlsx"
    ws.parent.save(load_fixed)
    fixed = import_ledger(load_fixed, today=TODAY)
    assert fixed.imported == 1 and petitioners_of(_case_of("陈昇"))[0][0].id_number == lf.ID_ZHOU


def test_an_interrupted_import_leaves_the_database_as_it_was(store, tmp_path, monkeypatch):
    path = lf.write_office_xlsx(tmp_path / "t.xlsx")
    monkeypatch.setattr(ledger_import, "BATCH", 1)
    real = BatchWriter.write
    calls = []

    def full_disk_on_the_third_batch(self, items):
        calls.append(1)
        if len(calls) == 3:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, items)

    monkeypatch.setattr(BatchWriter, "write", full_disk_on_the_third_batch)
    with pytest.raises(StorageError, match="磁盘"):
        import_ledger(path, today=TODAY)
    assert Case.select().count() == 0
    assert not AuditLog.select().where(AuditLog.action == "imported").exists()


def test_a_cancelled_import_writes_nothing(store, tmp_path, monkeypatch):
    monkeypatch.setattr(ledger_import, "BATCH", 2)
    seen = []
    with pytest.raises(ledger_import.ImportCancelled):
        import_ledger(lf.write_office_xlsx(tmp_path / "t.xlsx"), today=TODAY,
                      progress=lambda done, total: seen.append((done, total)),
                      cancelled=lambda: bool(seen))
    assert seen == [(2, 4)] and Case.select().count() == 0


def test_broken_and_unsupported_files_get_a_chinese_reason(store, tmp_path):
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(SheetError, match="不是有效的 Excel 工作簿"):
        import_ledger(broken, today=TODAY)
    empty = tmp_path / "空.xls"
    empty.write_bytes(b"")
    with pytest.raises(SheetError, match="是空的"):
        import_ledger(empty, today=TODAY)
    with pytest.raises(SheetError, match="不支持的文件类型"):
        import_ledger(tmp_path / "台账.doc", today=TODAY)
    with pytest.raises(SheetError, match="找不到文件"):
        import_ledger(tmp_path / "没有.xlsx", today=TODAY)


def test_the_preview_shows_the_header_the_guess_and_the_first_rows(store, tmp_path):
    [sheet] = preview(lf.write_office_xlsx(tmp_path / "t.xlsx"))
    assert sheet.header_row == 4 and sheet.headers[:3] == ["序号", "来访日期", "姓名"]
    assert sheet.fields[1] == "received_on" and sheet.fields[10] == "unit"
    assert sheet.rows[0][2] == "王秀英" and sheet.rows[0][1] == "2025-03-04"


def test_the_exported_ledger_reads_back_as_the_same_cases(store, tmp_path):
    import_ledger(lf.write_office_xlsx(tmp_path / "t.xlsx"), today=TODAY)
    out = tmp_path / "导出台账.xlsx"
    assert export_ledger(out, today=TODAY) == 4
    ws = load_workbook(out).active
    assert "信访事项台账" in ws.cell(1, 1).value
    header = [c.value for c in ws[2]]
    ids = ws.cell(3, header.index("身份证号码") + 1)
    assert ids.number_format == "@"  # text, never a number Excel would round

    def summary():
        return sorted((c.received_on, tuple(p.name for p, _ in petitioners_of(c)), c.category,
                       c.status) for c in Case.select())

    before = summary()
    assert import_ledger(out, today=TODAY).imported == 0  # all already here
    storage.close()
    storage.open_data_dir(tmp_path / "other")
    assert import_ledger(out, today=TODAY).imported == 4
    assert summary() == before


def test_a_clerk_exports_only_masked(store, tmp_path):
    from xinfang_desk.core import session

    clerk = session.Actor("clerk", session.CLERK, "张敏")
    with session.acting_as(clerk), pytest.raises(session.PermissionDenied, match="负责人"):
        export_ledger(tmp_path / "x.xlsx")
    with session.acting_as(clerk):
        assert export_ledger(tmp_path / "x.xlsx", masked=True) == 0


def test_nothing_to_import_is_said_plainly(store, tmp_path):
    wb = Workbook()
    wb.active.append(["登记日期", "姓名", "反映问题"])
    path = tmp_path / "t.xlsx"
    wb.save(path)
    report = import_ledger(path, today=TODAY)
    assert report.imported == 0 and not report.ok and report.rows == 0


def test_a_column_the_mapping_leaves_out_is_not_kept_in_the_notes(store, tmp_path):
    path = lf.write_office_xlsx(tmp_path / "t.xlsx")
    report = import_ledger(path, mapping=Mapping(columns={"备注": ""}), today=TODAY)
    assert ("备注", "（不导入）") in report.columns["2025年"]
    assert "集体访" not in _case_of("李建国").notes


def test_the_same_id_number_is_the_same_person_whatever_name_the_ledger_wrote(store, tmp_path):
    def ledger(name, path):
        wb = Workbook()
        ws = wb.active
        ws.append(["登记日期", "姓名", "身份证号码", "反映问题"])
        ws.append(["2025-03-04", name, ID_WANG, "反映拖欠工资"])
        wb.save(path)
        return path

    assert import_ledger(ledger("王秀英", tmp_path / "a.xlsx"), today=TODAY).imported == 1
    again = import_ledger(ledger("王秀瑛", tmp_path / "b.xlsx"), today=TODAY)  # a typo of the name
    assert again.imported == 0 and len(again.duplicates) == 1
