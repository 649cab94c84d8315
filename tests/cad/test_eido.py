"""EIDO export: valid against the NENA schema (real validator), complete, no sensor data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from console.cad.eido import incident_eido, write_eido
from console.domain.alert import parse_alert
from console.domain.events import EventKind, IncidentStatus, new_event
from console.domain.workflow import status_event, undo_event
from tests.cad.eido_schema import SAMPLES, eido_errors
from tests.domain.factories import alert_dict

S = IncidentStatus
T0 = datetime(2024, 5, 1, 2, 14, tzinfo=UTC)


def _keys(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [k for k, v in node.items() for k in (k, *_keys(v))]
    if isinstance(node, list):
        return [k for v in node for k in _keys(v)]
    return []


def _alert():
    return parse_alert(alert_dict(
        "PGH-2024-0001", 3, audio=[{"href": "/v1/alerts/PGH-2024-0001/audio/0",
                                    "mime": "audio/wav", "duration_s": 4.5}],
        supplements=[{"at": "2024-05-01T02:15:00Z", "kind": "victim_confirmed",
                      "text": "One male, leg wound"}]))


def _events():
    t = [T0 + timedelta(seconds=s) for s in (0, 30, 40, 45, 400, 1600)]
    mistaken = status_event("PGH-2024-0001", "P-12", S.ACKNOWLEDGED, S.ON_SCENE, at=t[2])
    return [status_event("PGH-2024-0001", "P-12", None, S.ACKNOWLEDGED, at=t[0]),
            status_event("PGH-2024-0001", "P-12", S.ACKNOWLEDGED, S.EN_ROUTE, at=t[1]),
            mistaken, undo_event(mistaken, S.EN_ROUTE, at=t[3]),
            status_event("PGH-2024-0001", "P-12", S.EN_ROUTE, S.ON_SCENE, at=t[4]),
            status_event("PGH-2024-0001", "P-12", S.ON_SCENE, S.CLEAR,
                         disposition="evidence_found", at=t[5]),
            status_event("PGH-2024-0001", "K-7", None, S.EN_ROUTE, at=t[1]),
            new_event("PGH-2024-0001", EventKind.NOTE, "K-7", {"text": "Casings <3> at gate"},
                      at=t[4])]


def test_the_published_sample_validates_and_a_broken_one_does_not() -> None:
    sample = json.loads((SAMPLES / "Sample call transfer EIDO.json").read_text())
    assert eido_errors(sample) == []
    del sample["agencyComponent"]
    assert eido_errors(sample) == [": 'agencyComponent' is a required property"]


def test_export_validates_with_status_history_media_and_notes() -> None:
    doc = incident_eido(_alert(), _events(), feed_url="https://feed.example",
                        related=["PGH-2024-0002"], now=T0 + timedelta(hours=1))
    assert eido_errors(doc) == []
    [resource_p12] = [r for r in doc["emergencyResourceComponent"]
                      if r["emergencyResourceName"] == "P-12"]
    assert resource_p12["primaryUnitStatusRegistryText"] == "Available"
    history = resource_p12["unitStatusInternal"]
    assert len(history) == 6 and history[2].endswith("on_scene [undone]")
    assert history[-1] == "2024-05-01T02:40:40Z clear (evidence_found)"
    k7 = [r for r in doc["emergencyResourceComponent"] if r["emergencyResourceName"] == "K-7"]
    assert k7[0]["primaryUnitStatusRegistryText"] == "Enroute"
    assert doc["incidentComponent"]["incidentStatusCommonRegistryText"] == ["Active"]
    assert doc["mediaComponent"][0]["uri"] == (
        "https://feed.example/v1/alerts/PGH-2024-0001/audio/0")
    notes = [n["notesActionComments"] for n in doc["notesComponent"]]
    assert "victim confirmed: One male, leg wound" in notes
    assert "Casings &lt;3&gt; at gate" in notes and "Related incident PGH-2024-0002" in notes
    assert "<gs:radius uom=\"urn:ogc:def:uom:EPSG::9001\">25.0</gs:radius>" in (
        doc["locationComponent"][0]["locationByValue"])
    refs = {r["$ref"] for r in doc["incidentComponent"]["notesReference"]}
    assert refs == {n["$id"] for n in doc["notesComponent"]}


def test_export_without_any_unit_event_still_validates() -> None:
    doc = incident_eido(parse_alert(alert_dict()))
    assert eido_errors(doc) == []
    assert "emergencyResourceComponent" not in doc


def test_no_sensor_or_shot_data_in_the_export(tmp_path: Path) -> None:
    path = write_eido(tmp_path / "i.json", incident_eido(_alert(), _events()))
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert eido_errors(doc) == []
    assert not [k for k in _keys(doc) if "sensor" in k.lower() or "shot" in k.lower()]
    text = path.read_text()
    assert "sensor" not in text.lower()
    assert "40.4407" not in text  # the second shot's solved position


@pytest.mark.parametrize("broken", ["eidoVersion", "incidentComponent"])
def test_validator_catches_a_broken_export(broken: str) -> None:
    doc = incident_eido(_alert(), _events())
    if broken == "eidoVersion":
        doc["eidoVersion"] = "2.0"
    else:
        del doc["incidentComponent"]["incidentTypeCommonRegistryText"]
    assert eido_errors(doc) != []
