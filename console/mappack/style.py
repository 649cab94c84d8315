"""The map-pack look: which OSM tags become which features, their colours and widths.

A light, low-contrast street map meant to sit under brightly coloured alert markers. The
night theme is produced in the page by a CSS filter over the same tiles.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "BACKGROUND",
    "AREA_FILL",
    "AREA_MIN_ZOOM",
    "classify_area",
    "classify_line",
    "line_style",
    "LABEL_CLASSES",
]

BACKGROUND = (244, 241, 234)

# kind/cls -> fill, outline (None: no outline)
AREA_FILL: dict[str, tuple[tuple[int, int, int], tuple[int, int, int] | None]] = {
    "landuse": ((236, 232, 224), None),
    "plaza": ((250, 249, 246), (214, 208, 198)),
    "green": ((205, 232, 190), None),
    "pitch": ((186, 222, 170), (160, 200, 145)),
    "scrub": ((214, 230, 196), None),
    "water": ((170, 211, 240), None),
    "building": ((220, 211, 202), (196, 184, 171)),
}
AREA_MIN_ZOOM = {"landuse": 12, "plaza": 14, "green": 12, "water": 12, "building": 14}

_GREEN = {
    "leisure": {"park", "garden", "playground", "dog_park", "nature_reserve", "common"},
    "landuse": {"grass", "meadow", "forest", "recreation_ground", "village_green", "cemetery"},
    "natural": {"wood", "heath", "wetland", "grassland"},
}
_LANDUSE = {
    "residential",
    "commercial",
    "retail",
    "civil",
    "railway",
    "construction",
    "military",
    "industrial",
}

_ROAD_CLASS = {
    "motorway": "primary",
    "trunk": "primary",
    "primary": "primary",
    "secondary": "secondary",
    "tertiary": "tertiary",
    "residential": "minor",
    "unclassified": "minor",
    "living_street": "minor",
    "road": "minor",
    "pedestrian": "pedestrian",
    "service": "service",
    "footway": "path",
    "path": "path",
    "cycleway": "cycle",
    "steps": "steps",
    "bridleway": "path",
    "track": "path",
    "trail": "path",
    "corridor": "path",
}
_RAIL = {"rail": "rail", "light_rail": "rail", "narrow_gauge": "rail", "tram": "tram"}

# class -> (fill, casing, widths in px at zoom 12..18; 0 = not drawn)
_LINES: dict[str, tuple[tuple[int, int, int], tuple[int, int, int] | None, tuple[float, ...]]] = {
    "primary": ((252, 214, 138), (196, 150, 70), (2.0, 3.0, 4.0, 6.0, 9.0, 14.0, 22.0)),
    "secondary": ((247, 240, 170), (180, 170, 100), (1.5, 2.5, 3.5, 5.5, 8.0, 13.0, 20.0)),
    "tertiary": ((255, 255, 255), (176, 166, 152), (1.0, 1.5, 2.5, 4.5, 7.0, 11.0, 18.0)),
    "minor": ((255, 255, 255), (190, 180, 166), (0.0, 1.0, 1.5, 3.0, 5.5, 9.0, 15.0)),
    "pedestrian": ((238, 236, 232), (190, 182, 172), (0.0, 0.0, 1.5, 3.0, 5.0, 8.0, 13.0)),
    "service": ((255, 255, 255), (196, 188, 176), (0.0, 0.0, 1.0, 1.5, 3.0, 5.0, 8.0)),
    "path": ((214, 170, 150), None, (0.0, 0.0, 0.0, 0.8, 1.2, 1.8, 2.5)),
    "cycle": ((120, 160, 220), None, (0.0, 0.0, 0.0, 0.8, 1.2, 1.8, 2.5)),
    "steps": ((206, 120, 100), None, (0.0, 0.0, 0.0, 0.0, 1.5, 2.2, 3.0)),
    "rail": ((140, 140, 140), None, (1.0, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0)),
    "tram": ((150, 130, 170), None, (0.0, 0.0, 0.8, 1.0, 1.2, 1.5, 2.0)),
    "waterway": ((150, 196, 232), None, (0.0, 0.0, 1.0, 1.5, 2.0, 3.0, 4.0)),
}
# Drawing order, bottom to top.
LINE_ORDER = [
    "waterway",
    "path",
    "cycle",
    "steps",
    "service",
    "pedestrian",
    "minor",
    "tertiary",
    "secondary",
    "primary",
    "rail",
    "tram",
]
LABEL_CLASSES = {
    "primary": 16,
    "secondary": 16,
    "tertiary": 16,
    "minor": 16,
    "pedestrian": 16,
    "service": 18,
    "path": 17,
    "cycle": 17,
    "steps": 18,
}


def classify_line(tags: Mapping[str, str]) -> tuple[str, str] | None:
    """``(kind, cls)`` for a way drawn as a line, or ``None``."""
    if tags.get("tunnel") in {"yes", "culvert", "building_passage"} or tags.get("area") == "yes":
        return None
    highway = tags.get("highway")
    if highway is not None:
        base = highway.removesuffix("_link")
        cls = _ROAD_CLASS.get(base)
        return ("road", cls) if cls else None
    railway = tags.get("railway")
    if railway in _RAIL:
        return "rail", _RAIL[railway]
    if tags.get("waterway") in {"river", "stream", "canal", "drain", "ditch"}:
        return "waterway", "waterway"
    return None


def classify_area(tags: Mapping[str, str]) -> tuple[str, str] | None:
    """``(kind, cls)`` for an area, or ``None`` when it is not drawn as a polygon."""
    if tags.get("building", "no") != "no" or "building:part" in tags:
        return "building", "building"
    if (
        tags.get("natural") == "water"
        or "water" in tags
        or tags.get("landuse") in {"basin", "reservoir", "pond"}
        or tags.get("waterway") == "riverbank"
    ):
        return "water", "water"
    if tags.get("leisure") == "pitch":
        return "green", "pitch"
    if tags.get("natural") == "scrub":
        return "green", "scrub"
    for key, values in _GREEN.items():
        if tags.get(key) in values:
            return "green", "green"
    if (
        tags.get("place") == "square"
        or (tags.get("highway") == "pedestrian" and tags.get("area") == "yes")
        or tags.get("amenity") == "parking"
    ):
        return "plaza", "plaza"
    if tags.get("landuse") in _LANDUSE:
        return "landuse", "landuse"
    return None


def line_style(
    cls: str, zoom: int
) -> tuple[tuple[int, int, int], tuple[int, int, int] | None, float]:
    """Fill colour, casing colour (or ``None``) and width in 1x pixels at ``zoom``."""
    fill, casing, widths = _LINES[cls]
    z = min(max(zoom, 12), 18)
    width = widths[z - 12] * (2.0 ** max(zoom - 18, 0))
    return fill, (casing if zoom >= 14 else None), width
