"""The library as a file (county → offices below), policy references, the CLI and the letter."""

import dataclasses
import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader

from tests.core.helpers import intake
from xinfang_desk.cli import main as cli
from xinfang_desk.core import session
from xinfang_desk.core.answers import library as answers
from xinfang_desk.core.answers import library_file
from xinfang_desk.core.answers.common import AnswerDraft
from xinfang_desk.core.cases import records as cases
from xinfang_desk.core.cases.records import register_case
from xinfang_desk.core.documents.build import build_document
from xinfang_desk.core.errors import FieldError, XinfangError
from xinfang_desk.core.rules.workflow import EventData
from xinfang_desk.core.session import Actor, PermissionDenied
from xinfang_desk.core.store import audit, storage
from xinfang_desk.core.store.models import AnswerVersion, PolicyArticle

TODAY = dt.date(2026, 10, 20)
CLERK = Actor("小张", session.CLERK, "张三")
LEADER = Actor("老李", session.LEADER, "李主任")


def _snapshot():
    """What a user sees of the library: every answer with its versions, and the policies."""
    rows = []
    for a in answers.list_answers(include_retired=True):
        rows.append([(v.title, v.version, v.status, v.body, v.fields, v.keywords, v.basis,
                      v.note) for v in answers.versions(a.answer_id)])
    policies = [(h.doc_name, h.article, h.text, h.text_kind, h.issued_on)
                for h in answers.search_policy(limit=1000)]
    return sorted(rows), policies


def _edit_seeded(article: str, extra: str):
    a = next(x for x in answers.list_answers() if x.basis_article == article)
    d = AnswerDraft(title=a.title, body=a.body + extra, fields=a.fields, keywords=a.keywords,
                    basis_name=a.basis_name, basis_article=a.basis_article,
                    basis_date=a.basis_date, note=a.note)
    return answers.save_draft(d, answer_id=a.answer_id)


def _county_library():
    """A library as a county bureau keeps it: a new answer, a re-approved seed answer, an
    approved answer with an open draft, a draft, and a verbatim policy article."""
    new = answers.save_draft(AnswerDraft(
        title="低保申请：条件和办理途径", body="{姓名}同志：低保申请请向户籍所在地乡镇（街道）提出。",
        fields=("民政/社会救助",), keywords=("低保", "最低生活保障"),
        basis_name="《社会救助暂行办法》", basis_article="第十一条", basis_date=dt.date(2014, 5, 1)))
    answers.approve(new.version_id, approver="县局王主任")
    answers.approve(_edit_seeded("第三十五条", "特此告知。").version_id, approver="县局王主任")
    _edit_seeded("第三十四条", "（草稿修改中）")
    answers.save_draft(AnswerDraft(title="物业纠纷：先行协商", body="请先与物业协商。",
                                   keywords=("物业",)))
    answers.save_policy_article("《社会救助暂行办法》", "第十一条", "申请最低生活保障……（原文）",
                                text_kind="原文", issued_on=dt.date(2014, 2, 21))


def test_round_trip_into_a_fresh_data_dir(tmp_path):
    storage.open_data_dir(tmp_path / "county")
    try:
        _county_library()
        before = _snapshot()
        count = library_file.export_library(tmp_path / "口径库.json")
    finally:
        storage.close()
    assert count == 15  # 13 answers, one with an open draft, and the seed's draft on 34
    data = json.loads((tmp_path / "口径库.json").read_text(encoding="utf-8"))
    assert data["format"] == "xinfang-desk-answers" and data["version"] == 1
    storage.open_data_dir(tmp_path / "office")
    try:
        report = library_file.import_library(tmp_path / "口径库.json")
        assert (report.added, report.updated, report.unchanged) == (2, 2, 11)
        assert report.policies == 1
        assert _snapshot() == before
        again = library_file.import_library(tmp_path / "口径库.json")
        assert (again.added, again.updated, again.policies) == (0, 0, 0)
        assert _snapshot() == before
        assert [e.action for e in audit.entries()][:2] == ["answers_imported"] * 2
    finally:
        storage.close()


BROKEN = {
    "not json": (b'{"format": "xinfang-desk-answers", "answers": [', "不是有效的JSON"),
    "not utf-8": ("口径".encode("gbk"), "不是UTF-8"),
    "wrong format": (b'{"format": "cases", "version": 1}', "不是信访接待台的答复口径库文件"),
    "too new": (b'{"format": "xinfang-desk-answers", "version": 9, "answers": []}', "版本为9"),
}


def _file_with(tmp_path, answers_list, policies=()):
    path = tmp_path / "lib.json"
    path.write_text(json.dumps({"format": "xinfang-desk-answers", "version": 1,
                                "answers": answers_list, "policies": list(policies)},
                               ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_broken_file_changes_nothing(store, tmp_path, name):
    raw, message = BROKEN[name]
    path = tmp_path / "bad.json"
    path.write_bytes(raw)
    before = _snapshot()
    with pytest.raises(XinfangError, match=message):
        library_file.import_library(path)
    assert _snapshot() == before


def test_a_bad_entry_is_named_and_nothing_of_the_file_is_saved(store, tmp_path):
    good = {"title": "新口径：停车", "body": "停车按规定收费。", "status": "approved"}
    before = _snapshot()
    for bad, message in (
            ({"title": "缺正文的口径", "body": " "}, "第2条答复口径（“缺正文的口径”）缺少正文"),
            ({"body": "没有标题"}, "第2条答复口径缺少标题"),
            ({"title": "坏日期", "body": "x", "basis_date": "2026-13-01"}, "依据日期"),
            ({"title": "坏状态", "body": "x", "status": "ok"}, "状态“ok”"),
            ("一段文字", "第2条答复口径格式不对")):
        with pytest.raises(XinfangError, match=message):
            library_file.import_library(_file_with(tmp_path, [good, bad]))
        assert _snapshot() == before
    with pytest.raises(XinfangError, match="第1份政策文件（某文件）：第1条条文：不能为空"):
        library_file.import_library(_file_with(tmp_path, [good], [
            {"name": "某文件", "articles": [{"article": "第一条", "text": ""}]}]))
    assert _snapshot() == before
    assert not AnswerVersion.select().where(AnswerVersion.title == "新口径：停车").exists()


def test_a_clerks_import_makes_drafts_and_skips_policies(store, tmp_path):
    path = _file_with(tmp_path, [{"title": "新口径：停车", "body": "停车按规定收费。",
                                  "status": "approved", "approved_by": "县局"}],
                      [{"name": "某办法", "articles": [{"article": "第一条", "text": "要点"}]}])
    with session.acting_as(CLERK):
        report = library_file.import_library(path)
    assert report.added == 1 and report.policies == 0
    assert any("须经负责人审定" in m for m in report.messages)
    assert any("政策依据须由负责人导入" in m for m in report.messages)
    got = next(a for a in answers.list_answers() if a.title == "新口径：停车")
    assert got.status == "draft"
    assert not PolicyArticle.select().where(PolicyArticle.article == "第一条").exists()
    with session.acting_as(LEADER):
        report = library_file.import_library(path)
    assert (report.updated, report.policies) == (1, 1)
    got = next(a for a in answers.list_answers() if a.title == "新口径：停车")
    assert got.status == "approved" and got.approved_by == "老李"
    # A text whose kind the file does not state is not taken for the verbatim wording.
    assert answers.search_policy("某办法")[0].text_kind == "要点"


# --------------------------------------------------------------------------- policies

def test_policy_articles_leader_only_and_checked(store):
    with session.acting_as(CLERK), pytest.raises(PermissionDenied):
        answers.save_policy_article("《某办法》", "第一条", "原文")
    with pytest.raises(FieldError, match="条文类型"):
        answers.save_policy_article("《某办法》", "第一条", "原文", text_kind="摘抄")
    with pytest.raises(FieldError, match="条款"):
        answers.save_policy_article("《某办法》", " ", "原文")
    with session.acting_as(LEADER):
        hit = answers.save_policy_article("《某办法》", "第一条", "为了规范……，制定本办法。",
                                          issued_on=dt.date(2020, 1, 2))
        again = answers.save_policy_article("《某办法》", "第一条", "为了规范……，制定本办法（修订）。")
    assert hit.text_kind == "原文" and hit.issued_on == dt.date(2020, 1, 2)
    assert again.article_id == hit.article_id and again.text.endswith("（修订）。")
    assert [h.article for h in answers.search_policy("某办法 修订")] == ["第一条"]
    assert "《某办法》" in [name for _, name in answers.list_policy_docs()]


# --------------------------------------------------------------------------- CLI

def test_cli_suggest_export_import(tmp_path, capsys):
    d = ["--data-dir", str(tmp_path / "data")]
    assert cli.main(d + ["answers", "suggest", "对处理意见不服，想要复查"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "复查：对处理意见不服可在三十日内请求复查" in out[0]
    assert "第1版" in out[0] and "《信访工作条例》第三十五条（2022-05-01）" in out[0]
    storage.close()
    assert cli.main(d + ["answers", "suggest", "举报贪污", "--field", "纪检监察", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["title"].startswith("检举控告") and rows[0]["version"] == 1
    assert set(rows[0]) >= {"id", "title", "version", "basis", "score"}
    storage.close()
    assert cli.main(d + ["answers", "suggest", "。"]) == 0
    assert "没有合适的已审定口径" in capsys.readouterr().out
    storage.close()
    out_file = tmp_path / "lib.json"
    assert cli.main(d + ["answers", "export", str(out_file)]) == 0
    assert "已导出 12 条答复口径" in capsys.readouterr().out
    storage.close()
    assert cli.main(["--data-dir", str(tmp_path / "other"), "answers", "import", str(out_file)]) == 0
    assert "新增口径 0 条，更新 0 条，未变 12 条" in capsys.readouterr().out
    storage.close()
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    assert cli.main(d + ["answers", "import", str(tmp_path / "bad.json")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("错误：") and "不是有效的JSON" in err[0]
    storage.close()
    assert cli.main(d + ["answers", "import", str(tmp_path / "missing.json")]) == 1
    assert "找不到文件" in capsys.readouterr().err
    storage.close()
    with pytest.raises(SystemExit) as exc:
        cli.main(d + ["answers"])
    assert exc.value.code == 2
    storage.close()


# --------------------------------------------------------------------------- the reply letter

def _pdf_text(pdf: bytes) -> str:
    return "".join("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_the_reply_letter_cites_the_basis_of_the_answer_used(store):
    saved = register_case(intake(accepted_on=dt.date(2026, 9, 22)), today=TODAY)
    review = next(a for a in answers.list_answers() if a.basis_article == "第三十五条")
    filled = answers.fill(review.body, answers.values_for_case(saved.case_no, today=TODAY))
    cases.record_event(saved.case_no, EventData(type="replied", on=dt.date(2026, 10, 18),
                                                outcome="解释说明",
                                                note=filled.text.replace("【缺：承办单位】", "区民政局")))
    before = _pdf_text(build_document(saved.case_no, "reply", today=TODAY))
    assert "依据：" not in before
    answers.record_use(saved.case_no, review.version_id, "reply")
    text = _pdf_text(build_document(saved.case_no, "reply", today=TODAY))
    assert "依据：《信访工作条例》第三十五条" in text
    assert "{" not in text and "王秀英同志" in text
    # A later version of the answer does not change what the old letter cites.
    new = dataclasses.replace(AnswerDraft(title=review.title, body="新文本"),
                              basis_article="第三十六条", basis_name="《信访工作条例》")
    answers.approve(answers.save_draft(new, answer_id=review.answer_id).version_id,
                    approver="王主任")
    again = _pdf_text(build_document(saved.case_no, "reply", today=TODAY))
    assert "依据：《信访工作条例》第三十五条" in again and "第三十六条" not in again


def test_every_truncation_of_a_good_file_is_refused_and_changes_nothing(store, tmp_path):
    good = tmp_path / "good.json"
    library_file.export_library(good)
    raw = good.read_bytes()
    before = _snapshot()
    cut = tmp_path / "cut.json"
    for end in range(0, len(raw) - 2, max(len(raw) // 40, 1)):
        cut.write_bytes(raw[:end])
        with pytest.raises(XinfangError):
            library_file.import_library(cut)
    assert _snapshot() == before


def test_with_no_accounts_the_files_approver_and_time_are_kept(store, tmp_path):
    path = _file_with(tmp_path, [{"title": "新口径：停车", "body": "停车按规定收费。",
                                  "status": "approved", "approved_by": "县局王主任",
                                  "approved_at": "2026-11-20 10:00:00"},
                                 {"title": "新口径：噪声", "body": "夜间施工须经许可。",
                                  "status": "approved"}])
    library_file.import_library(path)
    got = {a.title: a for a in answers.list_answers()}
    assert got["新口径：停车"].approved_by == "县局王主任"
    assert got["新口径：停车"].approved_at == dt.datetime(2026, 11, 20, 10, 0)
    assert got["新口径：噪声"].approved_by == "（导入）"
