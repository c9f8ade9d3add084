"""A read-only table of many rows of short texts (the warning queue) held as tuples in a
model: a school-wide queue has thousands of rows, and a cell object each cost tens of MB."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class _Texts(QAbstractTableModel):
    def __init__(self, headers: list[str], parent: QWidget) -> None:
        super().__init__(parent)
        self.headers = headers
        self.rows: list[tuple[str, ...]] = []
        self.shades: list[QBrush | None] = []

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = 0) -> object:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.shades[index.row()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def replace(self, rows: list[tuple[str, ...]], shades: list[QBrush | None]) -> None:
        self.beginResetModel()
        self.rows, self.shades = rows, shades
        self.endResetModel()


class TextTable(QTableView):
    """Double-click or Enter on a row emits its number."""

    row_activated = Signal(int)

    def __init__(self, headers: list[str], object_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self._texts = _Texts(headers, self)
        self.setModel(self._texts)
        self.activated.connect(lambda index: self.row_activated.emit(index.row()))

    def set_rows(self, rows: list[tuple[str, ...]], shades: list[str | None]) -> None:
        """`shades`: each row's background colour (one brush per colour, shared)."""
        brushes: dict[str, QBrush] = {}
        self._texts.replace(
            rows,
            [brushes.setdefault(c, QBrush(QColor(c))) if c else None for c in shades],
        )

    def rowCount(self) -> int:
        return len(self._texts.rows)

    def text(self, row: int, column: int) -> str:
        return self._texts.rows[row][column]

    def currentRow(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else -1
