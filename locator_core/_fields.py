"""Checked access to JSON metadata: every failure is one LocatorError sentence naming the file."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from locator_core.timeutil import parse_iso_utc
from locator_core.types import LocatorError

__all__ = ["load_json", "parse_json", "get_obj", "get_number", "get_text", "get_time"]


def load_json(path: Path) -> Any:
    """Parse a JSON file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LocatorError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_json(raw, name=str(path))


def parse_json(raw: bytes, *, name: str) -> Any:
    """Parse UTF-8 JSON bytes; ``name`` is used in the error message."""
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise LocatorError(f"{name} is not UTF-8 text, so it cannot be JSON.") from None
    except json.JSONDecodeError as exc:
        raise LocatorError(
            f"{name} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})."
        ) from None


def get_obj(obj: Any, key: str, name: str) -> dict:
    """``obj[key]`` which must be a JSON object."""
    value = _get(obj, key, name)
    if not isinstance(value, dict):
        raise LocatorError(f"{name}: field '{key}' must be an object, got {value!r:.60}.")
    return value


def get_number(obj: Any, key: str, name: str, *, default: float | None = None) -> float:
    """``obj[key]`` as a finite float; ``default`` (when given) replaces a missing/null value."""
    value = _get(obj, key, name, optional=default is not None)
    if value is None:
        return float(default)  # type: ignore[arg-type]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LocatorError(f"{name}: field '{key}' must be a number, got {value!r:.60}.")
    if not math.isfinite(value):
        raise LocatorError(f"{name}: field '{key}' is not a finite number ({value!r}).")
    return float(value)


def get_text(obj: Any, key: str, name: str) -> str:
    """``obj[key]`` as a non-empty string."""
    value = _get(obj, key, name)
    if not isinstance(value, str) or not value.strip():
        raise LocatorError(f"{name}: field '{key}' must be a non-empty string, got {value!r:.60}.")
    return value.strip()


def get_time(obj: Any, key: str, name: str) -> int:
    """``obj[key]`` as an ISO-8601 UTC timestamp, in integer nanoseconds since the epoch."""
    value = get_text(obj, key, name)
    try:
        return parse_iso_utc(value)
    except ValueError:
        raise LocatorError(f"{name}: field '{key}' is not an ISO-8601 UTC time: {value!r}.") from None


def _get(obj: Any, key: str, name: str, *, optional: bool = False) -> Any:
    if not isinstance(obj, dict):
        raise LocatorError(f"{name}: expected a JSON object holding '{key}', got {type(obj).__name__}.")
    if key not in obj and not optional:
        raise LocatorError(f"{name}: required field '{key}' is missing.")
    value = obj.get(key)
    if value is None and not optional:
        raise LocatorError(f"{name}: required field '{key}' is null.")
    return value
