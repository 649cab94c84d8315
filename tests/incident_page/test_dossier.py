"""The incident dossier on SQLite and PostgreSQL: exact content of a crafted incident,
the audited view, refusals and unknown ids."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.domain.audit import Outcome
from console.domain.permissions import PermissionDenied, Role, User
from console.services.audit import AuditLog
from console.services.dossier import (
    AudioClipInfo,
    DossierNotFound,
    load_dossier,
    open_dossier,
    record_view,
)
from console.store import audit_store
from tests.incident_page import crafted as c

INVESTIGATOR = User("demo-investigator", Role.INVESTIGATOR)


@pytest.fixture
def crafted_store(store):
    c.build(store)
    return store


def test_revisions_say_what_changed(crafted_store) -> None:
    d = load_dossier(crafted_store, c.INCIDENT)
    assert [r.revision for r in d.revisions] == [1, 2, 3]
    assert [r.changes for r in d.revisions] == [
        "first report",
        "type single gunshot → multiple gunshots; review machine → reviewed; rounds 1 → 4; "
        "1 supplement added",
        "review reviewed → updated; location moved 100 m; uncertainty 30 → 20 m; "
        "rounds 4 → 5; 1 supplement added",
    ]
    assert [(r.review, r.type, r.rounds) for r in d.revisions] == [
        ("machine", "single_gunshot", 1), ("reviewed", "multiple_gunshots", 4),
        ("updated", "multiple_gunshots", 5)]
    assert d.revisions[2].lat == pytest.approx(c.LAT + 0.0009)
    assert d.incident.alert.revision == 3 and d.incident.alert.rounds == 5


def test_timeline_and_response_times(crafted_store) -> None:
    d = load_dossier(crafted_store, c.INCIDENT)
    rows = [(e.event.unit, str(e.status), (e.event.at - c.T0).total_seconds() / 60, e.undone,
             e.undoes is not None) for e in d.timeline]
    assert rows == [
        ("A1", "dispatched", 0, False, False), ("A1", "en_route", 2, False, False),
        ("B2", "en_route", 3, False, False), ("A1", "on_scene", 5, True, False),
        ("A1", "en_route", 5.5, False, True), ("B2", "on_scene", 6, False, False),
        ("A1", "on_scene", 7, False, False), ("A1", "clear", 30, False, False)]
    a1 = d.responses["A1"]
    assert (a1.dispatch_to_en_route, a1.en_route_to_on_scene, a1.on_scene_to_clear) == (
        timedelta(minutes=2), timedelta(minutes=5), timedelta(minutes=23))
    b2 = d.responses["B2"]  # relayed: dispatch to it is unknown here (the car got it later)
    assert b2.en_route_to_on_scene == timedelta(minutes=3)
    assert d.response == a1
    local = {e.event.event_id: d.delivery[e.event.event_id] for e in d.timeline}
    assert sorted(v or "feed" for v in local.values()) == ["feed"] * 2 + ["pending"] * 6


def test_canvass_summary(crafted_store) -> None:
    cv = load_dossier(crafted_store, c.INCIDENT).canvass
    assert cv is not None and cv.kind == "circle" and cv.area.radius_m == 100
    assert (cv.addresses_total, cv.addresses_visited) == (c.DOORS_IN_AREA, 2)
    assert dict(cv.outcomes) == {"heard_shots": 1, "camera_available": 1}
    assert (cv.witnesses, cv.visits) == (1, 4)
    assert "Aino" not in repr(cv)


def test_canvass_without_a_pack_counts_visited_doors(crafted_store, tmp_path) -> None:
    cv = load_dossier(crafted_store, c.INCIDENT, pack=tmp_path / "missing.mbtiles").canvass
    assert (cv.addresses_total, cv.addresses_visited) == (None, 3)


def test_supplements_evidence_links_audio(crafted_store) -> None:
    d = load_dossier(crafted_store, c.INCIDENT)
    assert [(str(s.kind), s.text) for s in d.supplements] == [
        ("victim_confirmed", "Victim at the corner, EMS called"),
        ("vehicle", "Dark sedan leaving east")]
    assert [(str(e.kind), e.count, e.unit) for e in d.evidence] == [("casings", 4, "A1")]
    assert [(lk.related_id, lk.unit) for lk in d.links] == [(c.RELATED, "A1")]
    assert d.audio == [AudioClipInfo(0, "audio/wav", 2.5, True)]


def test_verifications_are_summaries_without_sensor_identity(crafted_store) -> None:
    (v,) = load_dossier(crafted_store, c.INCIDENT).verifications
    assert (v.user, v.verdict, v.source, v.data_path) == (
        "demo-investigator", "consistent", "pulses", "test_001")
    assert v.result["distance_m"] == 12.5
    assert v.result["sensors"] == [
        {"sensor": "Sensor 1", "shots_used": 5, "rms_ms": 0.2, "max_abs_ms": 0.4}]
    assert "sensor_positions" not in v.result
    assert c.SECRET_SERIAL not in repr(v)


def test_every_view_is_audited_and_listed(crafted_store) -> None:
    audit = AuditLog(crafted_store)
    record_view(audit, INVESTIGATOR, c.INCIDENT)
    d = open_dossier(crafted_store, audit, User("demo-officer", Role.OFFICER), c.INCIDENT)
    assert [(e.user, e.action, e.outcome, e.object_type) for e in d.audit] == [
        ("demo-investigator", "view_incident", "ok", "incident"),
        ("demo-officer", "view_incident", "ok", "incident")]
    assert audit.verify().ok


def test_a_refused_view_is_audited_and_reads_nothing(crafted_store) -> None:
    audit = AuditLog(crafted_store)
    with pytest.raises(PermissionDenied):
        open_dossier(crafted_store, audit, None, c.INCIDENT)  # nobody signed in
    last = audit_store.head(crafted_store)
    assert (last.action, last.outcome, last.object_id) == (
        "view_incident", str(Outcome.DENIED), c.INCIDENT)


def test_unknown_incident(store) -> None:
    audit = AuditLog(store)
    with pytest.raises(DossierNotFound, match="No incident 'NOPE-1'"):
        load_dossier(store, "NOPE-1")
    with pytest.raises(KeyError):
        open_dossier(store, audit, INVESTIGATOR, "NOPE-1")
    last = audit_store.head(store)
    assert (last.action, last.outcome, last.details) == (
        "view_incident", "failed", {"reason": "not found"})


def test_an_incident_with_nothing_else(store) -> None:
    from console.domain.alert import parse_alert
    from tests.domain.factories import alert_dict

    store.ingest([parse_alert(alert_dict("BARE-1", 1))], c.FEED, 1)
    d = load_dossier(store, "BARE-1")
    assert (d.timeline, d.response, d.canvass, d.evidence, d.links, d.verifications,
            d.audio, d.audit) == ([], None, None, [], [], [], [], [])
    assert [r.changes for r in d.revisions] == ["first report"]


def test_audit_trail_includes_its_releases(crafted_store) -> None:
    from console.services.accounts import AccountService
    from console.services.releases import ReleaseService
    from console.services.sessions import SessionLocked, UserSession

    audit = AuditLog(crafted_store)
    releases = ReleaseService(crafted_store, audit)
    officer = User("demo-officer", Role.OFFICER)
    req = releases.request(officer, c.INCIDENT, "report", "District Attorney", "case 117")
    releases.approve(User("demo-captain", Role.CAPTAIN), req.id, "ok")
    other = releases.request(officer, c.RELATED, "report", "Press", "story")

    locked = UserSession(AccountService(crafted_store, audit=audit), officer)
    locked.lock()  # refused before any request exists: an entry with no object
    with pytest.raises(SessionLocked):
        releases.request(locked, c.INCIDENT, "audio", "DA", "case 117")
    d = load_dossier(crafted_store, c.INCIDENT)
    assert [(e.action, e.object_id, e.outcome) for e in d.audit] == [
        ("request_release", req.id, "ok"), ("approve_release", req.id, "ok"),
        ("request_release", None, "denied")]
    assert other.id not in {e.object_id for e in d.audit}
    assert load_dossier(crafted_store, c.RELATED).audit[-1].object_id == other.id
