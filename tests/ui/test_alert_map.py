"""QtAlertMap against a real QtWebEngine page and the shipped Helsinki map pack."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QImage

from console.mappack.geo import lonlat_to_world
from console.resources import resource_path
from console.ui.alert_map import DEFAULT_PACK, QtAlertMap

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
T0 = "2026-11-26T10:00:0{}Z"


def _shot(lat: float, lon: float, shooter: int, second: int) -> dict[str, Any]:
    return {"lat": lat, "lon": lon, "shooter": shooter, "time": T0.format(second)}


def incident_payloads() -> list[dict[str, Any]]:
    """A single shot, a two-shooter exchange and a drive-by (mobile) near Helsinki station."""
    return [
        {
            "id": "inc-single",
            "type": "single_gunshot",
            "review": "machine",
            "lat": 60.1684,
            "lon": 24.9460,
            "uncertainty_m": 25,
            "label": "1 shot",
            "shots": [_shot(60.1684, 24.9460, 1, 0)],
            "mobile": None,
            "acknowledged": False,
        },
        {
            "id": "inc-two",
            "type": "multiple_gunshots",
            "review": "machine",
            "lat": 60.1702,
            "lon": 24.9392,
            "uncertainty_m": 40,
            "label": "5 shots, 2 shooters",
            "shots": [
                _shot(60.1703, 24.9389, 1, 0),
                _shot(60.1703, 24.9390, 1, 1),
                _shot(60.1700, 24.9396, 2, 1),
                _shot(60.1701, 24.9395, 2, 2),
                _shot(60.1703, 24.9389, 1, 3),
            ],
            "mobile": None,
            "acknowledged": True,
        },
        {
            "id": "inc-mobile",
            "type": "probable_gunfire",
            "review": "reviewed",
            "lat": 60.1735,
            "lon": 24.9475,
            "uncertainty_m": 30,
            "label": "Mobile, 4 shots",
            # Listed out of time order on purpose: the track must follow time, not list order.
            "shots": [
                _shot(60.1731, 24.9468, 1, 2),
                _shot(60.1725, 24.9458, 1, 0),
                _shot(60.1728, 24.9463, 1, 1),
                _shot(60.1734, 24.9473, 1, 3),
            ],
            "mobile": {"speed_mps": 8.2, "heading_deg": 45},
            "acknowledged": False,
        },
    ]


def js(qtbot, widget: QtAlertMap, code: str, timeout: int = 5000) -> Any:
    """Evaluate ``code`` in the page and return its (JSON-converted) result."""
    box: dict[str, Any] = {}
    widget.run_js(code, lambda result: box.setdefault("result", result))
    qtbot.waitUntil(lambda: "result" in box, timeout=timeout)
    return box["result"]


def wait_for_tiles(qtbot, widget: QtAlertMap) -> None:
    def idle() -> bool:
        status = js(qtbot, widget, "window.macMap.tileStatus()")
        return status["loaded"] > 0 and not status["loading"]

    qtbot.waitUntil(idle, timeout=15000)


def wait_for_paint(qtbot, widget: QtAlertMap) -> None:
    """Let the page render two more frames so a grab shows the current DOM."""
    widget.run_js(
        "window.__painted = false; requestAnimationFrame(() => "
        "requestAnimationFrame(() => { window.__painted = true; }))"
    )
    qtbot.waitUntil(lambda: js(qtbot, widget, "window.__painted") is True)


def mean_grey(widget: QtAlertMap) -> float:
    img = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    ptr = img.constBits()
    data = bytes(ptr)[: img.sizeInBytes()]
    return sum(data) / len(data)


def save_screenshot(widget: QtAlertMap, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    assert widget.grab().save(str(path))
    return path


def _dispose(qtbot, widget: QtAlertMap) -> None:
    # Delete now, not at interpreter exit: a page must never outlive the shared profile.
    gone: list[bool] = []
    widget.destroyed.connect(lambda: gone.append(True))
    widget.close()
    widget.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=5000)


@pytest.fixture
def alert_map(qtbot) -> QtAlertMap:
    widget = QtAlertMap()
    widget.resize(1000, 720)
    with qtbot.waitSignal(widget.ready, timeout=20000):
        widget.show()
    yield widget
    _dispose(qtbot, widget)


def test_demo_pack_is_the_shipped_resource() -> None:
    assert resource_path("maps", "helsinki-center.mbtiles") == DEFAULT_PACK
    assert DEFAULT_PACK.is_file()


def test_page_loads_offline_with_tiles_and_attribution(qtbot, alert_map: QtAlertMap) -> None:
    wait_for_tiles(qtbot, alert_map)
    attribution = js(
        qtbot, alert_map, "document.querySelector('.leaflet-control-attribution').textContent"
    )
    assert "© OpenStreetMap contributors" in attribution
    assert "Leaflet" in attribution
    urls = js(
        qtbot,
        alert_map,
        """Array.from(document.querySelectorAll(
        'script[src], link[href], img[src]'), e => e.src || e.href)""",
    )
    assert all(u.startswith(("app:", "qrc:")) for u in urls), urls
    assert any(u.startswith("app://tiles/") for u in urls)
    assert any(u.endswith("vendor/leaflet/leaflet.js") for u in urls)
    wait_for_paint(qtbot, alert_map)

    path = save_screenshot(alert_map, "alert_map_tiles.png")
    img = Image.open(path).convert("RGB")
    assert img.size[0] >= 900
    # Real map drawing has many colours; a blank page or a single background has few.
    assert len(img.getcolors(maxcolors=1 << 20)) > 200


def test_incidents_are_drawn_with_shots_circles_and_track(qtbot, alert_map: QtAlertMap) -> None:
    for payload in incident_payloads():
        alert_map.show_incident(payload)
    qtbot.waitUntil(lambda: len(js(qtbot, alert_map, "window.macMap.listIncidents()")) == 3)
    assert js(qtbot, alert_map, "window.macMap.markerCount()") == 3

    single = js(qtbot, alert_map, "window.macMap.state('inc-single')")
    assert single["shots"] == 1 and single["track"] == 0 and single["heading"] is None
    assert single["radius"] == pytest.approx(25)
    assert "mac-type-single_gunshot" in single["markerClass"]
    assert "mac-review-machine" in single["markerClass"] and "mac-unack" in single["markerClass"]

    two = js(qtbot, alert_map, "window.macMap.state('inc-two')")
    assert two["shots"] == 5 and two["radius"] == pytest.approx(40)
    assert len(set(two["shotColours"])) == 2, "shooters 1 and 2 need distinct colours"
    assert "mac-unack" not in two["markerClass"]

    mobile = js(qtbot, alert_map, "window.macMap.state('inc-mobile')")
    assert mobile["track"] == 4 and mobile["shots"] == 4
    assert mobile["heading"] == "8.2 m/s → 045°"
    track = js(
        qtbot,
        alert_map,
        """(() => {
        const e = window.macMap.map; let pts = null;
        e.eachLayer(l => { if (l instanceof L.Polyline && !(l instanceof L.Polygon)
                               && l.options.className === 'mac-track') pts = l.getLatLngs(); });
        return pts.map(p => p.lat);
    })()""",
    )
    assert track == sorted(track), "mobile track must run through the shots in time order"
    wait_for_tiles(qtbot, alert_map)
    wait_for_paint(qtbot, alert_map)
    save_screenshot(alert_map, "alert_map_incidents.png")


def test_update_replaces_marker_instead_of_adding(qtbot, alert_map: QtAlertMap) -> None:
    first = incident_payloads()[0]
    alert_map.show_incident(first)
    qtbot.waitUntil(lambda: js(qtbot, alert_map, "window.macMap.markerCount()") == 1)
    alert_map.show_incident({**first, "review": "reviewed", "label": "1 shot (reviewed)"})
    qtbot.waitUntil(
        lambda: (
            (js(qtbot, alert_map, "window.macMap.state('inc-single')") or {}).get("review")
            == "reviewed"
        )
    )
    assert js(qtbot, alert_map, "window.macMap.markerCount()") == 1
    state = js(qtbot, alert_map, "window.macMap.state('inc-single')")
    assert "mac-review-reviewed" in state["markerClass"]
    assert state["label"] == "1 shot (reviewed)"
    assert js(qtbot, alert_map, "window.macMap.listIncidents()") == [
        {"id": "inc-single", "layers": state["layers"]}
    ]


def test_update_keeps_selection(qtbot, alert_map: QtAlertMap) -> None:
    first = incident_payloads()[0]
    alert_map.show_incident(first, focus=True)
    alert_map.show_incident({**first, "review": "updated", "acknowledged": True})
    qtbot.waitUntil(
        lambda: (
            (js(qtbot, alert_map, "window.macMap.state('inc-single')") or {}).get("review")
            == "updated"
        )
    )
    state = js(qtbot, alert_map, "window.macMap.state('inc-single')")
    assert state["selected"] and "mac-selected" in state["markerClass"]
    assert "mac-unack" not in state["markerClass"]


def test_cancelled_incident_is_grey_and_dashed(qtbot, alert_map: QtAlertMap) -> None:
    alert_map.show_incident({**incident_payloads()[1], "review": "cancelled"})
    qtbot.waitUntil(lambda: js(qtbot, alert_map, "window.macMap.state('inc-two')") is not None)
    state = js(qtbot, alert_map, "window.macMap.state('inc-two')")
    assert state["colour"] == "#8a8a8a" and state["circleDash"]
    assert "mac-review-cancelled" in state["markerClass"]


def test_marker_click_emits_incident_clicked(qtbot, alert_map: QtAlertMap) -> None:
    for payload in incident_payloads():
        alert_map.show_incident(payload)
    qtbot.waitUntil(lambda: js(qtbot, alert_map, "window.macMap.markerCount()") == 3)
    with qtbot.waitSignal(alert_map.incident_clicked, timeout=5000) as blocker:
        assert js(qtbot, alert_map, "window.macMap.simulateClick('inc-mobile')") is True
    assert blocker.args == ["inc-mobile"]


def test_focus_selects_and_pans_to_incident(qtbot, alert_map: QtAlertMap) -> None:
    payloads = incident_payloads()
    alert_map.show_incident(payloads[0])
    alert_map.show_incident(payloads[2], focus=True)
    qtbot.waitUntil(
        lambda: (js(qtbot, alert_map, "window.macMap.state('inc-mobile')") or {}).get("selected")
    )
    view = js(
        qtbot,
        alert_map,
        """(() => { const m = window.macMap.map, c = m.getCenter();
        return {lat: c.lat, lon: c.lng, zoom: m.getZoom()}; })()""",
    )
    assert view["lat"] == pytest.approx(60.1730, abs=0.001)
    assert view["lon"] == pytest.approx(24.9466, abs=0.002)
    assert view["zoom"] >= 16
    assert (
        "mac-selected" in js(qtbot, alert_map, "window.macMap.state('inc-mobile')")["markerClass"]
    )
    alert_map.select_incident("inc-single", pan=False)
    qtbot.waitUntil(
        lambda: (js(qtbot, alert_map, "window.macMap.state('inc-single')") or {}).get("selected")
    )
    assert not js(qtbot, alert_map, "window.macMap.state('inc-mobile')")["selected"]
    wait_for_tiles(qtbot, alert_map)
    wait_for_paint(qtbot, alert_map)
    save_screenshot(alert_map, "alert_map_focus.png")


def test_remove_and_clear(qtbot, alert_map: QtAlertMap) -> None:
    for payload in incident_payloads():
        alert_map.show_incident(payload)
    qtbot.waitUntil(lambda: js(qtbot, alert_map, "window.macMap.markerCount()") == 3)
    alert_map.remove_incident("inc-two")
    qtbot.waitUntil(lambda: js(qtbot, alert_map, "window.macMap.markerCount()") == 2)
    assert {i["id"] for i in js(qtbot, alert_map, "window.macMap.listIncidents()")} == {
        "inc-single",
        "inc-mobile",
    }
    alert_map.clear()
    qtbot.waitUntil(lambda: js(qtbot, alert_map, "window.macMap.listIncidents()") == [])
    assert js(qtbot, alert_map, "document.querySelectorAll('.mac-shot, .mac-track').length") == 0


def test_calls_before_ready_are_replayed(qtbot) -> None:
    widget = QtAlertMap()
    payloads = incident_payloads()
    widget.show_incident(payloads[0])
    widget.show_incident(payloads[1], focus=True)
    widget.set_theme("night")
    assert not widget.is_ready
    with qtbot.waitSignal(widget.ready, timeout=20000):
        widget.show()
    qtbot.waitUntil(lambda: len(js(qtbot, widget, "window.macMap.listIncidents()")) == 2)
    qtbot.waitUntil(
        lambda: (js(qtbot, widget, "window.macMap.state('inc-two')") or {}).get("selected")
    )
    assert js(qtbot, widget, "window.macMap.theme()") == "night"
    _dispose(qtbot, widget)


def test_night_theme_filters_tiles(qtbot, alert_map: QtAlertMap) -> None:
    for payload in incident_payloads():
        alert_map.show_incident(payload)
    alert_map.set_theme("night")
    qtbot.waitUntil(lambda: js(qtbot, alert_map, "window.macMap.theme()") == "night")
    pane_filter = js(
        qtbot, alert_map, "getComputedStyle(document.querySelector('.leaflet-tile-pane')).filter"
    )
    assert "invert" in pane_filter
    wait_for_tiles(qtbot, alert_map)
    day_grey = 200  # the light map averages well above this
    qtbot.waitUntil(lambda: mean_grey(alert_map) < day_grey / 2, timeout=5000)
    wait_for_paint(qtbot, alert_map)
    save_screenshot(alert_map, "alert_map_night.png")
    attribution_colour = js(
        qtbot,
        alert_map,
        "getComputedStyle(document.querySelector('.leaflet-control-attribution')).color",
    )
    assert attribution_colour == "rgb(200, 204, 210)", "attribution must stay readable at night"
    alert_map.set_theme("day")
    qtbot.waitUntil(lambda: js(qtbot, alert_map, "window.macMap.theme()") == "day")
    with pytest.raises(ValueError, match="dusk"):
        alert_map.set_theme("dusk")


def test_invalid_payload_is_rejected(alert_map: QtAlertMap) -> None:
    with pytest.raises(ValueError, match="id, lat and lon"):
        alert_map.show_incident({"id": "x", "lat": "north"})


def _image_loads(qtbot, widget: QtAlertMap, url: str) -> dict[str, Any]:
    widget.run_js(f"""window.__probe = null; (() => {{ const img = new Image();
        img.onload = () => {{ window.__probe = {{ok: true, w: img.naturalWidth}}; }};
        img.onerror = () => {{ window.__probe = {{ok: false}}; }};
        img.src = {url!r}; }})()""")
    qtbot.waitUntil(lambda: js(qtbot, widget, "window.__probe") is not None)
    return js(qtbot, widget, "window.__probe")


def test_scheme_serves_tiles_and_resources_but_nothing_outside(
    qtbot, alert_map: QtAlertMap, tmp_path: Path
) -> None:
    template = js(qtbot, alert_map, "window.macMap.tileUrl()")
    assert template.startswith("app://tiles/")
    x, y = (int(v) for v in lonlat_to_world(np.array([[24.9443, 60.1716]]))[0] * 2**15)

    def tile(z: int, tx: int, ty: int) -> str:
        return template.replace("{z}", str(z)).replace("{x}", str(tx)).replace("{y}", str(ty))

    assert _image_loads(qtbot, alert_map, tile(15, x, y)) == {"ok": True, "w": 256}
    assert _image_loads(qtbot, alert_map, tile(15, 0, 0)) == {"ok": False}
    assert _image_loads(qtbot, alert_map, "app://tiles/nopack/15/0/0.png") == {"ok": False}
    assert _image_loads(qtbot, alert_map, "app://res/vendor/leaflet/images/marker-icon.png")["ok"]
    outside = tmp_path / "outside.png"
    Image.new("RGB", (4, 4), "red").save(outside)
    rel = os.path.relpath(outside, resource_path()).replace("..", "%2E%2E")
    assert _image_loads(qtbot, alert_map, f"app://res/{rel}") == {"ok": False}
    assert _image_loads(qtbot, alert_map, "app://elsewhere/x.png") == {"ok": False}
