"""Sort store failures into the few an officer can act on: disk full, read-only, busy
(another process holds the write lock), corrupt, other I/O. SQLite and PostgreSQL."""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass

__all__ = ["StoreProblem", "classify_store_error"]

_MESSAGES = {
    "disk_full": "disk full — alerts are kept on the server until space is freed",
    "read_only": "the data directory is read-only — alerts are kept on the server",
    "busy": "database is busy (another program holds it) — retrying, nothing is lost",
    "corrupt": "the database file is damaged — call IT; alerts are kept on the server",
    "io": "cannot read or write the database — retrying",
}
_SQLITE = {
    "SQLITE_FULL": "disk_full",
    "SQLITE_READONLY": "read_only",
    "SQLITE_BUSY": "busy",
    "SQLITE_LOCKED": "busy",
    "SQLITE_CORRUPT": "corrupt",
    "SQLITE_NOTADB": "corrupt",
    "SQLITE_IOERR": "io",
    "SQLITE_CANTOPEN": "io",
    "SQLITE_PERM": "read_only",
}
_TEXT = (
    ("database or disk is full", "disk_full"),
    ("no space left", "disk_full"),
    ("readonly database", "read_only"),
    ("read-only", "read_only"),
    ("database is locked", "busy"),
    ("database table is locked", "busy"),
    ("malformed", "corrupt"),
    ("file is not a database", "corrupt"),
    ("disk i/o error", "io"),
    ("unable to open database", "io"),
)
# PostgreSQL SQLSTATEs: disk full, out of memory/resources, lock not available,
# deadlock, serialization, read-only transaction, query canceled (lock_timeout)
_PG = {"53100": "disk_full", "53000": "disk_full", "55P03": "busy", "40P01": "busy",
       "40001": "busy", "25006": "read_only", "57014": "busy"}
_ERRNO = {errno.ENOSPC: "disk_full", errno.EDQUOT: "disk_full", errno.EROFS: "read_only",
          errno.EACCES: "read_only", errno.EPERM: "read_only", errno.EIO: "io"}


@dataclass(frozen=True, slots=True)
class StoreProblem:
    """A classified store failure: ``kind`` and a one-line message for the status bar."""

    kind: str  # disk_full | read_only | busy | corrupt | io
    detail: str

    @property
    def message(self) -> str:
        return f"storage: {_MESSAGES[self.kind]}"

    @property
    def transient(self) -> bool:
        """Whether waiting alone may fix it (busy); others need the user or IT."""
        return self.kind == "busy"


def _chain(exc: BaseException):
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        cur = todo.pop()
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        yield cur
        todo.extend([getattr(cur, "orig", None), cur.__cause__, cur.__context__])


def classify_store_error(exc: BaseException) -> StoreProblem | None:
    """The :class:`StoreProblem` behind ``exc`` (any SQLAlchemy/DB-API/OS error), or None
    when it is not a storage failure."""
    for cur in _chain(exc):
        detail = str(cur).splitlines()[0][:300] if str(cur) else type(cur).__name__
        if isinstance(cur, sqlite3.Error):
            name = str(getattr(cur, "sqlite_errorname", ""))
            kind = _SQLITE.get("_".join(name.split("_")[:2]))
            if kind is None:
                kind = _by_text(str(cur))
            if kind is not None:
                return StoreProblem(kind, detail)
        code = getattr(cur, "pgcode", None) or getattr(cur, "sqlstate", None)
        if isinstance(code, str) and code in _PG:
            return StoreProblem(_PG[code], detail)
        if isinstance(cur, OSError) and cur.errno in _ERRNO:
            return StoreProblem(_ERRNO[cur.errno], detail)
    for cur in _chain(exc):  # wrapped errors whose type we do not know: go by the text
        kind = _by_text(str(cur))
        if kind is not None and _is_db_error(cur):
            return StoreProblem(kind, str(cur).splitlines()[0][:300])
    return None


def _by_text(text: str) -> str | None:
    low = text.lower()
    for needle, kind in _TEXT:
        if needle in low:
            return kind
    return None


def _is_db_error(exc: BaseException) -> bool:
    names = {t.__name__ for t in type(exc).__mro__}
    return bool(names & {"DBAPIError", "OperationalError", "DatabaseError", "OSError"})
