"""Statistics per area: every figure against values worked out by hand from crafted data."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from console.domain.canvass import CanvassVisit, EvidenceItem
from console.domain.permissions import PermissionDenied, Role, User
from console.services.audit import AuditLog
from console.services.statistics import UNASSIGNED, area_statistics, write_stats_csv
from console.store import Store, canvass_store
from console.store.models import Incident
from tests.history.crafted import alert, put, respond

START = datetime(2025, 3, 10, tzinfo=UTC)  # a Monday
END = START + timedelta(days=14)
DAY, HOUR, SEC = timedelta(days=1), timedelta(hours=1), timedelta(seconds=1)


def at(days: float, hours: float = 0) -> datetime:
    return START + days * DAY + hours * HOUR


@pytest.fixture
def area_data(store: Store) -> Store:
    plan = [  # id, time, district, beat, type
        ("N-1", at(1, 2), "North", "N1", "single_gunshot"),
        ("N-2", at(1, 3), "North", "N1", "multiple_gunshots"),
        ("N-3", at(2), "North", "N2", "multiple_gunshots"),
        ("N-4", at(8), "North", "N2", "single_gunshot"),
        ("N-5", at(10), "North", "N2", "probable_gunfire"),
        ("S-1", at(3), "South", "S1", "gunshot_or_firecracker"),
        ("S-2", END - SEC, "South", "S1", "single_gunshot"),
        ("X-1", at(5), None, None, "single_gunshot"),
        ("O-1", END, "North", "N1", "single_gunshot"),          # end is excluded
        ("O-2", START - SEC, "North", "N1", "single_gunshot"),  # before start
    ]
    put(store, *(alert(i, t, seq=k + 1, district=d, beat=b, type=ty)
                 for k, (i, t, d, b, ty) in enumerate(plan)))
    times = {i: t for i, t, *_ in plan}
    respond(store, "N-1", times["N-1"], en_route_s=30, on_scene_s=200, clear_s=900,
            disposition="evidence_found")
    respond(store, "N-2", times["N-2"], en_route_s=60, on_scene_s=300, clear_s=1000,
            disposition="no_evidence")
    respond(store, "N-3", times["N-3"], en_route_s=90, on_scene_s=400)
    respond(store, "N-4", times["N-4"], en_route_s=120)
    respond(store, "S-1", times["S-1"], en_route_s=45, on_scene_s=250, clear_s=600,
            disposition="unfounded")
    respond(store, "O-1", times["O-1"], en_route_s=5, on_scene_s=6, clear_s=7,
            disposition="evidence_found")
    canvass_store.record_visit(store, CanvassVisit("N-2", "k1", "contacted_no_info", "P-12",
                                                   at=times["N-2"] + HOUR))
    canvass_store.record_visit(store, CanvassVisit("N-3", "k2", "heard_shots", "P-12",
                                                   at=times["N-3"] + HOUR))
    canvass_store.record_evidence(store, EvidenceItem("N-3", "casings", 60.17, 24.94, "P-12",
                                                      count=2, at=times["N-3"] + HOUR))
    with store._tx() as s:  # an imported open-data row: counted, but carries no workflow
        s.execute(insert(Incident), [dict(
            id="I-1", revision=1, seq=0, review="reviewed", type="single_gunshot",
            time=at(6, 23.5), lat=60.17, lon=24.94, uncertainty_m=25.0, address=None,
            district="North", beat="N1", rounds=None, shooters=None, mobile=None,
            payload={}, received_at=END, acknowledged_at=None, source="import")])
    return store


def test_figures_per_district_and_in_total(area_data: Store) -> None:
    rep = area_statistics(area_data, START, END, group_by="district", bucket="week")
    by = {a.area: a for a in rep.areas}
    assert list(by) == ["(unassigned)", "North", "South"] and UNASSIGNED in by
    north, south, none = by["North"], by["South"], by[UNASSIGNED]
    assert north.alerts == 6
    assert north.by_type == {"multiple_gunshots": 2, "probable_gunfire": 1,
                             "single_gunshot": 3}
    # en route 30, 60, 90, 120 s: median 75; p90 at rank 2.7 -> 90 + 0.7 * 30
    assert north.dispatch_to_en_route_median_s == pytest.approx(75.0)
    assert north.dispatch_to_en_route_p90_s == pytest.approx(111.0)
    # on scene 200, 300, 400 s: median 300; p90 at rank 1.8 -> 300 + 0.8 * 100
    assert north.dispatch_to_on_scene_median_s == pytest.approx(300.0)
    assert north.dispatch_to_on_scene_p90_s == pytest.approx(380.0)
    assert north.canvass_completion == pytest.approx(2 / 5)  # I-1 is imported
    assert north.evidence_found_rate == pytest.approx(1 / 2)  # N-3 found some, not clear
    assert (south.alerts, south.dispatch_to_en_route_median_s,
            south.dispatch_to_on_scene_p90_s) == (2, 45.0, 250.0)
    assert (south.canvass_completion, south.evidence_found_rate) == (0.0, 0.0)
    assert none.alerts == 1 and none.dispatch_to_en_route_median_s is None
    assert (none.canvass_completion, none.evidence_found_rate) == (0.0, None)
    total = rep.total
    assert total.alerts == 9 and total.by_type["single_gunshot"] == 5
    # en route 30, 45, 60, 90, 120: median 60; p90 at rank 3.6 -> 90 + 0.6 * 30
    assert (total.dispatch_to_en_route_median_s, total.dispatch_to_en_route_p90_s) == (
        pytest.approx(60.0), pytest.approx(108.0))
    # on scene 200, 250, 300, 400: median 275; p90 at rank 2.7 -> 300 + 0.7 * 100
    assert (total.dispatch_to_on_scene_median_s, total.dispatch_to_on_scene_p90_s) == (
        pytest.approx(275.0), pytest.approx(370.0))
    assert total.canvass_completion == pytest.approx(2 / 8)
    assert total.evidence_found_rate == pytest.approx(1 / 3)


def test_series_per_day_week_and_month(area_data: Store) -> None:
    weeks = area_statistics(area_data, START, END, bucket="week").series
    assert weeks["North"] == [(START, 4), (START + 7 * DAY, 2)]  # I-1 is Sunday 23:30
    assert weeks["South"] == [(START, 1), (START + 7 * DAY, 1)]
    days = area_statistics(area_data, START, END, bucket="day").series["North"]
    assert [d for d, _ in days] == [START + k * DAY for k in range(14)]
    assert [n for _, n in days] == [0, 2, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0]
    months = area_statistics(area_data, START, END, bucket="month").series
    assert months == {"(unassigned)": [(datetime(2025, 3, 1, tzinfo=UTC), 1)],
                      "North": [(datetime(2025, 3, 1, tzinfo=UTC), 6)],
                      "South": [(datetime(2025, 3, 1, tzinfo=UTC), 2)]}


def test_group_by_beat(area_data: Store) -> None:
    rep = area_statistics(area_data, START, END, group_by="beat", bucket="month")
    assert {a.area: a.alerts for a in rep.areas} == {"N1": 3, "N2": 3, "S1": 2,
                                                     UNASSIGNED: 1}
    n2 = next(a for a in rep.areas if a.area == "N2")
    assert (n2.dispatch_to_en_route_median_s, n2.canvass_completion) == (105.0, 1 / 3)


def test_an_empty_period_has_no_figures(area_data: Store) -> None:
    rep = area_statistics(area_data, END + DAY, END + 2 * DAY)
    assert rep.areas == [] and rep.total.alerts == 0 and rep.series == {}
    assert rep.total.dispatch_to_en_route_median_s is None
    assert rep.total.canvass_completion is None and rep.total.evidence_found_rate is None


@pytest.mark.parametrize("kwargs, message", [
    ({"group_by": "sensor"}, "group_by"), ({"bucket": "hour"}, "bucket"),
])
def test_bad_grouping_is_refused(store: Store, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        area_statistics(store, START, END, **kwargs)
    with pytest.raises(ValueError, match="after start"):
        area_statistics(store, END, START)
    with pytest.raises(ValueError, match="timezone-aware"):
        area_statistics(store, datetime(2025, 1, 1), END)


def test_statistics_need_a_desk_role(area_data: Store) -> None:
    audit = AuditLog(area_data)
    rep = area_statistics(area_data, START, END, user=User("sue", Role.SUPERVISOR), audit=audit)
    assert rep.total.alerts == 9
    with pytest.raises(PermissionDenied):
        area_statistics(area_data, START, END, user=User("olli", Role.OFFICER), audit=audit)
    assert audit.verify().entries == 1


def test_stats_csv_round_trip(area_data: Store, tmp_path: Path) -> None:
    rep = area_statistics(area_data, START, END)
    path = tmp_path / "stats.csv"
    assert write_stats_csv(rep, path) == 4
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["area"] for r in rows] == ["(unassigned)", "North", "South", "All areas"]
    north = rows[1]
    assert (north["alerts"], north["dispatch_to_en_route_median_s"],
            north["dispatch_to_on_scene_p90_s"], north["canvass_completion"]) == (
        "6", "75.0", "380.0", "0.4")
    assert (north["type:single_gunshot"], north["type:gunshot_or_firecracker"]) == ("3", "0")
    assert rows[0]["evidence_found_rate"] == "" and rows[0]["start"] == "2025-03-10T00:00:00Z"
    assert not any("sensor" in k or "serial" in k for k in rows[0])
