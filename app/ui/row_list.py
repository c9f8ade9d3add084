"""A list of many one-line rows (warnings, critical answers) held as plain tuples in a model:
a large school has thousands, and an item object per line cost the window tens of MB."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

PAYLOAD = Qt.ItemDataRole.UserRole
Row = tuple[str, object]  # the line shown, what activating it means (a student or alert id)


class _Rows(QAbstractListModel):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []
        self.background: QColor | None = None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        text, payload = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return text
        if role == PAYLOAD:
            return payload
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.background
        return None

    def replace(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()


class RowList(QListView):
    """Double-click or Enter on a row emits what the row stands for."""

    row_activated = Signal(object)

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setUniformItemSizes(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._rows = _Rows(self)
        self.setModel(self._rows)
        self.activated.connect(lambda index: self.row_activated.emit(index.data(PAYLOAD)))

    def set_rows(self, rows: list[Row], background: QColor | None = None) -> None:
        self._rows.background = background
        self._rows.replace(rows)

    def count(self) -> int:
        return len(self._rows.rows)

    def text(self, row: int) -> str:
        return self._rows.rows[row][0]

    def current(self) -> Row | None:
        """The selected row, else the first (the one a person pressing a button means)."""
        rows = self._rows.rows
        if not rows:
            return None
        index = self.currentIndex()
        return rows[index.row()] if index.isValid() and index.row() < len(rows) else rows[0]
