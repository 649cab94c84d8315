"""Synthetic sensor networks: rooftop microphones on a jittered hexagonal or square grid."""

from __future__ import annotations

import math

import numpy as np

from locator_core.simulate._common import as_rng, validate_positive, validate_range
from locator_core.types import Sensor

__all__ = ["sensor_grid"]


def _validate_extent(extent_m: float | tuple[float, float]) -> tuple[float, float]:
    pair = (extent_m, extent_m) if np.isscalar(extent_m) else extent_m
    try:
        w, h = (float(v) for v in pair)
    except (TypeError, ValueError):
        raise ValueError(
            f"extent_m must be a number or a (width, height) pair, got {extent_m!r}"
        ) from None
    if not (math.isfinite(w) and math.isfinite(h) and w > 0 and h > 0):
        raise ValueError(f"extent_m must be positive, got {extent_m!r}")
    return w, h


def _grid_points(spacing: float, width: float, height: float, layout: str) -> np.ndarray:
    row_step = spacing * math.sqrt(3.0) / 2.0 if layout == "hex" else spacing
    n_rows = int(math.floor(height / row_step)) + 1
    n_cols = int(math.floor(width / spacing)) + 1
    y0 = -(n_rows - 1) * row_step / 2.0
    x0 = -(n_cols - 1) * spacing / 2.0
    points = []
    for r in range(n_rows):
        shift = spacing / 2.0 if (layout == "hex" and r % 2) else 0.0
        for k in range(n_cols):
            x = x0 + k * spacing + shift
            if x <= width / 2.0 + 1e-9:
                points.append((x, y0 + r * row_step))
    return np.asarray(points, dtype=float)


def sensor_grid(
    *,
    spacing_m: float = 350.0,
    extent_m: float | tuple[float, float] = 2000.0,
    jitter_m: float = 60.0,
    height_range: tuple[float, float] = (8.0, 40.0),
    center: tuple[float, float] = (0.0, 0.0),
    ground_z: float = 0.0,
    layout: str = "hex",
    prefix: str = "SIM",
    rng: np.random.Generator | int | None = None,
) -> tuple[Sensor, ...]:
    """Rooftop sensors on a jittered grid covering a rectangle.

    Parameters
    ----------
    spacing_m : float, m
        Distance between neighbouring grid nodes (street networks run ~350 m).
    extent_m : float or (float, float), m
        Side of the covered square, or its ``(width, height)``, centred on ``center``.
    jitter_m : float, m
        Each sensor moves from its node by a uniform random offset within this radius
        (rooftops are where buildings are, not on a lattice).
    height_range : (float, float), m
        Sensor height above ``ground_z``, drawn uniformly (rooftops, 8-40 m).
    center : (float, float), m
        Centre of the grid in the local frame (x east, y north).
    ground_z : float, m
        Local ground elevation.
    layout : {"hex", "square"}
        Hexagonal (alternate rows offset by half a spacing) or square lattice.
    prefix : str
        Serial prefix; serials read ``"SIM-0001"``, ``"SIM-0002"``, ... row by row.
    rng : numpy Generator, int seed or None

    Returns
    -------
    tuple of Sensor
    """
    spacing = validate_positive("spacing_m", spacing_m)
    width, height = _validate_extent(extent_m)
    jitter = validate_positive("jitter_m", jitter_m, allow_zero=True)
    h_lo, h_hi = validate_range("height_range", height_range)
    if layout not in ("hex", "square"):
        raise ValueError(f"layout must be 'hex' or 'square', got {layout!r}")
    gen = as_rng(rng)
    nodes = _grid_points(spacing, width, height, layout)
    radius = jitter * np.sqrt(gen.uniform(0.0, 1.0, len(nodes)))
    angle = gen.uniform(0.0, 2.0 * math.pi, len(nodes))
    xy = nodes + np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    xy += np.asarray(center, dtype=float)
    z = float(ground_z) + gen.uniform(h_lo, h_hi, len(nodes))
    return tuple(
        Sensor(f"{prefix}-{i + 1:04d}", float(x), float(y), float(zz))
        for i, ((x, y), zz) in enumerate(zip(xy, z, strict=True))
    )
