"""Incident: from located shots to what dispatch needs.

Rounds are the located shots. Shooters: shots whose positions differ by more than the
location error allows (tens of metres) come from different shooters; but a series of
shots along a straight line at a steady pace is one *mobile* shooter (a car, a
runner), reported with speed (m/s) and heading (degrees clockwise from north, +y).

Contents: :class:`Mobile`, :class:`IncidentSolution`, :func:`summarize`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

from locator_core.locate import ShotSolution
from locator_core.types import LocalFrame, Weather

__all__ = ["Mobile", "IncidentSolution", "summarize", "SINGLE", "MULTIPLE"]

SINGLE = "single_gunshot"
MULTIPLE = "multiple_gunshots"


@dataclass(frozen=True)
class Mobile:
    """A moving shooter: speed (m/s) and heading (deg clockwise from north / +y)."""

    speed_mps: float
    heading_deg: float


@dataclass(frozen=True, eq=False)
class IncidentSolution:
    """The located incident: shots in time order with a shooter label each (1, 2, ...)."""

    shots: tuple[ShotSolution, ...]
    shooter_of_shot: tuple[int, ...]
    rounds: int
    shooters: int
    type: str
    mobile: Mobile | None
    frame: LocalFrame | None = None
    weather: Weather = field(default_factory=Weather)
    source: str = "pulses"
    name: str = ""

    def latlon(self, shot: ShotSolution) -> tuple[float | None, float | None]:
        if self.frame is None:
            return None, None
        return self.frame.to_geographic(shot.x, shot.y)


def _sigma(shot: ShotSolution) -> float:
    # 1-sigma horizontal scale from the 90 % radius (2.146 sigma for a circular Gaussian)
    return max(shot.uncertainty_m / 2.146, 0.5)


def _fit_motion(shots: Sequence[ShotSolution], sigmas: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Weighted straight-line motion fit with per-shot 1-sigma errors ``sigmas`` (m):
    (position at mean time, velocity, chi2/dof, 1-sigma error of each velocity component)."""
    t = np.array([(s.time_ns - shots[0].time_ns) * 1e-9 for s in shots])
    xy = np.array([s.xy for s in shots])
    w = 1.0 / sigmas ** 2
    tm = float(np.sum(w * t) / np.sum(w))
    dt = t - tm
    p0 = (w[:, None] * xy).sum(0) / w.sum()
    denom = float(np.sum(w * dt * dt))
    v = (w[:, None] * dt[:, None] * (xy - p0)).sum(0) / denom if denom > 0 else np.zeros(2)
    resid = xy - (p0 + dt[:, None] * v)
    chi2 = float(np.sum(w * np.sum(resid * resid, axis=1)))
    sigma_v = 1.0 / math.sqrt(denom) if denom > 0 else math.inf
    return p0, v, chi2 / max(2 * len(shots) - 4, 1), sigma_v


def _separated(a: ShotSolution, b: ShotSolution, min_separation_m: float) -> bool:
    d = float(np.hypot(*(a.xy - b.xy)))
    return d > max(min_separation_m, 3.0 * math.hypot(_sigma(a), _sigma(b)))


def summarize(
    shots: Sequence[ShotSolution],
    *,
    min_separation_m: float = 15.0,
    min_speed_mps: float = 2.0,
    max_speed_mps: float = 60.0,
    relative_floor_m: float = 1.0,
    motion_significance: float = 5.0,
    min_track_m: float = 8.0,
    frame: LocalFrame | None = None,
    weather: Weather | None = None,
    source: str = "pulses",
    name: str = "",
) -> IncidentSolution:
    """Group located shots into shooters, detect a mobile shooter, choose the alert type.

    min_separation_m : m, shots closer than this are never from different shooters.
    min_speed_mps, max_speed_mps : m/s, the range a mobile shooter is reported in.
    relative_floor_m : m, least 1-sigma error of one round's position relative to the
        others (picks of different rounds differ, and so may their rejected arrivals).
    motion_significance : a motion shorter than the rounds' spread must be this many
        standard errors of the speed, over at least ``min_track_m`` metres of track
        (rounds from one standing shooter scatter by a few metres on real data).
    """
    shots = sorted(shots, key=lambda s: s.time_ns)
    n = len(shots)
    labels = [1] * n
    mobile = None
    spread = n >= 2 and any(
        _separated(shots[i], shots[j], min_separation_m) for i in range(n) for j in range(i))
    # rounds fired seconds apart share the propagation errors, so where they lie relative
    # to each other is known to the timing precision: a steady, significant motion shows
    # there even when the whole track is shorter than the position uncertainty
    # (a round fitted by few sensors can claim a precision its 1-2 redundant arrivals do
    # not show: its timing error is taken as at least the incident's typical one)
    typical_s = float(np.median([s.sigma_s for s in shots])) if shots else 0.0
    relative = np.array([max(s.timing_sigma_m * max(1.0, typical_s / max(s.sigma_s, 1e-12)),
                             relative_floor_m) for s in shots])
    mobile = _mobile(shots, relative, min_speed_mps, max_speed_mps,
                     significance=motion_significance, min_track_m=min_track_m)
    if mobile is None and spread:
        absolute = np.array([_sigma(s) for s in shots])
        mobile = _mobile(shots, absolute, min_speed_mps, max_speed_mps)
        if mobile is None:
            labels = _cluster(shots, min_separation_m)
    k = max(labels) if labels else 0
    return IncidentSolution(
        shots=tuple(shots), shooter_of_shot=tuple(labels), rounds=n, shooters=k,
        type=SINGLE if n == 1 else MULTIPLE, mobile=mobile, frame=frame,
        weather=weather or Weather(), source=source, name=name)


def _mobile(shots, sigmas, min_speed, max_speed, *, significance=0.0,
            min_track_m=0.0) -> Mobile | None:
    if len(shots) < 3:
        return None
    _, v, chi2_dof, sigma_v = _fit_motion(shots, sigmas)
    speed = float(np.hypot(*v))
    if not (min_speed <= speed <= max_speed) or chi2_dof > 9.0:
        return None
    duration = (shots[-1].time_ns - shots[0].time_ns) * 1e-9
    if speed < significance * sigma_v or speed * duration < min_track_m:
        return None
    # the motion must explain the spread: progress along the track is monotonic in time
    along = np.array([float(np.dot(s.xy, v / speed)) for s in shots])
    if np.any(np.diff(along) < -3.0 * float(np.max(sigmas))):
        return None
    heading = math.degrees(math.atan2(v[0], v[1])) % 360.0
    return Mobile(speed_mps=speed, heading_deg=heading)


def _cluster(shots, min_separation_m) -> list[int]:
    xy = np.array([s.xy for s in shots])
    scale = max(min_separation_m, 3.0 * math.sqrt(2.0) * float(np.median([_sigma(s) for s in shots])))
    tree = linkage(xy, method="average")
    raw = fcluster(tree, t=scale, criterion="distance")
    # number shooters in order of their first shot
    order: dict[int, int] = {}
    for c in raw:
        order.setdefault(int(c), len(order) + 1)
    return [order[int(c)] for c in raw]
