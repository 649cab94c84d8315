"""Strict field checks shared by the alert and event parsers.

Every check raises :class:`AlertValidationError` naming the field path and the bad value,
so a rejected alert can be logged and stored with a reason a person can act on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "AlertValidationError",
    "field",
    "format_time",
    "opt_field",
    "req_float",
    "req_int",
    "req_mapping",
    "req_seq",
    "req_str",
    "req_time",
]

_MISSING = object()
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TIME_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")


class AlertValidationError(ValueError):
    """An alert (or event) payload broke the feed protocol; the message names field and value."""

    def __init__(self, path: str, problem: str, value: Any = _MISSING) -> None:
        self.path = path
        self.problem = problem
        shown = "" if value is _MISSING else f" (got {_show(value)})"
        super().__init__(f"{path}: {problem}{shown}")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def field(obj: Mapping[str, Any], key: str, path: str) -> Any:
    """Return a required member of a JSON object."""
    if key not in obj or obj[key] is None:
        raise AlertValidationError(f"{path}.{key}" if path else key, "is required")
    return obj[key]


def opt_field(obj: Mapping[str, Any], key: str) -> Any:
    """Return an optional member, ``None`` when absent or null."""
    return obj.get(key)


def req_mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise AlertValidationError(path, "must be a JSON object", value)
    for key in value:
        if not isinstance(key, str):
            raise AlertValidationError(path, "keys must be strings", key)
    return value


def req_seq(value: Any, path: str, *, max_len: int) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise AlertValidationError(path, "must be a JSON array", value)
    if len(value) > max_len:
        raise AlertValidationError(path, f"has {len(value)} items, at most {max_len} allowed")
    return list(value)


def req_str(
    value: Any, path: str, *, max_len: int, pattern: re.Pattern[str] | None = None,
    choices: frozenset[str] | None = None, multiline: bool = False,
) -> str:
    if not isinstance(value, str):
        raise AlertValidationError(path, "must be a string", value)
    if not value.strip():
        raise AlertValidationError(path, "must not be empty", value)
    if len(value) > max_len:
        raise AlertValidationError(path, f"is {len(value)} characters, at most {max_len} allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise AlertValidationError(path, "is not valid Unicode text", value) from None
    bad = _CONTROL.search(value) or (not multiline and re.search(r"[\r\n\t]", value))
    if bad:
        raise AlertValidationError(path, "contains a control character", value)
    if choices is not None and value not in choices:
        names = ", ".join(sorted(str(getattr(c, "value", c)) for c in choices))
        raise AlertValidationError(path, f"must be one of {names}", value)
    if pattern is not None and not pattern.fullmatch(value):
        raise AlertValidationError(path, f"must match {pattern.pattern}", value)
    return value


def req_int(value: Any, path: str, *, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AlertValidationError(path, "must be an integer", value)
    if not lo <= value <= hi:
        raise AlertValidationError(path, f"must be in {lo}..{hi}", value)
    return value


def req_float(
    value: Any, path: str, *, lo: float, hi: float, lo_open: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AlertValidationError(path, "must be a number", value)
    number = float(value) if not isinstance(value, int) or abs(value) < 2**63 else math.inf
    if not math.isfinite(number):
        raise AlertValidationError(path, "must be a finite number", value)
    if number < lo or number > hi or (lo_open and number == lo):
        bracket = "(" if lo_open else "["
        raise AlertValidationError(path, f"must be in {bracket}{lo:g}, {hi:g}]", value)
    return number


def req_time(value: Any, path: str) -> datetime:
    """Parse an ISO-8601 timestamp with an explicit offset and return it in UTC."""
    text = req_str(value, path, max_len=40)
    if not _TIME_SHAPE.fullmatch(text):
        raise AlertValidationError(
            path, "must be ISO-8601 date-time with offset, e.g. 2024-05-01T02:13:07.25Z", value
        )
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise AlertValidationError(path, "is not a valid date-time", value) from None
    if not 2000 <= parsed.year <= 2199:
        raise AlertValidationError(path, "year must be in 2000..2199", value)
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    """Format an aware datetime as protocol UTC text (``...Z``, microseconds only if set)."""
    text = value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="auto")
    return text + "Z"
