"""Crafted incidents with known places, times and figures, written straight into the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from console.domain.history import search_text
from console.store.models import Incident
from console.store.store import Store

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
#: inside the demo map pack, near Helsinki central station
LAT0, LON0 = 60.1690, 24.9420


@dataclass(frozen=True)
class Spec:
    id: str
    lat: float
    lon: float
    type: str = "single_gunshot"
    review: str = "reviewed"
    minutes: float = 0.0  # after T0
    district: str | None = "Kluuvi"
    beat: str | None = "KLU-1"
    address: str | None = None
    status: str | None = None
    disposition: str | None = None
    en_route_s: float | None = None
    on_scene_s: float | None = None
    canvassed: bool = False
    evidence_found: bool = False


def add_incidents(store: Store, specs: list[Spec]) -> None:
    rows: list[dict[str, Any]] = []
    for seq, s in enumerate(specs, start=1):
        time = T0 + timedelta(minutes=s.minutes)
        address = s.address or f"near {s.id} street"
        rows.append(dict(
            id=s.id, revision=1, seq=seq, review=s.review, type=s.type, time=time,
            lat=s.lat, lon=s.lon, uncertainty_m=20.0, address=address, district=s.district,
            beat=s.beat, rounds=1, shooters=1, mobile=None, payload={"id": s.id},
            received_at=time + timedelta(seconds=30), acknowledged_at=None,
            status=s.status, disposition=s.disposition, en_route_s=s.en_route_s,
            on_scene_s=s.on_scene_s, canvassed=s.canvassed, evidence_found=s.evidence_found,
            source="feed", search_text=search_text(s.id, address, s.district, s.beat)))
    with store._tx() as session:
        session.execute(insert(Incident), rows)


def grid(n: int, *, prefix: str = "G", step: float = 0.0004) -> list[Spec]:
    """``n`` incidents on a square grid around (LAT0, LON0), one minute apart."""
    side = int(n ** 0.5) + 1
    return [Spec(f"{prefix}-{i:04d}", LAT0 + step * (i // side - side / 2),
                 LON0 + 2 * step * (i % side - side / 2), minutes=i,
                 type=("single_gunshot", "multiple_gunshots", "probable_gunfire")[i % 3])
            for i in range(n)]
