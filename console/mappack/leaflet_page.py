"""The Leaflet page that shows a map pack, built with folium and served over ``app://``.

Every script, stylesheet and tile comes from the ``app`` scheme or Qt's built-in
``qrc:`` resources, so the page works with no network. The live-marker logic lives in
``resources/map/alert_map.js``; this module only assembles the page around it.
"""

from __future__ import annotations

import json

import folium
from branca.element import Element

from console.mappack.builder import ATTRIBUTION
from console.mappack.mbtiles import MapPack

__all__ = ["build_map_page", "OVERZOOM_MAX"]

OVERZOOM_MAX = 20  # Leaflet scales the deepest native tiles up to this zoom
_JS = [
    ("leaflet", "app://res/vendor/leaflet/leaflet.js"),
    ("jquery", "app://res/vendor/jquery/jquery.min.js"),
]
_CSS = [("leaflet_css", "app://res/vendor/leaflet/leaflet.css")]
_HEAD = """
<link rel="stylesheet" href="app://res/map/alert_map.css"/>
<script src="qrc:///qtwebchannel/qwebchannel.js"></script>
<script>window.MAC_MAP_CONFIG = {config};</script>
<script src="app://res/map/alert_map.js"></script>
"""


def build_map_page(pack_name: str, pack: MapPack) -> str:
    """HTML of a full-window map over ``app://tiles/<pack_name>/{z}/{x}/{y}.png``."""
    w, s, e, n = pack.bounds or (-180.0, -85.0, 180.0, 85.0)
    centre = [(s + n) / 2.0, (w + e) / 2.0]
    start_zoom = min(max(15, pack.min_zoom), pack.max_zoom)
    fmap = folium.Map(
        location=centre,
        zoom_start=start_zoom,
        tiles=None,
        min_zoom=pack.min_zoom,
        max_zoom=OVERZOOM_MAX,
        control_scale=True,
        zoom_control=True,
        fade_animation=False,  # a loaded tile is a visible tile (screenshots, slow car PCs)
    )
    fmap.default_js = list(_JS)
    fmap.default_css = list(_CSS)
    folium.TileLayer(
        tiles=f"app://tiles/{pack_name}/{{z}}/{{x}}/{{y}}.png",
        attr=pack.metadata.get("attribution", ATTRIBUTION),
        name=pack.metadata.get("name", pack_name),
        min_zoom=pack.min_zoom,
        max_zoom=OVERZOOM_MAX,
        max_native_zoom=pack.max_zoom,
        bounds=[[s, w], [n, e]],
    ).add_to(fmap)
    config = {"mapVar": fmap.get_name(), "bounds": [[s, w], [n, e]], "maxZoom": pack.max_zoom}
    fmap.get_root().header.add_child(Element(_HEAD.format(config=json.dumps(config))))
    return fmap.get_root().render()
