"""Storage of imported open-data files: bulk incident inserts and the import batch record.

Everything here runs inside the caller's write transaction (:func:`write_tx`), so an
import's incidents, revisions, batch row and audit entry commit together or not at all.
No ORM object leaves this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Table, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from console.store.audit_store import write_tx
from console.store.history_store import row_search_text
from console.store.models import AlertRevision, ImportBatch, Incident, UTCDateTime
from console.store.store import Store

__all__ = ["ImportBatchRecord", "add_batch", "batches", "bulk_cache", "existing_ids",
           "find_batch", "finish_batch", "has_incident_column", "insert_incidents", "write_tx"]


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


@contextmanager
def bulk_cache(s: Session, mib: int = 64) -> Iterator[None]:
    """A larger SQLite page cache for the rest of the transaction (fewer index pages
    spilled and re-read while 100,000 rows go in); restored before the commit."""
    conn = s.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{int(mib) * 1024}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


def _incident_columns() -> frozenset[str]:
    return frozenset(Incident.__table__.columns.keys())


def insert_incidents(s: Session, incidents: Sequence[dict[str, Any]],
                     revisions: Sequence[dict[str, Any]]) -> None:
    """Bulk-insert incident rows and their revision rows (executemany, no ORM objects).

    Keys of ``incidents`` that the schema lacks are dropped; the search text the desk's
    history search reads is filled in as the column's default would."""
    if not incidents:
        return
    cols = _incident_columns()
    rows: Sequence[dict[str, Any]] = incidents
    if set(incidents[0]) - cols:
        rows = [{k: v for k, v in r.items() if k in cols} for r in incidents]
    if "search_text" in cols and "search_text" not in rows[0]:
        # the column's insert default, computed here because the sqlite3 path skips it
        rows = [{**r, "search_text": row_search_text(r)} for r in rows]
    conn = s.connection()
    if conn.dialect.name == "sqlite":
        json_text: dict[int, str] = {}
        _sqlite_insert(conn, Incident.__table__, rows, json_text)
        _sqlite_insert(conn, AlertRevision.__table__, revisions, json_text)
        return
    conn.execute(insert(Incident.__table__), list(rows))  # Core insertmanyvalues
    conn.execute(insert(AlertRevision.__table__), list(revisions))


def _sqlite_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]],
                   json_text: dict[int, str]) -> None:
    """executemany straight to sqlite3, with values stored as the ORM types store them
    (UTCDateTime: naive UTC text with microseconds; JSON: ``json.dumps`` text); a fraction
    of the time the typed Core path takes for 100,000 rows."""
    names = list(rows[0])
    sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
           f"VALUES ({', '.join('?' * len(names))})")
    times: dict[datetime, str] = {}

    def to_text(value: datetime | None) -> str | None:
        if value is None:
            return None
        text = times.get(value)
        if text is None:
            if value.tzinfo is None:
                raise ValueError(f"naive datetime {value!r} stored; use an aware UTC time")
            text = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
            if len(times) < 4096:  # import times repeat on every row
                times[value] = text
        return text

    def to_json(value: Any) -> str | None:
        if value is None:
            return None
        key = id(value)  # a payload shared by the incident and its revision: encoded once
        text = json_text.get(key)
        if text is None:
            text = json_text[key] = json.dumps(value)
        return text

    special: list[tuple[int, Any]] = []
    for i, name in enumerate(names):
        kind = table.c[name].type
        if isinstance(kind, UTCDateTime):
            special.append((i, to_text))
        elif isinstance(kind, JSON):
            special.append((i, to_json))
    get = itemgetter(*names)
    params = []
    for row in rows:
        values = list(get(row))
        for i, convert in special:
            values[i] = convert(values[i])
        params.append(tuple(values))
    conn.exec_driver_sql(sql, params)


def has_incident_column(name: str) -> bool:
    """Whether ``incidents`` has the column ``name`` in this schema."""
    return name in _incident_columns()


def add_batch(s: Session, **fields: Any) -> int:
    """Record an imported file; returns the batch id."""
    row = ImportBatch(**fields)
    s.add(row)
    s.flush()
    return int(row.id)


def finish_batch(s: Session, batch_id: int, *, rows_imported: int, rows_existing: int) -> None:
    """Set the final counts of a batch recorded before its rows were written."""
    row = s.get(ImportBatch, batch_id)
    assert row is not None
    row.rows_imported, row.rows_existing = rows_imported, rows_existing
    s.flush()
