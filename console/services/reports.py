"""Incident report PDF: gather an incident's record from the store, render, audit.

:func:`export_incident_report` is the internal export (needs ``EXPORT_REPORT``; audited
``export_report`` ok or denied). :func:`render_report` renders without any check; the
release workflow calls it for an approved outside copy with its watermark.

What a report prints: header (id, type, time, address, area, review), a map snapshot from
the offline map pack, a waveform of each cached clip, the status timeline with response
times, the canvass summary (counts only: never a witness's name or contact), supplements,
evidence and verification results (verdict and counts: never sensor serials or
positions, nor the path of the verified data).

Rendering paints with QtGui, so a ``QGuiApplication`` must exist; it runs on a worker
thread (the desk calls it through ``DeskContext.run_with_progress``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from console.audio.clips import AudioLoadError, load_clip
from console.domain.audit import Outcome
from console.domain.canvass_records import Outcome as DoorOutcome
from console.domain.permissions import Action, User
from console.reports.model import (
    EvidenceLine,
    MapSnapshotSpec,
    ReportData,
    TimelineLine,
    Waveform,
    envelope,
)
from console.resources import resource_path
from console.services.audit import AuditLog
from console.services.dossier import DossierNotFound, load_dossier
from console.store import audit_store
from console.store.models import AudioCache
from console.store.store import Store

__all__ = ["ReportError", "clip_numbers", "default_map_pack", "export_incident_report", "gather_report",
           "render_report"]

ProgressFn = Callable[[int, int, str], None]
_MAX_CLIPS = 8


class ReportError(Exception):
    """The report cannot be made (unknown incident, unwritable file); one sentence."""


def default_map_pack() -> Path:
    return resource_path("maps", "helsinki-center.mbtiles")


def clip_numbers(store: Store, incident_id: str) -> list[int]:
    """Numbers of the audio clips cached for an incident."""
    with audit_store.write_tx(store) as s:
        return list(s.scalars(select(AudioCache.n).where(AudioCache.incident_id == incident_id)
                              .order_by(AudioCache.n)))


def _span(d: timedelta | None) -> str:
    if d is None:
        return "-"
    s = int(round(d.total_seconds()))
    return f"{s // 60} min {s % 60:02d} s"


def _waveforms(store: Store, incident_id: str, clip_ns: list[int]) -> tuple[Waveform, ...]:
    out = []
    for n in clip_ns[:_MAX_CLIPS]:
        cached = store.cached_audio(incident_id, n)
        if cached is None:
            continue
        try:
            clip = load_clip(cached.data, label=f"Sensor {n}", name=f"audio clip {n}")
        except AudioLoadError:
            continue  # an undecodable clip is left out of the picture, not the report
        lows, highs = envelope(clip.samples)
        out.append(Waveform(f"Audio clip {n}", len(clip.samples) / clip.sample_rate,
                            clip.sample_rate, lows, highs))
    return tuple(out)


def _canvass(summary: Any) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, int], ...],
                                     float | None]:
    if summary is None or (summary.area is None and not summary.visits):
        return (), (), None
    area = summary.area
    shape = ("-" if area is None else "drawn area" if area.is_polygon
             else f"circle of {area.radius_m:.0f} m")
    total = summary.addresses_total
    rows = (("Area", shape),
            ("Doors visited", f"{summary.addresses_visited}"
             + ("" if total is None else f" of {total}")),
            ("Visits logged", str(summary.visits)),
            ("Witnesses recorded", str(summary.witnesses)))
    labels = {str(o): o.label for o in DoorOutcome}
    outcomes = tuple(sorted((labels.get(k, k.replace("_", " ")), n)
                            for k, n in summary.outcomes.items() if n))
    radius = None if area is None or area.is_polygon else area.radius_m
    return rows, outcomes, radius


def _verification(v: Any) -> tuple[str, ...]:
    r = v.result or {}

    def pair(key: str) -> str:
        d = r.get(key) or {}
        return f"{d.get('computed', '-')} (alert {d.get('reported', '-')})"

    dist = r.get("distance_m")
    return (v.at.strftime("%Y-%m-%d %H:%M UTC"), f"{v.user} ({v.role})", v.source,
            v.verdict or "-", "-" if dist is None else f"{dist:.0f}", pair("rounds"),
            pair("shooters"))


def gather_report(store: Store, incident_id: str, *, user: str = "-",
                  map_pack: str | Path | None = None) -> ReportData:
    """Everything the report prints for ``incident_id`` (from the incident dossier).

    Raises :class:`ReportError` for an unknown incident.
    """
    try:
        d = load_dossier(store, incident_id, pack=map_pack)
    except DossierNotFound as exc:
        raise ReportError(f"no incident {incident_id!r} in the store") from exc
    a = d.alert
    timeline = tuple(TimelineLine(e.event.at, e.event.unit, str(e.status), e.disposition,
                                  e.undone) for e in d.timeline)
    responses = tuple((u, _span(t.dispatch_to_en_route), _span(t.en_route_to_on_scene),
                       _span(t.on_scene_to_clear)) for u, t in sorted(d.responses.items()))
    canvass, outcomes, radius = _canvass(d.canvass)
    items = sorted(d.evidence, key=lambda i: i.at)
    evidence = tuple(EvidenceLine(i.at, str(i.kind), i.count, i.unit, i.note, i.lat, i.lon)
                     for i in items)
    return ReportData(
        incident_id=a.id, type=str(a.type), review=str(a.review), time=a.time,
        address=a.address, district=a.district, beat=a.beat, lat=a.location.lat,
        lon=a.location.lon, uncertainty_m=a.location.uncertainty_m, rounds=a.rounds,
        shooters=a.shooters, revision=a.revision, notes=a.notes,
        revisions=tuple((r.revision, r.review, r.type, r.received_at, r.changes)
                        for r in d.revisions),
        timeline=timeline, responses=responses, canvass=canvass, canvass_outcomes=outcomes,
        supplements=tuple((s.at, str(s.kind), s.text) for s in d.supplements),
        evidence=evidence,
        verifications=tuple(_verification(v) for v in d.verifications),
        waveforms=_waveforms(store, incident_id,
                             [c.n for c in d.audio if c.cached] or clip_numbers(store, incident_id)),
        map=MapSnapshotSpec(a.location.lat, a.location.lon, a.location.uncertainty_m,
                            tuple((i.lat, i.lon) for i in items), radius),
        generated_at=datetime.now(UTC), generated_by=user)


def render_report(store: Store, incident_id: str, path: str | Path, *,
                  watermark: str | None = None, map_pack: str | Path | None = None,
                  user: str = "-", progress: ProgressFn | None = None) -> int:
    """Gather and render the report PDF at ``path``; returns its page count."""
    from console.reports.pdf import render_pdf

    pack = map_pack if map_pack is not None else default_map_pack()
    data = gather_report(store, incident_id, user=user, map_pack=pack)
    try:
        return render_pdf(data, path, map_pack=pack, watermark=watermark, progress=progress)
    except OSError as exc:
        raise ReportError(f"cannot write the report to {path}: {exc}") from exc


def export_incident_report(ctx_or_store: Any, user: User, incident_id: str,
                           path: str | Path, *, map_pack: str | Path | None = None,
                           audit: AuditLog | None = None,
                           progress: ProgressFn | None = None) -> int:
    """Internal export of an incident report PDF (``EXPORT_REPORT``; audited).

    ``ctx_or_store`` is the desk's ``DeskContext`` (its store, audit log and map pack are
    used) or a plain :class:`Store` (then ``audit`` or a new log over it). Returns the page count; raises ``PermissionDenied``
    (audited as denied) or :class:`ReportError`.
    """
    store = getattr(ctx_or_store, "store", ctx_or_store)
    audit = audit or getattr(ctx_or_store, "audit", None) or AuditLog(store)
    pack = map_pack or getattr(ctx_or_store, "map_pack", None)
    audit.authorize(user, Action.EXPORT_REPORT, object_type="incident", object_id=incident_id)
    try:
        pages = render_report(store, incident_id, path, map_pack=pack, user=user.name,
                              progress=progress)
    except ReportError as exc:
        audit.record(user.name, "export_report", Outcome.FAILED, object_type="incident",
                     object_id=incident_id, details={"reason": str(exc)})
        raise
    audit.record(user.name, "export_report", Outcome.OK, object_type="incident",
                 object_id=incident_id, details={"file": Path(path).name, "pages": pages})
    return pages
