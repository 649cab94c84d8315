"""Audit service: record who did what (in the caller's transaction or its own) and verify.

:func:`authorize` is how the services check a permission: a refusal is audited as
``denied`` and raised as :class:`PermissionDenied`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from console.domain.audit import AuditEntry, ChainBreak, Outcome, verify_chain
from console.domain.permissions import Action, User, allowed, require
from console.store import audit_store
from console.store.store import Store

__all__ = ["AuditLog", "VerifyReport", "verify_store"]

Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Result of checking the whole chain: entry count, head hash, first break (or None)."""

    entries: int
    head: str | None
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None

    def message(self) -> str:
        if self.broken is not None:
            return f"audit log BROKEN at seq {self.broken.seq}: {self.broken.reason}"
        head = self.head[:12] if self.head else "-"
        return f"audit log OK: {self.entries} entries, head {head}"


def verify_store(store: Store, *, progress: Callable[[int, int, str], None] | None = None,
                 every: int = 1000) -> VerifyReport:
    """Walk the stored chain in seq order and report the first broken link.

    ``progress(done, total, text)`` is called every ``every`` entries (and may raise to stop).
    """
    n, last = 0, None
    total = audit_store.count(store) if progress else 0

    def counted() -> Any:
        nonlocal n, last
        for entry in audit_store.entries(store):
            n, last = n + 1, entry.hash
            if progress and n % every == 0:
                progress(n, total, f"checked {n} of {total} entries")
            yield entry

    broken = verify_chain(counted())
    return VerifyReport(n, last, broken)


class AuditLog:
    """Appends audit entries to ``store`` with times from ``clock`` (UTC)."""

    def __init__(self, store: Store, *, clock: Clock = _now) -> None:
        self.store = store
        self.clock = clock

    def record(self, user: str, action: str, outcome: Outcome | str, *,
               object_type: str | None = None, object_id: str | None = None,
               details: dict[str, Any] | None = None,
               session: Session | None = None) -> AuditEntry:
        """Append one entry; inside ``session`` when given, else in a transaction of its own."""
        fields = dict(at=self.clock(), user=user, action=action, outcome=str(outcome),
                      object_type=object_type, object_id=object_id, details=details)
        if session is not None:
            return audit_store.append(session, **fields)
        with audit_store.write_tx(self.store) as s:
            return audit_store.append(s, **fields)

    def authorize(self, user: User | None, action: Action, *, object_type: str | None = None,
                  object_id: str | None = None) -> None:
        """Raise PermissionDenied (audited as ``denied``) unless ``user`` may take ``action``.

        Call it before opening the action's own write transaction: the refusal is recorded
        in a transaction of its own so that it survives the refused action.
        """
        if allowed(user, action):
            return
        self.record(user.name if user else "-", str(action), Outcome.DENIED,
                    object_type=object_type, object_id=object_id,
                    details={"role": str(user.role) if user else None})
        require(user, action)

    def verify(self) -> VerifyReport:
        return verify_store(self.store)

    def search(self, actor: User | None, **filters: Any) -> list[AuditEntry]:
        """Entries for the audit view (``verify_audit`` roles); filters as
        :func:`console.store.audit_store.search`."""
        self.authorize(actor, Action.VERIFY_AUDIT, object_type="audit_log")
        return audit_store.search(self.store, **filters)

    def verify_as(self, actor: User | None, *,
                  progress: Callable[[int, int, str], None] | None = None) -> VerifyReport:
        """Verify the chain for ``actor`` (``verify_audit`` roles); the result is audited."""
        self.authorize(actor, Action.VERIFY_AUDIT, object_type="audit_log")
        assert actor is not None
        report = verify_store(self.store, progress=progress)
        details: dict[str, Any] = {"entries": report.entries}
        if report.broken is not None:
            details |= {"broken_seq": report.broken.seq, "reason": report.broken.reason}
        self.record(actor.name, str(Action.VERIFY_AUDIT),
                    Outcome.OK if report.ok else Outcome.FAILED,
                    object_type="audit_log", details=details)
        return report
