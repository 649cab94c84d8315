"""Retention queries: incidents past a cut-off, legal holds, tombstones, deleting a batch.

Every table with an ``incident_id`` column holds rows of an incident (revisions, audio,
unit events, outbox, canvass, evidence, verifications, links, release requests, ...);
they are found from the ORM metadata so a table added later is purged with its incident
and counted in the preview. ``incident_links`` also loses the links that point *to* a
purged incident. The audit log and the retention tables themselves are never touched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, delete, func, or_, select
from sqlalchemy.orm import Session

from console.store.models import Base, Incident, IncidentLink, LegalHold, PurgedIncident
from console.store.store import Store

__all__ = [
    "HoldRecord", "TombstoneRecord", "add_hold", "count_rows", "delete_incidents",
    "dependent_tables", "held_incidents", "hold", "list_holds", "lock_holds",
    "old_incident_ids", "release_hold", "tombstones",
]

_NEVER_PURGED = {"incidents", "legal_holds", "purged_incidents", "audit_log"}


@dataclass(frozen=True, slots=True)
class HoldRecord:
    id: int
    incident_id: str
    reason: str
    placed_by: str
    placed_at: datetime
    released_by: str | None
    released_at: datetime | None
    release_reason: str | None

    @property
    def active(self) -> bool:
        return self.released_at is None


@dataclass(frozen=True, slots=True)
class TombstoneRecord:
    incident_id: str
    original_time: datetime
    type: str
    purged_at: datetime
    purged_by: str
    reason: str
    removed: dict[str, int]


def _hold(row: LegalHold) -> HoldRecord:
    return HoldRecord(row.id, row.incident_id, row.reason, row.placed_by, row.placed_at,
                      row.released_by, row.released_at, row.release_reason)


def dependent_tables() -> list[Table]:
    """Tables whose rows belong to an incident, children before parents."""
    return [t for t in reversed(Base.metadata.sorted_tables)
            if "incident_id" in t.c and t.name not in _NEVER_PURGED]


def _active_holds() -> Select[Any]:
    return select(LegalHold.incident_id).where(LegalHold.released_at.is_(None))


def _old_unheld(cutoff: datetime) -> Select[Any]:
    return (select(Incident.id).where(Incident.time < cutoff)
            .where(Incident.id.not_in(_active_holds())))


def old_incident_ids(session: Session, cutoff: datetime) -> list[str]:
    """Ids of incidents older than ``cutoff`` and under no active hold, oldest first."""
    stmt = _old_unheld(cutoff).order_by(Incident.time, Incident.id)
    return list(session.scalars(stmt))


def held_incidents(session: Session, cutoff: datetime) -> list[tuple[str, datetime]]:
    """(id, time) of incidents older than ``cutoff`` kept by an active hold."""
    stmt = (select(Incident.id, Incident.time).where(Incident.time < cutoff)
            .where(Incident.id.in_(_active_holds())).order_by(Incident.time, Incident.id))
    return [(r.id, r.time) for r in session.execute(stmt)]


def _rows_of(table: Table, ids: Any) -> Any:
    cond = table.c.incident_id.in_(ids)
    if table.name == IncidentLink.__tablename__:
        cond = or_(cond, table.c.related_id.in_(ids))
    return cond


def count_rows(session: Session, cutoff: datetime) -> dict[str, int]:
    """Rows a purge at ``cutoff`` would remove, per table (``incidents`` included)."""
    ids = _old_unheld(cutoff)
    counts = {"incidents": session.scalar(
        select(func.count()).select_from(ids.subquery())) or 0}
    for table in dependent_tables():
        counts[table.name] = session.scalar(
            select(func.count()).select_from(table).where(_rows_of(table, ids))) or 0
    return counts


def lock_holds(session: Session) -> None:
    """Keep holds from being placed until this transaction ends (SQLite: its write lock)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql("LOCK TABLE legal_holds IN SHARE MODE")


def delete_incidents(session: Session, ids: Sequence[str], cutoff: datetime, *,
                     by: str, reason: str, now: datetime) -> tuple[list[str], dict[str, int]]:
    """Delete those of ``ids`` still older than ``cutoff`` and unheld, with their rows.

    Leaves a tombstone per incident; returns (ids purged, rows removed per table).
    """
    rows = session.execute(
        _old_unheld(cutoff).add_columns(Incident.time, Incident.type)
        .where(Incident.id.in_(list(ids))).order_by(Incident.time, Incident.id)).all()
    purged = [r.id for r in rows]
    if not purged:
        return [], {}
    per_incident: dict[str, Counter[str]] = {i: Counter() for i in purged}
    totals: Counter[str] = Counter(incidents=len(purged))
    for table in dependent_tables():
        for incident_id, n in session.execute(
                select(table.c.incident_id, func.count()).where(
                    table.c.incident_id.in_(purged)).group_by(table.c.incident_id)):
            per_incident[incident_id][table.name] = n
        totals[table.name] = session.execute(
            delete(table).where(_rows_of(table, purged))).rowcount or 0
    session.execute(delete(Incident).where(Incident.id.in_(purged)))
    # an id purged before and received again since keeps one tombstone, the latest
    earlier = {s.incident_id: s for s in session.scalars(
        select(PurgedIncident).where(PurgedIncident.incident_id.in_(purged)))}
    for r in rows:
        stone = earlier.get(r.id) or PurgedIncident(incident_id=r.id)
        stone.original_time, stone.type, stone.purged_at = r.time, r.type, now
        stone.purged_by, stone.reason = by, reason
        stone.removed = dict(per_incident[r.id])
        session.add(stone)
    session.flush()
    return purged, {k: v for k, v in totals.items() if v}


def add_hold(session: Session, incident_id: str, reason: str, by: str,
             now: datetime) -> HoldRecord:
    row = LegalHold(incident_id=incident_id, reason=reason, placed_by=by, placed_at=now)
    session.add(row)
    session.flush()
    return _hold(row)


def hold(session: Session, hold_id: int) -> LegalHold | None:
    return session.get(LegalHold, hold_id)


def release_hold(row: LegalHold, reason: str, by: str, now: datetime) -> HoldRecord:
    row.released_by, row.released_at, row.release_reason = by, now, reason
    return _hold(row)


def list_holds(store: Store, *, include_released: bool = False) -> list[HoldRecord]:
    stmt = select(LegalHold).order_by(LegalHold.placed_at.desc(), LegalHold.id.desc())
    if not include_released:
        stmt = stmt.where(LegalHold.released_at.is_(None))
    with Session(store.engine) as s:
        return [_hold(r) for r in s.scalars(stmt)]


def tombstones(store: Store, *, limit: int = 1000) -> list[TombstoneRecord]:
    """The newest tombstones first."""
    stmt = (select(PurgedIncident)
            .order_by(PurgedIncident.purged_at.desc(), PurgedIncident.incident_id).limit(limit))
    with Session(store.engine) as s:
        return [TombstoneRecord(r.incident_id, r.original_time, r.type, r.purged_at,
                                r.purged_by, r.reason, dict(r.removed))
                for r in s.scalars(stmt)]
