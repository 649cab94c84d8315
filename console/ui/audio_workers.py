"""Background work for the audio views: decoding, spectrograms, locating, fetching.

:func:`run_task` runs a plain function on the audio thread pool and delivers its result
(or exception) to the GUI thread through a queued signal, so workers never touch widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

__all__ = ["run_task", "audio_pool", "Task"]

_POOL: QThreadPool | None = None


def audio_pool() -> QThreadPool:
    """The thread pool of the audio views (two threads: decode and spectrogram at once)."""
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(2)
    return _POOL


class Task(QObject):
    """One background call; ``done(result)`` or ``failed(exception)`` in the GUI thread.

    The worker emits ``_finished`` to a slot of this object, which lives in the GUI
    thread, so the queued call and every callback run there.
    """

    done = Signal(object)
    failed = Signal(object)
    _finished = Signal(bool, object)

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        super().__init__()
        self._fn, self._args = fn, args
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def _run(self) -> None:
        try:
            result = self._fn(*self._args)
        except Exception as exc:  # reported to the view, which shows it
            self._finished.emit(False, exc)
        else:
            self._finished.emit(True, result)

    @Slot(bool, object)
    def _deliver(self, ok: bool, value: Any) -> None:
        _LIVE.discard(self)
        (self.done if ok else self.failed).emit(value)


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def run(self) -> None:
        self._task._run()


_LIVE: set[Task] = set()


def run_task(fn: Callable[..., Any], *args: Any,
             on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[Exception], None] | None = None,
             owner: QObject | None = None) -> Task:
    """Run ``fn(*args)`` in :func:`audio_pool`; callbacks run in the GUI thread.

    With ``owner`` the callbacks are dropped once the owner is destroyed.
    """
    task = Task(fn, *args)
    _LIVE.add(task)  # kept alive until its result is delivered
    if on_done is not None:
        task.done.connect(on_done if owner is None else _guard(owner, on_done))
    if on_error is not None:
        task.failed.connect(on_error if owner is None else _guard(owner, on_error))
    audio_pool().start(_Runnable(task))
    return task


def _guard(owner: QObject, fn: Callable[[Any], None]) -> Callable[[Any], None]:
    alive = [True]
    owner.destroyed.connect(lambda *_: alive.__setitem__(0, False))

    def call(value: Any) -> None:
        if alive[0]:
            fn(value)

    return call
