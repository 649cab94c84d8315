"""The audit chain: canonical JSON, entry hashes and chain verification (no database).

Each audit entry carries the hash of the entry before it; its own hash is SHA-256 over
the canonical JSON of ``{seq, at, user, action, object, outcome, details, prev_hash}``.
Canonical JSON has sorted keys, no whitespace, UTF-8 text (no ``\\u`` escapes for
non-ASCII) and times as ISO-8601 UTC with microseconds (``2026-11-26T13:52:00.000000Z``).
Changing, removing or inserting any entry breaks the chain at that entry or the next.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "GENESIS", "AuditEntry", "ChainBreak", "Outcome", "canonical_json", "entry_hash",
    "format_time", "normalize_details", "verify_chain",
]

#: ``prev_hash`` of the first entry.
GENESIS = "0" * 64


class Outcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    OK = "ok"
    FAILED = "failed"


def format_time(at: datetime) -> str:
    """``at`` as ISO-8601 UTC with microseconds and a ``Z``; naive times are refused."""
    if at.tzinfo is None:
        raise ValueError(f"naive datetime {at!r} in the audit log; use an aware UTC time")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_time(value)
    raise TypeError(f"{type(value).__name__} {value!r} cannot go into the audit log")


def canonical_json(value: Any) -> bytes:
    """Canonical UTF-8 JSON of ``value`` (sorted keys, no whitespace, no NaN)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False, default=_default).encode("utf-8")


def normalize_details(details: Mapping[str, Any] | None) -> dict[str, Any]:
    """``details`` as it reads back from canonical JSON (times become strings, tuples lists)."""
    return json.loads(canonical_json(dict(details or {})))


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit record; ``object_type``/``object_id`` name what was acted on (or None)."""

    seq: int
    at: datetime
    user: str
    action: str
    object_type: str | None
    object_id: str | None
    outcome: str
    details: dict[str, Any]
    prev_hash: str
    hash: str = ""

    def hashed_fields(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "at": format_time(self.at), "user": self.user,
            "action": self.action,
            "object": {"type": self.object_type, "id": self.object_id},
            "outcome": str(self.outcome), "details": self.details,
            "prev_hash": self.prev_hash,
        }


def entry_hash(entry: AuditEntry) -> str:
    """Hex SHA-256 of the canonical JSON of ``entry``'s hashed fields (its own hash excluded)."""
    return hashlib.sha256(canonical_json(entry.hashed_fields())).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first entry that does not fit the chain, and why."""

    seq: int
    reason: str


def verify_chain(entries: Iterable[AuditEntry], *, start_seq: int = 1,
                 start_prev: str = GENESIS) -> ChainBreak | None:
    """The first broken link of ``entries`` (in seq order), or None when the chain holds.

    A link is broken by a seq gap (an entry removed or inserted), a ``prev_hash`` that is
    not the previous entry's hash, or a stored hash that does not match the entry.
    """
    expected_seq, prev = start_seq, start_prev
    for entry in entries:
        if entry.seq != expected_seq:
            return ChainBreak(entry.seq, f"seq gap: expected {expected_seq}, found {entry.seq}")
        if entry.prev_hash != prev:
            return ChainBreak(entry.seq, f"prev mismatch: prev_hash {entry.prev_hash[:12]} "
                                         f"is not the previous entry's hash {prev[:12]}")
        actual = entry_hash(entry)
        if entry.hash != actual:
            return ChainBreak(entry.seq, f"hash mismatch: stored {entry.hash[:12]}, "
                                         f"computed {actual[:12]}")
        expected_seq, prev = entry.seq + 1, entry.hash
    return None
