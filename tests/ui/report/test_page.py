"""统计报表 tab: the hand-written history of tests/core/test_report.py (answers worked out by
hand there) shown on screen, the period choice, stale results, the charts and the exports."""

import datetime as dt
import errno
import gc
import io
import threading

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("reportlab")

import openpyxl  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402

from tests.core.helpers import ID_WANG  # noqa: E402
from tests.core.report.test_figures import HRSS, JW, NY, TODAY, history  # noqa: E402
from xinfang_desk.core.report import pdf as report_pdf  # noqa: E402
from xinfang_desk.ui.report.charts import FULL_CIRCLE, BarChart, PieChart  # noqa: E402
from xinfang_desk.ui.report.page import ReportPage  # noqa: E402
from xinfang_desk.ui.widgets.tasks import TaskRunner  # noqa: E402

D = dt.date
WAIT = 15000
RECEIVED = "受理登记信访事项（件）"


@pytest.fixture
def tasks(qapp):
    runner = TaskRunner(qapp)  # a parent on the GUI thread: never destroyed from a worker
    yield runner
    runner.wait(WAIT)
    runner.deleteLater()
    gc.collect()


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def make_page(qtbot, tasks, *, compute=True):
    page = ReportPage(tasks, today=TODAY)
    qtbot.addWidget(page)
    if compute:
        with qtbot.waitSignal(page.sig_report_shown, timeout=WAIT):
            assert page.compute()
    return page


def hold_worker(tasks) -> threading.Event:
    """Occupy the single worker thread until the returned event is set."""
    gate = threading.Event()
    tasks.run(lambda: gate.wait(WAIT / 1000), lambda _r: None)
    return gate


def test_october_figures_on_screen(qtbot, store, tasks):
    c = history()
    page = make_page(qtbot, tasks)
    assert page.objectName() == "reportPage"
    assert page.month.currentData() == "2026-10"  # the month before TODAY (2026-11-12)
    assert page.report.start == D(2026, 10, 1) and page.report.end == D(2026, 10, 31)
    assert page.headline.row_for(RECEIVED) == [RECEIVED, "10", "4", "+6"]
    assert page.headline.row_for("期末超期事项（件）") == ["期末超期事项（件）", "2", "1", "+1"]
    # Notice on time 4/7 against September's 2/3; no replies in September.
    assert page.headline.row_for("15日内告知/转送按期率")[1:] == ["57.1%", "66.7%", "-9.5个百分点"]
    assert page.headline.row_for("60日内办结按期率")[1:] == ["66.7%", "—", "—"]
    assert page.by_channel.row_for("来访") == ["来访", "5", "50.0%"]
    assert page.by_channel.row_for("来信") == ["来信", "2", "20.0%"]
    assert page.by_category.row_for("申诉求决") == ["申诉求决", "4", "40.0%"]
    assert page.by_field.row_for("劳动社保") == ["劳动社保", "3", "30.0%"]
    assert page.by_unit.row_for(HRSS) == [HRSS, "3", "30.0%"]
    assert page.complained.rows() == [[HRSS, "3"], [JW, "2"], [NY, "1"]]
    assert page.satisfaction.row_for("满意率") == ["满意率", "66.7%"]
    assert page.satisfaction.row_for("未表态") == ["未表态", "1"]
    assert page.adoption.row_for("部分采纳") == ["部分采纳", "1"]
    assert page.review.rows() == [["申请复查（件）", "1"], ["申请复核（件）", "0"]]
    assert page.workload.row_for("涉及人数（人次）") == ["涉及人数（人次）", "22"]
    overdue = page.overdue.rows()
    assert {row[0] for row in overdue} == {c["S3"], c["B"]}
    by_no = {row[0]: row for row in overdue}
    assert by_no[c["S3"]][2:] == ["2026-09-28", "33"]  # notice due 09-28, overdue on 10-31
    assert "2 件" in page.overdue_box.title()
    assert page.channel_chart.counts["来访"] == 5 and not page.channel_chart.is_empty()
    assert page.category_chart.counts["检举控告"] == 2
    assert "2026-09-01 至 2026-09-30" in page.period_label.text()
    assert page.pdf_button.isEnabled() and page.xlsx_button.isEnabled()
    assert page.progress.isHidden()


def test_double_click_on_an_overdue_matter_opens_its_case(qtbot, store, tasks):
    c = history()
    page = make_page(qtbot, tasks)
    row = [r[0] for r in page.overdue.rows()].index(c["B"])
    with qtbot.waitSignal(page.sig_open_case_requested) as opened:
        page.overdue.cellDoubleClicked.emit(row, 2)
    assert opened.args == [c["B"]]


def test_changing_the_month_recomputes_and_an_empty_month_shows_dashes(qtbot, store, tasks):
    history()
    page = make_page(qtbot, tasks)
    with qtbot.waitSignal(page.sig_report_shown, timeout=WAIT) as shown:
        page.set_month("2026-07")  # nothing received, no events
    assert shown.args[0].start == D(2026, 7, 1)
    assert page.start.date().toPython() == D(2026, 7, 1)  # a custom range starts from here
    assert page.end.date().toPython() == D(2026, 7, 31)
    assert page.headline.row_for(RECEIVED) == [RECEIVED, "0", "0", "+0"]
    assert page.headline.row_for("满意率") == ["满意率", "—", "—", "—"]
    assert page.satisfaction.row_for("满意率") == ["满意率", "—"]
    assert page.by_channel.row_for("来访") == ["来访", "0", "—"]
    assert page.by_field.rows() == [["（无）", "", ""]]
    assert page.overdue.rows() == [["期末无超期事项", "", "", ""]]
    assert page.channel_chart.is_empty() and page.category_chart.is_empty()


def test_a_result_for_a_changed_period_is_discarded(qtbot, store, tasks):
    history()
    page = make_page(qtbot, tasks, compute=False)
    shown = []
    page.sig_report_shown.connect(shown.append)
    gate = hold_worker(tasks)
    page.compute()  # October, waiting behind the gate
    assert not page.progress.isHidden()
    assert not page.pdf_button.isEnabled()
    page.set_month("2026-09")  # the clerk changes the month meanwhile
    gate.set()
    qtbot.waitUntil(lambda: bool(shown) and not page.is_busy(), timeout=WAIT)
    tasks.wait(WAIT)
    qtbot.wait(50)
    assert [r.start for r in shown] == [D(2026, 9, 1)]
    assert page.discarded == 1
    # September: S1, S3, S4, S5 received; August had S2.
    assert page.headline.row_for(RECEIVED) == [RECEIVED, "4", "1", "+3"]
    assert page.progress.isHidden()


def test_custom_range_and_a_reversed_range_is_refused(qtbot, store, tasks):
    history()
    page = make_page(qtbot, tasks, compute=False)
    page.set_range(D(2026, 10, 20), D(2026, 10, 12))
    assert page.month.isEnabled() is False and page.start.isEnabled()
    with qtbot.assertNotEmitted(page.sig_report_shown, wait=200):
        assert page.compute() is False
        assert not page.is_busy()
    assert "结束日期不能早于开始日期" in page.message.text()
    assert page.report is None and not page.pdf_button.isEnabled()

    page.set_range(D(2026, 10, 12), D(2026, 10, 20))
    with qtbot.waitSignal(page.sig_report_shown, timeout=WAIT):
        page.run_button.click()
    # A, B, C, D received 10-12..10-20; the 9 days before (10-03..10-11) hold E.
    assert (page.report.previous_start, page.report.previous_end) == (D(2026, 10, 3),
                                                                      D(2026, 10, 11))
    assert page.headline.row_for(RECEIVED) == [RECEIVED, "4", "1", "+3"]
    assert page.by_channel.row_for("网上") == ["网上", "1", "25.0%"]


def test_a_failed_computation_is_shown(qtbot, store, tasks, monkeypatch):
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.report import figures as report

    def locked(*_args, **_kw):
        raise XinfangError("数据库正被其他程序占用，请稍后再试")

    monkeypatch.setattr(report, "monthly_figures", locked)
    page = make_page(qtbot, tasks, compute=False)
    with qtbot.waitSignal(page.sig_failed, timeout=WAIT) as failed:
        page.compute()
    assert failed.args == ["统计失败：数据库正被其他程序占用，请稍后再试"]
    assert "统计失败" in page.message.text()
    assert page.report is None and not page.is_busy() and page.progress.isHidden()


def test_export_pdf_through_the_dialog_hook(qtbot, store, tasks, out, monkeypatch):
    history()
    page = make_page(qtbot, tasks)
    asked = []

    def fake_dialog(kind, suggested):
        asked.append((kind, suggested))
        return str(out / "十月报表")

    monkeypatch.setattr(page, "ask_save_path", fake_dialog)
    with qtbot.waitSignal(page.sig_exported, timeout=WAIT) as exported:
        page.pdf_button.click()
    assert asked == [("pdf", "信访统计报表_2026年10月.pdf")]
    path = out / "十月报表.pdf"
    assert exported.args == [str(path)]
    assert page.message.text() == f"已导出：{path}"
    cover = PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text()
    assert RECEIVED in cover and "+6" in cover
    assert [p.name for p in out.iterdir()] == ["十月报表.pdf"]


def test_cancelled_dialog_exports_nothing(qtbot, store, tasks, out, monkeypatch):
    page = make_page(qtbot, tasks)
    monkeypatch.setattr(page, "ask_save_path", lambda kind, suggested: None)
    with qtbot.assertNotEmitted(page.sig_exported, wait=200):
        page.xlsx_button.click()
    assert not page.is_busy() and list(out.iterdir()) == []


def test_export_xlsx_busy_then_done_masked_by_default(qtbot, store, tasks, out):
    history()
    page = make_page(qtbot, tasks)
    assert not page.full_id.isChecked()
    gate = hold_worker(tasks)
    path = out / "十月.xlsx"
    page.export_xlsx(str(path))
    # While the worker writes: a busy indicator, and no second export or recount.
    assert not page.progress.isHidden() and page.progress.maximum() == 0
    assert not page.pdf_button.isEnabled() and not page.xlsx_button.isEnabled()
    assert not page.run_button.isEnabled()
    gate.set()
    with qtbot.waitSignal(page.sig_exported, timeout=WAIT):
        pass
    assert page.progress.isHidden() and page.xlsx_button.isEnabled()
    assert page.message.text() == f"已导出：{path}"
    wb = openpyxl.load_workbook(path)
    overview = {row[0]: row[1:] for row in wb["总览"].iter_rows(min_row=2, values_only=True)}
    assert overview[RECEIVED] == (10, 4, 6)
    ids = [row[8] for row in wb["事项清单"].iter_rows(min_row=2, values_only=True)]
    assert "110105********002X" in ids and ID_WANG not in ids

    page.full_id.setChecked(True)
    full = out / "十月-完整.xlsx"
    with qtbot.waitSignal(page.sig_exported, timeout=WAIT):
        page.export_xlsx(str(full))
    ids = [row[8] for row in openpyxl.load_workbook(full)["事项清单"]
           .iter_rows(min_row=2, values_only=True)]
    assert ID_WANG in ids


def test_export_into_a_missing_folder_fails_in_chinese(qtbot, store, tasks, out):
    history()
    page = make_page(qtbot, tasks)
    target = out / "没有这个文件夹" / "十月.pdf"
    with qtbot.waitSignal(page.sig_failed, timeout=WAIT) as failed:
        page.export_pdf(str(target))
    assert "未能导出" in failed.args[0] and "文件夹不存在" in failed.args[0]
    assert page.message.text() == failed.args[0]
    assert list(out.iterdir()) == []
    assert page.pdf_button.isEnabled() and page.progress.isHidden()


def test_export_onto_a_folder_fails_and_leaves_nothing(qtbot, store, tasks, out):
    history()
    page = make_page(qtbot, tasks)
    folder = out / "十月.xlsx"
    folder.mkdir()
    with qtbot.waitSignal(page.sig_failed, timeout=WAIT) as failed:
        page.export_xlsx(str(folder))
    assert "该名称是一个文件夹" in failed.args[0]
    assert list(out.iterdir()) == [folder] and list(folder.iterdir()) == []


def test_disk_full_is_reported(qtbot, store, tasks, out, monkeypatch):
    page = make_page(qtbot, tasks)

    def full_disk(report, path=None):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(report_pdf, "write_pdf", full_disk)
    with qtbot.waitSignal(page.sig_failed, timeout=WAIT) as failed:
        page.export_pdf(str(out / "r.pdf"))
    assert "磁盘空间不足" in failed.args[0]
    assert list(out.iterdir()) == []


# ---------------------------------------------------------------------- charts

def test_bar_lengths_follow_the_counts(qtbot):
    chart = BarChart("按信访形式", "无数据")
    qtbot.addWidget(chart)
    chart.resize(420, 260)
    chart.set_counts({"来访": 5, "来信": 2, "传真": 0})
    bars = chart.bar_rects()
    assert [label for label, _n, _r in bars] == ["来访", "来信", "传真"]
    widths = [r.width() for _l, _n, r in bars]
    assert widths[0] == pytest.approx(2.5 * widths[1]) and widths[2] == 0
    assert bars[0][2].top() < bars[1][2].top() < bars[2][2].top()
    area = chart.plot_area()
    assert all(area.contains(r.topLeft()) and r.right() <= area.right() for _l, _n, r in bars)


def test_pie_slices_are_shares_of_the_non_zero_classes(qtbot):
    chart = PieChart("按信访类别", "无数据")
    qtbot.addWidget(chart)
    chart.set_counts({"建议意见": 2, "检举控告": 2, "申诉求决": 4, "咨询": 1, "其他": 1,
                      "空": 0})
    slices = chart.slices()
    assert [s[0] for s in slices] == ["建议意见", "检举控告", "申诉求决", "咨询", "其他"]
    assert sum(s[3] for s in slices) == -FULL_CIRCLE
    assert slices[2][3] == -round(FULL_CIRCLE * 0.4)
    assert slices[1][2] == slices[0][2] + slices[0][3]  # each starts where the last ended
    assert "申诉求决　4件（40.0%）" in chart.legend_lines()


def dark_pixels(widget) -> int:
    image = QImage(widget.size(), QImage.Format.Format_RGB32)
    widget.render(image)
    return sum(1 for y in range(0, image.height(), 2) for x in range(0, image.width(), 2)
               if QColor(image.pixel(x, y)).lightness() < 160)


def test_an_all_zero_chart_shows_its_message(qtbot):
    charts = []
    for text in ("本期无受理登记事项", ""):
        chart = BarChart("", text)
        qtbot.addWidget(chart)
        chart.resize(360, 220)
        chart.set_counts({"来访": 0, "来信": 0})
        charts.append(chart)
    assert charts[0].is_empty()
    assert dark_pixels(charts[0]) > 20 and dark_pixels(charts[1]) == 0


# ---------------------------------------------------------------------- the main window

def test_tab_in_the_main_window(qtbot, store, qapp):
    from xinfang_desk.ui.main_window import build_main_window

    history()
    window = build_main_window(store, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    tabs = window.tabs
    titles = [tabs.tabText(i) for i in range(tabs.count())]
    assert titles.index("统计报表") == titles.index("答复口径") + 1 == titles.index("设置") - 1
    assert tabs.widget(titles.index("统计报表")).objectName() == "reportPage"
    with qtbot.waitSignal(window.report.sig_report_shown, timeout=WAIT):
        tabs.setCurrentIndex(titles.index("统计报表"))  # computed when first opened
    assert window.report.headline.row_for(RECEIVED)[1] == "10"
    window.close()
    window.tasks.wait(WAIT)


def test_exports_are_recorded_and_unmasked_workbook_needs_a_leader(store, tmp_path):
    """Every export leaves an audit row naming the user; a clerk cannot export full IDs."""
    from xinfang_desk.core import session
    from xinfang_desk.core.report.figures import monthly_figures
    from xinfang_desk.core.store.models import AuditLog
    from xinfang_desk.ui.report.page import write_export

    history()
    report = monthly_figures(dt.date(2026, 10, 1), dt.date(2026, 10, 31), today=TODAY)
    with session.acting_as(session.Actor("张敏", session.CLERK)):
        write_export("xlsx", report, str(tmp_path / "ok.xlsx"), True)
        with pytest.raises(session.PermissionDenied, match="只有负责人"):
            write_export("xlsx", report, str(tmp_path / "full.xlsx"), False)
    assert (tmp_path / "ok.xlsx").exists() and not (tmp_path / "full.xlsx").exists()
    row = AuditLog.select().where(AuditLog.action == "report").order_by(AuditLog.id.desc()).get()
    assert row.actor == "张敏" and "ok.xlsx" in row.details
