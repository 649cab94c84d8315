"""``CanvassAddressModel``: the doors of a canvass in walking order, with outcome badges."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from console.domain.canvass import Outcome, address_label
from console.mappack import Address

__all__ = ["OUTCOME_COLOURS", "CanvassAddressModel"]

# The same colours as the map's address dots (resources/map/alert_map.js, canvass block).
OUTCOME_COLOURS = {
    Outcome.NO_ANSWER: "#8a8a8a", Outcome.CONTACTED_NO_INFO: "#0072b2",
    Outcome.HEARD_SHOTS: "#d55e00", Outcome.SAW_SOMETHING: "#cc79a7",
    Outcome.CAMERA_AVAILABLE: "#009e73", Outcome.EVIDENCE_FOUND: "#a4133c",
    Outcome.REFUSED: "#1b1b1b",
}
ROW_HEIGHT = 56  # a fingertip in a moving car
_BADGE_PX = 22


def _badge(colour: str | None) -> QIcon:
    """A filled dot in the outcome's colour, or a hollow ring for a door still to visit.

    The grey rim keeps both readable on the day and the night theme.
    """
    pix = QPixmap(_BADGE_PX, _BADGE_PX)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(QColor("#8a8a8a"), 2.0))
    p.setBrush(QColor(colour) if colour else Qt.BrushStyle.NoBrush)
    p.drawEllipse(3, 3, _BADGE_PX - 6, _BADGE_PX - 6)
    p.end()
    return QIcon(pix)

KeyRole = Qt.ItemDataRole.UserRole + 1
OutcomeRole = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


class CanvassAddressModel(QAbstractListModel):
    """One row per address; the badge is the address's latest outcome (none: to visit)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Address] = []
        self._outcomes: dict[str, Outcome] = {}
        self._badges: dict[Outcome | None, QIcon] = {}

    def set_addresses(self, addresses: tuple[Address, ...] | list[Address],
                      outcomes: dict[str, Outcome]) -> None:
        """Replace the rows; only changed badges are signalled when the doors stay the same."""
        if [a.id for a in addresses] == [a.id for a in self._rows]:
            changed = [i for i, a in enumerate(self._rows)
                       if outcomes.get(a.id) != self._outcomes.get(a.id)]
            self._outcomes = dict(outcomes)
            for i in changed:
                self.dataChanged.emit(self.index(i), self.index(i))
            return
        self.beginResetModel()
        self._rows, self._outcomes = list(addresses), dict(outcomes)
        self.endResetModel()

    def address_at(self, row: int) -> Address:
        return self._rows[row]

    def row_of(self, key: str) -> int | None:
        return next((i for i, a in enumerate(self._rows) if a.id == key), None)

    def next_unvisited(self, after: int) -> int | None:
        """The first door not yet visited after row ``after`` (wrapping around)."""
        n = len(self._rows)
        for step in range(1, n + 1):
            i = (after + step) % n
            if self._rows[i].id not in self._outcomes:
                return i
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        a = self._rows[index.row()]
        outcome = self._outcomes.get(a.id)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{address_label(a)}\n{outcome.label if outcome else '○ to visit'}"
        if role == Qt.ItemDataRole.DecorationRole:
            if outcome not in self._badges:
                self._badges[outcome] = _badge(OUTCOME_COLOURS[outcome] if outcome else None)
            return self._badges[outcome]
        if role == Qt.ItemDataRole.SizeHintRole:
            return QSize(0, ROW_HEIGHT)
        if role == KeyRole:
            return a.id
        if role == OutcomeRole:
            return None if outcome is None else str(outcome)
        return None
