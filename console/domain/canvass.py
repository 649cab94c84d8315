"""Neighbourhood canvass rules: the area around an incident, its doors, visits and evidence.

Contents: :class:`CanvassArea` (a circle, default 150 m, or a drawn polygon, evaluated
with shapely in a local metric frame), :func:`addresses_in_area` (the map pack's
addresses inside the area in walking order), the visit :class:`Outcome` values,
:class:`CanvassVisit`, :class:`EvidenceItem`, :class:`Progress` and the conversion of a
visit or an evidence item into a ``canvass`` :class:`~console.domain.events.UnitEvent`.

Sensitive data stays local. A witness's name and contact (:class:`Witness`) are kept in
the car's store only: the ``canvass`` event sent to the feed says *that* a witness was
recorded (``witness: true``) and nothing about who. The feed relays events to every unit
on the incident and keeps them on a server the department does not run for personal
data, so the investigator gets the contact from the officer's record, not from the
feed. :class:`Witness` never shows its values in ``repr`` or ``str``, so a log line or a
traceback that includes a visit cannot leak them either.

The local frame is equirectangular about the incident: over a few hundred metres its
scale error is far below a house's width.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import shapely
from shapely.geometry import Point, Polygon, mapping, shape

from console.domain._checks import format_time
from console.domain.events import EventKind, UnitEvent, parse_event

if TYPE_CHECKING:
    from console.mappack.extract import Address

__all__ = [
    "DEFAULT_RADIUS_M",
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
    "visit_event",
]

DEFAULT_RADIUS_M = 150.0
MIN_RADIUS_M, MAX_RADIUS_M = 25.0, 1000.0
EARTH_RADIUS_M = 6_371_008.8


class Outcome(StrEnum):
    """What happened at a door; the order is the order of the buttons."""

    NO_ANSWER = "no_answer"
    CONTACTED_NO_INFO = "contacted_no_info"
    HEARD_SHOTS = "heard_shots"
    SAW_SOMETHING = "saw_something"
    CAMERA_AVAILABLE = "camera_available"
    EVIDENCE_FOUND = "evidence_found"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    Outcome.NO_ANSWER: "No answer",
    Outcome.CONTACTED_NO_INFO: "Contacted – no info",
    Outcome.HEARD_SHOTS: "Heard shots",
    Outcome.SAW_SOMETHING: "Saw something",
    Outcome.CAMERA_AVAILABLE: "Camera available",
    Outcome.EVIDENCE_FOUND: "Evidence found",
    Outcome.REFUSED: "Refused",
}


class EvidenceKind(StrEnum):
    CASINGS = "casings"
    WEAPON = "weapon"
    DAMAGE = "damage"
    BLOOD = "blood"
    OTHER = "other"


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


def mask(text: str | None) -> str:
    """Masked form of a sensitive value for display: first letter of each word, then dots."""
    if not text:
        return ""
    return " ".join(w[0] + "•" * min(len(w) - 1, 6) for w in text.split())


@dataclass(frozen=True, slots=True)
class Witness:
    """A witness's name and contact: sensitive, stored locally only, never logged."""

    name: str | None = field(default=None, repr=False)
    contact: str | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return bool(self.name or self.contact)

    def __repr__(self) -> str:
        return "Witness(<sensitive>)" if self else "Witness()"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class HeardShots:
    """What a resident heard: free time text (``"about 02:10"``), count and direction."""

    time: str | None = None
    count: int | None = None
    direction: str | None = None

    def __post_init__(self) -> None:
        if self.count is not None and not (0 <= self.count <= 1000):
            raise ValueError(f"heard count must be in [0, 1000], got {self.count!r}")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CanvassVisit:
    """One knock at one door; ``visit_id`` is also the id of the event sent for it."""

    incident_id: str
    address_key: str
    outcome: Outcome
    unit: str
    at: datetime = field(default_factory=_now)
    heard: HeardShots | None = None
    note: str | None = None
    witness: Witness = field(default_factory=Witness)
    visit_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcome", Outcome(self.outcome))
        if self.at.tzinfo is None:
            raise ValueError(f"visit time must be timezone-aware, got {self.at!r}")


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """A piece of evidence pinned on the map (``count`` for casings)."""

    incident_id: str
    kind: EvidenceKind
    lat: float
    lon: float
    unit: str
    count: int | None = None
    note: str | None = None
    at: datetime = field(default_factory=_now)
    item_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", EvidenceKind(self.kind))
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValueError(f"evidence position out of range: {self.lat!r}, {self.lon!r}")
        if self.count is not None and not (1 <= self.count <= 10_000):
            raise ValueError(f"evidence count must be in [1, 10000], got {self.count!r}")


@dataclass(frozen=True, slots=True)
class Progress:
    visited: int
    total: int

    @property
    def text(self) -> str:
        return f"{self.visited} / {self.total}"


def latest_outcomes(visits: Iterable[CanvassVisit]) -> dict[str, Outcome]:
    """The newest outcome per address key (a revisit replaces an earlier ``no_answer``)."""
    out: dict[str, tuple[datetime, Outcome]] = {}
    for v in visits:
        if v.address_key not in out or v.at >= out[v.address_key][0]:
            out[v.address_key] = (v.at, v.outcome)
    return {k: o for k, (_, o) in out.items()}


def progress(address_keys: Iterable[str], visits: Iterable[CanvassVisit]) -> Progress:
    """Doors of the area visited at least once, out of all doors of the area."""
    keys = set(address_keys)
    done = {v.address_key for v in visits} & keys
    return Progress(len(done), len(keys))


def _event(event_id: str, incident_id: str, at: datetime, unit: str,
           data: Mapping[str, Any]) -> UnitEvent:
    clean = {k: v for k, v in data.items() if v is not None}
    return parse_event({"event_id": event_id, "incident_id": incident_id,
                        "kind": str(EventKind.CANVASS), "at": format_time(at),
                        "unit": unit, "data": clean})


def visit_event(visit: CanvassVisit, address: str | None = None) -> UnitEvent:
    """The ``canvass`` event for a visit: outcome and details, never the witness's identity."""
    heard = visit.heard or HeardShots()
    return _event(visit.visit_id, visit.incident_id, visit.at, visit.unit, {
        "record": "visit", "address_key": visit.address_key, "address": address,
        "result": str(visit.outcome), "heard_time": heard.time, "heard_count": heard.count,
        "heard_direction": heard.direction, "note": visit.note, "witness": bool(visit.witness),
    })


def evidence_event(item: EvidenceItem) -> UnitEvent:
    """The ``canvass`` event for an evidence item pinned on the map."""
    return _event(item.item_id, item.incident_id, item.at, item.unit, {
        "record": "evidence", "evidence": str(item.kind), "count": item.count,
        "lat": round(item.lat, 7), "lon": round(item.lon, 7), "note": item.note,
    })
