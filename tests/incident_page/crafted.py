"""A crafted incident with a bit of everything, for the dossier and page tests.

Three revisions (machine -> reviewed -> updated, moved, more rounds), two units' status
changes (one relayed by the feed, one made here, one undone), a 100 m canvass in the
demo map pack with visits (one with a witness) and evidence, a verification, a cached
audio clip and a linked related incident.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import numpy as np
import soundfile as sf

from console.domain.alert import parse_alert
from console.domain.canvass import CanvassArea, CanvassVisit, EvidenceItem, Outcome, Witness
from console.domain.events import EventKind, new_event
from console.store import Store
from console.store import canvass_store as cs
from console.store.records import VerificationRecord
from tests.domain.factories import alert_dict

INCIDENT = "HEL-2026-0042"
RELATED = "HEL-2026-0043"
LAT, LON = 60.171634, 24.94429535  # central Helsinki, inside the demo map pack
T0 = datetime(2026, 11, 26, 1, 0, 0, tzinfo=UTC)
FEED = "http://127.0.0.1:9/feed"
#: three doors of the 100 m circle about (LAT, LON) in the demo pack
DOORS = ("n317570999", "n318107352", "n1369465630")
DOORS_IN_AREA = 17
SECRET_SERIAL = "SN-77-SECRET"


def _alert(revision: int, **kw: object) -> dict:
    base = alert_dict(INCIDENT, revision, seq=revision, time="2026-11-26T00:59:30Z",
                      location={"lat": LAT, "lon": LON, "uncertainty_m": 30.0},
                      address="Vilhonkatu 6", district="Kluuvi", beat="K1",
                      shots=[{"time": "2026-11-26T00:59:30Z", "lat": LAT, "lon": LON,
                              "shooter": 1}])
    base.update(kw)
    return base


def revisions() -> list[dict]:
    moved = {"lat": LAT + 0.0009, "lon": LON, "uncertainty_m": 20.0}  # ~100 m north
    relayed = [{"event_id": f"00000000-0000-4000-8000-00000000b00{i}",
                "incident_id": INCIDENT, "kind": "status", "at": f"2026-11-26T01:0{m}:00.000Z",
                "unit": "B2", "data": {"status": s}}
               for i, m, s in ((2, 3, "en_route"), (3, 6, "on_scene"))]
    return [
        _alert(1, review="machine", type="single_gunshot", rounds=1, supplements=[]),
        _alert(2, review="reviewed", type="multiple_gunshots", rounds=4, events=relayed,
               supplements=[{"at": "2026-11-26T01:02:00Z", "kind": "victim_confirmed",
                             "text": "Victim at the corner, EMS called"}]),
        _alert(3, review="updated", type="multiple_gunshots", rounds=5, location=moved,
               audio=[{"href": f"/v1/alerts/{INCIDENT}/audio/0", "mime": "audio/wav",
                       "duration_s": 2.5}],
               supplements=[{"at": "2026-11-26T01:02:00Z", "kind": "victim_confirmed",
                             "text": "Victim at the corner, EMS called"},
                            {"at": "2026-11-26T01:04:00Z", "kind": "vehicle",
                             "text": "Dark sedan leaving east"}]),
    ]


def wav_bytes(seconds: float = 2.5, fs: int = 8000) -> bytes:
    rng = np.random.default_rng(6)
    buf = io.BytesIO()
    sf.write(buf, (0.1 * rng.standard_normal(int(seconds * fs))).astype("float32"), fs,
             format="WAV", subtype="PCM_16")
    return buf.getvalue()


def status(unit: str, state: str, minutes: float, **data: str):
    return new_event(INCIDENT, EventKind.STATUS, unit, {"status": state, **data},
                     at=T0 + timedelta(minutes=minutes))


def build(store: Store) -> None:
    """Store the crafted incident (and its related incident) in ``store``."""
    for n, payload in enumerate(revisions(), start=1):
        store.ingest([parse_alert(payload)], FEED, n)
    store.ingest([parse_alert(alert_dict(RELATED, 1, seq=10, time="2026-11-26T01:01:00Z",
                                         location={"lat": LAT, "lon": LON + 0.001,
                                                   "uncertainty_m": 25.0}))], FEED, 10)
    # unit A1 here: dispatched 01:00, en route 01:02, on scene 01:07 (an early on-scene
    # at 01:05 was undone), clear 01:30; B2 relayed: en route 01:03, on scene 01:06
    store.record_local_event(status("A1", "dispatched", 0))
    store.record_local_event(status("A1", "en_route", 2))
    wrong = status("A1", "on_scene", 5)
    store.record_local_event(wrong)
    store.record_local_event(status("A1", "en_route", 5.5, undoes=wrong.event_id))
    store.record_local_event(status("A1", "on_scene", 7))
    store.record_local_event(status("A1", "clear", 30, disposition="evidence_found"))
    cs.set_area(store, CanvassArea.circle(INCIDENT, LAT, LON, radius_m=100))
    at = T0 + timedelta(minutes=10)
    cs.record_visit(store, CanvassVisit(INCIDENT, DOORS[0], Outcome.NO_ANSWER, "A1", at))
    cs.record_visit(store, CanvassVisit(INCIDENT, DOORS[0], Outcome.HEARD_SHOTS, "A1",
                                        at + timedelta(minutes=20),
                                        witness=Witness("Aino Virtanen", "040 123")))
    cs.record_visit(store, CanvassVisit(INCIDENT, DOORS[1], Outcome.CAMERA_AVAILABLE, "A1",
                                        at + timedelta(minutes=5)))
    cs.record_visit(store, CanvassVisit(INCIDENT, "n-outside", Outcome.REFUSED, "A1",
                                        at + timedelta(minutes=6)))
    cs.record_evidence(store, EvidenceItem(INCIDENT, "casings", LAT, LON + 0.0001, "A1",
                                           count=4, at=at + timedelta(minutes=1)))
    store.link_incident(INCIDENT, RELATED, "A1")
    store.cache_audio(INCIDENT, 0, "audio/wav", wav_bytes())
    store.add_verification(VerificationRecord(
        INCIDENT, "demo-investigator", "investigator", T0 + timedelta(hours=2),
        f"/data/{SECRET_SERIAL}/test_001", "ab" * 32, "pulses", "consistent",
        {"verdict": "consistent", "distance_m": 12.5, "rounds": {"reported": 5, "computed": 5},
         "computed": {"lat": LAT, "lon": LON, "radius_m": 10.0},
         "sensors": [{"sensor": "Sensor 1", "serial": SECRET_SERIAL, "lat": 60.1, "lon": 24.9,
                      "shots_used": 5, "rms_ms": 0.2, "max_abs_ms": 0.4}],
         "sensor_positions": [[60.1, 24.9]]}))
