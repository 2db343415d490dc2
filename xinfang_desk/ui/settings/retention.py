"""清理过期数据 (个人信息保护法 第十九条、第四十七条): the closed cases past the retention period,
deleted or anonymised by the administrator after a confirmation (core.cases.retention).

The dialog lists the due cases (number, dates, class: no names, no matter text), lets the
administrator choose 删除 or 匿名化, asks once more, and purges exactly the listed cases on the
worker thread; the core's summary is shown and the list reloaded.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from xinfang_desk.ui.widgets.forms import ERROR_STYLE, HINT_STYLE
from xinfang_desk.ui.widgets.tasks import TaskRunner

OK_STYLE = "color:#2e7d32"
COLUMNS = ("事项编号", "登记日期", "办结日期", "类别")
MODE_TEXT = {
    "delete": ("删除", "事项、办理记录以及只与这些事项有关的信访人个人信息全部删除，统计报表中不再计入。"),
    "anonymise": ("匿名化", "保留日期、类别、承办单位、办理结果等统计所需内容，报表照常计入；"
                             "事项的文字内容和信访人的个人信息全部清除。"),
}


def _load(today: dt.date | None):
    """Worker thread: (retention years, cutoff, due cases)."""
    from xinfang_desk.core.cases import retention

    day = today or dt.date.today()
    due = retention.purge_candidates(day)  # needs `purge`
    years = retention.retention_years()
    return years, retention.cutoff_date(day, years), due


class PurgeDialog(QDialog):
    sig_loaded = Signal()
    sig_purged = Signal(object)
    """The purge finished: the core's PurgeReport."""
    sig_failed = Signal(str)

    def __init__(self, tasks: TaskRunner, *, today: dt.date | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("purgeDialog")
        self.setWindowTitle("清理过期数据")
        self._tasks, self.today = tasks, today
        self.candidates: list = []
        self.confirm_box: QMessageBox | None = None
        self.busy = False

        self.intro = QLabel("正在查找超过保存年限的办结事项……")
        self.intro.setObjectName("purgeIntro")
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("purgeTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

        self.modes = QButtonGroup(self)
        self.mode_buttons: dict[str, QRadioButton] = {}
        mode_box = QVBoxLayout()
        for code, (label, text) in MODE_TEXT.items():
            button = QRadioButton(f"{label}：{text}")
            button.setObjectName(f"purgeMode_{code}")
            self.modes.addButton(button)
            self.mode_buttons[code] = button
            mode_box.addWidget(button)
        self.mode_buttons["delete"].setChecked(True)
        warning = QLabel("清理不可撤销。此前的备份仍含这些数据：请按单位规定一并处理过期的备份文件。")
        warning.setWordWrap(True)
        warning.setStyleSheet(HINT_STYLE)

        self.progress = QProgressBar()
        self.progress.setObjectName("purgeProgress")
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(12)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.message = QLabel("")
        self.message.setObjectName("purgeMessage")
        self.message.setWordWrap(True)

        self.purge_button = QPushButton("清理…")
        self.purge_button.setObjectName("purgeRunButton")
        self.purge_button.setEnabled(False)
        self.purge_button.clicked.connect(self.ask)
        close = QPushButton("关闭")
        close.setObjectName("purgeCloseButton")
        close.clicked.connect(self.reject)
        self.progress.setMaximumWidth(240)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress)
        buttons.addStretch(1)
        buttons.addWidget(self.purge_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel("清理方式："))
        layout.addLayout(mode_box)
        layout.addWidget(warning)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(760, 560)

    # ------------------------------------------------------------------ loading

    def _later(self, fn, on_done) -> None:
        """tasks.run, delivering only while the dialog exists."""
        self._tasks.run_for((self, self.table), fn, on_done, self._failed)

    def load(self) -> None:
        today = self.today
        self._set_busy(True)
        self._later(lambda: _load(today), self._loaded)

    def _loaded(self, result) -> None:
        self._set_busy(False)
        years, cutoff, due = result
        self.candidates = list(due)
        if due:
            self.intro.setText(f"保存年限 {years} 年：办结于 {cutoff:%Y-%m-%d} 之前的事项共 "
                               f"{len(due)} 件，可以清理。")
        else:
            self.intro.setText(f"保存年限 {years} 年：没有办结于 {cutoff:%Y-%m-%d} 之前的事项，"
                               "无需清理。")
        self.table.setRowCount(len(due))
        for row, c in enumerate(due):
            values = (c.case_no, f"{c.received_on:%Y-%m-%d}", f"{c.closed_on:%Y-%m-%d}",
                      c.category)
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))
        self.purge_button.setEnabled(bool(due))
        self.sig_loaded.emit()

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        self.purge_button.setEnabled(bool(self.candidates))
        self.show_message(str(exc), error=True)
        self.sig_failed.emit(str(exc))

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        self.purge_button.setEnabled(not busy and bool(self.candidates))

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message.setText(text)

    def mode(self) -> str:
        for code, button in self.mode_buttons.items():
            if button.isChecked():
                return code
        return "delete"

    # ------------------------------------------------------------------ purge

    def ask(self) -> None:
        if not self.candidates or self.busy:
            return
        mode = self.mode()
        label, effect = MODE_TEXT[mode]
        box = QMessageBox(QMessageBox.Icon.Warning, "确认清理",
                          f"将{label}列出的 {len(self.candidates)} 件事项。\n\n{effect}\n\n"
                          "此操作不可撤销。确定清理吗？", parent=self)
        box.setObjectName("purgeConfirm")
        box.setStyleSheet("QLabel#qt_msgbox_label{min-width:420px}")
        self.confirm_yes = box.addButton(f"确定{label}", QMessageBox.ButtonRole.AcceptRole)
        no = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(no)
        box.finished.connect(lambda _r, b=box: self._answered(b))
        self.confirm_box = box
        box.open()

    def _answered(self, box: QMessageBox) -> None:
        yes = box.clickedButton() is self.confirm_yes
        self.confirm_box = None
        box.deleteLater()
        if yes:
            self.purge()

    def purge(self) -> None:
        """Purge exactly the listed cases (the core refuses any that is no longer due)."""
        from xinfang_desk.core.cases import retention

        nos, mode, today = [c.case_no for c in self.candidates], self.mode(), self.today
        self._set_busy(True)
        self.show_message("正在清理，请稍候……")
        self._later(lambda: retention.purge(nos, mode=mode, today=today), self._purged)

    def _purged(self, report) -> None:
        self._set_busy(False)
        self.show_message(report.summary)
        self.sig_purged.emit(report)
        self.load()
