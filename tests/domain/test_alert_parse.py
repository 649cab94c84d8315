"""Strict parsing of protocol v1 alerts: valid round trips and named rejections."""

from __future__ import annotations

import contextlib
import copy
import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.domain import (
    AlertType,
    AlertValidationError,
    Review,
    SupplementKind,
    alert_to_json,
    parse_alert,
)
from tests.domain.factories import alert_dict


def test_full_alert_parses_with_every_field() -> None:
    raw = alert_dict(mobile={"speed_mps": 8, "heading_deg": 45}, shooters=2)
    alert = parse_alert(raw)
    assert alert.id == "PGH-2024-0001" and alert.revision == 1 and alert.seq == 1
    assert alert.review is Review.MACHINE and alert.type is AlertType.MULTIPLE_GUNSHOTS
    assert alert.time == datetime(2024, 5, 1, 2, 13, 7, 250000, tzinfo=UTC)
    assert (alert.location.lat, alert.location.lon) == (40.4406, -79.9959)
    assert alert.mobile is not None and alert.mobile.speed_mps == 8.0
    assert len(alert.shots) == 2 and alert.shots[1].shooter == 1
    assert alert.supplements[0].kind is SupplementKind.VEHICLE


def test_round_trip_is_exact() -> None:
    alert = parse_alert(alert_dict(mobile={"speed_mps": 3.5, "heading_deg": 270.25}))
    again = parse_alert(json.loads(json.dumps(alert_to_json(alert))))
    assert again == alert


def test_time_with_offset_is_converted_to_utc() -> None:
    alert = parse_alert(alert_dict(time="2024-05-01T04:13:07+02:00"))
    assert alert.time == datetime(2024, 5, 1, 2, 13, 7, tzinfo=UTC)
    assert alert_to_json(alert)["time"] == "2024-05-01T02:13:07Z"


def test_sensors_field_is_dropped() -> None:
    alert = parse_alert(alert_dict(sensors=[{"id": "S1", "lat": 40.1, "lon": -79.1}]))
    assert "sensors" not in alert_to_json(alert)
    assert not hasattr(alert, "sensors")


def _set(path: str, value: Any) -> dict[str, Any]:
    raw = alert_dict()
    target = raw
    *parents, last = path.split(".")
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is _DELETE:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return raw


_DELETE = object()

BAD_CASES = [
    ("id", _DELETE, "id: is required"),
    ("id", "a/b", "id: must match"),
    ("id", "", "id: must not be empty"),
    ("seq", 0, "seq: must be in 1.."),
    ("revision", "2", "revision: must be an integer"),
    ("revision", True, "revision: must be an integer"),
    ("review", "bogus", "review: must be one of"),
    ("type", "fireworks", "type: must be one of"),
    ("time", "2024-05-01T02:13:07", "time: must be ISO-8601"),
    ("time", "2024-02-30T02:13:07Z", "time: is not a valid date-time"),
    ("time", "yesterday", "time: must be ISO-8601"),
    ("location.lat", 91, "location.lat: must be in [-90, 90] (got 91)"),
    ("location.lon", -180.5, "location.lon: must be in [-180, 180] (got -180.5)"),
    ("location.lat", math.nan, "location.lat: must be a finite number"),
    ("location", {"lat": 0, "lon": 0, "uncertainty_m": 10}, "null island"),
    ("location.uncertainty_m", 0, "location.uncertainty_m: must be in (0, 5000]"),
    ("location.uncertainty_m", 5000.1, "location.uncertainty_m: must be in (0, 5000]"),
    ("rounds", -1, "rounds: must be in 0..1000 (got -1)"),
    ("rounds", 1001, "rounds: must be in 0..1000"),
    ("shooters", 0, "shooters: must be in 1..100"),
    ("mobile", {"speed_mps": 101, "heading_deg": 10}, "mobile.speed_mps: must be in [0, 100]"),
    ("mobile", {"speed_mps": 5, "heading_deg": 361}, "mobile.heading_deg: must be in [0, 360]"),
    ("mobile", {"speed_mps": 5}, "mobile.heading_deg: is required"),
    ("address", "x" * 201, "address: is 201 characters, at most 200"),
    ("address", "Penn\x00Ave", "address: contains a control character"),
    ("address", 12, "address: must be a string"),
    ("shots.1.lat", "40", "shots[1].lat: must be a number"),
    ("supplements", [{"at": "2024-05-01T02:15:00Z", "kind": "rumour", "text": "x"}],
     "supplements[0].kind: must be one of"),
    ("audio", [{"href": "/a", "mime": "video/mp4"}], "audio[0].mime: must be one of"),
    ("notes", "n" * 4001, "notes: is 4001 characters"),
    ("padding", "p" * (300 * 1024), "alert: is 3"),
]


@pytest.mark.parametrize(("path", "value", "message"), BAD_CASES,
                         ids=[f"{p}={str(v)[:20]!r}" for p, v, _ in BAD_CASES])
def test_bad_field_is_rejected_with_named_field(path: str, value: Any, message: str) -> None:
    with pytest.raises(AlertValidationError) as info:
        parse_alert(_set(path, value))
    assert message in str(info.value)


@pytest.mark.parametrize("obj", [None, [], "alert", 3, {"id": None}, {1: "x"}])
def test_non_alert_values_are_rejected(obj: Any) -> None:
    with pytest.raises(AlertValidationError):
        parse_alert(obj)


def test_parse_does_not_mutate_input() -> None:
    raw = alert_dict(sensors=[1])
    before = copy.deepcopy(raw)
    parse_alert(raw)
    assert raw == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=6),
    max_leaves=30,
)
field_names = st.sampled_from(sorted(alert_dict()) + ["sensors", "events", "location"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_json_only_raises_validation_error(value: Any) -> None:
    with contextlib.suppress(AlertValidationError):
        parse_alert(value)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(field_names, json_values, max_size=4), st.booleans())
def test_mutated_alert_parses_or_raises_validation_error(
    changes: dict[str, Any], add_sensors: bool
) -> None:
    raw = {**alert_dict(), **changes}
    if add_sensors:
        raw["sensors"] = [{"id": "S1", "lat": 40.0, "lon": -80.0}]
    try:
        alert = parse_alert(raw)
    except AlertValidationError:
        return
    out = alert_to_json(alert)
    assert "sensors" not in out
    assert parse_alert(out) == alert


def test_unknown_enum_value_lists_the_allowed_names_plainly() -> None:
    with pytest.raises(AlertValidationError) as err:
        parse_alert(alert_dict(type="gunshot_or_fireworks"))
    message = str(err.value)
    assert "type" in message and "gunshot_or_fireworks" in message
    assert "single_gunshot" in message and "multiple_gunshots" in message
    assert "<" not in message and "AlertType" not in message
