"""Related and prior incidents: which alerts lie near an incident in space and time.

Related: within 200 m and 10 minutes of the incident (offered to link). Prior: within
500 m in the 90 days before it (listed for officer safety).
"""

from __future__ import annotations

import math
from datetime import timedelta

from console.domain.alert import Alert

__all__ = ["PRIOR_DAYS", "PRIOR_RADIUS_M", "RELATED_RADIUS_M", "RELATED_WINDOW", "bounding_box",
           "distance_m", "is_prior", "is_related"]

RELATED_RADIUS_M = 200.0
RELATED_WINDOW = timedelta(minutes=10)
PRIOR_RADIUS_M = 500.0
PRIOR_DAYS = 90
_EARTH_M = 6_371_008.8


def distance_m(a: Alert, b: Alert) -> float:
    """Great-circle distance between two alerts' locations, metres."""
    la1, la2 = math.radians(a.location.lat), math.radians(b.location.lat)
    dla = la2 - la1
    dlo = math.radians(b.location.lon - a.location.lon)
    h = math.sin(dla / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(dlo / 2) ** 2
    return 2 * _EARTH_M * math.asin(min(1.0, math.sqrt(h)))


def is_related(incident: Alert, other: Alert, *, radius_m: float = RELATED_RADIUS_M,
               window: timedelta = RELATED_WINDOW) -> bool:
    """``other`` is a different alert within ``radius_m`` and ``window`` of ``incident``."""
    return (other.id != incident.id and abs(other.time - incident.time) <= window
            and distance_m(incident, other) <= radius_m)


def is_prior(incident: Alert, other: Alert, *, radius_m: float = PRIOR_RADIUS_M,
             days: int = PRIOR_DAYS) -> bool:
    """``other`` happened within ``days`` before ``incident`` and ``radius_m`` of it.

    Alerts close enough in time to be related are not prior incidents.
    """
    before = incident.time - other.time
    return (other.id != incident.id and RELATED_WINDOW < before <= timedelta(days=days)
            and distance_m(incident, other) <= radius_m)


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing a circle; for a coarse SQL filter."""
    dlat = math.degrees(radius_m / _EARTH_M)
    dlon = math.degrees(radius_m / (_EARTH_M * max(0.01, math.cos(math.radians(lat)))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
