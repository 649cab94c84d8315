"""Alert queue: the incidents a car has received, newest first, unacknowledged highlighted."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from console.domain.alert import Alert, Review
from console.domain.dispatch import dispatch_summary

__all__ = ["AlertQueueModel", "QueueRow"]

ROW_HEIGHT = 76
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class QueueRow:
    alert: Alert
    acknowledged: bool = False


class AlertQueueModel(QAbstractListModel):
    """One row per incident (its newest revision), sorted by first-shot time, newest first."""

    IdRole = Qt.ItemDataRole.UserRole + 1
    AlertRole = Qt.ItemDataRole.UserRole + 2
    AcknowledgedRole = Qt.ItemDataRole.UserRole + 3

    def __init__(self, parent: Any = None, *, theme: str = "day") -> None:
        super().__init__(parent)
        self._rows: list[QueueRow] = []
        self._keys: list[tuple[float, str]] = []  # sort keys of _rows, for bisect
        self._theme = theme

    # -- Qt model API -----------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        alert = row.alert
        if role == Qt.ItemDataRole.DisplayRole:
            return self.row_text(row)
        if role == self.IdRole:
            return alert.id
        if role == self.AlertRole:
            return alert
        if role == self.AcknowledgedRole:
            return row.acknowledged
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(200, ROW_HEIGHT)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setPointSize(12)
            font.setBold(not row.acknowledged)
            return font
        if role == Qt.ItemDataRole.BackgroundRole and not row.acknowledged:
            return QBrush(QColor("#5a1d1d" if self._theme == "night" else "#ffd9cf"))
        if role == Qt.ItemDataRole.ForegroundRole and alert.review is Review.CANCELLED:
            return QBrush(QColor("#888888"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return dispatch_summary(alert).text
        return None

    # -- updates ----------------------------------------------------------------------
    @staticmethod
    def row_text(row: QueueRow) -> str:
        alert = row.alert
        summary = dispatch_summary(alert)
        mark = "" if row.acknowledged else "● "
        when = alert.time.astimezone().strftime("%H:%M:%S")
        where = alert.address or f"{alert.location.lat:.4f}, {alert.location.lon:.4f}"
        return f"{mark}{summary.type_code} P{summary.priority}  {when}  {alert.id}\n" \
               f"{summary.type_text} · {where}"

    def set_theme(self, theme: str) -> None:
        self._theme = theme
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def set_rows(self, rows: list[QueueRow]) -> None:
        self.beginResetModel()
        self._rows = sorted(rows, key=self._key)
        self._keys = [self._key(r) for r in self._rows]
        self.endResetModel()

    def upsert(self, alert: Alert, acknowledged: bool | None = None) -> bool:
        """Insert or update an incident by id; returns True when it is new."""
        pos = self.row_of(alert.id)
        if pos is not None:
            old = self._rows[pos]
            if alert.revision < old.alert.revision:
                return False
            ack = old.acknowledged if acknowledged is None else acknowledged
            row = QueueRow(alert, ack)
            if self._key(row) == self._keys[pos]:  # same place: update in place
                self._rows[pos] = row
                self.dataChanged.emit(self.index(pos), self.index(pos))
                return False
            self.beginRemoveRows(QModelIndex(), pos, pos)
            del self._rows[pos]
            del self._keys[pos]
            self.endRemoveRows()
            self._insert(row)
            return False
        self._insert(QueueRow(alert, bool(acknowledged)))
        return True

    def _insert(self, row: QueueRow) -> None:
        key = self._key(row)
        pos = bisect.bisect_right(self._keys, key)
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._rows.insert(pos, row)
        self._keys.insert(pos, key)
        self.endInsertRows()

    def set_acknowledged(self, incident_id: str) -> None:
        pos = self.row_of(incident_id)
        if pos is None:
            return
        self._rows[pos] = replace(self._rows[pos], acknowledged=True)
        self.dataChanged.emit(self.index(pos), self.index(pos))

    # -- queries ----------------------------------------------------------------------
    @staticmethod
    def _key(row: QueueRow) -> tuple[float, str]:
        return (-row.alert.time.timestamp(), row.alert.id)

    def row_of(self, incident_id: str) -> int | None:
        for pos, row in enumerate(self._rows):  # a list scan: ~50 µs at 1,000 rows
            if row.alert.id == incident_id:
                return pos
        return None

    def row_at(self, pos: int) -> QueueRow:
        return self._rows[pos]

    def rows(self) -> list[QueueRow]:
        return list(self._rows)

    def ids(self) -> list[str]:
        return [r.alert.id for r in self._rows]

    def newest_unacknowledged(self) -> QueueRow | None:
        return next((r for r in self._rows if not r.acknowledged
                     and r.alert.review is not Review.CANCELLED), None)
