"""The read-only, one-row-at-a-time table the settings and library pages list things in,
and the small helpers those pages share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QPushButton, QTableView, QTableWidget

T = TypeVar("T")


def row_table(columns: list[str] | tuple[str, ...], object_name: str) -> QTableWidget:
    """A QTableWidget with these headers: whole rows selected, one at a time, not editable in
    place (changes go through the page's buttons and the core), no row numbers."""
    table = QTableWidget(0, len(columns))
    table.setObjectName(object_name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    return table


def selected_item(table: QTableView, items: Sequence[T]) -> T | None:
    """The item shown in the table's selected row (rows are in `items` order), or None."""
    rows = table.selectionModel().selectedRows()
    if not rows or rows[0].row() >= len(items):
        return None
    return items[rows[0].row()]


def action_button(text: str, name: str, slot: Callable[[], object]) -> QPushButton:
    """A named push button that calls `slot()` (without Qt's `checked` argument)."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(lambda _checked=False: slot())
    return button


def select_first(table: QTableView, items: Sequence[T], matches: Callable[[T], bool]) -> bool:
    """Select the first row whose item (rows are in `items` order) matches; False if none."""
    for row, item in enumerate(items):
        if matches(item):
            table.selectRow(row)
            return True
    return False


def open_only(owner, dialog, attr: str = "dialog") -> None:
    """Open `dialog` as the owner's only one of its kind (kept in `owner.<attr>`): a previous
    one is closed first; the dialog is forgotten and deleted once it closes."""
    previous = getattr(owner, attr)
    if previous is not None:
        previous.close()
    setattr(owner, attr, dialog)

    def closed(_result: int) -> None:
        if getattr(owner, attr) is dialog:
            setattr(owner, attr, None)
        dialog.deleteLater()

    dialog.finished.connect(closed)
    dialog.open()


def search_box(name: str, placeholder: str, on_search: Callable[[], object],
               delay_ms: int) -> tuple[QLineEdit, QTimer]:
    """A search line that runs `on_search` after a pause in typing (each keystroke restarts the
    wait, so one query runs) or at once on Enter, and its timer (stop it when the search runs
    for another reason)."""
    box = QLineEdit()
    box.setObjectName(name)
    box.setPlaceholderText(placeholder)
    box.setClearButtonEnabled(True)
    pause = QTimer(box)
    pause.setSingleShot(True)
    pause.setInterval(delay_ms)
    pause.timeout.connect(on_search)
    box.textChanged.connect(lambda _text: pause.start())
    box.returnPressed.connect(on_search)
    return box, pause
