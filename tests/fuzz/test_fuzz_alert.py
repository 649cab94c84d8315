"""Fuzzing the alert and event parsers: any JSON-like value, and valid alerts/events with
one or a few parts mutated, either parse or raise AlertValidationError naming a field."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from console.domain.alert import Alert, AlertValidationError, alert_to_json, parse_alert
from console.domain.events import UnitEvent, parse_event
from tests.fuzz.conftest import budget

FAST = budget(400)

VALID_ALERT: dict[str, Any] = {
    "seq": 1043, "id": "PGH-2024-0001", "revision": 2, "review": "reviewed",
    "type": "multiple_gunshots", "time": "2024-05-01T02:13:07.25Z",
    "location": {"lat": 40.4406, "lon": -79.9959, "uncertainty_m": 25},
    "address": "1200 Penn Ave", "district": "Zone 2", "beat": "2B",
    "rounds": 5, "shooters": 2, "mobile": {"speed_mps": 8, "heading_deg": 45},
    "shots": [{"time": "2024-05-01T02:13:07.25Z", "lat": 40.4406, "lon": -79.9959,
               "shooter": 1}],
    "audio": [{"href": "/v1/alerts/PGH-2024-0001/audio/0", "mime": "audio/wav",
               "duration_s": 4.5}],
    "notes": "Reviewer: 5 rounds, two weapons",
    "supplements": [{"at": "2024-05-01T02:15:00Z", "kind": "vehicle",
                     "text": "Dark sedan eastbound"}],
    "events": [{"event_id": "0b6f3c8e-3d8e-4d59-9d7b-2f1a9c0b7e11",
                "incident_id": "PGH-2024-0001", "kind": "status",
                "at": "2024-05-01T02:16:40Z", "unit": "2A12",
                "data": {"status": "en_route"}}],
}
VALID_EVENT = VALID_ALERT["events"][0]

scalars = (st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40)
           | st.sampled_from(["", "machine", "2024-05-01T02:13:07Z", "2024-13-45T99:99:99Z",
                              "\x00", "PGH-1", "a" * 70, "en_route", "status", "canvass",
                              "0b6f3c8e-3d8e-4d59-9d7b-2f1a9c0b7e11"]))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=12) | st.sampled_from(list(VALID_ALERT)), inner,
                      max_size=5),
    max_leaves=20)


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> Any:
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "grow"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "grow" and isinstance(parent[path[-1]], (str, list)):
            parent[path[-1]] = parent[path[-1]] * draw(st.integers(2, 600))
        else:
            parent[path[-1]] = draw(json_values)
    return doc


def _check_error(exc: AlertValidationError, root: str) -> None:
    text = str(exc)
    assert exc.path and exc.path.split(".")[0].split("[")[0] in (root, *VALID_ALERT), text
    assert text.startswith(f"{exc.path}: ") and exc.problem, text


def _parse_alert(raw: Any) -> Alert | None:
    try:
        return parse_alert(raw)
    except AlertValidationError as exc:
        _check_error(exc, "alert")
        return None


@FAST
@given(json_values)
def test_alert_parser_any_json_value(raw: Any) -> None:
    _parse_alert(raw)


@FAST
@given(mutated(VALID_ALERT))
def test_alert_parser_mutated_valid_alert(raw: Any) -> None:
    got = _parse_alert(raw)
    if got is not None:  # what it accepts survives its own round trip through JSON
        again = parse_alert(json.loads(json.dumps(alert_to_json(got))))
        assert again == got


@FAST
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_alert_parser_raw_bytes_and_text(raw: bytes | str) -> None:
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return  # the HTTP layer rejects undecodable bodies before the parser
    _parse_alert(doc)


def _parse_event(raw: Any) -> UnitEvent | None:
    try:
        return parse_event(raw)
    except AlertValidationError as exc:
        _check_error(exc, "event")
        return None


@FAST
@given(json_values | mutated(VALID_EVENT))
def test_event_parser(raw: Any) -> None:
    _parse_event(raw)


def test_the_seed_documents_are_valid() -> None:
    assert parse_alert(copy.deepcopy(VALID_ALERT)).id == "PGH-2024-0001"
    assert parse_event(copy.deepcopy(VALID_EVENT)).unit == "2A12"
