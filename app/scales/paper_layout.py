"""Where an item sits on the printed answer sheet: rows of ten boxes, numbered in reading order.

The reconciliation view names the cell to look at on the paper, so the layout the sheet is
printed with and the reference the counselor reads must be the same rule."""

from __future__ import annotations

from app.i18n import _

SHEET_COLUMNS = 10


def cell_position(item: int, columns: int = SHEET_COLUMNS) -> tuple[int, int]:
    """(row, column), both from 1, of `item` on the printed grid."""
    return (item - 1) // columns + 1, (item - 1) % columns + 1


def cell_reference(item: int, columns: int = SHEET_COLUMNS) -> str:
    row, column = cell_position(item, columns)
    return _("row {row}, box {column}").format(row=row, column=column)
