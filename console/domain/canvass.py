"""Neighbourhood canvass area: the doors around an incident, in walking order.

Contents: :class:`CanvassArea` (a circle, default 150 m, or a drawn polygon, evaluated
with shapely in a local metric frame), :func:`addresses_in_area` (the map pack's
addresses inside the area in walking order), :func:`step_radius` (the radius control's
steps). The records made at the doors (outcomes, visits, evidence, progress and their
``canvass`` events) are in :mod:`console.domain.canvass_records` and re-exported here.

Sensitive data stays local: a witness's name and contact are kept in the car's store
and never put in the ``canvass`` event (see :mod:`console.domain.canvass_records`).

The local frame is equirectangular about the incident: over a few hundred metres its
scale error is far below a house's width.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import shapely
from shapely.geometry import Point, Polygon, mapping, shape

from console.domain.canvass_records import (
    CanvassVisit,
    EvidenceItem,
    EvidenceKind,
    HeardShots,
    Outcome,
    Progress,
    Witness,
    evidence_event,
    latest_outcomes,
    mask,
    progress,
    visit_event,
)

if TYPE_CHECKING:
    from console.mappack.extract import Address

__all__ = [
    "DEFAULT_RADIUS_M",
    "RADII_M",
    "CanvassArea",
    "CanvassVisit",
    "EvidenceItem",
    "EvidenceKind",
    "HeardShots",
    "LocalFrame",
    "Outcome",
    "Progress",
    "Witness",
    "address_label",
    "addresses_in_area",
    "evidence_event",
    "latest_outcomes",
    "mask",
    "progress",
    "step_radius",
    "visit_event",
]

DEFAULT_RADIUS_M = 150.0
MIN_RADIUS_M, MAX_RADIUS_M = 25.0, 1000.0
RADII_M = (50.0, 75.0, 100.0, 150.0, 200.0, 250.0, 300.0, 400.0, 500.0)
EARTH_RADIUS_M = 6_371_008.8


def step_radius(area: CanvassArea, direction: int) -> float:
    """The radius one step up (``direction > 0``) or down from ``area``'s, clamped to
    :data:`RADII_M`; a drawn area goes back to the default circle."""
    if area.is_polygon:
        return DEFAULT_RADIUS_M
    now = float(area.radius_m or DEFAULT_RADIUS_M)
    if direction > 0:
        return next((r for r in RADII_M if r > now), RADII_M[-1])
    return next((r for r in reversed(RADII_M) if r < now), RADII_M[0])


@dataclass(frozen=True, slots=True)
class LocalFrame:
    """Equirectangular metres (x east, y north) about ``(lat0, lon0)``."""

    lat0: float
    lon0: float

    def to_xy(self, lat: Any, lon: Any) -> tuple[np.ndarray, np.ndarray]:
        k = math.radians(1.0) * EARTH_RADIUS_M
        x = (np.asarray(lon, dtype=float) - self.lon0) * k * math.cos(math.radians(self.lat0))
        return x, (np.asarray(lat, dtype=float) - self.lat0) * k

    def to_latlon(self, x: float, y: float) -> tuple[float, float]:
        k = math.radians(1.0) * EARTH_RADIUS_M
        return self.lat0 + y / k, self.lon0 + x / (k * math.cos(math.radians(self.lat0)))


@dataclass(frozen=True, slots=True)
class CanvassArea:
    """The canvass area of an incident: a circle about its location or a drawn polygon.

    ``polygon`` holds ``(lat, lon)`` vertices (degrees, not closed); when it is set the
    radius is ignored. Build one with :meth:`circle` or :meth:`drawn`.
    """

    incident_id: str
    center_lat: float
    center_lon: float
    radius_m: float | None = DEFAULT_RADIUS_M
    polygon: tuple[tuple[float, float], ...] | None = None

    @classmethod
    def circle(cls, incident_id: str, lat: float, lon: float, *,
               radius_m: float = DEFAULT_RADIUS_M) -> CanvassArea:
        if not (MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M):
            raise ValueError(f"radius_m must be in [{MIN_RADIUS_M:g}, {MAX_RADIUS_M:g}] m, "
                             f"got {radius_m!r}")
        return cls(incident_id, float(lat), float(lon), float(radius_m), None)

    @classmethod
    def drawn(cls, incident_id: str, lat: float, lon: float,
              points: Sequence[tuple[float, float]]) -> CanvassArea:
        """A polygon through ``points`` (lat, lon); self-crossing outlines are repaired."""
        pts = tuple((float(a), float(b)) for a, b in points)
        if len(pts) > 1 and pts[0] == pts[-1]:
            pts = pts[:-1]
        if len(pts) < 3:
            raise ValueError(f"a canvass polygon needs at least 3 points, got {len(pts)}")
        area = cls(incident_id, float(lat), float(lon), None, pts)
        if area.shape().area < 1.0:
            raise ValueError("the drawn canvass polygon encloses no area")
        return area

    @property
    def frame(self) -> LocalFrame:
        return LocalFrame(self.center_lat, self.center_lon)

    @property
    def is_polygon(self) -> bool:
        return self.polygon is not None

    def shape(self) -> shapely.Geometry:
        """The area in local metres (a circle is a 64-gon here; :meth:`contains` is exact)."""
        if self.polygon is None:
            return Point(0.0, 0.0).buffer(float(self.radius_m or 0.0), quad_segs=16)
        x, y = self.frame.to_xy([p[0] for p in self.polygon], [p[1] for p in self.polygon])
        poly = Polygon(np.column_stack((x, y)))
        return poly if poly.is_valid else shapely.make_valid(poly)

    def contains(self, lat: Any, lon: Any) -> np.ndarray:
        """Boolean array: which of the points (degrees) lie inside the area (edge included)."""
        x, y = self.frame.to_xy(lat, lon)
        if self.polygon is None:
            return np.hypot(x, y) <= float(self.radius_m or 0.0)
        geom = self.shape()
        return shapely.contains_xy(geom, x, y) | shapely.intersects_xy(geom.boundary, x, y)

    def bbox(self) -> tuple[float, float, float, float]:
        """``(minlon, minlat, maxlon, maxlat)`` enclosing the area, degrees."""
        if self.polygon is None:
            r = float(self.radius_m or 0.0)
            x0, y0, x1, y1 = -r, -r, r, r
        else:
            x0, y0, x1, y1 = self.shape().bounds
        s, w = self.frame.to_latlon(x0, y0)
        n, e = self.frame.to_latlon(x1, y1)
        return (w, s, e, n)

    def outline(self) -> list[tuple[float, float]]:
        """The boundary as ``(lat, lon)`` points for drawing (a circle as a 64-gon)."""
        geom = self.shape()
        ring = geom.exterior if isinstance(geom, Polygon) else geom.convex_hull.exterior
        return [self.frame.to_latlon(x, y) for x, y in ring.coords]

    def polygon_geojson(self) -> str | None:
        """The drawn polygon as GeoJSON text (lon/lat order), None for a circle."""
        if self.polygon is None:
            return None
        ring = [(lon, lat) for lat, lon in self.polygon]
        return json.dumps(mapping(Polygon(ring)))

    @classmethod
    def from_stored(cls, incident_id: str, lat: float, lon: float, radius_m: float | None,
                    polygon_geojson: str | None) -> CanvassArea:
        """Rebuild an area from its stored columns."""
        if polygon_geojson:
            ring = shape(json.loads(polygon_geojson)).exterior.coords
            return cls(incident_id, lat, lon, None, tuple((b, a) for a, b in ring)[:-1])
        return cls(incident_id, lat, lon, radius_m if radius_m is not None else DEFAULT_RADIUS_M)


class _AddressSource(Protocol):
    def addresses(self, bbox: tuple[float, float, float, float] | None = None) -> list[Address]:
        ...


_NUMBER = re.compile(r"\s*(\d*)\s*(.*)")


def _house_key(number: str) -> tuple[int, str]:
    digits, rest = _NUMBER.match(number).groups()  # type: ignore[union-attr]
    return (int(digits) if digits else 1 << 30, rest.strip().casefold())


def addresses_in_area(pack: _AddressSource, area: CanvassArea) -> list[Address]:
    """Addresses of ``pack`` inside ``area``, in walking order.

    Streets are walked nearest first (by their closest door to the incident); along a
    street the doors go by house number, odd side then even side, then by name (several
    businesses can share one number). The order depends only on the data, so every unit
    gets the same list.
    """
    candidates = pack.addresses(area.bbox())
    if not candidates:
        return []
    inside = area.contains([a.lat for a in candidates], [a.lon for a in candidates])
    chosen = [a for a, ok in zip(candidates, inside, strict=True) if ok]
    if not chosen:
        return []
    x, y = area.frame.to_xy([a.lat for a in chosen], [a.lon for a in chosen])
    dist = np.hypot(x, y)
    street_dist: dict[str, float] = {}
    for a, d in zip(chosen, dist, strict=True):
        street_dist[a.street] = min(street_dist.get(a.street, math.inf), float(d))

    def key(a: Address) -> tuple[Any, ...]:
        number = _house_key(a.housenumber)
        return (round(street_dist[a.street], 1), a.street, number[0] % 2 == 0, number,
                a.name or "", a.id)

    return sorted(chosen, key=key)


def address_label(address: Address) -> str:
    """``"Aleksanterinkatu 11"``, with a business name when the pack has one."""
    text = f"{address.street} {address.housenumber}"
    return f"{text} ({address.name})" if address.name else text
