"""Feed benchmark: long-poll latency on loopback and store ingest rate. Prints figures.

    python -m console.feed.bench [--url SQLALCHEMY_URL] [--alerts 200] [--ingest 5000]

Without ``--url`` a temporary SQLite file is used. Timings never gate tests.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from console.domain.alert import parse_alert
from console.feed.client import FeedClient
from console.feed.server import FeedServer
from console.store import Store


def _alert(i: int, revision: int = 1) -> dict[str, Any]:
    return {"seq": i + 1, "id": f"BENCH-{i}", "revision": revision, "review": "machine",
            "type": "multiple_gunshots", "time": "2024-05-01T02:13:07.25Z",
            "location": {"lat": 40.44 + i * 1e-5, "lon": -79.99, "uncertainty_m": 25.0},
            "rounds": 3, "shooters": 1,
            "shots": [{"time": "2024-05-01T02:13:07.25Z", "lat": 40.44, "lon": -79.99}]}


def _wait(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("benchmark condition not reached")
        time.sleep(0.0005)


def long_poll_latency(store: Store, n: int) -> list[float]:
    """Publish ``n`` alerts one by one while the client is parked; seconds to on_alerts."""
    arrived: dict[str, float] = {}
    done = threading.Event()

    def on_alerts(alerts: list[Any]) -> None:
        now = time.perf_counter()
        for a in alerts:
            arrived[a.id] = now
        done.set()

    with FeedServer(token="bench") as server:
        client = FeedClient(server.url, "bench", store, wait=20.0, on_alerts=on_alerts).start()
        latencies = []
        try:
            for i in range(n):
                _wait(lambda: server.waiting >= 1)
                sent = time.perf_counter()
                server.publish(_alert(i))
                _wait(lambda i=i: f"BENCH-{i}" in arrived)
                latencies.append(arrived[f"BENCH-{i}"] - sent)
        finally:
            server.stop()
            client.stop()
    return latencies


def ingest_rate(store: Store, n: int, batch: int = 100) -> float:
    """Alerts per second through ``Store.ingest`` in batches of ``batch``."""
    alerts = [parse_alert(_alert(i + 1_000_000)) for i in range(n)]
    started = time.perf_counter()
    for k in range(0, n, batch):
        chunk = alerts[k:k + batch]
        store.ingest(chunk, "bench://ingest", chunk[-1].seq)
    return n / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="SQLAlchemy URL of an empty database")
    parser.add_argument("--alerts", type=int, default=200)
    parser.add_argument("--ingest", type=int, default=5000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite+pysqlite:///{Path(tmp) / 'bench.sqlite3'}"
        with Store(url) as store:
            lat = sorted(long_poll_latency(store, args.alerts))
            p99 = lat[min(len(lat) - 1, int(round(0.99 * len(lat))) - 1)]
            print(f"backend {store.engine.dialect.name}: long-poll publish->client over "
                  f"{len(lat)} alerts: p50 {statistics.median(lat) * 1e3:.2f} ms, "
                  f"p99 {p99 * 1e3:.2f} ms, max {lat[-1] * 1e3:.2f} ms")
            rate = ingest_rate(store, args.ingest)
            print(f"backend {store.engine.dialect.name}: ingest {args.ingest} alerts in "
                  f"batches of 100: {rate:.0f} alerts/s")


if __name__ == "__main__":
    main()
