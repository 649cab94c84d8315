"""Web Mercator helpers shared by the map-pack builder and reader.

World coordinates are normalised to ``0..1`` on both axes (x east, y south), so a point at
zoom ``z`` lies at pixel ``world * 256 * 2**z``. Tiles use the XYZ (slippy map) numbering;
MBTiles stores rows in TMS order, see :func:`tms_row`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

__all__ = [
    "TILE_SIZE",
    "lonlat_to_world",
    "world_to_lonlat",
    "tile_range",
    "tms_row",
]

TILE_SIZE = 256
_MAX_LAT = 85.0511287798


def lonlat_to_world(lonlat: np.ndarray) -> np.ndarray:
    """Project ``(n, 2)`` lon/lat degrees to normalised Web Mercator ``(n, 2)``."""
    lonlat = np.asarray(lonlat, dtype=float)
    lat = np.radians(np.clip(lonlat[:, 1], -_MAX_LAT, _MAX_LAT))
    x = (lonlat[:, 0] + 180.0) / 360.0
    y = (1.0 - np.arcsinh(np.tan(lat)) / math.pi) / 2.0
    return np.column_stack((x, y))


def world_to_lonlat(x: float, y: float) -> tuple[float, float]:
    """Inverse of :func:`lonlat_to_world` for one point, degrees."""
    lon = x * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y))))
    return lon, lat


def tile_range(bounds: tuple[float, float, float, float], zoom: int) -> Iterator[tuple[int, int]]:
    """XYZ ``(x, y)`` of every tile at ``zoom`` touching ``bounds`` (minlon, minlat, maxlon, maxlat)."""
    corners = lonlat_to_world(np.array([[bounds[0], bounds[3]], [bounds[2], bounds[1]]]))
    n = 2**zoom
    x0, y0 = (np.floor(corners[0] * n)).astype(int)
    x1, y1 = (np.floor(corners[1] * n)).astype(int)
    for x in range(max(x0, 0), min(x1, n - 1) + 1):
        for y in range(max(y0, 0), min(y1, n - 1) + 1):
            yield x, y


def tms_row(zoom: int, y: int) -> int:
    """MBTiles (TMS) row for XYZ row ``y``; the mapping is its own inverse."""
    return (1 << zoom) - 1 - y
