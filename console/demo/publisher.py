"""Demo publisher: simulated gunshot incidents over central Helsinki, fed to a FeedServer.

Qt-free; runs in its own thread. Each incident is simulated, then LOCATED by
``locator_core`` from the sensor reports (the simulation's truth is never used for the
alert), turned into a protocol-v1 alert and published as revision 1 (``machine``), then
revision 2 (``reviewed``) and sometimes revision 3 with a dispatch supplement.

Sensor positions never leave this module: the alert carries only located shots, and
the one audio clip is plain WAV bytes from the sensor nearest the first round.
"""

from __future__ import annotations

import io
import logging
import math
import threading
import time
import wave
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import numpy as np

from console.demo.history import area_of
from console.mappack import read_addresses
from console.mappack.mbtiles import MapPackError
from console.resources import resource_path

__all__ = ["DEMO_BBOX", "DEMO_TOKEN", "build_demo_alert", "demo_alerts", "run_demo_publisher"]

log = logging.getLogger(__name__)

#: (south, west, north, east) of the shipped demo map pack, degrees.
DEMO_BBOX = (60.164, 24.935, 60.179, 24.953)
DEMO_TOKEN = "demo-token"
DEMO_PACK = resource_path("maps", "helsinki-center.mbtiles")
_SUPPLEMENTS = (
    ("victim_confirmed", "Caller reports one person injured, EMS requested"),
    ("vehicle", "Witness: dark saloon car leaving at speed"),
    ("duplicate_call", "Second 112 call from the same block reporting bangs"),
)


class _Publisher(Protocol):
    def publish(self, alert: dict[str, Any], audio: Any = ...) -> int: ...


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _wav_bytes(samples: np.ndarray, sample_rate: float) -> bytes:
    pcm = np.round(np.clip(np.asarray(samples, dtype=float), -1.0, 1.0) * 32767.0).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(round(sample_rate)))
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


class _AddressBook:
    """Nearest street address from the map pack, or a plain "near lat,lon" fallback."""

    def __init__(self) -> None:
        try:
            self._items = read_addresses(DEMO_PACK)
        except (MapPackError, OSError) as exc:
            log.warning("demo addresses unavailable: %s", exc)
            self._items = []

    def near(self, lat: float, lon: float) -> str:
        best, best_d = None, math.inf
        coslat = math.cos(math.radians(lat))
        for a in self._items:
            d = (a.lat - lat) ** 2 + ((a.lon - lon) * coslat) ** 2
            if d < best_d:
                best, best_d = a, d
        if best is None or math.sqrt(best_d) * 111_320 > 150:
            return f"near {lat:.5f}, {lon:.5f}"
        return f"near {best.street} {best.housenumber}"[:200]


def build_demo_alert(sim: Any, addresses: _AddressBook | None = None,
                     now: datetime | None = None) -> tuple[dict[str, Any], bytes]:
    """Locate ``sim`` and return (revision-1 alert dict, WAV bytes of one clip).

    Raises ``locator_core.types.LocatorError`` when the incident cannot be located.
    """
    from locator_core.pipeline import locate_incident
    from locator_core.simulate import render_audio

    data = sim.data
    sol = locate_incident(data)
    now = now or datetime.now(UTC)
    t_first = sol.shots[0].time_ns
    shots: list[dict[str, Any]] = []
    lats, lons = [], []
    for shot, shooter in zip(sol.shots, sol.shooter_of_shot, strict=True):
        lat, lon = sol.latlon(shot)
        lats.append(float(lat))
        lons.append(float(lon))
        when = now + timedelta(seconds=(shot.time_ns - t_first) / 1e9)
        shots.append({"time": _iso(when), "lat": round(float(lat), 7),
                      "lon": round(float(lon), 7), "shooter": int(shooter)})
    lat0, lon0 = float(np.mean(lats)), float(np.mean(lons))
    mean_x = float(np.mean([s.x for s in sol.shots]))
    mean_y = float(np.mean([s.y for s in sol.shots]))
    radius = max(math.hypot(s.x - mean_x, s.y - mean_y) + s.uncertainty_m for s in sol.shots)
    book = addresses or _AddressBook()
    alert: dict[str, Any] = {
        "id": data.name,
        "revision": 1,
        "review": "machine",
        "type": sol.type,
        "time": _iso(now),
        "location": {"lat": round(lat0, 7), "lon": round(lon0, 7),
                     "uncertainty_m": round(min(5000.0, max(1.0, radius)), 1)},
        "address": book.near(lat0, lon0),
        "district": area_of(lat0, lon0)[0],
        "beat": area_of(lat0, lon0)[1],
        "rounds": int(sol.rounds),
        "shooters": int(max(1, sol.shooters)),
        "mobile": None if sol.mobile is None else {
            "speed_mps": round(min(100.0, float(sol.mobile.speed_mps)), 1),
            "heading_deg": round(float(sol.mobile.heading_deg) % 360.0, 1)},
        "shots": shots,
    }
    (rec,) = render_audio(sim, max_sensors=1, rng=0)
    return alert, _wav_bytes(rec.samples, rec.sample_rate)


def demo_alerts(seed: int = 1) -> Iterator[Any]:
    """Endless simulated incidents over the demo map (same seed, same incidents)."""
    from locator_core.simulate import demo_incident_stream
    from locator_core.types import LocalFrame

    south, west, north, east = DEMO_BBOX
    frame = LocalFrame((south + north) / 2, (west + east) / 2)
    return demo_incident_stream(frame, DEMO_BBOX, rng=seed)


def run_demo_publisher(
    server: _Publisher, stop_event: threading.Event, *, seed: int = 1,
    first_delay_s: float = 2.0, interval_s: tuple[float, float] = (20.0, 45.0),
    review_delay_s: tuple[float, float] = (8.0, 15.0), count: int | None = None,
) -> None:
    """Publish demo incidents to ``server`` until ``stop_event`` is set (or ``count`` done)."""
    from locator_core.types import LocatorError

    rng = np.random.default_rng(seed)
    addresses = _AddressBook()
    published = 0
    if stop_event.wait(first_delay_s):
        return
    for sim in demo_alerts(seed):
        if stop_event.is_set() or (count is not None and published >= count):
            return
        started = time.monotonic()
        try:
            alert, clip = build_demo_alert(sim, addresses)
        except LocatorError as exc:
            log.warning("demo incident %s not located: %s", sim.data.name, exc)
            continue
        server.publish(alert, audio=[clip])
        published += 1
        log.info("demo published %s rev 1 (%s, %d rounds)", alert["id"], alert["type"],
                 alert["rounds"])
        if stop_event.wait(float(rng.uniform(*review_delay_s))):
            return
        reviewed = {**alert, "revision": 2, "review": "reviewed",
                    "notes": f"Reviewer: {alert['rounds']} round(s) confirmed on audio"}
        server.publish(reviewed)
        if rng.random() < 0.5:
            if stop_event.wait(float(rng.uniform(*review_delay_s)) / 2):
                return
            kind, text = _SUPPLEMENTS[int(rng.integers(len(_SUPPLEMENTS)))]
            server.publish({**reviewed, "revision": 3, "supplements": [
                {"at": _iso(datetime.now(UTC)), "kind": kind, "text": text}]})
        if count is not None and published >= count:
            return
        rest = float(rng.uniform(*interval_s)) - (time.monotonic() - started)
        if stop_event.wait(max(0.0, rest)):
            return
