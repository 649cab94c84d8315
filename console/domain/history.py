"""Incident history rules: what an incident's events say about it, as searchable figures.

The desk searches and counts incidents by status, disposition and response times. These
follow from the incident's unit events (status, canvass, note); :func:`summarize_events`
folds them into one :class:`IncidentFigures`, which the store keeps on the incident row
so that a search over years of incidents reads columns instead of replaying events.

Contents: :class:`IncidentFigures`, :func:`summarize_events`, :func:`search_text`,
:func:`text_terms`, :func:`quantile` and :func:`quantiles`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from console.domain.events import EventKind, IncidentStatus, UnitEvent
from console.domain.workflow import Disposition, fold_status

__all__ = ["MAX_SEARCH_TEXT", "IncidentFigures", "quantile", "quantiles", "search_text",
           "summarize_events", "text_terms"]

#: Longest search text kept per incident (characters); the rest is not searchable.
MAX_SEARCH_TEXT = 20_000
_ORDER: tuple[IncidentStatus, ...] = tuple(IncidentStatus)


@dataclass(frozen=True, slots=True)
class IncidentFigures:
    """An incident's state as its events tell it (all None / False with no events).

    ``status``        the most advanced current status of any unit (undone changes
                      do not count); None when no unit posted a status.
    ``disposition``   the disposition of the most recent clear that was not undone.
    ``dispatched_at`` the earlier of ``first_received`` (the alert reached the console)
                      and the first ``dispatched`` status of any unit.
    ``en_route_at`` / ``on_scene_at`` / ``cleared_at``
                      the first time any unit reached that state (not undone).
    ``en_route_s`` / ``on_scene_s``
                      seconds from ``dispatched_at`` to ``en_route_at`` / ``on_scene_at``;
                      None when either is missing or the interval would be negative.
    ``canvassed``     at least one canvass visit (door) was recorded.
    ``evidence_found`` an evidence item was recorded, a door's outcome was
                      ``evidence_found``, or a clear not undone had that disposition.
    ``notes``         the texts of ``note`` events, oldest first.
    """

    status: str | None = None
    disposition: str | None = None
    dispatched_at: datetime | None = None
    en_route_at: datetime | None = None
    on_scene_at: datetime | None = None
    cleared_at: datetime | None = None
    en_route_s: float | None = None
    on_scene_s: float | None = None
    canvassed: bool = False
    evidence_found: bool = False
    notes: tuple[str, ...] = ()


def _first_reached(events: Sequence[UnitEvent]) -> dict[IncidentStatus, datetime]:
    """Per state, the first time any unit reached it by a change that was not undone."""
    undone = {str(e.data["undoes"]) for e in events if e.data.get("undoes")}
    first: dict[IncidentStatus, datetime] = {}
    for e in events:
        if e.event_id in undone or e.data.get("undoes"):
            continue
        status = IncidentStatus(str(e.data["status"]))
        if status not in first or e.at < first[status]:
            first[status] = e.at
    return first


def _seconds(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None or b < a:
        return None
    return (b - a).total_seconds()


def _canvass_flags(events: Iterable[UnitEvent]) -> tuple[bool, bool]:
    canvassed = evidence = False
    for e in events:
        record = e.data.get("record")
        if record == "visit":
            canvassed = True
            evidence = evidence or e.data.get("result") == "evidence_found"
        elif record == "evidence":
            evidence = True
    return canvassed, evidence


def summarize_events(events: Iterable[UnitEvent], *,
                     first_received: datetime | None = None) -> IncidentFigures:
    """Fold an incident's unit events (any order, duplicates ignored) into its figures."""
    unique = list({e.event_id: e for e in events}.values())
    by_kind: dict[EventKind, list[UnitEvent]] = {k: [] for k in EventKind}
    for e in unique:
        by_kind[e.kind].append(e)
    state = fold_status(by_kind[EventKind.STATUS])
    live = [s for s in state.entries if not s.undone and s.undoes is None]
    status = max((u.status for u in state.units.values()), key=_ORDER.index, default=None)
    clears = [s for s in live if s.status is IncidentStatus.CLEAR]
    disposition = clears[-1].disposition if clears else None
    first = _first_reached([s.event for s in live])
    starts = [t for t in (first_received, first.get(IncidentStatus.DISPATCHED)) if t]
    dispatched = min(starts) if starts else None
    en_route, on_scene = first.get(IncidentStatus.EN_ROUTE), first.get(IncidentStatus.ON_SCENE)
    canvassed, evidence = _canvass_flags(by_kind[EventKind.CANVASS])
    evidence = evidence or any(s.disposition == Disposition.EVIDENCE_FOUND for s in clears)
    notes = tuple(str(e.data["text"]) for e in sorted(by_kind[EventKind.NOTE],
                                                      key=lambda e: (e.at, e.event_id)))
    return IncidentFigures(
        status=None if status is None else str(status), disposition=disposition,
        dispatched_at=dispatched, en_route_at=en_route, on_scene_at=on_scene,
        cleared_at=first.get(IncidentStatus.CLEAR),
        en_route_s=_seconds(dispatched, en_route), on_scene_s=_seconds(dispatched, on_scene),
        canvassed=canvassed, evidence_found=evidence, notes=notes)


def search_text(*parts: str | None) -> str:
    """The lower-cased text a free-text search looks in (parts joined by new lines)."""
    text = "\n".join(p.strip() for p in parts if p and p.strip()).lower()
    return text[:MAX_SEARCH_TEXT]


def text_terms(text: str) -> tuple[str, ...]:
    """The words of a free-text query, lower-cased; every one must occur (AND)."""
    return tuple(dict.fromkeys(w for w in text.lower().split() if w))


def quantile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) of ``values`` by linear interpolation between ranks.

    With the values sorted as v[0] <= ... <= v[n-1], the quantile is taken at position
    h = (n - 1) q: v[floor(h)] + (h - floor(h)) (v[floor(h) + 1] - v[floor(h)]).
    The median is q = 0.5, p90 is q = 0.9. None for no values.
    """
    return quantiles(values, (q,))[0]


def quantiles(values: Sequence[float], qs: Sequence[float]) -> tuple[float | None, ...]:
    """:func:`quantile` for each of ``qs``, sorting ``values`` once."""
    for q in qs:
        if not 0.0 <= q <= 1.0:
            raise ValueError(f"quantile q must be in [0, 1], got {q!r}")
    if not values:
        return tuple(None for _ in qs)
    v = sorted(values)
    out = []
    for q in qs:
        h = (len(v) - 1) * q
        lo = math.floor(h)
        hi = min(lo + 1, len(v) - 1)
        out.append(float(v[lo] + (h - lo) * (v[hi] - v[lo])))
    return tuple(out)
