"""The main window opens on a data directory and shows what needs attention."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from tests.core.helpers import intake  # noqa: E402
from xinfang_desk.core import storage  # noqa: E402
from xinfang_desk.core.cases import register_case  # noqa: E402
from xinfang_desk.ui.main_window import MainWindow  # noqa: E402
from xinfang_desk.ui.style import setup_application  # noqa: E402


@pytest.fixture
def data_dir(tmp_path):
    d = storage.open_data_dir(tmp_path / "data")
    yield d
    storage.close()


def test_window_lists_overdue_deadlines(qtbot, qapp, data_dir, tmp_path):
    setup_application(qapp)
    saved = register_case(intake(received_on=dt.date(2026, 9, 20)), today=dt.date(2026, 10, 9))
    window = MainWindow(data_dir, today=dt.date(2026, 10, 9))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.overview.sig_loaded, timeout=10000):
        window.show()
    page = window.overview
    assert "共有信访事项 1 件" in page.summary.text()
    assert "已超期 1 项" in page.summary.text()
    model = page.model
    assert model.rowCount() == 1
    assert model.index(0, 0).data() == saved.case_no
    assert model.index(0, 1).data() == "15日内告知"
    assert model.index(0, 2).data() == "2026-10-08"
    assert model.index(0, 3).data() == "超期1天"
    assert "信访接待台" in window.windowTitle()
    window.grab().save(str(tmp_path / "main_window.png"))


def test_deadline_model_passes_qt_model_checks(qtmodeltester, data_dir):
    from xinfang_desk.core.deadlines import list_deadlines
    from xinfang_desk.ui.deadline_model import DeadlineTableModel

    register_case(intake(received_on=dt.date(2026, 9, 20)), today=dt.date(2026, 10, 9))
    model = DeadlineTableModel()
    model.set_rows(list_deadlines(today=dt.date(2026, 10, 9)))
    assert model.rowCount() == 2
    qtmodeltester.check(model)
