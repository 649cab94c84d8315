"""List models of the incident's status timeline and of its dispatch supplements.

Status rows: time, unit, state (struck through when undone), delivery mark: ◷ pending
(stored, not yet acknowledged by the server), ✓ sent, ⚠ failed, ⇄ relayed by the feed.
Supplements: time, source, kind, text; victim-confirmed first, red and bold.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from console.domain.alert import Supplement, SupplementKind
from console.domain.workflow import LABELS, Disposition, StatusEntry

__all__ = ["DELIVERY_MARKS", "StatusTimelineModel", "SupplementsModel"]

# no-break spaces: a mark wraps to the next line whole, never split from its word
DELIVERY_MARKS = {"pending": "◷\u00a0pending", "sent": "✓\u00a0sent",
                  "failed": "⚠\u00a0failed", None: "⇄\u00a0feed"}
_Index = QModelIndex | QPersistentModelIndex
_DISPOSITIONS = {d: d.value.replace("_", " ") for d in Disposition}


def _hms(t: datetime) -> str:
    return t.astimezone().strftime("%H:%M:%S")


class StatusTimelineModel(QAbstractListModel):
    """Status changes of every unit, newest first; ``delivery`` maps event_id to state."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[StatusEntry, str | None]] = []

    def set_entries(self, entries: Sequence[StatusEntry],
                    delivery: dict[str, str | None]) -> None:
        self.beginResetModel()
        self._rows = [(e, delivery.get(e.event.event_id)) for e in reversed(entries)]
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def row_text(self, row: int) -> str:
        entry, delivery = self._rows[row]
        what = LABELS[entry.status]
        if entry.disposition:
            what += f" — {_DISPOSITIONS.get(Disposition(entry.disposition), entry.disposition)}"
        if entry.undoes:
            what = f"↶ undo (back to {LABELS[entry.status]})"
        if entry.undone:
            what += " (undone)"
        return f"{_hms(entry.event.at)}  {entry.event.unit}  {what}  {DELIVERY_MARKS[delivery]}"

    def delivery(self, row: int) -> str | None:
        return self._rows[row][1]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        entry, delivery = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.row_text(index.row())
        if role == Qt.ItemDataRole.FontRole and entry.undone:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            if delivery == "pending":
                return QColor("#b26a00")
            if delivery == "failed":
                return QColor("#c62828")
            if entry.undone:
                return QColor("#888888")
        if role == Qt.ItemDataRole.ToolTipRole:
            return {"pending": "stored in the car; not yet acknowledged by the server",
                    "sent": "acknowledged by the server", "failed": "refused by the server",
                    None: "another unit's change, relayed by the feed"}[delivery]
        return None


class SupplementsModel(QAbstractListModel):
    """Dispatch supplements: victim-confirmed first (newest first), then the rest by time."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Supplement] = []

    def set_supplements(self, items: Sequence[Supplement]) -> None:
        victims = sorted((s for s in items if s.kind is SupplementKind.VICTIM_CONFIRMED),
                         key=lambda s: s.at, reverse=True)
        rest = sorted((s for s in items if s.kind is not SupplementKind.VICTIM_CONFIRMED),
                      key=lambda s: s.at, reverse=True)
        self.beginResetModel()
        self._rows = victims + rest
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def is_prominent(self, row: int) -> bool:
        return self._rows[row].kind is SupplementKind.VICTIM_CONFIRMED

    def row_text(self, row: int) -> str:
        s = self._rows[row]
        kind = str(s.kind).replace("_", " ")
        kind = kind.upper() if self.is_prominent(row) else kind
        return f"{_hms(s.at)}  dispatch  {kind}: {s.text}"

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.row_text(row)
        if self.is_prominent(row):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor("#c62828")
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                font.setPointSizeF(font.pointSizeF() * 1.15)
                return font
        return None
