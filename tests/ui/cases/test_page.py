"""案件列表: paged model over the core search, filters, masking, sorting, double-click."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from tests.core.helpers import ID_LI, ID_WANG, intake  # noqa: E402
from xinfang_desk.core.cases.records import PetitionerInput, register_case  # noqa: E402
from xinfang_desk.ui.cases.page import CasesPage  # noqa: E402
from xinfang_desk.ui.cases.table_model import CASE_NO_ROLE, ROW_ROLE, CaseTableModel  # noqa: E402
from xinfang_desk.ui.style import setup_application  # noqa: E402

TODAY = dt.date(2026, 10, 9)


@pytest.fixture
def three(store):
    """Three cases: wages (王秀英), a noise complaint and an accusation (confidential)."""
    wage = register_case(intake(received_on=dt.date(2026, 9, 21)), today=TODAY)
    noise = register_case(intake(
        received_on=dt.date(2026, 8, 2), summary="反映工地夜间施工噪声", request="请求制止夜间施工",
        facts="工地每晚施工到凌晨", field="环境保护/噪声污染", channel="来电",
        petitioners=[PetitionerInput(name="李建国", id_number=ID_LI, phone="0817-2345678")]),
        today=TODAY)
    accuse = register_case(intake(
        received_on=dt.date(2026, 9, 30), summary="检举村干部侵占补偿款", request="请求调查处理",
        facts="村干部侵占征地补偿款", category="检举控告", field="纪检监察/违纪违法",
        channel="来信", petitioners=[PetitionerInput(name="赵六")]), today=TODAY)
    return {"wage": wage.case_no, "noise": noise.case_no, "accuse": accuse.case_no}


def make_page(qtbot, tasks):
    page = CasesPage(tasks, today=TODAY)
    qtbot.addWidget(page)
    page.resize(1400, 600)
    return page


def loaded(qtbot, page, action):
    with qtbot.waitSignal(page.model.sig_loaded, timeout=10000):
        action()


def case_nos(model):
    return [model.index(r, 0).data(CASE_NO_ROLE) for r in range(model.rowCount())]


def test_three_cases_three_rows_newest_first(qtbot, qapp, tasks, three):
    setup_application(qapp)
    page = make_page(qtbot, tasks)
    with qtbot.waitSignal(page.sig_status_message, timeout=10000) as status:
        page.refresh()
    assert status.args == ["共 3 件"]
    assert page.count_label.text() == "共 3 件"
    assert page.table.objectName() == "caseTable"
    assert page.objectName() == "casesPage"
    assert case_nos(page.model) == [three["accuse"], three["wage"], three["noise"]]
    m = page.model
    headers = [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]
    assert headers == ["案件编号", "收到日期", "信访形式", "类别", "领域", "信访人", "证件号",
                       "电话", "事项摘要", "状态", "承办单位"]
    row = [m.index(1, c).data() for c in range(m.columnCount())]
    assert row[:6] == [three["wage"], "2026-09-21", "来访", "申诉求决", "劳动社保/劳动报酬", "王秀英"]
    assert row[8:10] == ["反映单位拖欠工资三个月", "办理中"]


def test_personal_numbers_are_masked(qtbot, tasks, three):
    page = make_page(qtbot, tasks)
    loaded(qtbot, page, page.refresh)
    m = page.model
    shown = [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]
    wage = shown[1]
    assert wage[6] == "110105********002X"
    assert wage[7] == "138****1234"
    assert shown[2][6] == "340524********001X" and shown[2][7] == "0817-****5678"
    flat = repr(shown) + repr([m.index(r, 0).data(ROW_ROLE) for r in range(3)])
    assert ID_WANG not in flat and ID_LI not in flat and "13800001234" not in flat


def test_confidential_cases_are_flagged(qtbot, tasks, three):
    page = make_page(qtbot, tasks)
    loaded(qtbot, page, page.refresh)
    assert page.model.index(0, 8).data() == "（保密）检举村干部侵占补偿款"
    loaded(qtbot, page, lambda: page.confidential_combo.setCurrentText("非保密"))
    assert case_nos(page.model) == [three["wage"], three["noise"]]
    loaded(qtbot, page, lambda: page.confidential_combo.setCurrentText("仅保密"))
    assert case_nos(page.model) == [three["accuse"]]


def test_search_box_filters_after_a_pause(qtbot, tasks, three):
    page = make_page(qtbot, tasks)
    loaded(qtbot, page, page.refresh)
    with qtbot.waitSignal(page.sig_status_message, timeout=10000) as status:
        page.search_box.setText("拖欠工资")  # set directly: keyClicks cannot type Chinese
    assert status.args == ["共 1 件"]
    assert case_nos(page.model) == [three["wage"]]
    # identifiers work too, and the filters keep applying on top of the text
    loaded(qtbot, page, lambda: page.search_box.setText(ID_LI))
    assert case_nos(page.model) == [three["noise"]]
    loaded(qtbot, page, lambda: page.search_box.setText(""))
    assert page.model.rowCount() == 3


def test_a_search_matching_too_many_says_so(qtbot, tasks, three, monkeypatch):
    from xinfang_desk.core.cases import search

    monkeypatch.setattr(search, "LIST_COUNT_LIMIT", 1)  # as if 10,000 cases matched
    page = make_page(qtbot, tasks)
    loaded(qtbot, page, page.refresh)
    assert page.count_label.text() == "共 3 件"  # the whole list is never cut
    with qtbot.waitSignal(page.sig_status_message, timeout=10000) as status:
        page.search_box.setText("反映")  # the wage and the noise cases
    assert status.args == ["超过 1 件，只列出前 1 件；请再加一个词或筛选条件缩小范围"]
    assert case_nos(page.model) == [three["wage"]]
    loaded(qtbot, page, lambda: page.search_box.setText("反映 噪声"))
    assert page.count_label.text() == "共 1 件" and case_nos(page.model) == [three["noise"]]


def test_typing_fast_runs_one_query(qtbot, tasks, three):
    page = make_page(qtbot, tasks)
    loaded(qtbot, page, page.refresh)
    before = page.model.requests
    with qtbot.waitSignal(page.model.sig_loaded, timeout=10000):
        for text in ("拖", "拖欠", "拖欠工", "夜间施工"):
            page.search_box.setText(text)
    assert page.model.requests == before + 1
    assert case_nos(page.model) == [three["noise"]]


def test_stale_results_are_discarded(qtbot, tasks, three):
    model = CaseTableModel(tasks, today=TODAY)
    got = []
    model.sig_loaded.connect(got.append)
    model.set_query({"text": "拖欠工资"})
    model.set_query({"text": "噪声"})  # the first answer arrives after this and is dropped
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    tasks.wait()
    qtbot.wait(50)  # deliver anything still queued
    assert got == [1]
    assert case_nos(model) == [three["noise"]]


def test_filters(qtbot, tasks, three):
    page = make_page(qtbot, tasks)
    loaded(qtbot, page, page.refresh)
    qtbot.waitUntil(lambda: page.field_combo.count() > 1, timeout=10000)
    loaded(qtbot, page, lambda: page.channel_combo.setCurrentText("来电"))
    assert case_nos(page.model) == [three["noise"]]
    loaded(qtbot, page, page.clear_filters)
    assert page.model.rowCount() == 3
    loaded(qtbot, page, lambda: page.category_combo.setCurrentText("检举控告"))
    assert case_nos(page.model) == [three["accuse"]]
    loaded(qtbot, page, page.clear_filters)
    loaded(qtbot, page, lambda: page.field_combo.setCurrentText("劳动社保"))
    assert case_nos(page.model) == [three["wage"]]
    loaded(qtbot, page, page.clear_filters)
    loaded(qtbot, page, lambda: page.status_combo.setCurrentText("已登记"))
    assert page.model.rowCount() == 0 and page.count_label.text() == "共 0 件"
    loaded(qtbot, page, page.clear_filters)
    page.date_from.setDate(dt.date(2026, 9, 1))
    loaded(qtbot, page, lambda: page.date_check.setChecked(True))
    assert case_nos(page.model) == [three["accuse"], three["wage"]]
    loaded(qtbot, page, lambda: page.date_to.setDate(dt.date(2026, 9, 25)))
    assert case_nos(page.model) == [three["wage"]]
    loaded(qtbot, page, page.clear_filters)
    # the noise case (received 08-02, accepted, no written notice) missed its 15-day notice
    loaded(qtbot, page, lambda: page.overdue_check.setChecked(True))
    assert three["noise"] in case_nos(page.model)
    assert three["accuse"] not in case_nos(page.model)  # received 09-30: notice not yet due


def test_sort_by_received_date_ascending(qtbot, tasks, three):
    page = make_page(qtbot, tasks)
    loaded(qtbot, page, page.refresh)
    loaded(qtbot, page, lambda: page.table.sortByColumn(1, Qt.SortOrder.AscendingOrder))
    assert page.model.order_by == "received_on"
    assert case_nos(page.model) == [three["noise"], three["wage"], three["accuse"]]
    loaded(qtbot, page, lambda: page.table.sortByColumn(3, Qt.SortOrder.AscendingOrder))
    assert case_nos(page.model) == [three["accuse"], three["wage"], three["noise"]]
    # 领域 cannot be sorted by the core: nothing is queried and the indicator stays
    before = page.model.requests
    page.table.horizontalHeader().setSortIndicator(4, Qt.SortOrder.AscendingOrder)
    assert page.model.requests == before
    assert page.table.horizontalHeader().sortIndicatorSection() == 3


def test_double_click_asks_to_open_the_case(qtbot, tasks, three):
    page = make_page(qtbot, tasks)
    page.show()
    qtbot.waitExposed(page)
    loaded(qtbot, page, page.refresh)
    index = page.model.index(1, 2)
    rect = page.table.visualRect(index)
    # QTest's double-click event alone is ignored by item views: press first, as a mouse does
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.sig_open_case_requested, timeout=3000) as opened:
        qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [three["wage"]]


def test_refresh_keeps_filters(qtbot, tasks, three):
    page = make_page(qtbot, tasks)
    loaded(qtbot, page, lambda: page.search_box.setText("拖欠工资"))
    register_case(intake(received_on=dt.date(2026, 10, 8), summary="再次反映拖欠工资"), today=TODAY)
    loaded(qtbot, page, page.refresh)
    assert page.model.rowCount() == 2
    assert page.search_box.text() == "拖欠工资"


def test_rows_load_page_by_page_in_a_bounded_cache(qtbot, tasks, store):
    for i in range(7):
        register_case(intake(received_on=dt.date(2026, 9, 1 + i)), today=TODAY)
    model = CaseTableModel(tasks, today=TODAY, page_size=2, max_pages=2)
    with qtbot.waitSignal(model.sig_loaded, timeout=10000):
        model.set_query({})
    assert model.rowCount() == 7 and model.cached_rows() == 2
    assert model.index(6, 0).data() == "……"  # not loaded yet: a placeholder, page asked for
    with qtbot.waitSignal(model.dataChanged, timeout=10000):
        pass
    assert model.index(6, 1).data() == "2026-09-01"
    assert model.index(3, 1).data() is None
    with qtbot.waitSignal(model.sig_page_loaded, timeout=10000):
        pass
    assert model.index(3, 1).data() == "2026-09-04"
    assert model.cached_rows() <= 4  # two pages at most


def test_model_passes_qt_model_checks(qtbot, qtmodeltester, tasks, three):
    model = CaseTableModel(tasks, today=TODAY)
    with qtbot.waitSignal(model.sig_loaded, timeout=10000):
        model.set_query({})
    qtmodeltester.check(model)
    # also with rows whose page is not loaded yet
    small = CaseTableModel(tasks, today=TODAY, page_size=1)
    with qtbot.waitSignal(small.sig_loaded, timeout=10000):
        small.set_query({})
    qtmodeltester.check(small)
    tasks.wait()
