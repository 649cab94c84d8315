"""Street-name placement, done once per zoom level for the whole pack.

Labels are placed in world pixel space, so a name that straddles a tile edge is drawn
identically (each tile draws its share) and names never collide across tiles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import ImageFont

from console.mappack.extract import Feature
from console.mappack.style import LABEL_CLASSES

__all__ = ["Label", "load_font", "place_labels", "font_size"]

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_MAX_BEND_DEG = 18.0
_REPEAT_PX = 3.0  # same name again only this many label lengths away


@dataclass(frozen=True, slots=True)
class Label:
    """A street name centred at world pixel ``(cx, cy)``, rotated by ``angle`` degrees CCW."""

    text: str
    cx: float
    cy: float
    angle: float
    half_extent: float  # half of the rotated label's bounding square, px


@cache
def load_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans when installed (readable at small sizes), else Pillow's scalable default."""
    if _DEJAVU.is_file():
        return ImageFont.truetype(str(_DEJAVU), size)
    return ImageFont.load_default(size=size)


def font_size(zoom: int, scale: int) -> int:
    """Label font size in canvas pixels."""
    return (11 if zoom <= 16 else 12) * scale


def _runs(pts: np.ndarray) -> list[tuple[float, np.ndarray, np.ndarray]]:
    """Nearly straight stretches of a polyline as ``(length, start, end)``."""
    seg = np.diff(pts, axis=0)
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    keep = lengths > 1e-9
    seg, lengths, starts = seg[keep], lengths[keep], pts[:-1][keep]
    if len(seg) == 0:
        return []
    heading = np.degrees(np.arctan2(seg[:, 1], seg[:, 0]))
    runs = []
    begin = 0
    for i in range(1, len(seg) + 1):
        bend = 180.0 if i == len(seg) else abs((heading[i] - heading[begin] + 180) % 360 - 180)
        if bend > _MAX_BEND_DEG:
            end = starts[i] if i < len(seg) else starts[-1] + seg[-1]
            runs.append((float(lengths[begin:i].sum()), starts[begin], end))
            begin = i
    return runs


def place_labels(features: list[Feature], zoom: int, scale: int) -> list[Label]:
    """Non-overlapping road-name labels for ``zoom``; coordinates in canvas pixels."""
    world_px = 256 * (2**zoom) * scale
    font = load_font(font_size(zoom, scale))
    order = {cls: i for i, cls in enumerate(LABEL_CLASSES)}
    named = [
        f for f in features if f.kind == "road" and f.name and zoom >= LABEL_CLASSES.get(f.cls, 99)
    ]
    named.sort(key=lambda f: order[f.cls])
    placed: list[Label] = []
    boxes: list[tuple[float, float, float, float]] = []
    for feature in named:
        width = font.getlength(feature.name)
        height = font.size * 1.3
        candidates = sorted(_runs(feature.rings[0] * world_px), key=lambda r: -r[0])
        for length, start, end in candidates:
            if length < width + 6 * scale:
                break
            mid = (start + end) / 2.0
            dx, dy = end - start
            if dx < 0:  # keep text left-to-right
                dx, dy = -dx, -dy
            angle = -math.degrees(math.atan2(dy, dx))
            box = _text_box(mid, width, height, angle)
            if _collides(box, boxes) or _repeats(feature.name, mid, width, placed):
                continue
            half = 0.5 * math.hypot(width, height)
            placed.append(Label(feature.name, float(mid[0]), float(mid[1]), angle, half))
            boxes.append(box)
    return placed


Box = tuple[float, float, float, float]


def _text_box(mid: np.ndarray, width: float, height: float, angle: float) -> Box:
    """Axis-aligned box of the rotated text rectangle centred on ``mid``."""
    a = math.radians(angle)
    hx = 0.5 * (abs(width * math.cos(a)) + abs(height * math.sin(a)))
    hy = 0.5 * (abs(width * math.sin(a)) + abs(height * math.cos(a)))
    return (mid[0] - hx, mid[1] - hy, mid[0] + hx, mid[1] + hy)


def _collides(box: Box, boxes: list[Box]) -> bool:
    return any(box[0] < b[2] and box[2] > b[0] and box[1] < b[3] and box[3] > b[1] for b in boxes)


def _repeats(name: str, mid: np.ndarray, width: float, placed: list[Label]) -> bool:
    limit = _REPEAT_PX * width
    return any(
        lab.text == name and math.hypot(lab.cx - mid[0], lab.cy - mid[1]) < limit for lab in placed
    )
