"""Unit events: status, canvass and note records a car posts about an incident.

Each event carries a client-made ``event_id`` (UUID) so a retried POST is applied once.
The same records come back in an alert's ``events`` array when the feed relays other
units' events. ``data`` holds flat JSON scalars only, so a parsed event is immutable.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from console.domain._checks import (
    AlertValidationError,
    format_time,
    req_mapping,
    req_str,
    req_time,
)
from console.domain._checks import field as member

__all__ = [
    "EventKind",
    "IncidentStatus",
    "UnitEvent",
    "event_to_json",
    "new_event",
    "parse_event",
]

MAX_EVENT_DATA_BYTES = 8 * 1024
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")


class EventKind(StrEnum):
    STATUS = "status"
    CANVASS = "canvass"
    NOTE = "note"


class IncidentStatus(StrEnum):
    """Unit status values carried in a ``status`` event's ``data.status``, in workflow order."""

    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    CLEAR = "clear"


@dataclass(frozen=True, slots=True)
class UnitEvent:
    event_id: str
    incident_id: str
    kind: EventKind
    at: datetime
    unit: str
    data: Mapping[str, str | int | float | bool | None] = field(
        default_factory=lambda: MappingProxyType({})
    )


def _data(value: Any, path: str) -> Mapping[str, Any]:
    obj = req_mapping(value, path)
    if len(obj) > 32:
        raise AlertValidationError(path, f"has {len(obj)} keys, at most 32 allowed")
    out: dict[str, Any] = {}
    for key, item in obj.items():
        req_str(key, f"{path} key", max_len=32, pattern=_KEY)
        if isinstance(item, str):
            req_str(item, f"{path}.{key}", max_len=4000, multiline=True)
        elif isinstance(item, float) and not math.isfinite(item):
            raise AlertValidationError(f"{path}.{key}", "must be a finite number", item)
        elif item is not None and not isinstance(item, bool | int | float):
            raise AlertValidationError(f"{path}.{key}", "must be a JSON scalar", item)
        out[key] = item
    if len(json.dumps(out).encode()) > MAX_EVENT_DATA_BYTES:
        raise AlertValidationError(path, f"exceeds {MAX_EVENT_DATA_BYTES} bytes")
    return MappingProxyType(out)


def parse_event(obj: Any, *, path: str = "event") -> UnitEvent:
    """Validate a decoded JSON unit event; raises ``AlertValidationError``."""
    obj = req_mapping(obj, path)
    kind = req_str(member(obj, "kind", path), f"{path}.kind", max_len=16,
                   choices=frozenset(EventKind))
    event = UnitEvent(
        event_id=req_str(member(obj, "event_id", path), f"{path}.event_id", max_len=36,
                         pattern=_UUID).lower(),
        incident_id=req_str(member(obj, "incident_id", path), f"{path}.incident_id",
                            max_len=64, pattern=_ID),
        kind=EventKind(kind),
        at=req_time(member(obj, "at", path), f"{path}.at"),
        unit=req_str(member(obj, "unit", path), f"{path}.unit", max_len=32),
        data=_data(obj.get("data") or {}, f"{path}.data"),
    )
    if event.kind is EventKind.STATUS:
        req_str(member(event.data, "status", f"{path}.data"), f"{path}.data.status", max_len=16,
                choices=frozenset(IncidentStatus))
    if event.kind is EventKind.NOTE:
        req_str(member(event.data, "text", f"{path}.data"), f"{path}.data.text", max_len=4000, multiline=True)
    return event


def event_to_json(event: UnitEvent) -> dict[str, Any]:
    """Return the protocol JSON object for ``event``."""
    return {
        "event_id": event.event_id, "incident_id": event.incident_id, "kind": str(event.kind),
        "at": format_time(event.at), "unit": event.unit, "data": dict(event.data),
    }


def new_event(
    incident_id: str, kind: EventKind | str, unit: str, data: Mapping[str, Any],
    *, at: datetime | None = None,
) -> UnitEvent:
    """Make a validated event with a fresh ``event_id`` (time defaults to now, UTC)."""
    return parse_event({
        "event_id": str(uuid.uuid4()), "incident_id": incident_id, "kind": str(kind),
        "at": format_time(at or datetime.now(UTC)), "unit": unit, "data": dict(data),
    })
