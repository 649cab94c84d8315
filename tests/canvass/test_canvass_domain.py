"""Canvass rules against the real demo map pack (OSM addresses of central Helsinki)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime

import pytest

from console.domain.canvass import (
    CanvassArea,
    CanvassVisit,
    HeardShots,
    LocalFrame,
    Outcome,
    Witness,
    address_label,
    addresses_in_area,
    latest_outcomes,
    mask,
    progress,
    visit_event,
)
from console.domain.events import event_to_json
from console.mappack import MapPack
from console.resources import resource_path

# Kaivokatu in front of Helsinki central station
STATION = (60.1699, 24.9384)


@pytest.fixture(scope="module")
def pack():
    with MapPack(resource_path("maps", "helsinki-center.mbtiles")) as p:
        yield p


def _dist_m(lat: float, lon: float) -> float:
    x, y = LocalFrame(*STATION).to_xy(lat, lon)
    return float((x**2 + y**2) ** 0.5)


def test_circle_of_150_m_holds_the_real_addresses_and_only_those(pack) -> None:
    area = CanvassArea.circle("HEL-1", *STATION)
    inside = addresses_in_area(pack, area)
    streets = Counter(a.street for a in inside)
    assert len(inside) == 158
    assert {"Mannerheimintie", "Simonkatu", "Kaivokatu", "Yrjönkatu"} <= set(streets)
    assert streets["Mannerheimintie"] > streets["Simonkatu"] > streets["Kaivokatu"]
    assert all(_dist_m(a.lat, a.lon) <= 150.0 for a in inside)
    # every pack address within 150 m is in the list (the bbox query loses none)
    near = {a.id for a in pack.addresses() if _dist_m(a.lat, a.lon) <= 150.0}
    assert near == {a.id for a in inside}
    assert "Aleksanterinkatu" not in streets  # ~300 m east


def test_radius_changes_the_area(pack) -> None:
    small = addresses_in_area(pack, CanvassArea.circle("HEL-1", *STATION, radius_m=60))
    large = addresses_in_area(pack, CanvassArea.circle("HEL-1", *STATION, radius_m=250))
    assert {a.id for a in small} < {a.id for a in large}
    assert all(_dist_m(a.lat, a.lon) <= 60 for a in small)
    with pytest.raises(ValueError, match="radius_m must be in"):
        CanvassArea.circle("HEL-1", *STATION, radius_m=5)


def test_drawn_polygon_contains_its_block_only(pack) -> None:
    # a box of ~110 m x ~110 m north-east of the station point
    lat0, lon0 = STATION
    box = [(lat0, lon0), (lat0 + 0.001, lon0), (lat0 + 0.001, lon0 + 0.002), (lat0, lon0 + 0.002)]
    area = CanvassArea.drawn("HEL-1", lat0, lon0, box)
    inside = addresses_in_area(pack, area)
    assert inside, "the block north-east of the station has addresses"
    assert all(lat0 <= a.lat <= lat0 + 0.001 and lon0 <= a.lon <= lon0 + 0.002 for a in inside)
    every = [a for a in pack.addresses() if lat0 <= a.lat <= lat0 + 0.001
             and lon0 <= a.lon <= lon0 + 0.002]
    assert {a.id for a in inside} == {a.id for a in every}
    again = CanvassArea.from_stored("HEL-1", lat0, lon0, None, area.polygon_geojson())
    assert again.polygon == area.polygon
    with pytest.raises(ValueError, match="at least 3 points"):
        CanvassArea.drawn("HEL-1", lat0, lon0, box[:2])
    with pytest.raises(ValueError, match="no area"):
        CanvassArea.drawn("HEL-1", lat0, lon0, [(lat0, lon0), (lat0 + 0.001, lon0),
                                                (lat0 + 0.002, lon0)])


def test_walking_order_is_deterministic_street_by_street(pack) -> None:
    area = CanvassArea.circle("HEL-1", *STATION)
    first = addresses_in_area(pack, area)
    assert [a.id for a in first] == [a.id for a in addresses_in_area(pack, area)]
    # each street is walked in one stretch
    streets = [a.street for a in first]
    runs = [s for i, s in enumerate(streets) if i == 0 or streets[i - 1] != s]
    assert len(runs) == len(set(streets))
    # the street of the door nearest the incident comes first
    nearest = min(first, key=lambda a: _dist_m(a.lat, a.lon))
    assert first[0].street == nearest.street
    assert address_label(first[0]).startswith(first[0].street)


def test_progress_and_latest_outcome() -> None:
    t1, t2 = datetime(2026, 1, 1, 2, 0, tzinfo=UTC), datetime(2026, 1, 1, 2, 30, tzinfo=UTC)
    visits = [CanvassVisit("HEL-1", "n1", Outcome.NO_ANSWER, "2A12", at=t1),
              CanvassVisit("HEL-1", "n1", Outcome.HEARD_SHOTS, "2A12", at=t2),
              CanvassVisit("HEL-1", "n9", Outcome.REFUSED, "2A12", at=t1)]  # outside the list
    assert progress(["n1", "n2", "n3"], visits).text == "1 / 3"
    assert latest_outcomes(visits)["n1"] is Outcome.HEARD_SHOTS


def test_witness_identity_never_in_the_event_nor_in_text(caplog) -> None:
    witness = Witness("Maija Meikäläinen", "+358 40 1234567")
    visit = CanvassVisit("HEL-1", "n317574802", "heard_shots", "2A12", witness=witness,
                         heard=HeardShots("about 02:10", 3, "north"), note="Woke up to bangs")
    payload = str(event_to_json(visit_event(visit, "Mannerheimintie 5")))
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("console.canvass").info("visit %s / %r", visit, visit)
    for secret in ("Maija", "Meikäläinen", "1234567"):
        assert secret not in payload
        assert secret not in caplog.text
    event = visit_event(visit, "Mannerheimintie 5")
    assert event.event_id == visit.visit_id
    assert dict(event.data) == {
        "record": "visit", "address_key": "n317574802", "address": "Mannerheimintie 5",
        "result": "heard_shots", "heard_time": "about 02:10", "heard_count": 3,
        "heard_direction": "north", "note": "Woke up to bangs", "witness": True}
    assert mask("Maija Meikäläinen") == "M•••• M••••••"


def test_every_address_node_of_the_osm_extract_near_the_station_is_canvassed(
    pack, shared_data
) -> None:
    """Independent of the pack builder: read the OSM extract's address nodes with osmium."""
    import osmium

    found: dict[str, tuple[str, str]] = {}
    for obj in osmium.FileProcessor(str(shared_data / "osm" / "helsinki-center.osm.pbf"),
                                    osmium.osm.NODE):
        tags = obj.tags
        if "addr:housenumber" in tags and "addr:street" in tags and \
                _dist_m(obj.location.lat, obj.location.lon) <= 149.0:  # clear of the edge
            found[f"n{obj.id}"] = (tags["addr:street"], tags["addr:housenumber"])
    inside = {a.id: (a.street, a.housenumber)
              for a in addresses_in_area(pack, CanvassArea.circle("HEL-1", *STATION))}
    assert len(found) > 50
    assert {k: inside.get(k) for k in found} == found


def test_radius_steps_and_a_drawn_area_goes_back_to_the_circle() -> None:
    from console.domain.canvass import RADII_M, step_radius

    area = CanvassArea.circle("HEL-1", *STATION)
    assert step_radius(area, +1) == 200 and step_radius(area, -1) == 100
    top = CanvassArea.circle("HEL-1", *STATION, radius_m=RADII_M[-1])
    assert step_radius(top, +1) == RADII_M[-1]
    odd = CanvassArea.circle("HEL-1", *STATION, radius_m=120)
    assert (step_radius(odd, -1), step_radius(odd, +1)) == (100, 150)
    lat0, lon0 = STATION
    drawn = CanvassArea.drawn("HEL-1", lat0, lon0, [(lat0, lon0), (lat0 + 0.001, lon0),
                                                    (lat0, lon0 + 0.001)])
    assert step_radius(drawn, +1) == step_radius(drawn, -1) == 150
