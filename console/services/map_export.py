"""HTML map export of a search result: one self-contained, fully offline file (folium).

The page carries everything it needs: Leaflet, jQuery and Leaflet.markercluster are
inlined from ``resources/vendor/`` (folium's CDN links are replaced or dropped), and the
map pack's tiles over the results' area are embedded as base64 PNG. Results are
clustered circle markers; a popup gives id, time, type and address. No sensor data
exists in a search row, and none is written.

:func:`write_search_map` writes the file; :func:`export_search_map` is the audited
export the desk calls (``EXPORT_REPORT``; audit action ``export_search_map``).
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from console.domain.audit import Outcome
from console.domain.permissions import Action, User
from console.mappack.geo import tile_range
from console.mappack.mbtiles import MapPack, MapPackError
from console.resources import resource_path
from console.services.audit import AuditLog

__all__ = ["MAX_TILES", "MapExport", "export_search_map", "write_search_map"]

ProgressFn = Callable[[int, int, str], None]
#: Tile budget of one file (the demo pack's 458 tiles are ~1.7 MB); deepest zooms go first.
MAX_TILES = 1500
_COLOURS = {"single_gunshot": "#e76f51", "multiple_gunshots": "#c1121f",
            "probable_gunfire": "#7b2cbf", "gunshot_or_firecracker": "#f4a261"}
_VENDOR = {  # file name in a CDN URL -> the vendored copy inlined instead
    "leaflet.js": ("leaflet", "leaflet.js"),
    "leaflet.css": ("leaflet", "leaflet.css"),
    "jquery-3.7.1.min.js": ("jquery", "jquery.min.js"),
    "jquery.min.js": ("jquery", "jquery.min.js"),
    "leaflet.markercluster.js": ("leaflet.markercluster", "leaflet.markercluster.js"),
    "MarkerCluster.css": ("leaflet.markercluster", "MarkerCluster.css"),
    "MarkerCluster.Default.css": ("leaflet.markercluster", "MarkerCluster.Default.css"),
}
_SCRIPT_SRC = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>')
_CSS_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>')


@dataclass(frozen=True, slots=True)
class MapExport:
    """What was written: markers, embedded tiles, their zooms, and a note for the user."""

    path: Path
    markers: int
    tiles: int
    zooms: tuple[int, ...]
    note: str


def _row(r: Any) -> list[Any]:
    time = r.time.strftime("%Y-%m-%d %H:%M:%S UTC") if isinstance(r.time, datetime) else r.time
    return [round(float(r.lat), 6), round(float(r.lon), 6), str(r.id), str(time),
            str(r.type), r.address or ""]


def _bbox(rows: Sequence[list[Any]]) -> tuple[float, float, float, float]:
    lats, lons = [r[0] for r in rows], [r[1] for r in rows]
    # at least ~500 m around the results, so the streets about them are on the map
    pad_lat = max((max(lats) - min(lats)) * 0.15, 0.0045)
    pad_lon = max((max(lons) - min(lons)) * 0.15, 0.009)
    return (min(lons) - pad_lon, min(lats) - pad_lat, max(lons) + pad_lon, max(lats) + pad_lat)


def _tiles(pack_path: Path | None, bbox: tuple[float, float, float, float],
           progress: ProgressFn | None) -> tuple[dict[str, str], tuple[int, ...], str]:
    if pack_path is None:
        return {}, (), "no map pack: markers without a base map"
    try:
        with MapPack(pack_path) as pack:
            pb = pack.bounds or bbox
            area = (max(bbox[0], pb[0]), max(bbox[1], pb[1]),
                    min(bbox[2], pb[2]), min(bbox[3], pb[3]))
            if area[0] >= area[2] or area[1] >= area[3]:
                return {}, (), "the results lie outside the map pack: no base map embedded"
            plan: list[tuple[int, list[tuple[int, int]]]] = []
            total = 0
            for z in range(pack.min_zoom, pack.max_zoom + 1):
                cells = list(tile_range(area, z))
                if total + len(cells) > MAX_TILES:
                    break
                plan.append((z, cells))
                total += len(cells)
            out: dict[str, str] = {}
            done = 0
            for z, cells in plan:
                for x, y in cells:
                    data = pack.tile(z, x, y)
                    if data:
                        out[f"{z}/{x}/{y}"] = base64.b64encode(data).decode("ascii")
                    done += 1
                    if progress is not None and done % 50 == 0:
                        progress(done, total, "embedding map tiles")
            zooms = tuple(z for z, _ in plan)
            note = f"offline tiles from {pack_path.name}, zoom {zooms[0]}-{zooms[-1]}" \
                if zooms and out else "no map tiles in this area: markers without a base map"
            return out, zooms if out else (), note
    except MapPackError as exc:
        return {}, (), f"map pack unavailable ({exc}): markers without a base map"


class _EmbeddedTiles(MacroElement):
    """A Leaflet grid layer drawing tiles from a base64 table in the page."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(){
            var tiles = {{ this.tiles|tojson }};
            var Layer = L.GridLayer.extend({
                createTile: function (c) {
                    var img = document.createElement('img');
                    var key = c.z + '/' + c.x + '/' + c.y;
                    img.alt = '';
                    if (tiles[key]) { img.src = 'data:image/png;base64,' + tiles[key]; }
                    return img;
                }
            });
            new Layer({minZoom: {{ this.min_zoom }}, maxZoom: 19,
                       maxNativeZoom: {{ this.max_zoom }},
                       attribution: '\\u00a9 OpenStreetMap contributors'})
                .addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}""")

    def __init__(self, tiles: dict[str, str], zooms: tuple[int, ...]) -> None:
        super().__init__()
        self._name = "EmbeddedTiles"
        self.tiles, self.min_zoom, self.max_zoom = tiles, min(zooms), max(zooms)


class _Markers(JSCSSMixin, MacroElement):
    """Clustered circle markers with popups, from a compact row table."""

    # names only: the page's links are replaced by the vendored files (_inline_assets)
    default_js = [("markercluster_js", "vendor/leaflet.markercluster.js")]
    default_css = [("markercluster_css", "vendor/MarkerCluster.css"),
                   ("markercluster_default_css", "vendor/MarkerCluster.Default.css")]

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(){
            var map = {{ this._parent.get_name() }};
            var rows = {{ this.rows|tojson }};
            var colours = {{ this.colours|tojson }};
            function esc(s) {
                var d = document.createElement('div');
                d.textContent = (s === null || s === undefined) ? '' : String(s);
                return d.innerHTML;
            }
            var cluster = L.markerClusterGroup({chunkedLoading: true, maxClusterRadius: 50});
            for (var i = 0; i < rows.length; i++) {
                var r = rows[i];
                var m = L.circleMarker([r[0], r[1]], {radius: 7, weight: 2, color: '#fff',
                    fillColor: colours[r[4]] || '#1d3557', fillOpacity: 0.9});
                m.bindPopup('<b>' + esc(r[2]) + '</b><br>' + esc(r[3]) + '<br>' +
                            esc(String(r[4]).replace(/_/g, ' ')) + '<br>' + esc(r[5]));
                cluster.addLayer(m);
            }
            map.addLayer(cluster);
            map.attributionControl.setPrefix(false);
            window.exportedMap = {map: map, cluster: cluster, count: rows.length};
        })();
        {% endmacro %}""")

    def __init__(self, rows: list[list[Any]]) -> None:
        super().__init__()
        self._name = "SearchMarkers"
        self.rows, self.colours = rows, _COLOURS


def _vendor_text(name: str) -> str | None:
    local = _VENDOR.get(name)
    if local is None:
        return None
    return resource_path("vendor", *local).read_text(encoding="utf-8")


def _inline_assets(page: str) -> str:
    """Replace CDN script/link tags by the vendored files' text; drop the others."""

    def script(m: re.Match[str]) -> str:
        text = _vendor_text(m.group(1).rsplit("/", 1)[-1])
        return "" if text is None else "<script>" + text.replace("</script", "<\\/script") \
            + "</script>"

    def css(m: re.Match[str]) -> str:
        text = _vendor_text(m.group(1).rsplit("/", 1)[-1])
        return "" if text is None else f"<style>{text}</style>"

    return _CSS_LINK.sub(css, _SCRIPT_SRC.sub(script, page))


def write_search_map(rows: Iterable[Any], path: str | Path, *, title: str = "",
                     map_pack: str | Path | None = None,
                     progress: ProgressFn | None = None) -> MapExport:
    """Write an offline HTML map of ``rows`` (objects with id, time, type, address, lat, lon).

    ``map_pack`` defaults to the bundled demo pack. The file is written via a temporary
    name, so a failed export never leaves half a file.
    """
    path = Path(path)
    data = [_row(r) for r in rows]
    pack = Path(map_pack) if map_pack is not None else resource_path(
        "maps", "helsinki-center.mbtiles")
    bbox = _bbox(data) if data else None
    tiles, zooms, note = _tiles(pack, bbox, progress) if bbox else ({}, (), "no results")
    fmap = folium.Map(location=[(bbox[1] + bbox[3]) / 2, (bbox[0] + bbox[2]) / 2]
                      if bbox else [0, 0], zoom_start=15, tiles=None, control_scale=True)
    if tiles:
        _EmbeddedTiles(tiles, zooms).add_to(fmap)
    if data:
        _Markers(data).add_to(fmap)
        fmap.fit_bounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]])
    heading = html.escape(title or "Search result")
    fmap.get_root().html.add_child(Element(
        f'<div style="position:absolute;top:8px;left:50px;z-index:1000;background:#fff;'
        f'padding:4px 8px;font:13px sans-serif;border-radius:4px;opacity:.9">'
        f"<b>{heading}</b> — {len(data)} incidents<br><small>{html.escape(note)}</small></div>"))
    fmap.get_root().header.add_child(Element(
        f"<script>window.exportMeta = {json.dumps({'count': len(data), 'tiles': len(tiles)})};"
        "</script>"))
    page = _inline_assets(fmap.get_root().render())
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    if progress is not None:
        progress(1, 1, "map written")
    return MapExport(path, len(data), len(tiles), zooms, note)


def export_search_map(ctx_or_store: Any, user: User, rows_or_query: Any, path: str | Path, *,
                      title: str = "", map_pack: str | Path | None = None,
                      audit: AuditLog | None = None,
                      progress: ProgressFn | None = None) -> MapExport:
    """Audited HTML map export of a search (``EXPORT_REPORT``).

    ``rows_or_query`` is the result rows (``IncidentSummary`` objects) or a
    ``HistoryQuery``, which is run unlimited through ``console.services.history.search``.
    ``ctx_or_store`` is the desk's ``DeskContext`` or a plain store (then ``audit`` or a
    new log over it). Raises ``PermissionDenied`` (audited) or ``OSError``.
    """
    store = getattr(ctx_or_store, "store", ctx_or_store)
    audit = audit or getattr(ctx_or_store, "audit", None) or AuditLog(store)
    pack = map_pack or getattr(ctx_or_store, "map_pack", None)
    audit.authorize(user, Action.EXPORT_REPORT, object_type="search", object_id=None)
    if hasattr(rows_or_query, "sort") and hasattr(rows_or_query, "limit"):
        from console.services.history import search  # the desk's history search
        rows = search(store, replace(rows_or_query, limit=None, offset=0)).rows
    else:
        rows = list(rows_or_query)
    try:
        result = write_search_map(rows, path, title=title, map_pack=pack, progress=progress)
    except OSError as exc:
        audit.record(user.name, "export_search_map", Outcome.FAILED, object_type="search",
                     details={"reason": str(exc)})
        raise
    audit.record(user.name, "export_search_map", Outcome.OK, object_type="search",
                 details={"file": Path(path).name, "markers": result.markers,
                          "tiles": result.tiles, "title": title})
    return result
