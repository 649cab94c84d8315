"""Background work for the audio views: decoding, spectrograms, locating, fetching.

:func:`run_task` runs a plain function on the audio thread pool and delivers its result
(or exception) to the GUI thread through a queued signal, so workers never touch widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool

from console.ui.background import Job, start

__all__ = ["audio_pool", "run_task"]

_POOL: QThreadPool | None = None


def audio_pool() -> QThreadPool:
    """The thread pool of the audio views (two threads: decode and spectrogram at once)."""
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(2)
    return _POOL


def run_task(fn: Callable[..., Any], *args: Any,
             on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[Exception], None] | None = None,
             owner: QObject | None = None) -> Job:
    """Run ``fn(*args)`` in :func:`audio_pool`; callbacks run in the GUI thread.

    With ``owner`` the callbacks are dropped once the owner is destroyed.
    """
    if owner is not None:
        on_done = None if on_done is None else _guard(owner, on_done)
        on_error = None if on_error is None else _guard(owner, on_error)
    return start(audio_pool(), Job(fn, args, False), done=on_done, failed=on_error)


def _guard(owner: QObject, fn: Callable[[Any], None]) -> Callable[[Any], None]:
    alive = [True]
    owner.destroyed.connect(lambda *_: alive.__setitem__(0, False))

    def call(value: Any) -> None:
        if alive[0]:
            fn(value)

    return call
