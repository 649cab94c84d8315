"""DeskMap against a real QtWebEngine page and the shipped Helsinki map pack."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from console.ui.app_scheme import map_profile
from console.ui.desk.desk_map import DeskMap, encode_points
from tests.desk_views.conftest import dispose

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TYPES = ("single_gunshot", "multiple_gunshots", "probable_gunfire", "gunshot_or_firecracker")
# the demo pack covers 60.1642..60.1791 N, 24.9352..24.9534 E
SOUTH, NORTH, WEST, EAST = 60.1650, 60.1785, 24.9360, 24.9525


def js(qtbot, widget: DeskMap, code: str, timeout: int = 10000) -> Any:
    box: dict[str, Any] = {}
    widget.run_js(code, lambda result: box.setdefault("result", result))
    qtbot.waitUntil(lambda: "result" in box, timeout=timeout)
    return box["result"]


def state(qtbot, widget: DeskMap) -> dict[str, Any]:
    return js(qtbot, widget, "window.macDesk.state()")


def random_points(n: int, seed: int = 3) -> dict[str, list[Any]]:
    rng = random.Random(seed)
    return {"ids": [f"P-{i:05d}" for i in range(n)],
            "lats": [rng.uniform(SOUTH, NORTH) for _ in range(n)],
            "lons": [rng.uniform(WEST, EAST) for _ in range(n)],
            "types": [TYPES[i % 4] for i in range(n)]}


def show_points(qtbot, widget: DeskMap, points: Any) -> None:
    n = len(points["ids"]) if isinstance(points, dict) else len(points.ids)
    with qtbot.waitSignal(widget.points_drawn, timeout=30000) as drawn:
        widget.set_points(points)
    assert drawn.args == [n]


def click_at(qtbot, widget: DeskMap, events: str, lat: float, lon: float) -> None:
    """Mouse events dispatched in the page where (lat, lon) is on the map."""
    js(qtbot, widget, f"""(() => {{ const [x, y] = window.macDesk.pixelOf({lat}, {lon});
        const el = window.macDesk.map.getContainer(); const r = el.getBoundingClientRect();
        for (const type of {events}) el.dispatchEvent(new MouseEvent(type, {{bubbles: true,
            cancelable: true, view: window, clientX: r.left + x, clientY: r.top + y,
            detail: type === 'dblclick' ? 2 : 1}}));
        return true; }})()""")


@pytest.fixture
def desk_map(qtbot) -> DeskMap:
    widget = DeskMap()
    widget.resize(900, 700)
    with qtbot.waitSignal(widget.ready, timeout=20000):
        widget.show()
    yield widget
    dispose(qtbot, widget)


def test_page_uses_only_local_assets(qtbot, desk_map: DeskMap) -> None:
    qtbot.waitUntil(lambda: js(qtbot, desk_map, "window.macDesk.tileStatus().loaded") > 0,
                    timeout=15000)
    urls = js(qtbot, desk_map, """Array.from(document.querySelectorAll(
        'script[src], link[href], img[src]'), e => e.src || e.href)""")
    assert all(u.startswith(("app:", "qrc:")) for u in urls), urls
    assert any(u.endswith("leaflet.markercluster/leaflet.markercluster.js") for u in urls)
    assert any(u.endswith("leaflet.heat/leaflet-heat.js") for u in urls)
    assert any(u.startswith("app://tiles/desk-pack") for u in urls)


def test_points_reach_the_page_as_clusters_that_hold_every_point(qtbot, desk_map) -> None:
    points = random_points(3000)
    show_points(qtbot, desk_map, points)
    desk_map.fit_points()
    page = state(qtbot, desk_map)
    assert page["points"] == 3000 and page["clustered"] == 3000 and not page["loading"]
    assert page["visibleClusters"] > 0
    assert page["visibleTotal"] == 3000  # the whole set is in view: every point counted once
    # a new search replaces the points, it does not add to them
    show_points(qtbot, desk_map, random_points(10, seed=4))
    page = state(qtbot, desk_map)
    assert page["points"] == 10 and page["clustered"] == 10
    show_points(qtbot, desk_map, {"ids": [], "lats": [], "lons": [], "types": []})
    assert state(qtbot, desk_map)["points"] == 0


def test_only_the_newest_points_are_drawn(qtbot, desk_map) -> None:
    desk_map.set_points(random_points(2000))
    with qtbot.waitSignal(desk_map.points_drawn, timeout=30000) as drawn:
        desk_map.set_points(random_points(7, seed=9))
    assert drawn.args == [7] and desk_map.is_drawn
    qtbot.wait(300)  # an older answer arriving now must not replace the newer points
    assert state(qtbot, desk_map)["points"] == 7


def test_a_closed_map_stops_serving_its_points(qtbot) -> None:
    widget = DeskMap()
    widget.set_points(random_points(5))
    handler = map_profile()[1]
    served = [n for n in handler._pages if n.startswith(f"desk{DeskMap._instances}-points-")]
    assert len(served) == 1
    dispose(qtbot, widget)
    assert served[0] not in handler._pages


def test_points_given_before_the_page_is_ready_are_drawn(qtbot) -> None:
    widget = DeskMap()
    try:
        widget.resize(600, 500)
        widget.set_points(random_points(50))
        widget.set_heat_visible(True)
        with qtbot.waitSignal(widget.points_drawn, timeout=30000):
            widget.show()
        page = state(qtbot, widget)
        assert page["points"] == 50 and page["heat"] and page["heatPoints"] == 50
    finally:
        dispose(qtbot, widget)


def test_heat_map_toggles_over_the_same_points(qtbot, desk_map) -> None:
    show_points(qtbot, desk_map, random_points(500))
    desk_map.set_heat_visible(True)
    qtbot.waitUntil(lambda: state(qtbot, desk_map)["heat"])
    assert state(qtbot, desk_map)["heatPoints"] == 500
    canvas = js(qtbot, desk_map, "document.querySelectorAll('canvas.leaflet-heatmap-layer').length")
    assert canvas == 1
    desk_map.set_markers_visible(False)
    qtbot.waitUntil(lambda: state(qtbot, desk_map)["visibleTotal"] == 0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert desk_map.grab().save(str(SCREENSHOTS / "desk_map_heat.png"))
    desk_map.set_markers_visible(True)
    desk_map.set_heat_visible(False)
    qtbot.waitUntil(lambda: not state(qtbot, desk_map)["heat"])
    assert state(qtbot, desk_map)["markers"]


def test_click_on_an_incident_dot_says_which(qtbot, desk_map) -> None:
    points = random_points(400)
    show_points(qtbot, desk_map, points)
    target = "P-00123"
    x, y = js(qtbot, desk_map, f"window.macDesk.reveal('{target}')")
    with qtbot.waitSignal(desk_map.incident_selected, timeout=10000) as clicked:
        QTest.mouseClick(desk_map._view.focusProxy(), Qt.MouseButton.LeftButton,
                         pos=QPoint(round(x), round(y)))
    assert clicked.args == [target]
    lat, lon = points["lats"][123], points["lons"][123]
    ring = state(qtbot, desk_map)["ring"]
    assert ring == pytest.approx([lat, lon], abs=1e-6)


def test_select_rings_and_pans_to_the_incident(qtbot, desk_map) -> None:
    points = random_points(200)
    show_points(qtbot, desk_map, points)
    desk_map.select("P-00007")
    qtbot.waitUntil(lambda: state(qtbot, desk_map)["selected"] == "P-00007")
    page = state(qtbot, desk_map)
    at = [points["lats"][7], points["lons"][7]]
    assert page["ring"] == pytest.approx(at, abs=1e-6)
    assert page["center"] == pytest.approx(at, abs=1e-4)
    assert page["zoom"] >= 16
    desk_map.select(None)
    qtbot.waitUntil(lambda: state(qtbot, desk_map)["ring"] is None)


def test_polygon_drawn_with_clicks_reaches_python_as_coordinates(qtbot, desk_map) -> None:
    desk_map.start_drawing()
    qtbot.waitUntil(lambda: state(qtbot, desk_map)["drawing"])
    corners = [(60.1680, 24.9400), (60.1700, 24.9400), (60.1700, 24.9450), (60.1680, 24.9450)]
    for lat, lon in corners[:-1]:
        click_at(qtbot, desk_map, '["click"]', lat, lon)
    assert state(qtbot, desk_map)["draft"] == 3
    with qtbot.waitSignal(desk_map.polygon_drawn, timeout=10000) as drawn:
        click_at(qtbot, desk_map, '["click", "click", "dblclick"]', *corners[-1])
    ring = drawn.args[0]
    assert len(ring) == 4  # the double-click's own clicks add no extra corner
    for (lat, lon), (want_lat, want_lon) in zip(ring, corners, strict=True):
        assert lat == pytest.approx(want_lat, abs=2e-5)  # within a pixel at this zoom
        assert lon == pytest.approx(want_lon, abs=4e-5)
    page = state(qtbot, desk_map)
    assert not page["drawing"] and len(page["area"]) == 4
    assert desk_map.area == ring
    desk_map.clear_polygon()
    qtbot.waitUntil(lambda: state(qtbot, desk_map)["area"] is None)


def test_finish_button_closes_and_cancel_abandons_the_drawing(qtbot, desk_map) -> None:
    desk_map.start_drawing()
    qtbot.waitUntil(lambda: state(qtbot, desk_map)["drawing"])
    finish = "window.macDesk.drawBarElement().querySelector('.mac-desk-finish')"
    for lat, lon in [(60.1690, 24.9410), (60.1700, 24.9430)]:
        click_at(qtbot, desk_map, '["click"]', lat, lon)
    assert js(qtbot, desk_map, f"{finish}.disabled") is True  # two corners make no area
    click_at(qtbot, desk_map, '["click"]', 60.1685, 24.9440)
    with qtbot.waitSignal(desk_map.polygon_drawn, timeout=10000) as drawn:
        js(qtbot, desk_map, f"{finish}.click(), true")
    assert len(drawn.args[0]) == 3

    desk_map.start_drawing()
    qtbot.waitUntil(lambda: state(qtbot, desk_map)["drawing"])
    with qtbot.waitSignal(desk_map.drawing_cancelled, timeout=10000):
        js(qtbot, desk_map, "window.macDesk.drawBarElement()"
                            ".querySelector('.mac-desk-cancel').click(), true")
    assert not state(qtbot, desk_map)["drawing"]
    assert len(state(qtbot, desk_map)["area"]) == 3  # the earlier area stays

    desk_map.start_drawing()  # Escape leaves drawing too
    qtbot.waitUntil(lambda: state(qtbot, desk_map)["drawing"])
    desk_map._view.setFocus()
    with qtbot.waitSignal(desk_map.drawing_cancelled, timeout=10000):
        QTest.keyClick(desk_map._view.focusProxy(), Qt.Key.Key_Escape)


def test_bad_points_are_refused_with_the_incident_named() -> None:
    with pytest.raises(ValueError, match="'B-2' has no valid position"):
        encode_points({"ids": ["B-1", "B-2"], "lats": [60.1, float("nan")],
                       "lons": [24.9, 24.9], "types": ["single_gunshot"] * 2})
    with pytest.raises(ValueError, match="differ in length"):
        encode_points({"ids": ["B-1"], "lats": [], "lons": [], "types": []})
