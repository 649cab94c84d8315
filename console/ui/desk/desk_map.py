"""``DeskMap``: the desk's history map — tens of thousands of incidents, clustered or as a
heat map, the selected incident, and a search area drawn on the map.

The page (``resources/map/desk_map.{html,js,css}``, Leaflet with the vendored
markercluster and heat plug-ins) and its tiles are served through the ``app://`` scheme
(:mod:`console.ui.app_scheme`) from the offline map pack: no network. Points are compact
column arrays (ids, lats, lons, type codes) that the page reads from the same scheme when
told (a year of incidents is megabytes: faster as a response than inside a web-channel
message); it clusters them in chunks and reports back when they are drawn. Python keeps what the page should show and
replays it when the page (re)connects, so calls made before :attr:`DeskMap.ready` are kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QUrl, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QVBoxLayout, QWidget

from console.mappack import ATTRIBUTION, MapPack
from console.resources import resource_path
from console.ui.app_scheme import map_profile
from console.ui.web_page import OfflinePage, release_view, reload_if_alive, run_js

__all__ = ["DEFAULT_PACK", "DeskMap", "DeskMapBridge", "EncodedPoints", "encode_points"]

DEFAULT_PACK = resource_path("maps", "helsinki-center.mbtiles")
_OVERZOOM_MAX = 20  # the deepest native tiles are scaled up to this zoom


class DeskMapBridge(QObject):
    """The page's ``channel.objects.desk``: signals drive the page, slots are its replies."""

    pointsReady = Signal(str, int)  # noqa: N815 - names are the page's JavaScript API
    heatShown = Signal(bool)  # noqa: N815
    markersShown = Signal(bool)  # noqa: N815
    selectionChanged = Signal(str, bool)  # noqa: N815
    fitRequested = Signal()  # noqa: N815
    drawingRequested = Signal(bool)  # noqa: N815
    areaShown = Signal(str)  # noqa: N815

    page_ready = Signal()
    marker_clicked = Signal(str)
    points_drawn = Signal(int, int)
    points_progress = Signal(int, int, int)
    polygon_drawn = Signal(str)
    drawing_cancelled = Signal()

    @Slot()
    def pageReady(self) -> None:  # noqa: N802
        self.page_ready.emit()

    @Slot(str)
    def markerClicked(self, incident_id: str) -> None:  # noqa: N802
        self.marker_clicked.emit(incident_id)

    @Slot(int, int)
    def pointsDrawn(self, token: int, count: int) -> None:  # noqa: N802
        self.points_drawn.emit(token, count)

    @Slot(int, int, int)
    def pointsProgress(self, token: int, done: int, total: int) -> None:  # noqa: N802
        self.points_progress.emit(token, done, total)

    @Slot(str)
    def polygonDrawn(self, ring_json: str) -> None:  # noqa: N802
        self.polygon_drawn.emit(ring_json)

    @Slot()
    def drawingCancelled(self) -> None:  # noqa: N802
        self.drawing_cancelled.emit()


def _columns(points: Any) -> tuple[Sequence[Any], Sequence[Any], Sequence[Any], Sequence[Any]]:
    if isinstance(points, Mapping):
        return points["ids"], points["lats"], points["lons"], points["types"]
    return points.ids, points.lats, points.lons, points.types


@dataclass(frozen=True)
class EncodedPoints:
    """Points as the page takes them (see :func:`encode_points`)."""

    json: str
    count: int


def encode_points(points: Any) -> EncodedPoints:
    """The page's message for ``points``: JSON ``{ids, lats, lons, types (codes), names}``.

    Plain Python, no Qt: a view can encode in its worker thread what it fetched there,
    so tens of thousands of points cost the GUI thread nothing but the hand-over.

    ``points`` has ``ids``, ``lats``, ``lons`` and ``types`` (attributes, e.g. the history
    service's ``MapPoints``, or mapping keys), all of one length. Types become small
    integer codes into ``names`` and coordinates are rounded to 6 decimals (~0.1 m), which
    keeps a year of incidents to one compact message.
    """
    ids, lats, lons, types = _columns(points)
    if not len(ids) == len(lats) == len(lons) == len(types):
        raise ValueError(f"points columns differ in length: ids {len(ids)}, lats {len(lats)}, "
                         f"lons {len(lons)}, types {len(types)}")
    lat = np.asarray(lats, dtype=float)
    lon = np.asarray(lons, dtype=float)
    bad = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"point {ids[i]!r} has no valid position: lat {lats[i]!r}, lon {lons[i]!r}")
    names: dict[str, int] = {}
    codes = [names.setdefault(str(t), len(names)) for t in types]
    payload = {
        "ids": list(map(str, ids)),
        "lats": np.round(lat, 6).tolist(),
        "lons": np.round(lon, 6).tolist(),
        "types": codes,
        "names": list(names),
    }
    return EncodedPoints(json.dumps(payload, separators=(",", ":"), allow_nan=False), len(codes))


def _page_html(pack_name: str, pack: MapPack) -> str:
    w, s, e, n = pack.bounds or (-180.0, -85.0, 180.0, 85.0)
    config = {
        "tiles": f"app://tiles/{pack_name}/{{z}}/{{x}}/{{y}}.png",
        "attribution": pack.metadata.get("attribution", ATTRIBUTION),
        "bounds": [[s, w], [n, e]],
        "minZoom": pack.min_zoom,
        "maxNativeZoom": pack.max_zoom,
        "maxZoom": _OVERZOOM_MAX,
    }
    template = resource_path("map", "desk_map.html").read_text(encoding="utf-8")
    return template.replace("/*CONFIG*/null", json.dumps(config))


class DeskMap(QWidget):
    """Offline map of search results: clusters, heat map, selection, drawn search area.

    Signals: :attr:`incident_selected` (an incident's dot was clicked),
    :attr:`polygon_drawn` (the drawn area as ``[(lat, lon), ...]``),
    :attr:`drawing_cancelled`, :attr:`points_drawn` (count, once the page has drawn the
    latest :meth:`set_points`) and :attr:`ready` (the page is connected).
    """

    incident_selected = Signal(str)
    polygon_drawn = Signal(list)
    drawing_cancelled = Signal()
    points_drawn = Signal(int)
    #: (points clustered so far, all points) while the page draws the latest set_points
    drawing_progress = Signal(int, int)
    ready = Signal()

    _instances = 0  # numbers each map's pack and page URL on the shared profile

    def __init__(self, pack_path: str | Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pack = MapPack(pack_path or DEFAULT_PACK)
        self._ready = False
        self._points: EncodedPoints | None = None
        self._served: dict[str, str] = {}  # "points": the page name the points are served at
        self._token = 0
        self._count = 0
        self._drawn_token = -1
        self._heat = False
        self._markers = True
        self._selected: str | None = None
        self._area: list[tuple[float, float]] = []
        self._drawing = False

        self._bridge = DeskMapBridge(self)
        self._bridge.page_ready.connect(self._on_page_ready)
        self._bridge.marker_clicked.connect(self._on_marker_clicked)
        self._bridge.points_drawn.connect(self._on_points_drawn)
        self._bridge.points_progress.connect(self._on_points_progress)
        self._bridge.polygon_drawn.connect(self._on_polygon_drawn)
        self._bridge.drawing_cancelled.connect(self._on_drawing_cancelled)

        self._view = QWebEngineView(self)
        profile, scheme = map_profile()
        DeskMap._instances += 1
        pack_name, page_name = f"desk-pack{self._instances}", f"desk{self._instances}.html"
        scheme.add_pack(pack_name, self._pack)
        scheme.set_page(page_name, _page_html(pack_name, self._pack))
        self._scheme, self._name = scheme, f"desk{self._instances}"
        self._page_url = QUrl(f"app://page/{page_name}")
        pack = self._pack
        served = self._served  # the lambda must not hold the widget itself
        self.destroyed.connect(lambda: (scheme.forget(pack_name, page_name), pack.close(),
                                        scheme.forget(page=served.get("points"))))
        page = OfflinePage(profile, self._view)
        page.setBackgroundColor(QColor("#f4f1ea"))
        channel = QWebChannel(page)
        channel.registerObject("desk", self._bridge)
        page.setWebChannel(channel)
        page.renderProcessTerminated.connect(self._on_render_process_terminated)
        self._view.setPage(page)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)
        page.load(self._page_url)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._release_page)

    # -- public API -------------------------------------------------------------------

    @property
    def is_ready(self) -> bool:
        return self._ready

    @property
    def point_count(self) -> int:
        """How many points the last :meth:`set_points` gave."""
        return self._count

    @property
    def is_drawn(self) -> bool:
        """True once the page has drawn the latest points."""
        return self._drawn_token == self._token

    @property
    def area(self) -> list[tuple[float, float]]:
        """The search area shown on the map (empty: none)."""
        return list(self._area)

    def set_points(self, points: Any) -> None:
        """Show these incidents (replacing the earlier ones): ``EncodedPoints`` or anything
        :func:`encode_points` takes (raises ValueError on a bad position)."""
        encoded = points if isinstance(points, EncodedPoints) else encode_points(points)
        self._token += 1
        self._points = encoded
        self._count = encoded.count
        # The page fetches the points from the app:// scheme: megabytes of JSON cross
        # faster as a plain response than inside a web-channel message.
        self._scheme.forget(page=self._served.get("points"))
        self._served["points"] = f"{self._name}-points-{self._token}.json"
        self._scheme.set_page(self._served["points"], encoded.json)
        if self._ready:
            self._send_points()

    def clear_points(self) -> None:
        self.set_points({"ids": [], "lats": [], "lons": [], "types": []})

    def set_heat_visible(self, on: bool) -> None:
        """Show or hide the heat map of the points."""
        self._heat = bool(on)
        if self._ready:
            self._bridge.heatShown.emit(self._heat)

    def set_markers_visible(self, on: bool) -> None:
        """Show or hide the clustered incident dots."""
        self._markers = bool(on)
        if self._ready:
            self._bridge.markersShown.emit(self._markers)

    def select(self, incident_id: str | None, *, pan: bool = True) -> None:
        """Ring one incident (None: none); with ``pan`` bring it into view."""
        self._selected = str(incident_id) if incident_id else None
        if self._ready:
            self._bridge.selectionChanged.emit(self._selected or "", pan)

    def fit_points(self) -> None:
        """Fit the view to all points shown."""
        if self._ready:
            self._bridge.fitRequested.emit()

    def start_drawing(self) -> None:
        """Clicks on the map now add corners; double-click or "Finish area" closes it."""
        self._drawing = True
        if self._ready:
            self._bridge.drawingRequested.emit(True)

    def cancel_drawing(self) -> None:
        self._drawing = False
        if self._ready:
            self._bridge.drawingRequested.emit(False)

    def set_area(self, ring: Sequence[tuple[float, float]]) -> None:
        """Outline a search area (``(lat, lon)`` corners; empty clears it)."""
        self._area = [(float(lat), float(lon)) for lat, lon in ring]
        if self._ready:
            self._bridge.areaShown.emit(json.dumps(self._area))

    def clear_polygon(self) -> None:
        self.set_area(())

    def run_js(self, code: str, callback: Callable[[Any], None] | None = None) -> None:
        """Evaluate JavaScript in the page; ``callback`` gets the value as Python data."""
        run_js(self._view, code, callback)

    # -- page replies -------------------------------------------------------------------

    @Slot(str)
    def _on_marker_clicked(self, incident_id: str) -> None:
        self._selected = incident_id
        self._bridge.selectionChanged.emit(incident_id, False)
        self.incident_selected.emit(incident_id)

    @Slot(int, int)
    def _on_points_drawn(self, token: int, count: int) -> None:
        if token == self._token:  # an older set_points finishing late is not news
            self._drawn_token = token
            self.points_drawn.emit(count)

    @Slot(int, int, int)
    def _on_points_progress(self, token: int, done: int, total: int) -> None:
        if token == self._token:
            self.drawing_progress.emit(done, total)

    @Slot(str)
    def _on_polygon_drawn(self, ring_json: str) -> None:
        self._drawing = False
        self._area = [(float(lat), float(lon)) for lat, lon in json.loads(ring_json)]
        self.polygon_drawn.emit(list(self._area))

    @Slot()
    def _on_drawing_cancelled(self) -> None:
        self._drawing = False
        self.drawing_cancelled.emit()

    # -- page life cycle --------------------------------------------------------------

    @Slot()
    def _on_page_ready(self) -> None:
        # Replay everything the page should show; this also covers calls made before ready.
        self._bridge.markersShown.emit(self._markers)
        self._bridge.heatShown.emit(self._heat)
        if self._area:
            self._bridge.areaShown.emit(json.dumps(self._area))
        if self._points is not None:
            self._send_points()
        if self._selected:
            self._bridge.selectionChanged.emit(self._selected, True)
        if self._drawing:
            self._bridge.drawingRequested.emit(True)
        self._ready = True
        self.ready.emit()

    def _send_points(self) -> None:
        self._bridge.pointsReady.emit(f"app://page/{self._served['points']}", self._token)

    @Slot()
    def _release_page(self) -> None:
        release_view(self._view)

    def _on_render_process_terminated(self, *_args: object) -> None:
        self._ready = False
        reload_if_alive(self._view, self._page_url)
