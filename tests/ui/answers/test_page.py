"""答复口径 tab: the seeded library is listed and searchable; a clerk drafts, only a leader
approves or retires; editing an approved answer makes version 2 while version 1 stays readable;
the library goes to a file and into a fresh office; a broken file changes nothing; the policy
references are searchable."""

import json

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QTabWidget  # noqa: E402

from tests.ui import helpers  # noqa: E402
from xinfang_desk.core import session
from xinfang_desk.core.answers import library as answers  # noqa: E402
from xinfang_desk.core.people import users
from xinfang_desk.core.store import storage
from xinfang_desk.ui.answers.page import AnswersPage  # noqa: E402

store = helpers.styled_store
WAIT = 10000
REVIEW = "复查：对处理意见不服可在三十日内请求复查"
REVIEW_AGAIN = "复核：对复查意见不服可在三十日内请求复核"
ACCEPT = "受理告知：十五日内告知是否受理"
SEEDED = 12


tasks = helpers.store_tasks  # waited on before the store closes


def sign_in(role: str) -> session.Actor:
    name = {session.CLERK: "zhangmin", session.LEADER: "lihongmei"}[role]
    display = {session.CLERK: "张敏", session.LEADER: "李红梅"}[role]
    admin = users.create_user("admin", "admin2026", session.ADMIN, "王建国")
    with session.acting_as(users.actor_of(admin)):
        users.create_user(name, "pass2026a", role, display)
    actor = users.actor_of(users.get_user(name))
    session.set_current(actor)
    return actor


def open_page(qtbot, tasks) -> AnswersPage:
    page = AnswersPage(tasks)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    with qtbot.waitSignal(page.library.sig_loaded, timeout=WAIT):
        page.show()
    return page


@pytest.fixture
def page(qtbot, tasks):
    return open_page(qtbot, tasks)


def titles(page) -> list[str]:
    return [r[0] for r in page.library.rows()]


def row_of(page, title: str) -> tuple[str, ...]:
    return next(r for r in page.library.rows() if r[0] == title)


def select(page, title: str) -> None:
    lib = page.library
    assert lib.select_answer(next(row.answer_id for row, _v in lib.items if row.title == title))


def history(page) -> list[tuple[str, str]]:
    table = page.library.history
    return [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]


def click(qtbot, button) -> None:
    assert button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def finish_dialog(qtbot, page, dialog) -> None:
    """Press the dialog's OK and wait until the list has been reloaded after it."""
    with qtbot.waitSignal(page.library.sig_loaded, timeout=WAIT):
        click(qtbot, dialog.ok_button)
    assert page.library.dialog is None  # closed (and deleted) once saved


def new_draft(qtbot, page, title: str, body: str, fields=()) -> None:
    click(qtbot, page.library.new_button)
    editor = page.library.dialog
    assert editor.objectName() == "answerEditor" and editor.isVisible()
    if not editor.fields.topLevelItemCount():
        qtbot.waitSignal(editor.sig_choices_loaded, timeout=WAIT).wait()
    editor.title.setText(title)
    editor.body.setPlainText(body)
    editor.keywords.setText("测试、口径")
    editor.set_fields(list(fields))
    finish_dialog(qtbot, page, editor)


# --------------------------------------------------------------------------- the list

def test_the_seeded_answers_are_listed_and_the_search_filters_them(qtbot, page):
    assert len(titles(page)) == SEEDED
    title, fields, status, version, basis, approved = row_of(page, REVIEW)
    assert (status, version, basis) == ("已审定", "第1版", "《信访工作条例》第三十五条")
    assert fields == "（所有领域）" and approved.startswith("系统预置 ")
    select(page, REVIEW)
    assert "第三十五条" in page.library.text.toPlainText()
    assert history(page) == [("第1版", "已审定")]

    with qtbot.waitSignal(page.library.sig_loaded, timeout=WAIT):
        page.library.search.setText("复核")
    shown = titles(page)
    assert REVIEW_AGAIN in shown and ACCEPT not in shown and len(shown) < SEEDED
    with qtbot.waitSignal(page.library.sig_loaded, timeout=WAIT):
        page.library.search.setText("没有这样的口径")
    assert titles(page) == []
    assert "没有符合条件的答复口径" in page.library.text.toPlainText()


def test_the_tab_sits_after_the_follow_up_board(qtbot, store):
    from xinfang_desk.ui.main_window import build_main_window

    window = build_main_window(store)
    qtbot.addWidget(window)
    tabs = window.findChild(QTabWidget, "mainTabs")
    texts = [tabs.tabText(i) for i in range(tabs.count())]
    assert texts[texts.index("跟踪督办") + 1] == "答复口径"
    with qtbot.waitSignal(window.answers.library.sig_loaded, timeout=WAIT):
        window.show()
        tabs.setCurrentWidget(window.answers)
    assert len(window.answers.library.rows()) == SEEDED
    window.close()
    window.tasks.wait(WAIT)
    window.board_loads.wait(WAIT)


# --------------------------------------------------------------------------- roles

def test_a_clerk_drafts_but_cannot_approve_or_retire(qtbot, tasks):
    sign_in(session.CLERK)
    page = open_page(qtbot, tasks)
    select(page, REVIEW)
    assert page.library.edit_button.isEnabled()
    assert not page.library.approve_button.isEnabled()
    assert not page.library.retire_button.isEnabled()
    assert "负责人" in page.library.retire_button.toolTip()
    assert not page.policy.add_button.isEnabled()

    new_draft(qtbot, page, "低保申请：向户籍所在地乡镇政府提出",
              "{姓名}您好：您反映的{事项}，请向户籍所在地乡镇人民政府提出申请。", ["民政"])
    row = row_of(page, "低保申请：向户籍所在地乡镇政府提出")
    assert row[1:4] == ("民政", "草稿", "第1版") and row[5] == ""
    assert page.library.message.text() == "已保存“低保申请：向户籍所在地乡镇政府提出”第1版草稿，待负责人审定。"
    # Its own draft is selected: still only a leader approves it.
    assert page.library.selected()[0].title == "低保申请：向户籍所在地乡镇政府提出"
    assert not page.library.approve_button.isEnabled()
    assert "起草：zhangmin" in page.library.text.toPlainText()


def test_the_leader_approves_version_2_and_version_1_stays_readable(qtbot, tasks):
    leader = sign_in(session.LEADER)
    page = open_page(qtbot, tasks)
    select(page, REVIEW)
    assert not page.library.approve_button.isEnabled()  # nothing waits for approval yet
    old_body = page.library.selected()[0].body

    click(qtbot, page.library.edit_button)
    editor = page.library.dialog
    assert "生成新版本草稿" in editor.notice.text() and "审定前仍使用第1版" in editor.notice.text()
    editor.body.setPlainText(old_body + "\n如有疑问，可致电{本机关}。")
    finish_dialog(qtbot, page, editor)
    assert row_of(page, REVIEW)[2:4] == ("已审定（第2版待审）", "第1版")
    assert history(page) == [("第2版", "草稿"), ("第1版", "已审定")]

    click(qtbot, page.library.approve_button)
    dialog = page.library.dialog
    assert dialog.objectName() == "decisionDialog" and not dialog.asks_name
    assert "第1版随之停用" in dialog.findChild(object, "decisionText").text()
    finish_dialog(qtbot, page, dialog)

    title, _f, status, version, _b, approved = row_of(page, REVIEW)
    assert (status, version) == ("已审定", "第2版") and approved.startswith(leader.username)
    assert page.library.message.text().startswith(f"已审定“{REVIEW}”第2版")
    assert history(page) == [("第2版", "已审定"), ("第1版", "已停用")]
    assert "如有疑问" in page.library.text.toPlainText()
    page.library.history.selectRow(1)  # the old text, read-only
    old = page.library.text.toPlainText()
    assert "第1版（已停用，只读历史版本）" in old and "如有疑问" not in old
    assert page.library.shown_version().version == 1


def test_without_accounts_the_approver_name_is_asked_for(qtbot, page):
    new_draft(qtbot, page, "测试口径", "{姓名}您好。")
    select(page, "测试口径")
    click(qtbot, page.library.approve_button)
    dialog = page.library.dialog
    assert dialog.asks_name
    click(qtbot, dialog.ok_button)
    error = dialog.field_errors["审定人"]
    qtbot.waitUntil(error.isVisible, timeout=WAIT)
    assert error.text() == "未设置用户账户时须填写审定人姓名"
    dialog.approver.setText("李红梅")
    finish_dialog(qtbot, page, dialog)
    assert row_of(page, "测试口径")[2] == "已审定"
    assert row_of(page, "测试口径")[5].startswith("李红梅 ")


def test_a_retired_answer_is_hidden_unless_retired_ones_are_shown(qtbot, tasks):
    sign_in(session.LEADER)
    page = open_page(qtbot, tasks)
    select(page, ACCEPT)
    click(qtbot, page.library.retire_button)
    finish_dialog(qtbot, page, page.library.dialog)
    assert ACCEPT not in titles(page) and len(titles(page)) == SEEDED - 1
    assert page.library.message.text() == f"已停用“{ACCEPT}”。"
    with qtbot.waitSignal(page.library.sig_loaded, timeout=WAIT):
        page.library.show_retired.setChecked(True)
    assert row_of(page, ACCEPT)[2] == "已停用"
    select(page, ACCEPT)
    assert not page.library.retire_button.isEnabled()
    assert "十五日" in page.library.text.toPlainText()  # still readable


# --------------------------------------------------------------------------- files

def test_export_then_import_into_a_fresh_office_round_trips(qtbot, tasks, tmp_path):
    draft = answers.AnswerDraft(title="供暖不热：由住建部门督促供热企业整改",
                                body="{姓名}您好：您反映的{事项}已转{承办单位}办理。",
                                keywords=("供暖", "暖气"), basis_name="《信访工作条例》",
                                basis_article="第三十一条")
    answers.approve(answers.save_draft(draft).version_id, approver="李红梅")
    page = open_page(qtbot, tasks)
    path = tmp_path / "口径库.json"
    with qtbot.waitSignal(page.library.sig_finished, timeout=WAIT) as done:
        page.library.export_file(path)
    assert done.args[0] is True, done.args
    assert done.args[1] == f"已导出{SEEDED + 1}条答复口径及政策依据到 {path}。"
    page.close()
    tasks.wait(WAIT)
    storage.close()

    storage.open_data_dir(tmp_path / "fresh")
    fresh = open_page(qtbot, tasks)
    assert "供暖不热：由住建部门督促供热企业整改" not in titles(fresh)
    with qtbot.waitSignal(fresh.library.sig_loaded, timeout=WAIT):
        fresh.library.import_file(path)
    assert fresh.library.message.text().startswith("已导入：新增口径 1 条，更新 0 条，"
                                                   f"未变 {SEEDED} 条")
    box = fresh.library.box
    assert box is not None and box.objectName() == "importReportBox" and box.isVisible()
    assert "新增口径 1 条" in box.text()
    box.accept()
    row = row_of(fresh, "供暖不热：由住建部门督促供热企业整改")
    assert row[2:5] == ("已审定", "第1版", "《信访工作条例》第三十一条")
    assert row[5].startswith("李红梅 ")
    select(fresh, row[0])
    assert "已转{承办单位}办理" in fresh.library.text.toPlainText()


@pytest.mark.parametrize("content, named", [
    ("{这不是JSON", "不是有效的JSON"),
    (json.dumps({"format": "xinfang-desk-answers", "version": 1, "answers": [
        {"title": "第一条好的口径", "body": "正文", "status": "approved"},
        {"title": "", "body": "标题空了"}]}, ensure_ascii=False), "第2条"),
])
def test_a_broken_file_shows_a_chinese_message_and_changes_nothing(qtbot, page, tmp_path,
                                                                    content, named):
    before = page.library.rows()
    path = tmp_path / "坏文件.json"
    path.write_text(content, encoding="utf-8")
    with qtbot.waitSignal(page.library.sig_finished, timeout=WAIT) as done:
        page.library.import_file(path)
    ok, text = done.args
    assert not ok and text.startswith("未能导入：") and named in text
    assert "未导入任何内容" in text
    assert page.library.message.text() == text
    box = page.library.box
    assert box.objectName() == "importFailedBox" and box.text() == text
    box.accept()
    assert page.library.import_button.isEnabled()
    with qtbot.waitSignal(page.library.sig_loaded, timeout=WAIT):
        page.library.refresh()
    assert page.library.rows() == before
    assert "第一条好的口径" not in titles(page)


# --------------------------------------------------------------------------- policy references

def test_policy_search_shows_the_articles_of_the_regulation(qtbot, page):
    policy = page.policy
    with qtbot.waitSignal(policy.sig_loaded, timeout=WAIT):
        page.tabs.setCurrentWidget(policy)
    assert policy.table.rowCount() >= 10
    with qtbot.waitSignal(policy.sig_loaded, timeout=WAIT):
        policy.search.setText("复查")
    shown = [(policy.table.item(r, 0).text(), policy.table.item(r, 1).text(),
              policy.table.item(r, 2).text()) for r in range(policy.table.rowCount())]
    assert ("《信访工作条例》", "第三十五条", "要点") in shown
    assert all(doc == "《信访工作条例》" for doc, _a, _k in shown)
    policy.select_article(next(h.article_id for h in policy.hits if h.article == "第三十五条"))
    reader = policy.reader.toPlainText()
    assert "《信访工作条例》第三十五条" in reader and "复查" in reader and "要点" in reader


def test_a_leader_adds_a_policy_article(qtbot, tasks):
    sign_in(session.LEADER)
    page = open_page(qtbot, tasks)
    policy = page.policy
    with qtbot.waitSignal(policy.sig_loaded, timeout=WAIT):
        page.tabs.setCurrentWidget(policy)
    click(qtbot, policy.add_button)
    dialog = policy.dialog
    dialog.doc_name.setCurrentText("《某省信访事项办理规定》")
    dialog.article.setText("第十条")
    dialog.kind.setCurrentIndex(dialog.kind.findData("原文"))
    click(qtbot, dialog.ok_button)
    error = dialog.field_errors["条文"]
    qtbot.waitUntil(error.isVisible, timeout=WAIT)
    assert error.text() == "不能为空"
    dialog.text.setPlainText("信访事项办理过程中，应当告知信访人办理进展。")
    with qtbot.waitSignal(policy.sig_loaded, timeout=WAIT):
        click(qtbot, dialog.ok_button)
    hit = policy.selected()
    assert (hit.doc_name, hit.article, hit.text_kind) == ("《某省信访事项办理规定》", "第十条", "原文")
    assert policy.message.text() == "已保存：《某省信访事项办理规定》第十条（原文）。"


# --------------------------------------------------------------------------- the editor

def test_the_editor_previews_missing_values_and_refuses_unknown_placeholders(qtbot, page):
    click(qtbot, page.library.new_button)
    editor = page.library.dialog
    editor.title.setText("受理后的告知")
    editor.body.setPlainText("您反映的事项已于")
    editor.body.moveCursor(editor.body.textCursor().MoveOperation.End)
    click(qtbot, editor.placeholder_buttons["{受理日期}"])
    assert editor.body.toPlainText() == "您反映的事项已于{受理日期}"
    assert "受理日期" in editor.placeholder_buttons["{受理日期}"].toolTip()
    editor.update_preview()
    assert editor.preview.toPlainText() == "您反映的事项已于【缺：受理日期】"
    assert "受理日期" in editor.preview_status.text()
    editor.preview_mode.setCurrentIndex(editor.preview_mode.findData("case"))
    assert editor.preview.toPlainText() == "您反映的事项已于2026年11月20日"

    editor.body.setPlainText("{姓名}您好，{办结日期}前答复。")
    click(qtbot, editor.ok_button)
    error = editor.field_errors["正文"]
    assert error.isVisible() and "{办结日期}" in error.text()
    assert "【未知：办结日期】" in editor.preview.toPlainText()
    assert "受理后的告知" not in titles(page)  # nothing saved

    # Cancelling typed text asks first; 继续编辑 keeps the dialog open.
    editor.reject()
    box = editor.discard_box
    assert box is not None and box.text() == "答复口径的修改尚未保存，确定放弃吗？"
    box.reject()
    assert editor.isVisible()
