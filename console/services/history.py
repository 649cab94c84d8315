"""History search over the stored incidents: filters, sorted pages, map points, CSV.

A :class:`HistoryQuery` combines its filters with AND; inside one filter the values are
alternatives (OR): ``districts=("A", "B")`` finds incidents in A or in B. Times are the
first shot's, in ``[start, end)``. A polygon is a ring of (lat, lon) corners drawn on the
map (closed implicitly, concave allowed): the database narrows to its bounding box, then
each point is tested exactly (a point on the edge is inside). The text filter finds every
word of ``text`` (case-insensitive, anywhere) in the incident id, address, district, beat,
alert notes, dispatch supplements and officers' notes.

No Qt. Sensor data is never selected: a summary and the CSV carry no sensor field.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from sqlalchemy import ColumnElement, String, func, select, type_coerce
from sqlalchemy.orm import Session

from console.domain._checks import format_time
from console.domain.history import text_terms
from console.domain.permissions import Action, User, require
from console.store.models import Incident
from console.store.store import Store

__all__ = [
    "SORT_KEYS", "HistoryQuery", "HistoryResult", "IncidentSummary", "MapPoints", "areas",
    "export_search_csv", "map_points", "search", "write_search_csv",
]

_I = Incident
#: Sort keys of :attr:`HistoryQuery.sort` and the column each sorts by (then by id).
SORT_KEYS: dict[str, Any] = {
    "time": _I.time, "id": _I.id, "type": _I.type, "review": _I.review,
    "district": _I.district, "beat": _I.beat, "address": _I.address, "status": _I.status,
    "disposition": _I.disposition, "rounds": _I.rounds, "shooters": _I.shooters,
    "uncertainty_m": _I.uncertainty_m, "source": _I.source,
}
_TEXT_SORTS = frozenset({"id", "type", "review", "district", "beat", "address", "status",
                         "disposition", "source"})


@dataclass(frozen=True)
class HistoryQuery:
    """What to find; empty filters match everything. Raises ValueError when malformed."""

    start: datetime | None = None
    end: datetime | None = None
    districts: tuple[str, ...] = ()
    beats: tuple[str, ...] = ()
    polygon: tuple[tuple[float, float], ...] = ()
    types: tuple[str, ...] = ()
    reviews: tuple[str, ...] = ()
    dispositions: tuple[str, ...] = ()
    text: str = ""
    sort: str = "time"
    descending: bool = True
    limit: int | None = 5000
    offset: int = 0

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware, got {value!r}")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.sort not in SORT_KEYS:
            raise ValueError(f"unknown sort key {self.sort!r}; one of {', '.join(SORT_KEYS)}")
        if self.limit is not None and self.limit < 0:
            raise ValueError(f"limit must be >= 0 or None, got {self.limit!r}")
        if self.offset < 0:
            raise ValueError(f"offset must be >= 0, got {self.offset!r}")
        if self.polygon and len(self.polygon) < 3:
            raise ValueError(f"a polygon needs at least 3 corners, got {len(self.polygon)}")
        for lat, lon in self.polygon:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"polygon corner out of range: {lat!r}, {lon!r}")


@dataclass(frozen=True)
class IncidentSummary:
    """One row of a search result (no sensor field, no payload)."""

    id: str
    time: datetime
    type: str
    review: str
    lat: float
    lon: float
    uncertainty_m: float
    address: str | None
    district: str | None
    beat: str | None
    rounds: int | None
    shooters: int | None
    status: str | None
    disposition: str | None
    source: str


@dataclass(frozen=True)
class HistoryResult:
    rows: list[IncidentSummary]
    total: int  # every match; rows holds at most ``limit`` of them


@dataclass(frozen=True)
class MapPoints:
    """Every match as parallel lists (compact for tens of thousands of map points)."""

    ids: list[str]
    lats: list[float]
    lons: list[float]
    types: list[str]

    def __len__(self) -> int:
        return len(self.ids)


_SUMMARY_COLUMNS = [getattr(_I, f.name) for f in fields(IncidentSummary)]
CSV_COLUMNS = tuple(f.name for f in fields(IncidentSummary))
#: Ids per lookup: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
_CHUNK = 10_000
#: The same columns with the time read as stored (converted by :func:`_utc`).
_FAST_COLUMNS = [type_coerce(_I.time, String).label("time") if c is _I.time else c
                 for c in _SUMMARY_COLUMNS]


def _conditions(q: HistoryQuery) -> list[ColumnElement[bool]]:
    cond: list[ColumnElement[bool]] = []
    if q.start is not None:
        cond.append(_I.time >= q.start)
    if q.end is not None:
        cond.append(_I.time < q.end)
    for column, values in ((_I.district, q.districts), (_I.beat, q.beats), (_I.type, q.types),
                           (_I.review, q.reviews), (_I.disposition, q.dispositions)):
        if values:
            cond.append(column.in_(list(dict.fromkeys(values))))
    for term in text_terms(q.text):
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        cond.append(_I.search_text.like(f"%{escaped}%", escape="\\"))
    if q.polygon:
        lats = [p[0] for p in q.polygon]
        lons = [p[1] for p in q.polygon]
        cond += [_I.lat.between(min(lats), max(lats)), _I.lon.between(min(lons), max(lons))]
    return cond


def _order(q: HistoryQuery, dialect: str) -> list[Any]:
    def binary(column: Any, text: bool) -> Any:  # SQLite's binary order on PostgreSQL too
        return column.collate("C") if text and dialect == "postgresql" else column

    column = binary(SORT_KEYS[q.sort], q.sort in _TEXT_SORTS)
    key = column.desc() if q.descending else column.asc()
    if q.sort not in ("time", "id", "type", "review", "uncertainty_m", "source"):
        key = key.nulls_last()  # nullable columns: empty values last on every backend
    tie = binary(_I.id, True)
    return [key] if q.sort == "id" else [key, tie.desc() if q.descending else tie.asc()]


def _inside(polygon: Sequence[tuple[float, float]], lats: Sequence[float],
            lons: Sequence[float]) -> np.ndarray:
    """Mask of the points inside or on the edge of the (lat, lon) ring."""
    shape = shapely.Polygon([(lon, lat) for lat, lon in polygon])
    if not shape.is_valid:
        shape = shapely.make_valid(shape)
    shapely.prepare(shape)
    return shapely.intersects_xy(shape, np.asarray(lons, float), np.asarray(lats, float))


def _page(q: HistoryQuery, items: Sequence[Any]) -> Sequence[Any]:
    stop = None if q.limit is None else q.offset + q.limit
    return items[q.offset:stop]


def _utc(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite keeps UTC text; parsing it here is 3x cheaper
        return datetime.fromisoformat(value + "+00:00")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _fetch(s: Session, ids: Sequence[str]) -> list[IncidentSummary]:
    """Summaries of ``ids``, in that order (looked up by primary key)."""
    rows: dict[str, IncidentSummary] = {}
    conn = s.connection()
    for chunk in range(0, len(ids), _CHUNK):
        stmt = select(*_FAST_COLUMNS).where(_I.id.in_(ids[chunk:chunk + _CHUNK]))
        for r in conn.execute(stmt).all():  # .all(): one fetch, not a call per row
            rows[r[0]] = IncidentSummary(r[0], _utc(r[1]), *r[2:])
    return [rows[i] for i in ids if i in rows]


def _page_ids(s: Session, q: HistoryQuery) -> tuple[list[str], int]:
    """The ids of the page ``q`` asks for, in order, and the total number of matches."""
    # Two steps: ids in order first (from an index alone for area + time searches), then
    # only the page's rows (:func:`_fetch`); fetching wide rows before sorting costs 5-10x.
    cond = _conditions(q)
    order = _order(q, s.get_bind().dialect.name)
    conn = s.connection()
    count = select(func.count()).select_from(_I).where(*cond)
    if not q.polygon and not text_terms(q.text):
        # an index-only count, then an index-only page of ids (5x cheaper than a window)
        total = conn.execute(count).scalar_one()
        stmt = select(_I.id).where(*cond).order_by(*order).offset(q.offset).limit(q.limit)
        return list(conn.execute(stmt).scalars()), total
    if not q.polygon:
        # a text search reads every row it tests: let the total ride along (one pass)
        stmt = select(_I.id, func.count().over()).where(*cond).order_by(*order)
        page = conn.execute(stmt.offset(q.offset).limit(q.limit)).all()
        if page:
            return [r[0] for r in page], page[0][1]
        return [], conn.execute(count).scalar_one()  # limit 0 or an offset past the end
    cands = conn.execute(select(_I.id, _I.lat, _I.lon).where(*cond).order_by(*order)).all()
    mask = _inside(q.polygon, [c[1] for c in cands], [c[2] for c in cands])
    matched = [c[0] for c, keep in zip(cands, mask, strict=True) if keep]
    return list(_page(q, matched)), len(matched)


def _search(s: Session, q: HistoryQuery) -> HistoryResult:
    ids, total = _page_ids(s, q)
    return HistoryResult(_fetch(s, ids), total)


def _authorize(user: User | None, audit: Any, action: Action) -> None:
    if audit is not None:
        audit.authorize(user, action)
    else:
        require(user, action)


def search(store: Store, query: HistoryQuery, *, user: User | None = None,
           audit: Any = None) -> HistoryResult:
    """The page of incidents matching ``query`` and the total count of matches.

    With ``user`` the search is refused (PermissionDenied, audited when ``audit`` is an
    :class:`~console.services.audit.AuditLog`) unless the role may search the history.
    """
    if user is not None:
        _authorize(user, audit, Action.SEARCH_HISTORY)
    with store._read() as s:
        return _search(s, query)


def map_points(store: Store, query: HistoryQuery) -> MapPoints:
    """Every incident matching ``query`` (limit, offset and sort ignored) for the map."""
    stmt = select(_I.id, _I.lat, _I.lon, _I.type).where(*_conditions(query))
    with store._read() as s:  # plain rows: no per-row ORM work for 50,000+ points
        rows = s.connection().execute(stmt.order_by(_I.time, _I.id)).all()
    if query.polygon and rows:
        mask = _inside(query.polygon, [r[1] for r in rows], [r[2] for r in rows])
        rows = [r for r, keep in zip(rows, mask, strict=True) if keep]
    if not rows:
        return MapPoints([], [], [], [])
    ids, lats, lons, types = (list(c) for c in zip(*rows, strict=True))
    return MapPoints(ids, lats, lons, types)


def areas(store: Store) -> dict[str, list[str]]:
    """Districts of the stored incidents, each with its beats, both sorted."""
    out: dict[str, set[str]] = {}
    with store._read() as s:
        for district, beat in s.execute(select(_I.district, _I.beat).distinct()
                                        .where(_I.district.is_not(None))):
            beats = out.setdefault(district, set())
            if beat:
                beats.add(beat)
    return {d: sorted(b) for d, b in sorted(out.items())}


def _csv_row(r: IncidentSummary) -> list[Any]:
    out = []
    for name in CSV_COLUMNS:
        value = getattr(r, name)
        out.append("" if value is None else format_time(value) if name == "time" else value)
    return out


def write_search_csv(rows: Iterable[IncidentSummary], path: str | os.PathLike[str], *,
                     progress: Callable[[int, int, str], None] | None = None,
                     expected: int = 0) -> int:
    """Write ``rows`` as CSV (UTF-8, header first) to ``path``; returns the rows written.

    The file appears only when complete (written beside it, then renamed), so a failed
    or cancelled export never leaves half a file. Columns are :data:`CSV_COLUMNS`: no
    sensor field exists in a summary. ``progress(done, expected, text)`` is called every
    1,000 rows and may raise to cancel.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(CSV_COLUMNS)
            for r in rows:
                writer.writerow(_csv_row(r))
                n += 1
                if progress is not None and n % 1000 == 0:
                    progress(n, expected, f"{n:,} rows written")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n


def export_search_csv(store: Store, query: HistoryQuery, path: str | os.PathLike[str], *,
                      user: User | None, audit: Any,
                      progress: Callable[[int, int, str], None] | None = None) -> int:
    """Export every match of ``query`` (its limit and offset ignored) as CSV; returns rows.

    Refused (PermissionDenied, audited) unless ``user`` may export; a completed export is
    audited with its row count. Rows are read a page at a time, so hundreds of thousands
    of matches never sit in memory at once.
    """
    _authorize(user, audit, Action.EXPORT_REPORT)
    with store._read() as s:
        ids, total = _page_ids(s, replace(query, limit=None, offset=0))

        def rows() -> Iterator[IncidentSummary]:
            for start in range(0, len(ids), _CHUNK):
                yield from _fetch(s, ids[start:start + _CHUNK])

        n = write_search_csv(rows(), path, progress=progress, expected=total)
    if audit is not None and user is not None:
        audit.record(user.name, "export_search_csv", "allowed", object_type="search",
                     details={"rows": n, "file": Path(path).name})
    return n
