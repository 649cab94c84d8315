"""Canvass store functions on SQLite and PostgreSQL; events delivered exactly once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from console.domain.canvass import (
    CanvassArea,
    CanvassVisit,
    EvidenceItem,
    EvidenceKind,
    HeardShots,
    Outcome,
    Witness,
)
from console.feed import FeedClient, FeedServer
from console.store import Store
from console.store import canvass_store as cs
from console.store import models as m
from tests.feed.helpers import wait_until

Make = Callable[..., FeedClient]
T0 = datetime(2026, 11, 26, 2, 15, tzinfo=UTC)
SECRET_NAME, SECRET_CONTACT = "Maija Meikäläinen", "+358 40 7654321"


def _visit(key: str = "n317574802", outcome: Outcome = Outcome.NO_ANSWER, minutes: int = 0,
           **kw) -> CanvassVisit:
    return CanvassVisit("HEL-1", key, outcome, "2A12", at=T0 + timedelta(minutes=minutes), **kw)


def test_area_round_trips_circle_then_polygon(store: Store) -> None:
    assert cs.get_area(store, "HEL-1") is None
    circle = CanvassArea.circle("HEL-1", 60.1699, 24.9384, radius_m=200)
    cs.set_area(store, circle)
    assert cs.get_area(store, "HEL-1") == circle
    drawn = CanvassArea.drawn("HEL-1", 60.1699, 24.9384,
                              [(60.1699, 24.9384), (60.1709, 24.9384), (60.1709, 24.9404)])
    cs.set_area(store, drawn)  # replaces the circle
    assert cs.get_area(store, "HEL-1") == drawn
    with store._read() as s:
        assert s.scalar(select(func.count()).select_from(m.CanvassArea)) == 1


def test_visit_is_stored_with_its_event_in_one_go(store: Store) -> None:
    visit = _visit(outcome=Outcome.HEARD_SHOTS, heard=HeardShots("02:10", 3, "north"),
                   note="Three bangs", witness=Witness(SECRET_NAME, SECRET_CONTACT))
    assert cs.record_visit(store, visit, "Mannerheimintie 5")
    assert not cs.record_visit(store, visit, "Mannerheimintie 5")  # same visit_id: once
    [back] = cs.list_visits(store, "HEL-1")
    assert back == visit and back.witness.contact == SECRET_CONTACT
    [item] = store.pending_events()
    assert item.event_id == visit.visit_id and item.payload["kind"] == "canvass"
    assert item.payload["data"]["result"] == "heard_shots"
    assert item.payload["data"]["witness"] is True
    assert SECRET_NAME not in str(item.payload) and SECRET_CONTACT not in str(item.payload)
    with store._read() as s:
        row = s.scalar(select(m.UnitEventRow).where(m.UnitEventRow.event_id == visit.visit_id))
        assert row is not None and row.source == "local" and row.kind == "canvass"
        assert SECRET_CONTACT not in str(row.data)


def test_evidence_and_progress(store: Store) -> None:
    casings = EvidenceItem("HEL-1", EvidenceKind.CASINGS, 60.16995, 24.93855, "2A12", count=4,
                           at=T0)
    assert cs.record_evidence(store, casings) and not cs.record_evidence(store, casings)
    assert cs.list_evidence(store, "HEL-1") == [casings]
    cs.record_visit(store, _visit("n1", Outcome.NO_ANSWER, 1))
    cs.record_visit(store, _visit("n1", Outcome.CONTACTED_NO_INFO, 20))  # revisit
    cs.record_visit(store, _visit("n2", Outcome.REFUSED, 2))
    cs.record_visit(store, _visit("n-elsewhere", Outcome.REFUSED, 3))
    assert cs.progress(store, "HEL-1", ["n1", "n2", "n3", "n4"]).text == "2 / 4"
    assert [v.outcome for v in cs.list_visits(store, "HEL-1")] == [
        Outcome.NO_ANSWER, Outcome.REFUSED, Outcome.REFUSED, Outcome.CONTACTED_NO_INFO]
    assert [e.event_id for e in store.pending_events()][0] == casings.item_id
    assert cs.list_visits(store, "OTHER") == [] and cs.list_evidence(store, "OTHER") == []


def test_canvass_events_arrive_exactly_once_through_faults_and_a_restart(
    server: FeedServer, store_url: str, make_client: Make, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    offline = Store(store_url)
    visits = [_visit(f"n{i}", Outcome.HEARD_SHOTS if i == 0 else Outcome.NO_ANSWER, i,
                     witness=Witness(SECRET_NAME, SECRET_CONTACT) if i == 0 else Witness())
              for i in range(4)]
    for v in visits[:2]:
        cs.record_visit(offline, v, f"Street {v.address_key}")
    offline.close()  # the console closed with nothing sent (no link)

    store = Store(store_url)
    try:
        for v in visits[2:]:
            cs.record_visit(store, v)
        item = EvidenceItem("HEL-1", "blood", 60.17, 24.94, "2A12", at=T0)
        cs.record_evidence(store, item)
        server.faults.fail_next(2, status=503, path="/v1/incidents/")
        server.faults.drop_next(1, path="/v1/incidents/")
        server.faults.truncate_next(2, path="/v1/incidents/")  # stored, answer lost: resent
        make_client(store).start()
        ids = [v.visit_id for v in visits] + [item.item_id]
        wait_until(lambda: store.pending_events() == [], timeout=30, what="outbox drained")
        posted = [e["event_id"] for e in server.events]
        assert sorted(posted) == sorted(ids) and len(posted) == len(set(posted))
        assert posted == ids, "one car's events are sent oldest first"
        assert all(store.outbox_item(i).acked_at is not None for i in ids)
        assert server.faults.pending() == 0
    finally:
        store.close()
    for secret in (SECRET_NAME, SECRET_CONTACT, "7654321"):
        assert secret not in str(server.events)
        assert secret not in caplog.text


def test_other_units_canvass_comes_from_relayed_events(store: Store) -> None:
    from console.domain import parse_alert
    from console.domain.canvass import evidence_event, visit_event
    from console.domain.events import event_to_json
    from tests.domain.factories import alert_dict

    theirs = CanvassVisit("HEL-1", "n2", Outcome.SAW_SOMETHING, "2B07",
                          at=T0 + timedelta(minutes=5),
                          note="Dark sedan", heard=HeardShots(None, 2, None))
    pin = EvidenceItem("HEL-1", "casings", 60.1701, 24.9388, "2B07", count=2, at=T0)
    mine = _visit("n1", Outcome.NO_ANSWER, 1)
    cs.record_visit(store, mine)
    events = [event_to_json(visit_event(theirs, "Street 2")), event_to_json(evidence_event(pin)),
              event_to_json(visit_event(mine)),  # our own, echoed back: stays ours
              {**event_to_json(visit_event(theirs)), "event_id": "5d1c4c1e-0000-4000-8000-"
               "000000000001", "data": {"record": "visit", "result": "dancing"}}]  # unreadable
    store.ingest([parse_alert({**alert_dict("HEL-1"), "seq": 1, "events": events})],
                 "http://feed", 1)
    visits, items = cs.relayed(store, "HEL-1")
    assert visits == [theirs] and items == [pin]
    assert [v.visit_id for v in cs.list_visits(store, "HEL-1")] == [mine.visit_id]
