"""打印卷宗 in the case detail's 文书 box: built on the worker, the whole case file in the print
preview, and its printing recorded on the timeline like any document."""

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pypdfium2")
pytest.importorskip("pypdf")

from tests.ui import helpers  # noqa: E402
from tests.ui.widgets.test_printing import _no_modals, dark_pixels  # noqa: E402

WAIT = 20000

store, tasks = helpers.styled_store, helpers.store_tasks


def test_print_dossier_from_the_documents_box(qtbot, tasks, store, monkeypatch, tmp_path):
    from tests.core.papers.test_dossier import EXPECTED_PAGES, handled_case
    from tests.ui.cases.test_detail_dialog import open_dialog, timeline

    _no_modals(monkeypatch)
    case_no = handled_case()
    dialog = open_dialog(qtbot, tasks, case_no)
    button = dialog.documents_box.buttons["dossier"]
    assert button.text() == "打印卷宗" and button.isEnabled()
    before = len(timeline(dialog))
    with qtbot.waitSignal(dialog.documents.sig_opened, timeout=WAIT) as opened:
        button.click()
    preview = opened.args[0]
    assert preview.isVisible() and preview.title == f"卷宗（{case_no}）"
    assert len(preview.page_labels) == EXPECTED_PAGES
    assert f"共 {EXPECTED_PAGES} 页" in preview.page_count_label.text()
    assert dark_pixels(preview.pages[0]) > 50  # the contents, not a blank page
    assert len(timeline(dialog)) == before  # previewing records nothing

    preview._ask_save_path = lambda: str(tmp_path / "卷宗.pdf")
    with qtbot.waitSignal(dialog.sig_case_changed, timeout=WAIT), \
            qtbot.waitSignal(dialog.sig_loaded, timeout=WAIT):
        preview.save_button.click()
    assert (tmp_path / "卷宗.pdf").read_bytes() == preview.pdf
    rows = timeline(dialog)
    assert len(rows) == before + 1 and "2026-10-09 打印文书：卷宗" in rows
