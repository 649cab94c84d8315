"""Release workflow service: request, decide, produce the outside copy (all audited).

Every call takes the acting user, or the desk's :class:`UserSession` (a locked session is
refused and audited). Each step and each refusal is written to the audit log:
``request_release``, ``approve_release``, ``refuse_release``, ``produce_release`` with
outcome ``ok`` or ``denied``. A state change and its audit entry commit together.

Outside copies (``produce``) are written into a folder the user picks, named
``<incident>-report-<REQ>.pdf`` or ``<incident>-audio<n>-<REQ>.wav``: the PDF carries the
request id on every page, each WAV in its INFO metadata (title and comment). A WAV is
re-encoded from the decoded samples, so chunks a sensor file may carry (serial,
position) never leave. See :mod:`console.domain.releases` for the one-copy policy.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import soundfile as sf
from sqlalchemy import select

from console.audio.clips import AudioLoadError, load_clip
from console.domain.audit import Outcome
from console.domain.permissions import Action, User, allowed
from console.domain.releases import (
    ReleaseDenied,
    ReleaseKind,
    ReleaseStatus,
    check_request_text,
    decision_refusal,
    new_request_id,
    outside_file_name,
    production_refusal,
)
from console.services.audit import AuditLog
from console.services.reports import ReportError, clip_numbers, render_report
from console.services.sessions import SessionLocked, UserSession
from console.store import audit_store
from console.store.models import AudioCache, Incident, ReleaseRequest
from console.store.store import Store

__all__ = ["ReleaseRecord", "ReleaseService", "write_watermarked_wav"]

log = logging.getLogger(__name__)
Actor = User | UserSession
ProgressFn = Callable[[int, int, str], None]
_OBJ = "release"


@dataclass(frozen=True, slots=True)
class ReleaseRecord:
    id: str
    incident_id: str
    kind: ReleaseKind
    recipient: str
    purpose: str
    requested_by: str
    requester_role: str
    requested_at: datetime
    status: ReleaseStatus
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    produced_by: str | None
    produced_at: datetime | None
    outputs: tuple[str, ...]  # SHA-256 of each file produced


def _record(r: ReleaseRequest) -> ReleaseRecord:
    return ReleaseRecord(
        r.id, r.incident_id, ReleaseKind(r.kind), r.recipient, r.purpose, r.requested_by,
        r.requester_role, r.requested_at, ReleaseStatus(r.status), r.decided_by, r.decided_at,
        r.decision_note, r.produced_by, r.produced_at,
        tuple((r.output_sha256 or "").split()))


class ReleaseService:
    """Release requests over ``store``; refusals and steps go to ``audit``."""

    def __init__(self, store: Store, audit: AuditLog, *, map_pack: str | Path | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.store = store
        self.audit = audit
        self.map_pack = map_pack
        self.clock = clock or audit.clock or (lambda: datetime.now(UTC))

    # -- who acts -------------------------------------------------------------------
    def _user(self, actor: Actor, action: str, object_id: str | None,
              details: dict[str, Any] | None = None) -> User:
        if isinstance(actor, User):
            return actor
        try:
            return actor.user()
        except SessionLocked:
            self._deny(actor.username, action, object_id, "session locked", details)
            raise

    def _deny(self, who: str, action: str, object_id: str | None, reason: str,
              details: dict[str, Any] | None = None) -> None:
        self.audit.record(who, action, Outcome.DENIED, object_type=_OBJ, object_id=object_id,
                          details={**(details or {}), "reason": reason})

    # -- request --------------------------------------------------------------------
    def request(self, actor: Actor, incident_id: str, kind: ReleaseKind | str,
                recipient: str, purpose: str) -> ReleaseRecord:
        """Ask for release of ``kind`` of ``incident_id`` to ``recipient`` for ``purpose``."""
        action = "request_release"
        details = {"incident": incident_id, "kind": str(kind)}
        user = self._user(actor, action, None, details)
        self.audit.authorize(user, Action.REQUEST_RELEASE, object_type="incident",
                             object_id=incident_id)
        kind = ReleaseKind(kind)
        recipient, purpose = check_request_text(recipient, purpose)
        with audit_store.write_tx(self.store) as s:
            if s.get(Incident, incident_id) is None:
                raise KeyError(f"no incident {incident_id!r} in the store")
            if kind is ReleaseKind.AUDIO and s.scalar(
                    select(AudioCache.n).where(AudioCache.incident_id == incident_id)
                    .limit(1)) is None:
                raise ReleaseDenied(f"incident {incident_id} has no audio cached to release")
            row = ReleaseRequest(
                id=new_request_id(), incident_id=incident_id, kind=str(kind),
                recipient=recipient, purpose=purpose, requested_by=user.name,
                requester_role=str(user.role), requested_at=self.clock(),
                status=str(ReleaseStatus.PENDING))
            s.add(row)
            s.flush()
            self.audit.record(user.name, action, Outcome.OK, object_type=_OBJ, object_id=row.id,
                              details={**details, "recipient": recipient, "purpose": purpose},
                              session=s)
            return _record(row)

    # -- decide ---------------------------------------------------------------------
    def approve(self, actor: Actor, request_id: str, note: str = "") -> ReleaseRecord:
        """A captain approves a pending request of someone else."""
        return self._decide(actor, request_id, ReleaseStatus.APPROVED, note)

    def refuse(self, actor: Actor, request_id: str, note: str) -> ReleaseRecord:
        """A captain refuses a pending request of someone else (a note is required)."""
        return self._decide(actor, request_id, ReleaseStatus.REFUSED, note)

    def _decide(self, actor: Actor, request_id: str, status: ReleaseStatus,
                note: str) -> ReleaseRecord:
        action = "approve_release" if status is ReleaseStatus.APPROVED else "refuse_release"
        user = self._user(actor, action, request_id)
        note = (note or "").strip()
        if status is ReleaseStatus.REFUSED and not note:
            raise ValueError("a refusal needs a note saying why")
        with audit_store.write_tx(self.store) as s:
            row = self._row(s, request_id)
            reason = decision_refusal(row.status, row.requested_by, user)
            if reason is None:
                row.status, row.decided_by = str(status), user.name
                row.decided_at, row.decision_note = self.clock(), note or None
                self.audit.record(user.name, action, Outcome.OK, object_type=_OBJ,
                                  object_id=request_id,
                                  details={"incident": row.incident_id, "note": note},
                                  session=s)
                return _record(row)
        self._deny(user.name, action, request_id, reason)
        raise ReleaseDenied(reason)

    # -- produce --------------------------------------------------------------------
    def produce(self, actor: Actor, request_id: str, folder: str | Path,
                progress: ProgressFn | None = None) -> list[Path]:
        """Write the watermarked outside copy of an approved request into ``folder``."""
        action = "produce_release"
        user = self._user(actor, action, request_id)
        with audit_store.write_tx(self.store) as s:
            rec = _record(self._row(s, request_id))
        reason = production_refusal(rec.status, rec.requested_by, user)
        if reason is not None:
            self._deny(user.name, action, request_id, reason)
            raise ReleaseDenied(reason)
        try:
            folder = Path(folder)
            folder.mkdir(parents=True, exist_ok=True)
            paths = self._write_copy(user, rec, folder, progress)
        except (OSError, ReportError, ReleaseDenied) as exc:
            self.audit.record(user.name, action, Outcome.FAILED, object_type=_OBJ,
                              object_id=request_id, details={"reason": str(exc)})
            raise
        try:
            self._mark_produced(user, rec, paths)
        except BaseException:
            for p in paths:
                p.unlink(missing_ok=True)
            raise
        return paths

    def _write_copy(self, user: User, rec: ReleaseRecord, folder: Path,
                    progress: ProgressFn | None) -> list[Path]:
        if rec.kind is ReleaseKind.REPORT:
            path = folder / outside_file_name(rec.incident_id, rec.id, "report")
            render_report(self.store, rec.incident_id, path, watermark=rec.id,
                          map_pack=self.map_pack, progress=progress,
                          user=f"{user.name}; released under {rec.id} to {rec.recipient}, "
                               f"approved by {rec.decided_by}")
            return [path]
        return self._write_audio(rec, folder, progress)

    def _write_audio(self, rec: ReleaseRecord, folder: Path,
                     progress: ProgressFn | None) -> list[Path]:
        numbers = clip_numbers(self.store, rec.incident_id)
        if not numbers:
            raise ReleaseDenied(f"incident {rec.incident_id} has no audio cached to release")
        paths: list[Path] = []
        for i, n in enumerate(numbers):
            if progress is not None:
                progress(i, len(numbers), f"audio clip {n}")
            cached = self.store.cached_audio(rec.incident_id, n)
            if cached is None:
                continue
            try:
                clip = load_clip(cached.data, label=f"Sensor {n}", name=f"audio clip {n}")
            except AudioLoadError as exc:
                raise ReleaseDenied(str(exc)) from exc
            path = folder / outside_file_name(rec.incident_id, rec.id, "audio", n, ".wav")
            write_watermarked_wav(path, clip.samples, clip.sample_rate, rec.id,
                                  f"incident {rec.incident_id} audio {n}")
            paths.append(path)
        return paths

    def _mark_produced(self, user: User, rec: ReleaseRecord, paths: list[Path]) -> None:
        digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
        with audit_store.write_tx(self.store) as s:
            row = self._row(s, rec.id)
            if row.status != ReleaseStatus.APPROVED:  # produced meanwhile by someone else
                raise ReleaseDenied("the outside copy was already produced (one copy per approval)")
            row.status, row.produced_by = str(ReleaseStatus.PRODUCED), user.name
            row.produced_at, row.output_sha256 = self.clock(), " ".join(digests)
            self.audit.record(user.name, "produce_release", Outcome.OK, object_type=_OBJ,
                              object_id=rec.id,
                              details={"incident": rec.incident_id, "kind": str(rec.kind),
                                       "recipient": rec.recipient,
                                       "files": [p.name for p in paths], "sha256": digests},
                              session=s)

    # -- reading --------------------------------------------------------------------
    def get(self, request_id: str) -> ReleaseRecord:
        with audit_store.write_tx(self.store) as s:
            return _record(self._row(s, request_id))

    def mine(self, actor: Actor) -> list[ReleaseRecord]:
        """The acting user's own requests, newest first."""
        user = self._user(actor, "list_releases", None)
        return self._list(ReleaseRequest.requested_by == user.name)

    def pending(self, actor: Actor) -> list[ReleaseRecord]:
        """Requests awaiting a decision, oldest first (captains only; others get [])."""
        user = self._user(actor, "list_releases", None)
        if not allowed(user, Action.APPROVE_RELEASE):
            return []
        rows = self._list(ReleaseRequest.status == str(ReleaseStatus.PENDING))
        return sorted(rows, key=lambda r: r.requested_at)

    def _list(self, cond: Any) -> list[ReleaseRecord]:
        with audit_store.write_tx(self.store) as s:
            rows = s.scalars(select(ReleaseRequest).where(cond)
                             .order_by(ReleaseRequest.requested_at.desc()))
            return [_record(r) for r in rows]

    @staticmethod
    def _row(s: Any, request_id: str) -> ReleaseRequest:
        row = s.get(ReleaseRequest, request_id)
        if row is None:
            raise KeyError(f"no release request {request_id!r}")
        return row


def write_watermarked_wav(path: Path, samples: Any, rate: int, request_id: str,
                          what: str) -> None:
    """Write 16-bit PCM WAV whose INFO title and comment carry ``request_id``."""
    with sf.SoundFile(path, "w", samplerate=int(rate),
                      channels=1 if samples.ndim == 1 else samples.shape[1],
                      subtype="PCM_16", format="WAV") as f:
        f.title = f"Release {request_id}"
        f.comment = f"Released under request {request_id}: {what}"
        f.write(samples)
