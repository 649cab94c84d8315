"""``HistoryTableModel``: search results (``IncidentSummary`` rows) for a sortable table.

Sorting all loaded rows happens here at once; when the search was cut at its limit the
view also asks the service for the matches in the new order (:attr:`sort_changed`), since
the first 5,000 by time are not the first 5,000 by address. Empty values sort last in
both directions, as the service sorts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

__all__ = ["COLUMNS", "HistoryTableModel", "label"]

#: (key, header); keys are the summary's fields and the service's sort keys.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("time", "Time"), ("id", "Incident"), ("type", "Type"), ("review", "Review"),
    ("address", "Address"), ("district", "District"), ("beat", "Beat"),
    ("rounds", "Rounds"), ("shooters", "Shooters"), ("status", "Status"),
    ("disposition", "Disposition"), ("source", "Source"),
)
_NUMERIC = frozenset({"rounds", "shooters"})
_Index = QModelIndex | QPersistentModelIndex


def label(code: str | None) -> str:
    """``"probable_gunfire"`` -> ``"Probable gunfire"`` (codes stay readable when unknown)."""
    if not code:
        return ""
    text = str(code).replace("_", " ")
    return text[:1].upper() + text[1:]


def _time_text(value: datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S")


class HistoryTableModel(QAbstractTableModel):
    """Rows of one search; ``Qt.UserRole`` on any cell gives the incident id."""

    #: (sort key, descending) after the user sorted by a column
    sort_changed = Signal(str, bool)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._row_of: dict[str, int] = {}
        self._total = 0
        self._sort = ("time", True)

    # -- contents ------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[Any], total: int | None = None) -> None:
        """Show ``rows`` (kept in the current sort order); ``total`` counts every match."""
        self.beginResetModel()
        self._rows = list(rows)
        self._total = len(self._rows) if total is None else int(total)
        self._sort_rows()
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([], 0)

    @property
    def total(self) -> int:
        return self._total

    @property
    def truncated(self) -> bool:
        """True when the search found more matches than the rows shown."""
        return self._total > len(self._rows)

    @property
    def sort_order(self) -> tuple[str, bool]:
        """``(key, descending)`` of the rows shown."""
        return self._sort

    def incident(self, row: int) -> Any:
        return self._rows[row]

    def row_of(self, incident_id: str) -> int | None:
        return self._row_of.get(incident_id)

    def ids(self) -> list[str]:
        return [r.id for r in self._rows]

    # -- Qt model ------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, key)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and key == "time":
            return row.time.isoformat()
        if role == Qt.ItemDataRole.TextAlignmentRole and key in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(row: Any, key: str) -> str:
        value = getattr(row, key)
        if value is None:
            return ""
        if key == "time":
            return _time_text(value)
        if key in ("type", "review", "status", "disposition", "source"):
            return label(value)
        return str(value)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = (COLUMNS[column][0], order == Qt.SortOrder.DescendingOrder)
        self.layoutAboutToBeChanged.emit()
        kept = self.persistentIndexList()  # selections follow their incidents
        ids = [(self._rows[i.row()].id, i.column()) for i in kept]
        self._sort_rows()
        self.changePersistentIndexList(
            kept, [self.index(self._row_of[i], c) for i, c in ids])
        self.layoutChanged.emit()
        self.sort_changed.emit(*self._sort)

    def _sort_rows(self) -> None:
        key, descending = self._sort
        present = [r for r in self._rows if getattr(r, key) is not None]
        empty = [r for r in self._rows if getattr(r, key) is None]
        present.sort(key=lambda r: r.id, reverse=descending)  # ties by id, as the service
        present.sort(key=lambda r: getattr(r, key), reverse=descending)
        self._rows = present + empty
        self._row_of = {r.id: i for i, r in enumerate(self._rows)}
