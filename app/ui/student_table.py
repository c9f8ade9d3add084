"""The student list model: rows come from SQL a page at a time; sorting is done by the query."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.i18n import N_, _
from app.risk.levels import level, level_name
from app.services.students import GENDER_LABELS, STATUS_LABELS, StudentRow

PAGE = 500
_ROOT = QModelIndex()
COLUMNS = (
    ("student_no", "student_no"),
    ("name", "name"),
    ("gender", "gender"),
    ("class", "class"),
    ("status", "status"),
    ("birth_date", "birth_date"),
)
RISK_COLUMN = ("risk", "risk")  # for those who may see warnings only
HEADERS = {
    "student_no": N_("Student number (学籍号)"),
    "name": N_("Name"),
    "gender": N_("Gender"),
    "class": N_("Grade and class"),
    "status": N_("Status"),
    "birth_date": N_("Birth date"),
    "risk": N_("Warning"),
}

# sort, descending, offset, limit, and where to deliver the rows once read (in the lane)
Fetch = Callable[[str, bool, int, int, Callable[[list[StudentRow]], None]], None]


class StudentTableModel(QAbstractTableModel):
    """The first page and the count are given (`replace`, read in the lane by the page); a
    sort asks the page for them again (`resort`); further pages are asked for as Qt scrolls
    and appended when they arrive (one at a time; a page arriving after a new list is dropped)."""

    def __init__(
        self, fetch: Fetch, resort: Callable[[], None], parent=None, *, risk: bool = False
    ) -> None:
        super().__init__(parent)
        self.columns = (*COLUMNS, RISK_COLUMN) if risk else COLUMNS
        self._fetch = fetch
        self._resort = resort
        self._rows: list[StudentRow] = []
        self._total = 0
        self._generation = 0
        self._fetching = False
        self._sort = "class"
        self._descending = False
        self._labels = {k: _(v) for k, v in HEADERS.items()}
        self._genders = {k: _(v) for k, v in GENDER_LABELS.items()}
        self._statuses = {k: _(v) for k, v in STATUS_LABELS.items()}
        self._shades: dict[str, QBrush] = {}
        self.levels: dict[str, str] = {}  # student id → open warning level (the 预警 column)

    def clear(self) -> None:
        self.replace(0, [])

    @property
    def total(self) -> int:
        return self._total

    def row_at(self, row: int) -> StudentRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent=_ROOT) -> bool:
        return not parent.isValid() and not self._fetching and len(self._rows) < self._total

    def fetchMore(self, parent=_ROOT) -> None:
        if self._fetching:
            return
        self._fetching = True
        generation = self._generation

        def arrived(more: list[StudentRow]) -> None:
            if generation != self._generation:
                return
            self._fetching = False
            if not more:
                self._total = len(self._rows)
                return
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(more) - 1)
            self._rows.extend(more)
            self.endInsertRows()

        self._fetch(self._sort, self._descending, len(self._rows), PAGE, arrived)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._labels[self.columns[section][0]]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        key = self.columns[index.column()][0]
        if key == "risk":
            lv = self.levels.get(r.id)
            if role == Qt.ItemDataRole.BackgroundRole and lv:
                return self._shades.setdefault(lv, QBrush(QColor(level(lv).background)))
            return level_name(lv) if lv and role == Qt.ItemDataRole.DisplayRole else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if key == "student_no":
            return r.student_no
        if key == "name":
            return r.name
        if key == "gender":
            return self._genders.get(r.gender or "", "")
        if key == "class":
            return f"{r.grade}{r.class_name}"
        if key == "status":
            return self._statuses.get(r.status, r.status)
        return r.birth_date.isoformat() if r.birth_date else ""

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self._sort = self.columns[column][1]
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._resort()

    @property
    def order(self) -> tuple[str, bool]:
        return self._sort, self._descending

    def set_levels(self, levels: dict[str, str]) -> None:
        self.levels = levels
        if self._rows and len(self.columns) > len(COLUMNS):
            column = len(self.columns) - 1
            self.dataChanged.emit(self.index(0, column), self.index(len(self._rows) - 1, column))

    def replace(self, total: int, rows: list[StudentRow]) -> None:
        """The first page and the count, read elsewhere (the page reads them in the lane)."""
        self.beginResetModel()
        self._generation += 1
        self._fetching = False
        self._total, self._rows = total, rows
        self.endResetModel()
