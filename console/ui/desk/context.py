"""What every desk view is given: the store, the signed-in session, the audit log and a
background runner so no database or file work runs on the GUI thread.

:meth:`DeskContext.run` calls a plain function on the desk's worker pool and delivers its
result (or exception) on the GUI thread (:mod:`console.ui.background`). Long work takes a
:class:`Progress` as its first argument (``run_with_progress``) to report
``(done, total, text)`` and to see a cancel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QThreadPool

from console.domain.permissions import Action, User, allowed
from console.services.accounts import AccountService
from console.services.audit import AuditLog
from console.services.sessions import UserSession
from console.ui.background import Cancelled, Job, Progress, start

__all__ = ["Cancelled", "DeskContext", "Job", "Progress"]


@dataclass
class DeskContext:
    """The desk's shared parts; the session decides who the user is (and may be locked)."""

    store: Any
    session: UserSession
    audit: AuditLog
    accounts: AccountService
    pool: QThreadPool = field(default_factory=QThreadPool)
    #: the offline map pack the desk maps use (None: the bundled demo pack)
    map_pack: str | None = None

    def __post_init__(self) -> None:
        self.pool.setMaxThreadCount(2)

    def user(self) -> User:
        """The signed-in user (raises ``SessionLocked`` when the session is locked)."""
        return self.session.user()

    def may(self, action: Action | str) -> bool:
        """Whether the signed-in user's role may take ``action`` (False when locked)."""
        try:
            return allowed(self.session.user(), action)
        except Exception:
            return False

    def run(self, fn: Callable[..., Any], *args: Any,
            done: Callable[[Any], None] | None = None,
            failed: Callable[[BaseException], None] | None = None) -> Job:
        """Run ``fn(*args)`` off the GUI thread; callbacks run on the GUI thread."""
        return start(self.pool, Job(fn, args, False), done=done, failed=failed)

    def run_with_progress(self, fn: Callable[..., Any], *args: Any,
                          done: Callable[[Any], None] | None = None,
                          failed: Callable[[BaseException], None] | None = None,
                          progress: Callable[[int, int, str], None] | None = None) -> Job:
        """Run ``fn(progress_handle, *args)`` off the GUI thread, reporting progress."""
        job = Job(fn, args, True)
        if progress is not None:
            job.progress.connect(progress)
        return start(self.pool, job, done=done, failed=failed)

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait for background work to finish (tests, shutdown)."""
        return bool(self.pool.waitForDone(msecs))
