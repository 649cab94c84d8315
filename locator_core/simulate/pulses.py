"""Pulse-level simulation: what a sensor network reports for a scenario.

Propagation
    Travel time from source ``x`` to sensor ``s`` is ``|s - x| / (c + w . u)``, with
    ``c = speed_of_sound(T)`` (the locator's formula), ``u`` the unit vector from source
    to sensor and ``w`` the horizontal wind vector (only when ``wind=True``). Without
    wind this is exactly ``|s - x| / c``.
Detection
    A sensor at distance ``r`` hears a round with probability
    ``p_detect / (1 + exp((r - 0.45 R) / (0.07 R)))`` for ``r <= R`` (``R`` =
    ``detection_range_m``; 0 beyond) and only when the pulse SNR reaches ``min_snr_db``.
    With ~350 m spacing and ``R = 1500`` m a round is heard by ~8-20 sensors.
Levels
    Peak level ``L(r) = 95 - 12 log10(r / 100 m) - 0.004 (r - 100 m)`` dB SPL (spreading
    between cylindrical and spherical in street canyons, plus absorption) with a 3 dB
    log-normal shadowing per path; sensors saturate at 94 dB SPL. Each sensor has a
    noise floor of 52-68 dB SPL and ``SNR = min(L, 94) - floor``.
Multipath
    For every (shooter, sensor) path the geometry fixes whether the first arrival is
    diffracted (NLOS, ``nlos_fraction``, late by ``nlos_delay_range_s``, 3-12 dB weaker)
    and a set of reflections (Poisson, mean ``echo_rate``, 5-250 ms after the first
    arrival, weaker with delay); each round of a burst repeats that pattern.
Unrelated pulses
    ``Poisson(outlier_fraction * n_true)`` weak pulses at random nearby sensors and
    times, from one second before the first to one second after the last arrival.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from locator_core.simulate._common import (
    as_rng,
    validate_fraction,
    validate_positive,
    validate_range,
)
from locator_core.simulate.scenario import Scenario, TrueShot
from locator_core.types import IncidentData, LocalFrame, Pulse, Sensor, Weather

__all__ = [
    "PULSE_KINDS",
    "PulseLabel",
    "SimulatedIncident",
    "propagation_time_s",
    "detection_probability",
    "peak_level_db_spl",
    "simulate_pulses",
]

PULSE_KINDS = ("direct", "nlos", "echo", "noise")
SATURATION_DB_SPL = 94.0
_LEVEL_100M_DB_SPL = 95.0
_SPREADING_DB_PER_DECADE = 12.0
_ABSORPTION_DB_PER_M = 0.004
_SHADOW_SD_DB = 3.0
_NOISE_FLOOR_DB_SPL = (52.0, 68.0)
_ECHO_REPEAT_PROBABILITY = 0.8


@dataclass(frozen=True)
class PulseLabel:
    """Truth about one simulated pulse, kept apart from the :class:`Pulse` itself.

    shot : int, index of the round that caused it, -1 for an unrelated pulse
    kind : str, "direct", "nlos", "echo" or "noise"
    excess_s : float, s, delay beyond the straight-path arrival (0 for direct, nan for noise)
    """

    shot: int
    kind: str
    excess_s: float


@dataclass(frozen=True, eq=False)
class SimulatedIncident:
    """Simulated sensor reports with the truth the locator must not see.

    ``labels[i]`` describes ``data.pulses[i]``; ``noise_floor_db_spl[j]`` is the
    background level of ``data.sensors[j]`` (dB SPL).
    """

    data: IncidentData
    truth: tuple[TrueShot, ...]
    labels: tuple[PulseLabel, ...]
    scenario: Scenario
    noise_floor_db_spl: tuple[float, ...]

    def pulse_indices(
        self, shot: int | None = None, kinds: Sequence[str] = ("direct",)
    ) -> list[int]:
        """Indices into ``data.pulses`` of the given kinds (and round, when given)."""
        return [
            i
            for i, lab in enumerate(self.labels)
            if lab.kind in kinds and (shot is None or lab.shot == shot)
        ]

    def arrivals(
        self, shot: int, kinds: Sequence[str] = ("direct",)
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sensor positions (k, 3) in m and arrival times (k,) in int ns for one round."""
        idx = self.pulse_indices(shot, kinds)
        xyz = np.array([self.data.pulses[i].sensor.position for i in idx]).reshape(-1, 3)
        times = np.array([self.data.pulses[i].time_ns for i in idx], dtype=np.int64)
        return xyz, times


def propagation_time_s(
    source_xyz: np.ndarray,
    sensors_xyz: np.ndarray,
    *,
    c: float,
    wind_xy: np.ndarray | None = None,
) -> np.ndarray:
    """Acoustic travel time, s, from one source to each sensor.

    Parameters
    ----------
    source_xyz : (3,) array, m
    sensors_xyz : (N, 3) array, m
    c : float, m/s
        Speed of sound in still air.
    wind_xy : (2,) array, m/s, optional
        Horizontal wind velocity (east, north), the direction the air moves to. The
        effective speed along the ray is ``c + w . u`` with ``u`` the 3-D unit vector
        from source to sensor.

    Returns
    -------
    (N,) array of float, s
    """
    src = np.asarray(source_xyz, dtype=float).reshape(3)
    xyz = np.asarray(sensors_xyz, dtype=float).reshape(-1, 3)
    c = validate_positive("c", c)
    delta = xyz - src
    dist = np.linalg.norm(delta, axis=1)
    if wind_xy is None:
        return dist / c
    w = np.asarray(wind_xy, dtype=float).reshape(2)
    along = (delta[:, :2] @ w) / np.where(dist > 0, dist, 1.0)
    return dist / (c + along)


def detection_probability(
    distance_m: np.ndarray, *, detection_range_m: float = 1500.0, p_detect: float = 0.95
) -> np.ndarray:
    """Chance that a sensor ``distance_m`` (m) from a handgun hears it (see module doc)."""
    r = np.asarray(distance_m, dtype=float)
    rng_m = validate_positive("detection_range_m", detection_range_m)
    z = np.clip((r - 0.45 * rng_m) / (0.07 * rng_m), -50.0, 50.0)
    return np.where(r <= rng_m, p_detect / (1.0 + np.exp(z)), 0.0)


def peak_level_db_spl(distance_m: np.ndarray) -> np.ndarray:
    """Median unsaturated peak level, dB SPL, of a handgun blast at ``distance_m`` (m)."""
    r = np.maximum(np.asarray(distance_m, dtype=float), 1.0)
    return (
        _LEVEL_100M_DB_SPL
        - _SPREADING_DB_PER_DECADE * np.log10(r / 100.0)
        - _ABSORPTION_DB_PER_M * (r - 100.0)
    )


@dataclass(frozen=True)
class _Path:
    """Multipath fixed by the geometry between one shooter and one sensor."""

    shadow_db: float
    nlos_s: float
    nlos_drop_db: float
    echo_s: tuple[float, ...]
    echo_drop_db: tuple[float, ...]


@dataclass(frozen=True)
class _Options:
    sigma_s: float
    detection_range_m: float
    p_detect: float
    min_snr_db: float
    echo_rate: float
    echo_range: tuple[float, float]
    nlos_fraction: float
    nlos_range: tuple[float, float]
    outlier_fraction: float


def _log_uniform(gen: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    if lo <= 0.0:
        return gen.uniform(lo, hi, n)
    return np.exp(gen.uniform(math.log(lo), math.log(hi), n))


def _draw_path(gen: np.random.Generator, opt: _Options) -> _Path:
    shadow = float(gen.normal(0.0, _SHADOW_SD_DB))
    nlos = gen.uniform() < opt.nlos_fraction
    nlos_s = float(_log_uniform(gen, *opt.nlos_range, 1)[0]) if nlos else 0.0
    n_echo = int(gen.poisson(opt.echo_rate))
    echo_s = np.sort(_log_uniform(gen, *opt.echo_range, n_echo))
    span = max(opt.echo_range[1], 1e-9)
    drops = 4.0 + 10.0 * echo_s / span + gen.uniform(0.0, 6.0, n_echo)
    return _Path(
        shadow,
        nlos_s,
        float(gen.uniform(3.0, 12.0)) if nlos else 0.0,
        tuple(float(v) for v in echo_s),
        tuple(float(v) for v in drops),
    )


def _arrivals_for_shot(
    shot: TrueShot,
    xyz: np.ndarray,
    floors: np.ndarray,
    paths: list[_Path],
    opt: _Options,
    c: float,
    wind_xy: np.ndarray | None,
    gen: np.random.Generator,
) -> list[tuple[int, float, float, float, str, float]]:
    """(sensor index, time offset s from emission, level, snr, kind, excess) per arrival."""
    tt = propagation_time_s(shot.position, xyz, c=c, wind_xy=wind_xy)
    dist = np.linalg.norm(xyz - shot.position, axis=1)
    base = peak_level_db_spl(dist)
    p = detection_probability(dist, detection_range_m=opt.detection_range_m, p_detect=opt.p_detect)
    draws = gen.uniform(size=len(xyz))
    out = []
    for i, path in enumerate(paths):
        level = base[i] + path.shadow_db + gen.normal(0.0, 1.0) - path.nlos_drop_db
        snr = min(level, SATURATION_DB_SPL) - floors[i]
        if draws[i] >= p[i] or snr < opt.min_snr_db:
            continue
        kind = "nlos" if path.nlos_s > 0 else "direct"
        first = tt[i] + path.nlos_s
        out.append((i, first, level, snr, kind, path.nlos_s))
        for delay, drop in zip(path.echo_s, path.echo_drop_db, strict=True):
            e_level = level - max(drop + gen.normal(0.0, 1.0), 1.0)
            e_snr = min(e_level, SATURATION_DB_SPL) - floors[i]
            if gen.uniform() < _ECHO_REPEAT_PROBABILITY and e_snr >= opt.min_snr_db:
                out.append((i, first + delay, e_level, e_snr, "echo", path.nlos_s + delay))
    return out


def _validate_sensors(sensors: Sequence[Sensor]) -> tuple[Sensor, ...]:
    sensors = tuple(sensors)
    if not sensors or not all(isinstance(s, Sensor) for s in sensors):
        raise ValueError(f"sensors must be a non-empty sequence of Sensor, got {sensors!r:.80}")
    if len({s.serial for s in sensors}) != len(sensors):
        raise ValueError("sensor serials must be unique")
    return sensors


def _noise_pulses(
    n: int, near: np.ndarray, floors: np.ndarray, window: tuple[int, int], opt: _Options, gen
) -> list[tuple[int, int, float, float]]:
    idx = gen.choice(near, size=n) if n else np.empty(0, dtype=int)
    times = gen.integers(window[0], window[1], size=n) if n else []
    snrs = gen.uniform(opt.min_snr_db, opt.min_snr_db + 10.0, size=n)
    return [
        (int(i), int(t), float(floors[i] + s), float(s))
        for i, t, s in zip(idx, times, snrs, strict=True)
    ]


def simulate_pulses(
    scenario: Scenario,
    sensors: Sequence[Sensor],
    *,
    weather: Weather | None = None,
    timing_noise_s: float = 100e-6,
    detection_range_m: float = 1500.0,
    p_detect: float = 0.95,
    min_snr_db: float = 6.0,
    echo_rate: float = 1.0,
    echo_delay_range_s: tuple[float, float] = (0.005, 0.25),
    nlos_fraction: float = 0.1,
    nlos_delay_range_s: tuple[float, float] = (0.001, 0.03),
    outlier_fraction: float = 0.2,
    wind: bool = False,
    frame: LocalFrame | None = None,
    name: str | None = None,
    rng: np.random.Generator | int | None = None,
) -> SimulatedIncident:
    """Simulate the pulses a sensor network reports for ``scenario``.

    Parameters
    ----------
    scenario : Scenario
    sensors : sequence of Sensor
        The network; all of it goes into ``data.sensors``.
    weather : Weather, optional
        Temperature sets ``c``; the wind is used only with ``wind=True``.
    timing_noise_s : float, s
        Standard deviation of Gaussian arrival-time errors (0 gives exact times).
    detection_range_m : float, m
        No sensor beyond this distance hears a round.
    p_detect : float
        Detection probability at close range; it falls with distance (module doc).
    min_snr_db : float, dB
        Weaker arrivals are not reported.
    echo_rate : float
        Mean number of reflections per (shooter, sensor) path.
    echo_delay_range_s : (float, float), s
        Echo delay after the first arrival at the same sensor (log-uniform).
    nlos_fraction : float
        Fraction of paths whose first arrival is diffracted.
    nlos_delay_range_s : (float, float), s
        Extra delay of a diffracted first arrival (log-uniform); never negative.
    outlier_fraction : float
        Mean number of unrelated pulses per true pulse.
    wind : bool
        Propagate with the effective speed ``c + w . u`` (``w`` from ``weather``).
    frame, name
        Copied into the :class:`IncidentData` (name defaults to the scenario's).
    rng : numpy Generator, int seed or None

    Returns
    -------
    SimulatedIncident
        Pulses in time order with SNR and level; truth and per-pulse labels apart.
    """
    sensors = _validate_sensors(sensors)
    weather = Weather() if weather is None else weather
    opt = _Options(
        validate_positive("timing_noise_s", timing_noise_s, allow_zero=True),
        validate_positive("detection_range_m", detection_range_m),
        validate_fraction("p_detect", p_detect),
        float(min_snr_db),
        validate_positive("echo_rate", echo_rate, allow_zero=True),
        validate_range("echo_delay_range_s", echo_delay_range_s),
        validate_fraction("nlos_fraction", nlos_fraction),
        validate_range("nlos_delay_range_s", nlos_delay_range_s),
        validate_positive("outlier_fraction", outlier_fraction, allow_zero=True),
    )
    gen = as_rng(rng)
    c = weather.speed_of_sound
    wind_xy = weather.wind_vector if wind else None
    xyz = np.array([s.position for s in sensors])
    floors = gen.uniform(*_NOISE_FLOOR_DB_SPL, size=len(sensors))
    shooters = sorted({s.shooter for s in scenario.shots})
    paths = {who: [_draw_path(gen, opt) for _ in sensors] for who in shooters}

    raw: list[tuple[int, int, float, float, PulseLabel]] = []
    for shot in scenario.shots:
        for i, offset, level, snr, kind, excess in _arrivals_for_shot(
            shot, xyz, floors, paths[shot.shooter], opt, c, wind_xy, gen
        ):
            noise = gen.normal(0.0, opt.sigma_s) if opt.sigma_s > 0 else 0.0
            t = shot.time_ns + int(round((offset + noise) * 1e9))
            raw.append((i, t, level, snr, PulseLabel(shot.index, kind, float(excess))))

    n_noise = int(gen.poisson(opt.outlier_fraction * len(raw)))
    dist_min = np.min([np.linalg.norm(xyz - s.position, axis=1) for s in scenario.shots], axis=0)
    near = np.flatnonzero(dist_min <= opt.detection_range_m)
    near = near if near.size else np.arange(len(sensors))
    t_all = [r[1] for r in raw] or [scenario.start_ns]
    window = (min(t_all) - 1_000_000_000, max(t_all) + 1_000_000_000)
    for i, t, level, snr in _noise_pulses(n_noise, near, floors, window, opt, gen):
        raw.append((i, t, level, snr, PulseLabel(-1, "noise", math.nan)))

    raw.sort(key=lambda r: (r[1], sensors[r[0]].serial))
    tag = scenario.name if name is None else name
    pulses = tuple(
        Pulse(
            sensors[i],
            int(t),
            snr_db=round(float(snr), 2),
            level_db_spl=round(float(min(level, SATURATION_DB_SPL)), 2),
            uid=f"{tag}-{k:05d}",
        )
        for k, (i, t, level, snr, _) in enumerate(raw)
    )
    data = IncidentData(tag, sensors, pulses, (), weather, frame)
    return SimulatedIncident(
        data,
        scenario.shots,
        tuple(r[4] for r in raw),
        scenario,
        tuple(float(f) for f in floors),
    )
