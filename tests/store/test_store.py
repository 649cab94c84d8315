"""Store behaviour on both backends: idempotent ingest, history, cursor, outbox, audio."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime

import pytest

from console.domain import Alert, new_event, parse_alert
from console.store import RejectedInput, Store
from tests.domain.factories import alert_dict

FEED = "https://feed.example/v1"


def _alert(incident_id: str = "PGH-1", revision: int = 1, seq: int = 1, **kw: object) -> Alert:
    return parse_alert(alert_dict(incident_id, revision, seq=seq, **kw))


def test_new_then_duplicate(store: Store) -> None:
    first = store.ingest([_alert()], FEED, 1)
    again = store.ingest([_alert(seq=2)], FEED, 2)
    assert (first.new, first.duplicate) == (1, 0)
    assert (again.new, again.updated, again.duplicate, again.changed) == (0, 0, 1, ())
    assert [a.revision for a in store.revisions("PGH-1")] == [1]
    assert store.cursor(FEED) == 2


def test_higher_revision_updates_and_history_is_kept(store: Store) -> None:
    store.ingest([_alert(rounds=3)], FEED, 1)
    result = store.ingest([_alert(revision=2, seq=2, rounds=6, review="reviewed")], FEED, 2)
    assert result.updated == 1
    current = store.get_incident("PGH-1")
    assert current is not None and current.alert.revision == 2 and current.alert.rounds == 6
    assert [(a.revision, a.rounds) for a in store.revisions("PGH-1")] == [(1, 3), (2, 6)]


def test_lower_revision_never_overwrites(store: Store) -> None:
    store.ingest([_alert(revision=3, seq=1, rounds=9)], FEED, 1)
    result = store.ingest([_alert(revision=2, seq=2, rounds=4)], FEED, 2)
    assert (result.stale, result.updated, result.changed) == (1, 0, ())
    current = store.get_incident("PGH-1")
    assert current is not None and (current.alert.revision, current.alert.rounds) == (3, 9)
    assert [a.revision for a in store.revisions("PGH-1")] == [2, 3]


def test_revisions_of_one_incident_within_one_batch(store: Store) -> None:
    batch = [_alert(revision=1, seq=1), _alert(revision=2, seq=2), _alert(revision=2, seq=3)]
    result = store.ingest(batch, FEED, 3)
    assert (result.new, result.updated, result.duplicate) == (1, 1, 1)
    assert [a.revision for a in store.revisions("PGH-1")] == [1, 2]


def test_ingest_is_atomic(store: Store) -> None:
    good = _alert("PGH-1", seq=1)
    broken = dataclasses.replace(_alert("PGH-2", seq=2), time="not a time")  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        store.ingest([good, broken], FEED, 2)
    assert store.get_incident("PGH-1") is None
    assert store.cursor(FEED) == 0


def test_rejected_alerts_are_kept_once(store: Store) -> None:
    bad = RejectedInput('{"id": "x"}', "revision: is required", seq=4)
    assert store.ingest([], FEED, 4, rejected=[bad]).rejected == 1
    assert store.ingest([], FEED, 4, rejected=[bad]).rejected == 0
    [row] = store.rejected_alerts()
    assert (row.seq, row.raw, row.reason, row.feed_url) == (4, bad.raw, bad.reason, FEED)


def test_cursor_per_feed_and_reset(store: Store) -> None:
    assert store.cursor(FEED) == 0
    store.ingest([], FEED, 17, epoch="a")
    store.ingest([], "http://other", 3)
    assert (store.cursor(FEED), store.cursor("http://other")) == (17, 3)
    store.reset_cursor(FEED, "b")
    assert store.cursor_state(FEED).last_seq == 0 and store.cursor_state(FEED).epoch == "b"


def test_list_incidents_newest_first_with_paging(store: Store) -> None:
    alerts = [_alert(f"PGH-{i}", seq=i, time=f"2024-05-0{i}T00:00:00Z") for i in range(1, 6)]
    store.ingest(alerts, FEED, 5)
    page1 = [r.alert.id for r in store.list_incidents(limit=2)]
    page2 = [r.alert.id for r in store.list_incidents(limit=2, offset=2)]
    assert page1 == ["PGH-5", "PGH-4"] and page2 == ["PGH-3", "PGH-2"]


def test_acknowledge_first_wins(store: Store) -> None:
    store.ingest([_alert()], FEED, 1)
    t1 = datetime(2024, 5, 1, 3, 0, tzinfo=UTC)
    assert store.acknowledge("PGH-1", t1)
    assert store.acknowledge("PGH-1", datetime(2024, 5, 1, 4, 0, tzinfo=UTC))
    record = store.get_incident("PGH-1")
    assert record is not None and record.acknowledged_at == t1
    assert not store.acknowledge("nope")


def test_times_come_back_aware_utc(store: Store) -> None:
    store.ingest([_alert(time="2024-05-01T04:13:07.5+02:00")], FEED, 1)
    record = store.get_incident("PGH-1")
    assert record is not None
    assert record.alert.time == datetime(2024, 5, 1, 2, 13, 7, 500000, tzinfo=UTC)
    assert record.received_at.tzinfo is not None


def test_audio_cache(store: Store) -> None:
    assert store.cached_audio("PGH-1", 0) is None
    store.cache_audio("PGH-1", 0, "audio/wav", b"RIFF\x00\x01")
    clip = store.cached_audio("PGH-1", 0)
    assert clip is not None and (clip.mime, clip.data) == ("audio/wav", b"RIFF\x00\x01")


def test_outbox_lifecycle(store: Store) -> None:
    e1 = new_event("PGH-1", "status", "2A12", {"status": "en_route"})
    e2 = new_event("PGH-1", "note", "2A12", {"text": "Two casings"})
    assert store.enqueue_event(e1) and store.enqueue_event(e2)
    assert not store.enqueue_event(e1)
    assert [i.event_id for i in store.pending_events()] == [e1.event_id, e2.event_id]
    store.record_event_attempt(e1.event_id, "HTTP 503")
    store.record_event_attempt(e1.event_id, None)
    store.mark_event_acked(e1.event_id)
    store.mark_event_failed(e2.event_id, "HTTP 409: conflict")
    assert store.pending_events() == []
    item = store.outbox_item(e1.event_id)
    assert item is not None and item.attempts == 2 and item.acked_at is not None
    assert item.payload["data"] == {"status": "en_route"}
    failed = store.outbox_item(e2.event_id)
    assert failed is not None and failed.failed_at is not None and "409" in failed.last_error


def test_concurrent_writers_do_not_fail(store: Store) -> None:
    errors: list[BaseException] = []

    def ingest() -> None:
        try:
            for i in range(1, 41):
                store.ingest([_alert(f"PGH-{i}", seq=i)], FEED, i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def outbox() -> None:
        try:
            for _ in range(40):
                event = new_event("PGH-1", "note", "2A12", {"text": "x"})
                store.enqueue_event(event)
                store.mark_event_acked(event.event_id)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=ingest), threading.Thread(target=outbox)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert store.cursor(FEED) == 40 and len(store.list_incidents(limit=100)) == 40
