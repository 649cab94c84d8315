"""Demo publisher: located incidents, valid protocol-v1 alerts, never any sensor data."""

from __future__ import annotations

import threading
import time
from typing import Any

from console.demo.publisher import DEMO_BBOX, run_demo_publisher
from console.domain.alert import parse_alert
from console.feed.server import FeedServer


def _keys(obj: Any) -> set[str]:
    if isinstance(obj, dict):
        return set(obj) | {k for v in obj.values() for k in _keys(v)}
    if isinstance(obj, list):
        return {k for v in obj for k in _keys(v)}
    return set()


def test_demo_publisher_publishes_a_located_valid_alert() -> None:
    with FeedServer("127.0.0.1", 0, "t") as server:
        stop = threading.Event()
        run_demo_publisher(server, stop, first_delay_s=0.0, interval_s=(0.0, 0.0),
                           review_delay_s=(0.01, 0.02), count=1)
        alerts, _last, _epoch = server.alerts_after(0, 100, 0.0)
    assert len(alerts) >= 2
    first = alerts[0]
    assert first["id"] == "DEMO-0001" and first["revision"] == 1
    assert first["review"] == "machine"
    assert [a["revision"] for a in alerts] == list(range(1, len(alerts) + 1))
    assert alerts[1]["review"] == "reviewed"
    for raw in alerts:
        alert = parse_alert(raw)
        assert not any("sensor" in k.lower() for k in _keys(raw)), raw
        south, west, north, east = DEMO_BBOX
        assert south <= alert.location.lat <= north
        assert west <= alert.location.lon <= east
        assert alert.shots and alert.rounds == len(alert.shots)
    clip = server.clip("DEMO-0001", 0)
    assert clip is not None and clip[0] == "audio/wav" and clip[1][:4] == b"RIFF"
    assert first["audio"][0]["href"] == "/v1/alerts/DEMO-0001/audio/0"


def test_demo_publisher_stops_promptly() -> None:
    published: list[dict[str, Any]] = []

    class Sink:
        def publish(self, alert: dict[str, Any], audio: Any = ()) -> int:
            published.append(alert)
            return len(published)

    stop = threading.Event()
    thread = threading.Thread(target=run_demo_publisher, args=(Sink(), stop),
                              kwargs={"first_delay_s": 30.0})
    thread.start()
    time.sleep(0.1)
    stop.set()
    thread.join(timeout=2.0)
    assert not thread.is_alive() and published == []
