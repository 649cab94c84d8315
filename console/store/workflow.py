"""Officer-workflow tables inside a caller's session: unit events, identity, links.

Used by :class:`console.store.Store`; no ORM object leaves the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain._checks import format_time
from console.domain.alert import Alert, parse_alert
from console.domain.events import UnitEvent, parse_event
from console.domain.nearby import RELATED_WINDOW, bounding_box, is_prior, is_related
from console.store import history_store as _history
from console.store.models import Incident, IncidentLink, OutboxEvent, UnitEventRow, UnitIdentity
from console.store.records import IncidentLinkRecord, StoredEvent, UnitIdentityRecord

__all__ = ["add_event", "add_link", "add_relayed", "events_of", "identity", "links_of",
           "nearby", "set_identity"]


def add_event(s: Session, event: UnitEvent, source: str, now: datetime) -> bool:
    """Insert ``event`` unless its event_id is known; True when inserted."""
    if s.scalar(select(UnitEventRow.id).where(UnitEventRow.event_id == event.event_id)):
        return False
    s.add(UnitEventRow(event_id=event.event_id, incident_id=event.incident_id,
                       kind=str(event.kind), at=event.at, unit=event.unit,
                       data=dict(event.data), source=source, received_at=now))
    s.flush()
    _history.refresh(s, event.incident_id)
    return True


def add_relayed(s: Session, events: Iterable[UnitEvent], now: datetime) -> int:
    """Insert the relayed events not yet known (one query for the known ones)."""
    fresh = {e.event_id: e for e in events}
    if not fresh:
        return 0
    known = set(s.scalars(select(UnitEventRow.event_id)
                          .where(UnitEventRow.event_id.in_(list(fresh)))))
    for event_id, e in fresh.items():
        if event_id not in known:
            s.add(UnitEventRow(event_id=e.event_id, incident_id=e.incident_id,
                               kind=str(e.kind), at=e.at, unit=e.unit, data=dict(e.data),
                               source="feed", received_at=now))
    s.flush()
    return len(fresh) - len(known)


def _delivery(row: OutboxEvent | None) -> str | None:
    if row is None:
        return None
    return "sent" if row.acked_at else "failed" if row.failed_at else "pending"


def events_of(s: Session, incident_id: str) -> list[StoredEvent]:
    rows = s.execute(select(UnitEventRow, OutboxEvent)
                     .outerjoin(OutboxEvent, OutboxEvent.event_id == UnitEventRow.event_id)
                     .where(UnitEventRow.incident_id == incident_id)
                     .order_by(UnitEventRow.at, UnitEventRow.id)).all()
    out = []
    for ev, ob in rows:
        event = parse_event(event_to_json_row(ev))
        out.append(StoredEvent(event, ev.source, _delivery(ob),
                               None if ob is None else ob.last_error))
    return out


def event_to_json_row(row: UnitEventRow) -> dict:
    return {"event_id": row.event_id, "incident_id": row.incident_id, "kind": row.kind,
            "at": format_time(row.at), "unit": row.unit, "data": dict(row.data)}


def identity(s: Session) -> UnitIdentityRecord | None:
    row = s.get(UnitIdentity, 1)
    return None if row is None else UnitIdentityRecord(row.call_sign, row.shift_started_at)


def set_identity(s: Session, call_sign: str, at: datetime) -> None:
    s.merge(UnitIdentity(id=1, call_sign=call_sign, shift_started_at=at))


def add_link(s: Session, incident_id: str, related_id: str, unit: str, now: datetime) -> bool:
    known = s.scalar(select(IncidentLink.id).where(IncidentLink.incident_id == incident_id,
                                                   IncidentLink.related_id == related_id))
    if known is not None:
        return False
    s.add(IncidentLink(incident_id=incident_id, related_id=related_id, kind="related",
                       linked_at=now, unit=unit))
    s.flush()
    return True


def links_of(s: Session, incident_id: str) -> list[IncidentLinkRecord]:
    rows = s.scalars(select(IncidentLink).where(IncidentLink.incident_id == incident_id)
                     .order_by(IncidentLink.linked_at, IncidentLink.id))
    return [IncidentLinkRecord(r.incident_id, r.related_id, r.kind, r.linked_at, r.unit)
            for r in rows]


def nearby(s: Session, incident_id: str, radius_m: float, since: datetime, until: datetime,
           *, prior: bool, days: int = 90, window: timedelta = RELATED_WINDOW) -> list[Alert]:
    """Alerts in the box around the incident and time range, refined by the domain rule."""
    row = s.get(Incident, incident_id)
    if row is None:
        return []
    center = parse_alert(row.payload)
    lat0, lat1, lon0, lon1 = bounding_box(row.lat, row.lon, radius_m)
    rows = s.scalars(select(Incident.payload).where(
        Incident.id != incident_id, Incident.lat.between(lat0, lat1),
        Incident.lon.between(lon0, lon1), Incident.time.between(since, until))
        .order_by(Incident.time.desc()))
    alerts = [parse_alert(p) for p in rows]
    if prior:
        return [a for a in alerts if is_prior(center, a, radius_m=radius_m, days=days)]
    return [a for a in alerts if is_related(center, a, radius_m=radius_m, window=window)]
