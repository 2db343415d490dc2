"""设置 › 本机: the scan folder is chosen per PC and kept in the data directory."""

import pytest

pytest.importorskip("PySide6")

from tests.ui import helpers  # noqa: E402
from xinfang_desk.core.papers import scan_folder  # noqa: E402
from xinfang_desk.ui.settings.page import SettingsPage  # noqa: E402

store, tasks = helpers.styled_store, helpers.store_tasks


def test_the_scan_folder_is_set_and_cleared(qtbot, tasks, store, tmp_path):
    page = SettingsPage(tasks, data_dir=store)
    qtbot.addWidget(page)
    assert page.tabs.tabText(page.tabs.indexOf(page.this_pc)) == "本机"
    pc = page.this_pc
    folder = tmp_path / "复印机扫描"
    folder.mkdir()
    pc.folder.setText(str(folder))
    with qtbot.waitSignal(pc.sig_saved, timeout=10000):
        pc.save_button.click()
    assert scan_folder.get_folder(store) == folder and pc.status.text() == "已保存。"
    pc.folder.setText(str(tmp_path / "没有"))
    pc.save_button.click()
    qtbot.waitUntil(lambda: "不存在" in pc.status.text(), timeout=10000)
    assert scan_folder.get_folder(store) == folder
    pc.folder.clear()
    with qtbot.waitSignal(pc.sig_saved, timeout=10000):
        pc.save_button.click()
    assert scan_folder.get_folder(store) is None
    page.refresh()
    qtbot.waitUntil(lambda: pc.folder.text() == "", timeout=10000)
