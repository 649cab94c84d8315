"""Small shared helpers of the simulator: random generators and argument checks."""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "DEFAULT_T0_NS",
    "as_rng",
    "validate_positive",
    "validate_range",
    "validate_fraction",
]

#: Default emission time of a scenario's first shot: 2024-06-01T12:00:00Z, ns since epoch.
DEFAULT_T0_NS = 1_717_243_200_000_000_000


def as_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    """A numpy Generator from a Generator, an integer seed, or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, int | np.integer):
        return np.random.default_rng(rng)
    raise ValueError(f"rng must be a numpy Generator, an int seed or None, got {rng!r}")


def validate_positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    """Return ``value`` as float, raising ValueError naming it unless finite and > 0 (>= 0)."""
    v = float(value)
    ok = math.isfinite(v) and (v >= 0.0 if allow_zero else v > 0.0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}")
    return v


def validate_range(
    name: str, value: tuple[float, float], *, lower: float = 0.0
) -> tuple[float, float]:
    """Return a ``(lo, hi)`` pair of floats with ``lower <= lo <= hi``, else ValueError."""
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a (low, high) pair, got {value!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lower <= lo <= hi):
        raise ValueError(f"{name} must satisfy {lower} <= low <= high, got {value!r}")
    return lo, hi


def validate_fraction(name: str, value: float, *, upper: float = 1.0) -> float:
    """Return ``value`` as float in ``[0, upper]``, else ValueError naming it."""
    v = float(value)
    if not (math.isfinite(v) and 0.0 <= v <= upper):
        raise ValueError(f"{name} must lie in [0, {upper}], got {value!r}")
    return v
