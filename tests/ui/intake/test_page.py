"""接待登记: real flows through the intake page, on a real data directory, offscreen."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton  # noqa: E402

from tests.core.helpers import ID_WANG, intake  # noqa: E402
from tests.ui import helpers  # noqa: E402
from xinfang_desk.core.cases.records import events_of, get_case, petitioners_of, register_case  # noqa: E402
from xinfang_desk.core.intake import drafts  # noqa: E402
from xinfang_desk.core.rules import vocab as v  # noqa: E402
from xinfang_desk.core.store.models import Case  # noqa: E402

TODAY = dt.date(2026, 10, 9)
CTRL = Qt.KeyboardModifier.ControlModifier
WAIT = 10000


store, tasks = helpers.styled_store, helpers.store_tasks


def make_page(qtbot, tasks, store, size=(1280, 760)):
    return helpers.open_intake_page(qtbot, tasks, store, TODAY, size, WAIT)


def w(page, cls, name):
    widget = page.findChild(cls, name)
    assert widget is not None, name
    return widget


def focused(page):
    return QApplication.focusWidget()


def fill_matter(page, disposition="受理"):
    page.category.setCurrentText("申诉求决")
    page.summary.setText("反映单位拖欠工资三个月")
    page.request.setPlainText("要求单位支付拖欠的工资")
    page.facts.setPlainText("2026年6月至8月工资未发放")
    page.disposition.setCurrentText(disposition)


def test_walk_in_registered_with_keyboard(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    name = w(page, QLineEdit, "petitionerName")
    id_edit = w(page, QLineEdit, "idNumber")
    phone = w(page, QLineEdit, "phone")
    address = w(page, QLineEdit, "address")
    name.setFocus()
    qtbot.waitUntil(lambda: name.hasFocus())
    name.setText("王秀英")  # Chinese is set directly: keyClicks with Chinese aborts Qt
    qtbot.keyClick(name, Qt.Key.Key_Tab)
    assert focused(page) is page.petitioners.primary.doc_type
    qtbot.keyClick(focused(page), Qt.Key.Key_Tab)
    assert focused(page) is id_edit
    qtbot.keyClicks(id_edit, ID_WANG.lower())  # lower-case x is accepted
    assert w(page, QLabel, "idInfo").text() == "女 · 1949-12-31"
    qtbot.keyClick(id_edit, Qt.Key.Key_Return)  # Enter moves on in single-line fields
    assert focused(page) is phone
    qtbot.keyClicks(phone, "+86 138 0000 1234")
    qtbot.keyClick(phone, Qt.Key.Key_Return)
    assert focused(page) is address
    assert phone.text() == "13800001234"  # normalised on focus-out
    address.setText("四川省南充市顺庆区中城街道1号")
    qtbot.keyClick(address, Qt.Key.Key_Return)  # -> 代表 -> 人数 -> 代表人数 -> 收到日期
    for _ in range(3):
        qtbot.keyClick(focused(page), Qt.Key.Key_Return)
    assert focused(page) is page.received_on
    qtbot.keyClick(focused(page), Qt.Key.Key_Return)
    assert focused(page) is page.channel
    assert page.channel.currentText() == "来访"
    qtbot.keyClick(focused(page), Qt.Key.Key_Return)  # 来文号 is hidden for 来访
    assert focused(page) is page.category
    for _ in range(3):
        qtbot.keyClick(page.category, Qt.Key.Key_Down)
    assert page.category.currentText() == "申诉求决"
    qtbot.keyClick(page.category, Qt.Key.Key_Return)
    assert focused(page) is page.field
    page.field.setEditText("劳动社保/劳动报酬")
    qtbot.keyClick(page.field, Qt.Key.Key_Return)
    assert focused(page) is page.summary
    page.summary.setText("反映单位拖欠工资三个月")
    qtbot.keyClick(page.summary, Qt.Key.Key_Return)
    assert focused(page) is page.request
    page.request.setPlainText("要求单位支付拖欠的工资\n并赔偿损失")  # own words, kept whole
    qtbot.keyClick(page.request, Qt.Key.Key_Tab)
    assert focused(page) is page.facts
    page.facts.setPlainText("2026年6月至8月工资未发放，共计一万二千元")
    qtbot.keyClick(page.facts, Qt.Key.Key_Tab)
    assert focused(page) is page.reasons
    page.reasons.setPlainText("已多次向单位讨要未果")
    qtbot.keyClick(page.reasons, Qt.Key.Key_Tab)
    assert focused(page) is page.disposition
    qtbot.keyClick(page.disposition, Qt.Key.Key_Down)
    qtbot.keyClick(page.disposition, Qt.Key.Key_Down)
    assert page.disposition.currentText() == "受理"
    qtbot.waitUntil(lambda: page.promise_hint.text() == "（按法定期限）", timeout=WAIT)

    with qtbot.waitSignal(page.sig_case_saved, timeout=WAIT) as blocker:
        qtbot.keyClick(page.disposition, Qt.Key.Key_S, CTRL)
    case_no = blocker.args[0]
    assert case_no == "XF2026-000001"
    assert page.banner.isVisible()
    assert "已保存：XF2026-000001" in page.banner.text()
    assert "查询码" in page.banner.text()

    case = get_case(case_no)
    assert case.query_code in page.banner.text()
    assert (case.received_on, case.channel, case.category, case.disposition) == (
        TODAY, "来访", "申诉求决", "受理")
    assert case.field.path == "劳动社保/劳动报酬"
    assert case.request == "要求单位支付拖欠的工资\n并赔偿损失"
    assert case.status == v.ACCEPTED
    assert case.promised_reply_on is not None and case.promised_reply_on > TODAY
    [(person, _rep)] = petitioners_of(case)
    assert (person.name, person.id_number, person.sex, person.phone) == (
        "王秀英", ID_WANG, "女", "13800001234")

    # Cleared for the next visitor, focus back on the name, no draft left.
    assert name.text() == "" and id_edit.text() == "" and page.summary.text() == ""
    assert page.request.toPlainText() == "" and page.disposition.currentText() == ""
    assert page.is_blank()
    assert focused(page) is name
    tasks.wait()
    assert drafts.load_draft(store) is None


def test_wrong_check_character_is_shown_and_nothing_saved(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    page.petitioners.primary.name.setText("王秀英")
    id_edit = w(page, QLineEdit, "idNumber")
    id_edit.setFocus()
    qtbot.keyClicks(id_edit, "11010519491231002")
    assert w(page, QLabel, "idInfo").text() == ""  # not judged while incomplete
    qtbot.keyClicks(id_edit, "1")
    info = w(page, QLabel, "idInfo")
    assert info.isVisible() and "校验位" in info.text()
    fill_matter(page)
    qtbot.keyClick(page.summary, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=WAIT)
    assert "校验位" in info.text()
    assert Case.select().count() == 0
    assert id_edit.text() == "110105194912310021"  # the form is kept


def test_errors_shown_beside_their_fields(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    page.disposition.setCurrentText("转送")
    page.petitioners.primary.phone.setText("12345")
    page.save()
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=WAIT)
    assert w(page, QLabel, "nameError").text().startswith("不能为空")
    assert w(page, QLabel, "summaryError").text() == "不能为空"
    assert w(page, QLabel, "requestError").text().startswith("不能为空")
    assert w(page, QLabel, "categoryError").text() == "请选择"
    assert "承办单位" in w(page, QLabel, "unitError").text()
    assert w(page, QLabel, "phoneError").isVisible()
    assert Case.select().count() == 0
    # Correcting a field removes its message.
    page.summary.setText("反映拖欠工资")
    assert not w(page, QLabel, "summaryError").isVisible()


def test_history_shows_same_id_and_records_repeat_visit(qtbot, tasks, store, monkeypatch):
    earlier = register_case(intake(), today=TODAY)
    page = make_page(qtbot, tasks, store)
    id_edit = w(page, QLineEdit, "idNumber")
    id_edit.setFocus()
    qtbot.keyClicks(id_edit, ID_WANG)
    qtbot.waitUntil(lambda: len(page.history.entries) == 1, timeout=WAIT)
    entry = page.history.entries[0]
    assert entry.case_no == earlier.case_no
    assert "身份证号相同" in w(entry, QLabel, "historyReasons").text()
    assert page.history.objectName() == "historyPanel"

    with qtbot.waitSignal(page.sig_open_case_requested, timeout=WAIT) as opened:
        qtbot.mouseClick(w(entry, QPushButton, "openCase"), Qt.MouseButton.LeftButton)
    assert opened.args == [earlier.case_no]

    asked = []
    monkeypatch.setattr(page, "_confirm", lambda title, text: asked.append(text) or True)
    page.summary.setText("再次反映拖欠工资")
    with qtbot.waitSignal(page.sig_case_saved, timeout=WAIT):
        qtbot.mouseClick(w(entry, QPushButton, "recordRepeat"), Qt.MouseButton.LeftButton)
    assert earlier.case_no in asked[0]
    assert page.banner.text() == f"已记录为{earlier.case_no}的重复来访"
    assert Case.select().count() == 1
    events = events_of(get_case(earlier.case_no))
    assert [(e.type, e.on) for e in events] == [("visit", TODAY)]
    assert "再次反映拖欠工资" in events[0].note
    assert page.is_blank() and page.history.entries == []


def test_stale_history_results_are_dropped(qtbot, tasks, store):
    register_case(intake(), today=TODAY)
    page = make_page(qtbot, tasks, store)
    page.petitioners.primary.id_number.setText(ID_WANG)
    page._query_history()
    page.petitioners.primary.id_number.setText("")
    page._query_history()  # the newer, empty query wins over the slower first one
    tasks.wait()
    qtbot.wait(50)
    assert page.history.entries == []


def test_forwarding_saves_forwarded_case(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    page.petitioners.primary.name.setText("王秀英")
    page.petitioners.primary.address.setText("顺庆区中城街道1号")
    fill_matter(page, disposition="转送")
    page.field.setEditText("劳动社保/劳动报酬")
    assert page.unit.currentText() == "人力资源和社会保障局"  # the field's default unit
    assert page.unit.isVisible()
    with qtbot.waitSignal(page.sig_case_saved, timeout=WAIT) as blocker:
        page.save_button.click()
    case = get_case(blocker.args[0])
    assert case.status == v.FORWARDED
    assert case.unit.name == "人力资源和社会保障局"
    assert [(e.type, e.unit.name) for e in events_of(case)] == [("forwarded", "人力资源和社会保障局")]
    assert "已转送/交办" in page.banner.text()


def test_disposition_pages_and_channel_ref(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    assert not page.channel_ref.isVisible()
    page.channel.setCurrentText("上级交办")
    assert page.channel_ref.isVisible()
    page.disposition.setCurrentText("当场答复")
    assert page.answer.isVisible() and not page.unit.isVisible()
    page.disposition.setCurrentText("受理")
    assert page.promised.isVisible() and not page.unit.isVisible()
    page.disposition.setCurrentText("不予受理")
    assert page.reject_reason.isVisible() and page.approach.isVisible()
    page.disposition.setCurrentText("引导")
    assert page.guide.isVisible() and not page.approach.isVisible()
    page.save()
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=WAIT)
    assert "须告知信访人" in w(page, QLabel, "guideError").text()


def test_draft_restored_after_crash(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    page.petitioners.primary.name.setText("王秀英")
    page.petitioners.add_row().name.setText("李建国")
    page.summary.setText("反映单位拖欠工资")
    page.facts.setPlainText("第一行\n第二行")
    page.category.setCurrentText("申诉求决")
    qtbot.waitUntil(lambda: drafts.draft_path(store).exists(), timeout=WAIT)
    qtbot.waitUntil(lambda: (drafts.load_draft(store) or {}).get("facts") == "第一行\n第二行",
                    timeout=WAIT)
    # Simulated crash: the page goes away without saving or clearing anything.
    page.close()
    page.deleteLater()
    qtbot.wait(10)

    again = make_page(qtbot, tasks, store)
    assert again.notice.isVisible()
    assert "已恢复上次未保存的登记内容" in again.notice.text()
    assert again.petitioners.primary.name.text() == "王秀英"
    assert [r.name.text() for r in again.petitioners.rows] == ["王秀英", "李建国"]
    assert again.summary.text() == "反映单位拖欠工资"
    assert again.facts.toPlainText() == "第一行\n第二行"
    assert again.category.currentText() == "申诉求决"

    # Ctrl+N (confirmed) clears the form and the draft.
    again._confirm = lambda title, text: True
    again.summary.setFocus()
    qtbot.keyClick(again.summary, Qt.Key.Key_N, CTRL)
    assert again.is_blank() and not again.notice.isVisible()
    tasks.wait()
    assert drafts.load_draft(store) is None


def test_group_visit_warnings(qtbot, tasks, store):
    page = make_page(qtbot, tasks, store)
    block = page.petitioners
    assert not block.reps_warning.isVisible() and not block.group_note.isVisible()
    block.add_row()
    block.add_row()
    assert (block.people.value(), block.reps.value()) == (3, 3)
    block.people.setValue(40)
    assert block.group_note.isVisible() and block.group_note.text() == "集体访"
    block.reps.setValue(5)
    assert not block.reps_warning.isVisible()
    block.reps.setValue(6)
    assert block.reps_warning.isVisible()
    assert "不超过5名代表" in block.reps_warning.text()
    # Removing an extra row renumbers the rest.
    block.remove_row(block.rows[1])
    assert [r.title.text() for r in block.rows] == ["姓名", "第2人"]


def test_screenshot(qtbot, tasks, store):
    register_case(intake(), today=TODAY)
    page = make_page(qtbot, tasks, store, size=(1280, 760))
    row = page.petitioners.primary
    row.name.setText("王秀英")
    row.id_number.setText(ID_WANG)
    row.check_id(final=True)
    row.phone.setText("13800001234")
    row.address.setText("四川省南充市顺庆区中城街道1号")
    page.petitioners.add_row().name.setText("李建国")
    page.petitioners.reps.setValue(6)
    page.category.setCurrentText("申诉求决")
    page.field.setEditText("劳动社保/劳动报酬")
    page.summary.setText("反映单位拖欠工资三个月")
    page.request.setPlainText("要求单位支付拖欠的工资")
    page.facts.setPlainText("2026年6月至8月工资未发放，共计一万二千元。多次讨要无果。")
    page.reasons.setPlainText("已多次向单位讨要未果")
    page.disposition.setCurrentText("转送")
    page._query_history()
    qtbot.waitUntil(lambda: len(page.history.entries) == 1, timeout=WAIT)
    qtbot.wait(50)
    assert page.grab().save("/tmp/intake.png")
