"""Store side of the officer workflow, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.domain.alert import parse_alert
from console.domain.events import EventKind, IncidentStatus, event_to_json, new_event
from console.domain.workflow import status_event
from console.store import Store
from tests.domain.factories import alert_dict

S = IncidentStatus
T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _alert(incident_id: str, *, minutes: float = 0, north_m: float = 0, seq: int = 1,
           events: list | None = None, revision: int = 1):
    lat = 60.1699 + north_m / 111_195.0
    return parse_alert(alert_dict(incident_id, revision, seq=seq,
                                  time=_iso(T0 + timedelta(minutes=minutes)),
                                  location={"lat": lat, "lon": 24.9384, "uncertainty_m": 20.0},
                                  events=events or []))


def test_local_event_is_recorded_with_its_outbox_entry_once(store: Store) -> None:
    event = status_event("I1", "P-12", None, S.ACKNOWLEDGED)
    assert store.record_local_event(event) is True
    assert store.record_local_event(event) is False
    [stored] = store.unit_events("I1")
    assert stored.event == event and stored.source == "local" and stored.delivery == "pending"
    assert [i.event_id for i in store.pending_events()] == [event.event_id]
    store.mark_event_acked(event.event_id)
    assert store.unit_events("I1")[0].delivery == "sent"


def test_relayed_events_are_ingested_once_and_keep_local_source(store: Store) -> None:
    mine = status_event("I1", "P-12", None, S.EN_ROUTE, at=T0)
    other = status_event("I1", "K-7", None, S.ON_SCENE, at=T0 + timedelta(seconds=5))
    store.record_local_event(mine)
    relayed = [event_to_json(mine), event_to_json(other)]
    a2 = _alert("I1", seq=2, revision=2, events=[*relayed, relayed[1]])  # listed twice
    store.ingest([_alert("I1"), a2], "http://feed", 2)
    store.ingest([a2], "http://feed", 2)  # duplicate delivery
    events = store.unit_events("I1")
    assert [(e.event.unit, e.source, e.delivery) for e in events] == [
        ("P-12", "local", "pending"), ("K-7", "feed", None)]


def test_events_listed_by_time_and_per_incident(store: Store) -> None:
    late = new_event("I1", EventKind.NOTE, "P-12", {"text": "late"}, at=T0 + timedelta(hours=1))
    early = new_event("I1", EventKind.NOTE, "P-12", {"text": "early"}, at=T0)
    elsewhere = new_event("I2", EventKind.NOTE, "P-12", {"text": "x"}, at=T0)
    for e in (late, early, elsewhere):
        store.record_local_event(e)
    assert [e.event.data["text"] for e in store.unit_events("I1")] == ["early", "late"]


def test_unit_identity_set_get_and_validated(store: Store) -> None:
    assert store.unit_identity() is None
    store.set_unit_identity(" P-12 ", T0)
    store.set_unit_identity("P-14", T0 + timedelta(hours=8))
    ident = store.unit_identity()
    assert ident is not None and ident.call_sign == "P-14"
    assert ident.shift_started_at == T0 + timedelta(hours=8)
    with pytest.raises(ValueError, match="call sign"):
        store.set_unit_identity("  ")


def test_links_are_unique(store: Store) -> None:
    assert store.link_incident("I1", "I2", "P-12") is True
    assert store.link_incident("I1", "I2", "P-12") is False
    assert [(x.related_id, x.kind, x.unit) for x in store.incident_links("I1")] == [
        ("I2", "related", "P-12")]


def test_related_within_200_m_and_10_minutes(store: Store) -> None:
    alerts = [_alert("I0"), _alert("NEAR", minutes=4, north_m=150, seq=2),
              _alert("FAR", minutes=2, north_m=260, seq=3),
              _alert("LATE", minutes=11, north_m=10, seq=4),
              _alert("EARLIER", minutes=-8, north_m=-100, seq=5)]
    store.ingest(alerts, "http://feed", 5)
    assert sorted(a.id for a in store.related_candidates("I0")) == ["EARLIER", "NEAR"]
    assert [a.id for a in store.related_candidates("I0", minutes=5)] == ["NEAR"]
    assert store.related_candidates("I0", radius_m=50) == []
    assert store.related_candidates("UNKNOWN") == []


def test_prior_within_500_m_and_90_days(store: Store) -> None:
    day = 24 * 60
    alerts = [_alert("NOW"), _alert("P30", minutes=-30 * day, north_m=400, seq=2),
              _alert("P89", minutes=-89 * day, north_m=-450, seq=3),
              _alert("P91", minutes=-91 * day, seq=4),
              _alert("P10FAR", minutes=-10 * day, north_m=700, seq=5),
              _alert("AFTER", minutes=+60, seq=6),
              _alert("SAMECALL", minutes=-3, seq=7)]
    store.ingest(alerts, "http://feed", 7)
    assert [a.id for a in store.prior_incidents("NOW")] == ["P30", "P89"]


def test_dispatched_at_is_the_first_revisions_arrival(store: Store) -> None:
    assert store.dispatched_at("I1") is None
    store.ingest([_alert("I1")], "http://feed", 1)
    first = store.dispatched_at("I1")
    store.ingest([_alert("I1", seq=2, revision=2)], "http://feed", 2)
    assert store.dispatched_at("I1") == first
    assert store.get_incident("I1").received_at >= first
