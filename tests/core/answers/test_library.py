"""The approved-answer library: the seed, drafting, approval, versions, use by cases."""

import dataclasses
import datetime as dt

import pytest

from tests.core.helpers import intake
from xinfang_desk.core import session
from xinfang_desk.core.answers import library as answers
from xinfang_desk.core.answers.common import AnswerDraft
from xinfang_desk.core.cases.records import register_case
from xinfang_desk.core.errors import FieldError, NotFoundError, ValidationError, WorkflowError
from xinfang_desk.core.intake.desk import save_intake
from xinfang_desk.core.session import Actor, PermissionDenied
from xinfang_desk.core.store import audit
from xinfang_desk.core.store.models import AnswerVersion, Case, CaseAnswer, Unit

TODAY = dt.date(2026, 10, 20)
CLERK = Actor("小张", session.CLERK, "张三")
LEADER = Actor("老李", session.LEADER, "李主任")


def _draft(**kw) -> AnswerDraft:
    values = dict(title="低保申请：条件和办理途径", body="{姓名}同志：您咨询的低保申请，请向{承办单位}提出。",
                  fields=("民政/社会救助",), keywords=("低保", "最低生活保障"),
                  basis_name="《社会救助暂行办法》", basis_article="第九条",
                  basis_date=dt.date(2014, 5, 1))
    values.update(kw)
    return AnswerDraft(**values)


def _answer(title: str):
    return next(a for a in answers.list_answers(include_retired=True) if a.title == title)


# --------------------------------------------------------------------------- the seed

def test_the_seed_is_approved_and_cites_the_regulation(store):
    rows = answers.list_answers()
    assert len(rows) >= 8
    assert all(a.status == "approved" and a.status_label == "已审定" for a in rows)
    assert all(a.approved_by == "系统预置" and a.basis_name == "《信访工作条例》" for a in rows)
    articles = " ".join(a.basis_article for a in rows)
    for needed in ("第二十二条", "第二十三条", "第二十九条", "第三十条", "第三十一条", "第三十四条",
                   "第三十五条", "第三十六条"):
        assert needed in articles
    review = next(a for a in rows if "复查" in a.title and "复核" not in a.title)
    assert review.basis == "《信访工作条例》第三十五条（2022-05-01）"
    assert "30日内" in review.body and "{姓名}" in review.body
    limit = next(a for a in rows if "六十日" in a.title)
    assert "60日" in limit.body
    extension = next(a for a in rows if "延期" in a.title)
    assert "30日" in extension.body and extension.basis_article == "第三十四条"


def test_seeded_policy_articles_are_summaries_never_claimed_verbatim(store):
    hits = answers.search_policy()
    assert len(hits) >= 9
    assert {h.text_kind for h in hits} == {"要点"}
    assert answers.list_policy_docs()[0][1] == "《信访工作条例》"
    found = answers.search_policy("复查")
    assert [h.article for h in found] == ["第三十五条", "第三十六条"]
    assert found[0].issued_on == dt.date(2022, 2, 25)
    assert "30日内" in found[0].text
    assert [h.article for h in answers.search_policy("第三十四条")] == ["第三十四条"]


# --------------------------------------------------------------------------- drafting and approval

def test_a_clerk_drafts_and_a_leader_approves(store):
    with session.acting_as(CLERK):
        draft = answers.save_draft(_draft())
        assert draft.status_label == "草稿" and draft.version == 1 and draft.drafted_by == "小张"
        assert draft.fields == ("民政/社会救助",) and draft.keywords == ("低保", "最低生活保障")
        with pytest.raises(PermissionDenied):
            answers.approve(draft.version_id)
        with pytest.raises(PermissionDenied):
            answers.retire(draft.answer_id)
    assert answers.get_version(draft.version_id).status == "draft"
    with session.acting_as(LEADER):
        done = answers.approve(draft.version_id, approver="别人")
    assert done.status == "approved" and done.approved_by == "老李" and done.approved_at
    actions = [e.action for e in audit.entries(obj=answers.answer_object(draft.answer_id))]
    assert actions == ["answer_approved", "answer_drafted"]
    with session.acting_as(LEADER):
        answers.retire(draft.answer_id)
    assert answers.get_version(draft.version_id).status_label == "已停用"
    assert draft.answer_id not in [a.answer_id for a in answers.list_answers()]
    assert audit.entries(obj=answers.answer_object(draft.answer_id))[0].actor == "老李"


def test_with_no_accounts_the_approver_name_is_required_and_recorded(store):
    draft = answers.save_draft(_draft())
    with pytest.raises(FieldError, match="审定人"):
        answers.approve(draft.version_id)
    with pytest.raises(FieldError, match="审定人"):
        answers.approve(draft.version_id, approver="   ")
    assert answers.get_version(draft.version_id).status == "draft"
    done = answers.approve(draft.version_id, approver=" 王 主任 ")
    assert done.approved_by == "王 主任"
    with pytest.raises(WorkflowError, match="已审定"):
        answers.approve(draft.version_id, approver="王主任")
    with pytest.raises(FieldError, match="审定人"):
        answers.retire(draft.answer_id)
    answers.retire(draft.answer_id, approver="王主任")
    assert draft.answer_id not in [a.answer_id for a in answers.list_answers()]
    assert _answer("低保申请：条件和办理途径").status_label == "已停用"


def test_bad_drafts_are_refused_in_chinese(store):
    with pytest.raises(FieldError, match="标题：不能为空"):
        answers.save_draft(_draft(title="  "))
    with pytest.raises(FieldError, match="正文：不能为空"):
        answers.save_draft(_draft(body="\n"))
    with pytest.raises(FieldError, match="不在领域分类中"):
        answers.save_draft(_draft(fields=("没有这个领域",)))
    with pytest.raises(FieldError, match="无法保存"):
        answers.save_draft(_draft(body="含\x00字符"))
    with pytest.raises(NotFoundError):
        answers.save_draft(_draft(), answer_id=99999)
    assert AnswerVersion.select().where(AnswerVersion.status == "draft").count() == 0


def test_keywords_typed_in_one_line_are_split(store):
    saved = answers.save_draft(_draft(keywords=("低保、特困，救助 低保",)))
    assert saved.keywords == ("低保", "特困", "救助")


def test_editing_an_approved_answer_makes_a_new_version_the_old_stays_in_use(store):
    review = next(a for a in answers.list_answers() if a.basis_article == "第三十五条")
    edited = dataclasses.replace(_draft(), title=review.title, body=review.body + "特此告知。",
                                 fields=(), basis_name=review.basis_name,
                                 basis_article=review.basis_article, basis_date=review.basis_date)
    v2 = answers.save_draft(edited, answer_id=review.answer_id)
    assert v2.version == 2 and v2.status == "draft"
    # Until approved, the approved v1 is what the list shows and what is suggested.
    assert _answer(review.title).version_id == review.version_id
    assert answers.suggest("对处理意见不服想复查")[0].version_id == review.version_id
    # Saving again updates the open draft: still one draft.
    v2b = answers.save_draft(dataclasses.replace(edited, body=edited.body + "此复。"),
                             answer_id=review.answer_id)
    assert v2b.version_id == v2.version_id and v2b.body.endswith("此复。")
    answers.approve(v2.version_id, approver="王主任")
    history = answers.versions(review.answer_id)
    assert [(h.version, h.status_label) for h in history] == [(2, "已审定"), (1, "已停用")]
    assert history[1].body == review.body
    assert answers.suggest("对处理意见不服想复查")[0].version_id == v2.version_id


def test_versions_of_several_answers_match_each_answers_versions(store):
    first, second = answers.list_answers()[:2]
    draft = dataclasses.replace(_draft(), title=first.title, body="修订稿。", fields=())
    answers.save_draft(draft, answer_id=first.answer_id)
    both = answers.versions_of([first.answer_id, second.answer_id])
    assert both == {a: answers.versions(a) for a in (first.answer_id, second.answer_id)}
    assert [v.version for v in both[first.answer_id]] == [2, 1]


def test_list_answers_filters_by_text(store):
    found = answers.list_answers(text="复核")
    assert found and all("复核" in (a.title + a.body + "".join(a.keywords)) for a in found)
    assert answers.list_answers(text="没有这样的口径文字") == []


# --------------------------------------------------------------------------- use by cases

def _approved(article: str):
    return next(a for a in answers.list_answers() if a.basis_article == article)


def test_an_old_case_still_shows_the_version_it_used(store):
    Unit.get_or_create(name="区人社局")
    v1 = _approved("第三十五条")
    saved = save_intake(intake(disposition="当场答复", answer_given="已答复"), answer_version_id=v1.version_id, today=TODAY)
    answers.record_use(saved.case_no, v1.version_id, "reply")
    draft = dataclasses.replace(_draft(), title=v1.title, body="新的复查口径文本。", fields=())
    v2 = answers.approve(answers.save_draft(draft, answer_id=v1.answer_id).version_id,
                         approver="王主任")
    used = answers.used_by_case(saved.case_no)
    assert [(p, a.version_id, a.version, a.status) for p, a in used] == [
        ("on_spot", v1.version_id, 1, "retired"), ("reply", v1.version_id, 1, "retired")]
    assert used[0][1].body == v1.body and v2.version == 2
    later = save_intake(intake(), answer_version_id=v2.version_id, today=TODAY)
    assert [a.version for _, a in answers.used_by_case(later.case_no)] == [2]
    assert [e.action for e in audit.entries(obj=saved.case_no)][:2] == ["answer_used"] * 2


def test_register_refuses_a_draft_or_unknown_answer_and_saves_nothing(store):
    draft = answers.save_draft(_draft(fields=()))
    before = Case.select().count()
    with pytest.raises(WorkflowError, match="只能使用已审定的口径"):
        save_intake(intake(), answer_version_id=draft.version_id, today=TODAY)
    with pytest.raises(NotFoundError, match="没有编号为"):
        save_intake(intake(), answer_version_id=987654, today=TODAY)
    assert Case.select().count() == before and CaseAnswer.select().count() == 0


def test_record_use_checks_purpose_and_status(store):
    saved = register_case(intake(), today=TODAY)
    v = _approved("第三十四条")
    with pytest.raises(FieldError, match="用途"):
        answers.record_use(saved.case_no, v.version_id, "lunch")
    answers.retire(v.answer_id, approver="王主任")
    with pytest.raises(WorkflowError, match="已停用"):
        answers.record_use(saved.case_no, v.version_id, "reply")
    with pytest.raises(NotFoundError):
        answers.record_use("XF0000-999999", _approved("第三十五条").version_id, "reply")
    assert answers.used_by_case(saved.case_no) == []


def test_validation_errors_come_before_the_answer_check(store):
    with pytest.raises(ValidationError):
        save_intake(intake(summary=""), answer_version_id=1, today=TODAY)


# --------------------------------------------------------------------------- placeholders

def test_fill_flags_missing_and_unknown_and_never_prints_braces():
    body = "{姓名}同志：您于{受理日期}反映的“{事项}”由{ 承办单位 }办理，请于｛答复期限｝前留意。{不认识}"
    got = answers.fill(body, {"姓名": "王秀英", "{事项}": "拖欠工资", "承办单位": "区人社局",
                              "受理日期": "  ", "答复期限": None})
    assert got.text == ("王秀英同志：您于【缺：受理日期】反映的“拖欠工资”由区人社局办理，"
                        "请于【缺：答复期限】前留意。【未知：不认识】")
    assert got.missing == ("受理日期", "答复期限") and got.unknown == ("不认识",)
    assert "{" not in got.text and "}" not in got.text and "｛" not in got.text
    assert answers.fill("无占位符", {}).text == "无占位符"
    assert "{今天}" in answers.PLACEHOLDERS and len(answers.PLACEHOLDERS) == 10


def test_values_for_a_case_and_for_the_intake(store):
    Unit.get_or_create(name="区人社局")
    saved = register_case(intake(accepted_on=dt.date(2026, 9, 22), unit="区人社局",
                                 promised_reply_on=dt.date(2026, 11, 29)), today=TODAY)
    values = answers.values_for_case(saved.case_no, today=TODAY)
    assert values["姓名"] == "王秀英" and values["事项"] == "反映单位拖欠工资三个月"
    assert values["受理日期"] == "2026年9月22日" and values["登记日期"] == "2026年9月21日"
    assert values["答复期限"] == "2026年11月29日" and values["承办单位"] == "区人社局"
    assert values["编号"] == saved.case_no and values["查询码"] == saved.query_code
    assert values["本机关"] == "某某县信访接待室" and values["今天"] == "2026年10月20日"
    text = answers.fill(_approved("第三十四条").body, values)
    assert text.complete and "2026年9月22日受理，由区人社局办理" in text.text
    at_desk = answers.values_for_intake(names=["王秀英", "李四", ""], summary=" 路灯不亮 ",
                                        received_on=TODAY, unit="", promised_reply_on=None,
                                        today=TODAY)
    assert at_desk["姓名"] == "王秀英等2人" and at_desk["事项"] == "路灯不亮"
    filled = answers.fill("{姓名}：{登记日期}收到，编号{编号}，{承办单位}", at_desk)
    assert filled.text == "王秀英等2人：2026年10月20日收到，编号【缺：编号】，【缺：承办单位】"
    assert filled.missing == ("编号", "承办单位")
    group = answers.values_for_intake(names=["李建国"], summary="", received_on=TODAY, unit="",
                                      promised_reply_on=None, today=TODAY, people_count=36)
    assert group["姓名"] == "李建国等36人"  # a group: the people involved, not only those named


def test_saving_puts_the_new_number_and_query_code_where_the_answer_marked_them(store):
    v1 = _approved("第三十五条")
    typed = "王秀英同志：您的事项编号【缺：编号】，可凭查询码【缺：查询码】查询。"
    saved = save_intake(intake(disposition="当场答复", answer_given=typed), answer_version_id=v1.version_id, today=TODAY)
    case = Case.get(Case.case_no == saved.case_no)
    assert case.answer_given == (f"王秀英同志：您的事项编号{saved.case_no}，"
                                 f"可凭查询码{saved.query_code}查询。")
    # The same when the answer's version was dropped (e.g. retired meanwhile): the text stays.
    kept = register_case(intake(disposition="当场答复", answer_given=typed), today=TODAY)
    assert "【" not in Case.get(Case.case_no == kept.case_no).answer_given
    # Any other gap is refused: nobody could fill it in later.
    before = Case.select().count()
    for text, version in ((typed + "【缺：受理日期】", v1.version_id),
                          ("您好，【未知：职务】。", None),
                          ("您好，【请在此写明具体的政策解答】。", v1.version_id)):
        with pytest.raises(ValidationError) as err:
            save_intake(intake(disposition="当场答复", answer_given=text), answer_version_id=version, today=TODAY)
        assert "答复内容：还有未补全的内容：【" in str(err.value)
    assert Case.select().count() == before


def test_a_reply_with_gaps_left_is_refused_before_it_reaches_the_letter(store):
    from xinfang_desk.core.cases.records import record_event
    from xinfang_desk.core.rules.workflow import EventData

    saved = register_case(intake(disposition="受理", accepted_on=dt.date(2026, 9, 22)),
                          today=TODAY)
    note = answers.fill(_approved("第三十五条").body, {"姓名": "王秀英"}).text
    assert "【缺：承办单位】" in note
    with pytest.raises(ValidationError) as err:
        record_event(saved.case_no, EventData(type="replied", on=dt.date(2026, 10, 15),
                                              outcome="解释说明", note=note, approver="李主任"))
    assert "说明：还有未补全的内容：【缺：承办单位】、【缺：事项】" in str(err.value)
    state = record_event(saved.case_no, EventData(
        type="replied", on=dt.date(2026, 10, 15), outcome="解释说明", approver="李主任",
        note=note.replace("【缺：承办单位】", "区民政局").replace("【缺：事项】", "低保")))
    assert state.status == "replied"


def test_deleting_a_case_removes_its_answer_uses_not_the_answer(store):
    v = _approved("第三十四条")
    saved = save_intake(intake(), answer_version_id=v.version_id, today=TODAY)
    assert CaseAnswer.select().count() == 1
    Case.delete().where(Case.case_no == saved.case_no).execute()  # as a retention purge does
    assert CaseAnswer.select().count() == 0
    assert answers.get_version(v.version_id).status == "approved"


def test_a_reply_and_its_answer_are_recorded_together_or_not_at_all(store):
    from xinfang_desk.core.cases.records import get_case
    from xinfang_desk.core.rules.workflow import EventData
    from xinfang_desk.core.store.models import CaseEvent

    review = _approved("第三十五条")
    saved = register_case(intake(disposition="受理", accepted_on=dt.date(2026, 9, 22)),
                          today=TODAY)
    reply = EventData(type="replied", on=dt.date(2026, 10, 15), outcome="解释说明",
                      note="经核查……如不服可请求复查。", approver="李主任")
    # The answer was retired meanwhile: neither the reply nor the use is kept.
    draft = answers.save_draft(dataclasses.replace(_draft(), title="临时口径", fields=()))
    temp = answers.approve(draft.version_id, approver="李主任")
    answers.retire(temp.answer_id, approver="李主任")
    with pytest.raises(WorkflowError, match="已停用"):
        answers.record_reply(saved.case_no, reply, temp.version_id)
    assert not CaseEvent.select().where(CaseEvent.type == "replied").exists()
    assert get_case(saved.case_no).status != "replied"
    state = answers.record_reply(saved.case_no, reply, review.version_id)
    assert state.status == "replied" and get_case(saved.case_no).status == "replied"
    [(purpose, used)] = answers.used_by_case(saved.case_no)
    assert (purpose, used.version_id) == ("reply", review.version_id)
    with pytest.raises(FieldError):
        answers.record_reply(saved.case_no, EventData(type="closed", on=dt.date(2026, 10, 16)),
                             review.version_id)
