"""Recorded events reach the feed once each, however long the queue (both backends)."""

from __future__ import annotations

from console.domain.events import EventKind, new_event
from console.feed.client import FeedClient
from console.feed.server import FeedServer
from console.store import Store


def test_one_drain_sends_a_queue_longer_than_a_batch(store: Store) -> None:
    events = [new_event("Q-1", EventKind.NOTE, "P-12", {"text": f"n{i}"}) for i in range(120)]
    for e in events:
        store.record_local_event(e)
    with FeedServer("127.0.0.1", 0, "t") as server:
        client = FeedClient(server.url, "t", store, wait=1.0, timeout=(1.0, 2.0))
        assert client.drain_outbox() == 120
        assert [e["event_id"] for e in server.events] == [e.event_id for e in events]
    assert store.pending_events() == []
    assert {s.delivery for s in store.unit_events("Q-1")} == {"sent"}
