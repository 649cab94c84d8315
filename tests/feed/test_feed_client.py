"""Feed client against a real loopback FeedServer and a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import Text, cast, select

from console.feed import FeedClient, FeedServer, FeedStatus, FeedUnauthorized
from console.store import Store
from console.store.models import AlertRevision, Incident
from tests.domain.factories import alert_dict
from tests.feed.helpers import Recorder, wait_until

Make = Callable[..., FeedClient]


def _incident_count(store: Store) -> int:
    return len(store.list_incidents(limit=10_000))


def _revision_count(store: Store, ids: list[str]) -> int:
    return sum(len(store.revisions(i)) for i in ids)


def test_long_poll_delivers_alert_published_mid_poll(
    server: FeedServer, store: Store, make_client: Make, recorder: Recorder
) -> None:
    client = make_client(store, wait=10.0, timeout=(1.0, 15.0))
    server.publish(alert_dict("PGH-0"))
    client.start()
    wait_until(lambda: ("PGH-0", 1) in recorder.arrived, what="first alert")
    wait_until(lambda: server.waiting == 1, what="client parked in a long poll")
    sent = time.perf_counter()
    server.publish(alert_dict("PGH-1"))
    wait_until(lambda: ("PGH-1", 1) in recorder.arrived, timeout=5, what="second alert")
    assert recorder.arrived[("PGH-1", 1)] - sent < 1.0
    assert recorder.statuses()[-1] is FeedStatus.CONNECTED


def test_cursor_resumes_after_restart_without_gap_or_duplicate(
    server: FeedServer, store_url: str, make_client: Make
) -> None:
    ids = [f"PGH-{i}" for i in range(8)]
    for i in ids[:5]:
        server.publish(alert_dict(i))
    first_store = Store(store_url)
    assert len(make_client(first_store).poll_once()) == 5
    first_store.close()
    for i in ids[5:]:
        server.publish(alert_dict(i))
    second_store = Store(store_url)
    try:
        assert second_store.cursor(server.url) == 5
        client = make_client(second_store)
        assert [a.id for a in client.poll_once()] == ids[5:]
        assert client.poll_once() == []
        assert _incident_count(second_store) == 8 and _revision_count(second_store, ids) == 8
        assert second_store.cursor(server.url) == 8
    finally:
        second_store.close()


def test_revisions_are_idempotent_and_lower_never_wins(
    server: FeedServer, store: Store, make_client: Make
) -> None:
    client = make_client(store, wait=0.0)
    server.publish(alert_dict("PGH-1", 1, rounds=2))
    server.publish(alert_dict("PGH-1", 1, rounds=2))  # re-sent under a new seq
    server.publish(alert_dict("PGH-1", 3, rounds=8, review="reviewed"))
    server.publish(alert_dict("PGH-1", 2, rounds=5, review="updated"))  # late arrival
    changed = client.poll_once()
    assert [(a.revision, a.rounds) for a in changed] == [(1, 2), (3, 8)]
    record = store.get_incident("PGH-1")
    assert record is not None and (record.alert.revision, record.alert.rounds) == (3, 8)
    assert [a.revision for a in store.revisions("PGH-1")] == [1, 2, 3]


def test_bad_alert_in_batch_is_recorded_and_good_ones_kept(
    server: FeedServer, store: Store, make_client: Make, recorder: Recorder
) -> None:
    sensors = [{"id": "S-17", "lat": 40.44, "lon": -79.99}]
    server.publish(alert_dict("PGH-1"))
    bad_location = {"lat": 200, "lon": -79.9, "uncertainty_m": 20}
    server.publish(alert_dict("PGH-2", location=bad_location, sensors=sensors))
    server.publish(alert_dict("PGH-3", sensors=sensors))
    client = make_client(store, wait=0.0)
    assert [a.id for a in client.poll_once()] == ["PGH-1", "PGH-3"]
    [rejected] = store.rejected_alerts()
    assert "location.lat" in rejected.reason and "200" in rejected.reason
    assert rejected.seq == 2 and json.loads(rejected.raw)["id"] == "PGH-2"
    assert "sensors" not in json.loads(rejected.raw) and "S-17" not in rejected.raw
    with store.engine.connect() as conn:
        stored = [conn.execute(select(cast(t.payload, Text))).scalars().all()
                  for t in (AlertRevision, Incident)]
    assert len(stored[0]) == 2 and not any("S-17" in p for rows in stored for p in rows)
    assert client.rejected_count == 1 and recorder.rejected[0][0] == rejected.reason
    assert store.cursor(server.url) == 3


@pytest.mark.parametrize("arm", [
    pytest.param(lambda s: s.faults.fail_next(3, status=500), id="http500"),
    pytest.param(lambda s: s.faults.fail_next(3, status=503), id="http503"),
    pytest.param(lambda s: s.faults.hang_next(1, seconds=30), id="hang"),
    pytest.param(lambda s: s.faults.drop_next(2), id="drop"),
    pytest.param(lambda s: s.faults.truncate_next(2), id="truncated"),
    pytest.param(lambda s: s.faults.oversize_next(1, size=2 * 1024 * 1024), id="oversize"),
])
def test_faults_make_client_retry_then_recover_losing_nothing(
    arm: Callable[[FeedServer], None], server: FeedServer, store: Store, make_client: Make,
    recorder: Recorder,
) -> None:
    ids = [f"PGH-{i}" for i in range(6)]
    for i in ids[:3]:
        server.publish(alert_dict(i))
    arm(server)
    client = make_client(store, wait=0.3, timeout=(1.0, 1.0), max_response_bytes=256 * 1024)
    client.start()
    for i in ids[3:]:
        server.publish(alert_dict(i))
    wait_until(lambda: _incident_count(store) == 6, timeout=20, what="all six incidents")
    wait_until(lambda: recorder.statuses()[-1:] == [FeedStatus.CONNECTED], what="connected")
    statuses = recorder.statuses()
    assert FeedStatus.RETRYING in statuses
    assert statuses.index(FeedStatus.RETRYING) < len(statuses) - 1
    assert server.faults.pending() == 0
    assert _revision_count(store, ids) == 6 and store.rejected_alerts() == []
    assert sorted(a.id for a in recorder.alerts) == ids


def test_duplicated_batch_is_stored_once(
    server: FeedServer, store: Store, make_client: Make
) -> None:
    for i in range(3):
        server.publish(alert_dict(f"PGH-{i}"))
    server.faults.duplicate_next(1)
    changed = make_client(store, wait=0.0).poll_once()
    assert [a.id for a in changed] == ["PGH-0", "PGH-1", "PGH-2"]
    assert _revision_count(store, ["PGH-0", "PGH-1", "PGH-2"]) == 3


def test_server_cursor_reset_resyncs_without_duplicates(
    server: FeedServer, store: Store, make_client: Make
) -> None:
    ids = ["PGH-1", "PGH-2", "PGH-3"]
    for i in ids:
        server.publish(alert_dict(i, 1))
        server.publish(alert_dict(i, 2))
    client = make_client(store, wait=0.0)
    assert len(client.poll_once()) == 6 and store.cursor(server.url) == 6
    server.reset_cursor()  # numbering restarts: 3 entries, head 3 < 6
    assert client.poll_once() == [] and store.cursor(server.url) == 0
    assert client.poll_once() == []  # the three re-sent revisions are duplicates
    server.publish(alert_dict("PGH-4"))
    assert [a.id for a in client.poll_once()] == ["PGH-4"]
    assert _revision_count(store, [*ids, "PGH-4"]) == 7


def test_epoch_change_catches_reset_the_cursor_alone_would_miss(
    server: FeedServer, store: Store, make_client: Make
) -> None:
    for i in range(3):
        server.publish(alert_dict(f"OLD-{i}", 1))
        server.publish(alert_dict(f"OLD-{i}", 2))
    client = make_client(store, wait=0.0)
    client.poll_once()
    server.reset_cursor()
    new_ids = [f"NEW-{i}" for i in range(4)]
    for i in new_ids:  # seqs 4..7: after=6 alone would skip NEW-0..NEW-2
        server.publish(alert_dict(i))
    for _ in range(3):
        client.poll_once()
    assert all(store.get_incident(i) is not None for i in new_ids)
    assert store.cursor(server.url) == 7


def test_wrong_token_gives_unauthorized_state(
    server: FeedServer, store: Store, make_client: Make, recorder: Recorder
) -> None:
    server.publish(alert_dict("PGH-1"))
    client = make_client(store, token="wrong")
    with pytest.raises(FeedUnauthorized):
        client.poll_once()
    client.start()
    wait_until(lambda: FeedStatus.UNAUTHORIZED in recorder.statuses(), what="unauthorized")
    assert "token" in client.state.text and "401" in (client.state.error or "")
    assert _incident_count(store) == 0 and store.cursor(server.url) == 0


def test_unreachable_feed_goes_offline(store: Store, recorder: Recorder) -> None:
    gone = FeedServer(token="t").start()
    url = gone.url
    gone.stop()
    client = FeedClient(url, "t", store, wait=0.2, timeout=(0.3, 0.5), offline_after_s=0.3,
                        **recorder.callbacks())
    stop = threading.Event()
    worker = threading.Thread(target=client.run, args=(stop,))
    worker.start()
    try:
        wait_until(lambda: FeedStatus.OFFLINE in recorder.statuses(), what="offline")
    finally:
        stop.set()
        worker.join(10)
    statuses = recorder.statuses()
    assert statuses[0] is FeedStatus.RETRYING
    assert client.state.text.startswith("offline since ")


def test_audio_is_fetched_once_then_served_from_cache(
    server: FeedServer, store: Store, make_client: Make
) -> None:
    clip = b"RIFF" + bytes(range(256)) * 64
    payload = alert_dict("PGH-1")
    del payload["audio"]  # let the server describe its clips
    server.publish(payload, audio=[clip])
    client = make_client(store, wait=0.0)
    [alert] = client.poll_once()
    assert alert.audio[0].href == "/v1/alerts/PGH-1/audio/0"
    assert client.fetch_audio("PGH-1", 0) == clip
    server.stop()
    assert client.fetch_audio("PGH-1", 0) == clip


def test_quiet_feed_shows_connected_at_once_not_after_a_long_poll(
    server: FeedServer, store: Store, make_client: Make, recorder: Recorder
) -> None:
    # no alerts: a first long poll would hold the state at "not polled yet" for 20 s
    client = make_client(store, wait=20.0, timeout=(1.0, 25.0))
    client.start()
    wait_until(lambda: recorder.statuses()[-1:] == [FeedStatus.CONNECTED], timeout=3,
               what="connected on a quiet feed")
    wait_until(lambda: server.waiting == 1, timeout=3, what="then parked in a long poll")
