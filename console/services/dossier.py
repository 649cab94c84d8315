"""The incident dossier: everything the desk knows about one incident, read at once.

Contents: :func:`load_dossier` (one consistent read of the store), :func:`record_view`
(the permission check and audit entry of looking at an incident), :func:`open_dossier`
(both, in the order the incident page needs), the records :class:`Dossier`,
:class:`RevisionSummary`, :class:`CanvassSummary`, :class:`AudioClipInfo` and the error
:class:`DossierNotFound`.

The dossier is read in ONE read transaction (SQLite: a deferred transaction on a WAL
snapshot; PostgreSQL: REPEATABLE READ), so the timeline, the canvass and the audit trail
all describe the same moment. Sensor serials and positions never enter a dossier: the
stored verification summaries carry neither, and :func:`_summary_only` keeps it so even
for a summary written by an older or foreign tool.
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PureWindowsPath
from typing import Any, Protocol

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from console.domain.alert import Alert, Supplement, parse_alert
from console.domain.audit import AuditEntry, Outcome, canonical_json
from console.domain.canvass import CanvassArea, CanvassVisit, EvidenceItem, addresses_in_area
from console.domain.canvass import latest_outcomes as _latest_outcomes
from console.domain.nearby import distance_m
from console.domain.permissions import Action, User
from console.domain.workflow import ResponseTimes, StatusEntry, fold_status, response_times
from console.store import canvass_store as _canvass
from console.store import models as m
from console.store import workflow as _workflow
from console.store.audit_store import _to_entry
from console.store.records import IncidentLinkRecord, IncidentRecord, VerificationRecord

__all__ = [
    "AudioClipInfo", "CanvassSummary", "Dossier", "DossierNotFound", "HoldInfo",
    "RevisionSummary", "Tombstone",
    "load_dossier", "open_dossier", "record_view",
]

#: ``object_type`` of the audit entries about an incident.
OBJECT_TYPE = "incident"
VIEW_ACTION = "view_incident"


@dataclass(frozen=True, slots=True)
class Tombstone:
    """What a retention purge left of an incident."""

    incident_id: str
    original_time: datetime
    purged_at: datetime
    purged_by: str
    reason: str


@dataclass(frozen=True, slots=True)
class HoldInfo:
    """A legal hold in force on the incident (retention will not purge it)."""

    reason: str
    placed_by: str
    placed_at: datetime


class DossierNotFound(KeyError):  # noqa: N818 - the contract's name
    """No incident with that id in the store; ``str()`` is a sentence for the user.

    ``purged`` is the tombstone when a retention purge removed it.
    """

    def __init__(self, incident_id: str, purged: Tombstone | None = None) -> None:
        super().__init__(incident_id)
        self.incident_id = incident_id
        self.purged = purged

    def __str__(self) -> str:
        if self.purged is not None:
            p = self.purged
            return (f"Incident {self.incident_id!r} was purged on {p.purged_at:%Y-%m-%d} by "
                    f"{p.purged_by} ({p.reason}).")
        return f"No incident {self.incident_id!r} in the store."


@dataclass(frozen=True, slots=True)
class RevisionSummary:
    """One revision as received, and what changed from the revision before it."""

    revision: int
    received_at: datetime
    review: str
    type: str
    lat: float
    lon: float
    uncertainty_m: float
    rounds: int | None
    shooters: int | None
    changes: str


@dataclass(frozen=True, slots=True)
class CanvassSummary:
    """The door-to-door canvass in numbers.

    ``addresses_total`` is None when no map pack covers the area (the doors cannot be
    counted); ``addresses_visited`` then counts every door with a result. ``outcomes``
    counts doors by their latest outcome; ``witnesses`` the visits that recorded one
    (who they are stays in the car's store and is not here).
    """

    area: CanvassArea | None
    addresses_total: int | None
    addresses_visited: int
    outcomes: Mapping[str, int]
    witnesses: int
    visits: int
    #: latest outcome per door (map-pack address key) counted above
    doors: Mapping[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        if self.area is None:
            return "none"
        return "polygon" if self.area.is_polygon else "circle"


@dataclass(frozen=True, slots=True)
class AudioClipInfo:
    """Clip ``n`` of the incident: its type and length; ``cached`` when the store has it."""

    n: int
    mime: str
    seconds: float | None
    cached: bool


@dataclass(frozen=True)
class Dossier:
    """Everything about one incident (see the module docstring); never sensor data."""

    incident: IncidentRecord
    revisions: list[RevisionSummary]
    timeline: list[StatusEntry]
    response: ResponseTimes | None
    canvass: CanvassSummary | None
    supplements: list[Supplement]
    evidence: list[EvidenceItem]
    links: list[IncidentLinkRecord]
    verifications: list[VerificationRecord]
    audio: list[AudioClipInfo]
    audit: list[AuditEntry]
    #: every unit's response times (``response`` is the first unit on scene)
    responses: dict[str, ResponseTimes] = field(default_factory=dict)
    #: when the first revision reached this console (dispatch, for response times)
    dispatched_at: datetime | None = None
    #: delivery state per status event id ('pending', 'sent', 'failed'; None: relayed)
    delivery: dict[str, str | None] = field(default_factory=dict)
    #: legal holds in force (retention keeps the incident while any is)
    holds: list[HoldInfo] = field(default_factory=list)

    @property
    def alert(self) -> Alert:
        return self.incident.alert


class _AddressSource(Protocol):
    def addresses(self, bbox: tuple[float, float, float, float] | None = None) -> list[Any]:
        ...


# -- reading ------------------------------------------------------------------------------
@contextmanager
def _snapshot(store: Any) -> Iterator[Session]:
    engine = store.engine
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with Session(engine, expire_on_commit=False) as s, s.begin():
        yield s


def load_dossier(store: Any, incident_id: str, *,
                 pack: _AddressSource | str | Path | None = None) -> Dossier:
    """Everything about ``incident_id`` in one read transaction.

    ``pack``: the map pack whose addresses count the canvass doors (a path or an open
    pack; None: the bundled demo pack). Raises :class:`DossierNotFound` for an unknown id.
    """
    with _snapshot(store) as s:
        row = s.get(m.Incident, incident_id)
        if row is None:
            raise DossierNotFound(incident_id, _tombstone(s, incident_id))
        incident = IncidentRecord(parse_alert(row.payload), row.received_at, row.acknowledged_at)
        revisions = _revisions(s, incident_id)
        stored = _workflow.events_of(s, incident_id)
        area_row = s.scalar(select(m.CanvassArea).where(m.CanvassArea.incident_id == incident_id))
        visits, evidence, relayed_witnesses = _canvass_records(s, incident_id)
        verifications = _verifications(s, incident_id)
        audio = _audio(s, incident)
        audit = _audit_trail(s, incident_id)
        links = _workflow.links_of(s, incident_id)
        holds = [HoldInfo(h.reason, h.placed_by, h.placed_at) for h in s.scalars(
            select(m.LegalHold).where(m.LegalHold.incident_id == incident_id,
                                      m.LegalHold.released_at.is_(None))
            .order_by(m.LegalHold.placed_at, m.LegalHold.id))]
    events = [e.event for e in stored]
    dispatched = revisions[0].received_at if revisions else incident.received_at
    responses = response_times(events, dispatched_at=dispatched)
    area = None if area_row is None else CanvassArea.from_stored(
        incident_id, area_row.center_lat, area_row.center_lon, area_row.radius_m,
        area_row.polygon_geojson)
    return Dossier(
        incident=incident, revisions=revisions,
        timeline=list(fold_status(events).entries), response=first_on_scene(responses),
        canvass=_canvass_summary(area, visits, relayed_witnesses, pack),
        supplements=list(incident.alert.supplements), evidence=evidence, links=links,
        verifications=verifications, audio=audio, audit=audit, responses=responses,
        dispatched_at=dispatched,
        delivery={e.event.event_id: e.delivery for e in stored}, holds=holds)


def _tombstone(s: Session, incident_id: str) -> Tombstone | None:
    row = s.get(m.PurgedIncident, incident_id[:64])
    return None if row is None else Tombstone(row.incident_id, row.original_time,
                                              row.purged_at, row.purged_by, row.reason)


def _audit_trail(s: Session, incident_id: str) -> list[AuditEntry]:
    """Entries about the incident: those naming it as their object, those about its
    release requests (request, decision, outside copy), and object-less ones (a refusal
    before the request existed) that name it in their details.

    Each term can use an index on ``audit_log.object_id``; the details pattern is tried
    only on entries without an object.
    """
    # details is canonical JSON (sorted keys, no spaces), so the member reads exactly so
    needle = canonical_json({"incident": incident_id}).decode("utf-8")[1:-1]
    pattern = "%" + re.sub(r"([\\%_])", r"\\\1", needle) + "%"
    releases = select(m.ReleaseRequest.id).where(m.ReleaseRequest.incident_id == incident_id)
    row = m.AuditLogRow
    rows = s.scalars(select(row).where(or_(
        row.object_id == incident_id,
        and_(row.object_type == "release", row.object_id.in_(releases)),
        and_(row.object_id.is_(None), row.details.like(pattern, escape="\\"))))
        .order_by(row.seq))
    return [_to_entry(r) for r in rows]


def _revisions(s: Session, incident_id: str) -> list[RevisionSummary]:
    rows = s.execute(select(m.AlertRevision.payload, m.AlertRevision.received_at)
                     .where(m.AlertRevision.incident_id == incident_id)
                     .order_by(m.AlertRevision.revision)).all()
    out, before = [], None
    for payload, received_at in rows:
        alert = parse_alert(payload)
        loc = alert.location
        out.append(RevisionSummary(
            alert.revision, received_at, str(alert.review), str(alert.type), loc.lat, loc.lon,
            loc.uncertainty_m, alert.rounds, alert.shooters, describe_changes(before, alert)))
        before = alert
    return out


def _words(value: object) -> str:
    return "—" if value is None else str(value).replace("_", " ")


def describe_changes(before: Alert | None, after: Alert) -> str:
    """What changed from ``before`` to ``after`` in words ("first report" for the first)."""
    if before is None:
        return "first report"
    parts = []
    for name in ("type", "review"):
        a, b = getattr(before, name), getattr(after, name)
        if a != b:
            parts.append(f"{name} {_words(a)} → {_words(b)}")
    moved = distance_m(before, after)
    if round(moved) >= 1:
        parts.append(f"location moved {moved:.0f} m")
    if before.location.uncertainty_m != after.location.uncertainty_m:
        parts.append(f"uncertainty {before.location.uncertainty_m:g} → "
                     f"{after.location.uncertainty_m:g} m")
    for name in ("rounds", "shooters"):
        a, b = getattr(before, name), getattr(after, name)
        if a != b:
            parts.append(f"{name} {_words(a)} → {_words(b)}")
    if (before.mobile is None) != (after.mobile is None):
        parts.append("now mobile" if after.mobile is not None else "no longer mobile")
    if len(after.supplements) > len(before.supplements):
        n = len(after.supplements) - len(before.supplements)
        parts.append(f"{n} supplement{'s' if n != 1 else ''} added")
    return "; ".join(parts) if parts else "no change"


def _canvass_records(s: Session, incident_id: str
                     ) -> tuple[list[CanvassVisit], list[EvidenceItem], int]:
    """Local and relayed visits and evidence; relayed visits that say a witness was seen."""
    visits = [_canvass._visit(r) for r in s.scalars(
        select(m.CanvassVisit).where(m.CanvassVisit.incident_id == incident_id)
        .order_by(m.CanvassVisit.at, m.CanvassVisit.id))]
    evidence = [EvidenceItem(incident_id=r.incident_id, kind=r.kind, lat=r.lat, lon=r.lon,
                             unit=r.unit, count=r.count, note=r.note, at=r.at,
                             item_id=r.item_id) for r in s.scalars(
        select(m.EvidenceItem).where(m.EvidenceItem.incident_id == incident_id)
        .order_by(m.EvidenceItem.at, m.EvidenceItem.id))]
    known = {v.visit_id for v in visits} | {e.item_id for e in evidence}
    witnesses = 0
    for r in s.scalars(select(m.UnitEventRow).where(
            m.UnitEventRow.incident_id == incident_id, m.UnitEventRow.kind == "canvass",
            m.UnitEventRow.source == "feed").order_by(m.UnitEventRow.at, m.UnitEventRow.id)):
        if r.event_id in known:
            continue
        try:
            if r.data.get("record") == "visit":
                visits.append(_canvass._relayed_visit(r))
                witnesses += r.data.get("witness") is True
            elif r.data.get("record") == "evidence":
                evidence.append(_canvass._relayed_evidence(r))
        except (KeyError, TypeError, ValueError):
            continue  # another client's record this console cannot read
    visits.sort(key=lambda v: v.at)
    evidence.sort(key=lambda e: e.at)
    return visits, evidence, witnesses


def _canvass_summary(area: CanvassArea | None, visits: list[CanvassVisit],
                     relayed_witnesses: int, pack: _AddressSource | str | Path | None
                     ) -> CanvassSummary | None:
    if area is None and not visits:
        return None
    latest = _latest_outcomes(visits)
    keys = _area_keys(area, pack) if area is not None else None
    if keys:
        visited = len(keys & set(latest))
        latest = {k: o for k, o in latest.items() if k in keys}
    else:
        keys, visited = None, len(latest)
    witnesses = sum(1 for v in visits if v.witness) + relayed_witnesses
    return CanvassSummary(area, None if keys is None else len(keys), visited,
                          dict(Counter(str(o) for o in latest.values())), witnesses,
                          len(visits), {k: str(o) for k, o in latest.items()})


def _area_keys(area: CanvassArea, pack: _AddressSource | str | Path | None) -> set[str] | None:
    """Address keys of the pack inside ``area`` (None when there is no pack to ask)."""
    from console.mappack.mbtiles import MapPack, MapPackError

    if pack is None:
        from console.resources import resource_path

        pack = resource_path("maps", "helsinki-center.mbtiles")
    if isinstance(pack, str | Path):
        if not Path(pack).is_file():
            return None
        try:
            with MapPack(pack) as opened:
                return {a.id for a in addresses_in_area(opened, area)}
        except MapPackError:
            return None
    return {a.id for a in addresses_in_area(pack, area)}


#: What a stored verification summary may carry, by key; anything else is dropped.
_SENSOR_ROW_KEYS = frozenset({"sensor", "shots_used", "rms_ms", "max_abs_ms"})


def _summary_only(result: Mapping[str, Any]) -> dict[str, Any]:
    """``result`` without any sensor serial or position (the sensors' residuals stay)."""
    out = {k: v for k, v in result.items()
           if "serial" not in k.lower() and "position" not in k.lower()
           and k not in ("sensors_xy", "sensor_positions", "array")}
    if isinstance(out.get("sensors"), list):
        out["sensors"] = [{k: v for k, v in row.items() if k in _SENSOR_ROW_KEYS}
                          for row in out["sensors"] if isinstance(row, Mapping)]
    return out


def _folder_name(path: str) -> str:
    # the last part only: a folder path can name a sensor's serial on the way down
    return PureWindowsPath(path).name if "\\" in path else Path(path).name


def _verifications(s: Session, incident_id: str) -> list[VerificationRecord]:
    rows = s.scalars(select(m.Verification).where(m.Verification.incident_id == incident_id)
                     .order_by(m.Verification.id))
    return [VerificationRecord(r.incident_id, r.user_name, r.user_role, r.verified_at,
                               _folder_name(r.data_path), r.data_sha256, r.source, r.verdict,
                               _summary_only(r.result), r.id) for r in rows]


def _audio(s: Session, incident: IncidentRecord) -> list[AudioClipInfo]:
    refs = dict(enumerate(incident.alert.audio))
    cached = {n: (mime, data) for n, mime, data in s.execute(
        select(m.AudioCache.n, m.AudioCache.mime, m.AudioCache.data)
        .where(m.AudioCache.incident_id == incident.alert.id).order_by(m.AudioCache.n))}
    out = []
    for n in sorted(set(refs) | set(cached)):
        ref = refs.get(n)
        if n in cached:
            mime, data = cached[n]
            seconds = _seconds(data)
            if seconds is None and ref is not None:
                seconds = ref.duration_s
            out.append(AudioClipInfo(n, mime, seconds, True))
        elif ref is not None:
            out.append(AudioClipInfo(n, ref.mime, ref.duration_s, False))
    return out


def _seconds(data: bytes) -> float | None:
    """The clip's length from its header (None when it cannot be read)."""
    import soundfile

    try:
        info = soundfile.info(io.BytesIO(data))
    except Exception:  # a damaged clip: its length is unknown, the page says so
        return None
    seconds = float(info.duration)
    return seconds if math.isfinite(seconds) else None


def first_on_scene(responses: Mapping[str, ResponseTimes]) -> ResponseTimes | None:
    """The response of the incident: the unit on scene soonest after dispatch.

    Units that never reached the scene count after those that did (by their time to en
    route); ties go by unit name. None when no unit has reported any status.
    """
    def key(r: ResponseTimes) -> tuple[int, float, str]:
        if r.dispatch_to_en_route is not None and r.en_route_to_on_scene is not None:
            return (0, (r.dispatch_to_en_route + r.en_route_to_on_scene).total_seconds(),
                    r.unit)
        if r.dispatch_to_en_route is not None:
            return (1, r.dispatch_to_en_route.total_seconds(), r.unit)
        return (2, 0.0, r.unit)

    return min(responses.values(), key=key, default=None)


# -- viewing ------------------------------------------------------------------------------
def record_view(audit: Any, user: User, incident_id: str) -> AuditEntry:
    """Check that ``user`` may view incidents (a refusal is audited and raised as
    ``PermissionDenied``) and write the ``view_incident`` audit entry."""
    object_id = incident_id[:128]  # the audit column's width; real ids are 64 at most
    audit.authorize(user, Action.VIEW_INCIDENT, object_type=OBJECT_TYPE, object_id=object_id)
    return audit.record(user.name, VIEW_ACTION, Outcome.OK, object_type=OBJECT_TYPE,
                        object_id=object_id, details={"role": str(user.role)})


def open_dossier(store: Any, audit: Any, user: User, incident_id: str, *,
                 pack: _AddressSource | str | Path | None = None) -> Dossier:
    """What the incident page does off the GUI thread: check, audit the view, load.

    A refused user gets ``PermissionDenied`` (audited, nothing read); an unknown id is
    audited as a failed view and raises :class:`DossierNotFound`. The dossier's audit
    trail includes this view.
    """
    audit.authorize(user, Action.VIEW_INCIDENT, object_type=OBJECT_TYPE,
                    object_id=incident_id[:128])
    with _snapshot(store) as s:
        known = s.get(m.Incident, incident_id) is not None
        purged = None if known else _tombstone(s, incident_id)
    if not known:
        audit.record(user.name, VIEW_ACTION, Outcome.FAILED, object_type=OBJECT_TYPE,
                     object_id=incident_id[:128],
                     details={"reason": "purged" if purged else "not found"})
        raise DossierNotFound(incident_id, purged)
    record_view(audit, user, incident_id)
    return load_dossier(store, incident_id, pack=pack)

