"""The read-only, one-row-at-a-time table the settings and library pages list things in,
and the small helpers those pages share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtWidgets import QAbstractItemView, QPushButton, QTableView, QTableWidget

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
