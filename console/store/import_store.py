"""Storage of imported open-data files: bulk incident inserts and the import batch record.

Everything here runs inside the caller's write transaction (:func:`write_tx`), so an
import's incidents, revisions, batch row and audit entry commit together or not at all.
No ORM object leaves this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from console.store.audit_store import write_tx
from console.store.models import AlertRevision, ImportBatch, Incident
from console.store.store import Store

__all__ = ["ImportBatchRecord", "add_batch", "batches", "existing_ids", "find_batch",
           "insert_incidents", "write_tx"]


@dataclass(frozen=True, slots=True)
class ImportBatchRecord:
    """One imported file as recorded."""

    id: int
    file_name: str
    sha256: str
    size: int
    format: str
    namespace: str
    policy: str
    rows_total: int
    rows_imported: int
    rows_rejected: int
    rows_existing: int
    first_time: datetime | None
    last_time: datetime | None
    rejections: dict[str, int]
    username: str
    imported_at: datetime


def _record(row: ImportBatch) -> ImportBatchRecord:
    return ImportBatchRecord(
        row.id, row.file_name, row.sha256, row.size, row.format, row.namespace, row.policy,
        row.rows_total, row.rows_imported, row.rows_rejected, row.rows_existing,
        row.first_time, row.last_time, dict(row.rejections), row.username, row.imported_at)


def find_batch(store_or_session: Store | Session, sha256: str) -> ImportBatchRecord | None:
    """The earlier import of the file with this SHA-256, if any."""
    query = select(ImportBatch).where(ImportBatch.sha256 == sha256)
    if isinstance(store_or_session, Session):
        row = store_or_session.scalars(query).first()
        return None if row is None else _record(row)
    with Session(store_or_session.engine) as s:
        row = s.scalars(query).first()
        return None if row is None else _record(row)


def batches(store: Store, limit: int = 100) -> list[ImportBatchRecord]:
    """Imported files, newest first."""
    with Session(store.engine) as s:
        rows = s.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit))
        return [_record(r) for r in rows]


def existing_ids(s: Session, ids: Sequence[str]) -> set[str]:
    """Those of ``ids`` already in ``incidents`` (one query; keep ``ids`` to a few thousand)."""
    if not ids:
        return set()
    return set(s.scalars(select(Incident.id).where(Incident.id.in_(list(ids)))))


def _incident_columns() -> frozenset[str]:
    return frozenset(Incident.__table__.columns.keys())


def insert_incidents(s: Session, incidents: Sequence[dict[str, Any]],
                     revisions: Sequence[dict[str, Any]]) -> None:
    """Bulk-insert incident rows and their revision rows (executemany, no ORM objects).

    Keys of ``incidents`` that the schema lacks (e.g. ``source`` before migration 0005)
    are dropped, so the importer works on either side of that migration."""
    if not incidents:
        return
    cols = _incident_columns()
    rows: Iterable[dict[str, Any]] = incidents
    extra = set(incidents[0]) - cols
    if extra:
        rows = [{k: v for k, v in r.items() if k in cols} for r in incidents]
    s.execute(insert(Incident), list(rows))
    s.execute(insert(AlertRevision), list(revisions))


def has_incident_column(name: str) -> bool:
    """Whether ``incidents`` has the column ``name`` in this schema."""
    return name in _incident_columns()


def add_batch(s: Session, **fields: Any) -> int:
    """Record an imported file; returns the batch id."""
    row = ImportBatch(**fields)
    s.add(row)
    s.flush()
    return int(row.id)
