"""The wired console under feed faults: outage, restart, malformed alerts, tone, no freeze.

Every test drives the real window from ``build_main_window`` with a real loopback
FeedServer and a real SQLite store on a temporary file; waits use deadlines.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from console.app import build_main_window, store_url
from console.feed.server import FeedServer
from console.feed.state import Backoff, FeedStatus
from console.store import Store
from tests.ui.test_main_window import SCREENSHOTS, _alert, js, mobile, two_shooters

TOKEN = "faults-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fast(**extra: Any) -> dict[str, Any]:
    """Client options for tests: short polls, quick retries, offline after 1.5 s."""
    return {"wait": 1.0, "timeout": (1.0, 2.0), "backoff": Backoff(base_s=0.05, cap_s=0.3),
            "offline_after_s": 1.5, **extra}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st = Store(store_url(tmp_path))
    yield st
    st.close()


@pytest.fixture
def make_window(qtbot):
    """Build (and at teardown close) windows the way the app does."""
    windows: list[Any] = []

    def build(store: Store, url: str, *, sound: bool = False, start: bool = True,
              **client: Any) -> Any:
        win = build_main_window(store, url, TOKEN, sound=sound, client_options=_fast(**client))
        win.resize(1024, 768)
        win.show()
        qtbot.waitUntil(lambda: win.map.is_ready, timeout=20000)
        if start:
            win.start()
        windows.append(win)
        return win

    yield build
    for win in windows:
        close_window(qtbot, win)


def close_window(qtbot, win: Any) -> None:
    from shiboken6 import Shiboken

    if not Shiboken.isValid(win):
        return
    gone: list[bool] = []
    win.destroyed.connect(lambda: gone.append(True))
    win.close()
    win.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=10000)


def _page_ids(qtbot, win: Any) -> list[str]:
    listed = js(qtbot, win.map, "JSON.stringify(window.macMap.listIncidents())")
    return sorted(i["id"] for i in json.loads(listed))


def _numbered(n: int) -> dict[str, Any]:
    return _alert(f"F-{n:03d}", n % 60)


def test_connection_indicator_through_outage_and_exactly_once_after(qtbot, store, make_window):
    port = _free_port()
    first = FeedServer("127.0.0.1", port, TOKEN, max_wait_s=2.0).start()
    win = make_window(store, first.url)
    statuses: list[FeedStatus] = []
    win.state_arrived.connect(lambda s: statuses.append(s.status))
    label = win.connection_label
    published = [_numbered(1), _numbered(2)]
    for a in published:
        first.publish(a)
    qtbot.waitUntil(lambda: win.model.rowCount() == 2, timeout=10000)
    qtbot.waitUntil(lambda: "connected" in label.text(), timeout=5000)

    # 503s: retrying, then connected again once they stop
    first.faults.fail_next(3, status=503, path="/v1/alerts")
    qtbot.waitUntil(lambda: "retrying" in label.text(), timeout=10000)
    assert "503" in label.toolTip()
    qtbot.waitUntil(lambda: "connected" in label.text(), timeout=10000)

    # a hung server (longer than the read timeout): retrying
    statuses.clear()
    first.faults.hang_next(1, seconds=5.0, path="/v1/alerts")
    qtbot.waitUntil(lambda: FeedStatus.RETRYING in statuses, timeout=10000)
    qtbot.waitUntil(lambda: "connected" in label.text(), timeout=10000)

    # stopped: every kept-alive connection is dropped, new ones are refused
    first.faults.drop_next(1000)
    first.stop()
    qtbot.waitUntil(lambda: "retrying" in label.text() or "offline" in label.text(),
                    timeout=10000)
    qtbot.waitUntil(lambda: "offline since" in label.text(), timeout=15000)
    assert label.property("status") == "offline"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert win.grab().save(str(SCREENSHOTS / "main_window_offline.png"))

    # the service comes back on the same port with its feed, plus alerts made meanwhile
    second = FeedServer("127.0.0.1", port, TOKEN, max_wait_s=2.0)
    second.epoch = first.epoch
    for a in published:
        second.publish(a)
    during = [_numbered(3), _numbered(4), {**_numbered(1), "revision": 2, "review": "reviewed"}]
    for a in during:
        second.publish(a)
    second.start()
    try:
        qtbot.waitUntil(lambda: "connected" in label.text(), timeout=15000)
        qtbot.waitUntil(lambda: win.model.rowCount() == 4 and str(
            win.model.row_at(win.model.row_of("F-001")).alert.review) == "reviewed",
            timeout=10000)
        ids = win.model.ids()
        assert sorted(ids) == ["F-001", "F-002", "F-003", "F-004"]
        stored = store.list_incidents()
        assert sorted(r.alert.id for r in stored) == sorted(ids)
        assert [a.revision for a in store.revisions("F-001")] == [1, 2]
        assert all(len(store.revisions(i)) == 1 for i in ("F-002", "F-003", "F-004"))
        assert store.cursor(second.url) == second.head
        qtbot.waitUntil(lambda: _page_ids(qtbot, win) == sorted(ids), timeout=10000)
    finally:
        close_window(qtbot, win)
        second.stop()


def test_restart_resumes_from_the_stored_cursor(qtbot, store, make_window):
    with FeedServer("127.0.0.1", 0, TOKEN, max_wait_s=2.0) as server:
        win = make_window(store, server.url)
        for n in range(1, 4):
            server.publish(_numbered(n))
        qtbot.waitUntil(lambda: win.model.rowCount() == 3, timeout=10000)
        cursor = store.cursor(server.url)
        assert cursor == 3
        close_window(qtbot, win)

        # while the console is closed: two new incidents and an update of an old one
        server.publish(_numbered(4))
        server.publish({**_numbered(2), "revision": 2, "review": "reviewed"})
        server.publish(_numbered(5))

        again = make_window(store, server.url)
        qtbot.waitUntil(lambda: win_has(again, 5) and str(again.model.row_at(
            again.model.row_of("F-002")).alert.review) == "reviewed", timeout=15000)
        expected = [f"F-{n:03d}" for n in range(1, 6)]
        assert sorted(again.model.ids()) == expected
        assert len(again.model.ids()) == len(set(again.model.ids())) == 5
        stored = store.list_incidents()
        assert sorted(r.alert.id for r in stored) == expected
        assert [a.revision for a in store.revisions("F-002")] == [1, 2]
        assert all(len(store.revisions(i)) == 1 for i in expected if i != "F-002")
        assert store.cursor(server.url) == server.head == 6
        qtbot.waitUntil(lambda: _page_ids(qtbot, again) == expected, timeout=10000)
        assert js(qtbot, again.map, "window.macMap.markerCount()") == 5


def win_has(win: Any, n: int) -> bool:
    return win.model.rowCount() == n


def test_malformed_alerts_are_rejected_visibly_and_recorded(qtbot, store, make_window):
    with FeedServer("127.0.0.1", 0, TOKEN, max_wait_s=2.0) as server:
        win = make_window(store, server.url)
        bad = [
            {**_numbered(11), "rounds": "three"},                        # wrong type
            {**_numbered(12), "type": "cannon_fire"},                    # unknown enum
            {**_numbered(13), "location": {"lat": 123.0, "lon": 24.94,   # absurd latitude
                                           "uncertainty_m": 20}},
            {**_numbered(14), "notes": "x" * 400_000},                   # oversized
        ]
        for a in [two_shooters(), *bad, mobile()]:
            server.publish(a)
        qtbot.waitUntil(lambda: win.rejected_count == 4, timeout=10000)
        qtbot.waitUntil(lambda: win.model.rowCount() == 2, timeout=10000)
        assert sorted(win.model.ids()) == ["UI-0001", "UI-0002"]

        label = win.rejected_label
        assert label.isVisible()
        assert "4 rejected" in label.text()
        assert "last:" in label.text() and label.toolTip().startswith("Last rejected alert:")
        assert win.connection_label.isVisible()  # the indicator does not hide the link state

        rejected = store.rejected_alerts()
        assert sorted(r.seq for r in rejected) == [2, 3, 4, 5]
        reasons = {r.seq: r.reason for r in rejected}
        assert "rounds" in reasons[2]
        assert "type" in reasons[3]
        assert "lat" in reasons[4]
        assert "bytes" in reasons[5] or "large" in reasons[5]
        assert sorted(r.alert.id for r in store.list_incidents()) == ["UI-0001", "UI-0002"]
        qtbot.waitUntil(lambda: _page_ids(qtbot, win) == ["UI-0001", "UI-0002"], timeout=10000)


def test_new_alert_requests_the_tone_on_a_working_device(qtbot, store, make_window):
    with FeedServer("127.0.0.1", 0, TOKEN, max_wait_s=2.0) as server:
        win = make_window(store, server.url, sound=True)
        assert win.tone.available, win.tone.error  # the ALSA null sink is a working device
        assert "unavailable" not in win.sound_label.text()
        with qtbot.waitSignal(win.tone_requested, timeout=10000) as blocker:
            server.publish(two_shooters())
        assert blocker.args == ["UI-0001"]
        qtbot.waitUntil(lambda: win.tone.played == 1, timeout=5000)
        # an update of a known incident is not a new alert: no second tone
        server.publish({**two_shooters(), "revision": 2, "review": "reviewed"})
        qtbot.waitUntil(lambda: str(win.model.row_at(0).alert.review) == "reviewed",
                        timeout=10000)
        with qtbot.waitSignal(win.tone_requested, timeout=10000):
            server.publish(mobile())
        qtbot.waitUntil(lambda: win.tone.played == 2, timeout=5000)
        assert "unavailable" not in win.sound_label.text()
        assert win.tone.error is None


def test_window_keeps_processing_events_while_the_server_hangs(qtbot, store, make_window):
    with FeedServer("127.0.0.1", 0, TOKEN, max_wait_s=2.0) as server:
        win = make_window(store, server.url, timeout=(1.0, 8.0))
        server.publish(two_shooters())
        qtbot.waitUntil(lambda: win.model.rowCount() == 1, timeout=10000)
        server.faults.hang_next(1, seconds=3.0, path="/v1/alerts")
        qtbot.waitUntil(lambda: server.faults.pending() == 0, timeout=5000)  # poll is stuck

        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(50)
        timer.timeout.connect(lambda: ticks.append(time.monotonic()))
        timer.start()
        start = time.monotonic()
        qtbot.waitUntil(lambda: time.monotonic() - start >= 3.0, timeout=6000)
        # the GUI answers during the hang: selecting a row shows it at once
        win.select_incident("UI-0001")
        assert win.panel.incident_id == "UI-0001"
        timer.stop()
        gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
        assert len(ticks) >= 40, f"only {len(ticks)} ticks of a 50 ms timer in 3 s"
        assert max(gaps) < 0.5, f"event loop stalled {max(gaps):.2f} s"

        # after the hang the feed goes on
        server.publish(mobile())
        qtbot.waitUntil(lambda: win.model.rowCount() == 2, timeout=10000)


def test_night_theme_screenshot(qtbot, store, make_window):
    with FeedServer("127.0.0.1", 0, TOKEN, max_wait_s=2.0) as server:
        win = make_window(store, server.url)
        win.set_theme("night")
        server.publish(two_shooters())
        server.publish({**_numbered(7), "type": "cannon_fire"})
        server.publish(mobile())
        qtbot.waitUntil(lambda: win.model.rowCount() == 2 and win.rejected_count == 1,
                        timeout=10000)
        qtbot.waitUntil(lambda: "connected" in win.connection_label.text(), timeout=10000)
        win.select_incident("UI-0001")
        qtbot.waitUntil(lambda: "Revision history" in win.panel.text(), timeout=5000)
        assert js(qtbot, win.map, "window.macMap.theme()") == "night"
        qtbot.waitUntil(lambda: not js(qtbot, win.map, "window.macMap.tileStatus().loading"),
                        timeout=10000)
        qtbot.wait(500)  # let the last tiles paint before the grab (an image, not a check)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        assert win.grab().save(str(SCREENSHOTS / "main_window_night.png"))
