"""Canvass records: door outcomes, witnesses, visits, evidence, progress and their events.

Sensitive data stays local. A witness's name and contact (:class:`Witness`) are kept in
the car's store only: the ``canvass`` event sent to the feed says *that* a witness was
recorded (``witness: true``) and nothing about who. The feed relays events to every unit
on the incident and keeps them on a server the department does not run for personal
data, so the investigator gets the contact from the officer's record, not from the
feed. :class:`Witness` never shows its values in ``repr`` or ``str``, so a log line or a
traceback that includes a visit cannot leak them either.

A visit's (an evidence item's) id is also the id of its event, so the outbox delivers
each record exactly once however often it is retried.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from console.domain._checks import format_time
from console.domain.events import EventKind, UnitEvent, parse_event

__all__ = [
    "CanvassVisit",
    "EvidenceItem",
    "EvidenceKind",
    "HeardShots",
    "Outcome",
    "Progress",
    "Witness",
    "evidence_event",
    "latest_outcomes",
    "mask",
    "progress",
    "visit_event",
]


class Outcome(StrEnum):
    """What happened at a door; the order is the order of the buttons."""

    NO_ANSWER = "no_answer"
    CONTACTED_NO_INFO = "contacted_no_info"
    HEARD_SHOTS = "heard_shots"
    SAW_SOMETHING = "saw_something"
    CAMERA_AVAILABLE = "camera_available"
    EVIDENCE_FOUND = "evidence_found"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    Outcome.NO_ANSWER: "No answer",
    Outcome.CONTACTED_NO_INFO: "Contacted – no info",
    Outcome.HEARD_SHOTS: "Heard shots",
    Outcome.SAW_SOMETHING: "Saw something",
    Outcome.CAMERA_AVAILABLE: "Camera available",
    Outcome.EVIDENCE_FOUND: "Evidence found",
    Outcome.REFUSED: "Refused",
}


class EvidenceKind(StrEnum):
    CASINGS = "casings"
    WEAPON = "weapon"
    DAMAGE = "damage"
    BLOOD = "blood"
    OTHER = "other"



def mask(text: str | None) -> str:
    """Masked form of a sensitive value for display: first letter of each word, then dots."""
    if not text:
        return ""
    return " ".join(w[0] + "•" * min(len(w) - 1, 6) for w in text.split())


@dataclass(frozen=True, slots=True)
class Witness:
    """A witness's name and contact: sensitive, stored locally only, never logged."""

    name: str | None = field(default=None, repr=False)
    contact: str | None = field(default=None, repr=False)

    def __bool__(self) -> bool:
        return bool(self.name or self.contact)

    def __repr__(self) -> str:
        return "Witness(<sensitive>)" if self else "Witness()"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class HeardShots:
    """What a resident heard: free time text (``"about 02:10"``), count and direction."""

    time: str | None = None
    count: int | None = None
    direction: str | None = None

    def __post_init__(self) -> None:
        if self.count is not None and not (0 <= self.count <= 1000):
            raise ValueError(f"heard count must be in [0, 1000], got {self.count!r}")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CanvassVisit:
    """One knock at one door; ``visit_id`` is also the id of the event sent for it."""

    incident_id: str
    address_key: str
    outcome: Outcome
    unit: str
    at: datetime = field(default_factory=_now)
    heard: HeardShots | None = None
    note: str | None = None
    witness: Witness = field(default_factory=Witness)
    visit_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcome", Outcome(self.outcome))
        if self.at.tzinfo is None:
            raise ValueError(f"visit time must be timezone-aware, got {self.at!r}")


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """A piece of evidence pinned on the map (``count`` for casings)."""

    incident_id: str
    kind: EvidenceKind
    lat: float
    lon: float
    unit: str
    count: int | None = None
    note: str | None = None
    at: datetime = field(default_factory=_now)
    item_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", EvidenceKind(self.kind))
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValueError(f"evidence position out of range: {self.lat!r}, {self.lon!r}")
        if self.count is not None and not (1 <= self.count <= 10_000):
            raise ValueError(f"evidence count must be in [1, 10000], got {self.count!r}")


@dataclass(frozen=True, slots=True)
class Progress:
    visited: int
    total: int

    @property
    def text(self) -> str:
        return f"{self.visited} / {self.total}"


def latest_outcomes(visits: Iterable[CanvassVisit]) -> dict[str, Outcome]:
    """The newest outcome per address key (a revisit replaces an earlier ``no_answer``)."""
    out: dict[str, tuple[datetime, Outcome]] = {}
    for v in visits:
        if v.address_key not in out or v.at >= out[v.address_key][0]:
            out[v.address_key] = (v.at, v.outcome)
    return {k: o for k, (_, o) in out.items()}


def progress(address_keys: Iterable[str], visits: Iterable[CanvassVisit]) -> Progress:
    """Doors of the area visited at least once, out of all doors of the area."""
    keys = set(address_keys)
    done = {v.address_key for v in visits} & keys
    return Progress(len(done), len(keys))


def _event(event_id: str, incident_id: str, at: datetime, unit: str,
           data: Mapping[str, Any]) -> UnitEvent:
    clean = {k: v for k, v in data.items() if v is not None}
    return parse_event({"event_id": event_id, "incident_id": incident_id,
                        "kind": str(EventKind.CANVASS), "at": format_time(at),
                        "unit": unit, "data": clean})


def visit_event(visit: CanvassVisit, address: str | None = None) -> UnitEvent:
    """The ``canvass`` event for a visit: outcome and details, never the witness's identity."""
    heard = visit.heard or HeardShots()
    return _event(visit.visit_id, visit.incident_id, visit.at, visit.unit, {
        "record": "visit", "address_key": visit.address_key, "address": address,
        "result": str(visit.outcome), "heard_time": heard.time, "heard_count": heard.count,
        "heard_direction": heard.direction, "note": visit.note, "witness": bool(visit.witness),
    })


def evidence_event(item: EvidenceItem) -> UnitEvent:
    """The ``canvass`` event for an evidence item pinned on the map."""
    return _event(item.item_id, item.incident_id, item.at, item.unit, {
        "record": "evidence", "evidence": str(item.kind), "count": item.count,
        "lat": round(item.lat, 7), "lon": round(item.lon, 7), "note": item.note,
    })
