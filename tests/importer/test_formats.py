"""Header detection for the published layouts, the mapping override and the type table."""

from __future__ import annotations

import pytest

from console.importer import CsvImportError, detect_layout, map_type


def test_dc_header_any_spelling() -> None:
    layout = detect_layout([" id ", "TYPE", "date", "Time", "SOURCE", "LATITUDE", "longitude"])
    assert layout.name == "washington_dc" and layout.usable()
    assert layout.columns["time"] == 3


def test_st_louis_header() -> None:
    layout = detect_layout(["Type", "Date", "Latitude", "Longitude"])
    assert layout.name == "st_louis"


def test_chicago_header_with_extra_columns() -> None:
    headers = ["date", "block", "zip_code", "ward", "community_area", "area", "district",
               "beat", "street_outreach_organization", "unique_id", "month", "day_of_week",
               "hour", "incident_type_description", "rounds", "illinois_house_district",
               "latitude", "longitude", "location"]
    layout = detect_layout(headers)
    assert layout.name == "chicago"
    m = layout.mapping()
    assert m["type"] == "incident_type_description" and m["id"] == "unique_id"
    assert m["block"] == "block" and m["rounds"] == "rounds" and m["location"] == "location"


def test_chicago_location_only() -> None:
    layout = detect_layout(["Date", "Block", "Beat", "Incident Type Description", "Location"])
    assert layout.usable() and "latitude" not in layout.columns


def test_x_y_only_without_latitude() -> None:
    layout = detect_layout(["X", "Y", "Type", "Date"])
    assert layout.columns == {"type": 2, "date": 3, "latitude": 1, "longitude": 0}
    both = detect_layout(["X", "Y", "Type", "Date", "Lat", "Lon"])
    assert both.columns["latitude"] == 4


def test_mapping_override() -> None:
    layout = detect_layout(["When", "Kind", "N", "E"],
                           {"date": "when", "type": "KIND", "latitude": "n", "longitude": "e"})
    assert layout.usable() and layout.columns["longitude"] == 3
    with pytest.raises(CsvImportError, match="no column"):
        detect_layout(["a"], {"date": "b"})
    with pytest.raises(CsvImportError, match="unknown field"):
        detect_layout(["a"], {"colour": "a"})


@pytest.mark.parametrize(("text", "expected"), [
    ("Single_Gunshot", "single_gunshot"), ("SINGLE GUNSHOT", "single_gunshot"),
    ("Multiple_Gunshots", "multiple_gunshots"), ("MULTIPLE GUNSHOTS", "multiple_gunshots"),
    ("Gunshot_or_Firecracker", "gunshot_or_firecracker"),
    ("GUNSHOT OR FIRECRACKER", "gunshot_or_firecracker"),
    ("Gunshot_or_firework", "gunshot_or_firecracker"),
    ("Probable Gunfire", "probable_gunfire"), ("probable_gunfire", "probable_gunfire"),
    ("SHOTS FIRED", "probable_gunfire"), ("Multiple Gunshot(s)", "multiple_gunshots"),
    ("Helicopter", None), ("", None), ("gunshot", None),
])
def test_types(text: str, expected: str | None) -> None:
    assert map_type(text) == expected


def test_type_override() -> None:
    assert map_type("Shots Fired", {"shots fired": "multiple_gunshots"}) == "multiple_gunshots"
    assert map_type("Boom", {"boom": "not_a_type"}) is None
