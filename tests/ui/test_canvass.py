"""Canvass panel and map layer on a real QtWebEngine page, a real store and the demo pack."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QHBoxLayout, QWidget

from console.domain.canvass import Outcome
from console.store import Store
from console.store import canvass_store as cs
from console.ui.alert_map import DEFAULT_PACK, QtAlertMap
from console.ui.canvass_controller import CanvassController
from console.ui.canvass_panel import CanvassPanel

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
INCIDENT, STATION = "HEL-CANVASS-1", (60.1699, 24.9384)  # Kaivokatu, central station
SECRET = "Maija Meikäläinen"


def js(qtbot, widget: QtAlertMap, code: str, timeout: int = 10000) -> Any:
    box: dict[str, Any] = {}
    widget.run_js(code, lambda result: box.setdefault("result", result))
    qtbot.waitUntil(lambda: "result" in box, timeout=timeout)
    return box["result"]


class Taps:
    """Real mouse clicks through QTest, counted."""

    def __init__(self) -> None:
        self.count = 0

    def button(self, widget: QWidget) -> None:
        assert widget.isVisible() and widget.isEnabled(), widget.objectName()
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
        self.count += 1

    def row(self, panel: CanvassPanel, row: int) -> None:
        view = panel.list
        index = panel.model.index(row)
        view.scrollTo(index)
        rect = view.visualRect(index)
        assert rect.isValid() and view.viewport().rect().contains(rect.center())
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        self.count += 1


@pytest.fixture
def rig(qtbot, tmp_path):
    store = Store(f"sqlite+pysqlite:///{tmp_path / 'canvass.sqlite3'}")
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(1400, 1000)
    alert_map = QtAlertMap(DEFAULT_PACK)
    controller = CanvassController(store, DEFAULT_PACK)
    panel = CanvassPanel(controller, alert_map)
    panel.setFixedWidth(420)
    layout = QHBoxLayout(host)
    layout.addWidget(alert_map, 1)
    layout.addWidget(panel)
    with qtbot.waitSignal(alert_map.ready, timeout=20000):
        host.show()
    alert_map.show_incident({"id": INCIDENT, "type": "multiple_gunshots", "review": "machine",
                             "lat": STATION[0], "lon": STATION[1], "uncertainty_m": 25,
                             "label": INCIDENT, "shots": [], "mobile": None,
                             "acknowledged": True})
    yield store, alert_map, panel
    controller.shutdown()
    gone: list[bool] = []
    alert_map.destroyed.connect(lambda: gone.append(True))
    host.close()
    host.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=5000)
    store.close()


def _open(qtbot, panel: CanvassPanel) -> None:
    with qtbot.waitSignal(panel.controller.state_changed, timeout=10000):
        panel.open(INCIDENT, *STATION)
    assert panel.model.rowCount() == 158


def _page(qtbot, alert_map: QtAlertMap) -> dict:
    return js(qtbot, alert_map, "window.macCanvass.state()")


def test_open_log_one_result_in_two_taps_and_pin_evidence(qtbot, rig, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    store, alert_map, panel = rig
    _open(qtbot, panel)
    assert panel.progress_label.text() == "0 / 158"
    qtbot.waitUntil(lambda: (_page(qtbot, alert_map) or {}).get("progress") == "0 / 158")
    page = _page(qtbot, alert_map)
    assert page["dots"] == 158 and page["visited"] == 0 and page["outline"] >= 60

    taps = Taps()
    first = panel.model.address_at(0)
    taps.row(panel, 0)  # tap 1: the nearest street's first door
    assert panel.selected_address() == first
    with qtbot.waitSignal(panel.controller.state_changed, timeout=10000):
        taps.button(panel.outcome_buttons[Outcome.NO_ANSWER])  # tap 2: done
    print(f"\ntaps to log one canvass result: {taps.count}")
    assert taps.count <= 3
    assert panel.progress_label.text() == "1 / 158"
    qtbot.waitUntil(lambda: _page(qtbot, alert_map)["progress"] == "1 / 158")
    assert _page(qtbot, alert_map)["colours"][first.id] == "#8a8a8a"
    assert panel.model.data(panel.model.index(0)).endswith("No answer")
    # the list moved on to the next door: the next result is one tap
    assert panel.selected_address() == panel.model.address_at(1)
    [visit] = cs.list_visits(store, INCIDENT)
    assert visit.address_key == first.id and store.outbox_item(visit.visit_id) is not None

    # heard shots with a witness: the witness is masked in the panel until tapped
    panel.details_toggle.click()
    panel.heard_count.setValue(3)
    panel.witness_name.setText(SECRET)
    second = panel.selected_address()
    with qtbot.waitSignal(panel.controller.state_changed, timeout=10000):
        panel.outcome_buttons[Outcome.HEARD_SHOTS].click()
    assert panel.progress_label.text() == "2 / 158" and panel.witness_name.text() == ""
    panel.select_address(second.id)
    assert panel.witness_button.isVisible() and SECRET not in panel.witness_button.text()
    QTest.mouseClick(panel.witness_button, Qt.MouseButton.LeftButton)
    assert SECRET in panel.witness_button.text()
    payloads = [i.payload for i in store.pending_events()]
    assert len(payloads) == 2 and payloads[1]["data"]["heard_count"] == 3
    assert SECRET not in str(payloads) and SECRET not in caplog.text

    # evidence: tap "Casings", then tap the map (a real click on the page)
    panel.evidence_count.setValue(4)
    taps.button(panel.evidence_buttons["casings"])
    qtbot.waitUntil(lambda: _page(qtbot, alert_map)["pick"] == "point")
    target = (STATION[0] + 0.0002, STATION[1] + 0.0004)
    # the page has taken the widget's final size (pixels below are in that layout)
    qtbot.waitUntil(lambda: js(qtbot, alert_map, "window.macMap.map.getSize().y")
                    == alert_map.height())
    x, y = js(qtbot, alert_map, f"window.macCanvass.pixelOf({target[0]}, {target[1]})")
    with qtbot.waitSignal(panel.controller.state_changed, timeout=10000):
        QTest.mouseClick(alert_map._view.focusProxy(), Qt.MouseButton.LeftButton,
                         pos=QPoint(round(x), round(y)))
    qtbot.waitUntil(lambda: len(_page(qtbot, alert_map)["evidence"]) == 1)
    pin = _page(qtbot, alert_map)["evidence"][0]
    assert "mac-evidence-casings" in pin["kind"]
    assert pin["lat"] == pytest.approx(target[0], abs=2e-5)
    assert pin["lon"] == pytest.approx(target[1], abs=4e-5)
    [item] = cs.list_evidence(store, INCIDENT)
    assert item.count == 4 and str(item.kind) == "casings"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    js(qtbot, alert_map, "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
       " && true")
    qtbot.wait(300)
    assert panel.window().grab().save(str(SCREENSHOTS / "canvass.png"))


def test_radius_and_drawn_polygon_change_the_doors(qtbot, rig) -> None:
    store, alert_map, panel = rig
    _open(qtbot, panel)
    with qtbot.waitSignal(panel.controller.state_changed, timeout=10000):
        panel.radius_minus.click()
    assert panel.radius_label.text() == "100 m"
    small = panel.model.rowCount()
    assert 0 < small < 158
    qtbot.waitUntil(lambda: _page(qtbot, alert_map)["dots"] == small)

    # draw a box on the map: four clicks, then a double-click closes it
    panel.draw_button.click()
    qtbot.waitUntil(lambda: _page(qtbot, alert_map)["pick"] == "polygon")
    lat0, lon0 = STATION
    corners = [(lat0, lon0), (lat0 + 0.001, lon0), (lat0 + 0.001, lon0 + 0.002),
               (lat0, lon0 + 0.002)]
    click = """(() => { const [x, y] = window.macCanvass.pixelOf(%f, %f);
        const el = window.macMap.map.getContainer(); const r = el.getBoundingClientRect();
        for (const type of %s) el.dispatchEvent(new MouseEvent(type, {bubbles: true,
            cancelable: true, view: window, clientX: r.left + x, clientY: r.top + y,
            detail: type === 'dblclick' ? 2 : 1}));
        return true; })()"""
    for lat, lon in corners[:-1]:
        js(qtbot, alert_map, click % (lat, lon, '["click"]'))
    assert _page(qtbot, alert_map)["draft"] == 3
    with qtbot.waitSignal(panel.controller.state_changed, timeout=10000):
        js(qtbot, alert_map, click % (*corners[-1], '["click", "click", "dblclick"]'))
    assert panel.radius_label.text() == "drawn" and not panel.draw_button.isChecked()
    area = cs.get_area(store, INCIDENT)
    assert area is not None and area.is_polygon and len(area.polygon) == 4
    doors = [panel.model.address_at(i) for i in range(panel.model.rowCount())]
    assert doors and all(lat0 - 2e-5 <= a.lat <= lat0 + 0.001 + 2e-5
                         and lon0 - 4e-5 <= a.lon <= lon0 + 0.002 + 4e-5 for a in doors)
    qtbot.waitUntil(lambda: _page(qtbot, alert_map)["dots"] == len(doors))
    assert _page(qtbot, alert_map)["pick"] == ""


def test_console_canvass_from_the_incident_panel_in_three_taps(qtbot, tmp_path) -> None:
    """The wired console: Canvass button, address, outcome; the event reaches the feed."""
    from console.app import build_main_window, store_url
    from console.feed.server import FeedServer

    t = "2026-11-26T02:13:07Z"
    alert = {"id": INCIDENT, "revision": 1, "review": "reviewed", "type": "multiple_gunshots",
             "time": t, "location": {"lat": STATION[0], "lon": STATION[1], "uncertainty_m": 25},
             "address": "Kaivokatu 1", "rounds": 3,
             "shots": [{"time": t, "lat": STATION[0], "lon": STATION[1], "shooter": 1}]}
    store = Store(store_url(tmp_path))
    with FeedServer("127.0.0.1", 0, "canvass-token", max_wait_s=2.0) as server:
        server.faults.fail_next(1, status=503, path="/v1/incidents/")
        server.faults.truncate_next(1, path="/v1/incidents/")  # stored; answer lost: resent
        win = build_main_window(store, server.url, "canvass-token", sound=False,
                                client_options={"wait": 1.0})
        try:
            win.resize(1400, 900)
            win.show()
            qtbot.waitUntil(lambda: win.map.is_ready, timeout=20000)
            win.start()
            server.publish(alert)
            qtbot.waitUntil(lambda: win.panel.incident_id == INCIDENT, timeout=15000)
            button = win.canvass.button
            qtbot.waitUntil(button.isVisible, timeout=5000)
            panel = win.canvass.panel

            taps = Taps()
            with qtbot.waitSignal(panel.controller.state_changed, timeout=10000):
                taps.button(button)  # tap 1: open the canvass of the incident shown
            assert win.canvass.dock.isVisible() and panel.model.rowCount() == 158
            taps.row(panel, 0)  # tap 2: the door
            with qtbot.waitSignal(panel.controller.state_changed, timeout=10000):
                taps.button(panel.outcome_buttons[Outcome.CAMERA_AVAILABLE])  # tap 3
            print(f"\ntaps from the incident panel to one logged canvass result: {taps.count}")
            assert taps.count <= 3 and panel.progress_label.text() == "1 / 158"
            qtbot.waitUntil(lambda: (_page(qtbot, win.map) or {}).get("progress") == "1 / 158")
            [visit] = cs.list_visits(store, INCIDENT)
            qtbot.waitUntil(lambda: store.pending_events() == [], timeout=20000)
            canvass = [e for e in server.events if e["kind"] == "canvass"]
            assert [e["event_id"] for e in canvass] == [visit.visit_id]
            assert canvass[0]["data"]["result"] == "camera_available"
            qtbot.wait(300)
            assert win.grab().save(str(SCREENSHOTS / "canvass_main_window.png"))
            win.set_theme("night")
            qtbot.wait(300)
            assert win.grab().save(str(SCREENSHOTS / "canvass_night.png"))

            # a new alert selects itself; the canvass stays on its incident
            server.publish({**alert, "id": "HEL-OTHER-2", "time": "2026-11-26T02:20:00Z",
                            "shots": [{**alert["shots"][0], "time": "2026-11-26T02:20:00Z"}]})
            qtbot.waitUntil(lambda: win.panel.incident_id == "HEL-OTHER-2", timeout=15000)
            qtbot.wait(200)
            assert panel.controller.incident_id == INCIDENT and INCIDENT in panel.title.text()
            assert _page(qtbot, win.map)["incident_id"] == INCIDENT

            win.canvass.dock.close()  # closing the dock takes the layer off the map
            qtbot.waitUntil(lambda: _page(qtbot, win.map) is None)
        finally:
            gone: list[bool] = []
            win.destroyed.connect(lambda: gone.append(True))
            win.close()
            win.deleteLater()
            qtbot.waitUntil(lambda: bool(gone), timeout=5000)
    store.close()


def test_tapping_a_dot_selects_its_door_and_the_layer_survives_a_reload(qtbot, rig) -> None:
    _store, alert_map, panel = rig
    _open(qtbot, panel)
    doors = [panel.model.address_at(i) for i in range(panel.model.rowCount())]

    def alone(a) -> bool:  # no other dot within ~20 m: the tap can only hit this one
        return all(abs(a.lat - b.lat) > 2e-4 or abs(a.lon - b.lon) > 4e-4
                   for b in doors if b.id != a.id)

    door = next(a for a in reversed(doors) if alone(a))
    qtbot.waitUntil(lambda: js(qtbot, alert_map, "window.macMap.map.getSize().y")
                    == alert_map.height())
    x, y = js(qtbot, alert_map, f"window.macCanvass.pixelOf({door.lat}, {door.lon})")
    QTest.mouseClick(alert_map._view.focusProxy(), Qt.MouseButton.LeftButton,
                     pos=QPoint(round(x), round(y)))
    qtbot.waitUntil(lambda: panel.selected_address() == door)
    assert panel.outcome_buttons[Outcome.REFUSED].isEnabled()
    with qtbot.waitSignal(panel.controller.state_changed, timeout=10000):
        QTest.mouseClick(panel.outcome_buttons[Outcome.REFUSED], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _page(qtbot, alert_map)["colours"][door.id] == "#1b1b1b")

    # a new page (e.g. after a renderer crash) gets the canvass layer back
    with qtbot.waitSignal(alert_map.ready, timeout=20000):
        alert_map._view.page().triggerAction(alert_map._view.page().WebAction.Reload)
    qtbot.waitUntil(lambda: (_page(qtbot, alert_map) or {}).get("progress") == "1 / 158")
    assert _page(qtbot, alert_map)["colours"][door.id] == "#1b1b1b"
