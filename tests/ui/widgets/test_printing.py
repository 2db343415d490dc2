"""文书: PDF pages rendered to images, the preview dialog, printing through QPrinter, and the
flows from the intake page (打印回执) and the case detail window (文书 buttons)."""

import datetime as dt
import io

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("pypdfium2")
pytest.importorskip("reportlab")

from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtPrintSupport import QPrinter  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from tests.ui import helpers  # noqa: E402
from xinfang_desk.ui.widgets import pdf_render  # noqa: E402
from xinfang_desk.ui.widgets.print_preview import PrintPreviewDialog, print_pdf  # noqa: E402

TODAY = dt.date(2026, 10, 9)
WAIT = 10000


def stand_in_pdf(pages: int = 2) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for i in range(pages):
        c.setFont("Helvetica-Bold", 28)
        c.drawString(72, 760, f"Stand-in page {i + 1}")
        c.rect(72, 72, 451, 600, fill=1)
        c.showPage()
    c.save()
    return buf.getvalue()


def dark_pixels(image, step: int = 7) -> int:
    return sum(1 for y in range(0, image.height(), step) for x in range(0, image.width(), step)
               if QColor(image.pixel(x, y)).lightness() < 128)


# ---------------------------------------------------------------------- rendering, printing

def test_pdf_pages_render_to_images(qapp):
    images = pdf_render.render_pages(stand_in_pdf(2), dpi=100)
    assert len(images) == 2
    for image in images:
        assert not image.isNull()
        assert image.width() == pytest.approx(827, abs=2)  # A4 at 100 dpi
        assert image.height() / image.width() == pytest.approx(297 / 210, rel=0.01)
        assert dark_pixels(image) > 100
    assert pdf_render.page_count(stand_in_pdf(3)) == 3


def test_render_on_the_worker_thread(qapp, qtbot):
    from xinfang_desk.ui.widgets.tasks import TaskRunner

    runner = TaskRunner()
    got = []
    pdf = stand_in_pdf(2)
    runner.run(lambda: pdf_render.render_pages(pdf), got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=WAIT)
    assert len(got[0]) == 2 and dark_pixels(got[0][1]) > 100


def test_print_to_a_pdf_file_keeps_the_pages(qapp, tmp_path):
    import pypdfium2

    out = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    assert print_pdf(stand_in_pdf(2), printer, max_dpi=100) == 2
    assert out.exists()
    printed = out.read_bytes()
    assert len(pypdfium2.PdfDocument(printed)) == 2
    page = pdf_render.render_pages(printed, dpi=50)[0]
    assert page.height() / page.width() == pytest.approx(297 / 210, rel=0.02)
    assert dark_pixels(page, step=3) > 100  # the page content arrived, not a blank sheet
    # at true size and in place: the printed page looks like the original
    original = pdf_render.render_pages(stand_in_pdf(2), dpi=50)[0]
    assert page.size() == original.size()
    differing = sum(1 for y in range(0, page.height(), 3) for x in range(0, page.width(), 3)
                    if abs(QColor(page.pixel(x, y)).lightness()
                           - QColor(original.pixel(x, y)).lightness()) > 60)
    assert differing < 0.02 * (page.width() // 3) * (page.height() // 3)


def test_preview_dialog_prints_and_saves(qapp, qtbot, tmp_path):
    import pypdfium2

    pdf = stand_in_pdf(2)
    dialog = PrintPreviewDialog(pdf, "测试文书", None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.objectName() == "printPreviewDialog"
    assert len(dialog.page_labels) == 2
    assert dialog.page_count_label.text() == "测试文书　共 2 页"
    outputs = []
    dialog.sig_output_done.connect(outputs.append)

    # 打印…: the print dialog replaced by a printer writing a PDF file
    out = tmp_path / "via-dialog.pdf"

    def fake_printer():
        printer = dialog.new_printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setResolution(100)
        return printer

    dialog._ask_printer = fake_printer
    dialog.print_button.click()
    assert outputs == ["print"]
    assert len(pypdfium2.PdfDocument(out.read_bytes())) == 2

    # cancelled print dialog: nothing happens
    dialog._ask_printer = lambda: None
    dialog.print_button.click()
    assert outputs == ["print"]

    # 另存为PDF…: exactly the bytes, with .pdf added
    target = tmp_path / "saved"
    dialog._ask_save_path = lambda: str(target)
    dialog.save_button.click()
    assert (tmp_path / "saved.pdf").read_bytes() == pdf
    assert outputs == ["print", "save"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []

    # an unwritable place: a message, no crash, nothing recorded
    alerts = []
    dialog._alert = lambda title, text: alerts.append(text)
    dialog._ask_save_path = lambda: str(tmp_path / "missing-dir" / "x.pdf")
    dialog.save_button.click()
    assert len(alerts) == 1 and alerts[0].startswith("无法保存到")
    assert outputs == ["print", "save"]


# ---------------------------------------------------------------------- with the real core

store, tasks = helpers.styled_store, helpers.store_tasks


def _no_modals(monkeypatch):
    """Any message box would block an offscreen test: fail loudly instead."""
    from xinfang_desk.ui.widgets.documents_menu import DocumentOpener

    def alert(self, title, text):
        raise AssertionError(f"unexpected message box: {title}: {text}")

    monkeypatch.setattr(DocumentOpener, "alert", alert)


def test_intake_save_then_print_receipt(qtbot, tasks, store, monkeypatch, tmp_path):
    from tests.ui.intake.test_page import fill_matter, make_page
    from xinfang_desk.core.cases.records import events_of, get_case

    _no_modals(monkeypatch)
    page = make_page(qtbot, tasks, store)
    assert not page.print_receipt_button.isVisible()
    page.petitioners.primary.name.setText("王秀英")
    page.petitioners.primary.id_number.setText("11010519491231002X")
    fill_matter(page)
    with qtbot.waitSignal(page.sig_case_saved, timeout=WAIT) as saved:
        page.save_button.click()
    case_no = saved.args[0]
    button = page.findChild(type(page.print_receipt_button), "printReceiptButton")
    assert button is not None and button.isVisible()
    with qtbot.waitSignal(page.documents.sig_opened, timeout=WAIT) as opened:
        button.click()
    dialog = opened.args[0]
    assert dialog.objectName() == "printPreviewDialog" and dialog.isVisible()
    assert len(dialog.page_labels) >= 1 and case_no in dialog.title
    assert dark_pixels(dialog.pages[0]) > 50
    dialog.resize(960, 1000)  # the offscreen screen is small; show a whole page
    qtbot.wait(50)
    dialog.grab().save("/tmp/preview.png")
    dialog._ask_save_path = lambda: str(tmp_path / "receipt.pdf")
    with qtbot.waitSignal(page.documents.sig_printed, timeout=WAIT):
        dialog.save_button.click()
    assert (tmp_path / "receipt.pdf").read_bytes() == dialog.pdf
    assert [e.type for e in events_of(get_case(case_no))].count("printed") == 1
    # a new visitor: the button goes with the banner
    page.new_intake()
    assert not page.print_receipt_button.isVisible()


def test_detail_documents_buttons_and_printing(qtbot, tasks, store, monkeypatch, tmp_path):
    from tests.core.helpers import intake
    from tests.ui.cases.test_detail_dialog import open_dialog, timeline
    from xinfang_desk.core.cases.records import register_case

    _no_modals(monkeypatch)
    saved = register_case(intake(disposition="转送", unit="人力资源和社会保障局"), today=TODAY)
    dialog = open_dialog(qtbot, tasks, saved.case_no)
    box = dialog.documents_box
    assert box is not None
    receipt, reply = box.buttons["receipt"], box.buttons["reply"]
    assert dialog.findChild(type(reply), "doc_reply") is reply
    assert receipt.isEnabled() and receipt.toolTip() == ""
    assert not reply.isEnabled() and reply.toolTip() != ""
    before = len(timeline(dialog))
    with qtbot.waitSignal(dialog.documents.sig_opened, timeout=WAIT) as opened:
        receipt.click()
    preview = opened.args[0]
    assert len(preview.page_labels) >= 1

    def fake_printer():
        printer = preview.new_printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "printed.pdf"))
        printer.setResolution(100)
        return printer

    preview._ask_printer = fake_printer
    with qtbot.waitSignal(dialog.sig_case_changed, timeout=WAIT) as changed, \
            qtbot.waitSignal(dialog.sig_loaded, timeout=WAIT):
        preview.print_button.click()
    assert changed.args == [saved.case_no]
    rows = timeline(dialog)
    assert len(rows) == before + 1 and "打印" in rows[-1]


def test_refused_document_is_reported_in_chinese(qtbot, tasks, store, monkeypatch):
    from tests.core.helpers import intake
    from tests.ui.cases.test_detail_dialog import open_dialog
    from xinfang_desk.core.cases.records import register_case
    from xinfang_desk.ui.widgets.documents_menu import DocumentOpener

    alerts = []
    monkeypatch.setattr(DocumentOpener, "alert", lambda self, title, text: alerts.append(text))
    saved = register_case(intake(disposition="转送", unit="人力资源和社会保障局"), today=TODAY)
    dialog = open_dialog(qtbot, tasks, saved.case_no)
    with qtbot.waitSignal(dialog.documents.sig_failed, timeout=WAIT):
        dialog.open_document("reply")  # not replied yet: the builder refuses
    assert len(alerts) == 1 and any("\u4e00" <= ch <= "\u9fff" for ch in alerts[0])
    assert dialog.documents.dialog is None
