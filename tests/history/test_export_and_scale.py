"""CSV of a search (round trip, no sensor field, audited, never half written) and the
search checked against a plain scan over generated desk data, on both backends."""

from __future__ import annotations

import csv
import random
from datetime import timedelta
from pathlib import Path

import pytest

from benchmarks.desk_data import generate
from console.domain._checks import format_time
from console.domain.permissions import PermissionDenied, Role, User
from console.services.audit import AuditLog
from console.services.history import (
    CSV_COLUMNS,
    HistoryQuery,
    IncidentSummary,
    export_search_csv,
    map_points,
    search,
    write_search_csv,
)
from console.services.statistics import area_statistics
from console.store import Store
from tests.history.crafted import T0, alert, put

TRICKY = 'Café "Kulma", Iso Roobertinkatu 1; back door'


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_search_csv_round_trip_keeps_every_value(store: Store, tmp_path: Path) -> None:
    put(store, alert("E-1", T0, address=TRICKY, district="Punavuori", beat="PUN-1", rounds=4),
        alert("E-2", T0 + timedelta(minutes=1), seq=2, address=None, district=None, beat=None,
              rounds=None, shooters=None))
    rows = search(store, HistoryQuery()).rows
    path = tmp_path / "search.csv"
    assert write_search_csv(rows, path) == 2
    back = _read(path)
    assert tuple(back[0]) == CSV_COLUMNS
    assert not any("sensor" in c or "serial" in c for c in CSV_COLUMNS)
    for row, summary in zip(back, rows, strict=True):
        for name in CSV_COLUMNS:
            value = getattr(summary, name)
            expected = "" if value is None else format_time(value) if name == "time" \
                else str(value)
            assert row[name] == expected, name
    assert back[1]["address"] == TRICKY


def test_export_needs_an_exporting_role_and_is_audited(store: Store, tmp_path: Path) -> None:
    put(store, *(alert(f"E-{i}", T0 + timedelta(minutes=i), seq=i + 1) for i in range(7)))
    audit = AuditLog(store)
    with pytest.raises(PermissionDenied):
        export_search_csv(store, HistoryQuery(), tmp_path / "no.csv",
                          user=User("olli", Role.OFFICER), audit=audit)
    assert not (tmp_path / "no.csv").exists()
    n = export_search_csv(store, HistoryQuery(limit=2), tmp_path / "all.csv",
                          user=User("ida", Role.INVESTIGATOR), audit=audit)
    assert n == 7 and len(_read(tmp_path / "all.csv")) == 7  # the page size does not cut it
    assert audit.verify().ok and audit.verify().entries == 2


def test_a_cancelled_export_leaves_no_file(tmp_path: Path) -> None:
    row = IncidentSummary("E-1", T0, "single_gunshot", "reviewed", 60.17, 24.94, 20.0, None,
                          None, None, None, None, None, None, "feed")

    def cancel(done: int, total: int, text: str) -> None:
        raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError):
        write_search_csv([row] * 2500, tmp_path / "out.csv", progress=cancel)
    assert list(tmp_path.iterdir()) == []


def _inside(lat: float, lon: float, ring: tuple[tuple[float, float], ...]) -> bool:
    """Even-odd rule, written out independently of the service's geometry library."""
    inside = False
    for (y1, x1), (y2, x2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_search_equals_a_plain_scan_over_generated_data(store: Store) -> None:
    info = generate(store, 1500, years=1, seed=3)
    everything = search(store, HistoryQuery(limit=None)).rows
    assert len(everything) == 1500 and info.incidents == 1500
    rng = random.Random(5)
    star = ((60.165, 24.936), (60.1705, 24.9445), (60.178, 24.937), (60.172, 24.9465),
            (60.177, 24.952), (60.1695, 24.949), (60.165, 24.951), (60.1685, 24.9445))
    for _ in range(6):
        t0 = info.start + timedelta(days=rng.uniform(0, 300))
        q = HistoryQuery(start=t0, end=t0 + timedelta(days=rng.choice((7, 60))),
                         districts=(rng.choice(sorted(info.districts)),),
                         types=("single_gunshot", "multiple_gunshots"), limit=None,
                         sort="time", descending=False)
        want = sorted((r for r in everything if q.start <= r.time < q.end
                       and r.district in q.districts and r.type in q.types),
                      key=lambda r: (r.time, r.id))
        got = search(store, q)
        assert got.rows == want and got.total == len(want)
    want = {r.id for r in everything if _inside(r.lat, r.lon, star)}
    assert 0 < len(want) < 1500
    assert {r.id for r in search(store, HistoryQuery(polygon=star, limit=None)).rows} == want
    assert set(map_points(store, HistoryQuery(polygon=star)).ids) == want
    beats = ("KAM-2", "KLU-4")
    assert search(store, HistoryQuery(beats=beats)).total == sum(
        r.beat in beats for r in everything)
    cleared = search(store, HistoryQuery(dispositions=("evidence_found",), limit=None)).rows
    assert cleared and all(r.status == "clear" for r in cleared)
    rep = area_statistics(store, info.start, info.end, bucket="month")
    assert rep.total.alerts == 1500
    assert sum(n for s in rep.series.values() for _, n in s) == 1500
    assert 0 < rep.total.canvass_completion < 1 and 0 < rep.total.evidence_found_rate < 1
