"""Table models of the incident page: rows of text built from a dossier, sortable.

:class:`RowsModel` is one read-only table model over rows of display strings (each with
its own sort key); the ``*_rows`` functions turn the parts of a
:class:`~console.services.dossier.Dossier` into such rows. None of them ever shows a
sensor's serial or position: the dossier holds none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from console.domain.audit import AuditEntry
from console.domain.canvass import EvidenceItem, Outcome
from console.domain.workflow import LABELS, ResponseTimes, StatusEntry
from console.services.dossier import RevisionSummary
from console.store.records import IncidentLinkRecord, VerificationRecord

__all__ = [
    "Row", "RowsModel", "audit_rows", "evidence_rows", "fmt_span", "fmt_time", "link_rows",
    "outcome_rows", "response_rows", "revision_rows", "verification_rows", "words",
]

_Index = QModelIndex | QPersistentModelIndex


def fmt_time(t: datetime | None) -> str:
    """Local time to the second, with the date (a desk looks years back)."""
    return "—" if t is None else t.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def fmt_span(span: timedelta | None) -> str:
    """``m:ss`` (``h:mm:ss`` past an hour); "—" when the state was not reached."""
    if span is None:
        return "—"
    total = int(round(span.total_seconds()))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def words(value: object) -> str:
    return "—" if value is None else str(value).replace("_", " ")


@dataclass(frozen=True, slots=True)
class Row:
    """Display texts of one row, their sort keys, and an optional text colour."""

    texts: tuple[str, ...]
    keys: tuple[Any, ...]
    colour: str | None = None


class RowsModel(QAbstractTableModel):
    """A read-only table of :class:`Row` under ``headers``."""

    def __init__(self, headers: Sequence[str], parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = tuple(headers)
        self._rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_texts(self) -> list[tuple[str, ...]]:
        return [r.texts for r in self._rows]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.headers)):
            return self.headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return row.texts[index.column()]
        if role == Qt.ItemDataRole.ForegroundRole and row.colour:
            return QColor(row.colour)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.headers):
            return
        self.layoutAboutToBeChanged.emit()
        self._rows.sort(key=lambda r: _sortable(r.keys[column]),
                        reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


def _sortable(key: Any) -> tuple[int, Any]:
    return (1, "") if key is None else (0, key)


def revision_rows(revisions: Sequence[RevisionSummary]) -> list[Row]:
    return [Row((str(r.revision), fmt_time(r.received_at), words(r.review), words(r.type),
                 f"{r.lat:.5f}, {r.lon:.5f} ±{r.uncertainty_m:g} m", words(r.rounds),
                 r.changes),
                (r.revision, r.received_at, r.review, r.type, (r.lat, r.lon), r.rounds,
                 r.changes)) for r in revisions]


def response_rows(responses: dict[str, ResponseTimes], timeline: Sequence[StatusEntry]
                  ) -> list[Row]:
    """One row per unit: its response intervals and where it is now."""
    now: dict[str, str] = {}
    for e in timeline:
        now[e.event.unit] = LABELS[e.status] + (f" ({words(e.disposition)})"
                                                if e.disposition else "")
    units = sorted(set(responses) | set(now))
    rows = []
    for unit in units:
        r = responses.get(unit)
        spans = (None, None, None) if r is None else (
            r.dispatch_to_en_route, r.en_route_to_on_scene, r.on_scene_to_clear)
        rows.append(Row((unit, *(fmt_span(s) for s in spans), now.get(unit, "—")),
                        (unit, *(None if s is None else s.total_seconds() for s in spans),
                         now.get(unit))))
    return rows


def outcome_rows(outcomes: dict[str, int]) -> list[Row]:
    """Doors by latest outcome, in the order of the canvass buttons."""
    order = {str(o): i for i, o in enumerate(Outcome)}
    items = sorted(outcomes.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))
    return [Row((Outcome(k).label if k in order else words(k), str(n)), (order.get(k, 99), n))
            for k, n in items]


def evidence_rows(items: Sequence[EvidenceItem]) -> list[Row]:
    return [Row((fmt_time(e.at), e.unit, words(e.kind), "" if e.count is None else str(e.count),
                 f"{e.lat:.5f}, {e.lon:.5f}", e.note or ""),
                (e.at, e.unit, str(e.kind), e.count, (e.lat, e.lon), e.note or ""))
            for e in items]


def link_rows(links: Sequence[IncidentLinkRecord]) -> list[Row]:
    return [Row((lk.related_id, words(lk.kind), fmt_time(lk.linked_at), lk.unit),
                (lk.related_id, lk.kind, lk.linked_at, lk.unit)) for lk in links]


def _pair(value: Any) -> str:
    if isinstance(value, dict):
        return f"{words(value.get('reported'))} / {words(value.get('computed'))}"
    return words(value)


def verification_rows(records: Sequence[VerificationRecord]) -> list[Row]:
    """Summaries only: who, when, from what, verdict, distance and counts."""
    rows = []
    for v in records:
        res = v.result
        dist = res.get("distance_m")
        rows.append(Row(
            (fmt_time(v.at), f"{v.user} ({v.role})", words(v.source), v.data_path,
             words(v.verdict), "—" if dist is None else f"{dist:g} m",
             _pair(res.get("rounds")), _pair(res.get("shooters")),
             "; ".join(str(r) for r in res.get("reasons") or ())),
            (v.at, v.user, v.source, v.data_path, v.verdict, dist, None, None, None),
            {"consistent": "#1b7f3b", "inconsistent": "#c62828"}.get(str(v.verdict))))
    return rows


def _details(details: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(details.items()))


def audit_rows(entries: Sequence[AuditEntry]) -> list[Row]:
    colours = {"denied": "#c62828", "failed": "#b26a00"}
    return [Row((str(e.seq), fmt_time(e.at), e.user, words(e.action), e.outcome,
                 _details(e.details)),
                (e.seq, e.at, e.user, e.action, e.outcome, _details(e.details)),
                colours.get(e.outcome)) for e in entries]
