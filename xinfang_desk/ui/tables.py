"""The read-only, one-row-at-a-time table the settings pages list things in."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QTableWidget


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
