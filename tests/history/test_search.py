"""History search: each filter finds exactly the crafted incidents, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from console.domain.events import EventKind, new_event
from console.domain.permissions import PermissionDenied, Role, User
from console.services.audit import AuditLog
from console.services.history import HistoryQuery, areas, map_points, search
from console.store import Store
from tests.history.crafted import T0, alert, put, respond

H = timedelta(hours=1)
D = timedelta(days=1)


def ids(store: Store, **query: object) -> list[str]:
    return [r.id for r in search(store, HistoryQuery(**query)).rows]


@pytest.fixture
def five(store: Store) -> Store:
    """Five incidents in two districts (and one without), responses and a note."""
    put(store,
        alert("H-001", T0, seq=1, district="North", beat="N1", type="single_gunshot",
              review="reviewed", address="Mannerheimintie 5", rounds=1),
        alert("H-002", T0 + H, seq=2, district="North", beat="N2", type="multiple_gunshots",
              review="machine", address="Aleksanterinkatu 11", rounds=6,
              notes="Reviewer: 6 rounds, semi-automatic"),
        alert("H-003", T0 + D, seq=3, district="South", beat="S1", type="probable_gunfire",
              review="cancelled", address=None, rounds=None,
              supplements=[{"at": "2025-03-11T12:05:00Z", "kind": "vehicle",
                            "text": "Witness: red moped leaving west"}]),
        alert("H-004", T0 + 2 * D, seq=4, district="South", beat="S2",
              type="gunshot_or_firecracker", review="reviewed", address="Bulevardi 2",
              rounds=3),
        alert("H-005", T0 + 3 * D, seq=5, district=None, beat=None, type="single_gunshot",
              review="updated", address="Kalevankatu 1", rounds=1))
    respond(store, "H-001", T0 + 30 * timedelta(seconds=1), en_route_s=20, on_scene_s=200,
            clear_s=900, disposition="evidence_found")
    respond(store, "H-002", T0 + H, en_route_s=40, on_scene_s=300, clear_s=1200,
            disposition="no_evidence")
    respond(store, "H-004", T0 + 2 * D, en_route_s=10)
    note = new_event("H-004", EventKind.NOTE, "P-12", {"text": "Casings by the FENCE"},
                     at=T0 + 2 * D + H)
    assert store.record_local_event(note)
    return store


def test_no_filter_finds_all_newest_first(five: Store) -> None:
    result = search(five, HistoryQuery())
    assert [r.id for r in result.rows] == ["H-005", "H-004", "H-003", "H-002", "H-001"]
    assert result.total == 5


def test_time_bounds_include_start_and_exclude_end(five: Store) -> None:
    assert ids(five, start=T0 + H, end=T0 + 2 * D) == ["H-003", "H-002"]
    assert ids(five, start=T0 + 2 * D) == ["H-005", "H-004"]
    assert ids(five, end=T0 + H) == ["H-001"]


def test_districts_and_beats(five: Store) -> None:
    assert ids(five, districts=("North",)) == ["H-002", "H-001"]
    assert ids(five, districts=("North", "South")) == ["H-004", "H-003", "H-002", "H-001"]
    assert ids(five, beats=("S2", "N1")) == ["H-004", "H-001"]
    assert ids(five, districts=("North",), beats=("S2",)) == []  # filters combine with AND
    assert ids(five, districts=("Nowhere",)) == []


def test_types_reviews_dispositions(five: Store) -> None:
    assert ids(five, types=("single_gunshot",)) == ["H-005", "H-001"]
    assert ids(five, reviews=("cancelled", "machine")) == ["H-003", "H-002"]
    assert ids(five, dispositions=("evidence_found",)) == ["H-001"]
    assert ids(five, dispositions=("no_evidence", "evidence_found"),
               types=("multiple_gunshots",)) == ["H-002"]


def test_summary_carries_the_workflow_columns(five: Store) -> None:
    rows = {r.id: r for r in search(five, HistoryQuery()).rows}
    assert (rows["H-001"].status, rows["H-001"].disposition) == ("clear", "evidence_found")
    assert (rows["H-004"].status, rows["H-004"].disposition) == ("en_route", None)
    assert (rows["H-003"].status, rows["H-003"].disposition) == (None, None)
    assert rows["H-002"].source == "feed" and rows["H-002"].rounds == 6
    assert rows["H-003"].address is None and rows["H-005"].district is None
    assert rows["H-001"].time == T0 and rows["H-001"].time.tzinfo is not None


@pytest.mark.parametrize("text, expected", [
    ("mannerheimintie", ["H-001"]),            # address
    ("MANNERHEIM", ["H-001"]),                 # any case, part of a word
    ("h-003", ["H-003"]),                      # id
    ("south", ["H-004", "H-003"]),             # district
    ("n2", ["H-002"]),                         # beat
    ("semi-automatic reviewer", ["H-002"]),    # alert notes, every word (AND)
    ("reviewer moped", []),
    ("moped", ["H-003"]),                      # dispatch supplement
    ("fence", ["H-004"]),                      # an officer's note event
    ("%", []), ("_", []), ("\\", []),          # wildcards are plain characters
    ("   ", ["H-005", "H-004", "H-003", "H-002", "H-001"]),
])
def test_text(five: Store, text: str, expected: list[str]) -> None:
    assert ids(five, text=text) == expected


def test_sort_limit_offset_total(five: Store) -> None:
    page = search(five, HistoryQuery(sort="time", descending=False, limit=2, offset=1))
    assert [r.id for r in page.rows] == ["H-002", "H-003"] and page.total == 5
    assert ids(five, sort="rounds") == ["H-002", "H-004", "H-005", "H-001", "H-003"]
    assert ids(five, sort="rounds", descending=False) == [
        "H-001", "H-005", "H-004", "H-002", "H-003"]  # empty values last both ways
    assert ids(five, sort="address", descending=False) == [
        "H-002", "H-004", "H-005", "H-001", "H-003"]
    assert ids(five, sort="id", descending=False) == [f"H-00{i}" for i in range(1, 6)]
    assert ids(five, sort="status", descending=False) == [  # ties by id, same direction
        "H-001", "H-002", "H-004", "H-003", "H-005"]
    assert ids(five, sort="status") == ["H-004", "H-002", "H-001", "H-005", "H-003"]
    assert search(five, HistoryQuery(limit=0)).rows == []
    assert search(five, HistoryQuery(limit=0)).total == 5
    assert ids(five, limit=None, offset=4) == ["H-001"]


#: A "U" open to the north: the notch (lat > 60.164, 24.936 < lon < 24.944) is outside.
U_SHAPE = ((60.160, 24.930), (60.170, 24.930), (60.170, 24.936), (60.164, 24.936),
           (60.164, 24.944), (60.170, 24.944), (60.170, 24.950), (60.160, 24.950))


def test_concave_polygon_excludes_the_notch_and_keeps_the_edge(store: Store) -> None:
    spots = {"left-arm": (60.167, 24.933), "notch": (60.167, 24.940),
             "base": (60.162, 24.940), "right-arm": (60.169, 24.948),
             "outside": (60.175, 24.940), "edge": (60.160, 24.940)}
    put(store, *(alert(name, T0 + i * H, lat=lat, lon=lon, seq=i + 1)
                 for i, (name, (lat, lon)) in enumerate(spots.items())))
    expected = ["edge", "right-arm", "base", "left-arm"]
    assert ids(store, polygon=U_SHAPE) == expected
    assert search(store, HistoryQuery(polygon=U_SHAPE, limit=1, offset=1)).total == 4
    assert ids(store, polygon=U_SHAPE, limit=2, offset=1) == ["right-arm", "base"]
    assert ids(store, polygon=U_SHAPE, start=T0 + 2 * H) == ["edge", "right-arm", "base"]
    assert sorted(map_points(store, HistoryQuery(polygon=U_SHAPE)).ids) == sorted(expected)


def test_map_points_are_every_match_without_limit(five: Store) -> None:
    pts = map_points(five, HistoryQuery(districts=("North", "South"), limit=1))
    assert pts.ids == ["H-001", "H-002", "H-003", "H-004"]
    assert len(pts) == 4 and pts.types[0] == "single_gunshot"
    assert pts.lats == [60.170] * 4 and pts.lons == [24.940] * 4


def test_areas_lists_districts_with_their_beats(five: Store) -> None:
    assert areas(five) == {"North": ["N1", "N2"], "South": ["S1", "S2"]}


@pytest.mark.parametrize("bad, message", [
    ({"start": datetime(2025, 1, 1)}, "timezone-aware"),
    ({"start": T0, "end": T0 - H}, "before start"),
    ({"sort": "sensor"}, "unknown sort key 'sensor'"),
    ({"limit": -1}, "limit"),
    ({"offset": -5}, "offset"),
    ({"polygon": ((60.0, 24.0), (60.1, 24.1))}, "at least 3 corners"),
    ({"polygon": ((60.0, 24.0), (60.1, 24.1), (95.0, 24.0))}, "out of range"),
])
def test_malformed_query_is_refused_with_a_reason(bad: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        HistoryQuery(**bad)


def test_search_by_a_user_checks_the_role_and_audits_a_refusal(five: Store) -> None:
    audit = AuditLog(five)
    found = search(five, HistoryQuery(), user=User("sue", Role.SUPERVISOR), audit=audit)
    assert found.total == 5
    with pytest.raises(PermissionDenied, match="search history"):
        search(five, HistoryQuery(), user=User("olli", Role.OFFICER), audit=audit)
    assert audit.verify().ok and audit.verify().entries == 1


def test_ties_and_text_sort_in_binary_order_on_every_backend(store: Store) -> None:
    names = ["a_1", "A1", "a.1", "a-1", "B-2"]
    put(store, *(alert(n, T0, seq=k + 1, address=f"{n} street")
                 for k, n in enumerate(names)))
    assert ids(store) == ["a_1", "a.1", "a-1", "B-2", "A1"]  # same time: id, descending
    assert ids(store, sort="address", descending=False) == ["A1", "B-2", "a-1", "a.1", "a_1"]


def test_a_crossed_drawing_counts_both_loops(store: Store) -> None:
    bow_tie = ((60.160, 24.930), (60.170, 24.950), (60.170, 24.930), (60.160, 24.950))
    spots = {"north-loop": (60.169, 24.940), "south-loop": (60.161, 24.940),
             "west-gap": (60.165, 24.932)}  # the lines cross at (60.165, 24.940)
    put(store, *(alert(n, T0 + k * H, lat=la, lon=lo, seq=k + 1)
                 for k, (n, (la, lo)) in enumerate(spots.items())))
    assert sorted(ids(store, polygon=bow_tie)) == ["north-loop", "south-loop"]
