"""Import options, presets per city, issue codes and the importer's one exception type."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class CsvImportError(Exception):
    """A file that cannot be imported at all; the message says why, for the user."""


class HeaderNotRecognised(CsvImportError):  # noqa: N818 - a kind of CsvImportError
    """No row names a type, a date and coordinates: ``headers`` are the cells of the
    first row, for the user to map by hand (``ImportOptions.mapping``)."""

    def __init__(self, message: str, headers: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.headers = headers


@dataclass(frozen=True)
class BBox:
    """An area as a latitude/longitude box (degrees, WGS 84)."""

    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


# Issue codes. Errors reject a row; warnings are reported and the row is kept.
BAD_DATE = "bad_date"
MISSING_DATE = "missing_date"
FUTURE_DATE = "future_date"
TOO_OLD = "date_before_min_year"
DST_AMBIGUOUS = "dst_ambiguous_local_time"
DST_NONEXISTENT = "dst_nonexistent_local_time"
MISSING_TYPE = "missing_type"
UNKNOWN_TYPE = "unknown_type"
MISSING_COORDS = "missing_coordinates"
BAD_COORDS = "non_numeric_coordinates"
ZERO_COORDS = "zero_coordinates"
OUT_OF_RANGE = "coordinates_out_of_range"
SWAPPED = "swapped_coordinates"
OUTSIDE_AREA = "outside_area"
DUPLICATE_ID = "duplicate_id"
DUPLICATE_ROW = "duplicate_row"
WRONG_FIELD_COUNT = "wrong_field_count"
BAD_ROUNDS = "bad_rounds"

Choice = Literal["reject", "accept"]


@dataclass(frozen=True)
class ImportOptions:
    """How to read a file. ``mapping`` maps console fields (``id``, ``type``, ``date``,
    ``time``, ``latitude``, ``longitude``, ``location``, ``block``, ``district``, ``beat``,
    ``rounds``, ``source``, ``zip_code``, ``ward``, ``community_area``) to header names and
    overrides what the header detection found; ``type_overrides`` maps a published type
    text to a console alert type."""

    timezone: str = "UTC"
    bbox: BBox | None = None
    accept_swapped: bool = False
    outside_area: Literal["flag", "reject"] = "flag"
    #: what to do with a local time that occurs twice (DST fall-back): reject, or take
    #: the earlier/later instant (reported as a warning).
    dst_ambiguous: Literal["reject", "earlier", "later"] = "reject"
    day_first: bool = False
    min_year: int = 1990
    now: datetime | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    type_overrides: dict[str, str] = field(default_factory=dict)
    #: original row texts kept per rejection reason (counts and row numbers are complete)
    sample_limit: int = 200
    encoding: str | None = None
    #: None: chosen from the header among , ; tab |
    delimiter: str | None = None

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CsvImportError(f"unknown time zone {self.timezone!r}") from exc

    def with_(self, **changes: object) -> ImportOptions:
        return replace(self, **changes)  # type: ignore[arg-type]


PRESETS: dict[str, ImportOptions] = {
    "dc": ImportOptions(timezone="America/New_York",
                        bbox=BBox(38.79, -77.12, 39.00, -76.90)),
    "chicago": ImportOptions(timezone="America/Chicago",
                             bbox=BBox(41.64, -87.95, 42.03, -87.52)),
    "st_louis": ImportOptions(timezone="America/Chicago",
                              bbox=BBox(38.53, -90.33, 38.78, -90.16)),
}


def preset(name: str, **changes: object) -> ImportOptions:
    """The options for a city (``dc``, ``chicago``, ``st_louis``), with changes applied."""
    try:
        base = PRESETS[name.lower().replace(" ", "_").replace(".", "")]
    except KeyError as exc:
        raise CsvImportError(f"no preset {name!r}; known: {', '.join(PRESETS)}") from exc
    return base.with_(**changes)
