"""附件 in the case detail: a tile per attachment (thumbnail or type tile, kind, title, size,
who and when; removed ones greyed with the reason), 添加附件… and files dropped here,
查看 (images and PDF pages in the program, other kinds with the system's program), 导出… and
移除…. Every read and write runs on the worker; a refusal (an empty, too big or unknown
file, a renamed program, a case one may not see) is shown in Chinese above the tiles."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QBrush, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core import session
from xinfang_desk.ui.cases.attachment_dialogs import AddAttachmentDialog, RemoveAttachmentDialog
from xinfang_desk.ui.widgets import attachment_files as af
from xinfang_desk.ui.widgets.attachment_viewer import (
    AttachmentViewerDialog,
    can_view,
    viewer_pages,
)
from xinfang_desk.ui.widgets.file_errors import file_error_text
from xinfang_desk.ui.widgets.tasks import TaskRunner

MESSAGE_STYLE = "color:#c62828; background:#fdecea; border:1px solid #f5c6cb; padding:4px 8px;"
OK_STYLE = "color:#1b5e20; background:#e8f5e9; border:1px solid #a5d6a7; padding:4px 8px;"
TILE = QSize(176, 214)


# ---------------------------------------------------------------------- worker functions

def load_tiles(case_no: str):
    """The attachments, each with its thumbnail QImage (or None: a type tile)."""
    from xinfang_desk.core.papers.previews import with_preview_bytes

    return [(info, af.thumbnail(data, info.file_type) if data is not None else None)
            for info, data in with_preview_bytes(case_no)]


def read_files(paths: list[Path]) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The files read and checked (name, bytes), and the refusals (Chinese reasons)."""
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.papers.attachments import check_file, read_file

    good, refused = [], []
    for path in paths:
        try:
            data = read_file(path)
            check_file(data, path.name)
        except XinfangError as exc:
            refused.append(str(exc))
        else:
            good.append((path.name, data))
    return good, refused


def add_files(case_no: str, files: list[tuple[str, bytes]], kind: str, title: str):
    from xinfang_desk.core.papers.attachments import add_attachment

    return [add_attachment(case_no, data, name, kind=kind, title=title if len(files) == 1 else "")
            for name, data in files]


def open_attachment(attachment_id: int):
    """("pages", info, [QImage]) to show in the program, or ("file", info, path) to hand to
    the system's program (a temporary copy with the suffix of its type)."""
    from xinfang_desk.core.papers.attachments import attachment_data

    info, data = attachment_data(attachment_id)
    if can_view(info.file_type):
        pages = viewer_pages(data, info.file_type)
        if pages:
            return "pages", info, pages
    return "file", info, af.temporary_copy(data, info.file_type, info.title)


# ---------------------------------------------------------------------- the panel

class AttachmentsPanel(QWidget):
    sig_changed = Signal(str)
    """An attachment was added or removed (case_no): the detail reloads its timeline."""
    sig_loaded = Signal()
    """The tiles were (re)filled, or the load failed (for tests)."""
    sig_done = Signal(str)
    """An action finished: "added", "removed", "exported", "viewed", "opened", "refused"."""

    def __init__(self, case_no: str, tasks: TaskRunner, parent=None):
        super().__init__(parent)
        self.setObjectName("attachmentsPanel")
        self.case_no, self._tasks = case_no, tasks
        self.infos: list = []
        self.add_dialog: AddAttachmentDialog | None = None
        self.remove_dialog: RemoveAttachmentDialog | None = None
        self.viewer: AttachmentViewerDialog | None = None
        self._pending: list[tuple[str, bytes]] = []
        self._refused: list[str] = []
        self.last_dir = ""
        self.setAcceptDrops(True)

        self.message = QLabel("")
        self.message.setObjectName("attachmentsMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.list = QListWidget()
        self.list.setObjectName("attachmentList")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setWrapping(True)
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(True)
        self.list.setIconSize(QSize(af.THUMB, af.THUMB))
        self.list.setGridSize(TILE)
        self.list.setSpacing(4)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.NoDragDrop)
        self.list.viewport().setAcceptDrops(False)  # drops go to the panel
        self.list.itemDoubleClicked.connect(lambda _item: self.view_selected())
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.empty = QLabel("尚无附件。点“添加附件…”，或把文件拖放到这里"
                            "（来信原件、身份证明、证据材料、答复文书等的扫描件、照片、PDF、Word/Excel 文档）。")
        self.empty.setObjectName("attachmentsEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color:#666; border:2px dashed #b0bec5; padding:24px;")
        self.empty.hide()

        may_add = session.current().can("register")
        may_remove = session.current().can("follow_up")
        self.add_button = self._button("添加附件…", "addAttachmentButton", self.choose_files)
        self.add_button.setVisible(may_add)
        self.view_button = self._button("查看", "viewAttachmentButton", self.view_selected)
        self.export_button = self._button("导出…", "exportAttachmentButton", self.export_selected)
        self.remove_button = self._button("移除…", "removeAttachmentButton", self.remove_selected)
        self.remove_button.setVisible(may_remove)
        hint = QLabel("可将文件拖放到此处" if may_add else "")
        hint.setStyleSheet("color:#777")
        buttons = QHBoxLayout()
        for b in (self.add_button, self.view_button, self.export_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(hint)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.message)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._update_buttons()
        self.reload()

    @staticmethod
    def _button(text: str, name: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(lambda _=False: slot())
        return button

    # ------------------------------------------------------------------ tiles

    def reload(self) -> None:
        case_no = self.case_no
        self._tasks.run(lambda: load_tiles(case_no), self._show, self._load_failed)

    def _load_failed(self, exc) -> None:
        self.show_message(file_error_text("读取附件", exc, "未能读取附件：{reason}"))
        self.sig_loaded.emit()

    def _show(self, tiles) -> None:
        selected = self.selected_id()
        self.list.clear()
        self.infos = [info for info, _image in tiles]
        for info, image in tiles:
            item = QListWidgetItem(QIcon(af.thumb_pixmap(image, info.type_label,
                                                         file_type=info.file_type,
                                                         greyed=info.removed)), "")
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            pages = f" · {info.pages}页" if info.pages > 1 else ""
            lines = [info.title, f"{info.kind}{pages} · {info.size_text}",
                     f"{info.added_by} {info.added_at:%Y-%m-%d %H:%M}"]
            if info.removed:
                lines = [f"【已移除】{info.title}", f"原因：{info.removed_reason}",
                         f"{info.removed_by} {info.removed_at:%Y-%m-%d}"]
                item.setForeground(QBrush(af.GREY_TEXT))
            item.setText("\n".join(lines))
            item.setToolTip(self._tooltip(info))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
            item.setSizeHint(TILE)
            self.list.addItem(item)
            if info.id == selected:
                item.setSelected(True)
        self.empty.setVisible(not tiles)
        self.list.setVisible(bool(tiles))
        self._update_buttons()
        self.sig_loaded.emit()

    @staticmethod
    def _tooltip(info) -> str:
        pages = f"，{info.pages}页" if info.pages > 1 else ""
        text = (f"{info.title}\n类别：{info.kind}\n文件：{info.file_name}（{info.type_label}"
                f"{pages}，{info.size_text}）\n添加：{info.added_by} {info.added_at:%Y-%m-%d %H:%M}")
        if info.removed:
            text += (f"\n已于 {info.removed_at:%Y-%m-%d %H:%M} 由 {info.removed_by} 移除："
                     f"{info.removed_reason}")
        return text

    def tile_texts(self) -> list[str]:
        """Each tile's text (for tests)."""
        return [self.list.item(r).text() for r in range(self.list.count())]

    def selected_id(self) -> int | None:
        items = self.list.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def selected_info(self):
        wanted = self.selected_id()
        return next((i for i in self.infos if i.id == wanted), None)

    def select(self, attachment_id: int) -> None:
        for r in range(self.list.count()):
            item = self.list.item(r)
            item.setSelected(item.data(Qt.ItemDataRole.UserRole) == attachment_id)

    def _update_buttons(self) -> None:
        info = self.selected_info()
        self.view_button.setEnabled(info is not None)
        self.export_button.setEnabled(info is not None)
        self.remove_button.setEnabled(info is not None and not info.removed)
        self.remove_button.setToolTip("已移除" if info is not None and info.removed else "")

    # ------------------------------------------------------------------ messages

    def show_message(self, text: str, ok: bool = False) -> None:
        self.message.setStyleSheet(OK_STYLE if ok else MESSAGE_STYLE)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _failed(self, action: str):
        def failed(exc) -> None:
            self.show_message(file_error_text(action, exc, f"未能{action}：{{reason}}"))
            self.sig_done.emit("refused")
        return failed

    # ------------------------------------------------------------------ adding

    # Modal file choosers are methods so that tests can replace them.
    def _choose_paths(self) -> list[str]:
        paths, _filter = QFileDialog.getOpenFileNames(
            self, "添加附件", self.last_dir or os.path.expanduser("~"),
            "扫描件、照片、PDF、文档 (*.jpg *.jpeg *.png *.tif *.tiff *.pdf *.doc *.docx *.xls "
            "*.xlsx *.wps *.et *.txt);;所有文件 (*)")
        return paths

    def _choose_save_path(self, suggested: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(
            self, "导出附件", os.path.join(self.last_dir or os.path.expanduser("~"), suggested))
        return path

    def choose_files(self) -> None:
        paths = self._choose_paths()
        if paths:
            self.last_dir = str(Path(paths[0]).parent)
            self.add_paths([Path(p) for p in paths])

    def dragEnterEvent(self, event):  # noqa: N802 - Qt API
        if af.has_files(event.mimeData()) and self.add_button.isVisible():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):  # noqa: N802 - Qt API
        self.dragEnterEvent(event)

    def dropEvent(self, event):  # noqa: N802 - Qt API
        paths = af.dropped_paths(event.mimeData())
        if not paths or not self.add_button.isVisible():
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(paths)

    def add_paths(self, paths: list[Path]) -> None:
        """Read and check the files (worker); refusals are shown, the rest asked about."""
        self.show_message("正在读取文件……", ok=True)
        self._tasks.run(lambda: read_files(paths), self._files_read, self._failed("读取文件"))

    def _files_read(self, result) -> None:
        good, refused = result
        self._refused = refused
        self.show_message("；".join(refused))
        if refused:
            self.sig_done.emit("refused")
        if not good:
            return
        self._pending = good
        dialog = AddAttachmentDialog([name for name, _data in good], self)
        dialog.accepted.connect(lambda: self._attach(dialog.choice()))
        dialog.finished.connect(lambda _r: setattr(self, "add_dialog", None))
        dialog.finished.connect(dialog.deleteLater)
        self.add_dialog = dialog
        dialog.open()

    def _attach(self, choice: tuple[str, str]) -> None:
        kind, title = choice
        files, self._pending = self._pending, []
        case_no = self.case_no
        self._tasks.run(lambda: add_files(case_no, files, kind, title), self._added,
                        self._failed("添加附件"))

    def _added(self, infos) -> None:
        if not self._refused:  # the refusals stay in view; the new tiles say the rest
            self.show_message(f"已添加附件：{'、'.join(i.title for i in infos)}", ok=True)
        self.reload()
        self.sig_changed.emit(self.case_no)
        self.sig_done.emit("added")

    # ------------------------------------------------------------------ viewing, exporting

    def view_selected(self) -> None:
        info = self.selected_info()
        if info is None:
            return
        attachment_id = info.id
        self.show_message("")
        self._tasks.run(lambda: open_attachment(attachment_id), self._opened,
                        self._failed("打开附件"))

    def _opened(self, result) -> None:
        what, info, payload = result
        if what == "pages":
            pages = f"{info.type_label}，{info.kind}，{info.size_text}"
            viewer = AttachmentViewerDialog(info.title, payload, self, subtitle=pages)
            viewer.sig_export_requested.connect(lambda: self.export(info))
            viewer.finished.connect(lambda _r: setattr(self, "viewer", None))
            viewer.finished.connect(viewer.deleteLater)
            self.viewer = viewer
            viewer.open()
            self.sig_done.emit("viewed")
            return
        if not self._open_with_system(payload):
            self.show_message(f"未能打开“{info.title}”：本机没有可打开{info.type_label}的程序。"
                              "可用“导出…”保存后用其他电脑打开。")
            self.sig_done.emit("refused")
            return
        self.sig_done.emit("opened")

    def _open_with_system(self, path: Path) -> bool:
        return af.open_with_system(path)

    def export_selected(self) -> None:
        info = self.selected_info()
        if info is not None:
            self.export(info)

    def export(self, info) -> None:
        from xinfang_desk.core.papers.kinds import SUFFIXES

        suggested = "".join("_" if c in '\\/:*?"<>|' else c for c in info.title).strip() or "附件"
        path = self._choose_save_path(suggested + SUFFIXES.get(info.file_type, ""))
        if not path:
            return
        self.last_dir = str(Path(path).parent)
        attachment_id = info.id
        from xinfang_desk.core.papers.attachments import export_attachment

        self._tasks.run(lambda: export_attachment(attachment_id, path), self._exported,
                        self._failed("导出附件"))

    def _exported(self, path) -> None:
        self.show_message(f"已导出到 {path}", ok=True)
        self.sig_done.emit("exported")

    # ------------------------------------------------------------------ removing

    def remove_selected(self) -> RemoveAttachmentDialog | None:
        info = self.selected_info()
        if info is None or info.removed:
            return None
        dialog = RemoveAttachmentDialog(info.title, self)
        attachment_id = info.id
        dialog.accepted.connect(lambda: self._remove(attachment_id, dialog.text()))
        dialog.finished.connect(lambda _r: setattr(self, "remove_dialog", None))
        dialog.finished.connect(dialog.deleteLater)
        self.remove_dialog = dialog
        dialog.open()
        return dialog

    def _remove(self, attachment_id: int, reason: str) -> None:
        from xinfang_desk.core.papers.attachments import remove_attachment

        self._tasks.run(lambda: remove_attachment(attachment_id, reason), self._removed,
                        self._failed("移除附件"))

    def _removed(self, _none) -> None:
        self.show_message("已移除，记入办理经过。", ok=True)
        self.reload()
        self.sig_changed.emit(self.case_no)
        self.sig_done.emit("removed")
