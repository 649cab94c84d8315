"""Crafted incidents for the history tests, stored through the Store's own API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from console.domain.alert import Alert, parse_alert
from console.domain.events import EventKind, IncidentStatus, UnitEvent, new_event
from console.domain.workflow import status_event
from console.store import Store
from tests.domain.factories import alert_dict

S = IncidentStatus
T0 = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)  # a Monday
FEED = "http://feed.test"


def iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def alert(incident_id: str, t: datetime, *, lat: float = 60.170, lon: float = 24.940,
          seq: int = 1, revision: int = 1, **fields: Any) -> Alert:
    """A valid alert at ``t``; ``fields`` replace members (district, beat, type, ...)."""
    base: dict[str, Any] = {"notes": None, "supplements": [], "shots": []}
    base.update(fields)
    return parse_alert(alert_dict(incident_id, revision, seq=seq, time=iso(t),
                                  location={"lat": lat, "lon": lon, "uncertainty_m": 20.0},
                                  **base))


def put(store: Store, *alerts: Alert) -> None:
    store.ingest(list(alerts), FEED, max(a.seq for a in alerts))


def respond(store: Store, incident_id: str, dispatched: datetime, *, en_route_s: float | None,
            on_scene_s: float | None = None, clear_s: float | None = None,
            disposition: str | None = None, unit: str = "P-12") -> list[UnitEvent]:
    """A unit's dispatched / acknowledged / en route / on scene / clear events, stored."""
    events = [new_event(incident_id, EventKind.STATUS, unit, {"status": "dispatched"},
                        at=dispatched)]
    current: IncidentStatus | None = None
    for status, secs, extra in ((S.EN_ROUTE, en_route_s, None),
                                (S.ON_SCENE, on_scene_s, None),
                                (S.CLEAR, clear_s, disposition)):
        if secs is None:
            continue
        events.append(status_event(incident_id, unit, current, status, disposition=extra,
                                   at=dispatched + timedelta(seconds=secs)))
        current = status
    for e in events:
        assert store.record_local_event(e)
    return events
