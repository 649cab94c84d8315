"""One data row -> an imported alert and its issues (errors reject the row)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from console.importer import options as o
from console.importer.headers import Layout, map_type
from console.importer.options import BBox, ImportOptions
from console.importer.values import (
    ValueProblem,
    parse_local,
    parse_location,
    parse_number,
    to_utc,
)


@dataclass(frozen=True, slots=True)
class ImportedAlert:
    """A published alert as the console will store it (UTC time, WGS 84)."""

    line: int
    source_id: str | None
    alert_type: str
    type_text: str
    occurred_at: datetime
    latitude: float
    longitude: float
    rounds: int | None = None
    address: str | None = None
    district: str | None = None
    beat: str | None = None
    source: str | None = None
    zip_code: str | None = None
    ward: str | None = None
    community_area: str | None = None


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    error: bool = True


@dataclass
class RowResult:
    number: int
    line: int
    fields: list[str]
    alert: ImportedAlert | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.alert is not None and not any(i.error for i in self.issues)


class RowParser:
    """Turns raw rows of one layout into results; options fixed for the whole file."""

    def __init__(self, layout: Layout, opts: ImportOptions,
                 inferred_area: BBox | None = None) -> None:
        #: recognises swapped coordinates when no area is configured; flags nothing else
        self.swap_area = opts.bbox or inferred_area
        self.cols = layout.columns
        self.width = len(layout.headers)
        self.opts = opts
        self.zone: ZoneInfo = opts.zone()
        self.now = (opts.now or datetime.now(UTC)).astimezone(UTC)
        self.oldest = datetime(opts.min_year, 1, 1, tzinfo=UTC)

    def _cell(self, fields: list[str], name: str) -> str:
        i = self.cols.get(name)
        if i is None or i >= len(fields):
            return ""
        return fields[i].strip()

    def parse(self, number: int, line: int, fields: list[str]) -> RowResult:
        res = RowResult(number, line, fields)
        issues = res.issues
        if len(fields) != self.width:
            issues.append(Issue(o.WRONG_FIELD_COUNT,
                                f"{len(fields)} fields, the header has {self.width}",
                                error=len(fields) < self.width))
        type_text = self._cell(fields, "type")
        alert_type = None
        if not type_text:
            issues.append(Issue(o.MISSING_TYPE, "no type"))
        else:
            alert_type = map_type(type_text, self.opts.type_overrides)
            if alert_type is None:
                issues.append(Issue(o.UNKNOWN_TYPE, f"unknown type {type_text[:80]!r}"))
        when = self._when(fields, issues)
        where = self._where(fields, issues)
        rounds = self._rounds(fields, issues)
        if alert_type and when and where and not any(i.error for i in issues):
            get = self._cell
            res.alert = ImportedAlert(
                line=line, source_id=get(fields, "id") or None, alert_type=alert_type,
                type_text=type_text, occurred_at=when, latitude=where[0], longitude=where[1],
                rounds=rounds, address=get(fields, "block") or None,
                district=get(fields, "district") or None, beat=get(fields, "beat") or None,
                source=get(fields, "source") or None, zip_code=get(fields, "zip_code") or None,
                ward=get(fields, "ward") or None,
                community_area=get(fields, "community_area") or None)
        return res

    def _when(self, fields: list[str], issues: list[Issue]) -> datetime | None:
        date_text = self._cell(fields, "date")
        if not date_text:
            issues.append(Issue(o.MISSING_DATE, "no date"))
            return None
        time_text = self._cell(fields, "time") if "time" in self.cols else None
        try:
            local, offset = parse_local(date_text, time_text, self.opts.day_first)
        except ValueProblem as exc:
            issues.append(Issue(o.BAD_DATE, str(exc)))
            return None
        shown = f"{date_text} {time_text or ''}".strip()
        if offset is not None:
            when = local.replace(tzinfo=offset).astimezone(UTC)
        else:
            early, late, problem = to_utc(local, self.zone)
            when = early
            if problem == "nonexistent":
                issues.append(Issue(o.DST_NONEXISTENT,
                                    f"{shown} does not exist in {self.zone.key} (DST gap)"))
                return None
            if problem == "ambiguous":
                policy = self.opts.dst_ambiguous
                issues.append(Issue(o.DST_AMBIGUOUS,
                                    f"{shown} occurs twice in {self.zone.key} (DST end)"
                                    + ("" if policy == "reject" else f"; took the {policy}"),
                                    error=policy == "reject"))
                when = late if policy == "later" else early
        if when > self.now:
            issues.append(Issue(o.FUTURE_DATE, f"{shown} is in the future"))
            return None
        if when < self.oldest:
            issues.append(Issue(o.TOO_OLD, f"{shown} is before {self.opts.min_year}"))
            return None
        return when

    def _where(self, fields: list[str], issues: list[Issue]) -> tuple[float, float] | None:
        lat_text, lon_text = self._cell(fields, "latitude"), self._cell(fields, "longitude")
        try:
            lat, lon = parse_number(lat_text), parse_number(lon_text)
        except ValueProblem as exc:
            issues.append(Issue(o.BAD_COORDS, f"latitude/longitude {lat_text!r}, "
                                f"{lon_text!r}: {exc}"))
            return None
        if lat is None or lon is None:
            loc = parse_location(self._cell(fields, "location"))
            if loc is None:
                issues.append(Issue(o.MISSING_COORDS, "no latitude/longitude"))
                return None
            lat, lon = loc
        return self.check_coords(lat, lon, issues)

    def check_coords(self, lat: float, lon: float, issues: list[Issue]
                     ) -> tuple[float, float] | None:
        if lat == 0 and lon == 0:
            issues.append(Issue(o.ZERO_COORDS, "latitude/longitude 0, 0"))
            return None
        box = self.swap_area
        swapped = (abs(lat) > 90 and abs(lon) <= 90) or (
            box is not None and not box.contains(lat, lon) and box.contains(lon, lat))
        if swapped:
            accept = self.opts.accept_swapped
            issues.append(Issue(o.SWAPPED, f"latitude/longitude {lat}, {lon} are swapped"
                                + ("; swapped back" if accept else ""), error=not accept))
            if not accept:
                return None
            lat, lon = lon, lat
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            issues.append(Issue(o.OUT_OF_RANGE, f"latitude/longitude {lat}, {lon} out of range"))
            return None
        box = self.opts.bbox
        if box is not None and not box.contains(lat, lon):
            reject = self.opts.outside_area == "reject"
            issues.append(Issue(o.OUTSIDE_AREA, f"{lat}, {lon} is outside the area",
                                error=reject))
            if reject:
                return None
        return lat, lon

    def _rounds(self, fields: list[str], issues: list[Issue]) -> int | None:
        text = self._cell(fields, "rounds")
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not (0 <= value <= 10_000 and value == int(value)):
            issues.append(Issue(o.BAD_ROUNDS, f"rounds {text[:20]!r} ignored", error=False))
            return None
        return int(value)
