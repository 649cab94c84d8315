"""Offline map packs: build MBTiles street maps from OpenStreetMap extracts and read them.

Qt-free: safe to use from worker processes and the command line.
"""

from __future__ import annotations

from console.mappack.builder import ATTRIBUTION, BuildStats, build_mappack
from console.mappack.extract import Address
from console.mappack.mbtiles import MapPack, MapPackError, read_addresses

__all__ = [
    "ATTRIBUTION",
    "Address",
    "BuildStats",
    "MapPack",
    "MapPackError",
    "build_mappack",
    "read_addresses",
]
