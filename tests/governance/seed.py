"""Incidents with rows in every table that belongs to an incident, for retention tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from console.domain.alert import parse_alert
from console.store.models import (
    AudioCache,
    CanvassArea,
    CanvassVisit,
    EvidenceItem,
    IncidentLink,
    OutboxEvent,
    UnitEventRow,
    Verification,
)
from console.store.store import Store
from tests.domain.factories import alert_dict

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
FEED = "http://feed.test"


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def add_incident(store: Store, incident_id: str, at: datetime, *, revisions: int = 2,
                 extras: int = 1) -> None:
    """An incident at ``at`` with ``revisions`` revisions and ``extras`` rows per table."""
    alerts = [parse_alert(alert_dict(incident_id, r, seq=r, time=_iso(at),
                                     shots=[{"time": _iso(at), "lat": 40.44, "lon": -79.99,
                                             "shooter": 1}]))
              for r in range(1, revisions + 1)]
    store.ingest(alerts, FEED, store.cursor(FEED) + revisions)
    with Session(store.engine) as s, s.begin():
        for n in range(extras):
            key = f"{incident_id}-{n}"
            s.add(AudioCache(incident_id=incident_id, n=n, mime="audio/wav", data=b"RIFF",
                             fetched_at=NOW))
            s.add(UnitEventRow(event_id=key, incident_id=incident_id, kind="status", at=at,
                               unit="2A31", data={"status": "en_route"}, source="local",
                               received_at=at))
            s.add(OutboxEvent(event_id=key, incident_id=incident_id, payload={}, created_at=at,
                              attempts=1))
            s.add(CanvassVisit(visit_id=key, incident_id=incident_id, address_key=key,
                               outcome="no_answer", at=at, unit="2A31"))
            s.add(EvidenceItem(item_id=key, incident_id=incident_id, kind="casings", count=3,
                               lat=40.44, lon=-79.99, at=at, unit="2A31"))
            s.add(Verification(incident_id=incident_id, user_name="ivy",
                               user_role="investigator", verified_at=at, data_path="/x",
                               data_sha256="0" * 64, source="pulses", verdict="match",
                               result={}))
        s.add(CanvassArea(incident_id=incident_id, center_lat=40.44, center_lon=-79.99,
                          radius_m=150.0, created_at=at))


def link(store: Store, incident_id: str, related_id: str) -> None:
    with Session(store.engine) as s, s.begin():
        s.add(IncidentLink(incident_id=incident_id, related_id=related_id, kind="related",
                           linked_at=NOW, unit="2A31"))


def years_ago(years: float) -> datetime:
    return NOW - timedelta(days=365.25 * years)
