"""Alert payload factory for tests: a complete, valid protocol v1 alert as JSON."""

from __future__ import annotations

import copy
from typing import Any

_BASE: dict[str, Any] = {
    "seq": 1,
    "id": "PGH-2024-0001",
    "revision": 1,
    "review": "machine",
    "type": "multiple_gunshots",
    "time": "2024-05-01T02:13:07.250Z",
    "location": {"lat": 40.4406, "lon": -79.9959, "uncertainty_m": 25.0},
    "address": "1200 Penn Ave",
    "district": "Zone 2",
    "beat": "2B",
    "rounds": 5,
    "shooters": 1,
    "mobile": None,
    "shots": [
        {"time": "2024-05-01T02:13:07.250Z", "lat": 40.4406, "lon": -79.9959, "shooter": 1},
        {"time": "2024-05-01T02:13:07.900Z", "lat": 40.4407, "lon": -79.9958, "shooter": 1},
    ],
    "audio": [{"href": "/v1/alerts/PGH-2024-0001/audio/0", "mime": "audio/wav",
               "duration_s": 4.5}],
    "notes": "Reviewer: 5 rounds, semi-automatic",
    "supplements": [{"at": "2024-05-01T02:15:00Z", "kind": "vehicle",
                     "text": "Dark sedan leaving eastbound"}],
}


def alert_dict(incident_id: str = "PGH-2024-0001", revision: int = 1, **overrides: Any
               ) -> dict[str, Any]:
    """A valid alert payload; ``overrides`` replace top-level members."""
    out = copy.deepcopy(_BASE)
    out["id"] = incident_id
    out["revision"] = revision
    out["audio"] = []
    out.update(overrides)
    return out
