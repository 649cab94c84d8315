"""Outbox table operations (inside a caller's session); used by :class:`Store`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from console.store.models import OutboxEvent
from console.store.records import OutboxItem

__all__ = ["acked", "attempt", "enqueue", "failed", "get", "pending"]


def _item(row: OutboxEvent) -> OutboxItem:
    return OutboxItem(row.event_id, row.incident_id, dict(row.payload), row.created_at,
                      row.attempts, row.last_error, row.acked_at, row.failed_at)


def enqueue(
    s: Session, event_id: str, incident_id: str, payload: dict[str, Any], now: datetime
) -> bool:
    if s.scalar(select(OutboxEvent.id).where(OutboxEvent.event_id == event_id)) is not None:
        return False
    s.add(OutboxEvent(event_id=event_id, incident_id=incident_id, payload=payload,
                      created_at=now, attempts=0))
    return True


def pending(s: Session, limit: int) -> list[OutboxItem]:
    rows = s.scalars(select(OutboxEvent).where(
        OutboxEvent.acked_at.is_(None), OutboxEvent.failed_at.is_(None))
        .order_by(OutboxEvent.id).limit(limit))
    return [_item(r) for r in rows]


def get(s: Session, event_id: str) -> OutboxItem | None:
    row = s.scalar(select(OutboxEvent).where(OutboxEvent.event_id == event_id))
    return None if row is None else _item(row)


def attempt(s: Session, event_id: str, error: str | None) -> None:
    s.execute(update(OutboxEvent).where(OutboxEvent.event_id == event_id)
              .values(attempts=OutboxEvent.attempts + 1, last_error=error))


def acked(s: Session, event_id: str, now: datetime) -> None:
    s.execute(update(OutboxEvent).where(OutboxEvent.event_id == event_id,
                                        OutboxEvent.acked_at.is_(None))
              .values(acked_at=now, last_error=None))


def failed(s: Session, event_id: str, error: str, now: datetime) -> None:
    s.execute(update(OutboxEvent).where(OutboxEvent.event_id == event_id)
              .values(failed_at=now, last_error=error))
