"""Images for the incident report, painted with QtGui (no widgets, no network).

:func:`map_snapshot` draws the offline map pack's tiles around the incident with its
location, 90 % uncertainty circle and evidence; :func:`waveform_image` draws a clip's
min/max envelope. Both work off the GUI thread (QImage + QPainter).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPen

from console.mappack.geo import TILE_SIZE, lonlat_to_world
from console.mappack.mbtiles import MapPack, MapPackError
from console.reports.model import MapSnapshotSpec, Waveform

__all__ = ["choose_zoom", "map_snapshot", "metres_per_pixel", "waveform_image"]

_EARTH_M = 40_075_016.686  # equator length, m


def metres_per_pixel(lat: float, zoom: int) -> float:
    return _EARTH_M * math.cos(math.radians(lat)) / (TILE_SIZE * 2**zoom)


def choose_zoom(lat: float, radius_m: float, size_px: int, lo: int, hi: int) -> int:
    """Deepest zoom in ``[lo, hi]`` where a ``radius_m`` circle spans at most 35 % of the image."""
    for z in range(hi, lo - 1, -1):
        if radius_m / metres_per_pixel(lat, z) <= 0.35 * size_px:
            return z
    return lo


def _world_px(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    x, y = lonlat_to_world(np.array([[lon, lat]]))[0]
    scale = TILE_SIZE * 2**zoom
    return float(x * scale), float(y * scale)


def map_snapshot(spec: MapSnapshotSpec, pack_path: str | Path | None, *,
                 width: int = 1400, height: int = 800) -> tuple[QImage, str]:
    """The map image and a one-line note (which pack, or why the map is blank)."""
    img = QImage(width, height, QImage.Format.Format_RGB32)
    img.fill(QColor("#e8e4dc"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    note = "no map pack"
    zoom = 17
    try:
        if pack_path is None:
            raise MapPackError("no map pack configured")
        with MapPack(pack_path) as pack:
            radius = max(spec.uncertainty_m, spec.canvass_radius_m or 0.0, 30.0)
            zoom = choose_zoom(spec.lat, radius, min(width, height), pack.min_zoom,
                               min(pack.max_zoom, 19))
            drawn = _draw_tiles(p, pack, spec, zoom, width, height)
            note = (f"map pack {Path(pack_path).name}, zoom {zoom}" if drawn
                    else "the incident lies outside the map pack: no tiles to draw")
    except MapPackError as exc:
        note = f"map pack unavailable: {exc}"
    _draw_overlay(p, spec, zoom, width, height)
    p.setPen(QColor("#333"))
    p.setFont(QFont("DejaVu Sans", 14))
    p.drawText(QRectF(8, height - 30, width - 16, 24), Qt.AlignmentFlag.AlignRight,
               "© OpenStreetMap contributors")
    p.end()
    return img, note


def _draw_tiles(p: QPainter, pack: MapPack, spec: MapSnapshotSpec, zoom: int,
                width: int, height: int) -> int:
    cx, cy = _world_px(spec.lat, spec.lon, zoom)
    left, top = cx - width / 2, cy - height / 2
    n = 2**zoom
    drawn = 0
    for tx in range(int(left // TILE_SIZE), int((left + width) // TILE_SIZE) + 1):
        for ty in range(int(top // TILE_SIZE), int((top + height) // TILE_SIZE) + 1):
            if not (0 <= tx < n and 0 <= ty < n):
                continue
            data = pack.tile(zoom, tx, ty)
            tile = QImage.fromData(data) if data else QImage()
            if tile.isNull():
                continue
            p.drawImage(QPointF(tx * TILE_SIZE - left, ty * TILE_SIZE - top), tile)
            drawn += 1
    return drawn


def _draw_overlay(p: QPainter, spec: MapSnapshotSpec, zoom: int, width: int,
                  height: int) -> None:
    cx, cy = _world_px(spec.lat, spec.lon, zoom)
    mpp = metres_per_pixel(spec.lat, zoom)
    centre = QPointF(width / 2, height / 2)
    if spec.canvass_radius_m:
        r = spec.canvass_radius_m / mpp
        p.setPen(QPen(QColor("#2a9d8f"), 3, Qt.PenStyle.DashLine))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(centre, r, r)
    r = max(spec.uncertainty_m / mpp, 4.0)
    p.setPen(QPen(QColor("#c1121f"), 3))
    p.setBrush(QBrush(QColor(193, 18, 31, 50)))
    p.drawEllipse(centre, r, r)
    p.setBrush(QColor("#c1121f"))
    p.drawEllipse(centre, 9, 9)
    p.setPen(QPen(QColor("#1d3557"), 2))
    p.setBrush(QColor("#ffb703"))
    for lat, lon in spec.evidence:
        x, y = _world_px(lat, lon, zoom)
        p.drawRect(QRectF(x - cx + width / 2 - 7, y - cy + height / 2 - 7, 14, 14))


def waveform_image(wave: Waveform, *, width: int = 1400, height: int = 260) -> QImage:
    """The clip's envelope as a filled trace with a seconds axis."""
    img = QImage(width, height, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    axis_h = 26
    plot_h = height - axis_h
    mid = plot_h / 2
    peak = float(max(np.max(np.abs(wave.lows)), np.max(np.abs(wave.highs)), 1e-9))
    n = len(wave.lows)
    p.setPen(QPen(QColor("#1d3557"), 1))
    for i in range(n):
        x = i * (width - 1) / max(n - 1, 1)
        y0 = mid - float(wave.highs[i]) / peak * (mid - 4)
        y1 = mid - float(wave.lows[i]) / peak * (mid - 4)
        p.drawLine(QPointF(x, y0), QPointF(x, max(y1, y0 + 1)))
    p.setPen(QColor("#888"))
    p.drawLine(0, plot_h, width, plot_h)
    p.setFont(QFont("DejaVu Sans", 12))
    step = _tick_step(wave.seconds)
    t = 0.0
    while t <= wave.seconds + 1e-9 and wave.seconds > 0:
        x = t / wave.seconds * (width - 1)
        p.drawLine(QPointF(x, plot_h), QPointF(x, plot_h + 5))
        p.drawText(QPointF(min(x + 3, width - 40), height - 6), f"{t:g} s")
        t += step
    p.end()
    return img


def _tick_step(seconds: float) -> float:
    for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300):
        if seconds / step <= 10:
            return float(step)
    return 600.0
