"""Start-up check of the data directory: it must exist (or be creatable) and be writable,
and the database path must be a file; otherwise one clear line instead of a traceback."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

__all__ = ["DB_NAME", "DataDirError", "check_data_dir", "default_data_dir"]

DB_NAME = "console.db"


class DataDirError(RuntimeError):
    """The data directory cannot hold the console's store."""


def default_data_dir() -> Path:
    """The platform's per-user data directory (where the default store lives)."""
    from platformdirs import user_data_dir

    from console.store.engine import APP_NAME

    return Path(user_data_dir(APP_NAME, appauthor=False))


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def check_data_dir(folder: str | os.PathLike[str], db_name: str = DB_NAME) -> Path:
    """Create ``folder`` if needed and prove it writable; return its resolved path.

    Raises :class:`DataDirError` ("cannot write to <dir>: <reason>") when the directory
    cannot be created, is not a directory, is read-only, or when ``<dir>/<db_name>``
    exists but is not a writable regular file.
    """
    path = Path(folder).expanduser()
    try:
        path = path.resolve()
        if path.exists() and not path.is_dir():
            raise DataDirError(f"cannot write to {path}: not a directory")
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(f"cannot write to {path}: {_why(exc)}") from None
    if not path.is_dir():
        raise DataDirError(f"cannot write to {path}: not a directory")
    probe = path / f".write-test-{uuid.uuid4().hex}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"ok")
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise DataDirError(f"cannot write to {path}: {_why(exc)}") from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    db = path / db_name
    if db.exists() or db.is_symlink():
        if not db.is_file():
            raise DataDirError(f"cannot write to {db}: the database path is not a file")
        if not os.access(db, os.R_OK | os.W_OK):
            raise DataDirError(f"cannot write to {db}: permission denied")
    return path
