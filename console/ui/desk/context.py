"""What every desk view is given: the store, the signed-in session, the audit log and a
background runner so no database or file work runs on the GUI thread.

:meth:`DeskContext.run` calls a plain function on the desk's worker pool and delivers its
result (or exception) on the GUI thread. Long work takes a :class:`Progress` as its first
argument (``run_with_progress``) to report ``(done, total, text)`` and to see a cancel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from console.domain.permissions import Action, User, allowed
from console.services.accounts import AccountService
from console.services.audit import AuditLog
from console.services.sessions import UserSession

__all__ = ["Cancelled", "DeskContext", "Job", "Progress"]


class Cancelled(Exception):  # noqa: N818 - the user's choice, not a fault
    """Raised inside long work when the user pressed Cancel."""


class Progress:
    """Handed to long work: ``report(done, total, text)``; raises :class:`Cancelled`."""

    def __init__(self, emit: Callable[[int, int, str], None]) -> None:
        self._emit = emit
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, done: int, total: int, text: str = "") -> None:
        """Report progress; raises :class:`Cancelled` once the user has cancelled."""
        if self._cancel.is_set():
            raise Cancelled("cancelled")
        self._emit(int(done), int(total), text)


class Job(QObject):
    """One background call: ``done(result)``, ``failed(exception)``, ``progress(d, t, text)``.

    Signals are emitted on the GUI thread (queued to this object, which lives there).
    """

    done = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int, str)
    _finished = Signal(bool, object)
    _progressed = Signal(int, int, str)

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], with_progress: bool) -> None:
        super().__init__()
        self._fn, self._args = fn, args
        self.progress_handle = Progress(self._progressed.emit) if with_progress else None
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._progressed.connect(self.progress, Qt.ConnectionType.QueuedConnection)
        self.finished = False

    def cancel(self) -> None:
        if self.progress_handle is not None:
            self.progress_handle.cancel()

    def _run(self) -> None:
        try:
            if self.progress_handle is not None:
                result = self._fn(self.progress_handle, *self._args)
            else:
                result = self._fn(*self._args)
        except BaseException as exc:  # reported to the view, which shows it
            self._finished.emit(False, exc)
        else:
            self._finished.emit(True, result)

    @Slot(bool, object)
    def _deliver(self, ok: bool, value: Any) -> None:
        self.finished = True
        _LIVE.discard(self)
        (self.done if ok else self.failed).emit(value)


class _Runnable(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self._job = job
        self.setAutoDelete(True)

    def run(self) -> None:
        self._job._run()


_LIVE: set[Job] = set()  # jobs in flight are kept alive until they deliver


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
        return self._start(Job(fn, args, False), done, failed)

    def run_with_progress(self, fn: Callable[..., Any], *args: Any,
                          done: Callable[[Any], None] | None = None,
                          failed: Callable[[BaseException], None] | None = None,
                          progress: Callable[[int, int, str], None] | None = None) -> Job:
        """Run ``fn(progress_handle, *args)`` off the GUI thread, reporting progress."""
        job = Job(fn, args, True)
        if progress is not None:
            job.progress.connect(progress)
        return self._start(job, done, failed)

    def _start(self, job: Job, done: Callable[[Any], None] | None,
               failed: Callable[[BaseException], None] | None) -> Job:
        if done is not None:
            job.done.connect(done)
        if failed is not None:
            job.failed.connect(failed)
        _LIVE.add(job)
        self.pool.start(_Runnable(job))
        return job

    def wait(self, msecs: int = 30_000) -> bool:
        """Wait for background work to finish (tests, shutdown)."""
        return bool(self.pool.waitForDone(msecs))
