"""附件 at intake: files dropped onto the form are listed and saved with the case in one
transaction; a scan in the scan folder is offered, taken with one click, saved and moved out
of the folder; a refused file refuses the save and keeps the form."""

import datetime as dt
import os
import time

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.core.papers import files  # noqa: E402
from tests.ui import helpers  # noqa: E402
from xinfang_desk.core.papers import attachments as att  # noqa: E402
from xinfang_desk.core.papers import scan_folder  # noqa: E402
from xinfang_desk.core.store import settings  # noqa: E402
from xinfang_desk.core.store.models import Attachment, Case, FileBlob  # noqa: E402

TODAY = dt.date(2026, 10, 9)
WAIT = 10000

store, tasks = helpers.styled_store, helpers.store_tasks


def make_page(qtbot, tasks, store, size=(1280, 900)):
    return helpers.open_intake_page(qtbot, tasks, store, TODAY, size, WAIT)


def fill(page):
    page.petitioners.primary.name.setText("王秀英")
    page.category.setCurrentText("申诉求决")
    page.summary.setText("反映单位拖欠工资三个月")
    page.request.setPlainText("要求单位支付拖欠的工资")
    page.facts.setPlainText("2026年6月至8月工资未发放")
    page.disposition.setCurrentText("受理")


def drop_files(target, paths):
    """A real drag: enter, then drop, sent to `target` (a child of the page: Qt passes the
    events up to the page, which accepts files)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, drop)
    assert drop.isAccepted()


def save(qtbot, page):
    with qtbot.waitSignal(page.sig_case_saved, timeout=WAIT) as saved:
        page.save_button.click()
    return saved.args[0]


def test_dropped_files_are_saved_with_the_case(qtbot, tasks, store, tmp_path):
    letter = tmp_path / "来信.jpg"
    letter.write_bytes(files.jpeg())
    report = tmp_path / "材料.pdf"
    report.write_bytes(files.pdf(2))
    page = make_page(qtbot, tasks, store)
    fill(page)
    box = page.attachments
    drop_files(page.summary.parentWidget(), [letter, report])
    qtbot.waitUntil(lambda: len(box.items) == 2, timeout=WAIT)
    assert box.names() == ["来信.jpg", "材料.pdf"]
    box.kind_combo(0).setCurrentText("来信原件")
    box.kind_combo(1).setCurrentText("证据材料")
    assert not page.is_blank()
    case_no = save(qtbot, page)
    infos = att.list_attachments(case_no)
    assert [(i.title, i.kind, i.file_type, i.pages) for i in infos] == [
        ("来信", "来信原件", "jpeg", 1), ("材料", "证据材料", "pdf", 2)]
    assert box.is_empty()  # cleared with the form
    qtbot.waitUntil(lambda: box.kind_combo(0) is None, timeout=WAIT)
    assert letter.exists()  # a dropped file stays where it was


def test_a_scan_is_offered_taken_with_one_click_saved_and_moved(qtbot, tasks, store, tmp_path):
    folder = tmp_path / "扫描"
    folder.mkdir()
    scan_folder.set_folder(store, folder)
    scan = folder / "SCAN_0001.tif"
    scan.write_bytes(files.tiff(2))
    old = time.time() - 10  # the copier finished ten seconds ago
    os.utime(scan, (old, old))
    (folder / "SCAN_0002.pdf").write_bytes(files.pdf(1))  # still being written: not yet
    page = make_page(qtbot, tasks, store)
    box = page.attachments
    qtbot.waitUntil(lambda: box.scan_list.count() == 1, timeout=WAIT)
    assert box.scan_list.item(0).text() == "SCAN_0001.tif"
    assert "扫描文件夹" in box.scan_label.text() and "单击加入附件" in box.scan_label.text()
    fill(page)
    rect = box.scan_list.visualItemRect(box.scan_list.item(0))
    qtbot.mouseClick(box.scan_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: len(box.items) == 1, timeout=WAIT)
    assert box.items[0].scan_path == scan and box.items[0].kind == "来信原件"
    assert box.scan_list.count() == 0 or box.scan_list.item(0).text() != "SCAN_0001.tif"
    page.grab().save(str(tmp_path / "intake-scans.png"))
    case_no = save(qtbot, page)
    [info] = att.list_attachments(case_no)
    assert (info.file_name, info.kind, info.pages) == ("SCAN_0001.tif", "来信原件", 2)
    assert not scan.exists()
    moved = list((store.root / "scans" / "taken").glob("*/SCAN_0001.tif"))
    assert len(moved) == 1 and moved[0].read_bytes() == files.tiff(2)
    assert box.is_empty()


def test_a_refused_file_refuses_the_save_and_keeps_the_form(qtbot, tasks, store, tmp_path):
    big = tmp_path / "补充材料.txt"
    big.write_bytes("工资条明细\n".encode() * 150_000)  # about 2.3 MB of text
    bad = tmp_path / "合同.pdf"
    bad.write_bytes(files.exe())
    page = make_page(qtbot, tasks, store)
    fill(page)
    box = page.attachments
    drop_files(page, [bad, big])
    qtbot.waitUntil(lambda: len(box.items) == 1, timeout=WAIT)
    assert "“合同.pdf”是可执行程序" in box.message.text()  # refused when dropped, not listed
    settings.put("attachment_max_mb", 1)  # the limit lowered meanwhile (on another desk)
    page.save_button.click()
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=WAIT)
    assert "“补充材料.txt”有 2.3 MB，超过附件大小上限 1 MB" in page.message.text()
    assert "超过附件大小上限" in box.message.text()
    assert Case.select().count() == 0 and Attachment.select().count() == 0
    assert FileBlob.select().count() == 0
    assert page.summary.text() == "反映单位拖欠工资三个月" and box.names() == ["补充材料.txt"]
