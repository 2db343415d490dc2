"""答复口径 at the desk: suggestions beside the intake form, filling the on-the-spot answer,
the reply form's picker, and the versions a case used in its detail window (offscreen)."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")


from tests.core.helpers import intake  # noqa: E402
from tests.ui import helpers  # noqa: E402
from xinfang_desk.core.answers import library as answers  # noqa: E402
from xinfang_desk.core.cases.records import events_of, get_case  # noqa: E402
from xinfang_desk.core.intake.desk import save_intake  # noqa: E402
from xinfang_desk.ui.cases.detail_dialog import CaseDetailDialog  # noqa: E402
from xinfang_desk.ui.widgets.answer_picker import completion_note, still_from  # noqa: E402

TODAY = dt.date(2026, 10, 9)
WAIT = 10000
CONSULT = "咨询答复：当场解答并告知查询方式"
REVIEW = "复查：对处理意见不服可在三十日内请求复查"
TIME_LIMIT = "办理期限：自受理之日起六十日内办结"

store, tasks = helpers.styled_store, helpers.store_tasks


def make_page(qtbot, tasks, store, size=(1280, 800)):
    return helpers.open_intake_page(qtbot, tasks, store, TODAY, size, WAIT)


def type_low_income_matter(qtbot, page):
    """A visitor asks how to apply for 低保 (minimum living allowance)."""
    page.petitioners.primary.name.setText("王秀英")
    page.category.setCurrentText("咨询")
    page.field.setEditText("民政/社会救助")
    page.summary.setText("咨询低保怎么办理")
    page.request.setPlainText("想了解申请低保需要哪些材料")
    with qtbot.waitSignal(page.answers.sig_updated, timeout=WAIT):
        pass
    qtbot.waitUntil(lambda: bool(page.answers.suggestions), timeout=WAIT)


def choose_first(qtbot, page):
    page.answers.list.setCurrentRow(0)
    page.answers.use_button.click()
    qtbot.waitUntil(lambda: page.answer.toPlainText() != "", timeout=WAIT)


def test_helpers_follow_the_visible_marks():
    assert completion_note("您于【缺：受理日期】反映的") == "以下内容需补充：受理日期"
    note = completion_note("查询码【缺：查询码】。【请在此写明具体的政策解答】", intake=True)
    assert note.startswith("查询码在保存时自动填入")
    assert "需补充" not in note
    assert "请补写：请在此写明具体的政策解答" in note
    assert completion_note("王秀英同志：已答复。") == ""
    assert still_from("王秀英同志：您咨询的事项答复如下", "王秀英同志：您咨询的事项答复如下：可申请。")
    assert not still_from("王秀英同志：您咨询的事项答复如下", "")
    assert not still_from("王秀英同志：您咨询的事项答复如下", "已口头解释，信访人表示理解")


def test_typing_a_low_income_matter_suggests_the_consultation_answer(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    assert page.answers.suggestions == []
    page.summary.setText("咨询低保怎么办理")
    # Debounced: nothing is asked while the clerk is typing.
    assert page.answers.suggestions == [] and page.answers._timer.isActive()
    page.field.setEditText("民政/社会救助")
    qtbot.waitUntil(lambda: bool(page.answers.suggestions), timeout=WAIT)
    assert page.answers.titles()[0] == CONSULT
    first = page.answers.list.item(0).text()
    assert first.startswith(f"1. {CONSULT}（第1版）")
    assert "依据：《信访工作条例》第十八条（2022-05-01）" in first
    assert "推荐理由：关键词：咨询、怎么办理" in first
    assert page.answers.status.text().startswith("适用的答复口径")


def test_stale_suggestions_are_dropped(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    panel = page.answers
    panel.set_query("对复查意见不服，要求复核", immediate=True)
    panel.set_query("咨询低保怎么办理", "民政/社会救助", immediate=True)  # the newer one wins
    tasks.wait()
    qtbot.waitUntil(lambda: bool(panel.suggestions), timeout=WAIT)
    qtbot.wait(50)
    assert panel.titles()[0] == CONSULT
    page._confirm = lambda title, text: True
    page.new_intake()
    assert panel.suggestions == [] and panel.list.count() == 0


def test_choosing_fills_the_answer_and_saving_records_the_version(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    type_low_income_matter(qtbot, page)
    assert page.disposition.currentText() == ""
    choose_first(qtbot, page)
    # No disposition was chosen yet: choosing an on-the-spot answer makes it 当场答复.
    assert page.disposition.currentText() == "当场答复"
    text = page.answer.toPlainText()
    assert text.startswith("王秀英同志：您咨询的“咨询低保怎么办理”")
    assert "{" not in text and "}" not in text
    assert "某某县信访接待室" in text  # {本机关} from the settings
    assert "【缺：查询码】" in text  # not known before saving: visibly marked
    assert page.answer_use.note.isVisible()
    assert page.answer_use.note.text().startswith("查询码在保存时自动填入")
    assert "请补写：请在此写明具体的政策解答" in page.answer_use.note.text()
    assert page.answer_use.source.text().startswith(f"选用口径：{CONSULT}（第1版）")
    # The clerk completes the answer before saving; the note follows the edits.
    page.answer.setPlainText(text.replace("【请在此写明具体的政策解答】", "可向户籍所在地乡镇（街道）申请"))
    assert page.answer_use.note.text() == "查询码在保存时自动填入"
    final = page.answer.toPlainText()
    version_id = page.answers.suggestions[0].version_id
    assert page.answer_version_used() == version_id

    with qtbot.waitSignal(page.sig_case_saved, timeout=WAIT) as saved:
        page.save()
    case_no = saved.args[0]
    tasks.wait()
    case = get_case(case_no)
    # The query code the save allocated is where the answer had it marked missing.
    assert case.answer_given == final.strip().replace("【缺：查询码】", case.query_code)
    assert f"可凭查询码{case.query_code}查询" in case.answer_given
    [(purpose, used)] = answers.used_by_case(case_no)
    assert (purpose, used.version_id, used.title, used.version) == ("on_spot", version_id,
                                                                      CONSULT, 1)
    assert not page.answer_use.source.isVisible() and page.answers.suggestions == []


def test_a_cleared_answer_records_no_version(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    type_low_income_matter(qtbot, page)
    choose_first(qtbot, page)
    page.answer.clear()
    assert "不记为选用的答复口径" in page.answer_use.source.text()
    page.answer.setPlainText("已当场解释低保申请条件和所需材料，信访人表示理解")
    assert page.answer_version_used() is None
    with qtbot.waitSignal(page.sig_case_saved, timeout=WAIT) as saved:
        page.save()
    tasks.wait()
    assert answers.used_by_case(saved.args[0]) == []


def test_another_disposition_changes_only_if_the_clerk_agrees(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    type_low_income_matter(qtbot, page)
    page.disposition.setCurrentText("受理")
    asked = []
    page._confirm = lambda title, text: asked.append(text) or False
    page.answers.use_button.click()
    tasks.wait()
    qtbot.wait(50)
    assert asked == ["选用答复口径将把处理方式由“受理”改为“当场答复”。\n确定吗？"]
    assert page.disposition.currentText() == "受理" and page.answer.toPlainText() == ""
    page._confirm = lambda title, text: True
    choose_first(qtbot, page)
    assert page.disposition.currentText() == "当场答复"


def test_typed_answer_is_replaced_only_if_the_clerk_agrees(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    type_low_income_matter(qtbot, page)
    page.disposition.setCurrentText("当场答复")
    page.answer.setPlainText("已口头解释")
    page._confirm = lambda title, text: False
    page.answers.use_button.click()
    tasks.wait()
    qtbot.wait(50)
    assert page.answer.toPlainText() == "已口头解释"
    assert page.answer_version_used() is None


def test_screenshot_of_the_intake_with_suggestions(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    type_low_income_matter(qtbot, page)
    choose_first(qtbot, page)
    qtbot.wait(100)
    assert page.grab().save("/tmp/intake-suggestions.png")


# ------------------------------------------------------------------ the reply form, the detail

@pytest.fixture
def low_income_case(store):
    """A 低保 matter forwarded to 民政局; the petitioner contests the decision."""
    saved = save_intake(intake(
        category="申诉求决", field="民政/社会救助", disposition="转送", unit="民政局",
        summary="反映低保被取消", request="对取消低保的处理意见不服，要求复查",
        facts="2026年8月接到通知取消低保", reasons="家庭收入没有变化"), today=TODAY)
    return saved.case_no


def open_detail(qtbot, tasks, case_no):
    dialog = CaseDetailDialog(case_no, tasks, today=TODAY)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.sig_loaded, timeout=WAIT):
        dialog.show()
    return dialog


def pick_in_reply(qtbot, form):
    picker = form.pick_answer()
    qtbot.waitUntil(lambda: bool(picker.panel.suggestions), timeout=WAIT)
    qtbot.waitUntil(lambda: picker.ok_button.isEnabled(), timeout=WAIT)
    return picker


def test_reply_picker_fills_the_note_and_the_detail_lists_the_version(qtbot, tasks, store,
                                                                      low_income_case):
    dialog = open_detail(qtbot, tasks, low_income_case)
    assert not dialog.answers_box.isVisible()
    form = dialog.open_action("replied")
    assert form.pick_button.text() == "选用答复口径…"
    picker = pick_in_reply(qtbot, form)
    assert picker.query.text() == "反映低保被取消 对取消低保的处理意见不服，要求复查"
    assert picker.panel.titles()[0] == REVIEW
    assert picker.preview.toPlainText().startswith("王秀英同志：对民政局就“反映低保被取消”作出的处理意见")
    version_id = picker.version.version_id
    picker.grab().save("/tmp/reply-picker.png")
    picker.ok_button.click()
    note = form.note_edit.toPlainText()
    assert note.startswith("王秀英同志：对民政局就“反映低保被取消”作出的处理意见")
    assert "{" not in note and "【缺：" not in note
    assert form.answer_use.source.text().startswith(f"选用口径：{REVIEW}（第1版）")
    form.outcome_combo.setCurrentText("解释说明")
    form.grab().save("/tmp/reply-form.png")
    with qtbot.waitSignal(dialog.sig_case_changed, timeout=WAIT), \
            qtbot.waitSignal(dialog.sig_loaded, timeout=WAIT):
        form.ok_button.click()
    [(purpose, used)] = answers.used_by_case(low_income_case)
    assert (purpose, used.version_id) == ("reply", version_id)
    assert dialog.answers_box.isVisible()
    assert dialog.used_answers() == [
        f"书面答复　{REVIEW}　第1版　《信访工作条例》第三十五条（2022-05-01）"]
    dialog.grab().save("/tmp/detail-answers.png")
    # The reply letter carries the note as written and cites the answer's basis.
    import io

    from pypdf import PdfReader

    from xinfang_desk.core.documents.build import build_document

    pdf = build_document(low_income_case, "reply", today=TODAY)
    letter = "".join("".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
                     .split())
    assert "依据：《信访工作条例》第三十五条" in letter
    assert "王秀英同志：对民政局就“反映低保被取消”作出的处理意见" in letter


def test_reply_picker_flags_missing_values(qtbot, tasks, store, low_income_case):
    # Forwarded, never accepted here: the case has no 受理日期.
    dialog = open_detail(qtbot, tasks, low_income_case)
    form = dialog.open_action("replied")
    picker = pick_in_reply(qtbot, form)
    picker.query.setText("办理期限多长时间")  # the clerk looks further by keyword
    qtbot.waitUntil(lambda: picker.panel.titles()[:1] == [TIME_LIMIT], timeout=WAIT)
    qtbot.waitUntil(lambda: picker.version is not None and picker.version.title == TIME_LIMIT,
                    timeout=WAIT)
    assert "【缺：受理日期】" in picker.preview.toPlainText()
    assert "{" not in picker.preview.toPlainText()
    assert picker.note.text() == "以下内容需补充：受理日期"
    picker.ok_button.click()
    assert "【缺：受理日期】" in form.note_edit.toPlainText()
    assert form.answer_use.note.text() == "以下内容需补充：受理日期"
    assert not form.answer_use.note.isHidden()


def test_an_old_case_keeps_the_version_it_used(qtbot, tasks, store):
    page_case = save_intake(intake(
        disposition="当场答复", category="咨询", field="民政/社会救助", summary="咨询低保怎么办理",
        answer_given="王秀英同志：已当场解答。"),
        answer_version_id=answers.suggest("咨询低保怎么办理")[0].version_id, today=TODAY)
    v1 = answers.used_by_case(page_case.case_no)[0][1]
    assert v1.title == CONSULT
    draft = answers.AnswerDraft(title=v1.title, body=v1.body + "（第二版）", fields=v1.fields,
                                keywords=v1.keywords, basis_name=v1.basis_name,
                                basis_article=v1.basis_article, basis_date=v1.basis_date)
    v2 = answers.save_draft(draft, answer_id=v1.answer_id)
    answers.approve(v2.version_id, approver="李主任")
    dialog = open_detail(qtbot, tasks, page_case.case_no)
    assert dialog.used_answers() == [
        f"当场答复　{CONSULT}　第1版（现已停用）　《信访工作条例》第十八条（2022-05-01）"]
    # New matters are offered the new version.
    assert answers.suggest("咨询低保怎么办理")[0].version == 2


def test_double_click_chooses_and_the_draft_keeps_the_choice(qtbot, tasks, store):
    from PySide6.QtCore import Qt

    page = make_page(qtbot, tasks, store)
    type_low_income_matter(qtbot, page)
    chosen = []
    page.answers.sig_chosen.connect(chosen.append)
    view = page.answers.list
    rect = view.visualItemRect(view.item(0))
    # A real double-click: press and release, then the double-click event (QTest's
    # mouseDClick alone sends only the second half).
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: page.answer.toPlainText().startswith("王秀英同志"), timeout=WAIT)
    assert [s.title for s in chosen] == [CONSULT]  # one choice, not two
    version_id = page.answer_version_used()
    assert version_id == chosen[0].version_id
    # A crash-safe draft restored on a new page still records the version it came from.
    snapshot = page.snapshot()
    page.clear_form()
    assert page.answer_version_used() is None
    page.restore(snapshot)
    assert page.answer_version_used() == version_id
    assert page.answer_use.source.text().startswith(f"选用口径：{CONSULT}")


def test_answer_retired_before_saving_keeps_the_text(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    type_low_income_matter(qtbot, page)
    choose_first(qtbot, page)
    page.answer.setPlainText(page.answer.toPlainText().replace(
        "【请在此写明具体的政策解答】", "可向户籍所在地乡镇（街道）申请"))
    text = page.answer.toPlainText()
    answers.retire(page.answers.suggestions[0].answer_id, approver="李主任")
    page.save()
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=WAIT)
    assert "只能使用已审定的口径" in page.message.text()
    assert "答复内容已保留，本次不记录口径版本" in page.message.text()
    assert page.answer.toPlainText() == text and not page.answer_use.source.isVisible()
    with qtbot.waitSignal(page.sig_case_saved, timeout=WAIT) as saved:
        page.save()
    tasks.wait()
    case = get_case(saved.args[0])
    assert case.answer_given == text.replace("【缺：查询码】", case.query_code)
    assert answers.used_by_case(saved.args[0]) == []


def test_reply_refused_with_a_retired_answer_records_nothing(qtbot, tasks, store, low_income_case):
    dialog = open_detail(qtbot, tasks, low_income_case)
    form = dialog.open_action("replied")
    picker = pick_in_reply(qtbot, form)
    answer_id = picker.version.answer_id
    picker.ok_button.click()
    answers.retire(answer_id, approver="李主任")
    form.ok_button.click()
    qtbot.waitUntil(lambda: form.error_label.isVisible(), timeout=WAIT)
    assert "答复内容已保留，本次不记录口径版本" in form.error_label.text()
    tasks.wait()
    assert "replied" not in [e.type for e in events_of(get_case(low_income_case))]
    with qtbot.waitSignal(dialog.sig_loaded, timeout=WAIT):
        form.ok_button.click()
    assert answers.used_by_case(low_income_case) == []
    assert any(e.startswith("答复：") for e in timeline_texts(dialog))
    assert not dialog.answers_box.isVisible()


def timeline_texts(dialog):
    t = dialog.timeline_table
    return [t.item(r, 1).text() for r in range(t.rowCount())]


def test_alt_y_chooses_the_best_answer_from_the_keyboard(qtbot, tasks, store):
    from PySide6.QtCore import Qt

    page = make_page(qtbot, tasks, store)
    type_low_income_matter(qtbot, page)
    page.summary.setFocus()
    qtbot.waitUntil(page.summary.hasFocus, timeout=WAIT)
    qtbot.keyClick(page.summary, Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.answer.toPlainText().startswith("王秀英同志"), timeout=WAIT)
    assert page.answer.hasFocus()  # the clerk goes on to complete the marked gaps
