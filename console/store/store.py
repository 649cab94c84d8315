"""The console's durable store: incidents, revision history, feed cursor, audio, outbox.

Writes are atomic per call; ``ingest`` stores a batch of alerts, any rejected alerts and
the new feed cursor in ONE transaction, so a power cut never leaves the cursor ahead of
the data. The schema is brought up to date by Alembic on open.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from console.domain.alert import Alert, alert_to_json, parse_alert
from console.domain.events import UnitEvent, event_to_json
from console.store import history_store as _history
from console.store import outbox as _outbox
from console.store import workflow as _workflow
from console.store.engine import BUSY_TIMEOUT_MS, WRITE, default_url, make_engine, migrate
from console.store.models import (
    AlertRevision,
    AudioCache,
    FeedCursor,
    Incident,
    RejectedAlert,
    Verification,
)
from console.store.records import (
    AudioClip,
    CursorState,
    IncidentLinkRecord,
    IncidentRecord,
    IngestResult,
    OutboxItem,
    RejectedInput,
    RejectedRecord,
    StoredEvent,
    UnitIdentityRecord,
    VerificationRecord,
)

__all__ = ["Store"]

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """Durable store over any SQLAlchemy URL (default: SQLite file in the user data dir)."""

    def __init__(self, url: str | None = None, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.url = url or default_url()
        self.engine = make_engine(self.url, busy_timeout_ms=busy_timeout_ms)
        migrate(self.engine)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(**WRITE), expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._write() as session, session.begin():
            yield session

    # -- feed ingest -------------------------------------------------------------------
    def ingest(
        self, alerts: Sequence[Alert], feed_url: str, new_cursor: int, *,
        rejected: Iterable[RejectedInput] = (), epoch: str | None = None,
    ) -> IngestResult:
        """Store alerts and rejects and move the feed cursor to ``new_cursor``, atomically.

        Idempotent on (id, revision): a known revision is a duplicate; a lower revision
        is kept in history but never replaces the incident's current state.
        """
        counts = {"new": 0, "updated": 0, "duplicate": 0, "stale": 0}
        changed: list[Alert] = []
        now = _now()
        with self._tx() as s:
            for alert in alerts:
                outcome = self._ingest_one(s, alert, feed_url, now)
                relayed = _workflow.add_relayed(s, alert.events, now)
                if relayed or outcome in ("new", "updated"):
                    _history.refresh_many(s, [alert.id, *(e.incident_id for e in alert.events)])
                counts[outcome] += 1
                if outcome in ("new", "updated"):
                    changed.append(alert)
            n_rejected = sum(self._reject(s, r, feed_url, now) for r in rejected)
            self._set_cursor(s, feed_url, new_cursor, epoch, now)
        return IngestResult(**counts, rejected=n_rejected, changed=tuple(changed))

    def _ingest_one(self, s: Session, alert: Alert, feed_url: str, now: datetime) -> str:
        known = s.scalar(select(AlertRevision.id).where(
            AlertRevision.incident_id == alert.id, AlertRevision.revision == alert.revision))
        if known is not None:
            return "duplicate"
        payload = alert_to_json(alert)
        incident = s.get(Incident, alert.id)
        outcome = "stale"
        if incident is None:
            incident = Incident(id=alert.id, received_at=now)
            s.add(incident)
            outcome = "new"
        if outcome == "new" or alert.revision > incident.revision:
            _apply(incident, alert, payload, now)
            outcome = "updated" if outcome == "stale" else outcome
            s.flush()
        s.add(AlertRevision(incident_id=alert.id, revision=alert.revision, seq=alert.seq,
                            feed_url=feed_url, payload=payload, received_at=now))
        s.flush()
        return outcome

    @staticmethod
    def _reject(s: Session, item: RejectedInput, feed_url: str, now: datetime) -> int:
        digest = hashlib.sha256(item.raw.encode("utf-8", "replace")).hexdigest()
        if s.scalar(select(RejectedAlert.id).where(RejectedAlert.raw_sha256 == digest)):
            return 0
        s.add(RejectedAlert(feed_url=feed_url, seq=item.seq, raw=item.raw, raw_sha256=digest,
                            reason=item.reason, received_at=now))
        s.flush()
        return 1

    @staticmethod
    def _set_cursor(
        s: Session, feed_url: str, last_seq: int, epoch: str | None, now: datetime
    ) -> None:
        row = s.get(FeedCursor, feed_url)
        if row is None:
            s.add(FeedCursor(feed_url=feed_url, last_seq=last_seq, epoch=epoch, updated_at=now))
            return
        row.last_seq = last_seq
        row.epoch = epoch if epoch is not None else row.epoch
        row.updated_at = now

    def cursor(self, feed_url: str) -> int:
        """Last feed seq durably stored for ``feed_url`` (0 when never polled)."""
        return self.cursor_state(feed_url).last_seq

    def cursor_state(self, feed_url: str) -> CursorState:
        with self._read() as s:
            row = s.get(FeedCursor, feed_url)
            return CursorState(0, None) if row is None else CursorState(row.last_seq, row.epoch)

    def reset_cursor(self, feed_url: str, epoch: str | None) -> None:
        """Re-sync from the start of the feed (its numbering was reset)."""
        with self._tx() as s:
            self._set_cursor(s, feed_url, 0, epoch, _now())

    # -- queries ----------------------------------------------------------------------
    def list_incidents(self, limit: int = 100, offset: int = 0) -> list[IncidentRecord]:
        """Incidents, newest first-shot time first."""
        with self._read() as s:
            rows = s.scalars(select(Incident).order_by(Incident.time.desc(), Incident.id)
                             .limit(limit).offset(offset))
            return [_record(r) for r in rows]

    def get_incident(self, incident_id: str) -> IncidentRecord | None:
        with self._read() as s:
            row = s.get(Incident, incident_id)
            return None if row is None else _record(row)

    def revisions(self, incident_id: str) -> list[Alert]:
        """Every revision received for an incident, lowest revision first."""
        with self._read() as s:
            rows = s.scalars(select(AlertRevision.payload).where(
                AlertRevision.incident_id == incident_id).order_by(AlertRevision.revision))
            return [parse_alert(p) for p in rows]

    def acknowledge(self, incident_id: str, at: datetime | None = None) -> bool:
        """Mark an incident acknowledged (first acknowledgement wins); False if unknown."""
        with self._tx() as s:
            result = s.execute(update(Incident).where(
                Incident.id == incident_id, Incident.acknowledged_at.is_(None))
                .values(acknowledged_at=at or _now()))
            return bool(result.rowcount) or s.get(Incident, incident_id) is not None

    def rejected_alerts(self, limit: int = 100) -> list[RejectedRecord]:
        with self._read() as s:
            rows = s.scalars(select(RejectedAlert).order_by(RejectedAlert.id).limit(limit))
            return [RejectedRecord(r.feed_url, r.seq, r.raw, r.reason, r.received_at)
                    for r in rows]

    # -- audio cache ------------------------------------------------------------------
    def cached_audio(self, incident_id: str, n: int) -> AudioClip | None:
        with self._read() as s:
            row = s.get(AudioCache, (incident_id, n))
            return None if row is None else AudioClip(row.mime, row.data)

    def cache_audio(self, incident_id: str, n: int, mime: str, data: bytes) -> None:
        with self._tx() as s:
            s.merge(AudioCache(incident_id=incident_id, n=n, mime=mime, data=data,
                               fetched_at=_now()))

    # -- outbox -----------------------------------------------------------------------
    def enqueue_event(self, event: UnitEvent) -> bool:
        """Store an event for sending; False if its event_id is already in the outbox."""
        with self._tx() as s:
            return _outbox.enqueue(s, event.event_id, event.incident_id, event_to_json(event),
                                   _now())

    def pending_events(self, limit: int = 50) -> list[OutboxItem]:
        """Events not yet acknowledged nor given up on, oldest first."""
        with self._read() as s:
            return _outbox.pending(s, limit)

    def outbox_item(self, event_id: str) -> OutboxItem | None:
        with self._read() as s:
            return _outbox.get(s, event_id)

    def record_event_attempt(self, event_id: str, error: str | None) -> None:
        with self._tx() as s:
            _outbox.attempt(s, event_id, error)

    def mark_event_acked(self, event_id: str) -> None:
        with self._tx() as s:
            _outbox.acked(s, event_id, _now())

    def mark_event_failed(self, event_id: str, error: str) -> None:
        """Give up on an event the server refused for good (kept, with the reason)."""
        with self._tx() as s:
            _outbox.failed(s, event_id, error, _now())

    # -- officer workflow ---------------------------------------------------------------
    def record_local_event(self, event: UnitEvent) -> bool:
        """Keep an event this car made AND queue it for sending, in one transaction.

        False (and nothing changed) when its event_id is already recorded.
        """
        now = _now()
        with self._tx() as s:
            if not _workflow.add_event(s, event, "local", now):
                return False
            _outbox.enqueue(s, event.event_id, event.incident_id, event_to_json(event), now)
            return True

    def unit_events(self, incident_id: str) -> list[StoredEvent]:
        """Status, canvass and note events of an incident (local and relayed), by time."""
        with self._read() as s:
            return _workflow.events_of(s, incident_id)

    def dispatched_at(self, incident_id: str) -> datetime | None:
        """When the incident's first revision reached this car (the unit's dispatch time)."""
        with self._read() as s:
            return s.scalar(select(func.min(AlertRevision.received_at))
                            .where(AlertRevision.incident_id == incident_id))

    def unit_identity(self) -> UnitIdentityRecord | None:
        with self._read() as s:
            return _workflow.identity(s)

    def set_unit_identity(self, call_sign: str, at: datetime | None = None) -> None:
        """Set the car's call sign; ``at`` starts the shift (default now)."""
        call_sign = call_sign.strip()
        if not call_sign or len(call_sign) > 32:
            raise ValueError(f"call sign must be 1..32 characters, got {call_sign!r}")
        with self._tx() as s:
            _workflow.set_identity(s, call_sign, at or _now())

    def link_incident(self, incident_id: str, related_id: str, unit: str) -> bool:
        """Link ``related_id`` to ``incident_id`` as related; False if already linked."""
        with self._tx() as s:
            return _workflow.add_link(s, incident_id, related_id, unit, _now())

    def incident_links(self, incident_id: str) -> list[IncidentLinkRecord]:
        with self._read() as s:
            return _workflow.links_of(s, incident_id)

    def related_candidates(self, incident_id: str, radius_m: float = 200.0,
                           minutes: float = 10.0) -> list[Alert]:
        """Alerts within ``radius_m`` and ``minutes`` of the incident, newest first."""
        with self._read() as s:
            row = s.get(Incident, incident_id)
            if row is None:
                return []
            span = timedelta(minutes=minutes)
            return _workflow.nearby(s, incident_id, radius_m, row.time - span,
                                    row.time + span, prior=False, window=span)

    def prior_incidents(self, incident_id: str, radius_m: float = 500.0,
                        days: int = 90) -> list[Alert]:
        """Incidents within ``radius_m`` in the ``days`` before this one, newest first."""
        with self._read() as s:
            row = s.get(Incident, incident_id)
            if row is None:
                return []
            return _workflow.nearby(s, incident_id, radius_m, row.time - timedelta(days=days),
                                    row.time, prior=True, days=days)

    # -- verifications ----------------------------------------------------------------
    def add_verification(self, record: VerificationRecord) -> int:
        """Store a verification; returns its id."""
        with self._tx() as s:
            row = Verification(
                incident_id=record.incident_id, user_name=record.user, user_role=record.role,
                verified_at=record.at, data_path=record.data_path,
                data_sha256=record.data_sha256, source=record.source,
                verdict=record.verdict, result=record.result)
            s.add(row)
            s.flush()
            return int(row.id)

    def verifications(self, incident_id: str | None) -> list[VerificationRecord]:
        """Verifications of an incident (None: of recordings without one), oldest first."""
        cond = (Verification.incident_id.is_(None) if incident_id is None
                else Verification.incident_id == incident_id)
        with self._read() as s:
            rows = s.scalars(select(Verification).where(cond).order_by(Verification.id))
            return [VerificationRecord(
                r.incident_id, r.user_name, r.user_role, r.verified_at, r.data_path,
                r.data_sha256, r.source, r.verdict, r.result, r.id) for r in rows]


def _apply(row: Incident, alert: Alert, payload: dict, now: datetime) -> None:
    row.revision, row.seq = alert.revision, alert.seq
    row.review, row.type, row.time = str(alert.review), str(alert.type), alert.time
    row.lat, row.lon = alert.location.lat, alert.location.lon
    row.uncertainty_m = alert.location.uncertainty_m
    row.address, row.district, row.beat = alert.address, alert.district, alert.beat
    row.rounds, row.shooters = alert.rounds, alert.shooters
    row.mobile = payload.get("mobile")
    row.payload = payload
    row.received_at = now


def _record(row: Incident) -> IncidentRecord:
    return IncidentRecord(parse_alert(row.payload), row.received_at, row.acknowledged_at)
