"""Old JSON Lines files are history: records made before the desk's intake rules are imported
and marked, not refused; `--strict` keeps today's rules; invalid values refuse either way."""

import datetime as dt
import json

import pytest

from tests.core.helpers import ID_WANG
from xinfang_desk.core.cases.detail import load_case_detail
from xinfang_desk.core.cases.records import get_case
from xinfang_desk.core.interchange.jsonl import ImportFailed, export_cases, import_cases
from xinfang_desk.core.store import storage

TODAY = dt.date(2026, 11, 20)
PERSON = [{"name": "王秀英", "id_number": ID_WANG, "phone": "13800001234", "address": "中城街道1号"}]


def _line(**values):
    record = {"received_on": "2025-03-04", "channel": "来访", "petitioners": PERSON,
              "category": "咨询", "summary": "咨询低保政策", "request": "了解办理条件",
              "disposition": "受理"}
    record.update(values)
    return json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False)


OLD = [
    # 当场答复 without the answer given
    _line(case_no="XF2025-000007", disposition="当场答复"),
    # 申诉求决 without facts, no request key at all
    _line(case_no="XF2025-000008", category="申诉求决", summary="反映拖欠工资", request=None),
    # 引导 without the body to approach
    _line(case_no="XF2025-000009", category="申诉求决", facts="2024年工资未发", disposition="引导"),
]


def _write(tmp_path, lines, name="old.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_historical_records_are_imported_and_marked(store, tmp_path):
    path = _write(tmp_path, OLD)
    report = import_cases(path, today=TODAY)
    assert report.cases == 3
    assert report.gaps == [(1, "答复内容"), (2, "诉求、事实"), (3, "应向何处反映")]
    assert get_case("XF2025-000007").history_gaps == "答复内容"
    assert get_case("XF2025-000008").history_gaps == "诉求、事实"
    detail = load_case_detail("XF2025-000009", today=TODAY)
    assert ("历史导入", "缺：应向何处反映") in detail.fields


def test_strict_keeps_todays_intake_rules(store, tmp_path):
    path = _write(tmp_path, OLD)
    with pytest.raises(ImportFailed) as refused:
        import_cases(path, today=TODAY, strict=True)
    text = str(refused.value)
    assert "第1行" in text and "当场答复须记录答复内容" in text
    assert "第2行 request（诉求）：缺少此项" in text
    assert "第3行" in text and "引导须告知信访人向哪个机关或途径反映" in text
    assert import_cases(path, today=TODAY, dry_run=True).cases == 3  # not strict: takes them


def test_invalid_values_still_refuse_the_file(store, tmp_path):
    bad_id = [{"name": "王秀英", "id_number": ID_WANG[:-1] + "3", "phone": "", "address": ""}]
    path = _write(tmp_path, [OLD[0], _line(petitioners=bad_id), _line(received_on="2025-02-30"),
                             _line(channel="微博")])
    with pytest.raises(ImportFailed) as refused:
        import_cases(path, today=TODAY)
    text = str(refused.value)
    assert "第2行" in text and "校验位应为X，实为3" in text
    assert "第3行" in text and "2025-02-30" in text
    assert "第4行" in text and "微博" in text
    assert "未导入任何数据" in text


def test_a_close_repeating_an_answer_on_the_spot_is_taken_and_noted(store, tmp_path):
    line = _line(case_no="XF2025-000011", disposition="当场答复", answer="已当场解答",
                 events=[{"type": "closed", "on": "2025-03-04"},
                         {"type": "satisfaction", "on": "2025-03-04", "rating": "满意"}])
    path = _write(tmp_path, [line])
    with pytest.raises(ImportFailed, match="事项已办结"):
        import_cases(path, today=TODAY, strict=True)
    report = import_cases(path, today=TODAY)
    assert report.cases == 1 and len(report.repeats) == 1
    case = get_case("XF2025-000011")
    assert "原记录的“办结”（2025-03-04）与处理方式“当场答复”重复" in case.notes
    detail = load_case_detail("XF2025-000011", today=TODAY)
    assert [e.type for e in detail.timeline] == ["registered", "satisfaction"]


def test_history_round_trips_byte_for_byte(store, tmp_path):
    import_cases(_write(tmp_path, OLD + [_line(
        case_no="XF2025-000012", disposition="当场答复", answer="已当场解答",
        events=[{"type": "closed", "on": "2025-03-04"}])]), today=TODAY)
    first = tmp_path / "first.jsonl"
    export_cases(first)
    text = first.read_text(encoding="utf-8")
    assert '"history_gaps": ["诉求", "事实"]' in text and '"notes": "原记录的' in text
    storage.close()
    storage.open_data_dir(tmp_path / "again", today=TODAY)
    import_cases(first, today=TODAY)
    second = tmp_path / "second.jsonl"
    export_cases(second)
    assert second.read_bytes() == first.read_bytes()
