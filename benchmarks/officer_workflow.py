"""Officer workflow: taps to "en route" and to one canvass result; outbox drain of 1,000 events.

Taps are counted as the QTest mouse clicks this script makes on the real window built by
``build_main_window`` (loopback FeedServer relaying events, SQLite store on a temporary
file): from the alert banner (the EN ROUTE button) and, for comparison, through the
incident panel (select the alert, tap the large button twice). A path is done when the
en-route event is acknowledged by the server. The drain queues 1,000 unit events in the
store while the server refuses them, then times the car's outbox thread from the moment
the server comes back until the server holds every event once.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import TOKEN, alert, headless_env, make_app, wait_until  # noqa: E402

headless_env()


def _fast() -> dict[str, Any]:
    from console.feed.state import Backoff

    return {"wait": 1.0, "timeout": (1.0, 2.0), "backoff": Backoff(base_s=0.05, cap_s=0.3)}


class Taps:
    """Clicks made on the window, counted one per QTest.mouseClick."""

    def __init__(self) -> None:
        self.count = 0

    def click(self, widget: Any) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
        self.count += 1


def _sent_en_route(server: Any, incident_id: str) -> bool:
    return any(e["incident_id"] == incident_id and e["data"].get("status") == "en_route"
               for e in server.events)


def measure_taps(app: Any, tmp: Path) -> None:
    from console.app import build_main_window, store_url
    from console.feed.server import FeedServer
    from console.store import Store

    store = Store(store_url(tmp / "taps"))
    store.set_unit_identity("P-12")
    with FeedServer("127.0.0.1", 0, TOKEN, echo_events=True, max_wait_s=2.0) as server:
        win = build_main_window(store, server.url, TOKEN, sound=False, client_options=_fast())
        win.resize(1280, 800)
        win.show()
        wait_until(app, lambda: win.map.is_ready, 30, "map ready")
        win.start()
        try:
            # path 1: the banner's EN ROUTE button
            server.publish(alert(1, "TAP"))
            wait_until(app, lambda: win.banner.isVisible(), 10, "banner")
            taps, t0 = Taps(), time.perf_counter()
            taps.click(win.workflow.en_route_button)
            wait_until(app, lambda: _sent_en_route(server, "TAP-0001"), 10, "en route sent")
            banner_ms = (time.perf_counter() - t0) * 1000
            print(f"alert -> en route from the banner: {taps.count} tap(s); "
                  f"tap -> acknowledged by the server {banner_ms:.0f} ms")

            # path 2: select the alert in the queue, then the large button twice
            server.publish(alert(2, "TAP"))
            wait_until(app, lambda: win.model.row_of("TAP-0002") is not None, 10, "row")
            panel = Taps()
            rect = win.queue.visualRect(win.model.index(win.model.row_of("TAP-0002")))
            from PySide6.QtCore import Qt
            from PySide6.QtTest import QTest

            QTest.mouseClick(win.queue.viewport(), Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier, rect.center())
            panel.count += 1
            button = win.workflow.status.next_button
            for _ in range(2):
                wait_until(app, lambda: win.workflow.view is not None
                           and win.workflow.view.incident_id == "TAP-0002"
                           and button.isEnabled(), 10, "button ready")
                panel.click(button)
            wait_until(app, lambda: _sent_en_route(server, "TAP-0002"), 10, "en route sent")
            print(f"alert -> en route through the panel (select, ACKNOWLEDGED, EN ROUTE): "
                  f"{panel.count} taps")
        finally:
            win.shutdown()
            win.close()
            store.close()


def measure_canvass_taps(app: Any, tmp: Path) -> None:
    """Taps from the incident panel to one canvass result acknowledged by the server."""
    from console.app import build_main_window, store_url
    from console.domain.canvass import Outcome
    from console.feed.server import FeedServer
    from console.store import Store

    store = Store(store_url(tmp / "canvass"))
    store.set_unit_identity("P-12")
    with FeedServer("127.0.0.1", 0, TOKEN, max_wait_s=2.0) as server:
        win = build_main_window(store, server.url, TOKEN, sound=False, client_options=_fast())
        win.resize(1280, 800)
        win.show()
        wait_until(app, lambda: win.map.is_ready, 30, "map ready")
        win.start()
        try:
            at = {"lat": 60.1699, "lon": 24.9384}  # Kaivokatu, by the central station
            first = alert(3, "CNV")
            server.publish({**first, "location": {**at, "uncertainty_m": 25},
                            "shots": [{**first["shots"][0], **at}]})
            wait_until(app, lambda: win.panel.incident_id == "CNV-0003", 10, "incident shown")
            taps, t0 = Taps(), time.perf_counter()
            taps.click(win.canvass.button)  # open the canvass of the incident shown
            panel = win.canvass.panel
            wait_until(app, lambda: panel.model.rowCount() > 0, 10, "doors listed")
            listed_ms = (time.perf_counter() - t0) * 1000
            from PySide6.QtCore import Qt
            from PySide6.QtTest import QTest

            rect = panel.list.visualRect(panel.model.index(0))
            QTest.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier, rect.center())
            taps.count += 1  # the first door in walking order
            t1 = time.perf_counter()
            taps.click(panel.outcome_buttons[Outcome.NO_ANSWER])
            wait_until(app, lambda: any(e["kind"] == "canvass" for e in server.events), 10,
                       "canvass event sent")
            sent_ms = (time.perf_counter() - t1) * 1000
            print(f"incident panel -> one canvass result: {taps.count} taps "
                  f"(target <= 3; 2 once the canvass is open, then 1 per door as the list "
                  f"moves on); {panel.model.rowCount()} doors listed {listed_ms:.0f} ms after "
                  f"the first tap; result tap -> acknowledged by the server {sent_ms:.0f} ms")
        finally:
            win.canvass.controller.shutdown()
            win.shutdown()
            win.close()
            store.close()


def measure_drain(n: int, tmp: Path) -> None:
    import threading

    from console.domain.events import EventKind, new_event
    from console.domain.events import IncidentStatus as S
    from console.domain.workflow import status_event
    from console.feed.client import FeedClient
    from console.feed.server import FeedServer
    from console.store import Store

    store = Store(f"sqlite+pysqlite:///{tmp / 'drain.sqlite3'}")
    t0 = time.perf_counter()
    for i in range(n):
        incident = f"D-{i // 4:04d}"
        if i % 4 == 0:
            event = status_event(incident, "P-12", None, S.EN_ROUTE)
        else:
            event = new_event(incident, EventKind.NOTE, "P-12", {"text": f"note {i}"})
        store.record_local_event(event)
    queued_s = time.perf_counter() - t0
    with FeedServer("127.0.0.1", 0, TOKEN, max_wait_s=1.0) as server:
        client = FeedClient(server.url, TOKEN, store, **_fast())
        stop = threading.Event()
        t1 = time.perf_counter()
        thread = threading.Thread(target=client.outbox.run, args=(stop,), daemon=True)
        thread.start()
        deadline = t1 + 120
        while len(server.events) < n and time.perf_counter() < deadline:
            time.sleep(0.01)
        drained = len(server.events)
        drain_s = time.perf_counter() - t1
        while store.pending_events(limit=1) and time.perf_counter() < deadline:
            time.sleep(0.01)
        acked_s = time.perf_counter() - t1
        stop.set()
        client.outbox.wake()
        thread.join(5)
    print(f"outbox: {n} events recorded (event + outbox row, one transaction each) in "
          f"{queued_s:.2f} s; drained to the server {drained}/{n} in {drain_s:.2f} s, "
          f"all acknowledged in the store after {acked_s:.2f} s (target <= 10 s)")
    store.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=1000)
    args = p.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as d:
        app = make_app()
        measure_taps(app, Path(d))
        measure_canvass_taps(app, Path(d))
        measure_drain(args.events, Path(d))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
