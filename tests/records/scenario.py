"""A complete incident in the demo map's area: alert revisions, unit status, canvass,
evidence, a verification and cached audio, written through the store's own API."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import soundfile as sf

from console.domain.alert import parse_alert
from console.domain.canvass import (
    CanvassArea,
    CanvassVisit,
    EvidenceItem,
    HeardShots,
    Witness,
    addresses_in_area,
)
from console.domain.events import IncidentStatus
from console.domain.workflow import Disposition, status_event
from console.mappack.mbtiles import MapPack
from console.resources import resource_path
from console.store import Store, canvass_store
from console.store.records import VerificationRecord
from tests.domain.factories import alert_dict

FEED = "http://127.0.0.1:9/feed"
LAT, LON = 60.17163, 24.94430  # inside the bundled Helsinki map pack
T0 = datetime(2026, 11, 20, 1, 12, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Scenario:
    incident_id: str
    witness_name: str
    witness_contact: str


def wav_bytes(seconds: float = 2.0, rate: int = 16000, seed: int = 0) -> bytes:
    """A mono WAV with a few impulsive bangs over noise."""
    rng = np.random.default_rng(seed)
    x = 0.01 * rng.standard_normal(int(seconds * rate))
    for t in (0.3, 0.55, 0.8):
        i = int(t * rate)
        x[i:i + 400] += 0.8 * np.exp(-np.arange(400) / 60.0) * np.sign(rng.standard_normal(400))
    buf = io.BytesIO()
    sf.write(buf, x.astype(np.float32), rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def add_incident(store: Store, incident_id: str = "HEL-2026-0042", *, seq: int = 1,
                 extra: dict[str, Any] | None = None, supplements: int = 2,
                 audio: bool = True, canvass: bool = True) -> Scenario:
    """Store a full incident; ``extra`` members go into every alert payload."""
    base = dict(location={"lat": LAT, "lon": LON, "uncertainty_m": 35.0},
                address="Aleksanterinkatu 52", district="Kluuvi", beat="K1",
                time=T0.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                shots=[{"time": T0.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "lat": LAT,
                        "lon": LON, "shooter": 1}],
                supplements=[{"at": (T0 + timedelta(minutes=2 + i)).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"), "kind": "vehicle" if i % 2 else "victim_confirmed",
                    "text": f"Supplement number {i}: dark sedan eastbound"}
                    for i in range(supplements)])
    base.update(extra or {})
    first = parse_alert(alert_dict(incident_id, 1, seq=seq, review="machine", **base))
    second = parse_alert(alert_dict(incident_id, 2, seq=seq + 1, review="reviewed", **base))
    store.ingest([first, second], FEED, seq + 1)
    cur = None
    for k, new in enumerate((IncidentStatus.ACKNOWLEDGED, IncidentStatus.EN_ROUTE,
                             IncidentStatus.ON_SCENE, IncidentStatus.CLEAR)):
        ev = status_event(incident_id, "K-21", cur, new, at=T0 + timedelta(minutes=1 + 3 * k),
                          disposition=Disposition.EVIDENCE_FOUND
                          if new is IncidentStatus.CLEAR else None)
        store.record_local_event(ev)
        cur = new
    name, contact = "Matti Meikäläinen", "+358 40 123 4567"
    if canvass:
        area = CanvassArea.circle(incident_id, LAT, LON, radius_m=120)
        canvass_store.set_area(store, area)
        with MapPack(resource_path("maps", "helsinki-center.mbtiles")) as pack:
            doors = [a.id for a in addresses_in_area(pack, area)[:2]]
        canvass_store.record_visit(store, CanvassVisit(
            incident_id, doors[0], "heard_shots", "K-21", at=T0 + timedelta(minutes=15),
            heard=HeardShots("about 01:12", 3, "north"), note="heard three bangs",
            witness=Witness(name, contact)))
        canvass_store.record_visit(store, CanvassVisit(
            incident_id, doors[1], "no_answer", "K-21", at=T0 + timedelta(minutes=17)))
        canvass_store.record_evidence(store, EvidenceItem(
            incident_id, "casings", LAT + 0.0002, LON + 0.0003, "K-21", count=3,
            note="9 mm casings by the kerb", at=T0 + timedelta(minutes=20)))
    store.add_verification(VerificationRecord(
        incident_id, "demo-investigator", "investigator", T0 + timedelta(hours=2),
        "/data/recordings/case42", "ab" * 32, "pulses", "consistent",
        {"version": 1, "incident": incident_id, "verdict": "consistent", "distance_m": 12.3,
         "rounds": {"reported": 5, "computed": 5}, "shooters": {"reported": 1, "computed": 1},
         "sensors": [{"sensor": "Sensor 1", "shots_used": 5, "rms_ms": 0.4,
                      "max_abs_ms": 0.9}]}))
    if audio:
        store.cache_audio(incident_id, 0, "audio/wav", wav_bytes())
    return Scenario(incident_id, name, contact)
