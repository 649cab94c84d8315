"""Read an OpenStreetMap extract into drawable features and street addresses.

The result is a :class:`Scene`: plain Python/numpy data (no Qt, no Pillow) that can be
pickled to worker processes. Geometry is stored in normalised Web Mercator coordinates
(see :mod:`console.mappack.geo`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import osmium

from console.mappack.geo import lonlat_to_world
from console.mappack.style import classify_area, classify_line

__all__ = ["Address", "Feature", "Scene", "read_extract"]


@dataclass(frozen=True, slots=True)
class Feature:
    """One drawable thing: a line (``rings`` has one open ring) or a polygon with holes."""

    kind: str  # "road", "rail", "waterway", "building", "water", "green", "landuse", "plaza"
    cls: str  # sub-class used for styling, e.g. the highway value
    rings: tuple[np.ndarray, ...]  # world coordinates, first ring outer (polygons)
    name: str | None = None
    layer: int = 0


@dataclass(frozen=True, slots=True)
class Address:
    """A street address: OSM reference (``n123``/``w45``/``r6``), position in degrees."""

    id: str
    lat: float
    lon: float
    housenumber: str
    street: str
    name: str | None


@dataclass(slots=True)
class Scene:
    """Everything read from an extract, with per-feature bounding boxes for tile queries."""

    features: list[Feature]
    addresses: list[Address]
    bounds: tuple[float, float, float, float]  # minlon, minlat, maxlon, maxlat
    bboxes: np.ndarray = field(init=False)  # (n, 4) world minx, miny, maxx, maxy

    def __post_init__(self) -> None:
        boxes = [(*f.rings[0].min(axis=0), *f.rings[0].max(axis=0)) for f in self.features]
        self.bboxes = np.array(boxes, dtype=float).reshape(-1, 4)

    def query(self, minx: float, miny: float, maxx: float, maxy: float) -> list[Feature]:
        """Features whose bounding box meets the world rectangle, in reading order."""
        b = self.bboxes
        hit = (b[:, 0] <= maxx) & (b[:, 2] >= minx) & (b[:, 1] <= maxy) & (b[:, 3] >= miny)
        return [self.features[i] for i in np.flatnonzero(hit)]


def _coords(nodes: object) -> np.ndarray | None:
    pts = [(n.lon, n.lat) for n in nodes if n.location.valid()]
    return np.array(pts, dtype=float) if len(pts) >= 2 else None


def _layer(tags: object) -> int:
    try:
        return int(tags.get("layer", "0"))
    except ValueError:
        return 0


def _centroid(ring: np.ndarray) -> tuple[float, float]:
    """Area-weighted centroid of a closed lon/lat ring (planar; fine for a building)."""
    x, y = ring[:, 0] - ring[0, 0], ring[:, 1] - ring[0, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    area = cross.sum() / 2.0
    if abs(area) < 1e-14:
        mean = ring.mean(axis=0)
        return float(mean[0]), float(mean[1])
    cx = ((x[:-1] + x[1:]) * cross).sum() / (6.0 * area) + ring[0, 0]
    cy = ((y[:-1] + y[1:]) * cross).sum() / (6.0 * area) + ring[0, 1]
    return float(cx), float(cy)


def _address(ref: str, tags: object, lon: float, lat: float) -> Address | None:
    number, street = tags.get("addr:housenumber"), tags.get("addr:street")
    if not number or not street:
        return None
    return Address(ref, lat, lon, number, street, tags.get("name"))


class _Collector:
    def __init__(self) -> None:
        self.features: list[Feature] = []
        self.addresses: list[Address] = []

    def node(self, n: object) -> None:
        if "addr:housenumber" in n.tags and n.location.valid():
            addr = _address(f"n{n.id}", n.tags, n.location.lon, n.location.lat)
            if addr:
                self.addresses.append(addr)

    def way(self, w: object) -> None:
        tags = w.tags
        line = classify_line(tags)
        coords = None
        if line is not None:
            coords = _coords(w.nodes)
            if coords is not None:
                kind, cls = line
                self.features.append(
                    Feature(kind, cls, (lonlat_to_world(coords),), tags.get("name"), _layer(tags))
                )
        if "addr:housenumber" in tags:
            coords = coords if coords is not None else _coords(w.nodes)
            if coords is None:
                return
            if w.is_closed():
                lon, lat = _centroid(coords)
            else:
                lon, lat = coords[len(coords) // 2]
            addr = _address(f"w{w.id}", tags, float(lon), float(lat))
            if addr:
                self.addresses.append(addr)

    def area(self, a: object) -> None:
        tags = a.tags
        style = classify_area(tags)
        for outer in a.outer_rings():
            ring = _coords(outer)
            if ring is None:
                continue
            if not a.from_way() and "addr:housenumber" in tags:
                lon, lat = _centroid(ring)
                addr = _address(f"r{a.orig_id()}", tags, lon, lat)
                if addr:
                    self.addresses.append(addr)
            if style is None:
                continue
            rings = [lonlat_to_world(ring)]
            for inner in a.inner_rings(outer):
                hole = _coords(inner)
                if hole is not None:
                    rings.append(lonlat_to_world(hole))
            kind, cls = style
            self.features.append(Feature(kind, cls, tuple(rings), tags.get("name"), _layer(tags)))


def read_extract(pbf_path: str | Path) -> Scene:
    """Read a ``.osm.pbf`` (or any format libosmium reads) into a :class:`Scene`."""
    path = Path(pbf_path)
    if not path.is_file():
        raise FileNotFoundError(f"OSM extract not found: {path}")
    collector = _Collector()
    processor = osmium.FileProcessor(str(path)).with_locations().with_areas()
    for obj in processor:
        if obj.is_area():
            collector.area(obj)
        elif obj.is_way():
            collector.way(obj)
        elif obj.is_node():
            collector.node(obj)
    box = processor.header.box()
    if box.valid():
        bounds = (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)
    else:
        bounds = _data_bounds(collector)
    return Scene(collector.features, collector.addresses, bounds)


def _data_bounds(collector: _Collector) -> tuple[float, float, float, float]:
    from console.mappack.geo import world_to_lonlat

    if not collector.features:
        raise ValueError("the OSM extract contains nothing drawable and has no bounding box")
    pts = np.vstack([f.rings[0] for f in collector.features])
    (minx, miny), (maxx, maxy) = pts.min(axis=0), pts.max(axis=0)
    lon0, lat1 = world_to_lonlat(minx, miny)
    lon1, lat0 = world_to_lonlat(maxx, maxy)
    return (lon0, lat0, lon1, lat1)
