"""Sensor locations and serials never leave: a property over exports of random incidents.

Each example stores a random incident whose alert payloads carry a ``sensors`` member
(the parser must drop it), whose verification was computed from sensors with serials and
positions (and whose recordings' folder is named after a sensor), whose cached audio is a
sensor WAV with an ``smj0`` chunk (serial, latitude, longitude), with random canvass notes
and supplements. Then every way out is searched for the serials and the coordinates: the
report PDF's text, an outside report and outside audio, the HTML map, the search CSV, the
statistics CSV, the EIDO document, the verification JSON summary and every log line.
"""

from __future__ import annotations

import io
import json
import logging
import math
import struct
import tempfile
import unicodedata
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pypdf
import soundfile as sf
from hypothesis import given
from hypothesis import strategies as st

from console.cad.eido import incident_eido
from console.domain.alert import parse_alert
from console.domain.canvass import CanvassVisit, EvidenceItem
from console.domain.events import IncidentStatus
from console.domain.permissions import Role, User
from console.domain.workflow import status_event
from console.services.audit import AuditLog
from console.services.history import HistoryQuery, search, write_search_csv
from console.services.map_export import write_search_map
from console.services.releases import ReleaseService
from console.services.reports import render_report
from console.services.statistics import area_statistics, write_stats_csv
from console.store import Store, canvass_store
from console.store.records import VerificationRecord
from console.verify.compare import compare
from console.verify.record import export_json
from locator_core.incident import IncidentSolution
from locator_core.locate import ShotSolution
from locator_core.types import LocalFrame, Pulse, Sensor
from tests.domain.factories import alert_dict
from tests.fuzz.conftest import budget

FEED = "http://127.0.0.1:9/feed"
T0 = datetime(2026, 3, 14, 22, 5, 0, tzinfo=UTC)
_SERIAL = st.from_regex(r"\A[A-Z]{2,3}-?[0-9]{5,7}[A-Z]?\Z")
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                min_size=1, max_size=80).filter(str.strip)  # blank text is refused


@st.composite
def sensor_field(draw: Any, lat0: float, lon0: float) -> list[dict[str, Any]]:
    """Sensors 600 m to 2 km away: beyond the ~500 m margin the HTML map puts around its
    results, so no coordinate printed for the incident can equal a sensor's by chance."""
    serials = draw(st.lists(_SERIAL, min_size=3, max_size=6, unique=True))
    out = []
    for s in serials:
        dlat = draw(st.floats(0.006, 0.018)) * draw(st.sampled_from((-1, 1)))
        dlon = draw(st.floats(0.012, 0.036)) * draw(st.sampled_from((-1, 1)))
        out.append({"serial": s, "lat": lat0 + dlat, "lon": lon0 + dlon,
                    "elevation_m": draw(st.floats(0, 60))})
    return out


@st.composite
def incidents(draw: Any) -> dict[str, Any]:
    lat0 = draw(st.floats(60.166, 60.177))
    lon0 = draw(st.floats(24.938, 24.950))
    return {
        "id": draw(st.from_regex(r"\A[A-Z]{3}-2026-[0-9]{4}\Z")),
        "lat": lat0, "lon": lon0,
        "sensors": draw(sensor_field(lat0, lon0)),
        "notes": draw(_TEXT), "supplement": draw(_TEXT), "canvass_note": draw(_TEXT),
        "type": draw(st.sampled_from(("single_gunshot", "multiple_gunshots",
                                      "probable_gunfire"))),
        "rounds": draw(st.integers(1, 30)),
    }


def _forbidden(sensors: list[dict[str, Any]]) -> list[str]:
    """Each serial, and each coordinate rounded or cut to 4..7 decimals."""
    out = []
    for s in sensors:
        out.append(s["serial"])
        for v in (s["lat"], s["lon"]):
            long = f"{v:.12f}"
            for k in (4, 5, 6, 7):
                out += [f"{v:.{k}f}", long[:long.index(".") + 1 + k]]
    return out


def _leaks(text: str, sensors: list[dict[str, Any]]) -> list[str]:
    return [t for t in _forbidden(sensors) if t in text]


def test_the_detector_finds_sensor_data_in_plain_dumps() -> None:
    s = {"serial": "QX-1234567", "lat": 60.1561524577888, "lon": 24.92262390502206,
         "elevation_m": 3.0}
    assert _leaks(json.dumps(s), [s])  # repr of the floats and the serial
    assert _leaks("at 60.15615, 24.92262", [s])  # rounded
    assert _leaks("lon=24.9226239", [s])  # cut
    assert not _leaks("incident at 60.17163, 24.94430", [s])


def sensor_wav(sensor: dict[str, Any], seconds: float = 0.5, rate: int = 8000) -> bytes:
    """A sensor WAV whose ``smj0`` chunk names the sensor's serial and position."""
    buf = io.BytesIO()
    x = np.sin(np.linspace(0, 400 * math.pi, int(seconds * rate))).astype(np.float32) * 0.3
    sf.write(buf, x, rate, format="WAV", subtype="PCM_16")
    blob = buf.getvalue()
    meta = {"serialNumber": sensor["serial"], "startTimeUTC": "2026-03-14T22:05:00.000Z",
            "geolocation": {"latitude": sensor["lat"], "longitude": sensor["lon"],
                            "elevation": sensor["elevation_m"]}}
    payload = zlib.compress(json.dumps(meta).encode())
    chunk = b"smj0" + struct.pack("<I", len(payload)) + payload + b"\0" * (len(payload) % 2)
    at = blob.index(b"data")
    out = blob[:at] + chunk + blob[at:]
    return out[:4] + struct.pack("<I", len(out) - 8) + out[8:]


def _solution(inc: dict[str, Any]) -> IncidentSolution:
    frame = LocalFrame(inc["lat"], inc["lon"])
    sensors = [Sensor(s["serial"], *frame.to_local(s["lat"], s["lon"], s["elevation_m"]))
               for s in inc["sensors"]]
    t = int(T0.timestamp() * 1e9)
    shots = tuple(ShotSolution(x=3.0 * k, y=-2.0 * k, z=0.0, time_ns=t + k * 400_000_000,
                               covariance=np.eye(3), uncertainty_m=12.0, sigma_s=1e-4,
                               used=tuple(Pulse(s, t + k * 400_000_000 + 1_000_000 * i)
                                          for i, s in enumerate(sensors)),
                               residuals_s=tuple(1e-4 * (i - 1) for i in range(len(sensors))))
                  for k in range(2))
    return IncidentSolution(shots=shots, shooter_of_shot=(1, 1), rounds=2, shooters=1,
                            type="multiple_gunshots", mobile=None, frame=frame,
                            name="audio")  # the verified folder's own name


def _store_incident(store: Store, inc: dict[str, Any]) -> Any:
    when = T0.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    payloads = [alert_dict(inc["id"], rev, seq=rev, review=review, type=inc["type"],
                           time=when, rounds=inc["rounds"], notes=inc["notes"],
                           location={"lat": inc["lat"], "lon": inc["lon"],
                                     "uncertainty_m": 30.0},
                           shots=[{"time": when, "lat": inc["lat"], "lon": inc["lon"],
                                   "shooter": 1}],
                           supplements=[{"at": when, "kind": "other",
                                         "text": inc["supplement"]}],
                           district="Kluuvi", beat="K1", sensors=inc["sensors"])
                for rev, review in ((1, "machine"), (2, "reviewed"))]
    alerts = [parse_alert(p) for p in payloads]
    store.ingest(alerts, FEED, 2)
    cur = None
    for k, new in enumerate((IncidentStatus.EN_ROUTE, IncidentStatus.ON_SCENE)):
        store.record_local_event(status_event(inc["id"], "K-7", cur, new,
                                              at=T0 + timedelta(minutes=2 + 4 * k)))
        cur = new
    canvass_store.record_visit(store, CanvassVisit(inc["id"], "n1", "heard_shots", "K-7",
                                                   at=T0 + timedelta(minutes=9),
                                                   note=inc["canvass_note"]))
    canvass_store.record_evidence(store, EvidenceItem(
        inc["id"], "casings", inc["lat"] + 0.0001, inc["lon"] - 0.0001, "K-7", count=2,
        at=T0 + timedelta(minutes=10)))
    result = compare(alerts[-1], _solution(inc))
    summary = export_json(result)
    folder = f"/evidence/{inc['sensors'][0]['serial']}/audio"
    store.add_verification(VerificationRecord(
        inc["id"], "demo-investigator", "investigator", T0 + timedelta(hours=1), folder,
        "cd" * 32, "audio", summary["verdict"], summary))
    store.cache_audio(inc["id"], 0, "audio/wav", sensor_wav(inc["sensors"][0]))
    return alerts[-1], summary


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _pdf_text(path: Path) -> str:
    pages = pypdf.PdfReader(str(path)).pages
    return unicodedata.normalize("NFKC", " ".join(p.extract_text() for p in pages))


@budget(6)
@given(inc=incidents())
def test_no_export_report_or_log_line_names_a_sensor(qapp: object, inc: dict[str, Any]) -> None:
    lines = _Lines()
    root = logging.getLogger()
    old = root.level
    root.addHandler(lines)
    root.setLevel(logging.DEBUG)
    try:
        with tempfile.TemporaryDirectory() as tmp_dir:
            _check_every_export(Path(tmp_dir), inc, lines)
    finally:
        root.removeHandler(lines)
        root.setLevel(old)


def _check_every_export(tmp: Path, inc: dict[str, Any], lines: _Lines) -> None:
    store = Store(f"sqlite+pysqlite:///{tmp / 'store.sqlite3'}")
    try:
        alert, summary = _store_incident(store, inc)
        outputs: dict[str, str] = {}
        render_report(store, inc["id"], tmp / "report.pdf")
        outputs["report PDF"] = _pdf_text(tmp / "report.pdf")
        releases = ReleaseService(store, AuditLog(store))
        officer, captain = User("olli", Role.OFFICER), User("kaisa", Role.CAPTAIN)
        for kind in ("report", "audio"):
            req = releases.request(officer, inc["id"], kind, "District Attorney", "case")
            releases.approve(captain, req.id)
            for path in releases.produce(officer, req.id, tmp / "out"):
                outputs[f"outside {path.name}"] = (
                    _pdf_text(path) if path.suffix == ".pdf"
                    else path.read_bytes().decode("latin-1"))
        rows = search(store, HistoryQuery(limit=None)).rows
        assert [r.id for r in rows] == [inc["id"]]
        write_search_map(rows, tmp / "map.html")
        outputs["HTML map"] = (tmp / "map.html").read_text(encoding="utf-8")
        write_search_csv(rows, tmp / "search.csv")
        outputs["search CSV"] = (tmp / "search.csv").read_text(encoding="utf-8")
        stats = area_statistics(store, T0 - timedelta(days=1), T0 + timedelta(days=1))
        write_stats_csv(stats, tmp / "stats.csv")
        outputs["stats CSV"] = (tmp / "stats.csv").read_text(encoding="utf-8")
        events = [e.event for e in store.unit_events(inc["id"])]
        outputs["EIDO"] = json.dumps(incident_eido(alert, events), ensure_ascii=False)
        outputs["verification JSON"] = json.dumps(summary, ensure_ascii=False)
        outputs["log lines"] = "\n".join(lines.lines)
    finally:
        store.close()
    # the examples must be meaningful: the random notes and incident did get out
    assert inc["id"] in outputs["report PDF"] and inc["id"] in outputs["HTML map"]
    for what, text in outputs.items():
        assert _leaks(text, inc["sensors"]) == [], f"sensor data found in the {what}"
        assert "smj0" not in text, f"a sensor metadata chunk went out in the {what}"
