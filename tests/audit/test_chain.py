"""The hash chain without a database: canonical JSON, entry hashes, first broken link."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from console.domain.audit import (
    GENESIS,
    AuditEntry,
    canonical_json,
    entry_hash,
    format_time,
    normalize_details,
    verify_chain,
)

T0 = datetime(2026, 11, 26, 13, 52, 0, 5, tzinfo=UTC)


def _chain(n: int) -> list[AuditEntry]:
    entries, prev = [], GENESIS
    for seq in range(1, n + 1):
        e = AuditEntry(seq, T0 + timedelta(seconds=seq), f"user{seq % 3}", "view_incident",
                       "incident", f"INC-{seq}", "allowed", {"n": seq, "note": "café"}, prev)
        e = replace(e, hash=entry_hash(e))
        entries.append(e)
        prev = e.hash
    return entries


def test_canonical_json_sorted_compact_utf8() -> None:
    assert canonical_json({"b": [1, 2], "a": "café", "c": None}) == (
        '{"a":"café","b":[1,2],"c":null}'.encode())
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})
    with pytest.raises(TypeError, match="set"):
        canonical_json({"x": {1}})


def test_times_are_utc_with_microseconds() -> None:
    plus2 = timezone(timedelta(hours=2))
    assert format_time(datetime(2026, 1, 2, 5, 4, 5, tzinfo=plus2)) == (
        "2026-01-02T03:04:05.000000Z")
    assert format_time(T0) == "2026-11-26T13:52:00.000005Z"
    with pytest.raises(ValueError, match="naive"):
        format_time(datetime(2026, 1, 1))
    assert normalize_details({"at": T0, "t": (1, 2)}) == {
        "at": "2026-11-26T13:52:00.000005Z", "t": [1, 2]}


def test_entry_hash_is_sha256_of_the_documented_fields() -> None:
    e = AuditEntry(7, T0, "ann", "approve_release", "release", "R-1", "ok",
                   {"why": "DA request"}, "ab" * 32)
    text = ('{"action":"approve_release","at":"2026-11-26T13:52:00.000005Z",'
            '"details":{"why":"DA request"},"object":{"id":"R-1","type":"release"},'
            '"outcome":"ok","prev_hash":"' + "ab" * 32 + '","seq":7,"user":"ann"}')
    assert entry_hash(e) == hashlib.sha256(text.encode()).hexdigest()


def test_intact_chain_and_empty_chain_verify() -> None:
    assert verify_chain(_chain(20)) is None
    assert verify_chain([]) is None


@pytest.mark.parametrize("change", [
    {"user": "mallory"}, {"outcome": "denied"}, {"details": {"n": 5, "note": "cafe"}},
    {"at": T0}, {"object_id": "INC-X"}, {"action": "purge_records"},
])
def test_changed_entry_is_a_hash_mismatch(change: dict[str, object]) -> None:
    entries = _chain(10)
    entries[4] = replace(entries[4], **change)
    broken = verify_chain(entries)
    assert broken is not None and broken.seq == 5
    assert broken.reason.startswith("hash mismatch")


def test_rehashed_entry_breaks_the_next_link() -> None:
    entries = _chain(10)
    forged = replace(entries[4], user="mallory")
    entries[4] = replace(forged, hash=entry_hash(forged))
    broken = verify_chain(entries)
    assert broken is not None and broken.seq == 6
    assert broken.reason.startswith("prev mismatch")


def test_removed_entry_is_a_seq_gap() -> None:
    entries = _chain(10)
    del entries[3]
    broken = verify_chain(entries)
    assert (broken.seq, broken.reason) == (5, "seq gap: expected 4, found 5")  # type: ignore[union-attr]


def test_chain_must_start_at_genesis() -> None:
    entries = _chain(5)[1:]
    assert verify_chain(entries).seq == 2  # type: ignore[union-attr]
    assert verify_chain(entries, start_seq=2, start_prev=_chain(1)[0].hash) is None
