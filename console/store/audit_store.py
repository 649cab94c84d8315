"""Audit log storage: append one chained entry under a table lock, read the chain back.

Appends are serialised so two writers never chain off the same ``prev_hash``: on SQLite
the write transaction begins IMMEDIATE (the database's write lock), on PostgreSQL the
transaction takes ``LOCK TABLE audit_log IN EXCLUSIVE MODE`` (plain readers still run).
Callers append inside their own write transaction, so an action and its audit entry
commit together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.audit import GENESIS, AuditEntry, canonical_json, entry_hash
from console.domain.audit import normalize_details as _normalize
from console.store.engine import WRITE
from console.store.models import AuditLogRow
from console.store.store import Store

__all__ = ["append", "count", "entries", "head", "search", "write_tx"]


@contextmanager
def write_tx(store: Store) -> Iterator[Session]:
    """A write transaction on ``store`` (SQLite: BEGIN IMMEDIATE), committed on success."""
    with Session(store.engine.execution_options(**WRITE), expire_on_commit=False) as s, \
            s.begin():
        yield s


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql("LOCK TABLE audit_log IN EXCLUSIVE MODE")


def _to_entry(row: AuditLogRow) -> AuditEntry:
    return AuditEntry(seq=row.seq, at=row.at, user=row.username, action=row.action,
                      object_type=row.object_type, object_id=row.object_id,
                      outcome=row.outcome, details=json.loads(row.details),
                      prev_hash=row.prev_hash, hash=row.hash)


def append(session: Session, *, at: datetime, user: str, action: str, outcome: str,
           object_type: str | None = None, object_id: str | None = None,
           details: dict[str, Any] | None = None) -> AuditEntry:
    """Chain a new entry after the last one, inside ``session``'s write transaction."""
    _lock(session)
    last = session.execute(select(AuditLogRow.seq, AuditLogRow.hash)
                           .order_by(AuditLogRow.seq.desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    entry = AuditEntry(seq=seq, at=at, user=user, action=action, object_type=object_type,
                       object_id=object_id, outcome=str(outcome),
                       details=_normalize(details), prev_hash=prev)
    digest = entry_hash(entry)
    session.add(AuditLogRow(
        seq=seq, at=at, username=user, action=action, object_type=object_type,
        object_id=object_id, outcome=str(outcome),
        details=canonical_json(entry.details).decode("utf-8"), prev_hash=prev, hash=digest))
    session.flush()
    return replace(entry, hash=digest)


def entries(store: Store, *, batch: int = 1000) -> Iterator[AuditEntry]:
    """Every entry in seq order, read in batches (the log may be long)."""
    after = 0
    while True:
        with Session(store.engine) as s:
            rows = s.scalars(select(AuditLogRow).where(AuditLogRow.seq > after)
                             .order_by(AuditLogRow.seq).limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield _to_entry(row)
        after = rows[-1].seq


def count(store: Store) -> int:
    with Session(store.engine) as s:
        return s.scalar(select(func.count()).select_from(AuditLogRow)) or 0


def head(store: Store) -> AuditEntry | None:
    """The newest entry, or None for an empty log."""
    with Session(store.engine) as s:
        row = s.scalars(select(AuditLogRow).order_by(AuditLogRow.seq.desc()).limit(1)).first()
        return None if row is None else _to_entry(row)


def search(store: Store, *, user: str | None = None, action: str | None = None,
           object_id: str | None = None, since: datetime | None = None,
           until: datetime | None = None, limit: int = 1000) -> list[AuditEntry]:
    """Entries matching every filter given (user/action exact, ``since <= at < until``),
    newest first, at most ``limit``."""
    stmt = select(AuditLogRow).order_by(AuditLogRow.seq.desc()).limit(limit)
    if user:
        stmt = stmt.where(AuditLogRow.username == user)
    if action:
        stmt = stmt.where(AuditLogRow.action == action)
    if object_id:
        stmt = stmt.where(AuditLogRow.object_id == object_id)
    if since is not None:
        stmt = stmt.where(AuditLogRow.at >= since)
    if until is not None:
        stmt = stmt.where(AuditLogRow.at < until)
    with Session(store.engine) as s:
        return [_to_entry(r) for r in s.scalars(stmt)]
