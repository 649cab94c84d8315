"""What the desk's views say when background work fails: one line for the user."""

from __future__ import annotations

__all__ = ["describe_error"]


def describe_error(exc: BaseException) -> str:
    """One line for the user about a failed search, report or export."""
    name = type(exc).__name__
    if name == "PermissionDenied":
        return f"Not allowed: {exc}"
    if name == "SessionLocked":
        return "The session is locked: unlock it to go on."
    if isinstance(exc, ValueError):
        return f"Check the filters: {exc}"
    if isinstance(exc, OSError):
        return f"Could not write the file: {exc.strerror or exc}"
    return f"{name}: {exc}"
