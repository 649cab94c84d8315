"""Canvass records in the store: the area, visits and evidence of an incident.

Functions take a :class:`~console.store.Store`. A visit or an evidence item, its
``canvass`` event in the outbox and the event's local record (``unit_events``) are
written in ONE transaction: the canvass never exists without the event that reports it,
and the event's id is the visit's (item's) id, so a retried write or send applies once.
Witness name and contact go to ``canvass_visits`` only; the event carries neither.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.canvass import (
    CanvassArea,
    CanvassVisit,
    EvidenceItem,
    HeardShots,
    Outcome,
    Progress,
    Witness,
    evidence_event,
    visit_event,
)
from console.domain.events import UnitEvent, event_to_json
from console.store import models as m
from console.store import outbox as _outbox
from console.store import workflow as _workflow
from console.store.store import Store

__all__ = [
    "get_area",
    "list_evidence",
    "list_visits",
    "progress",
    "record_evidence",
    "record_visit",
    "relayed",
    "set_area",
]


def _now() -> datetime:
    return datetime.now(UTC)


def set_area(store: Store, area: CanvassArea) -> None:
    """Store (or replace) the canvass area of ``area.incident_id``."""
    with store._tx() as s:
        row = s.scalar(select(m.CanvassArea).where(m.CanvassArea.incident_id == area.incident_id))
        if row is None:
            row = m.CanvassArea(incident_id=area.incident_id, created_at=_now())
            s.add(row)
        row.center_lat, row.center_lon = area.center_lat, area.center_lon
        row.radius_m = None if area.is_polygon else area.radius_m
        row.polygon_geojson = area.polygon_geojson()


def get_area(store: Store, incident_id: str) -> CanvassArea | None:
    with store._read() as s:
        row = s.scalar(select(m.CanvassArea).where(m.CanvassArea.incident_id == incident_id))
        if row is None:
            return None
        return CanvassArea.from_stored(incident_id, row.center_lat, row.center_lon,
                                       row.radius_m, row.polygon_geojson)


def _enqueue(s: Session, event: UnitEvent, now: datetime) -> bool:
    """Local event record and outbox entry (as ``Store.record_local_event`` makes them)."""
    if not _workflow.add_event(s, event, "local", now):
        return False
    return _outbox.enqueue(s, event.event_id, event.incident_id, event_to_json(event), now)


def record_visit(store: Store, visit: CanvassVisit, address: str | None = None) -> bool:
    """Store a visit and queue its event atomically; False if ``visit_id`` was stored before.

    ``address`` is the readable address put in the event (the key alone means nothing
    to dispatch).
    """
    event = visit_event(visit, address)
    heard = visit.heard or HeardShots()
    with store._tx() as s:
        known = s.scalar(select(m.CanvassVisit.id).where(m.CanvassVisit.visit_id == visit.visit_id))
        if known is not None:
            return False
        s.add(m.CanvassVisit(
            visit_id=visit.visit_id, incident_id=visit.incident_id,
            address_key=visit.address_key, outcome=str(visit.outcome),
            heard_time=heard.time, heard_count=heard.count, heard_direction=heard.direction,
            note=visit.note, witness_name=visit.witness.name,
            witness_contact=visit.witness.contact, at=visit.at, unit=visit.unit))
        _enqueue(s, event, _now())
    return True


def record_evidence(store: Store, item: EvidenceItem) -> bool:
    """Store an evidence item and queue its event atomically; False if already stored."""
    event = evidence_event(item)
    with store._tx() as s:
        known = s.scalar(select(m.EvidenceItem.id).where(m.EvidenceItem.item_id == item.item_id))
        if known is not None:
            return False
        s.add(m.EvidenceItem(
            item_id=item.item_id, incident_id=item.incident_id, kind=str(item.kind),
            count=item.count, lat=item.lat, lon=item.lon, note=item.note, at=item.at,
            unit=item.unit))
        _enqueue(s, event, _now())
    return True


def _visit(row: m.CanvassVisit) -> CanvassVisit:
    heard = None
    if row.heard_time or row.heard_count is not None or row.heard_direction:
        heard = HeardShots(row.heard_time, row.heard_count, row.heard_direction)
    return CanvassVisit(
        incident_id=row.incident_id, address_key=row.address_key, outcome=row.outcome,
        unit=row.unit, at=row.at, heard=heard, note=row.note,
        witness=Witness(row.witness_name, row.witness_contact), visit_id=row.visit_id)


def list_visits(store: Store, incident_id: str) -> list[CanvassVisit]:
    """Visits of an incident, oldest first."""
    with store._read() as s:
        rows = s.scalars(select(m.CanvassVisit).where(m.CanvassVisit.incident_id == incident_id)
                         .order_by(m.CanvassVisit.at, m.CanvassVisit.id))
        return [_visit(r) for r in rows]


def list_evidence(store: Store, incident_id: str) -> list[EvidenceItem]:
    """Evidence items of an incident, oldest first."""
    with store._read() as s:
        rows = s.scalars(select(m.EvidenceItem).where(m.EvidenceItem.incident_id == incident_id)
                         .order_by(m.EvidenceItem.at, m.EvidenceItem.id))
        return [EvidenceItem(incident_id=r.incident_id, kind=r.kind, lat=r.lat, lon=r.lon,
                             unit=r.unit, count=r.count, note=r.note, at=r.at,
                             item_id=r.item_id) for r in rows]


def progress(store: Store, incident_id: str, address_keys: list[str]) -> Progress:
    """Doors among ``address_keys`` (the area's addresses) with at least one visit."""
    keys = set(address_keys)
    with store._read() as s:
        visited = set(s.scalars(select(m.CanvassVisit.address_key).distinct().where(
            m.CanvassVisit.incident_id == incident_id)))
    return Progress(len(visited & keys), len(keys))


def relayed(store: Store, incident_id: str) -> tuple[list[CanvassVisit], list[EvidenceItem]]:
    """Other units' canvass visits and evidence, from the ``canvass`` events the feed relayed.

    They carry no witness identity (no unit sends one). Records this console cannot read
    (another client's own ``canvass`` members) are left out.
    """
    visits: list[CanvassVisit] = []
    items: list[EvidenceItem] = []
    with store._read() as s:
        rows = s.scalars(select(m.UnitEventRow).where(
            m.UnitEventRow.incident_id == incident_id, m.UnitEventRow.kind == "canvass",
            m.UnitEventRow.source == "feed").order_by(m.UnitEventRow.at, m.UnitEventRow.id))
        for r in rows:
            try:
                if r.data.get("record") == "visit":
                    visits.append(_relayed_visit(r))
                elif r.data.get("record") == "evidence":
                    items.append(_relayed_evidence(r))
            except (KeyError, TypeError, ValueError):
                continue
    return visits, items


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _relayed_visit(r: m.UnitEventRow) -> CanvassVisit:
    d = r.data
    count = d.get("heard_count")
    count = count if isinstance(count, int) and not isinstance(count, bool) else None
    heard = HeardShots(_text(d, "heard_time"), count, _text(d, "heard_direction"))
    key = _text(d, "address_key")
    if key is None:
        raise ValueError("relayed visit without address_key")
    return CanvassVisit(incident_id=r.incident_id, address_key=key,
                        outcome=Outcome(d["result"]), unit=r.unit, at=r.at,
                        heard=heard if (heard.time or heard.count is not None
                                        or heard.direction) else None,
                        note=_text(d, "note"), visit_id=r.event_id)


def _relayed_evidence(r: m.UnitEventRow) -> EvidenceItem:
    d = r.data
    count = d.get("count")
    return EvidenceItem(incident_id=r.incident_id, kind=d["evidence"], lat=float(d["lat"]),
                        lon=float(d["lon"]), unit=r.unit,
                        count=count if isinstance(count, int) and count > 0 else None,
                        note=_text(d, "note"), at=r.at, item_id=r.event_id)
