"""Compare an alert with the incident the embedded locator computed from the recordings.

Qt-free. :func:`compare` gives a frozen :class:`VerificationResult`: the distance between
the alert's reported location and the computed one (mean of the computed shots, and per
shooter), both 90 % radii, the rounds / shooters / mobile comparison, per-sensor
residuals, and a verdict with its reasons. Without an alert (recordings opened from
disk) the result holds the solution and no verdict.

Radii: the alert's ``uncertainty_m`` is read as a 90 % radius. The computed location's
radius is the one the demo alert service reports for the same solution: the largest
distance of a shot from the mean plus that shot's 90 % radius, so a consistent alert is
always inside the combined bound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from console.domain.alert import Alert
from locator_core.incident import IncidentSolution
from locator_core.locate import ShotSolution

__all__ = [
    "LOCATION_MARGIN_M",
    "HEADING_TOLERANCE_DEG",
    "Count",
    "MobileComparison",
    "Place",
    "SensorResidual",
    "Verdict",
    "VerificationResult",
    "compare",
]

#: m, slack added to the combined 90 % radii before a distance counts as inconsistent.
LOCATION_MARGIN_M = 10.0
#: deg, a mobile shooter's headings differing by more than this disagree.
HEADING_TOLERANCE_DEG = 45.0


class Verdict(StrEnum):
    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"


@dataclass(frozen=True, slots=True)
class Place:
    """A location: local metres (x, y), lat/lon when geographic, 90 % radius (m)."""

    x: float | None
    y: float | None
    lat: float | None
    lon: float | None
    radius_m: float
    shooter: int | None = None
    distance_m: float | None = None  # to the alert's reported location


@dataclass(frozen=True, slots=True)
class Count:
    reported: int | None
    computed: int

    @property
    def agrees(self) -> bool | None:
        return None if self.reported is None else self.reported == self.computed


@dataclass(frozen=True, slots=True)
class MobileComparison:
    """Speeds m/s, headings deg from north; None where that side reports no mobile."""

    reported_speed_mps: float | None
    reported_heading_deg: float | None
    computed_speed_mps: float | None
    computed_heading_deg: float | None
    agrees: bool | None  # None when there is no alert


@dataclass(frozen=True, slots=True)
class SensorResidual:
    """Residuals of one sensor's pulses over the shots it took part in (ms)."""

    label: str  # "Sensor k", the only name shown to users without sensor rights
    serial: str
    shots_used: int
    rms_ms: float | None
    max_abs_ms: float | None
    per_shot_ms: tuple[float | None, ...]  # by shot index, None where not used


@dataclass(frozen=True, eq=False)
class VerificationResult:
    solution: IncidentSolution
    alert_id: str | None
    computed: Place
    reported: Place | None
    distance_m: float | None
    shooters_at: tuple[Place, ...]
    rounds: Count
    shooters: Count
    mobile: MobileComparison
    sensors: tuple[SensorResidual, ...]
    verdict: Verdict | None  # None: no alert, or its location could not be compared
    reasons: tuple[str, ...]

    @property
    def geographic(self) -> bool:
        return self.solution.frame is not None

    @property
    def shot_offsets_s(self) -> tuple[float, ...]:
        """Time of each computed shot after the first (s), in time order."""
        if not self.solution.shots:
            return ()
        t0 = self.solution.shots[0].time_ns
        return tuple((s.time_ns - t0) / 1e9 for s in self.solution.shots)


def _centroid(sol: IncidentSolution, shots: Sequence[ShotSolution],
              shooter: int | None) -> Place:
    xy = np.array([s.xy for s in shots])
    mean = xy.mean(axis=0)
    radius = max(float(np.hypot(*(s.xy - mean))) + s.uncertainty_m for s in shots)
    lat = lon = None
    if sol.frame is not None:
        lat, lon = sol.frame.to_geographic(float(mean[0]), float(mean[1]))
    return Place(float(mean[0]), float(mean[1]), lat, lon, radius, shooter)


def _distance(sol: IncidentSolution, place: Place, lat: float, lon: float) -> float | None:
    if sol.frame is None or place.x is None or place.y is None:
        return None
    x, y, _ = sol.frame.to_local(lat, lon)
    return float(math.hypot(place.x - x, place.y - y))


def _sensor_residuals(sol: IncidentSolution) -> tuple[SensorResidual, ...]:
    per: dict[str, list[float | None]] = {}
    for i, shot in enumerate(sol.shots):
        for pulse, r in zip(shot.used, shot.residuals_s, strict=True):
            per.setdefault(pulse.sensor.serial, [None] * len(sol.shots))[i] = r * 1e3
    out = []
    for k, serial in enumerate(sorted(per), start=1):
        vals = [v for v in per[serial] if v is not None]
        arr = np.asarray(vals, dtype=float)
        out.append(SensorResidual(
            label=f"Sensor {k}", serial=serial, shots_used=len(vals),
            rms_ms=float(np.sqrt(np.mean(arr * arr))) if vals else None,
            max_abs_ms=float(np.max(np.abs(arr))) if vals else None,
            per_shot_ms=tuple(per[serial])))
    return tuple(out)


def _heading_gap(a: float, b: float) -> float:
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d)


def compare(alert: Alert | None, solution: IncidentSolution, *,
            margin_m: float = LOCATION_MARGIN_M) -> VerificationResult:
    """The verification of ``alert`` by ``solution`` (``alert`` None: solution only)."""
    if not solution.shots:
        raise ValueError("the solution has no located shot")
    computed = _centroid(solution, solution.shots, None)
    groups: dict[int, list[ShotSolution]] = {}
    for shot, who in zip(solution.shots, solution.shooter_of_shot, strict=True):
        groups.setdefault(who, []).append(shot)
    shooters_at = [_centroid(solution, groups[k], k) for k in sorted(groups)]
    sm = solution.mobile
    mobile = MobileComparison(None, None, sm.speed_mps if sm else None,
                              sm.heading_deg if sm else None, None)
    rounds = Count(None, solution.rounds)
    shooters = Count(None, solution.shooters)
    sensors = _sensor_residuals(solution)
    if alert is None:
        return VerificationResult(solution, None, computed, None, None, tuple(shooters_at),
                                  rounds, shooters, mobile, sensors, None, ())

    loc = alert.location
    reported = Place(None, None, loc.lat, loc.lon, loc.uncertainty_m)
    distance = _distance(solution, computed, loc.lat, loc.lon)
    computed = _with_distance(computed, distance)
    shooters_at = [_with_distance(p, _distance(solution, p, loc.lat, loc.lon))
                   for p in shooters_at]
    rounds = Count(alert.rounds, solution.rounds)
    shooters = Count(alert.shooters, solution.shooters)
    am = alert.mobile
    mobile_agrees = (am is None) == (sm is None)
    if am is not None and sm is not None:
        mobile_agrees = _heading_gap(am.heading_deg, sm.heading_deg) <= HEADING_TOLERANCE_DEG
    mobile = MobileComparison(am.speed_mps if am else None, am.heading_deg if am else None,
                              sm.speed_mps if sm else None, sm.heading_deg if sm else None,
                              mobile_agrees)

    reasons: list[str] = []
    bound = loc.uncertainty_m + computed.radius_m + margin_m
    if distance is None:
        reasons.append("location not compared: the recordings carry no geographic "
                       "position (local frame only)")
    elif distance > bound:
        reasons.append(
            f"location: computed {distance:.0f} m from the reported location, beyond the "
            f"combined 90 % radii ({loc.uncertainty_m:.0f} m + {computed.radius_m:.0f} m) "
            f"+ {margin_m:.0f} m margin")
    if rounds.agrees is False:
        reasons.append(f"rounds differ: reported {rounds.reported}, computed {rounds.computed}")
    if shooters.agrees is False:
        reasons.append(
            f"shooters differ: reported {shooters.reported}, computed {shooters.computed}")
    if not mobile_agrees:
        if am is None:
            reasons.append(f"mobile disagrees: the recordings show a shooter moving at "
                           f"{sm.speed_mps:.1f} m/s, the alert reports none")
        elif sm is None:
            reasons.append(f"mobile disagrees: the alert reports a shooter moving at "
                           f"{am.speed_mps:.1f} m/s, the recordings show none")
        else:
            reasons.append(f"mobile disagrees: heading reported {am.heading_deg:03.0f}°, "
                           f"computed {sm.heading_deg:03.0f}°")
    inconsistent = any(not r.startswith("location not compared") for r in reasons)
    verdict: Verdict | None = Verdict.INCONSISTENT if inconsistent else Verdict.CONSISTENT
    if not inconsistent and distance is None:
        verdict = None  # nothing disagrees, but the location itself could not be checked
    if verdict is Verdict.CONSISTENT and distance is not None:
        reasons.insert(0, f"location: computed {distance:.0f} m from the reported location, "
                          f"within the combined 90 % radii + {margin_m:.0f} m margin "
                          f"({bound:.0f} m)")
    return VerificationResult(solution, alert.id, computed, reported, distance,
                              tuple(shooters_at), rounds, shooters, mobile, sensors, verdict,
                              tuple(reasons))


def _with_distance(place: Place, distance: float | None) -> Place:
    return Place(place.x, place.y, place.lat, place.lon, place.radius_m, place.shooter,
                 distance)
