"""Outbox: events stored locally first and delivered exactly once through failures."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from console.domain import new_event
from console.feed import FeedClient, FeedError, FeedServer
from console.store import Store
from tests.domain.factories import alert_dict
from tests.feed.helpers import wait_until

Make = Callable[..., FeedClient]
EVENTS = "/v1/incidents/"


def _status(incident: str = "PGH-1", status: str = "en_route"):
    return new_event(incident, "status", "2A12", {"status": status})


def test_event_posted_once_through_refusals_drops_and_lost_answers(
    server: FeedServer, store: Store, make_client: Make
) -> None:
    server.faults.fail_next(2, status=503, path=EVENTS)
    server.faults.drop_next(1, path=EVENTS)
    server.faults.truncate_next(1, path=EVENTS)  # applied, but the answer is cut short
    client = make_client(store).start()
    event = _status()
    assert client.post_event(event)
    assert not client.post_event(event)  # same event_id: already queued

    def acked() -> bool:
        item = store.outbox_item(event.event_id)
        return item is not None and item.acked_at is not None

    wait_until(acked, timeout=20, what="event acknowledged")
    assert [e["event_id"] for e in server.events] == [event.event_id]
    item = store.outbox_item(event.event_id)
    assert item is not None and item.attempts == 5 and item.last_error is None


def test_events_keep_order_and_survive_a_restart(
    server: FeedServer, store_url: str, make_client: Make
) -> None:
    events = [_status(status=s) for s in ("acknowledged", "en_route", "on_scene")]
    offline = Store(store_url)
    for e in events:
        offline.enqueue_event(e)  # car had no link; app closed before sending
    offline.close()
    store = Store(store_url)
    try:
        assert make_client(store).drain_outbox() == 3
        assert [e["data"]["status"] for e in server.events] == [
            "acknowledged", "en_route", "on_scene"]
        assert store.pending_events() == []
    finally:
        store.close()


def test_transient_failure_keeps_event_pending(
    server: FeedServer, store: Store, make_client: Make
) -> None:
    server.faults.fail_next(1, status=500, path=EVENTS)
    client = make_client(store)
    event = _status()
    store.enqueue_event(event)
    with pytest.raises(FeedError):
        client.drain_outbox()
    item = store.outbox_item(event.event_id)
    assert item is not None and item.acked_at is None and "500" in (item.last_error or "")
    assert client.drain_outbox() == 1 and len(server.events) == 1


def test_conflicting_reuse_of_event_id_is_marked_failed(
    server: FeedServer, store: Store, make_client: Make, tmp_path: Path
) -> None:
    first = _status(status="en_route")
    make_client(store).post_event(first)
    assert make_client(store).drain_outbox() == 1
    note = new_event("PGH-1", "note", "2A14", {"text": "different"})
    forged = dataclasses.replace(note, event_id=first.event_id)
    other_car = Store(f"sqlite+pysqlite:///{tmp_path / 'other-car.sqlite3'}")
    try:
        other = make_client(other_car)
        other.post_event(forged)
        assert other.drain_outbox() == 0
        item = other_car.outbox_item(first.event_id)
        assert item is not None and item.failed_at is not None
        assert "409" in (item.last_error or "") and other_car.pending_events() == []
    finally:
        other_car.close()
    assert len(server.events) == 1 and server.events[0]["kind"] == "status"


def test_server_echoes_events_as_new_revision(store: Store, make_client: Make,
                                              server: FeedServer) -> None:
    server.echo_events = True
    server.publish(alert_dict("PGH-1"))
    client = make_client(store, wait=0.0)
    client.poll_once()
    event = new_event("PGH-1", "canvass", "2A14", {"result": "no_answer"})
    client.post_event(event)
    client.drain_outbox()
    [updated] = client.poll_once()
    assert updated.revision == 2 and updated.events == (event,)
