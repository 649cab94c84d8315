"""History search: incident columns and indexes for the desk.

Adds to ``incidents`` the figures folded from the unit events (status, disposition,
dispatch / en route / on scene / clear times, response seconds, canvass and evidence
flags), the row's source (``feed`` or ``import``) and a lower-cased search text; fills
them for the incidents already stored; indexes (district | beat | lat, lon) with time and id
so that an area and time search over years of incidents reads its ids from an index alone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections import defaultdict
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa
from alembic import op

from console.domain.events import EventKind, UnitEvent
from console.domain.history import search_text, summarize_events

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
_TIMES = ("dispatched_at", "en_route_at", "on_scene_at", "cleared_at")
#: Each search reads ids in order from one of these alone, then fetches a page of rows.
_INDEXES = {"ix_incidents_district_time_id": ["district", "time", "id"],
            "ix_incidents_beat_time_id": ["beat", "time", "id"],
            "ix_incidents_time_id_lat_lon_type": ["time", "id", "lat", "lon", "type"],
            "ix_incidents_lat_lon_time_id": ["lat", "lon", "time", "id"],
            "ix_incidents_district_beat": ["district", "beat"]}


def _new_columns() -> list[sa.Column]:
    return [
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("disposition", sa.String(32), nullable=True),
        *(sa.Column(name, _TS, nullable=True) for name in _TIMES),
        sa.Column("en_route_s", sa.Double(), nullable=True),
        sa.Column("on_scene_s", sa.Double(), nullable=True),
        sa.Column("canvassed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("evidence_found", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("source", sa.String(8), nullable=False, server_default="feed"),
        sa.Column("search_text", sa.Text(), nullable=False, server_default=""),
    ]


def upgrade() -> None:
    # Plain ADD COLUMN on both backends: a SQLite batch "move and copy" would drop and
    # re-create incidents, and the cascading foreign keys would empty alert_revisions.
    for column in _new_columns():
        op.add_column("incidents", column)
    for name, cols in _INDEXES.items():
        op.create_index(name, "incidents", cols)
    _backfill(op.get_bind())


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name="incidents")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column in reversed(_new_columns()):
        if sqlite:  # SQLite >= 3.35 drops a column in place (no table copy, see above)
            op.execute(f"ALTER TABLE incidents DROP COLUMN {column.name}")
        else:
            op.drop_column("incidents", column.name)


def _tables() -> tuple[sa.TableClause, sa.TableClause, sa.TableClause]:
    from console.store.models import UTCDateTime  # the stored time format of every backend

    incidents = sa.table(
        "incidents", sa.column("id", sa.String), sa.column("address", sa.String),
        sa.column("district", sa.String), sa.column("beat", sa.String),
        sa.column("payload", sa.JSON), sa.column("status", sa.String),
        sa.column("disposition", sa.String),
        *(sa.column(n, UTCDateTime) for n in _TIMES),
        sa.column("en_route_s", sa.Double), sa.column("on_scene_s", sa.Double),
        sa.column("canvassed", sa.Boolean), sa.column("evidence_found", sa.Boolean),
        sa.column("search_text", sa.Text))
    events = sa.table(
        "unit_events", sa.column("event_id", sa.String), sa.column("incident_id", sa.String),
        sa.column("kind", sa.String), sa.column("at", UTCDateTime),
        sa.column("unit", sa.String), sa.column("data", sa.JSON))
    revisions = sa.table("alert_revisions", sa.column("incident_id", sa.String),
                         sa.column("received_at", UTCDateTime))
    return incidents, events, revisions


def _event(row: Any) -> UnitEvent | None:
    try:
        return UnitEvent(row.event_id, row.incident_id, EventKind(row.kind), row.at, row.unit,
                         MappingProxyType(dict(row.data or {})))
    except ValueError:
        return None


def _figures(row: Any, events: list[UnitEvent], first: Any) -> dict[str, Any]:
    try:
        fig = summarize_events(events, first_received=first)
    except (KeyError, ValueError):  # unreadable events: keep the incident searchable
        fig = summarize_events((), first_received=first)
    payload = row.payload if isinstance(row.payload, dict) else {}
    sups = [s.get("text") for s in payload.get("supplements") or () if isinstance(s, dict)]
    text = search_text(row.id, row.address, row.district, row.beat, payload.get("notes"),
                       *[t for t in sups if isinstance(t, str)], *fig.notes)
    return dict(
        key=row.id, status=fig.status, disposition=fig.disposition,
        dispatched_at=fig.dispatched_at, en_route_at=fig.en_route_at,
        on_scene_at=fig.on_scene_at, cleared_at=fig.cleared_at, en_route_s=fig.en_route_s,
        on_scene_s=fig.on_scene_s, canvassed=fig.canvassed,
        evidence_found=fig.evidence_found, search_text=text)


def _backfill(conn: sa.Connection, batch: int = 2000) -> None:
    """Fill the new columns, a batch of incidents at a time (bounded memory at any size)."""
    incidents, events, revisions = _tables()
    update = incidents.update().where(incidents.c.id == sa.bindparam("key")).values(
        {c: sa.bindparam(c) for c in ("status", "disposition", *_TIMES, "en_route_s",
                                      "on_scene_s", "canvassed", "evidence_found",
                                      "search_text")})
    last = ""
    while True:
        rows = conn.execute(sa.select(incidents.c.id, incidents.c.address, incidents.c.district,
                                      incidents.c.beat, incidents.c.payload)
                            .where(incidents.c.id > last).order_by(incidents.c.id)
                            .limit(batch)).all()
        if not rows:
            return
        ids = [r.id for r in rows]
        by_incident: dict[str, list[UnitEvent]] = defaultdict(list)
        for r in conn.execute(sa.select(events).where(events.c.incident_id.in_(ids))):
            event = _event(r)
            if event is not None:
                by_incident[event.incident_id].append(event)
        first = dict(conn.execute(sa.select(revisions.c.incident_id,
                                            sa.func.min(revisions.c.received_at))
                                  .where(revisions.c.incident_id.in_(ids))
                                  .group_by(revisions.c.incident_id)).all())
        conn.execute(update, [_figures(r, by_incident[r.id], first.get(r.id)) for r in rows])
        last = ids[-1]
