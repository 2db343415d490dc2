"""Suggestion ranking on a fixed set of matters, each with the answer a clerk should get first."""

import time

import pytest

from xinfang_desk.core.answers import library as answers
from xinfang_desk.core.answers.common import AnswerDraft

# (matter text as a clerk types it, field, category, the seeded answer's basis article that
# must come first, a word of its title to tell apart two answers on the same article)
MATTERS = [
    ("我对区里给的处理意见不服，想找上一级复查", "", "申诉求决", "第三十五条", "复查"),
    ("复查意见出来了，我还是不服，要求复核", "", "申诉求决", "第三十六条", "请求复核"),
    ("复核意见已经作出，我以同样的理由又来反映", "", "申诉求决", "第三十六条", "不再受理"),
    ("已经判决了但我不服，法院那边说要上诉", "涉法涉诉/诉讼", "申诉求决", "第三十一条", "法定途径"),
    ("单位拖欠工资，我想申请劳动仲裁，这事你们管不管", "", "申诉求决", "第三十一条", "法定途径"),
    ("举报村主任贪污惠农补贴，请为我保密", "纪检监察/违纪违法", "检举控告", "第三十条", "检举控告"),
    ("建议在小区门口增设红绿灯", "城乡建设/城市管理", "建议意见", "第二十九条", "建议意见"),
    ("事情已经受理快两个月了，什么时候有结果", "", "申诉求决", "第三十四条", "六十日"),
    ("说好的期限到了还没办完，为什么又要延期", "", "申诉求决", "第三十四条", "延期"),
    ("我们村三十多个村民一起来反映征地补偿，大家都要进去", "", "申诉求决", "第二十条", "代表"),
    ("我上周寄来的信，你们收到没有，是否受理", "", "申诉求决", "第二十二条", "是否受理"),
    ("请问办理低保需要什么材料，流程是怎样的", "", "咨询", "第十八条", "咨询"),
]


@pytest.mark.parametrize("text,field,category,article,title_word", MATTERS,
                         ids=[m[0][:10] for m in MATTERS])
def test_the_known_best_answer_comes_first(store, text, field, category, article, title_word):
    found = answers.suggest(text, field=field, category=category)
    assert found, f"no suggestion for {text}"
    best = answers.get_version(found[0].version_id)
    assert article in best.basis_article and title_word in best.title, \
        [(s.title, s.score, s.reasons) for s in found]
    assert found[0].reasons and found[0].basis.startswith("《信访工作条例》")
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)


def test_short_or_empty_text_without_field_gives_nothing(store):
    assert answers.suggest("") == []
    assert answers.suggest(" 。") == []
    assert answers.suggest("复") == []


def test_a_field_alone_suggests_the_answers_of_that_field(store):
    found = answers.suggest("", field="涉法涉诉/仲裁")
    assert [s.title for s in found][:1] == ["依法分类处理：属于诉讼、仲裁、行政复议等法定途径的事项"]
    assert found[0].reasons == ("领域：涉法涉诉/仲裁",)


def test_drafts_and_retired_answers_are_never_suggested(store):
    draft = answers.save_draft(AnswerDraft(title="低保：申请条件", body="请向乡镇提出。",
                                           keywords=("低保",)))
    assert draft.version_id not in [s.version_id for s in answers.suggest("申请低保")]
    answers.approve(draft.version_id, approver="王主任")
    assert answers.suggest("申请低保")[0].version_id == draft.version_id
    answers.retire(draft.answer_id, approver="王主任")
    assert draft.version_id not in [s.version_id for s in answers.suggest("申请低保")]


def test_ties_are_broken_by_title(store):
    for title in ("2：停车收费", "1：停车收费"):  # inserted out of order
        answers.approve(answers.save_draft(AnswerDraft(
            title=title, body="停车收费按规定执行。", keywords=("停车",))).version_id,
            approver="王主任")
    found = [s for s in answers.suggest("停车收费") if "停车收费" in s.title]
    assert [s.title for s in found] == ["1：停车收费", "2：停车收费"]
    assert found[0].score == found[1].score


def test_fast_enough_for_a_few_hundred_answers(store):
    for i in range(300):
        answers.approve(answers.save_draft(AnswerDraft(
            title=f"口径{i:03d}：第{i}类常见问题", body=f"关于第{i}类问题，依照有关规定答复如下。" * 3,
            keywords=(f"问题{i}", "常见"))).version_id, approver="王主任")
    answers.suggest("复查意见不服要求复核")  # warm the text cache once
    start = time.perf_counter()
    found = answers.suggest("我对处理意见不服，想找上一级复查")
    elapsed = time.perf_counter() - start
    assert "复查" in found[0].title
    assert elapsed < 0.2, elapsed  # contract target 20 ms; generous for a loaded test machine
