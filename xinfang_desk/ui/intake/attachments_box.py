"""附件 at intake: the files the visitor brought (dropped onto the form, added with 添加附件…,
or taken with one click from the copier's 扫描文件夹), listed with a thumbnail, the name and a
kind drop-down, and attached WITH the save, in the case's own transaction. Reading a file,
making thumbnails and looking into the scan folder (every SCAN_POLL_MS while the intake is
visible) run on the worker. The list is not part of the draft: files are not kept across a
crash, only the typed form."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xinfang_desk.core.papers.kinds import PAPER_KINDS
from xinfang_desk.core.paths import DataDir
from xinfang_desk.ui.widgets import attachment_files as af
from xinfang_desk.ui.widgets.tasks import TaskRunner

SCAN_POLL_MS = 5000
ROW_THUMB = 48
SCAN_THUMB = 84
MESSAGE_STYLE = ("background: #fdecea; color: #b71c1c; border: 1px solid #f5c6cb;"
                 " border-radius: 4px; padding: 4px 8px;")


@dataclass(frozen=True)
class PendingFile:
    """A file waiting to be attached with the save."""

    name: str
    data: bytes
    file_type: str
    type_label: str
    pages: int
    thumb: object  # QImage | None
    scan_path: Path | None = None  # taken out of the scan folder after the save
    kind: str = "其他"


# ---------------------------------------------------------------------- worker functions

def read_pending(paths: list[Path], scan: bool = False):
    """The files read, checked and thumbnailed; and the refusals (Chinese reasons)."""
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.papers.attachments import check_file, read_file

    good, refused = [], []
    for path in paths:
        try:
            data = read_file(path)
            judged = check_file(data, path.name)
        except XinfangError as exc:
            refused.append(str(exc))
            continue
        good.append(PendingFile(path.name, data, judged.file_type, judged.label, judged.pages,
                                af.thumbnail(data, judged.file_type, ROW_THUMB),
                                scan_path=path if scan else None,
                                kind="来信原件" if scan else "其他"))
    return good, refused


def look_into_scan_folder(data_dir: DataDir, previous: dict[str, int], known: set,
                          judged: dict):
    """(folder or None, the settled scans, their sizes for the next look, new thumbnails
    keyed by (path, size, modified), the judgements to pass to the next look)."""
    from xinfang_desk.core.papers import scan_folder

    folder = scan_folder.get_folder(data_dir)
    if folder is None:
        return None, [], {}, {}, {}
    found = scan_folder.new_files(folder, previous=previous, judged=judged)
    thumbs = {}
    for f in found:
        key = (str(f.path), f.size, f.modified)
        if key in known:
            continue
        data = b""
        if f.judged.is_image or f.judged.file_type == "pdf":
            try:
                data = f.path.read_bytes() if f.size <= 30 * 1024 * 1024 else b""
            except OSError:
                data = b""
        thumbs[key] = af.thumbnail(data, f.judged.file_type, SCAN_THUMB) if data else None
    live = {(f.name, f.size, f.modified) for f in found}
    return folder, found, scan_folder.sizes(found), thumbs, {
        k: v for k, v in judged.items() if k in live or v is None}


def choose_scan_folder(data_dir: DataDir, folder: str):
    from xinfang_desk.core.papers import scan_folder

    return scan_folder.set_folder(data_dir, folder)


# ---------------------------------------------------------------------- the box

class IntakeAttachmentsBox(QGroupBox):
    sig_changed = Signal()
    """A file was added to or taken off the list."""
    sig_scans_shown = Signal()
    """The scan folder was looked into and the offered scans shown (for tests)."""
    sig_busy = Signal(bool)

    def __init__(self, tasks: TaskRunner, data_dir: DataDir, parent=None):
        super().__init__("附件（随登记一并保存）", parent)
        self.setObjectName("intakeAttachments")
        self._tasks, self._data_dir = tasks, data_dir
        self.items: list[PendingFile] = []
        self.scans: list = []  # the scan folder's settled files (scan_folder.ScanFile)
        self.scan_folder: Path | None = None
        self._scan_sizes: dict[str, int] = {}
        self._scan_thumbs: dict[tuple, object] = {}
        self._scan_judged: dict[tuple, object] = {}
        self._looking = False
        self._reading = 0
        self._incoming: set[str] = set()  # scans being read: no longer offered
        self.last_dir = ""

        self.message = QLabel("")
        self.message.setObjectName("intakeAttachmentsMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(MESSAGE_STYLE)
        self.message.hide()
        self.rows = QVBoxLayout()
        self.rows.setSpacing(2)
        self.empty = QLabel("把来信、证件复印件、证据材料的扫描件或照片拖放到登记表上，或点“添加附件…”。")
        self.empty.setObjectName("intakeAttachmentsEmpty")
        self.empty.setStyleSheet("color:#777")
        self.empty.setWordWrap(True)
        self.add_button = QPushButton("添加附件…")
        self.add_button.setObjectName("intakeAddAttachment")
        self.add_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.add_button.clicked.connect(self.choose_files)

        # 扫描文件夹: the copier's new scans, one click each to add.
        self.scan_label = QLabel("")
        self.scan_label.setObjectName("scanFolderLabel")
        self.scan_label.setStyleSheet("color:#555")
        self.scan_label.setWordWrap(True)
        self.scan_button = QPushButton("扫描文件夹…")
        self.scan_button.setObjectName("chooseScanFolder")
        self.scan_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.scan_button.setToolTip("本机复印机/扫描仪保存扫描件的文件夹（只对本机有效）")
        self.scan_button.clicked.connect(self.choose_scan_folder)
        self.scan_list = QListWidget()
        self.scan_list.setObjectName("scanList")
        self.scan_list.setViewMode(QListView.ViewMode.IconMode)
        self.scan_list.setFlow(QListView.Flow.LeftToRight)
        self.scan_list.setWrapping(False)
        self.scan_list.setMovement(QListView.Movement.Static)
        self.scan_list.setIconSize(QSize(SCAN_THUMB, SCAN_THUMB))
        self.scan_list.setGridSize(QSize(SCAN_THUMB + 44, SCAN_THUMB + 40))
        self.scan_list.setWordWrap(True)
        self.scan_list.setFixedHeight(SCAN_THUMB + 48)
        self.scan_list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.scan_list.setToolTip("单击一份扫描件，加入本次登记的附件")
        self.scan_list.viewport().setAcceptDrops(False)
        self.scan_list.itemClicked.connect(self._scan_clicked)
        self.scan_list.hide()

        top = QHBoxLayout()
        top.addWidget(self.empty, 1)
        top.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignTop)
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.scan_label, 1)
        scan_row.addWidget(self.scan_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addWidget(self.message)
        layout.addLayout(self.rows)
        layout.addLayout(top)
        layout.addLayout(scan_row)
        layout.addWidget(self.scan_list)

        self.timer = QTimer(self, interval=SCAN_POLL_MS)
        self.timer.timeout.connect(self.look_for_scans)

    # ------------------------------------------------------------------ the list

    def is_empty(self) -> bool:
        return not self.items

    def is_busy(self) -> bool:
        return self._reading > 0

    def to_save(self):
        """The files as the core takes them (kinds as chosen now)."""
        from xinfang_desk.core.intake.desk import NewAttachment

        return [NewAttachment(item.data, item.name, item.kind) for item in self.items]

    def scan_paths(self) -> list[Path]:
        return [item.scan_path for item in self.items if item.scan_path is not None]

    def names(self) -> list[str]:
        return [item.name for item in self.items]

    def clear(self) -> None:
        """With the form, after a save or for the next visitor."""
        self.items = []
        self.message.hide()
        self._rebuild()
        self._show_scans()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _rebuild(self) -> None:
        while self.rows.count():
            widget = self.rows.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        for index, item in enumerate(self.items):
            self.rows.addWidget(self._row(index, item))
        self.empty.setText(
            f"共 {len(self.items)} 个文件，保存登记时一并存入。也可继续拖放或添加。" if self.items else
            "把来信、证件复印件、证据材料的扫描件或照片拖放到登记表上，或点“添加附件…”。")

    def _row(self, index: int, item: PendingFile) -> QWidget:
        row = QWidget()
        row.setObjectName(f"attachmentRow{index}")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        thumb = QLabel()
        thumb.setPixmap(af.thumb_pixmap(item.thumb, item.type_label, file_type=item.file_type,
                                        side=ROW_THUMB))
        thumb.setFixedSize(ROW_THUMB, ROW_THUMB)
        pages = f"，{item.pages}页" if item.pages > 1 else ""
        source = "　（来自扫描文件夹）" if item.scan_path is not None else ""
        name = QLabel(f"{item.name}\n{item.type_label}{pages}，{_size_text(len(item.data))}"
                      f"{source}")
        name.setObjectName(f"attachmentName{index}")
        name.setToolTip(item.name)
        kind = QComboBox()
        kind.setObjectName(f"attachmentKind{index}")
        kind.addItems(list(PAPER_KINDS))
        kind.setCurrentText(item.kind)
        kind.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        kind.currentTextChanged.connect(lambda text, i=index: self._set_kind(i, text))
        remove = QPushButton("移出")
        remove.setObjectName(f"attachmentRemove{index}")
        remove.setToolTip("不随本次登记保存这个文件（文件本身不受影响）")
        remove.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        remove.clicked.connect(lambda _=False, i=index: self.remove_at(i))
        layout.addWidget(thumb)
        layout.addWidget(name, 1)
        layout.addWidget(QLabel("类别"))
        layout.addWidget(kind)
        layout.addWidget(remove)
        return row

    def kind_combo(self, index: int) -> QComboBox:
        return self.findChild(QComboBox, f"attachmentKind{index}")

    def _set_kind(self, index: int, kind: str) -> None:
        if 0 <= index < len(self.items):
            self.items[index] = replace(self.items[index], kind=kind)

    def remove_at(self, index: int) -> None:
        if 0 <= index < len(self.items):
            del self.items[index]
            self._rebuild()
            self._show_scans()
            self.sig_changed.emit()

    # ------------------------------------------------------------------ adding

    def _choose_paths(self) -> list[str]:
        paths, _filter = QFileDialog.getOpenFileNames(
            self, "添加附件", self.last_dir or os.path.expanduser("~"),
            "扫描件、照片、PDF、文档 (*.jpg *.jpeg *.png *.tif *.tiff *.pdf *.doc *.docx *.xls "
            "*.xlsx *.wps *.et *.txt);;所有文件 (*)")
        return paths

    def choose_files(self) -> None:
        paths = self._choose_paths()
        if paths:
            self.last_dir = str(Path(paths[0]).parent)
            self.add_paths([Path(p) for p in paths])

    def add_paths(self, paths: list[Path], scan: bool = False) -> None:
        """Read, check and thumbnail the files on the worker; list the good ones."""
        present = {str(i.scan_path) for i in self.items if i.scan_path is not None}
        paths = [p for p in paths if str(p) not in present | self._incoming]
        if not paths:
            return
        self._reading += 1
        incoming = {str(p) for p in paths} if scan else set()
        self._incoming |= incoming
        self.sig_busy.emit(True)

        def failed(exc) -> None:
            self._incoming -= incoming
            self._read_failed(exc)

        def done(result) -> None:
            self._incoming -= incoming
            self._read(result)

        self._tasks.run_for([self], lambda: read_pending(paths, scan), done, failed)

    def _read(self, result) -> None:
        good, refused = result
        self._reading -= 1
        self.show_message("；".join(refused))
        self.items.extend(good)
        if good:
            self._rebuild()
            self._show_scans()
            self.sig_changed.emit()
        self.sig_busy.emit(self.is_busy())

    def _read_failed(self, exc) -> None:
        self._reading -= 1
        self.show_message(f"未能读取文件：{exc}")
        self._show_scans()
        self.sig_busy.emit(self.is_busy())

    # ------------------------------------------------------------------ the scan folder

    def showEvent(self, event):  # noqa: N802 - Qt API
        super().showEvent(event)
        self.timer.start()
        self.look_for_scans()

    def hideEvent(self, event):  # noqa: N802 - Qt API
        self.timer.stop()
        super().hideEvent(event)

    def look_for_scans(self) -> None:
        if self._looking:
            return
        self._looking = True
        data_dir, previous, known = self._data_dir, dict(self._scan_sizes), set(self._scan_thumbs)
        judged = dict(self._scan_judged)
        self._tasks.run(lambda: look_into_scan_folder(data_dir, previous, known, judged),
                        self._scans_found, self._scans_failed)

    def _scans_found(self, result) -> None:
        self._looking = False
        folder, found, sizes, thumbs, self._scan_judged = result
        self.scan_folder, self.scans, self._scan_sizes = folder, found, sizes
        self._scan_thumbs.update(thumbs)
        live = {(str(f.path), f.size, f.modified) for f in found}
        self._scan_thumbs = {k: v for k, v in self._scan_thumbs.items() if k in live}
        self._show_scans()
        self.sig_scans_shown.emit()

    def _scans_failed(self, exc) -> None:
        self._looking = False
        self.scan_label.setText(f"扫描文件夹读取失败：{exc}")
        self.sig_scans_shown.emit()

    def offered(self) -> list:
        """The scans offered now: the folder's settled files not yet in the list."""
        taken = {str(i.scan_path) for i in self.items if i.scan_path is not None}
        return [f for f in self.scans if str(f.path) not in taken | self._incoming]

    def _show_scans(self) -> None:
        offered = self.offered()
        if self.scan_folder is None:
            self.scan_label.setText("扫描文件夹：未设置。设置后，复印机扫描到该文件夹的文件会列在这里，单击即可加入附件。")
        elif offered:
            self.scan_label.setText(f"扫描文件夹 {self.scan_folder} 中的新文件（单击加入附件）：")
        else:
            self.scan_label.setText(f"扫描文件夹 {self.scan_folder}：暂无新的扫描件。")
        self.scan_list.clear()
        for f in offered:
            thumb = self._scan_thumbs.get((str(f.path), f.size, f.modified))
            item = QListWidgetItem(QIcon(af.thumb_pixmap(thumb, f.judged.label,
                                                         file_type=f.judged.file_type,
                                                         side=SCAN_THUMB)), f.name)
            item.setData(Qt.ItemDataRole.UserRole, str(f.path))
            item.setToolTip(f"{f.name}\n{f.judged.label}，{_size_text(f.size)}\n单击加入本次登记的附件")
            self.scan_list.addItem(item)
        self.scan_list.setVisible(bool(offered))

    def _scan_clicked(self, item: QListWidgetItem) -> None:
        self.take_scan(Path(item.data(Qt.ItemDataRole.UserRole)))

    def take_scan(self, path: Path) -> None:
        """One click: the scan joins the intake's attachments (as 来信原件, changeable)."""
        for r in range(self.scan_list.count()):
            if self.scan_list.item(r).data(Qt.ItemDataRole.UserRole) == str(path):
                self.scan_list.takeItem(r)
                break
        self.add_paths([path], scan=True)

    def _choose_folder(self) -> str:
        return QFileDialog.getExistingDirectory(
            self, "选择扫描文件夹（复印机扫描件保存的位置）",
            str(self.scan_folder or Path.home()))

    def choose_scan_folder(self) -> None:
        folder = self._choose_folder()
        if folder:
            self.set_scan_folder(folder)

    def set_scan_folder(self, folder: str) -> None:
        data_dir = self._data_dir
        self._tasks.run(lambda: choose_scan_folder(data_dir, folder),
                        lambda _path: self._folder_set(), self._read_failed_folder)

    def _folder_set(self) -> None:
        self._scan_sizes, self._scan_thumbs, self._scan_judged = {}, {}, {}
        self.look_for_scans()

    def _read_failed_folder(self, exc) -> None:
        self.show_message(f"未能设置扫描文件夹：{exc}")


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(size // 1024, 1)} KB"


def take_scans(data_dir: DataDir, paths: list[Path]) -> list[str]:
    """After the save (worker): move the attached scans out of the scan folder; the problems
    as Chinese warnings (the case is saved whatever happens here)."""
    from xinfang_desk.core.errors import XinfangError
    from xinfang_desk.core.papers import scan_folder

    problems = []
    for path in paths:
        try:
            scan_folder.take(data_dir, path)
        except XinfangError as exc:
            problems.append(str(exc))
    return problems
