"""Draw one 256 px map tile with Pillow.

Tiles are drawn at twice the size and shrunk, which gives anti-aliased lines and text
(Pillow's own drawing is not anti-aliased).
"""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw

from console.mappack.extract import Feature, Scene
from console.mappack.labels import Label, font_size, load_font
from console.mappack.style import AREA_FILL, AREA_MIN_ZOOM, BACKGROUND, LINE_ORDER, line_style

__all__ = ["SCALE", "render_tile"]

SCALE = 2
_CANVAS = 256 * SCALE
_MARGIN_PX = 48 * SCALE  # wide strokes and labels reaching in from neighbouring tiles
_AREA_ORDER = ("landuse", "plaza", "green", "water", "building")
_LABEL_INK = (52, 52, 52)
_LABEL_HALO = (255, 255, 255)


def render_tile(scene: Scene, labels: list[Label], z: int, x: int, y: int) -> bytes | None:
    """PNG bytes of XYZ tile ``z/x/y``, or ``None`` when no feature touches it."""
    world_px = 256 * (2**z) * SCALE
    origin = np.array([x * _CANVAS, y * _CANVAS], dtype=float)
    pad = _MARGIN_PX / world_px
    n = 2.0**z
    features = scene.query(x / n - pad, y / n - pad, (x + 1) / n + pad, (y + 1) / n + pad)
    if not features:
        return None
    img = Image.new("RGB", (_CANVAS, _CANVAS), BACKGROUND)
    draw = ImageDraw.Draw(img)

    def px(ring: np.ndarray) -> list[float]:
        return (ring * world_px - origin).ravel().tolist()

    _draw_areas(img, draw, features, z, px)
    _draw_lines(draw, features, z, px)
    _draw_labels(img, labels, z, origin)
    out = img.resize((256, 256), Image.Resampling.LANCZOS)
    out = out.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    out.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _draw_areas(img: Image.Image, draw: ImageDraw.ImageDraw, features: list[Feature], z, px):
    for kind in _AREA_ORDER:
        if z < AREA_MIN_ZOOM[kind]:
            continue
        for f in features:
            if f.kind != kind or len(f.rings[0]) < 3:
                continue
            fill, outline = AREA_FILL[f.cls]
            outline = outline if z >= 15 else None
            width = SCALE if z >= 16 else 1
            if len(f.rings) == 1:
                draw.polygon(px(f.rings[0]), fill=fill, outline=outline, width=width)
                continue
            mask = Image.new("L", img.size, 0)
            mdraw = ImageDraw.Draw(mask)
            mdraw.polygon(px(f.rings[0]), fill=255)
            for hole in f.rings[1:]:
                mdraw.polygon(px(hole), fill=0)
            img.paste(fill, mask=mask)
            if outline is not None:
                for ring in f.rings:
                    draw.line(px(ring), fill=outline, width=width)


def _stroke(draw: ImageDraw.ImageDraw, coords: list[float], colour, width: float) -> None:
    w = max(1, round(width))
    draw.line(coords, fill=colour, width=w, joint="curve" if w >= 3 else None)
    if w >= 4:  # round caps, so dead ends and junctions look finished
        r = w / 2.0
        for cx, cy in ((coords[0], coords[1]), (coords[-2], coords[-1])):
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)


def _draw_lines(draw: ImageDraw.ImageDraw, features: list[Feature], z: int, px) -> None:
    by_cls: dict[str, list[Feature]] = {}
    for f in features:
        if f.kind in {"road", "rail", "waterway"}:
            by_cls.setdefault(f.cls, []).append(f)
    styled = []
    for cls in LINE_ORDER:
        fill, casing, width = line_style(cls, z)
        if width > 0 and cls in by_cls:
            styled.append((cls, fill, casing, width * SCALE))
    # All casings first so that crossing roads merge instead of cutting each other.
    for cls, _fill, casing, width in styled:
        if casing is not None:
            for f in by_cls[cls]:
                _stroke(draw, px(f.rings[0]), casing, width + 1.5 * SCALE)
    for cls, fill, _casing, width in styled:
        for f in by_cls[cls]:
            _stroke(draw, px(f.rings[0]), fill, width)


@lru_cache(maxsize=512)
def _label_image(text: str, size: int, angle: float) -> Image.Image:
    font = load_font(size)
    halo = max(2, size // 6)
    left, top, right, bottom = font.getbbox(text, stroke_width=halo)
    img = Image.new("RGBA", (right - left + 2, bottom - top + 2), (0, 0, 0, 0))
    ImageDraw.Draw(img).text(
        (1 - left, 1 - top),
        text,
        font=font,
        fill=_LABEL_INK,
        stroke_width=halo,
        stroke_fill=_LABEL_HALO,
    )
    return img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)


def _draw_labels(img: Image.Image, labels: list[Label], z: int, origin: np.ndarray) -> None:
    size = font_size(z, SCALE)
    for lab in labels:
        lx, ly = lab.cx - origin[0], lab.cy - origin[1]
        h = lab.half_extent + 4
        if lx + h < 0 or ly + h < 0 or lx - h > _CANVAS or ly - h > _CANVAS:
            continue
        text = _label_image(lab.text, size, round(lab.angle, 1))
        img.paste(text, (round(lx - text.width / 2), round(ly - text.height / 2)), text)
