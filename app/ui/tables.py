"""One look for every table: rows selected whole, read-only unless said, alternating shades,
columns as wide as their contents and the column of free words taking the rest of the width."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

CONTENT_ROWS = 60  # rows read to size a column to its contents
ALL = "all"  # a small summary (counts per class): the columns share the width evenly


def setup_table(
    table: QTableView, *, stretch: int | str | None = -1, editable: bool = False
) -> QTableView:
    """`stretch` is the column that takes the spare width (-1: the last; ALL: every column
    evenly; None: sized by hand)."""
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if not editable:
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    header = table.horizontalHeader()
    header.setMinimumSectionSize(48)
    # Column widths from the first rows only: Qt's default reads 1,000 rows of every column
    # through the Python model on each reset — half a second of frozen window for a school's
    # roster refreshed after an import (bench/stalls.py).
    header.setResizeContentsPrecision(CONTENT_ROWS)
    if stretch is None:
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        return table
    header.setStretchLastSection(False)
    if stretch == ALL:
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        return table
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    count = table.model().columnCount() if table.model() is not None else 0
    if count:
        header.setSectionResizeMode(stretch % count, QHeaderView.ResizeMode.Stretch)
    return table
