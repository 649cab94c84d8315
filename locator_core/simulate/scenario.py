"""Shooting scenarios with known truth: where and when every round was fired.

Positions are metres in the local frame (x east, y north, z up); the muzzle is
``MUZZLE_HEIGHT_M`` above local ground. Headings and bearings are compass degrees
(0 = north, 90 = east). Times are integer nanoseconds since the epoch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from locator_core.simulate._common import DEFAULT_T0_NS, as_rng, validate_positive

__all__ = [
    "MUZZLE_HEIGHT_M",
    "TrueShot",
    "Scenario",
    "single_shot",
    "burst",
    "two_shooters",
    "mobile_shooter",
]

#: Height of a handgun muzzle above the ground, m.
MUZZLE_HEIGHT_M = 1.5


@dataclass(frozen=True)
class TrueShot:
    """One round as actually fired: position (m), emission time (ns) and shooter id."""

    index: int
    x: float
    y: float
    z: float
    time_ns: int
    shooter: int = 0

    @property
    def position(self) -> np.ndarray:
        return np.array([self.x, self.y, self.z], dtype=float)


@dataclass(frozen=True)
class Scenario:
    """A set of shots in time order; ``shots[i].index == i``.

    kind : str, one of "single", "burst", "two_shooters", "mobile"
    """

    name: str
    kind: str
    shots: tuple[TrueShot, ...]

    def __post_init__(self) -> None:
        if not self.shots:
            raise ValueError(f"scenario {self.name!r} has no shots")
        for i, shot in enumerate(self.shots):
            if shot.index != i:
                raise ValueError(f"shot {i} of scenario {self.name!r} has index {shot.index}")
            if i and shot.time_ns < self.shots[i - 1].time_ns:
                raise ValueError(f"shots of scenario {self.name!r} are not in time order")

    @property
    def n_shooters(self) -> int:
        return len({s.shooter for s in self.shots})

    @property
    def start_ns(self) -> int:
        return self.shots[0].time_ns

    @property
    def end_ns(self) -> int:
        return self.shots[-1].time_ns


def _validate_rounds(rounds: int) -> int:
    if isinstance(rounds, bool) or not isinstance(rounds, int | np.integer) or rounds < 1:
        raise ValueError(f"rounds must be a positive integer, got {rounds!r}")
    return int(rounds)


def _shot_times(
    rounds: int, interval_s: float, jitter_s: float, t0_ns: int, gen: np.random.Generator
) -> list[int]:
    gaps = np.full(rounds - 1, interval_s)
    if jitter_s > 0 and rounds > 1:
        gaps = np.clip(gaps + gen.uniform(-jitter_s, jitter_s, rounds - 1), 0.05, None)
    offsets = np.concatenate([[0.0], np.cumsum(gaps)])
    return [int(t0_ns) + int(round(o * 1e9)) for o in offsets]


def _assemble(
    name: str, kind: str, raw: Sequence[tuple[float, float, float, int, int]]
) -> Scenario:
    ordered = sorted(raw, key=lambda r: (r[3], r[4]))
    shots = tuple(
        TrueShot(i, float(x), float(y), float(z), int(t), int(who))
        for i, (x, y, z, t, who) in enumerate(ordered)
    )
    return Scenario(name, kind, shots)


def _unit(bearing_deg: float) -> np.ndarray:
    theta = math.radians(bearing_deg)
    return np.array([math.sin(theta), math.cos(theta)])


def single_shot(
    *,
    x: float = 0.0,
    y: float = 0.0,
    ground_z: float = 0.0,
    time_ns: int = DEFAULT_T0_NS,
    name: str = "single",
) -> Scenario:
    """One round fired at ``(x, y)`` m, muzzle ``MUZZLE_HEIGHT_M`` above ``ground_z``."""
    return _assemble(name, "single", [(x, y, ground_z + MUZZLE_HEIGHT_M, time_ns, 0)])


def burst(
    rounds: int = 3,
    interval_s: float = 0.5,
    *,
    x: float = 0.0,
    y: float = 0.0,
    ground_z: float = 0.0,
    time_ns: int = DEFAULT_T0_NS,
    interval_jitter_s: float = 0.0,
    name: str = "burst",
    rng: np.random.Generator | int | None = None,
) -> Scenario:
    """``rounds`` fired from one spot, ``interval_s`` s apart (handguns: 0.1-1.5 s).

    ``interval_jitter_s`` (s) adds a uniform random change to each gap (never below 50 ms).
    """
    n = _validate_rounds(rounds)
    dt = validate_positive("interval_s", interval_s)
    jit = validate_positive("interval_jitter_s", interval_jitter_s, allow_zero=True)
    times = _shot_times(n, dt, jit, time_ns, as_rng(rng))
    z = ground_z + MUZZLE_HEIGHT_M
    return _assemble(name, "burst", [(x, y, z, t, 0) for t in times])


def two_shooters(
    rounds: int | tuple[int, int] = 3,
    interval_s: float | tuple[float, float] = 0.6,
    *,
    separation_m: float = 60.0,
    x: float = 0.0,
    y: float = 0.0,
    bearing_deg: float | None = None,
    ground_z: float = 0.0,
    time_ns: int = DEFAULT_T0_NS,
    interval_jitter_s: float = 0.05,
    name: str = "two-shooters",
    rng: np.random.Generator | int | None = None,
) -> Scenario:
    """Two shooters ``separation_m`` apart (typically 40-90 m) firing interleaved rounds.

    The pair is centred on ``(x, y)`` along ``bearing_deg`` (random when None). Shooter 0
    opens fire at ``time_ns``; shooter 1 starts about half an interval later so the
    rounds interleave. ``rounds`` and ``interval_s`` may differ per shooter.
    """
    gen = as_rng(rng)
    n0, n1 = (rounds, rounds) if np.isscalar(rounds) else rounds
    dt0, dt1 = (interval_s, interval_s) if np.isscalar(interval_s) else interval_s
    n0, n1 = _validate_rounds(n0), _validate_rounds(n1)
    dt0, dt1 = validate_positive("interval_s", dt0), validate_positive("interval_s", dt1)
    sep = validate_positive("separation_m", separation_m)
    jit = validate_positive("interval_jitter_s", interval_jitter_s, allow_zero=True)
    bearing = gen.uniform(0.0, 360.0) if bearing_deg is None else float(bearing_deg)
    half = 0.5 * sep * _unit(bearing)
    z = ground_z + MUZZLE_HEIGHT_M
    lag_ns = int(round(0.5 * min(dt0, dt1) * gen.uniform(0.7, 1.3) * 1e9))
    raw = [(x - half[0], y - half[1], z, t, 0) for t in _shot_times(n0, dt0, jit, time_ns, gen)]
    raw += [
        (x + half[0], y + half[1], z, t, 1)
        for t in _shot_times(n1, dt1, jit, int(time_ns) + lag_ns, gen)
    ]
    return _assemble(name, "two_shooters", raw)


def mobile_shooter(
    rounds: int = 4,
    interval_s: float = 1.0,
    *,
    speed_mps: float = 8.0,
    heading_deg: float = 90.0,
    x: float = 0.0,
    y: float = 0.0,
    ground_z: float = 0.0,
    time_ns: int = DEFAULT_T0_NS,
    interval_jitter_s: float = 0.0,
    name: str = "mobile",
    rng: np.random.Generator | int | None = None,
) -> Scenario:
    """A shooter moving in a straight line (on foot or in a car: 4-15 m/s) while firing.

    The first round is fired at ``(x, y)``; round *k* at the point reached after
    ``speed_mps * (t_k - t_0)`` metres along compass ``heading_deg``.
    """
    n = _validate_rounds(rounds)
    dt = validate_positive("interval_s", interval_s)
    v = validate_positive("speed_mps", speed_mps)
    jit = validate_positive("interval_jitter_s", interval_jitter_s, allow_zero=True)
    times = _shot_times(n, dt, jit, time_ns, as_rng(rng))
    u = _unit(heading_deg)
    z = ground_z + MUZZLE_HEIGHT_M
    raw = []
    for t in times:
        d = v * (t - times[0]) / 1e9
        raw.append((x + d * u[0], y + d * u[1], z, t, 0))
    return _assemble(name, "mobile", raw)
