"""The wired console: real feed server on loopback, SQLite store, window from the app factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from console.app import build_main_window, store_url
from console.feed.server import FeedServer
from console.store import Store
from console.ui.alert_queue_model import AlertQueueModel

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TOKEN = "ui-test-token"


def _alert(incident_id: str, second: int, **extra: Any) -> dict[str, Any]:
    t = f"2026-11-26T10:00:{second:02d}Z"
    return {"id": incident_id, "revision": 1, "review": "machine",
            "type": "single_gunshot", "time": t,
            "location": {"lat": 60.1690, "lon": 24.9440, "uncertainty_m": 20},
            "address": "near Aleksanterinkatu 13", "district": "Helsinki Centre",
            "beat": "B2", "rounds": 1, "shooters": 1,
            "shots": [{"time": t, "lat": 60.1690, "lon": 24.9440, "shooter": 1}], **extra}


def two_shooters() -> dict[str, Any]:
    t = "2026-11-26T10:00:01Z"
    shots = [{"time": t, "lat": 60.1703, "lon": 24.9389, "shooter": 1},
             {"time": t, "lat": 60.1703, "lon": 24.9390, "shooter": 1},
             {"time": t, "lat": 60.1700, "lon": 24.9396, "shooter": 2},
             {"time": t, "lat": 60.1701, "lon": 24.9395, "shooter": 2}]
    return _alert("UI-0001", 1, type="multiple_gunshots", rounds=4, shooters=2, shots=shots,
                  location={"lat": 60.1702, "lon": 24.9392, "uncertainty_m": 40})


def mobile() -> dict[str, Any]:
    t = "2026-11-26T10:00:09Z"
    shots = [{"time": t, "lat": 60.1725 + 0.0003 * k, "lon": 24.9458 + 0.0005 * k,
              "shooter": 1} for k in range(4)]
    return _alert("UI-0002", 9, type="multiple_gunshots", rounds=4, shots=shots,
                  mobile={"speed_mps": 8.2, "heading_deg": 45},
                  location={"lat": 60.1730, "lon": 24.9465, "uncertainty_m": 30})


def js(qtbot, widget, code: str, timeout: int = 10000) -> Any:
    box: dict[str, Any] = {}
    widget.run_js(code, lambda result: box.setdefault("result", result))
    qtbot.waitUntil(lambda: "result" in box, timeout=timeout)
    return box["result"]


@pytest.fixture
def server():
    with FeedServer("127.0.0.1", 0, TOKEN, max_wait_s=2.0) as srv:
        yield srv


@pytest.fixture
def store(tmp_path: Path):
    st = Store(store_url(tmp_path))
    yield st
    st.close()


@pytest.fixture
def window(qtbot, server, store):
    win = build_main_window(store, server.url, TOKEN, sound=False,
                            client_options={"wait": 1.0})
    win.resize(1024, 768)
    win.show()
    qtbot.waitUntil(lambda: win.map.is_ready, timeout=20000)
    win.start()
    yield win
    gone: list[bool] = []
    win.destroyed.connect(lambda: gone.append(True))
    win.close()
    win.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=5000)


def _ids_in_page(qtbot, win) -> list[str]:
    listed = js(qtbot, win.map, "JSON.stringify(window.macMap.listIncidents())")
    import json

    items = json.loads(listed) if isinstance(listed, str) else listed
    return sorted(i["id"] if isinstance(i, dict) else str(i) for i in items)


def test_alerts_flow_into_queue_store_map_banner_and_panel(qtbot, server, store, window):
    win = window
    server.publish(two_shooters())
    server.publish(mobile())

    model: AlertQueueModel = win.model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=15000)
    assert model.ids() == ["UI-0002", "UI-0001"]  # newest first-shot time first
    assert not model.data(model.index(0), AlertQueueModel.AcknowledgedRole)
    qtbot.waitUntil(lambda: len(store.list_incidents()) == 2, timeout=5000)
    assert [r.alert.id for r in store.list_incidents()] == ["UI-0002", "UI-0001"]
    qtbot.waitUntil(lambda: _ids_in_page(qtbot, win) == ["UI-0001", "UI-0002"], timeout=10000)

    # banner for the newest unacknowledged alert; acknowledging walks through the queue
    assert win.banner.isVisible()
    assert "SHOTS P2" in win.banner_label.text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    qtbot.wait(1000)
    assert win.grab().save(str(SCREENSHOTS / "main_window_new_alert.png"))
    win.ack_button.click()
    qtbot.waitUntil(lambda: store.get_incident("UI-0002").acknowledged_at is not None,
                    timeout=5000)
    qtbot.waitUntil(lambda: model.newest_unacknowledged().alert.id == "UI-0001", timeout=5000)
    assert win.banner.isVisible()
    win.ack_button.click()
    qtbot.waitUntil(lambda: not win.banner.isVisible(), timeout=5000)
    assert store.get_incident("UI-0001").acknowledged_at is not None

    # panel: dispatch wording of the selected incident, with its revision history
    win.select_incident("UI-0001")
    qtbot.waitUntil(lambda: "Revision history" in win.panel.text(), timeout=5000)
    text = win.panel.text()
    assert "SHOTS" in text and "P2" in text
    assert "Possible multiple shooters" in text
    assert "Multiple rounds (4)" in text
    win.select_incident("UI-0002")
    qtbot.waitUntil(lambda: "Possible mobile shooter" in win.panel.text(), timeout=5000)

    # a reviewed revision updates the row in place
    server.publish({**two_shooters(), "revision": 2, "review": "reviewed"})
    qtbot.waitUntil(lambda: model.rowCount() == 2 and str(
        model.row_at(model.row_of("UI-0001")).alert.review) == "reviewed", timeout=10000)

    # clicking a marker selects its row
    win.map.incident_clicked.emit("UI-0001")
    assert win.queue.currentIndex().row() == model.row_of("UI-0001")
    qtbot.waitUntil(lambda: "Reviewed" in win.panel.text(), timeout=5000)

    qtbot.waitUntil(lambda: "connected" in win.connection_label.text(), timeout=5000)
    assert win.sound_label.text() == "sound unavailable"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    win.select_incident("UI-0002")
    qtbot.wait(1500)
    assert win.grab().save(str(SCREENSHOTS / "main_window.png"))
