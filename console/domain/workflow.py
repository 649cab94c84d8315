"""Officer status workflow: states, transitions, undo, per-unit state and response times.

A unit moves Dispatched → Acknowledged → En route → On scene → Clear; Clear carries a
disposition. Moving forward may skip states (a car already at the corner goes straight
to On scene); moving back happens only through an undo.

Undo is a compensating event, never a withdrawal: undoing event X posts a new ``status``
event whose ``data.status`` is the unit's status before X and whose ``data.undoes`` is
X's ``event_id``. Withdrawing X from the outbox would race the sender (X may already be
on the wire), and the record must stay complete; the compensating event works the same
whether X is still pending or long acknowledged, offline or not.

Contents: :class:`Disposition`, :func:`next_status`, :func:`check_transition`,
:func:`status_event`, :func:`undo_event`, :class:`UndoWindow`, :func:`fold_status`
(timeline entries and each unit's state) and :func:`response_times`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from console.domain.events import EventKind, IncidentStatus, UnitEvent, new_event

__all__ = [
    "Disposition", "ResponseTimes", "StatusEntry", "UndoWindow", "UnitState",
    "WorkflowError", "WorkflowState", "check_transition", "fold_status", "next_status",
    "response_times", "status_event", "undo_event",
]

S = IncidentStatus
ORDER: tuple[IncidentStatus, ...] = tuple(IncidentStatus)
LABELS: Mapping[IncidentStatus, str] = MappingProxyType({
    S.DISPATCHED: "Dispatched", S.ACKNOWLEDGED: "Acknowledged", S.EN_ROUTE: "En route",
    S.ON_SCENE: "On scene", S.CLEAR: "Clear"})


class Disposition(StrEnum):
    """How a unit cleared an incident."""

    SHOTS_CONFIRMED = "shots_confirmed"
    EVIDENCE_FOUND = "evidence_found"
    NO_EVIDENCE = "no_evidence"
    UNFOUNDED = "unfounded"
    OTHER = "other"


class WorkflowError(ValueError):
    """A status change the workflow does not allow."""


def next_status(current: IncidentStatus | None) -> IncidentStatus | None:
    """The state after ``current`` (None, i.e. not yet acted on, counts as Dispatched)."""
    pos = ORDER.index(current or S.DISPATCHED)
    return ORDER[pos + 1] if pos + 1 < len(ORDER) else None


def check_transition(current: IncidentStatus | None, new: IncidentStatus,
                     disposition: Disposition | str | None = None) -> None:
    """Raise :class:`WorkflowError` unless ``current`` → ``new`` is a forward move.

    Clear needs a disposition; no other state takes one.
    """
    here = ORDER.index(current or S.DISPATCHED)
    if ORDER.index(new) <= here:
        raise WorkflowError(f"cannot go from {current or S.DISPATCHED} to {new}; use undo")
    if new is S.CLEAR and disposition is None:
        raise WorkflowError("clearing needs a disposition")
    if new is S.CLEAR:
        Disposition(disposition)  # ValueError names the bad value
    elif disposition is not None:
        raise WorkflowError(f"only clear takes a disposition, not {new}")


def status_event(incident_id: str, unit: str, current: IncidentStatus | None,
                 new: IncidentStatus, *, disposition: Disposition | str | None = None,
                 at: datetime | None = None) -> UnitEvent:
    """A validated ``status`` event moving ``unit`` from ``current`` to ``new``."""
    check_transition(current, new, disposition)
    data: dict[str, str] = {"status": str(new)}
    if disposition is not None:
        data["disposition"] = str(Disposition(disposition))
    return new_event(incident_id, EventKind.STATUS, unit, data, at=at)


def undo_event(target: UnitEvent, previous: IncidentStatus | None, *,
               at: datetime | None = None) -> UnitEvent:
    """The compensating event of ``target``: back to ``previous``, naming what it undoes."""
    if target.kind is not EventKind.STATUS or "undoes" in target.data:
        raise WorkflowError("only a status change can be undone")
    return new_event(target.incident_id, EventKind.STATUS, target.unit,
                     {"status": str(previous or S.DISPATCHED), "undoes": target.event_id},
                     at=at)


class UndoWindow:
    """The last status change of this car, undoable for ``seconds`` after it was made."""

    def __init__(self, seconds: float = 5.0) -> None:
        if seconds <= 0:
            raise ValueError(f"seconds must be > 0, got {seconds}")
        self.seconds = seconds
        self._offer: tuple[UnitEvent, IncidentStatus | None, datetime] | None = None

    def offer(self, event: UnitEvent, previous: IncidentStatus | None, now: datetime) -> None:
        self._offer = (event, previous, now + timedelta(seconds=self.seconds))

    def remaining(self, now: datetime) -> float:
        """Seconds left to undo (0 when nothing is undoable)."""
        if self._offer is None:
            return 0.0
        return max(0.0, (self._offer[2] - now).total_seconds())

    def take(self, now: datetime) -> UnitEvent | None:
        """The compensating event if the window is still open (consumed), else None."""
        offer, self._offer = self._offer, None
        if offer is None or now >= offer[2]:
            return None
        return undo_event(offer[0], offer[1], at=now)

    def clear(self) -> None:
        self._offer = None

    @property
    def event(self) -> UnitEvent | None:
        """The change on offer (even if its time is up), without taking it."""
        return None if self._offer is None else self._offer[0]


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One status event in an incident's timeline; ``undone`` when later compensated."""

    event: UnitEvent
    status: IncidentStatus
    disposition: str | None
    undoes: str | None
    undone: bool


@dataclass(frozen=True, slots=True)
class UnitState:
    unit: str
    status: IncidentStatus
    since: datetime
    disposition: str | None


@dataclass(frozen=True, slots=True)
class WorkflowState:
    """Timeline (oldest first) and each unit's current state on one incident."""

    entries: tuple[StatusEntry, ...]
    units: Mapping[str, UnitState]

    def status_of(self, unit: str) -> IncidentStatus | None:
        state = self.units.get(unit)
        return None if state is None else state.status


def _order_key(e: UnitEvent) -> tuple[datetime, int, int, str]:
    # changes made in one tap share a time (acknowledged and en route): workflow order
    return (e.at, 1 if e.data.get("undoes") else 0,
            ORDER.index(IncidentStatus(str(e.data["status"]))), e.event_id)


def _status_events(events: Iterable[UnitEvent]) -> list[UnitEvent]:
    unique = {e.event_id: e for e in events if e.kind is EventKind.STATUS}
    return sorted(unique.values(), key=_order_key)


def fold_status(events: Iterable[UnitEvent]) -> WorkflowState:
    """Fold status events (local and relayed, any order, duplicates ignored) into state."""
    ordered = _status_events(events)
    undone = {str(e.data["undoes"]) for e in ordered if e.data.get("undoes")}
    units: dict[str, UnitState] = {}
    entries = []
    for e in ordered:
        status = IncidentStatus(str(e.data["status"]))
        disposition = e.data.get("disposition")
        undoes = e.data.get("undoes")
        entries.append(StatusEntry(e, status, None if disposition is None else str(disposition),
                                   None if undoes is None else str(undoes),
                                   e.event_id in undone))
        units[e.unit] = UnitState(e.unit, status, e.at,
                                  None if disposition is None else str(disposition))
    return WorkflowState(tuple(entries), MappingProxyType(units))


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """One unit's response intervals; None where a state was not (yet) reached."""

    unit: str
    dispatch_to_en_route: timedelta | None
    en_route_to_on_scene: timedelta | None
    on_scene_to_clear: timedelta | None


def _effective_times(events: list[UnitEvent]) -> dict[str, dict[IncidentStatus, datetime]]:
    """Per unit, the time each state was first reached by a change that was not undone."""
    undone = {str(e.data["undoes"]) for e in events if e.data.get("undoes")}
    reached: dict[str, dict[IncidentStatus, datetime]] = {}
    for e in events:
        if e.event_id in undone or e.data.get("undoes"):
            continue
        reached.setdefault(e.unit, {}).setdefault(IncidentStatus(str(e.data["status"])), e.at)
    return reached


def response_times(events: Iterable[UnitEvent], *,
                   dispatched_at: datetime | None = None) -> dict[str, ResponseTimes]:
    """Response times per unit from its status events (undone changes do not count).

    Dispatch is the unit's own ``dispatched`` event if it has one, else ``dispatched_at``
    (when the alert reached the car).
    """
    out = {}
    for unit, t in _effective_times(_status_events(events)).items():
        start = t.get(S.DISPATCHED, dispatched_at)
        out[unit] = ResponseTimes(unit, _span(start, t.get(S.EN_ROUTE)),
                                  _span(t.get(S.EN_ROUTE), t.get(S.ON_SCENE)),
                                  _span(t.get(S.ON_SCENE), t.get(S.CLEAR)))
    return out


def _span(a: datetime | None, b: datetime | None) -> timedelta | None:
    return None if a is None or b is None or b < a else b - a
