"""Shared pieces of the console benchmarks: a headless Qt app, demo-area alerts, page probes.

Benchmarks print figures and never pass or fail on them.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TOKEN = "bench-token"
# central Helsinki, inside the demo map pack
LAT0, LAT1, LON0, LON1 = 60.162, 60.176, 24.925, 24.960


def headless_env() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


def make_app() -> Any:
    """The QApplication, with the app:// scheme registered first."""
    headless_env()
    from console.ui.app_scheme import register_app_scheme

    register_app_scheme()
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(sys.argv[:1])


def alert(i: int, prefix: str = "B", base: datetime | None = None) -> dict[str, Any]:
    """A valid protocol-v1 alert number ``i`` somewhere over the demo map."""
    base = base or datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    when = (base + timedelta(seconds=i)).isoformat().replace("+00:00", "Z")
    lat = LAT0 + (LAT1 - LAT0) * ((i * 37) % 101) / 100.0
    lon = LON0 + (LON1 - LON0) * ((i * 61) % 103) / 102.0
    return {"id": f"{prefix}-{i:04d}", "revision": 1, "review": "machine",
            "type": "single_gunshot" if i % 3 else "multiple_gunshots", "time": when,
            "location": {"lat": lat, "lon": lon, "uncertainty_m": 25},
            "address": f"near test street {i}", "district": "Helsinki Centre", "beat": "B2",
            "rounds": 1 if i % 3 else 3, "shooters": 1,
            "shots": [{"time": when, "lat": lat, "lon": lon, "shooter": 1}]}


def wait_until(app: Any, predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Run the Qt event loop until ``predicate`` holds (raises at the deadline)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        app.processEvents()
        time.sleep(0.001)


def run_js(app: Any, alert_map: Any, code: str, timeout: float = 10.0) -> Any:
    box: dict[str, Any] = {}
    alert_map.run_js(code, lambda value: box.setdefault("v", value))
    wait_until(app, lambda: "v" in box, timeout, f"page answer to {code[:40]}")
    return box["v"]


# Records, in the page, when each incident's marker enters the DOM (epoch ms).
OBSERVE_MARKERS = """
(function () {
  window.__macSeen = {};
  const pane = document.querySelector('.leaflet-marker-pane');
  new MutationObserver((records) => {
    const t = Date.now();
    for (const r of records) for (const n of r.addedNodes) {
      const pin = n.querySelector ? n.querySelector('[data-mac-id]') : null;
      const id = pin ? pin.getAttribute('data-mac-id') : null;
      if (id && !(id in window.__macSeen)) window.__macSeen[id] = t;
    }
  }).observe(pane, {childList: true});
  return true;
})()
"""


def seen_in_page(app: Any, alert_map: Any) -> dict[str, float]:
    """Incident id -> epoch seconds its marker appeared (needs OBSERVE_MARKERS first)."""
    raw = run_js(app, alert_map, "JSON.stringify(window.__macSeen)")
    return {k: v / 1000.0 for k, v in json.loads(raw).items()}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100.0 * (len(ordered) - 1))))
    return ordered[k]


def summary_ms(values: list[float]) -> str:
    ms = [v * 1000.0 for v in values]
    return (f"n={len(ms)}  p50={pct(ms, 50):.1f} ms  p99={pct(ms, 99):.1f} ms  "
            f"max={max(ms):.1f} ms  mean={statistics.fmean(ms):.1f} ms")


@contextmanager
def console_on_loopback(app: Any) -> Iterator[tuple[Any, Any, Any]]:
    """The real console window on a loopback feed and a temporary SQLite store, shown at
    1280x800 with its map ready; yields (window, server, store) and tears all down."""
    from console.app import build_main_window, store_url
    from console.feed.server import FeedServer
    from console.store import Store

    tmp = tempfile.TemporaryDirectory(prefix="mac-bench-")
    server = FeedServer("127.0.0.1", 0, TOKEN).start()
    store = Store(store_url(tmp.name))
    win = build_main_window(store, server.url, TOKEN, sound=False)
    win.resize(1280, 800)
    win.show()
    try:
        wait_until(app, lambda: win.map.is_ready, 30, "map ready")
        yield win, server, store
    finally:
        win.close()
        win.shutdown()
        server.stop()
        store.close()
        tmp.cleanup()
