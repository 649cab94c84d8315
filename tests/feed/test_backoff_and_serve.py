"""Backoff schedule bounds and the standalone ``serve_forever`` entry point."""

from __future__ import annotations

import random
import threading

import pytest
import requests

from console.feed import Backoff, FeedServer, serve_forever
from tests.domain.factories import alert_dict
from tests.feed.helpers import wait_until


def test_full_jitter_stays_within_exponential_ceiling() -> None:
    backoff = Backoff(base_s=0.5, cap_s=30.0, rng=random.Random(7))
    for n in range(40):
        ceiling = min(30.0, 0.5 * 2**n)
        assert 0.0 <= backoff.next_delay() <= ceiling
    backoff.reset()
    assert backoff.attempt == 0 and backoff.next_delay() <= 0.5


def test_full_jitter_spreads_delays() -> None:
    rng = random.Random(3)
    delays = []
    for _ in range(200):
        backoff = Backoff(rng=rng)
        backoff.attempt = 10  # ceiling is the 30 s cap
        delays.append(backoff.next_delay())
    assert min(delays) < 5.0 and max(delays) > 25.0


def test_backoff_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError, match="base_s"):
        Backoff(base_s=0.0)


def test_serve_forever_runs_publisher_until_stopped() -> None:
    seen: dict[str, object] = {}
    release = threading.Event()

    def publisher(server: FeedServer, stop: threading.Event) -> None:
        seen["seq"] = server.publish(alert_dict("DEMO-1"))
        seen["url"] = server.url
        release.wait(10)
        server.stop()

    worker = threading.Thread(target=serve_forever, args=(0, "demo", publisher))
    worker.start()
    try:
        wait_until(lambda: "url" in seen, what="publisher started")
        body = requests.get(f"{seen['url']}/v1/alerts", headers={
            "Authorization": "Bearer demo"}, timeout=5).json()
        assert seen["seq"] == 1 and body["alerts"][0]["id"] == "DEMO-1"
    finally:
        release.set()
        worker.join(10)
    assert not worker.is_alive()
