"""Recognising a published layout from its header, and the published alert types."""

from __future__ import annotations

import re
from dataclasses import dataclass

from console.importer.options import CsvImportError

ALERT_TYPES = ("single_gunshot", "multiple_gunshots", "probable_gunfire",
               "gunshot_or_firecracker")

# console field -> header spellings (normalised), most specific first
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "uniqueid", "incidentid", "alertid", "shotspotterid", "eventid", "flexid"),
    "type": ("type", "incidenttypedescription", "incidenttype", "alerttype", "eventtype",
             "typedescription"),
    "date": ("date", "datetime", "incidentdate", "alertdate", "dateofincident", "timestamp",
             "eventdate", "occurred", "occurredat"),
    "time": ("time", "incidenttime", "alerttime", "eventtime"),
    "latitude": ("latitude", "lat", "y"),
    "longitude": ("longitude", "lon", "lng", "long", "x"),
    "location": ("location", "point", "geom", "thegeom", "geometry", "coordinates"),
    "block": ("block", "address", "blockaddress", "locationdescription"),
    "district": ("district", "policedistrict"),
    "beat": ("beat", "policebeat"),
    "rounds": ("rounds", "numberofrounds", "shots", "numshots"),
    "source": ("source",),
    "zip_code": ("zipcode", "zip"),
    "ward": ("ward",),
    "community_area": ("communityarea",),
}
FIELDS = tuple(FIELD_ALIASES)


def norm_header(text: str) -> str:
    """Case, space, underscore and punctuation-insensitive form of a header cell."""
    return re.sub(r"[^0-9a-z]", "", text.replace("\ufeff", "").strip().lower())


@dataclass(frozen=True)
class Layout:
    """What a header row means: the format's name and console field -> column index."""

    name: str
    headers: tuple[str, ...]
    columns: dict[str, int]

    def mapping(self) -> dict[str, str]:
        """Console field -> header text as published."""
        return {f: self.headers[i] for f, i in self.columns.items()}

    def usable(self) -> bool:
        has_where = ("latitude" in self.columns and "longitude" in self.columns) \
            or "location" in self.columns
        return "type" in self.columns and "date" in self.columns and has_where


def detect_layout(headers: list[str], mapping: dict[str, str] | None = None) -> Layout:
    """Map a header row to console fields; ``mapping`` (field -> header) wins over aliases
    and an empty header in it leaves the field unmapped."""
    normed = [norm_header(h) for h in headers]
    columns: dict[str, int] = {}
    for fld, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            if alias in normed:
                columns[fld] = normed.index(alias)
                break
    for fld, header in (mapping or {}).items():
        if fld not in FIELD_ALIASES:
            raise CsvImportError(f"mapping names an unknown field {fld!r}; "
                                 f"known: {', '.join(FIELDS)}")
        if not header:  # the user said: this field is not in the file
            columns.pop(fld, None)
            continue
        key = norm_header(header)
        if key not in normed:
            raise CsvImportError(f"mapping: no column {header!r} in the header "
                                 f"({', '.join(headers)})")
        columns[fld] = normed.index(key)
    # x/y are only coordinates when there is no latitude/longitude proper
    for fld, weak in (("latitude", "y"), ("longitude", "x")):
        if fld in columns and normed[columns[fld]] == weak and fld not in (mapping or {}) \
                and not ("latitude" in columns and "longitude" in columns):
            del columns[fld]
    return Layout(_format_name(normed, columns), tuple(headers), columns)


def _format_name(normed: list[str], columns: dict[str, int]) -> str:
    if "incidenttypedescription" in normed or ("block" in columns and "beat" in columns):
        return "chicago"
    if {"id", "time", "source"} <= set(columns):
        return "washington_dc"
    if set(columns) >= {"type", "date", "latitude", "longitude"} and len(columns) == 4:
        return "st_louis"
    return "generic"


# published type text (normalised to lower-case words) -> console alert type
_TYPES: dict[str, str] = {}
for _t, _names in {
    "single_gunshot": ("single gunshot", "single gunshots", "single shot", "single round"),
    "multiple_gunshots": ("multiple gunshots", "multiple gunshot", "multiple shots",
                          "multiple rounds"),
    "probable_gunfire": ("probable gunfire", "probable gunshot", "probable gunshots",
                         "shots fired"),
    "gunshot_or_firecracker": ("gunshot or firecracker", "gunshots or firecracker",
                               "gunshot or firecrackers", "gunshot or firework",
                               "gunshot or fireworks", "gunshots or fireworks",
                               "possible gunshot or firecracker", "firecracker", "firework",
                               "fireworks", "gunfire or firecracker"),
}.items():
    for _n in _names:
        _TYPES[_n] = _t
    _TYPES[_t.replace("_", " ")] = _t


def type_key(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower().replace("(s)", "s")).split())


def map_type(text: str, overrides: dict[str, str] | None = None) -> str | None:
    """The console alert type for a published type text, or None when unknown."""
    key = type_key(text)
    if overrides:
        for name, target in overrides.items():
            if type_key(name) == key:
                return target if target in ALERT_TYPES else None
    return _TYPES.get(key)
