"""``QtAlertMap``: the offline incident map (Leaflet in QtWebEngine, fed over QWebChannel).

The page, its scripts and the tiles are all served through the ``app://`` scheme
(:mod:`console.ui.app_scheme`), so the map needs no network. Python keeps the incidents,
theme and selection it was given and replays them whenever the page (re)connects, so calls
made before :attr:`QtAlertMap.ready` are not lost and a crashed renderer recovers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QVBoxLayout, QWidget

from console.mappack import MapPack
from console.mappack.leaflet_page import build_map_page
from console.resources import resource_path
from console.ui.app_scheme import map_profile
from console.ui.web_page import OfflinePage, release_view, reload_if_alive, run_js

__all__ = ["DEFAULT_PACK", "CanvassBridge", "MapBridge", "QtAlertMap"]

DEFAULT_PACK = resource_path("maps", "helsinki-center.mbtiles")
_THEMES = {"day": QColor("#f4f1ea"), "night": QColor("#191712")}


class MapBridge(QObject):
    """The object the page sees as ``channel.objects.bridge``."""

    incidentUpserted = Signal(str)  # noqa: N815 - names are the page's JavaScript API
    incidentsUpserted = Signal(str)  # noqa: N815 - a JSON array: one message per batch
    incidentRemoved = Signal(str)  # noqa: N815
    cleared = Signal()
    incidentSelected = Signal(str, bool)  # noqa: N815
    themeChanged = Signal(str)  # noqa: N815
    verificationShown = Signal(str)  # noqa: N815
    verificationCleared = Signal()  # noqa: N815
    shotHighlighted = Signal(int)  # noqa: N815

    page_ready = Signal()
    marker_clicked = Signal(str)

    @Slot(str)
    def markerClicked(self, incident_id: str) -> None:  # noqa: N802
        self.marker_clicked.emit(incident_id)

    @Slot()
    def pageReady(self) -> None:  # noqa: N802
        self.page_ready.emit()


class CanvassBridge(QObject):
    """The page's ``channel.objects.canvass``: the canvass layer, apart from the incidents."""

    canvassShown = Signal(str)  # noqa: N815 - names are the page's JavaScript API
    canvassCleared = Signal()  # noqa: N815
    pickModeChanged = Signal(str)  # noqa: N815

    address_clicked = Signal(str)
    polygon_drawn = Signal(list)
    point_picked = Signal(float, float)

    @Slot(str)
    def addressClicked(self, key: str) -> None:  # noqa: N802
        self.address_clicked.emit(key)

    @Slot(str)
    def polygonDrawn(self, points_json: str) -> None:  # noqa: N802
        points = [(float(lat), float(lon)) for lat, lon in json.loads(points_json)]
        self.polygon_drawn.emit(points)

    @Slot(float, float)
    def pointPicked(self, lat: float, lon: float) -> None:  # noqa: N802
        self.point_picked.emit(lat, lon)


def _validated(payload: dict[str, Any]) -> dict[str, Any]:
    try:
        incident_id = str(payload["id"])
        float(payload["lat"]), float(payload["lon"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"incident payload needs id, lat and lon: {exc!r}") from exc
    return {**payload, "id": incident_id}


class QtAlertMap(QWidget):
    """Offline map of incidents: markers, uncertainty circles, shots and mobile tracks."""

    incident_clicked = Signal(str)
    ready = Signal()

    _instances = 0  # numbers each map's pack and page URL on the shared profile

    def __init__(self, pack_path: str | Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pack = MapPack(pack_path or DEFAULT_PACK)
        self._incidents: dict[str, dict[str, Any]] = {}
        self._selected: str | None = None
        self._theme = "day"
        self._ready = False
        self._pending_pan = False
        self._unsent: dict[str, str] = {}  # id -> JSON not yet handed to the page
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._flush)
        self._verification: dict[str, Any] | None = None
        self._highlight = -1
        self._bridge = MapBridge(self)
        self._bridge.page_ready.connect(self._on_page_ready)
        self._bridge.marker_clicked.connect(self.incident_clicked)

        self._view = QWebEngineView(self)
        profile, scheme = map_profile()
        QtAlertMap._instances += 1
        pack_name, page_name = f"pack{self._instances}", f"map{self._instances}.html"
        scheme.add_pack(pack_name, self._pack)
        scheme.set_page(page_name, build_map_page(pack_name, self._pack))
        self._page_url = QUrl(f"app://page/{page_name}")
        pack = self._pack
        self.destroyed.connect(lambda: (scheme.forget(pack_name, page_name), pack.close()))
        page = OfflinePage(profile, self._view)
        page.setBackgroundColor(_THEMES["day"])
        channel = QWebChannel(page)
        channel.registerObject("bridge", self._bridge)
        self._init_canvass(channel)
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
    def pack(self) -> MapPack:
        return self._pack

    def show_incident(self, payload: dict[str, Any], focus: bool = False) -> None:
        """Add or replace (by ``payload["id"]``) an incident; ``focus`` selects and zooms to it."""
        incident = _validated(payload)
        self._incidents[incident["id"]] = incident
        if self._ready:
            # coalesced: the alerts of one feed batch reach the page as one message
            self._unsent[incident["id"]] = json.dumps(incident, default=str)
            if not self._flush_timer.isActive():
                self._flush_timer.start()
        if focus:
            self.select_incident(incident["id"], pan=True)

    def select_incident(self, incident_id: str, *, pan: bool = True) -> None:
        """Highlight an incident; with ``pan`` fit the view to its circle, shots and track."""
        self._selected = str(incident_id)
        if self._ready:
            self._flush()
            self._bridge.incidentSelected.emit(self._selected, pan)
        else:
            self._pending_pan = pan

    def remove_incident(self, incident_id: str) -> None:
        self._incidents.pop(str(incident_id), None)
        if self._selected == str(incident_id):
            self._selected = None
        if self._ready:
            self._flush()
            self._bridge.incidentRemoved.emit(str(incident_id))

    def clear(self) -> None:
        self._incidents.clear()
        self._selected = None
        self._unsent.clear()
        if self._ready:
            self._bridge.cleared.emit()

    def set_theme(self, theme: str) -> None:
        """``"day"`` or ``"night"`` (tiles darkened by a CSS filter, dark controls)."""
        if theme not in _THEMES:
            raise ValueError(f"theme must be 'day' or 'night', got {theme!r}")
        self._theme = theme
        self._view.page().setBackgroundColor(_THEMES[theme])
        if self._ready:
            self._bridge.themeChanged.emit(theme)

    # -- verification layer (computed shots beside the reported location) --------------

    def show_verification(self, payload: dict[str, Any]) -> None:
        """Show one verification on top of the incidents (replacing any earlier one).

        ``payload``: ``computed`` {lat, lon, radius_m}; ``reported`` {lat, lon, radius_m}
        or None; ``shots`` [{lat, lon, radius_m, shooter, index}]; ``distance_m``;
        ``outside_pack`` (True: the area has no tiles, the view may leave the pack);
        ``sensors`` [{lat, lon, label}] ONLY for users allowed to see sensor positions.
        """
        try:
            float(payload["computed"]["lat"]), float(payload["computed"]["lon"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"verification payload needs computed lat/lon: {exc!r}") from exc
        self._verification, self._highlight = dict(payload), -1
        if self._ready:
            self._bridge.verificationShown.emit(json.dumps(self._verification, default=str))

    def clear_verification(self) -> None:
        self._verification, self._highlight = None, -1
        if self._ready:
            self._bridge.verificationCleared.emit()

    def highlight_shot(self, index: int) -> None:
        """Emphasise computed shot ``index`` (0-based, time order); -1 for none."""
        self._highlight = int(index)
        if self._ready and self._verification is not None:
            self._bridge.shotHighlighted.emit(self._highlight)

    def contains(self, lat: float, lon: float) -> bool:
        """True when the map pack covers (lat, lon)."""
        b = self._pack.bounds
        if b is None:
            return True
        w, s, e, n = b
        return s <= lat <= n and w <= lon <= e

    def run_js(self, code: str, callback: Callable[[Any], None] | None = None) -> None:
        """Evaluate JavaScript in the page; ``callback`` gets the value as Python data."""
        run_js(self._view, code, callback)

    # -- canvass layer (area, address dots by outcome, evidence pins, progress) ---------

    def _init_canvass(self, channel: QWebChannel) -> None:
        self._canvass: str | None = None  # JSON of the layer shown, replayed on reload
        self._pick = ""
        self._canvass_bridge = CanvassBridge(self)
        channel.registerObject("canvass", self._canvass_bridge)
        self.canvass_address_clicked = self._canvass_bridge.address_clicked
        self.canvass_polygon_drawn = self._canvass_bridge.polygon_drawn
        self.canvass_point_picked = self._canvass_bridge.point_picked
        self._canvass_bridge.polygon_drawn.connect(self._on_pick_done)
        self._canvass_bridge.point_picked.connect(self._on_pick_done)
        self.ready.connect(self._replay_canvass)

    def _on_pick_done(self, *_args: object) -> None:
        self._pick = ""  # the page left its pick mode by itself

    def show_canvass(self, payload: dict[str, Any]) -> None:
        """Show (or redraw) the canvass layer of one incident.

        ``payload``: ``incident_id``; ``outline`` [[lat, lon]]; ``addresses`` [{key, lat,
        lon, label, outcome (None: not visited)}]; ``evidence`` [{kind, lat, lon, count,
        label}]; ``progress`` {visited, total}; ``selected`` address key or None; ``fit``
        (True: fit the view to the area; it is fitted anyway when the incident changes).
        """
        if not payload.get("incident_id") or len(payload.get("outline") or ()) < 3:
            raise ValueError("canvass payload needs incident_id and an outline of 3+ points")
        self._canvass = json.dumps(payload, default=str)
        if self._ready:
            self._canvass_bridge.canvassShown.emit(self._canvass)

    def clear_canvass(self) -> None:
        self._canvass, self._pick = None, ""
        if self._ready:
            self._canvass_bridge.pickModeChanged.emit("")
            self._canvass_bridge.canvassCleared.emit()

    def set_canvass_pick(self, mode: str) -> None:
        """``"polygon"``: clicks draw the area (double-click closes it, see
        :attr:`canvass_polygon_drawn`); ``"point"``: the next click is reported through
        :attr:`canvass_point_picked`; ``""``: clicks are plain map clicks again."""
        if mode not in ("", "polygon", "point"):
            raise ValueError(f"pick mode must be '', 'polygon' or 'point', got {mode!r}")
        self._pick = mode
        if self._ready:
            self._canvass_bridge.pickModeChanged.emit(mode)

    @Slot()
    def _replay_canvass(self) -> None:
        if self._canvass is not None:
            self._canvass_bridge.canvassShown.emit(self._canvass)
        if self._pick:
            self._canvass_bridge.pickModeChanged.emit(self._pick)

    # -- page life cycle --------------------------------------------------------------

    @Slot()
    def _flush(self) -> None:
        """Hand the incidents shown since the last flush to the page (in call order)."""
        if not self._unsent:
            return
        batch, self._unsent = list(self._unsent.values()), {}
        self._bridge.incidentsUpserted.emit(f"[{','.join(batch)}]")

    @Slot()
    def _on_page_ready(self) -> None:
        # Replay everything the page should show; this also covers calls made before ready.
        self._bridge.themeChanged.emit(self._theme)
        self._unsent.clear()
        if self._incidents:
            self._bridge.incidentsUpserted.emit(
                json.dumps(list(self._incidents.values()), default=str))
        if self._selected in self._incidents:
            self._bridge.incidentSelected.emit(self._selected, self._pending_pan)
        self._pending_pan = False
        if self._verification is not None:
            self._bridge.verificationShown.emit(json.dumps(self._verification, default=str))
            if self._highlight >= 0:
                self._bridge.shotHighlighted.emit(self._highlight)
        self._ready = True
        self.ready.emit()

    @Slot()
    def _release_page(self) -> None:
        release_view(self._view)

    def _on_render_process_terminated(self, *_args: object) -> None:
        self._ready = False
        self._unsent.clear()  # replayed in full once the page is ready again
        reload_if_alive(self._view, self._page_url)
