"""Cells: the date and time layouts cities publish, DST, coordinates and locations."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from console.importer.values import (
    ValueProblem,
    parse_local,
    parse_location,
    parse_number,
    to_utc,
)


@pytest.mark.parametrize(("date", "time", "expected"), [
    ("2019-01-01", None, datetime(2019, 1, 1)),
    ("01/01/2019", None, datetime(2019, 1, 1)),
    ("1/1/2019 12:05:00 AM", None, datetime(2019, 1, 1, 0, 5)),
    ("1/1/2019 12:05 PM", None, datetime(2019, 1, 1, 12, 5)),
    ("07/04/2019 11:59:59 p.m.", None, datetime(2019, 7, 4, 23, 59, 59)),
    ("2019-01-01T00:05:00", None, datetime(2019, 1, 1, 0, 5)),
    ("2019-01-01T00:05", None, datetime(2019, 1, 1, 0, 5)),
    ("2019-01-01T00:05:00.250", None, datetime(2019, 1, 1, 0, 5, 0, 250000)),
    ("2019-01-01 13:05:00", None, datetime(2019, 1, 1, 13, 5)),
    ("2019/01/01 00:00:00+00", "21:45:10", datetime(2019, 1, 1, 21, 45, 10)),
    ("2019-01-01", "1:12 AM", datetime(2019, 1, 1, 1, 12)),
    ("2019-01-01", "011200", datetime(2019, 1, 1, 1, 12)),
    ("1/2/19", None, datetime(2019, 1, 2)),
    ("20190102", None, datetime(2019, 1, 2)),
    ("2024 Jan 05 10:15:00 PM", None, datetime(2024, 1, 5, 22, 15)),
    ("Jan 5, 2024 22:15", None, datetime(2024, 1, 5, 22, 15)),
    ("September 5 2024", None, datetime(2024, 9, 5)),
    ("05-Sep-2024 07:00:00", None, datetime(2024, 9, 5, 7)),
    ("5 Sept 2024", None, datetime(2024, 9, 5)),
])
def test_date_layouts(date: str, time: str | None, expected: datetime) -> None:
    local, offset = parse_local(date, time)
    assert local == expected
    assert offset is None


def test_explicit_offset_is_kept() -> None:
    local, offset = parse_local("2019-01-01T05:00:00Z", None)
    assert offset is not None and local.replace(tzinfo=offset).utcoffset() == timedelta(0)
    _, off = parse_local("2019-01-01 00:00:00-05:00", None)
    assert off == timezone(timedelta(hours=-5))


def test_day_first_option() -> None:
    assert parse_local("02/01/2019", None, day_first=True)[0] == datetime(2019, 1, 2)


@pytest.mark.parametrize("bad", ["2019-02-30", "13/13/2019", "yesterday", "", "2019-01-01 25:00",
                                 "2019-01-01 13:00 PM", "2019-01-01 00:61", "1/1/2019 0:05 AM",
                                 "2024 Foo 05", "Jnu 5, 2024", "Marchy 5, 2024", "31-Feb-2024"])
def test_bad_dates(bad: str) -> None:
    with pytest.raises(ValueProblem):
        parse_local(bad, None)


def test_dst_gap_and_overlap() -> None:
    ny = ZoneInfo("America/New_York")
    assert to_utc(datetime(2019, 3, 10, 2, 30), ny)[2] == "nonexistent"
    early, late, problem = to_utc(datetime(2019, 11, 3, 1, 30), ny)
    assert problem == "ambiguous" and late - early == timedelta(hours=1)
    assert to_utc(datetime(2019, 7, 1, 12), ny)[2] is None


def test_numbers_and_locations() -> None:
    assert parse_number(" 38.9 ") == 38.9
    assert parse_number("") is None
    assert parse_number("38,9") == 38.9  # a decimal comma (semicolon-separated files)
    for bad in ("nan", "inf", "1,234,5", "N38", "38.9.1"):
        with pytest.raises(ValueProblem):
            parse_number(bad)
    assert parse_location("POINT (-87.6278 41.8819)") == (41.8819, -87.6278)
    assert parse_location("0000X W MADISON ST\nCHICAGO, IL\n(41.8819, -87.6278)") == (
        41.8819, -87.6278)
    assert parse_location("somewhere") is None
