"""Alert records of feed protocol v1 and their strict parser.

Contents: the enums ``AlertType``, ``Review``, ``SupplementKind``; frozen records ``Alert``,
``Location``, ``Shot``, ``Mobile``, ``AudioRef``, ``Supplement``; ``parse_alert`` (raises
``AlertValidationError``) and its inverse ``alert_to_json``. See ``docs/feed-protocol.md``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from console.domain._checks import (
    AlertValidationError,
    field,
    format_time,
    req_float,
    req_int,
    req_mapping,
    req_seq,
    req_str,
    req_time,
)
from console.domain.events import UnitEvent, event_to_json, parse_event

__all__ = [
    "MAX_ALERT_BYTES",
    "Alert",
    "AlertType",
    "AlertValidationError",
    "AudioRef",
    "Location",
    "Mobile",
    "Review",
    "Shot",
    "Supplement",
    "SupplementKind",
    "alert_to_json",
    "parse_alert",
]

MAX_ALERT_BYTES = 256 * 1024
INCIDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_AUDIO_MIME = frozenset({"audio/wav", "audio/x-wav", "audio/flac", "audio/x-flac"})
#: Fields a feed must never deliver to a car; dropped on parse, never stored.
FORBIDDEN_FIELDS = frozenset({"sensors"})


class AlertType(StrEnum):
    SINGLE_GUNSHOT = "single_gunshot"
    MULTIPLE_GUNSHOTS = "multiple_gunshots"
    PROBABLE_GUNFIRE = "probable_gunfire"
    GUNSHOT_OR_FIRECRACKER = "gunshot_or_firecracker"


class Review(StrEnum):
    MACHINE = "machine"
    REVIEWED = "reviewed"
    UPDATED = "updated"
    CANCELLED = "cancelled"


class SupplementKind(StrEnum):
    VICTIM_CONFIRMED = "victim_confirmed"
    SUBJECT = "subject"
    VEHICLE = "vehicle"
    WEAPON_DISCARDED = "weapon_discarded"
    DUPLICATE_CALL = "duplicate_call"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Location:
    lat: float
    lon: float
    uncertainty_m: float


@dataclass(frozen=True, slots=True)
class Shot:
    time: datetime
    lat: float
    lon: float
    shooter: int


@dataclass(frozen=True, slots=True)
class Mobile:
    speed_mps: float
    heading_deg: float


@dataclass(frozen=True, slots=True)
class AudioRef:
    href: str
    mime: str
    duration_s: float | None


@dataclass(frozen=True, slots=True)
class Supplement:
    at: datetime
    kind: SupplementKind
    text: str


@dataclass(frozen=True, slots=True)
class Alert:
    """One revision of one incident as delivered by the feed (``seq`` is the feed order)."""

    seq: int
    id: str
    revision: int
    review: Review
    type: AlertType
    time: datetime
    location: Location
    address: str | None = None
    district: str | None = None
    beat: str | None = None
    rounds: int | None = None
    shooters: int | None = None
    mobile: Mobile | None = None
    shots: tuple[Shot, ...] = ()
    audio: tuple[AudioRef, ...] = ()
    notes: str | None = None
    supplements: tuple[Supplement, ...] = ()
    events: tuple[UnitEvent, ...] = ()


def _position(obj: Any, path: str) -> tuple[float, float]:
    lat = req_float(field(obj, "lat", path), f"{path}.lat", lo=-90.0, hi=90.0)
    lon = req_float(field(obj, "lon", path), f"{path}.lon", lo=-180.0, hi=180.0)
    if abs(lat) < 1e-6 and abs(lon) < 1e-6:
        raise AlertValidationError(path, "is 0,0 (null island), not a real position", (lat, lon))
    return lat, lon


def _location(value: Any) -> Location:
    obj = req_mapping(value, "location")
    lat, lon = _position(obj, "location")
    unc = req_float(
        field(obj, "uncertainty_m", "location"), "location.uncertainty_m",
        lo=0.0, hi=5000.0, lo_open=True,
    )
    return Location(lat, lon, unc)


def _shot(value: Any, path: str) -> Shot:
    obj = req_mapping(value, path)
    lat, lon = _position(obj, path)
    when = req_time(field(obj, "time", path), f"{path}.time")
    shooter = req_int(obj.get("shooter", 1), f"{path}.shooter", lo=1, hi=100)
    return Shot(when, lat, lon, shooter)


def _mobile(value: Any) -> Mobile:
    obj = req_mapping(value, "mobile")
    speed = req_float(field(obj, "speed_mps", "mobile"), "mobile.speed_mps", lo=0.0, hi=100.0)
    heading = req_float(
        field(obj, "heading_deg", "mobile"), "mobile.heading_deg", lo=0.0, hi=360.0
    )
    return Mobile(speed, heading)


def _audio(value: Any, path: str) -> AudioRef:
    obj = req_mapping(value, path)
    href = req_str(field(obj, "href", path), f"{path}.href", max_len=2048)
    mime = req_str(field(obj, "mime", path), f"{path}.mime", max_len=100, choices=_AUDIO_MIME)
    duration = obj.get("duration_s")
    if duration is not None:
        duration = req_float(duration, f"{path}.duration_s", lo=0.0, hi=3600.0)
    return AudioRef(href, mime, duration)


def _supplement(value: Any, path: str) -> Supplement:
    obj = req_mapping(value, path)
    at = req_time(field(obj, "at", path), f"{path}.at")
    kind = req_str(field(obj, "kind", path), f"{path}.kind", max_len=32,
                   choices=frozenset(SupplementKind))
    text = req_str(field(obj, "text", path), f"{path}.text", max_len=2000, multiline=True)
    return Supplement(at, SupplementKind(kind), text)


def _opt_str(obj: Any, key: str, max_len: int, *, multiline: bool = False) -> str | None:
    value = obj.get(key)
    return None if value is None else req_str(value, key, max_len=max_len, multiline=multiline)


def _opt_int(obj: Any, key: str, lo: int, hi: int) -> int | None:
    value = obj.get(key)
    return None if value is None else req_int(value, key, lo=lo, hi=hi)


def _items(obj: Any, key: str, max_len: int) -> list[Any]:
    value = obj.get(key)
    return [] if value is None else req_seq(value, key, max_len=max_len)


def _check_size(obj: Any) -> None:
    try:
        size = len(json.dumps(obj, ensure_ascii=False, default=str).encode("utf-8", "replace"))
    except (TypeError, ValueError, RecursionError):
        raise AlertValidationError("alert", "is not JSON-serialisable") from None
    if size > MAX_ALERT_BYTES:
        raise AlertValidationError("alert", f"is {size} bytes, at most {MAX_ALERT_BYTES} allowed")


def parse_alert(obj: Any) -> Alert:
    """Validate a decoded JSON alert and return it as an :class:`Alert`.

    Unknown members are ignored; ``sensors`` is dropped. Raises ``AlertValidationError``
    naming the field and bad value on any violation of protocol v1.
    """
    obj = req_mapping(obj, "alert")
    _check_size(obj)
    incident_id = req_str(field(obj, "id", ""), "id", max_len=64, pattern=INCIDENT_ID)
    shots = _items(obj, "shots", 1000)
    audio = _items(obj, "audio", 32)
    supplements = _items(obj, "supplements", 500)
    events = _items(obj, "events", 500)
    mobile = obj.get("mobile")
    return Alert(
        seq=req_int(field(obj, "seq", ""), "seq", lo=1, hi=2**63 - 1),
        id=incident_id,
        revision=req_int(field(obj, "revision", ""), "revision", lo=1, hi=2**31 - 1),
        review=Review(req_str(field(obj, "review", ""), "review", max_len=16,
                              choices=frozenset(Review))),
        type=AlertType(req_str(field(obj, "type", ""), "type", max_len=32,
                               choices=frozenset(AlertType))),
        time=req_time(field(obj, "time", ""), "time"),
        location=_location(field(obj, "location", "")),
        address=_opt_str(obj, "address", 200),
        district=_opt_str(obj, "district", 64),
        beat=_opt_str(obj, "beat", 32),
        rounds=_opt_int(obj, "rounds", 0, 1000),
        shooters=_opt_int(obj, "shooters", 1, 100),
        mobile=None if mobile is None else _mobile(mobile),
        shots=tuple(_shot(s, f"shots[{i}]") for i, s in enumerate(shots)),
        audio=tuple(_audio(a, f"audio[{i}]") for i, a in enumerate(audio)),
        notes=_opt_str(obj, "notes", 4000, multiline=True),
        supplements=tuple(_supplement(s, f"supplements[{i}]") for i, s in enumerate(supplements)),
        events=tuple(_feed_event(e, f"events[{i}]", incident_id) for i, e in enumerate(events)),
    )


def _feed_event(value: Any, path: str, incident_id: str) -> UnitEvent:
    event = parse_event(value, path=path)
    if event.incident_id != incident_id:
        raise AlertValidationError(f"{path}.incident_id", "differs from the alert id",
                                   event.incident_id)
    return event


def alert_to_json(alert: Alert) -> dict[str, Any]:
    """Return the protocol JSON object for ``alert``; ``parse_alert`` of it gives it back."""
    out: dict[str, Any] = {
        "seq": alert.seq, "id": alert.id, "revision": alert.revision,
        "review": str(alert.review), "type": str(alert.type), "time": format_time(alert.time),
        "location": {"lat": alert.location.lat, "lon": alert.location.lon,
                     "uncertainty_m": alert.location.uncertainty_m},
    }
    for key in ("address", "district", "beat", "rounds", "shooters", "notes"):
        value = getattr(alert, key)
        if value is not None:
            out[key] = value
    if alert.mobile is not None:
        out["mobile"] = {"speed_mps": alert.mobile.speed_mps,
                         "heading_deg": alert.mobile.heading_deg}
    out["shots"] = [{"time": format_time(s.time), "lat": s.lat, "lon": s.lon,
                     "shooter": s.shooter} for s in alert.shots]
    out["audio"] = [{"href": a.href, "mime": a.mime, "duration_s": a.duration_s}
                    for a in alert.audio]
    out["supplements"] = [{"at": format_time(s.at), "kind": str(s.kind), "text": s.text}
                          for s in alert.supplements]
    out["events"] = [event_to_json(e) for e in alert.events]
    return out
