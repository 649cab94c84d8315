"""The incident columns the desk searches on, kept up to date inside the caller's session.

``incidents`` carries figures folded from the unit events (status, disposition, response
times, canvass and evidence flags) and a lower-cased search text (id, address, district,
beat, notes, supplements, note events). :func:`refresh` recomputes them for one incident
from the rows that are the record (its alert payload, first revision and unit events); the
store calls it whenever an alert or a unit event of the incident is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.events import parse_event
from console.domain.history import IncidentFigures, search_text, summarize_events
from console.store.models import AlertRevision, Incident, UnitEventRow

__all__ = ["apply_figures", "payload_texts", "refresh", "refresh_many", "row_search_text"]


def payload_texts(payload: Mapping[str, Any] | None) -> list[str]:
    """The free texts of an alert payload: its notes and its supplements' texts."""
    if not isinstance(payload, Mapping):
        return []
    texts = [payload.get("notes")]
    for sup in payload.get("supplements") or ():
        if isinstance(sup, Mapping):
            texts.append(sup.get("text"))
    return [t for t in texts if isinstance(t, str)]


def row_search_text(row: Mapping[str, Any], notes: Iterable[str] = ()) -> str:
    """Search text of an incident row given as a mapping of its columns."""
    return search_text(row.get("id"), row.get("address"), row.get("district"),
                       row.get("beat"), *payload_texts(row.get("payload")), *notes)


def apply_figures(row: Incident, figures: IncidentFigures) -> None:
    """Copy ``figures`` onto an incident row and rebuild its search text."""
    row.status, row.disposition = figures.status, figures.disposition
    row.dispatched_at, row.en_route_at = figures.dispatched_at, figures.en_route_at
    row.on_scene_at, row.cleared_at = figures.on_scene_at, figures.cleared_at
    row.en_route_s, row.on_scene_s = figures.en_route_s, figures.on_scene_s
    row.canvassed, row.evidence_found = figures.canvassed, figures.evidence_found
    row.search_text = row_search_text(
        {"id": row.id, "address": row.address, "district": row.district, "beat": row.beat,
         "payload": row.payload}, figures.notes)


def _first_received(s: Session, incident_id: str) -> datetime | None:
    return s.scalar(select(func.min(AlertRevision.received_at))
                    .where(AlertRevision.incident_id == incident_id))


def refresh(s: Session, incident_id: str) -> bool:
    """Recompute the searchable columns of one incident; False when it is not stored."""
    from console.store.workflow import event_to_json_row  # workflow imports this module

    row = s.get(Incident, incident_id)
    if row is None:
        return False
    s.flush()
    rows = s.scalars(select(UnitEventRow).where(UnitEventRow.incident_id == incident_id))
    events = []
    for r in rows:
        try:
            events.append(parse_event(event_to_json_row(r)))
        except ValueError:  # a stored event this version cannot read counts for nothing
            continue
    apply_figures(row, summarize_events(events, first_received=_first_received(s, incident_id)))
    s.flush()
    return True


def refresh_many(s: Session, incident_ids: Iterable[str]) -> int:
    """:func:`refresh` each distinct id; returns how many incidents were stored."""
    return sum(refresh(s, i) for i in dict.fromkeys(incident_ids))
