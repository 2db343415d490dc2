"""设置 page: office settings are validated before anything is saved; the calendar, units and
fields are edited through the core."""

import datetime as dt
import gc

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QDate  # noqa: E402

from tests.core.helpers import intake  # noqa: E402
from xinfang_desk.core.cases import taxonomy
from xinfang_desk.core.cases.records import register_case  # noqa: E402
from xinfang_desk.core.deadlines import calendar as calendar_store  # noqa: E402
from xinfang_desk.core.store import settings
from xinfang_desk.ui.settings.page import SettingsPage  # noqa: E402
from xinfang_desk.ui.widgets.tasks import TaskRunner  # noqa: E402


@pytest.fixture
def page(qtbot, qapp, store):
    tasks = TaskRunner()
    page = SettingsPage(tasks)
    # Owned by the page, so it is destroyed on the GUI thread with it, never by a garbage
    # collection that happens to run on a worker thread.
    tasks.setParent(page)
    qtbot.addWidget(page)
    with qtbot.waitSignals([page.office.sig_loaded, page.calendar.sig_loaded,
                            page.taxonomy.sig_loaded], timeout=10000):
        page.refresh()
    yield page
    tasks.wait(10000)
    gc.collect()


def test_office_name_and_prefix_saved(qtbot, page):
    assert page.objectName() == "settingsPage"
    form = page.office
    assert form.editors["office_name"].text() == "某某县信访接待室"
    form.editors["office_name"].setText("南充市顺庆区信访局")
    form.editors["case_prefix"].setText("SQ")
    form.editors["office_mode"].setCurrentIndex(form.editors["office_mode"].findData("bureau"))
    form.editors["due_soon_days"].setValue(5)
    with qtbot.waitSignals([form.sig_saved, page.sig_settings_changed], timeout=10000):
        form.save_button.click()
    assert settings.get("office_name") == "南充市顺庆区信访局"
    assert settings.get("case_prefix") == "SQ"
    assert settings.get("office_mode") == "bureau"
    assert settings.get("due_soon_days") == 5
    assert "已保存" in form.status.text()


def test_invalid_prefix_shows_error_and_saves_nothing(qtbot, page):
    form = page.office
    form.editors["office_name"].setText("新名称")
    form.editors["case_prefix"].setText("X-1")
    with qtbot.waitSignal(form.sig_rejected, timeout=10000), \
            qtbot.assertNotEmitted(page.sig_settings_changed):
        form.save_button.click()
    assert form.errors["case_prefix"].text() == "应为1–8位字母或数字"
    assert form.errors["office_name"].text() == ""
    assert "未保存" in form.status.text()
    assert settings.get("office_name") == "某某县信访接待室"  # nothing saved
    assert settings.get("case_prefix") == "XF"
    # Correcting the prefix clears the error and saves.
    form.editors["case_prefix"].setText("XF2")
    with qtbot.waitSignal(form.sig_saved, timeout=10000):
        form.save_button.click()
    assert form.errors["case_prefix"].text() == ""
    assert settings.get("office_name") == "新名称"


def test_add_and_remove_a_holiday(qtbot, page):
    cal = page.calendar
    day = dt.date(2026, 11, 17)  # a Tuesday
    assert calendar_store.load_calendar().is_working_day(day)
    cal.day.setDate(QDate(2026, 11, 17))
    cal.kind.setCurrentIndex(cal.kind.findData("holiday"))
    cal.name.setText("本地停工")
    with qtbot.waitSignal(page.sig_settings_changed, timeout=10000), \
            qtbot.waitSignal(cal.sig_loaded, timeout=10000):
        cal.save_button.click()
    assert not calendar_store.load_calendar().is_working_day(day)
    assert cal.current_year() == 2026
    rows = [(cal.table.item(r, 0).text(), cal.table.item(r, 2).text(), cal.table.item(r, 3).text())
            for r in range(cal.table.rowCount())]
    assert ("2026-11-17", "节假日（休息）", "本地停工") in rows
    assert "官方" in cal.status.text()
    with qtbot.waitSignal(cal.sig_loaded, timeout=10000):
        cal.remove_button.click()
    assert calendar_store.load_calendar().is_working_day(day)


def test_year_without_data_warns(qtbot, page):
    cal = page.calendar
    with qtbot.waitSignal(cal.sig_loaded, timeout=10000):
        cal.show_year(2035)
    assert cal.current_year() == 2035
    assert cal.table.rowCount() == 0
    assert "尚无节假日" in cal.status.text() and "⚠" in cal.status.text()


def test_add_unit_and_fields(qtbot, page):
    tax = page.taxonomy
    tax.unit_name.setText("县应急管理局")
    tax.unit_phone.setText("0817-2222222")
    with qtbot.waitSignal(tax.sig_loaded, timeout=10000):
        tax.add_unit_button.click()
    assert "县应急管理局" in taxonomy.list_units()
    assert [tax.units.item(r).text() for r in range(tax.units.count())].count("县应急管理局") == 1
    assert tax.unit_name.text() == ""
    # A top-level field with a default unit, then a child that inherits it.
    tax.field_name.setText("安全生产")
    tax.default_unit.setCurrentIndex(tax.default_unit.findText("县应急管理局"))
    with qtbot.waitSignal(tax.sig_loaded, timeout=10000):
        tax.add_top_button.click()
    top = tax.find_field("安全生产")
    assert top is not None and top.text(1) == "县应急管理局"
    tax.fields.setCurrentItem(top)
    tax.field_name.setText("危化品")
    with qtbot.waitSignal(tax.sig_loaded, timeout=10000):
        tax.add_child_button.click()
    child = tax.find_field("危化品", parent="安全生产")
    assert child is not None and child.text(1) == "县应急管理局"
    paths = [c.path for n in taxonomy.field_tree() for c in n.children]
    assert "安全生产/危化品" in paths


def test_duplicate_unit_refused_with_message(qtbot, page):
    tax = page.taxonomy
    tax.unit_name.setText("住房和城乡建设局")
    with qtbot.waitSignal(tax.sig_loaded, timeout=10000):
        tax.add_unit_button.click()
    assert "已在名录中" in tax.message.text()
    assert tax.unit_name.text() == "住房和城乡建设局"  # kept for correction


def test_field_in_use_cannot_be_deleted_but_can_be_retired(qtbot, page):
    register_case(intake(field="劳动社保/劳动报酬"), today=dt.date(2026, 11, 28))
    tax = page.taxonomy
    tax.fields.setCurrentItem(tax.find_field("劳动报酬", parent="劳动社保"))
    with qtbot.waitSignal(tax.sig_loaded, timeout=10000):
        tax.delete_button.click()
    assert "不能删除" in tax.message.text()
    assert tax.find_field("劳动报酬", parent="劳动社保") is not None
    assert tax.active_button.text() == "停用"
    with qtbot.waitSignal(tax.sig_loaded, timeout=10000):
        tax.active_button.click()
    item = tax.find_field("劳动报酬", parent="劳动社保")
    assert item.text(2) == "已停用"
    assert tax.active_button.text() == "重新启用"  # the selection is kept


def test_rename_and_default_unit(qtbot, page):
    tax = page.taxonomy
    tax.fields.setCurrentItem(tax.find_field("城乡建设"))
    tax.field_name.setText("住房城乡建设")
    with qtbot.waitSignal(tax.sig_loaded, timeout=10000):
        tax.rename_button.click()
    item = tax.find_field("住房城乡建设")
    assert item is not None
    tax.default_unit.setCurrentIndex(0)  # （无）
    with qtbot.waitSignal(tax.sig_loaded, timeout=10000):
        tax.default_unit_button.click()
    assert tax.find_field("住房城乡建设").text(1) == ""
