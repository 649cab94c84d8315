"""Where a file's alerts are: inferred from its first rows when no area is configured.

An inferred area serves only to recognise swapped coordinates (a DC row with latitude -77.0
and longitude 38.9 is a valid point in Antarctica, but not when every other row is in DC);
rows outside it are never flagged — that needs a configured area."""

from __future__ import annotations

import csv
import io
import statistics

from console.importer.headers import Layout
from console.importer.options import PRESETS, BBox
from console.importer.values import ValueProblem, parse_location, parse_number

MIN_POINTS = 5
SPAN = 1.0  # degrees either side of the median: a city and its suburbs
AGREE = 0.8


def sample_points(sample: str, delimiter: str, layout: Layout) -> list[tuple[float, float]]:
    """(lat, lon) of the complete rows in ``sample`` after the header."""
    try:
        rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
    except csv.Error:
        return []  # the row stream reports it where it happens
    if sample and not sample.endswith(("\n", "\r")):
        rows = rows[:-1]  # cut off mid-row
    header = list(layout.headers)
    start = next((i + 1 for i, r in enumerate(rows) if r == header), len(rows))
    cols = layout.columns
    points: list[tuple[float, float]] = []
    for row in rows[start:]:
        def cell(name: str, row: list[str] = row) -> str:
            i = cols.get(name)
            return row[i] if i is not None and i < len(row) else ""
        try:
            lat, lon = parse_number(cell("latitude")), parse_number(cell("longitude"))
        except ValueProblem:
            continue
        if lat is None or lon is None:
            loc = parse_location(cell("location"))
            if loc is None:
                continue
            lat, lon = loc
        if (lat, lon) != (0, 0) and abs(lat) <= 90 and abs(lon) <= 180:
            points.append((lat, lon))
    return points


def infer_area(points: list[tuple[float, float]]) -> BBox | None:
    """A box around the median point when most points agree on it, else None."""
    if len(points) < MIN_POINTS:
        return None
    mlat = statistics.median(p[0] for p in points)
    mlon = statistics.median(p[1] for p in points)
    box = BBox(mlat - SPAN, mlon - SPAN, mlat + SPAN, mlon + SPAN)
    if box.contains(mlon, mlat):  # near the lat = lon diagonal: a swap would not show
        return None
    inside = sum(box.contains(lat, lon) for lat, lon in points)
    return box if inside >= AGREE * len(points) else None


def suggest_preset(points: list[tuple[float, float]]) -> str | None:
    """The city preset whose area holds most of the points (either way round)."""
    best, best_n = None, 0
    for name, opts in PRESETS.items():
        box = opts.bbox
        if box is None:
            continue
        n = sum(box.contains(a, b) or box.contains(b, a) for a, b in points)
        if n > best_n:
            best, best_n = name, n
    return best if points and best_n >= AGREE * len(points) else None
