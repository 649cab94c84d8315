"""Unit events: validation, round trip, fresh ids."""

from __future__ import annotations

import uuid

import pytest

from console.domain import (
    AlertValidationError,
    EventKind,
    event_to_json,
    new_event,
    parse_alert,
    parse_event,
)
from tests.domain.factories import alert_dict


def test_new_event_round_trips_with_fresh_uuid() -> None:
    a = new_event("PGH-1", EventKind.STATUS, "2A12", {"status": "on_scene"})
    b = new_event("PGH-1", "note", "2A12", {"text": "Casings on sidewalk"})
    assert a.event_id != b.event_id and uuid.UUID(a.event_id)
    assert parse_event(event_to_json(a)) == a


@pytest.mark.parametrize(("kind", "data", "message"), [
    ("status", {"status": "lunch"}, "data.status: must be one of"),
    ("note", {}, "data.text: is required"),
    ("canvass", {"nested": {"a": 1}}, "must be a JSON scalar"),
    ("canvass", {"Bad Key": 1}, "key: must match"),
    ("wave", {}, "kind: must be one of"),
])
def test_bad_events_are_rejected(kind: str, data: dict, message: str) -> None:
    with pytest.raises(AlertValidationError) as info:
        parse_event({"event_id": str(uuid.uuid4()), "incident_id": "PGH-1", "kind": kind,
                     "at": "2024-05-01T02:20:00Z", "unit": "2A12", "data": data})
    assert message in str(info.value)


def test_alert_carries_other_units_events() -> None:
    event = new_event("PGH-1", "canvass", "2A14", {"result": "no_answer", "address": "12 Main"})
    alert = parse_alert(alert_dict("PGH-1", events=[event_to_json(event)]))
    assert alert.events == (event,)


def test_event_for_other_incident_inside_alert_is_rejected() -> None:
    event = new_event("PGH-2", "note", "2A14", {"text": "x"})
    with pytest.raises(AlertValidationError, match="events\\[0\\].incident_id"):
        parse_alert(alert_dict("PGH-1", events=[event_to_json(event)]))
