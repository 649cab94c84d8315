"""ShotSpotter sensor WAVs carrying an ``smj0`` metadata chunk.

Contents
--------
- :class:`SensorAudio`     -- one sensor's audio with its time, geolocation and metadata
- :func:`read_smj0_wav`    -- read one such WAV
- :func:`read_smj0_folder` -- read a folder of them as one incident (local metric frame)
- :func:`decode_smj0`      -- the metadata dictionary of an ``smj0`` chunk payload

The ``smj0`` chunk is zlib-compressed UTF-8 JSON with (among others) ``serialNumber``,
``startTimeUTC`` (the first sample), ``geolocation {latitude, longitude, elevation}`` and
``weather {temperature, speed, direction}`` (direction = the azimuth the wind blows FROM).
"""

from __future__ import annotations

import math
import statistics
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from locator_core._fields import get_number, get_obj, get_text, get_time, parse_json
from locator_core.types import IncidentData, LocalFrame, LocatorError, Recording, Sensor, Weather
from locator_core.wavfile import read_wav

__all__ = [
    "SensorAudio",
    "read_smj0_wav",
    "read_smj0_folder",
    "decode_smj0",
    "DEFAULT_TEMPERATURE_C",
]

DEFAULT_TEMPERATURE_C = 15.0
"""Air temperature assumed when no metadata gives one, degC."""


@dataclass(frozen=True, eq=False)
class SensorAudio:
    """One sensor WAV with its ``smj0`` metadata.

    samples : ndarray of float32 in [-1, 1] (channel 0)
    sample_rate : int, Hz
    start_ns : int, time of the first sample, nanoseconds since the epoch (UTC)
    latitude, longitude : float, degrees (WGS 84)
    elevation_m : float, metres
    metadata : dict, the whole decoded ``smj0`` JSON
    """

    path: str
    serial: str
    start_ns: int
    sample_rate: int
    samples: np.ndarray = field(repr=False)
    latitude: float
    longitude: float
    elevation_m: float
    metadata: dict[str, Any] = field(repr=False)

    def sensor(self, frame: LocalFrame) -> Sensor:
        """This sensor at its position in ``frame`` (metres)."""
        x, y, z = frame.to_local(self.latitude, self.longitude, self.elevation_m)
        return Sensor(self.serial, x, y, z)

    def recording(self, frame: LocalFrame) -> Recording:
        """This audio as a :class:`Recording` positioned in ``frame``."""
        return Recording(
            self.sensor(frame), self.start_ns, float(self.sample_rate), self.samples, self.path
        )


def decode_smj0(payload: bytes, *, name: str = "smj0 chunk") -> dict[str, Any]:
    """Decompress and parse an ``smj0`` chunk payload into its metadata dictionary."""
    try:
        raw = zlib.decompress(payload)
    except zlib.error:
        raise LocatorError(f"{name}: the smj0 metadata chunk is not valid zlib data.") from None
    meta = parse_json(raw, name=f"{name} (smj0 metadata)")
    if not isinstance(meta, dict):
        raise LocatorError(f"{name}: the smj0 metadata is not a JSON object.")
    return meta


def read_smj0_wav(path: str | Path) -> SensorAudio:
    """Read a sensor WAV and its ``smj0`` metadata.

    Raises
    ------
    LocatorError
        If the file is not a readable WAV, has no ``smj0`` chunk, or its metadata lacks
        a serial number, a start time or a finite latitude/longitude.
    """
    path = Path(path)
    wav = read_wav(path)
    payload = wav.chunk("smj0")
    if payload is None:
        raise LocatorError(f"{path} has no smj0 metadata chunk (sensor time and position unknown).")
    name = str(path)
    meta = decode_smj0(payload, name=name)
    geo = get_obj(meta, "geolocation", name)
    lat = get_number(geo, "latitude", name)
    lon = get_number(geo, "longitude", name)
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise LocatorError(f"{name}: geolocation ({lat}, {lon}) is not a valid latitude/longitude.")
    return SensorAudio(
        path=name,
        serial=get_text(meta, "serialNumber", name),
        start_ns=get_time(meta, "startTimeUTC", name),
        sample_rate=wav.sample_rate,
        samples=wav.samples,
        latitude=lat,
        longitude=lon,
        elevation_m=get_number(geo, "elevation", name, default=0.0),
        metadata=meta,
    )


def read_smj0_folder(folder: str | Path) -> IncidentData:
    """Read every ``*.wav`` in ``folder`` as one incident.

    Sensors are placed in metres in a :class:`LocalFrame` at the centroid of their
    latitudes/longitudes, with ``h0`` the mean elevation. Weather is the median over the
    files' metadata (wind direction: circular mean); a missing temperature is taken as
    :data:`DEFAULT_TEMPERATURE_C` and said so in ``notes``. ``pulses`` is empty: run
    :func:`locator_core.detect.detect_incident_pulses` on the result.
    """
    folder = Path(folder)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".wav")
    if not files:
        raise LocatorError(f"{folder} holds no WAV files.")
    return incident_from_audio(folder.name, [read_smj0_wav(p) for p in files])


def incident_from_audio(name: str, audio: list[SensorAudio]) -> IncidentData:
    """Assemble sensor audio into an incident in a local frame at the sensors' centroid."""
    serials = [a.serial for a in audio]
    for serial in set(serials):
        if serials.count(serial) > 1:
            paths = ", ".join(a.path for a in audio if a.serial == serial)
            raise LocatorError(f"sensor {serial} has more than one recording: {paths}.")
    frame = LocalFrame(
        lat0=float(np.mean([a.latitude for a in audio])),
        lon0=float(np.mean([a.longitude for a in audio])),
        h0=float(np.mean([a.elevation_m for a in audio])),
    )
    recordings = tuple(sorted((a.recording(frame) for a in audio), key=lambda r: r.sensor.serial))
    weather, notes = _weather([a.metadata for a in audio])
    missing_elev = [a.serial for a in audio if "elevation" not in a.metadata.get("geolocation", {})]
    if missing_elev:
        notes += (f"no elevation for {', '.join(missing_elev)}: 0 m assumed.",)
    return IncidentData(
        name=name,
        sensors=tuple(r.sensor for r in recordings),
        recordings=recordings,
        weather=weather,
        frame=frame,
        notes=notes,
    )


def _weather(metas: list[dict[str, Any]]) -> tuple[Weather, tuple[str, ...]]:
    temps, speeds, dirs = [], [], []
    for meta in metas:
        w = meta.get("weather")
        if not isinstance(w, dict):
            continue
        for key, out in (("temperature", temps), ("speed", speeds), ("direction", dirs)):
            value = w.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
                out.append(float(value))
    implausible = [t for t in temps if not -60.0 <= t <= 60.0]
    temps = [t for t in temps if -60.0 <= t <= 60.0]
    notes = [f"implausible air temperature {t:g} degC in the metadata ignored." for t in implausible]
    if temps:
        temperature = statistics.median(temps)
    else:
        temperature = DEFAULT_TEMPERATURE_C
        notes.append(f"no air temperature in the metadata: {DEFAULT_TEMPERATURE_C:g} degC assumed.")
    if not speeds:
        notes.append("no wind in the metadata: calm assumed.")
    direction = 0.0
    if dirs:
        rad = np.radians(dirs)
        mean = np.degrees(np.arctan2(np.sin(rad).mean(), np.cos(rad).mean()))
        direction = round(float(mean), 6) % 360.0
    weather = Weather(temperature, statistics.median(speeds) if speeds else 0.0, direction)
    return weather, tuple(notes)
