"""Typed records shared by every stage of the locator core.

Positions are metres in a local Cartesian frame (x east, y north, z up). Times are
integer nanoseconds since the Unix epoch (see :mod:`locator_core.timeutil`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "LocatorError",
    "Sensor",
    "Pulse",
    "Weather",
    "Recording",
    "LocalFrame",
    "IncidentData",
    "speed_of_sound",
]

EARTH_RADIUS_M = 6_371_008.8


class LocatorError(Exception):
    """A clear, user-facing failure of the locator (bad input, no solution)."""


def speed_of_sound(temperature_c: float) -> float:
    """Speed of sound in air, m/s, for a temperature in degrees Celsius.

    ``c = 20.03 * sqrt(T + 273.15)`` (dry air).
    """
    t = float(temperature_c)
    if not math.isfinite(t) or t < -90.0 or t > 70.0:
        raise ValueError(f"air temperature out of range: {temperature_c!r} degC")
    return 20.03 * math.sqrt(t + 273.15)


@dataclass(frozen=True)
class Sensor:
    """A GPS-timed acoustic sensor at a local position (metres)."""

    serial: str
    x: float
    y: float
    z: float = 0.0

    @property
    def position(self) -> np.ndarray:
        return np.array([self.x, self.y, self.z], dtype=float)


@dataclass(frozen=True)
class Pulse:
    """One impulsive arrival reported (or detected) at one sensor.

    time_ns : int, arrival time, nanoseconds since the epoch (UTC)
    snr_db : float or None, signal-to-noise ratio, dB
    level_db_spl : float or None, peak sound level, dB SPL (or dBFS from audio)
    kind : str or None, for pulses detected in audio: ``"first"`` when no stronger pulse
        precedes it within the echo window on the same recording, ``"echo"`` when one
        does (a likely reflection or reverberation); None when unknown (vendor pulses)
    sharpness_db : float or None, onset contrast, dB: energy in the first millisecond of
        the pulse over the energy of the preceding tens of milliseconds. Direct arrivals in
        quiet are sharp; echoes inside another pulse's tail are not
    """

    sensor: Sensor
    time_ns: int
    snr_db: float | None = None
    level_db_spl: float | None = None
    uid: str | None = None
    kind: str | None = None
    sharpness_db: float | None = None


@dataclass(frozen=True)
class Weather:
    """Air temperature (degC) and wind (speed m/s, direction it blows FROM, deg from north)."""

    temperature_c: float = 15.0
    wind_speed_mps: float = 0.0
    wind_from_deg: float = 0.0

    @property
    def speed_of_sound(self) -> float:
        return speed_of_sound(self.temperature_c)

    @property
    def wind_vector(self) -> np.ndarray:
        """Wind velocity (east, north) in m/s: the direction the air moves TO."""
        theta = math.radians(self.wind_from_deg)
        return -self.wind_speed_mps * np.array([math.sin(theta), math.cos(theta)])


@dataclass(frozen=True, eq=False)
class Recording:
    """Mono sensor audio: float samples in [-1, 1], first sample at ``start_ns``."""

    sensor: Sensor
    start_ns: int
    sample_rate: float
    samples: np.ndarray = field(repr=False)
    source: str = ""

    @property
    def duration_s(self) -> float:
        return len(self.samples) / float(self.sample_rate)


@dataclass(frozen=True)
class LocalFrame:
    """A local tangent-plane frame anchored at a geographic origin.

    Used when the input carries latitude/longitude (smj0 WAVs): positions are solved
    in metres east/north of the origin and reported back as lat/lon. The equirectangular
    tangent approximation is accurate to well under a centimetre over a few kilometres.
    """

    lat0: float
    lon0: float
    h0: float = 0.0

    def to_local(self, lat: float, lon: float, h: float = 0.0) -> tuple[float, float, float]:
        phi0 = math.radians(self.lat0)
        x = math.radians(lon - self.lon0) * EARTH_RADIUS_M * math.cos(phi0)
        y = math.radians(lat - self.lat0) * EARTH_RADIUS_M
        return x, y, h - self.h0

    def to_geographic(self, x: float, y: float) -> tuple[float, float]:
        phi0 = math.radians(self.lat0)
        lat = self.lat0 + math.degrees(y / EARTH_RADIUS_M)
        lon = self.lon0 + math.degrees(x / (EARTH_RADIUS_M * math.cos(phi0)))
        return lat, lon


@dataclass(frozen=True, eq=False)
class IncidentData:
    """Everything the locator knows about one incident, as read from disk or a feed.

    ``frame`` is None when positions are in an arbitrary Cartesian frame (Pittsburgh).
    ``notes`` are human-readable remarks from reading (defaults assumed, data skipped).
    """

    name: str
    sensors: tuple[Sensor, ...]
    pulses: tuple[Pulse, ...] = ()
    recordings: tuple[Recording, ...] = ()
    weather: Weather = field(default_factory=Weather)
    frame: LocalFrame | None = None
    notes: tuple[str, ...] = ()
