"""The incident columns the desk searches on follow every alert and unit event stored."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import command
from sqlalchemy import insert

from console.domain.canvass import CanvassVisit, EvidenceItem
from console.domain.events import EventKind, event_to_json, new_event
from console.domain.workflow import status_event, undo_event
from console.services.history import HistoryQuery, search
from console.store import Store, canvass_store
from console.store.engine import make_engine, migrate, migration_config
from console.store.models import Incident, UTCDateTime
from tests.history.crafted import FEED, T0, S, alert, iso, put

SEC = timedelta(seconds=1)


def row(store: Store, incident_id: str) -> Incident:
    with store._read() as s:
        return s.get(Incident, incident_id)


def test_local_status_events_move_status_times_and_response_seconds(store: Store) -> None:
    put(store, alert("C-1", T0))
    first = store.dispatched_at("C-1")
    r = row(store, "C-1")
    assert (r.status, r.dispatched_at, r.en_route_at, r.en_route_s) == (None, first, None, None)
    ack = status_event("C-1", "P-12", None, S.ACKNOWLEDGED, at=first + 5 * SEC)
    go = status_event("C-1", "P-12", S.ACKNOWLEDGED, S.EN_ROUTE, at=first + 5 * SEC)
    there = status_event("C-1", "P-12", S.EN_ROUTE, S.ON_SCENE, at=first + 185 * SEC)
    for e in (ack, go, there):
        store.record_local_event(e)
    r = row(store, "C-1")
    assert (r.status, r.en_route_s, r.on_scene_s) == ("on_scene", 5.0, 185.0)
    assert (r.en_route_at, r.on_scene_at, r.cleared_at) == (go.at, there.at, None)
    done = status_event("C-1", "P-12", S.ON_SCENE, S.CLEAR, disposition="unfounded",
                        at=first + 900 * SEC)
    store.record_local_event(done)
    r = row(store, "C-1")
    assert (r.status, r.disposition, r.cleared_at, r.evidence_found) == (
        "clear", "unfounded", done.at, False)


def test_an_undone_change_counts_for_nothing(store: Store) -> None:
    put(store, alert("C-2", T0))
    t = store.dispatched_at("C-2")
    go = status_event("C-2", "P-12", None, S.EN_ROUTE, at=t + 10 * SEC)
    early = status_event("C-2", "P-12", S.EN_ROUTE, S.ON_SCENE, at=t + 12 * SEC)
    store.record_local_event(go)
    store.record_local_event(early)
    assert row(store, "C-2").status == "on_scene"
    store.record_local_event(undo_event(early, S.EN_ROUTE, at=t + 14 * SEC))
    r = row(store, "C-2")
    assert (r.status, r.on_scene_at, r.on_scene_s, r.en_route_s) == ("en_route", None, None, 10.0)


def test_relayed_events_and_events_before_their_alert(store: Store) -> None:
    early = new_event("C-3", EventKind.STATUS, "K-7", {"status": "dispatched"}, at=T0)
    store.record_local_event(early)  # the incident is not stored yet: nothing to update
    other = status_event("C-3", "K-7", S.DISPATCHED, S.EN_ROUTE, at=T0 + 40 * SEC)
    clear = status_event("C-3", "K-9", None, S.CLEAR, disposition="evidence_found",
                         at=T0 + 600 * SEC)
    put(store, alert("C-3", T0, events=[event_to_json(other), event_to_json(clear)]))
    r = row(store, "C-3")
    assert (r.dispatched_at, r.en_route_s, r.status) == (T0, 40.0, "clear")
    assert (r.disposition, r.evidence_found) == ("evidence_found", True)
    assert search(store, HistoryQuery(dispositions=("evidence_found",))).total == 1


def test_canvass_visit_and_evidence_set_the_flags(store: Store) -> None:
    put(store, alert("C-4", T0))
    assert (row(store, "C-4").canvassed, row(store, "C-4").evidence_found) == (False, False)
    canvass_store.record_visit(store, CanvassVisit("C-4", "n1", "heard_shots", "P-12",
                                                   at=T0 + 60 * SEC), "Bulevardi 2")
    assert (row(store, "C-4").canvassed, row(store, "C-4").evidence_found) == (True, False)
    canvass_store.record_evidence(store, EvidenceItem("C-4", "casings", 60.17, 24.94, "P-12",
                                                      count=3, at=T0 + 90 * SEC))
    assert row(store, "C-4").evidence_found is True


def test_new_revision_and_note_events_keep_the_search_text_whole(store: Store) -> None:
    put(store, alert("C-5", T0, address="Bulevardi 2"))
    store.record_local_event(new_event("C-5", EventKind.NOTE, "P-12",
                                       {"text": "Camera at the kiosk"}, at=T0))
    put(store, alert("C-5", T0, seq=2, revision=2, address="Erottaja 4",
                     supplements=[{"at": iso(T0), "kind": "subject", "text": "Tall man"}]))
    found = [q for q in ("bulevardi", "erottaja", "kiosk", "tall man")
             if search(store, HistoryQuery(text=q)).total]
    assert found == ["erottaja", "kiosk", "tall man"]


def test_rows_inserted_without_the_store_get_their_search_text(store: Store) -> None:
    payload = {"id": "IMP-77", "notes": "Imported from open data"}
    with store._tx() as s:
        s.execute(insert(Incident), [dict(
            id="IMP-77", revision=1, seq=0, review="reviewed", type="single_gunshot", time=T0,
            lat=60.17, lon=24.94, uncertainty_m=25.0, address="Kalevankatu 1",
            district="Kamppi", beat=None, rounds=None, shooters=None, mobile=None,
            payload=payload, received_at=T0, acknowledged_at=None, source="import")])
    [hit] = search(store, HistoryQuery(text="open data kalevankatu")).rows
    assert (hit.id, hit.source, hit.status) == ("IMP-77", "import", None)


def test_migration_fills_the_columns_of_incidents_already_stored(store_url: str) -> None:
    engine = make_engine(store_url)
    try:
        with engine.begin() as conn:
            command.upgrade(migration_config(conn), "0004")
        incidents = sa.table("incidents", *(sa.column(c) for c in (
            "id", "revision", "seq", "review", "type", "lat", "lon", "uncertainty_m",
            "address", "district", "beat")), sa.column("payload", sa.JSON),
            sa.column("time", UTCDateTime), sa.column("received_at", UTCDateTime))
        a = alert("OLD-1", T0, address="Unioninkatu 9", notes="Old notes")
        go = status_event("OLD-1", "P-1", None, S.EN_ROUTE, at=T0 + 70 * SEC)
        with engine.begin() as conn:
            conn.execute(incidents.insert().values(
                id="OLD-1", revision=1, seq=1, review="reviewed", type="single_gunshot",
                time=T0, lat=60.17, lon=24.94, uncertainty_m=20.0, address="Unioninkatu 9",
                district="Kluuvi", beat="KLU-1", payload={"notes": a.notes},
                received_at=T0 + 50 * SEC))
            conn.execute(sa.table("alert_revisions", sa.column("incident_id"),
                                  sa.column("revision"), sa.column("seq"),
                                  sa.column("feed_url"), sa.column("payload", sa.JSON),
                                  sa.column("received_at", UTCDateTime)).insert().values(
                incident_id="OLD-1", revision=1, seq=1, feed_url=FEED, payload={},
                received_at=T0 + 10 * SEC))
            conn.execute(sa.table("unit_events", *(sa.column(c) for c in (
                "event_id", "incident_id", "kind", "unit", "source")),
                sa.column("at", UTCDateTime), sa.column("received_at", UTCDateTime),
                sa.column("data", sa.JSON)).insert().values(
                event_id=go.event_id, incident_id="OLD-1", kind="status", unit="P-1",
                source="local", at=go.at, received_at=go.at, data=dict(go.data)))
        migrate(engine)
    finally:
        engine.dispose()
    store = Store(store_url)
    try:
        r = row(store, "OLD-1")
        assert (r.status, r.dispatched_at, r.en_route_s, r.source) == (
            "en_route", T0 + 10 * SEC, 60.0, "feed")
        assert search(store, HistoryQuery(text="old notes unioninkatu klu-1")).total == 1
    finally:
        store.close()


def test_downgrade_drops_the_columns_and_keeps_every_row(store_url: str) -> None:
    engine = make_engine(store_url)
    try:
        with engine.begin() as conn:
            command.upgrade(migration_config(conn), "0005")
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO incidents (id, revision, seq, review, type, time, lat, lon, "
                "uncertainty_m, payload, received_at, source) VALUES ('D-1', 1, 1, 'machine', "
                "'single_gunshot', '2025-03-10 12:00:00', 60.17, 24.94, 20, '{}', "
                "'2025-03-10 12:00:30', 'import')")
            conn.exec_driver_sql(
                "INSERT INTO alert_revisions (incident_id, revision, seq, feed_url, payload, "
                "received_at) VALUES ('D-1', 1, 1, 'f', '{}', '2025-03-10 12:00:30')")
        with engine.begin() as conn:
            command.downgrade(migration_config(conn), "0004")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("incidents")}
        assert not columns & {"status", "en_route_s", "source", "search_text"}
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM alert_revisions").scalar() == 1
            assert conn.exec_driver_sql("SELECT id FROM incidents").scalars().all() == ["D-1"]
        migrate(engine)
    finally:
        engine.dispose()
    store = Store(store_url)
    try:
        assert search(store, HistoryQuery(text="d-1")).total == 1
    finally:
        store.close()
