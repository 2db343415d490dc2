"""附件 in the case detail: attaching through the panel (chooser and drag and drop), a refused
file, removal with a reason on the timeline, the viewer's pages, opening other kinds with the
system's program, exporting, and a confidential case's papers kept from others."""

import datetime as dt
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.core.helpers import intake  # noqa: E402
from tests.core.papers import files  # noqa: E402
from xinfang_desk.core.cases.records import register_case  # noqa: E402
from xinfang_desk.core.papers import attachments as att  # noqa: E402
from xinfang_desk.core.store.models import Attachment, FileBlob  # noqa: E402
from xinfang_desk.ui.cases.detail_dialog import CaseDetailDialog  # noqa: E402
from xinfang_desk.ui.style import setup_application  # noqa: E402

TODAY = dt.date(2026, 10, 9)
WAIT = 10000


@pytest.fixture
def case_no(store):
    return register_case(intake(), today=TODAY).case_no


def open_dialog(qtbot, qapp, tasks, case_no):
    setup_application(qapp)
    dialog = CaseDetailDialog(case_no, tasks, today=TODAY)
    qtbot.addWidget(dialog)
    panel = dialog.attachments
    with qtbot.waitSignal(dialog.sig_loaded, timeout=WAIT), \
            qtbot.waitSignal(panel.sig_loaded, timeout=WAIT):
        dialog.show()
    dialog.show_attachments()
    return dialog, panel


def add_through_chooser(qtbot, panel, paths, kind="证据材料", title=None):
    panel._choose_paths = lambda: [str(p) for p in paths]
    panel.add_button.click()
    qtbot.waitUntil(lambda: panel.add_dialog is not None and panel.add_dialog.isVisible(),
                    timeout=WAIT)
    dialog = panel.add_dialog
    dialog.kind.setCurrentText(kind)
    if title is not None:
        dialog.title_edit.setText(title)
    with qtbot.waitSignal(panel.sig_loaded, timeout=WAIT):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def timeline(dialog):
    t = dialog.timeline_table
    return [t.item(r, 1).text() for r in range(t.rowCount())]


def test_a_png_becomes_a_tile_with_its_title(qtbot, qapp, tasks, case_no, tmp_path):
    dialog, panel = open_dialog(qtbot, qapp, tasks, case_no)
    assert panel.empty.isVisible() and panel.list.count() == 0
    add_through_chooser(qtbot, panel, [write(tmp_path, "墙体裂缝.png", files.png())],
                        title="墙体裂缝照片")
    assert panel.list.count() == 1
    text = panel.tile_texts()[0]
    assert text.startswith("墙体裂缝照片\n证据材料 · ")
    assert not panel.list.item(0).icon().isNull()
    [info] = att.list_attachments(case_no)
    assert (info.title, info.kind, info.file_type) == ("墙体裂缝照片", "证据材料", "png")
    qtbot.waitUntil(lambda: dialog.right_tabs.tabText(2) == "附件（1）", timeout=WAIT)


def test_a_renamed_program_is_refused_in_chinese_and_nothing_is_stored(
        qtbot, qapp, tasks, case_no, tmp_path):
    _dialog, panel = open_dialog(qtbot, qapp, tasks, case_no)
    panel._choose_paths = lambda: [str(write(tmp_path, "合同.pdf", files.exe()))]
    with qtbot.waitSignal(panel.sig_done, timeout=WAIT) as done:
        panel.add_button.click()
    assert done.args == ["refused"]
    assert panel.message.isVisible()
    assert "“合同.pdf”是可执行程序（不论扩展名如何），不能作为附件，未添加" in panel.message.text()
    assert panel.add_dialog is None
    assert Attachment.select().count() == 0 and FileBlob.select().count() == 0


def test_files_dropped_on_the_section_are_attached(qtbot, qapp, tasks, case_no, tmp_path):
    _dialog, panel = open_dialog(qtbot, qapp, tasks, case_no)
    paths = [write(tmp_path, "来信.jpg", files.jpeg()), write(tmp_path, "空白.txt", b""),
             write(tmp_path, "报告.pdf", files.pdf(2))]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    target = panel.empty  # a child: the drop travels up to the panel, as with a real drag
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: panel.add_dialog is not None, timeout=WAIT)
    assert "空文件" in panel.message.text()
    assert not panel.add_dialog.title_edit.isEnabled()  # two files: each keeps its name
    panel.add_dialog.kind.setCurrentText("来信原件")
    with qtbot.waitSignal(panel.sig_loaded, timeout=WAIT):
        panel.add_dialog.accept()
    assert [t.split("\n")[0] for t in panel.tile_texts()] == ["来信", "报告"]
    assert "空文件" in panel.message.text()  # the refusal stays in view


def test_removal_greys_the_tile_and_goes_on_the_timeline(qtbot, qapp, tasks, case_no):
    info = att.add_attachment(case_no, files.jpeg(), "来信扫描.jpg", kind="来信原件")
    dialog, panel = open_dialog(qtbot, qapp, tasks, case_no)
    panel.select(info.id)
    assert panel.remove_button.isEnabled()
    form = panel.remove_selected()
    form.buttons.button(form.buttons.StandardButton.Ok).click()
    assert form.isVisible() and "请说明移除原因" in form.error.text()  # the reason is required
    form.reason.setText("误传，与本事项无关")
    with qtbot.waitSignal(dialog.sig_loaded, timeout=WAIT), \
            qtbot.waitSignal(panel.sig_loaded, timeout=WAIT):
        form.buttons.button(form.buttons.StandardButton.Ok).click()
    assert panel.tile_texts()[0].startswith("【已移除】来信扫描\n原因：误传，与本事项无关")
    item = panel.list.item(0)
    assert item.foreground().color().name() == "#9e9e9e"
    assert any("移除附件" in line and "来信扫描：误传，与本事项无关" in line
               for line in timeline(dialog)), timeline(dialog)
    panel.select(info.id)
    assert not panel.remove_button.isEnabled()
    assert dialog.right_tabs.tabText(2) == "附件"


@pytest.mark.parametrize("name, make, pages", [
    ("扫描仪.tif", lambda: files.tiff(3), 3),
    ("办理报告.pdf", lambda: files.pdf(2), 2),
])
def test_the_viewer_shows_every_page(qtbot, qapp, tasks, case_no, tmp_path, name, make, pages):
    info = att.add_attachment(case_no, make(), name, kind="反馈材料")
    _dialog, panel = open_dialog(qtbot, qapp, tasks, case_no)
    panel.select(info.id)
    with qtbot.waitSignal(panel.sig_done, timeout=WAIT) as done:
        panel.view_button.click()
    assert done.args == ["viewed"]
    viewer = panel.viewer
    assert len(viewer.page_labels) == pages
    assert f"共 {pages} 页" in viewer.page_count_label.text()
    assert all(not label.pixmap().isNull() for label in viewer.page_labels)
    viewer.grab().save(str(tmp_path / f"viewer-{info.file_type}.png"))


def test_other_kinds_open_with_the_system_program_from_a_temporary_copy(
        qtbot, qapp, tasks, case_no):
    data = files.docx()
    info = att.add_attachment(case_no, data, "补充说明.docx", kind="证据材料")
    _dialog, panel = open_dialog(qtbot, qapp, tasks, case_no)
    opened = []
    panel._open_with_system = lambda path: opened.append(path) or True
    panel.select(info.id)
    with qtbot.waitSignal(panel.sig_done, timeout=WAIT) as done:
        panel.view_button.click()
    assert done.args == ["opened"]
    [path] = opened
    assert path.name == "补充说明.docx" and path.read_bytes() == data


def test_export_writes_the_file(qtbot, qapp, tasks, case_no, tmp_path):
    data = files.pdf(1)
    info = att.add_attachment(case_no, data, "报告.pdf")
    _dialog, panel = open_dialog(qtbot, qapp, tasks, case_no)
    out = tmp_path / "out" / "导出.pdf"
    out.parent.mkdir()
    suggested = []
    panel._choose_save_path = lambda name: suggested.append(name) or str(out)
    panel.select(info.id)
    with qtbot.waitSignal(panel.sig_done, timeout=WAIT) as done:
        panel.export_button.click()
    assert done.args == ["exported"] and suggested == ["报告.pdf"]
    assert out.read_bytes() == data


def test_a_confidential_case_shows_the_refusal(qtbot, qapp, tasks, store):
    from tests.ui.widgets.test_approval import make_accounts, sign_in
    from xinfang_desk.ui.cases.attachments_panel import AttachmentsPanel

    make_accounts()
    sign_in("clerk")
    confidential = register_case(intake(category="检举控告", clerk=""), today=TODAY).case_no
    att.add_attachment(confidential, files.jpeg(), "举报材料.jpg", kind="证据材料")
    sign_in("clerk2")
    setup_application(qapp)
    panel = AttachmentsPanel(confidential, tasks)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.message.text() != "", timeout=WAIT)
    assert panel.message.text() == "未能读取附件：该事项为保密事项，您无权查看。"
    assert panel.list.count() == 0
