"""数据 menu in the main window: who gets it, the import landing in the case list, and the
ledger written back in the office's own layout."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from openpyxl import load_workbook  # noqa: E402

from tests.core.helpers import ID_WANG  # noqa: E402
from tests.core.interchange import ledger_files as lf  # noqa: E402
from tests.ui import helpers  # noqa: E402
from xinfang_desk.core import session  # noqa: E402
from xinfang_desk.core.interchange.ledger_columns import Mapping, save_named_mapping  # noqa: E402
from xinfang_desk.core.people import users  # noqa: E402
from xinfang_desk.ui.main_window import build_main_window  # noqa: E402

TODAY = dt.date(2026, 1, 5)
WAIT = 20000

data_dir = helpers.styled_store


def sign_in(role: str) -> session.Actor:
    names = {session.CLERK: ("zhangmin", "张敏"), session.LEADER: ("lihongmei", "李红梅"),
             session.ADMIN: ("admin2", "王建国")}
    admin = users.create_user("admin", "admin2026", session.ADMIN, "管理员")
    with session.acting_as(users.actor_of(admin)):
        if role != session.ADMIN:
            users.create_user(names[role][0], "pass2026a", role, names[role][1])
    actor = users.actor_of(users.get_user(names[role][0] if role != session.ADMIN else "admin"))
    session.set_current(actor)
    return actor


def make_window(qtbot, data_dir):
    window = build_main_window(data_dir, today=TODAY, idle_lock_ms=3_600_000)
    qtbot.addWidget(window)
    window.show()
    return window


def close(window):
    window.close()
    window.tasks.wait(WAIT)


def menu_titles(window):
    return [a.text() for a in window.menuBar().actions()]


def test_a_clerk_imports_a_ledger_and_the_case_list_shows_it(qtbot, data_dir, tmp_path):
    sign_in(session.CLERK)
    window = make_window(qtbot, data_dir)
    assert "数据(&D)" in menu_titles(window)
    assert window.data_menu.import_action.isEnabled()

    window.data_menu.import_action.trigger()
    dialog = window.data_menu.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.open_file(lf.write_office_xlsx(tmp_path / "2025年来访台账.xlsx"))
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: window.cases.model.rowCount() == 4, timeout=WAIT)
    assert window.tabs.currentWidget() is window.cases
    assert "案件列表已更新" in dialog.summary.text()
    shown = {window.cases.model.index(r, 0).data() for r in range(4)}
    assert shown == {f"XF2025-{n:06d}" for n in range(1, 5)}

    # The case detail says what the old record lacked, and keeps the ledger's other columns.
    window.open_case("XF2025-000001")
    detail = window._details["XF2025-000001"]
    qtbot.waitUntil(lambda: "王秀英" in detail.petitioner_table.item(0, 0).text()
                    if detail.petitioner_table.rowCount() else False, timeout=WAIT)
    text = detail.record_text()
    assert "历史导入：\n缺：诉求、事实" in text
    assert "原台账编号：1" in text and "办理情况：已转区人社局办理，已答复，支持" in text
    close(window)


def test_the_admin_does_no_case_work_and_gets_no_data_menu(qtbot, data_dir):
    sign_in(session.ADMIN)
    window = make_window(qtbot, data_dir)
    assert "数据(&D)" not in menu_titles(window)
    assert window.data_menu is None
    close(window)


def test_the_ledger_is_exported_in_the_office_layout_masked_for_a_clerk(qtbot, data_dir, tmp_path):
    from xinfang_desk.core.interchange.ledger_import import import_ledger

    import_ledger(lf.write_office_xlsx(tmp_path / "2025年来访台账.xlsx"), today=TODAY)
    save_named_mapping(Mapping(name="本局台账", columns={
        "编号": "ledger_no", "来访时间": "received_on", "来访人": "names", "证件号": "id_number",
        "问题": "summary", "办理结果": "result"}), data_dir.mappings)
    sign_in(session.CLERK)
    window = make_window(qtbot, data_dir)
    dialog = window.data_menu.open_export()
    assert not dialog.masked.isEnabled() and dialog.masked.isChecked()
    layouts = [dialog.layout_combo.itemText(i) for i in range(dialog.layout_combo.count())]
    assert layouts[1] == "按“本局台账”的列"
    dialog.layout_combo.setCurrentIndex(1)
    out = tmp_path / "导出"
    dialog.path_edit.setText(str(out))
    with qtbot.waitSignal(dialog.sig_exported, timeout=WAIT):
        dialog.ok_button.click()
    assert "已导出台账 4 件" in window.statusBar().currentMessage()
    rows = list(load_workbook(tmp_path / "导出.xlsx").active.iter_rows(values_only=True))
    assert rows[1] == ("编号", "来访时间", "来访人", "证件号", "问题", "办理结果")
    wang = next(r for r in rows[2:] if r[2] == "王秀英")
    assert wang[1] == dt.datetime(2025, 3, 4)
    assert wang[3] != ID_WANG and "*" in wang[3]  # a clerk's export is masked
    close(window)


def test_an_export_into_a_missing_folder_says_so(qtbot, data_dir, tmp_path):
    window = make_window(qtbot, data_dir)  # no accounts: everything allowed
    dialog = window.data_menu.open_export()
    assert dialog.masked.isEnabled()
    dialog.path_edit.setText(str(tmp_path / "没有的文件夹" / "台账.xlsx"))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=WAIT)
    assert "没有的文件夹" in dialog.message.text()
    assert dialog.isVisible()
    close(window)
