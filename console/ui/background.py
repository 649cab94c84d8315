"""Background calls for the views: a plain function on a thread pool, its result (or
exception) and progress delivered on the GUI thread through queued signals, so workers
never touch widgets.

:func:`start` runs a :class:`Job` on a pool and keeps it alive until it delivers. Long
work takes a :class:`Progress` as its first argument to report ``(done, total, text)``
and to see a cancel (:class:`Cancelled`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

__all__ = ["Cancelled", "Job", "Progress", "start"]


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


def start(pool: QThreadPool, job: Job, *, done: Callable[[Any], None] | None = None,
          failed: Callable[[BaseException], None] | None = None) -> Job:
    """Run ``job`` on ``pool``; ``done``/``failed`` are called on the GUI thread."""
    if done is not None:
        job.done.connect(done)
    if failed is not None:
        job.failed.connect(failed)
    _LIVE.add(job)
    pool.start(_Runnable(job))
    return job
