"""ORM tables of the console's durable store (SQLAlchemy 2, typed mappings).

The schema is created and changed only by the Alembic migrations in ``migrations/``;
a test checks the migrated schema against this metadata.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "Account", "AlertRevision", "AuditLogRow", "AudioCache", "Base", "CanvassArea", "CanvassVisit", "EvidenceItem",
    "FeedCursor", "Incident", "IncidentLink", "OutboxEvent", "RejectedAlert",
    "UTCDateTime", "UnitEventRow", "UnitIdentity", "Verification",
]

_NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} stored; use an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)


def _incident_search_text(context: Any) -> str:
    """Insert default of ``incidents.search_text`` from the row's own columns."""
    from console.store.history_store import row_search_text  # store helper, no cycle at import

    return row_search_text(context.get_current_parameters())


class Incident(Base):
    """Current state of an incident: its highest revision received."""

    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(BigInteger)
    review: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(32))
    time: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lat: Mapped[float] = mapped_column(Double)
    lon: Mapped[float] = mapped_column(Double)
    uncertainty_m: Mapped[float] = mapped_column(Double)
    address: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(64))
    beat: Mapped[str | None] = mapped_column(String(32))
    rounds: Mapped[int | None] = mapped_column(Integer)
    shooters: Mapped[int | None] = mapped_column(Integer)
    mobile: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # 0005: figures kept from the unit events for the desk's search and statistics
    # (console.domain.history.summarize_events; console.store.history_store.refresh)
    status: Mapped[str | None] = mapped_column(String(16))
    disposition: Mapped[str | None] = mapped_column(String(32))
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    en_route_s: Mapped[float | None] = mapped_column(Double)
    on_scene_s: Mapped[float | None] = mapped_column(Double)
    canvassed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    evidence_found: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=false())
    source: Mapped[str] = mapped_column(String(8), default="feed", server_default="feed")
    search_text: Mapped[str] = mapped_column(Text, default=_incident_search_text,
                                             server_default="")

    # Searches read ids in order from an index alone, then fetch one page of rows.
    __table_args__ = (
        Index(None, "district", "time", "id"),
        Index(None, "beat", "time", "id"),
        Index(None, "time", "id", "lat", "lon", "type"),
        Index(None, "lat", "lon", "time", "id"),
        Index(None, "district", "beat"),
    )


class AlertRevision(Base):
    """Every revision of every incident ever received, in full."""

    __tablename__ = "alert_revisions"
    __table_args__ = (UniqueConstraint("incident_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("incidents.id", ondelete="CASCADE")
    )
    revision: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(BigInteger)
    feed_url: Mapped[str] = mapped_column(String(2048))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FeedCursor(Base):
    """Last feed ``seq`` durably stored per feed, and the feed epoch it belongs to."""

    __tablename__ = "feed_cursor"

    feed_url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    epoch: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RejectedAlert(Base):
    """An alert the parser refused, kept with its raw text so nothing is silently lost."""

    __tablename__ = "rejected_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    feed_url: Mapped[str] = mapped_column(String(2048))
    seq: Mapped[int | None] = mapped_column(BigInteger)
    raw: Mapped[str] = mapped_column(Text)
    raw_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AudioCache(Base):
    __tablename__ = "audio_cache"

    incident_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, primary_key=True)
    mime: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxEvent(Base):
    """A unit event stored locally first and sent until the feed acknowledges it."""

    __tablename__ = "outbox"
    __table_args__ = (Index(None, "acked_at", "failed_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    incident_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Verification(Base):
    """A replay of recordings through the embedded locator, kept with its incident.

    ``incident_id`` is None for recordings verified without an alert. ``result`` is the
    short summary (``console.verify.export_json``): no sensor serials nor positions.
    """

    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    user_name: Mapped[str] = mapped_column(String(128))
    user_role: Mapped[str] = mapped_column(String(32))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data_path: Mapped[str] = mapped_column(String(4096))
    data_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    verdict: Mapped[str | None] = mapped_column(String(16))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class UnitEventRow(Base):
    """A status, canvass or note event: made by this car (``local``) or relayed (``feed``).

    The outbox keeps the delivery state of local events; this table is the record.
    """

    __tablename__ = "unit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    incident_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    unit: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(8))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CanvassArea(Base):
    """The neighbourhood canvass area of an incident: a circle or a drawn polygon."""

    __tablename__ = "canvass_areas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    center_lat: Mapped[float] = mapped_column(Double)
    center_lon: Mapped[float] = mapped_column(Double)
    radius_m: Mapped[float | None] = mapped_column(Double)
    polygon_geojson: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CanvassVisit(Base):
    """One canvass result at an address of the map pack."""

    __tablename__ = "canvass_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    visit_id: Mapped[str] = mapped_column(String(36), unique=True)
    incident_id: Mapped[str] = mapped_column(String(64), index=True)
    address_key: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    heard_time: Mapped[str | None] = mapped_column(String(64))
    heard_count: Mapped[int | None] = mapped_column(Integer)
    heard_direction: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    witness_name: Mapped[str | None] = mapped_column(Text)
    witness_contact: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    unit: Mapped[str] = mapped_column(String(64))


class EvidenceItem(Base):
    """An evidence item (casings, weapon, damage, blood, other) pinned on the map."""

    __tablename__ = "evidence_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[str] = mapped_column(String(36), unique=True)
    incident_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    count: Mapped[int | None] = mapped_column(Integer)
    lat: Mapped[float] = mapped_column(Double)
    lon: Mapped[float] = mapped_column(Double)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    unit: Mapped[str] = mapped_column(String(64))


class IncidentLink(Base):
    """An officer's link of another alert to an incident as related."""

    __tablename__ = "incident_links"
    __table_args__ = (UniqueConstraint("incident_id", "related_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(String(64), index=True)
    related_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    unit: Mapped[str] = mapped_column(String(64))


class UnitIdentity(Base):
    """The car's call sign for the current shift (a single row, id 1)."""

    __tablename__ = "unit_identity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    call_sign: Mapped[str] = mapped_column(String(64))
    shift_started_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Account(Base):
    """A person who signs in: role, argon2 password hash, lockout state."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditLogRow(Base):
    """One entry of the append-only, hash-chained audit log.

    Triggers created by migration 0004 refuse UPDATE and DELETE on this table.
    ``details`` is the canonical JSON text that was hashed, kept byte for byte.
    """

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(128), index=True)
    outcome: Mapped[str] = mapped_column(String(8))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# -- 0005 history search (columns on incidents are declared above) ---------------------


# -- 0006 imports ----------------------------------------------------------------------


class ImportBatch(Base):
    """One open-data file imported into incidents (all its kept rows, in one transaction).

    ``sha256`` is unique: the same file is never imported twice. ``namespace`` is the
    middle part of the imported incident ids (``imp:<namespace>:<id>``); ``rejections``
    counts the rejected rows per reason code.
    """

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    format: Mapped[str] = mapped_column(String(32))
    namespace: Mapped[str] = mapped_column(String(16))
    policy: Mapped[str] = mapped_column(String(16))
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_imported: Mapped[int] = mapped_column(Integer)
    rows_rejected: Mapped[int] = mapped_column(Integer)
    rows_existing: Mapped[int] = mapped_column(Integer)
    first_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejections: Mapped[dict[str, Any]] = mapped_column(JSON)
    username: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


# -- 0007 releases ---------------------------------------------------------------------


class ReleaseRequest(Base):
    """A request to release an incident's report or audio to an outside party.

    ``status``: pending -> approved | refused; approved -> produced (one outside copy per
    approval). ``output_sha256`` lists the SHA-256 of each file produced, space-separated.
    """

    __tablename__ = "release_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))
    requester_role: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    produced_by: Mapped[str | None] = mapped_column(String(64))
    produced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    output_sha256: Mapped[str | None] = mapped_column(Text)


# -- 0008 retention --------------------------------------------------------------------


class LegalHold(Base):
    """A legal hold on an incident: while not released, retention never purges it."""

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_by: Mapped[str | None] = mapped_column(String(64))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    release_reason: Mapped[str | None] = mapped_column(Text)


class PurgedIncident(Base):
    """The tombstone left by a retention purge: what was removed, when and by whom."""

    __tablename__ = "purged_incidents"

    incident_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    original_time: Mapped[datetime] = mapped_column(UTCDateTime)
    type: Mapped[str] = mapped_column(String(32))
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    purged_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    #: rows removed per table for this incident, e.g. ``{"alert_revisions": 3}``
    removed: Mapped[dict[str, Any]] = mapped_column(JSON)
