"""Durable store of the console (SQLAlchemy 2 + Alembic; SQLite by default, PostgreSQL too)."""

from __future__ import annotations

from console.store.engine import default_url
from console.store.records import (
    AudioClip,
    CursorState,
    IncidentRecord,
    IngestResult,
    OutboxItem,
    RejectedInput,
    RejectedRecord,
)
from console.store.store import Store

__all__ = [
    "AudioClip", "CursorState", "IncidentRecord", "IngestResult", "OutboxItem",
    "RejectedInput", "RejectedRecord", "Store", "default_url",
]
