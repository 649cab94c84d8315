"""Single-instance lock per data directory: two consoles on one store would both poll,
both send the outbox and fight over the write lock; the second one must refuse to start.

The lock is an OS advisory lock (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows)
on ``DIR/console.lock``; the OS releases it when the process dies, even by SIGKILL, so a
crash never leaves a stale lock behind.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

__all__ = ["LOCK_NAME", "AlreadyRunning", "InstanceLock"]

LOCK_NAME = "console.lock"


class AlreadyRunning(RuntimeError):
    """Another console holds the data directory's lock."""

    def __init__(self, folder: Path, holder: str) -> None:
        who = f" (pid {holder})" if holder else ""
        super().__init__(f"another Mobile Alert Console is already running on {folder}{who}; "
                         "close it first or use a different --data-dir")
        self.folder = folder
        self.holder = holder


class InstanceLock:
    """Hold ``DIR/console.lock`` for the life of the process (or until :meth:`release`)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self._fh: IO[str] | None = None

    def acquire(self) -> InstanceLock:
        """Take the lock; raises :class:`AlreadyRunning` if another process holds it."""
        fh = open(self.path, "a+", encoding="ascii")  # noqa: SIM115 - held while running
        try:
            _lock(fh)
        except OSError:
            try:  # on Windows the locked byte cannot be read: then no pid is shown
                fh.seek(0)
                holder = fh.read(32).strip()
            except OSError:
                holder = ""
            fh.close()
            raise AlreadyRunning(self.folder, holder) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            try:
                _unlock(self._fh)
            finally:
                self._fh.close()
                self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


if os.name == "nt":  # pragma: no cover - exercised on the Windows runner
    import msvcrt

    def _lock(fh: IO[str]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(fh: IO[str]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fh: IO[str]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fh: IO[str]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
