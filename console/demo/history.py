"""Realistic desk history in bulk: years of incidents over the demo map.

The desk demo (``main.py --desk`` without ``--feed``) fills an empty store with a year of
it so history, statistics and reports have something to show; tests and benchmarks use
it at city scale.

:func:`generate` writes ``n`` incidents spread over ``years`` years before ``end`` into a
real :class:`~console.store.Store` (SQLite or PostgreSQL): alerts at the map pack's street
addresses, more at night, on weekends and around New Year, in hotspots; four districts of
four beats each over the demo box; types, review states, dispatch supplements; for most
feed incidents a unit's status events (acknowledged, en route, on scene, clear with a
disposition), sometimes a second unit, an undo, canvass visits and evidence, officers'
notes. Every row goes in through the store's tables in batches; the incident columns
searched by the desk are filled from the same events by the domain's own rule.

    from console.demo.history import generate
    info = generate(store, 10_000, years=2, seed=1)
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from sqlalchemy import insert

from console.domain._checks import format_time
from console.domain.events import EventKind, UnitEvent
from console.domain.history import search_text, summarize_events
from console.store.models import AlertRevision, Incident, UnitEventRow

__all__ = ["BBOX", "DISTRICTS", "DeskData", "area_of", "generate"]

#: (south, west, north, east) of the demo map pack, degrees.
BBOX = (60.164, 24.935, 60.179, 24.953)
#: Districts as a 2 x 2 grid over BBOX: (row, column) -> name, row 0 south.
DISTRICTS = {(0, 0): "Punavuori", (0, 1): "Kaartinkaupunki",
             (1, 0): "Kamppi", (1, 1): "Kluuvi"}
_TYPES = (("single_gunshot", 0.42), ("multiple_gunshots", 0.33),
          ("probable_gunfire", 0.10), ("gunshot_or_firecracker", 0.15))
_REVIEWS = (("reviewed", 0.78), ("machine", 0.07), ("updated", 0.10), ("cancelled", 0.05))
_DISPOSITIONS = (("shots_confirmed", 0.25), ("evidence_found", 0.2), ("no_evidence", 0.4),
                 ("unfounded", 0.1), ("other", 0.05))
_SUPPLEMENTS = (("victim_confirmed", "Caller reports one person injured, EMS requested"),
                ("vehicle", "Witness: dark saloon car leaving at speed"),
                ("subject", "Male in a grey hoodie seen running towards the harbour"),
                ("duplicate_call", "Second 112 call from the same block reporting bangs"))
_NOTES = ("Spoke to the night manager, no cameras facing the street",
          "Fireworks debris found in the courtyard", "Area checked, nothing found",
          "Casings bagged and handed to the evidence unit")
_OUTCOMES = ("no_answer", "contacted_no_info", "heard_shots", "saw_something",
             "camera_available", "evidence_found", "refused")
_BATCH = 5000


@dataclass(frozen=True)
class DeskData:
    """What :func:`generate` wrote."""

    incidents: int
    events: int
    start: datetime
    end: datetime
    districts: dict[str, list[str]]


#: Where the districts meet: about the median street address of the demo pack.
SPLIT = (60.1680, 24.9418)


def area_of(lat: float, lon: float) -> tuple[str, str]:
    """(district, beat) of a point: 2 x 2 districts split at SPLIT, each split 2 x 2 into
    beats at its middle (beats ``<DIS>-1`` south-west ... ``<DIS>-4`` north-east)."""
    south, west, north, east = BBOX
    row, col = int(lat >= SPLIT[0]), int(lon >= SPLIT[1])
    lat0, lat1 = (south, SPLIT[0]) if row == 0 else (SPLIT[0], north)
    lon0, lon1 = (west, SPLIT[1]) if col == 0 else (SPLIT[1], east)
    district = DISTRICTS[(row, col)]
    sub = 2 * int(lat >= (lat0 + lat1) / 2) + int(lon >= (lon0 + lon1) / 2) + 1
    return district, f"{district[:3].upper()}-{sub}"


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class _Places:
    """Street addresses of the demo pack (or a plain grid without it) and hotspots."""

    def __init__(self, rng: random.Random) -> None:
        try:
            from console.mappack import read_addresses
            from console.resources import resource_path

            items = read_addresses(resource_path("maps", "helsinki-center.mbtiles"))
            self.items = [(a.lat, a.lon, f"{a.street} {a.housenumber}") for a in items
                          if a.street and a.housenumber]
        except Exception:  # noqa: BLE001 - the pack is optional for generated data
            self.items = []
        if not self.items:
            s, w, n, e = BBOX
            self.items = [(s + (n - s) * (i + 0.5) / 30, w + (e - w) * (j + 0.5) / 30,
                           f"Grid street {i * 30 + j + 1}") for i in range(30) for j in range(30)]
        self.hot = rng.sample(range(len(self.items)), k=min(12, len(self.items)))

    def pick(self, rng: random.Random) -> tuple[float, float, str]:
        i = rng.choice(self.hot) if rng.random() < 0.35 else rng.randrange(len(self.items))
        lat, lon, address = self.items[i]
        lat += rng.gauss(0, 0.00015)
        lon += rng.gauss(0, 0.0003)
        return lat, lon, address


def _when(rng: random.Random, start: datetime, span_s: float) -> datetime:
    """A time weighted to nights, weekends and the turn of the year."""
    while True:
        t = start + timedelta(seconds=rng.random() * span_s)
        w = 1.0 + (1.5 if t.hour >= 21 or t.hour < 4 else 0.0)
        w += 0.6 if t.weekday() >= 5 else 0.0
        w += 4.0 if (t.month, t.day) in ((12, 31), (1, 1)) else 0.0
        if rng.random() * 7.1 < w:
            return t.replace(microsecond=rng.randrange(0, 1000) * 1000)


def _event(rng: random.Random, incident: str, kind: EventKind, at: datetime, unit: str,
           data: dict[str, Any]) -> UnitEvent:
    return UnitEvent(_uuid(rng), incident, kind, at, unit, MappingProxyType(data))


def _status_events(rng: random.Random, incident: str, dispatched: datetime
                   ) -> list[UnitEvent]:
    units = [f"P-{rng.randrange(11, 60)}"]
    if rng.random() < 0.2:
        units.append(f"P-{rng.randrange(60, 99)}")
    out: list[UnitEvent] = []
    cleared = False
    for k, unit in enumerate(units):
        t = dispatched + timedelta(seconds=rng.uniform(5, 90) + 30 * k)
        out.append(_event(rng, incident, EventKind.STATUS, t, unit, {"status": "acknowledged"}))
        out.append(_event(rng, incident, EventKind.STATUS, t, unit, {"status": "en_route"}))
        if rng.random() < 0.04:  # tapped on scene too early, undone
            early = _event(rng, incident, EventKind.STATUS, t + timedelta(seconds=20), unit,
                           {"status": "on_scene"})
            out += [early, _event(rng, incident, EventKind.STATUS, t + timedelta(seconds=22),
                                  unit, {"status": "en_route", "undoes": early.event_id})]
        if rng.random() < 0.06:
            continue
        t += timedelta(seconds=rng.lognormvariate(math.log(240), 0.5))
        out.append(_event(rng, incident, EventKind.STATUS, t, unit, {"status": "on_scene"}))
        if cleared or rng.random() < 0.05:
            continue
        t += timedelta(minutes=rng.uniform(8, 70))
        out.append(_event(rng, incident, EventKind.STATUS, t, unit,
                          {"status": "clear", "disposition": _pick(rng, _DISPOSITIONS)}))
        cleared = True
    return out


def _canvass_events(rng: random.Random, incident: str, at: datetime, lat: float,
                    lon: float, places: _Places) -> list[UnitEvent]:
    out = []
    unit = f"P-{rng.randrange(11, 60)}"
    for _ in range(rng.randrange(1, 7)):
        at += timedelta(minutes=rng.uniform(1, 6))
        _, _, address = places.pick(rng)
        out.append(_event(rng, incident, EventKind.CANVASS, at, unit, {
            "record": "visit", "address_key": f"a{rng.randrange(10**6)}",
            "address": address, "result": rng.choice(_OUTCOMES), "witness": False}))
    if rng.random() < 0.3:
        out.append(_event(rng, incident, EventKind.CANVASS, at, unit, {
            "record": "evidence", "evidence": "casings", "count": rng.randrange(1, 9),
            "lat": round(lat + rng.gauss(0, 1e-4), 7), "lon": round(lon + rng.gauss(0, 2e-4), 7)}))
    return out


def _one(rng: random.Random, i: int, t: datetime, places: _Places
         ) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    lat, lon, address = places.pick(rng)
    district, beat = area_of(lat, lon)
    incident = f"HKI-{t:%Y%m%d}-{i:06d}"
    kind, review = _pick(rng, _TYPES), _pick(rng, _REVIEWS)
    received = t + timedelta(seconds=rng.uniform(20, 60))
    rounds = 1 if kind == "single_gunshot" else rng.randrange(2, 16)
    sups = []
    if rng.random() < 0.07:
        k, text = rng.choice(_SUPPLEMENTS)
        sups.append({"at": format_time(received + timedelta(minutes=2)), "kind": k, "text": text})
    payload = {
        "seq": i + 1, "id": incident, "revision": 1, "review": review, "type": kind,
        "time": format_time(t), "location": {"lat": round(lat, 7), "lon": round(lon, 7),
                                             "uncertainty_m": round(rng.uniform(8, 40), 1)},
        "address": f"near {address}", "district": district, "beat": beat, "rounds": rounds,
        "shooters": 2 if rng.random() < 0.08 else 1, "shots": [], "audio": [],
        "supplements": sups, "events": []}
    events: list[UnitEvent] = []
    if review != "cancelled" and rng.random() < 0.9:
        events = _status_events(rng, incident, received)
        if any(e.data.get("status") == "on_scene" for e in events) and rng.random() < 0.45:
            events += _canvass_events(rng, incident, events[-1].at, lat, lon, places)
        if rng.random() < 0.05:
            events.append(_event(rng, incident, EventKind.NOTE, events[-1].at, events[0].unit,
                                 {"text": rng.choice(_NOTES)}))
    fig = summarize_events(events, first_received=received)
    row = dict(
        id=incident, revision=1, seq=i + 1, review=review, type=kind, time=t,
        lat=payload["location"]["lat"], lon=payload["location"]["lon"],
        uncertainty_m=payload["location"]["uncertainty_m"], address=payload["address"],
        district=district, beat=beat, rounds=rounds, shooters=payload["shooters"],
        mobile=None, payload=payload, received_at=received, acknowledged_at=None,
        status=fig.status, disposition=fig.disposition, dispatched_at=fig.dispatched_at,
        en_route_at=fig.en_route_at, on_scene_at=fig.on_scene_at, cleared_at=fig.cleared_at,
        en_route_s=fig.en_route_s, on_scene_s=fig.on_scene_s, canvassed=fig.canvassed,
        evidence_found=fig.evidence_found, source="feed",
        search_text=search_text(incident, payload["address"], district, beat,
                                *(s["text"] for s in sups), *fig.notes))
    revision = dict(incident_id=incident, revision=1, seq=i + 1, feed_url="demo://history",
                    payload=payload, received_at=received)
    ev_rows = [dict(event_id=e.event_id, incident_id=incident, kind=str(e.kind), at=e.at,
                    unit=e.unit, data=dict(e.data), source="feed", received_at=e.at)
               for e in events]
    return row, revision, ev_rows


def generate(store: Any, n: int, *, years: float = 7, seed: int = 0,
             end: datetime = datetime(2026, 1, 1, tzinfo=UTC),
             progress: Callable[[int, int, str], None] | None = None) -> DeskData:
    """Write ``n`` incidents over ``years`` years before ``end`` into ``store``.

    ``progress(done, n, text)`` is called after each batch (it may raise to stop; the
    batches written so far stay). Deterministic for a given ``seed``.
    """
    if n < 0 or years <= 0:
        raise ValueError(f"need n >= 0 and years > 0, got n={n!r}, years={years!r}")
    rng = random.Random(seed)
    places = _Places(rng)
    start = end - timedelta(days=365.25 * years)
    times = sorted(_when(rng, start, (end - start).total_seconds()) for _ in range(n))
    n_events = 0
    for lo in range(0, n, _BATCH):
        rows, revs, evs = [], [], []
        for i in range(lo, min(n, lo + _BATCH)):
            row, rev, ev = _one(rng, i, times[i], places)
            rows.append(row)
            revs.append(rev)
            evs += ev
        with store._tx() as s:
            s.execute(insert(Incident), rows)
            s.execute(insert(AlertRevision), revs)
            if evs:
                s.execute(insert(UnitEventRow), evs)
        n_events += len(evs)
        if progress is not None:
            progress(min(n, lo + _BATCH), n, f"{min(n, lo + _BATCH):,} incidents")
    districts = {d: [f"{d[:3].upper()}-{k}" for k in range(1, 5)]
                 for d in sorted(DISTRICTS.values())}
    return DeskData(n, n_events, start, end, districts)
