"""Printed documents: what the PDFs say (extracted with pypdf), fonts, refusals, CLI, events."""

import datetime as dt
import io
import json
import re

import pytest
from pypdf import PdfReader

from tests.core.helpers import intake
from xinfang_desk.cli import main as cli
from xinfang_desk.core.cases import records as cases
from xinfang_desk.core.cases.records import PetitionerInput, register_case
from xinfang_desk.core.documents.build import (
    DOCUMENTS,
    available_documents,
    build_document,
    record_printed,
)
from xinfang_desk.core.documents.fonts import missing_glyphs
from xinfang_desk.core.errors import WorkflowError, XinfangError
from xinfang_desk.core.interchange.jsonl import export_cases, import_cases
from xinfang_desk.core.resources import resources_dir
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.store import settings, storage
from xinfang_desk.core.store.models import Unit

TODAY = dt.date(2026, 10, 20)


def pages(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def text(pdf: bytes) -> str:
    return "\n".join(pages(pdf))


def flat(s: str) -> str:
    return "".join(s.split())


def _units():
    for name in ("区人社局", "区纪委监委"):
        Unit.get_or_create(name=name)


def accepted_case(**kw):
    _units()
    return register_case(intake(petitioners=[PetitionerInput(name="李喆", phone="13800001234",
                                                             address="顺庆区中城街道1号")], **kw),
                         today=TODAY)


def test_catalogue_and_availability(store):
    saved = accepted_case()
    avail = available_documents(saved.case_no, today=TODAY)
    assert list(avail) == list(DOCUMENTS)
    assert avail["receipt"] is None and avail["register"] is None and avail["accept"] is None
    assert "尚未答复" in avail["reply"] and "转送" in avail["forward"]
    assert "延期" in avail["extend"] and "不予受理" in avail["reject"]
    with pytest.raises(WorkflowError, match="尚未答复"):
        build_document(saved.case_no, "reply", today=TODAY)


def test_receipt_has_number_code_promised_date_and_privacy(store):
    settings.put("office_phone", "0817-2222333")
    saved = accepted_case(promised_reply_on=dt.date(2026, 11, 2))
    pdf = build_document(saved.case_no, "receipt", today=TODAY)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    t = flat(text(pdf))
    assert t.count(saved.case_no) == 2 and t.count(saved.query_code) == 2  # stub + receipt
    assert "将于2026-11-02前答复" in t and "存根" in t
    assert "0817-2222333" in t and "第十八条" in t and "依法予以保密" in t


def test_receipt_default_promised_date_and_polite_truncation(store):
    long = "反映" + "单位拖欠工资" * 15
    saved = accepted_case(summary=long[:190])
    t = flat(text(build_document(saved.case_no, "receipt", today=TODAY)))
    assert "将于2026-11-20前答复" in t  # 60 days from 2026-09-21
    assert "…" in t and long[:190] not in t


def test_forward_slip_of_an_accusation_masks_the_accuser(store):
    _units()
    saved = register_case(intake(
        category="检举控告", disposition="转送", unit="区纪委监委", summary="检举某村干部侵占集体资金",
        facts="赵堃看到村干部挪用资金", petitioners=[PetitionerInput(
            name="赵堃", id_number="11010519491231002X", phone="13900001111", address="某村3组")]),
        today=TODAY)
    cases.record_event(saved.case_no, EventData(type="forwarded", on=dt.date(2026, 9, 25),
                                                unit="区纪委监委", ref="顺信转〔2026〕12号",
                                                deadline=dt.date(2026, 11, 20)))
    t = flat(text(build_document(saved.case_no, "forward", today=TODAY)))
    assert "转送单" in t and "区纪委监委" in t and "2026年11月20日" in t
    assert "保密" in t
    for secret in ("赵堃", "11010519491231002X", "13900001111", "1111", "某村3组"):
        assert secret not in t, secret


def test_assigned_case_prints_a_jiaoban_slip(store):
    saved = accepted_case(disposition="交办", unit="区人社局")
    cases.record_event(saved.case_no, EventData(type="assigned", on=dt.date(2026, 9, 24),
                                                unit="区人社局"))
    t = flat(text(build_document(saved.case_no, "forward", today=TODAY)))
    assert "交办单" in t and "李喆" in t


def test_reply_outcome_rights_notice_and_two_copies(store):
    saved = accepted_case()
    cases.record_event(saved.case_no, EventData(type="replied", on=dt.date(2026, 10, 18),
                                                outcome="不予支持", note="经调查核实，工资已按期发放。"))
    pdf = build_document(saved.case_no, "reply", today=TODAY)
    t = flat(text(pdf))
    assert "不予支持" in t and "工资已按期发放" in t
    assert "如对本答复意见不服，可以自收到本意见书之日起30日内" in t and "请求复查" in t
    assert "交信访人" in t and "附卷" in t
    assert t.count("如对本答复意见不服") == 2


def test_a_long_answer_flows_across_pages_intact(store):
    saved = accepted_case()
    answer = "".join(f"第{i:03d}句经调查核实情况属实予以说明。" for i in range(200))  # ~3,000 chars
    assert len(answer) >= 3000
    cases.record_event(saved.case_no, EventData(type="replied", on=dt.date(2026, 10, 18),
                                                outcome="解释说明", note=answer))
    pdf = build_document(saved.case_no, "reply", today=TODAY)
    per_page = pages(pdf)
    assert len(per_page) >= 4  # two copies, each at least two pages
    first_copy = [flat(p) for p in per_page if "附卷" not in p]
    assert "—2—" in first_copy[1]
    # Page furniture (copy mark, page number) removed, the pages read as one text.
    body = "".join(re.sub(r"—\d+—", "", p).replace("交信访人", "") for p in first_copy)
    assert answer in body


def test_reject_notice_names_the_body_to_approach(store):
    saved = accepted_case(disposition="不予受理", reject_reason="该事项已进入劳动仲裁程序",
                          approach_body="顺庆区劳动人事争议仲裁委员会")
    t = flat(text(build_document(saved.case_no, "reject", today=TODAY)))
    assert "不予受理告知书" in t and "已进入劳动仲裁程序" in t
    assert "顺庆区劳动人事争议仲裁委员会" in t and "第二十二条" in t
    assert "交信访人" in t and "附卷" in t
    assert available_documents(saved.case_no, today=TODAY)["accept"] is not None


def test_extension_notice_and_suggestion_letters(store):
    saved = accepted_case()
    cases.record_event(saved.case_no, EventData(type="extended", on=dt.date(2026, 10, 15), days=30,
                                                reason="案情复杂需进一步调查", approver="王局长"))
    t = flat(text(build_document(saved.case_no, "extend", today=TODAY)))
    # 2026-11-20 + 30 = Sunday 12-20, moved to Monday (民法典 第二百零三条)
    assert "2026年11月20日" in t and "2026年12月21日" in t and "王局长" in t and "30日" in t

    sug = accepted_case(category="建议意见", disposition="建议记录", summary="建议增设公交站",
                        request="增设公交站", facts="")
    avail = available_documents(sug.case_no, today=TODAY)
    assert avail["reply"] is not None and avail["adoption"] is not None
    cases.record_event(sug.case_no, EventData(type="replied", on=dt.date(2026, 10, 10),
                                              outcome="部分采纳", note="拟于明年调整线路时统筹考虑"))
    assert available_documents(sug.case_no, today=TODAY)["adoption"] is None
    t = flat(text(build_document(sug.case_no, "adoption", today=TODAY)))
    assert "部分采纳" in t and "拟于明年调整线路时统筹考虑" in t


def test_register_masks_ids_and_service_receipt(store):
    saved = register_case(intake(), today=TODAY)
    t = flat(text(build_document(saved.case_no, "register", today=TODAY)))
    assert "110105********002X" in t and "11010519491231002X" not in t
    assert "信访人签名" in t and "接待人" in t
    t = flat(text(build_document(saved.case_no, "service", today=TODAY)))
    assert "送达回执" in t and "受送达人签名" in t


def test_fonts_are_embedded_truetype(store):
    saved = accepted_case()
    reader = PdfReader(io.BytesIO(build_document(saved.case_no, "accept", today=TODAY)))
    seen = 0
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] in ("/TrueType", "/Type0"), font["/Subtype"]
            desc = (font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                    if font["/Subtype"] == "/Type0" else font["/FontDescriptor"])
            assert "/FontFile2" in desc.get_object()
            seen += 1
    assert seen


def test_rare_name_characters(store):
    assert missing_glyphs("李喆堃珺昇燊") == []
    saved = accepted_case()
    assert "李喆" in flat(text(build_document(saved.case_no, "receipt", today=TODAY)))
    assert missing_glyphs("王𠀋") == ["𠀋"]
    rare = register_case(intake(petitioners=[PetitionerInput(name="王𠀋")]), today=TODAY)
    with pytest.raises(XinfangError, match="以下字符无法打印：𠀋"):
        build_document(rare.case_no, "register", today=TODAY)


def test_extension_a_characters_print_through_the_fallback_font(store):
    # 䶮 (U+4DAE) is not in WenQuanYi Micro Hei; the bundled AR PL UMing has it.
    assert missing_glyphs("刘䶮") == []
    case = register_case(intake(petitioners=[PetitionerInput(name="刘䶮", address="顺庆区")]),
                         today=TODAY)
    pdf = build_document(case.case_no, "receipt", today=TODAY)
    assert "刘䶮" in flat(text(pdf))
    fonts = {str(f.get_object()["/BaseFont"]) for page in PdfReader(io.BytesIO(pdf)).pages
             for f in page["/Resources"]["/Font"].values()}
    assert any("UMing" in name or "XFSong" in name for name in fonts), fonts


def test_the_office_font_setting_is_used_and_a_bad_path_is_reported(store, tmp_path):
    with pytest.raises(XinfangError, match="找不到字体文件"):
        settings.put("document_font", str(tmp_path / "simsun.ttc"))
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    settings.put("document_font", str(broken))
    saved = accepted_case()
    with pytest.raises(XinfangError, match="文书字体无法使用"):
        build_document(saved.case_no, "receipt", today=TODAY)
    settings.put("document_font", str(resources_dir() / "fonts" / "uming.ttc"))
    pdf = build_document(saved.case_no, "receipt", today=TODAY)
    assert "李喆" in flat(text(pdf))
    settings.put("document_font", "")


def test_record_printed_and_interchange_round_trip(store, tmp_path):
    saved = accepted_case()
    record_printed(saved.case_no, "receipt", on=dt.date(2026, 9, 21), actor="张三")
    events = cases.events_of(cases.get_case(saved.case_no))
    assert [(e.type, e.note, e.actor) for e in events] == [("printed", "回执", "张三")]
    assert cases.get_case(saved.case_no).status == "accepted"
    first = tmp_path / "a.jsonl"
    export_cases(first)
    assert json.loads(first.read_text(encoding="utf-8"))["events"] == [
        {"type": "printed", "on": "2026-09-21", "note": "回执"}]
    storage.close()
    storage.open_data_dir(tmp_path / "two")
    import_cases(first, today=TODAY)
    second = tmp_path / "b.jsonl"
    export_cases(second)
    assert first.read_bytes() == second.read_bytes()


def test_cli_print(store, tmp_path, capsys):
    saved = accepted_case()
    storage.close()
    out = tmp_path / "r.pdf"
    assert cli.main(["--data-dir", str(store.root), "print", saved.case_no, "--doc", "receipt",
                     "--out", str(out), "--on", "2026-10-20"]) == 0
    assert f"已生成 回执：{out}" in capsys.readouterr().out
    assert out.read_bytes().startswith(b"%PDF") and not (tmp_path / "r.pdf.tmp").exists()
    storage.close()
    bad = tmp_path / "x.pdf"
    assert cli.main(["--data-dir", str(store.root), "print", saved.case_no, "--doc", "reply",
                     "--out", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("错误：") and "尚未答复" in err[0]
    assert not bad.exists()
    storage.close()
    storage.open_data_dir(store.root)
    events = cases.events_of(cases.get_case(saved.case_no))
    assert [(e.type, e.note) for e in events] == [("printed", "回执")]


def test_no_line_starts_with_chinese_punctuation(store):
    # A long answer full of commas: wherever lines break, none may begin with "，" or "。".
    saved = accepted_case()
    answer = "经调查核实，该单位已于2026年9月制定工资支付计划，" * 40
    cases.record_event(saved.case_no, EventData("replied", dt.date(2026, 10, 20),
                                                outcome="支持", note=answer))
    lines = [ln.strip() for ln in text(build_document(saved.case_no, "reply", today=TODAY)).splitlines()]
    assert len(lines) > 30
    assert not [ln for ln in lines if ln and ln[0] in "，。；：、"]
