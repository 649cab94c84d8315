"""Retention: incidents, their audio and records are kept seven years, then purged.

- :func:`plan_purge` is the dry run: the cut-off, the incidents a purge would remove,
  the rows per table it would delete, and the old incidents a legal hold keeps.
- :func:`purge` needs an administrator (``purge_records``) and the plan's confirmation
  typed back exactly. It deletes in batches, one transaction per batch; each batch
  leaves a tombstone per incident and one audit entry, committed with the deletion.
  Holds placed after the preview are honoured (they are re-checked per batch).
- Legal holds are placed and released with a reason (``manage_legal_holds``), audited.

The audit log itself is append-only and is never purged by the console.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from console.domain.audit import Outcome
from console.domain.permissions import Action, User
from console.services.audit import AuditLog
from console.store import retention_store
from console.store.audit_store import write_tx
from console.store.models import Incident
from console.store.retention_store import HoldRecord
from console.store.store import Store

__all__ = [
    "BATCH", "DEFAULT_REASON", "KEEP_YEARS", "HeldIncident", "PurgePlan", "PurgeResult",
    "RetentionError", "cutoff_for", "list_holds", "place_hold", "plan_purge", "purge",
    "release_hold",
]

KEEP_YEARS = 7
BATCH = 500
DEFAULT_REASON = "retention period of 7 years ended"

Clock = Callable[[], datetime]
ProgressFn = Callable[[int, int, str], None]


def _now() -> datetime:
    return datetime.now(UTC)


class RetentionError(ValueError):
    """A purge or hold cannot be done as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class HeldIncident:
    incident_id: str
    time: datetime
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PurgePlan:
    """What a purge at ``cutoff`` would remove (a dry run; nothing is changed)."""

    now: datetime
    cutoff: datetime
    keep_years: int
    incident_ids: tuple[str, ...]
    counts: Mapping[str, int]
    held: tuple[HeldIncident, ...]

    @property
    def confirmation(self) -> str:
        """The text the administrator types to confirm this purge."""
        return f"PURGE {len(self.incident_ids)} INCIDENTS"

    @property
    def total_rows(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class PurgeResult:
    purged: tuple[str, ...]
    skipped: tuple[str, ...]  # held or changed since the preview
    counts: dict[str, int] = field(default_factory=dict)
    batches: int = 0


def cutoff_for(now: datetime, keep: int = KEEP_YEARS) -> datetime:
    """``now`` minus ``keep`` calendar years (29 February becomes 28 February)."""
    if keep < 1:
        raise RetentionError(f"the retention period must be at least 1 year, got {keep}")
    try:
        return now.replace(year=now.year - keep)
    except ValueError:
        return now.replace(year=now.year - keep, day=28)


def plan_purge(store: Store, now: datetime | None = None, keep: int = KEEP_YEARS) -> PurgePlan:
    """The dry run: incidents older than ``keep`` years before ``now`` and their rows."""
    now = now or _now()
    cutoff = cutoff_for(now, keep)
    with Session(store.engine) as s, s.begin():
        ids = retention_store.old_incident_ids(s, cutoff)
        counts = retention_store.count_rows(s, cutoff)
        held_rows = retention_store.held_incidents(s, cutoff)
    reasons: dict[str, list[str]] = {}
    for h in retention_store.list_holds(store):
        reasons.setdefault(h.incident_id, []).append(h.reason)
    held = tuple(HeldIncident(i, t, tuple(reasons.get(i, ()))) for i, t in held_rows)
    return PurgePlan(now, cutoff, keep, tuple(ids), counts, held)


def purge(store: Store, actor: User | None, plan: PurgePlan, confirm_text: str, *,
          audit: AuditLog | None = None, reason: str = DEFAULT_REASON, batch: int = BATCH,
          progress: ProgressFn | None = None, clock: Clock = _now) -> PurgeResult:
    """Purge ``plan``'s incidents (administrators only, confirmation typed exactly).

    ``progress(done, total, text)`` is called after each batch; an exception it raises
    (a cancel) stops the purge after the batches already committed.
    """
    audit = audit or AuditLog(store, clock=clock)
    audit.authorize(actor, Action.PURGE_RECORDS, object_type="retention",
                    object_id=plan.cutoff.date().isoformat())
    assert actor is not None
    if confirm_text.strip() != plan.confirmation:
        audit.record(actor.name, str(Action.PURGE_RECORDS), Outcome.FAILED,
                     object_type="retention", object_id=plan.cutoff.date().isoformat(),
                     details={"reason": "confirmation did not match"})
        raise RetentionError(f"confirmation did not match: type {plan.confirmation!r} "
                             "to purge; nothing was deleted")
    if not reason.strip():
        raise RetentionError("a purge needs a reason")
    if batch < 1:
        raise RetentionError(f"batch must be at least 1, got {batch}")
    ids = plan.incident_ids
    purged: list[str] = []
    totals: Counter[str] = Counter()
    n_batches = 0
    if progress:
        progress(0, len(ids), f"purging {len(ids)} incidents")
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        done, counts = _purge_batch(store, audit, actor, plan, chunk, reason, clock())
        purged += done
        totals.update(counts)
        n_batches += 1
        if progress:
            progress(start + len(chunk), len(ids),
                     f"purged {len(purged)} of {len(ids)} incidents")
    skipped = tuple(i for i in ids if i not in set(purged))
    return PurgeResult(tuple(purged), skipped, dict(totals), n_batches)


def _purge_batch(store: Store, audit: AuditLog, actor: User, plan: PurgePlan,
                 chunk: tuple[str, ...], reason: str,
                 now: datetime) -> tuple[list[str], dict[str, int]]:
    with write_tx(store) as s:
        retention_store.lock_holds(s)
        done, counts = retention_store.delete_incidents(
            s, chunk, plan.cutoff, by=actor.name, reason=reason, now=now)
        skipped = sorted(set(chunk) - set(done))
        audit.record(actor.name, str(Action.PURGE_RECORDS), Outcome.OK,
                     object_type="retention", object_id=plan.cutoff.date().isoformat(),
                     details={"reason": reason, "cutoff": plan.cutoff, "incidents": done,
                              "skipped": skipped, "rows": counts},
                     session=s)
    return done, counts


def place_hold(store: Store, actor: User | None, incident_id: str, reason: str, *,
               audit: AuditLog | None = None, clock: Clock = _now) -> HoldRecord:
    """Place a legal hold on an incident; a purge skips it until the hold is released."""
    audit = audit or AuditLog(store, clock=clock)
    audit.authorize(actor, Action.MANAGE_LEGAL_HOLDS, object_type="incident",
                    object_id=incident_id)
    assert actor is not None
    if not reason.strip():
        raise RetentionError("a legal hold needs a reason (case, request, order)")
    with write_tx(store) as s:
        if s.get(Incident, incident_id) is None:
            raise RetentionError(f"no incident {incident_id!r} in the store")
        record = retention_store.add_hold(s, incident_id, reason.strip(), actor.name, clock())
        audit.record(actor.name, "place_legal_hold", Outcome.OK, object_type="incident",
                     object_id=incident_id, details={"hold": record.id,
                                                     "reason": record.reason}, session=s)
    return record


def release_hold(store: Store, actor: User | None, hold_id: int, reason: str, *,
                 audit: AuditLog | None = None, clock: Clock = _now) -> HoldRecord:
    """Release a legal hold (kept in the list as released, with who, when and why)."""
    audit = audit or AuditLog(store, clock=clock)
    audit.authorize(actor, Action.MANAGE_LEGAL_HOLDS, object_type="legal_hold",
                    object_id=str(hold_id))
    assert actor is not None
    if not reason.strip():
        raise RetentionError("releasing a legal hold needs a reason")
    with write_tx(store) as s:
        row = retention_store.hold(s, hold_id)
        if row is None:
            raise RetentionError(f"no legal hold {hold_id}")
        if row.released_at is not None:
            raise RetentionError(f"legal hold {hold_id} was already released")
        record = retention_store.release_hold(row, reason.strip(), actor.name, clock())
        audit.record(actor.name, "release_legal_hold", Outcome.OK, object_type="incident",
                     object_id=record.incident_id,
                     details={"hold": hold_id, "reason": record.release_reason}, session=s)
    return record


def list_holds(store: Store, *, include_released: bool = False) -> list[HoldRecord]:
    return retention_store.list_holds(store, include_released=include_released)
