"""Statistics per area and period for the project supervisor, and their CSV export.

Every figure counts the incidents whose first shot is in ``[start, end)``, grouped by
district or beat (an incident without one falls in :data:`UNASSIGNED`). Definitions:

``alerts``
    the number of incidents (feed and imported alike); ``by_type`` splits it by type.
``dispatch_to_en_route_median_s`` / ``_p90_s``
    median and 90th percentile, in seconds, over the incidents where a unit went en
    route, of the time from dispatch (the alert reaching the console, or an earlier
    ``dispatched`` status) to the FIRST unit's en route status that was not undone.
    Quantiles interpolate linearly between ranks (:func:`console.domain.history.quantile`).
``dispatch_to_on_scene_median_s`` / ``_p90_s``
    the same up to the first unit on scene.
``canvass_completion``
    among the incidents that came from the alert feed (imported open-data rows carry no
    workflow), the share with at least one canvass visit (door) recorded; None when the
    group has no feed incident.
``evidence_found_rate``
    among the incidents whose status is clear, the share where evidence was found: an
    evidence item pinned, a door answered ``evidence_found``, or a clear (not undone)
    with disposition ``evidence_found``; None when none is clear.
``series``
    per area, the alerts in each bucket (UTC day, ISO week from Monday, or calendar
    month), one entry for every bucket that overlaps the period, zeros included.

No Qt. Figures come from the incident columns kept up to date from the unit events.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from console.domain._checks import format_time
from console.domain.history import quantiles
from console.domain.permissions import Action, User, require
from console.store.models import Incident
from console.store.store import Store

__all__ = ["BUCKETS", "GROUPS", "TOTAL", "UNASSIGNED", "AreaStats", "StatsReport",
           "area_statistics", "bucket_start", "write_stats_csv"]

GROUPS = ("district", "beat")
BUCKETS = ("day", "week", "month")
#: Area name of incidents without a district (beat).
UNASSIGNED = "(unassigned)"
TOTAL = "All areas"
_I = Incident


@dataclass(frozen=True)
class AreaStats:
    """The figures of one area (see the module docstring for each definition)."""

    area: str
    alerts: int
    by_type: dict[str, int]
    dispatch_to_en_route_median_s: float | None
    dispatch_to_en_route_p90_s: float | None
    dispatch_to_on_scene_median_s: float | None
    dispatch_to_on_scene_p90_s: float | None
    canvass_completion: float | None
    evidence_found_rate: float | None
    feed_incidents: int = 0
    canvassed: int = 0
    cleared: int = 0
    evidence_found: int = 0


@dataclass(frozen=True)
class StatsReport:
    start: datetime
    end: datetime
    group_by: str
    areas: list[AreaStats]
    total: AreaStats
    series: dict[str, list[tuple[datetime, int]]]  # alerts per bucket per area
    bucket: str = "day"


def _check(start: datetime, end: datetime, group_by: str, bucket: str) -> None:
    for name, value in (("start", start), ("end", end)):
        if value.tzinfo is None:
            raise ValueError(f"{name} must be timezone-aware, got {value!r}")
    if end <= start:
        raise ValueError(f"end {end} must be after start {start}")
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {GROUPS}, got {group_by!r}")
    if bucket not in BUCKETS:
        raise ValueError(f"bucket must be one of {BUCKETS}, got {bucket!r}")


def bucket_start(t: datetime, bucket: str) -> datetime:
    """The start (UTC midnight) of the bucket holding ``t``."""
    day = datetime.combine(t.astimezone(UTC).date(), datetime.min.time(), UTC)
    if bucket == "day":
        return day
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next(t: datetime, bucket: str) -> datetime:
    if bucket == "day":
        return t + timedelta(days=1)
    if bucket == "week":
        return t + timedelta(days=7)
    return (t.replace(day=28) + timedelta(days=4)).replace(day=1)


def _bucket_expr(dialect: str, bucket: str) -> Any:
    if dialect == "postgresql":
        local = func.timezone("UTC", _I.time)
        return func.to_char(func.date_trunc(bucket, local), "YYYY-MM-DD")
    if bucket == "day":
        return func.strftime("%Y-%m-%d", _I.time)
    if bucket == "week":  # next Sunday (or today), then back to its Monday
        return func.date(_I.time, "weekday 0", "-6 days")
    return func.strftime("%Y-%m-01", _I.time)


def _area(name: str, types: Counter[str], en_route: list[float], on_scene: list[float],
          flags: Counter[str]) -> AreaStats:
    feed, cleared = flags["feed"], flags["cleared"]
    en_route_q, on_scene_q = quantiles(en_route, (0.5, 0.9)), quantiles(on_scene, (0.5, 0.9))
    return AreaStats(
        area=name, alerts=sum(types.values()), by_type=dict(sorted(types.items())),
        dispatch_to_en_route_median_s=en_route_q[0], dispatch_to_en_route_p90_s=en_route_q[1],
        dispatch_to_on_scene_median_s=on_scene_q[0], dispatch_to_on_scene_p90_s=on_scene_q[1],
        canvass_completion=flags["canvassed"] / feed if feed else None,
        evidence_found_rate=flags["evidence"] / cleared if cleared else None,
        feed_incidents=feed, canvassed=flags["canvassed"], cleared=cleared,
        evidence_found=flags["evidence"])


def _collect(s: Session, start: datetime, end: datetime, group_by: str, bucket: str
             ) -> tuple[dict, dict, dict, dict, dict]:
    area = func.coalesce(getattr(_I, group_by), UNASSIGNED)
    when = (_I.time >= start, _I.time < end)
    types: dict[str, Counter[str]] = defaultdict(Counter)
    flags: dict[str, Counter[str]] = defaultdict(Counter)
    feed = case((_I.source == "feed", 1), else_=0)
    canv = case(((_I.source == "feed") & _I.canvassed, 1), else_=0)
    clr = case((_I.status == "clear", 1), else_=0)
    evid = case(((_I.status == "clear") & _I.evidence_found, 1), else_=0)
    key = _bucket_expr(s.get_bind().dialect.name, bucket)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    conn = s.connection()  # plain rows: no ORM work per row
    for a, t, b, n, f, c, k, e in conn.execute(  # one pass: counts per area, type and bucket
            select(area, _I.type, key, func.count(), func.sum(feed), func.sum(canv),
                   func.sum(clr), func.sum(evid)).where(*when).group_by(area, _I.type, key)):
        types[a][t] += n
        counts[a][str(b)[:10]] += n
        flags[a].update(feed=int(f or 0), canvassed=int(c or 0), cleared=int(k or 0),
                        evidence=int(e or 0))
    en_route: dict[str, list[float]] = defaultdict(list)
    on_scene: dict[str, list[float]] = defaultdict(list)
    for a, er, os_ in conn.execute(select(area, _I.en_route_s, _I.on_scene_s).where(
            *when, (_I.en_route_s.is_not(None)) | (_I.on_scene_s.is_not(None)))):
        if er is not None:
            en_route[a].append(float(er))
        if os_ is not None:
            on_scene[a].append(float(os_))
    return types, flags, en_route, on_scene, counts


def area_statistics(store: Store, start: datetime, end: datetime, *,
                    group_by: str = "district", bucket: str = "day",
                    user: User | None = None, audit: Any = None) -> StatsReport:
    """Figures per area for incidents in ``[start, end)`` (see the module docstring)."""
    _check(start, end, group_by, bucket)
    if user is not None:  # audited when refused, with an AuditLog
        (audit.authorize if audit is not None else require)(user, Action.VIEW_STATISTICS)
    with store._read() as s:
        types, flags, en_route, on_scene, counts = _collect(s, start, end, group_by, bucket)
    names = sorted(types)
    areas = [_area(n, types[n], en_route[n], on_scene[n], flags[n]) for n in names]
    total = _area(TOTAL, sum(types.values(), Counter()),
                  [v for n in names for v in en_route[n]],
                  [v for n in names for v in on_scene[n]], sum(flags.values(), Counter()))
    edges = []
    t = bucket_start(start, bucket)
    while t < end:
        edges.append(t)
        t = _next(t, bucket)
    series = {n: [(b, counts[n].get(b.strftime("%Y-%m-%d"), 0)) for b in edges]
              for n in names}
    return StatsReport(start, end, group_by, areas, total, series, bucket)


STATS_COLUMNS = ("area", "alerts", "dispatch_to_en_route_median_s",
                 "dispatch_to_en_route_p90_s", "dispatch_to_on_scene_median_s",
                 "dispatch_to_on_scene_p90_s", "canvass_completion", "evidence_found_rate",
                 "feed_incidents", "canvassed", "cleared", "evidence_found")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    return round(value, 6) if isinstance(value, float) else value


def write_stats_csv(report: StatsReport, path: str | os.PathLike[str]) -> int:
    """Write the report as CSV: one row per area then the total; returns the rows written.

    Columns: the period and grouping, :data:`STATS_COLUMNS`, then one ``type:<name>``
    count per alert type seen. Written beside ``path`` and renamed when complete.
    """
    type_names = sorted(report.total.by_type)
    header = ["start", "end", "group_by", *STATS_COLUMNS, *(f"type:{t}" for t in type_names)]
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    rows = [*report.areas, report.total]
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            for a in rows:
                w.writerow([format_time(report.start), format_time(report.end),
                            report.group_by, *(_cell(getattr(a, c)) for c in STATS_COLUMNS),
                            *(a.by_type.get(t, 0) for t in type_names)])
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(rows)
