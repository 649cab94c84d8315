"""Plain records the store returns; no ORM object leaves the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.domain.alert import Alert
from console.domain.events import UnitEvent

__all__ = ["AudioClip", "CursorState", "IncidentLinkRecord", "IncidentRecord", "IngestResult",
           "OutboxItem", "RejectedInput", "RejectedRecord", "StoredEvent", "UnitIdentityRecord",
           "VerificationRecord"]


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Outcome of one atomic ingest: counts per kind and the alerts that changed state."""

    new: int = 0
    updated: int = 0
    duplicate: int = 0
    stale: int = 0
    rejected: int = 0
    changed: tuple[Alert, ...] = ()


@dataclass(frozen=True, slots=True)
class RejectedInput:
    """An alert the parser refused: its raw JSON text (``sensors`` already removed)."""

    raw: str
    reason: str
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class RejectedRecord:
    feed_url: str
    seq: int | None
    raw: str
    reason: str
    received_at: datetime


@dataclass(frozen=True, slots=True)
class CursorState:
    last_seq: int
    epoch: str | None


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    alert: Alert
    received_at: datetime
    acknowledged_at: datetime | None


@dataclass(frozen=True, slots=True)
class AudioClip:
    mime: str
    data: bytes


@dataclass(frozen=True, slots=True)
class OutboxItem:
    event_id: str
    incident_id: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    last_error: str | None
    acked_at: datetime | None
    failed_at: datetime | None


@dataclass(frozen=True, slots=True)
class VerificationRecord:
    """One verification as stored with its incident (``incident_id`` None: no alert)."""

    incident_id: str | None
    user: str
    role: str
    at: datetime
    data_path: str
    data_sha256: str
    source: str
    verdict: str | None
    result: dict[str, Any]
    id: int | None = None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A unit event as stored: ``source`` 'local' or 'feed'; ``delivery`` of local events
    is 'pending', 'sent' or 'failed' (None for relayed ones)."""

    event: UnitEvent
    source: str
    delivery: str | None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class UnitIdentityRecord:
    call_sign: str
    shift_started_at: datetime


@dataclass(frozen=True, slots=True)
class IncidentLinkRecord:
    incident_id: str
    related_id: str
    kind: str
    linked_at: datetime
    unit: str
