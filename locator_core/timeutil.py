"""Exact UTC timestamps as integer nanoseconds since the Unix epoch.

Sensor arrival times come as ISO-8601 strings with millisecond to microsecond digits.
A float of seconds since 1970 keeps only ~0.2 us at today's epoch, so timestamps are
kept as Python ints of nanoseconds and turned into float seconds only *relative* to a
nearby reference, where float64 keeps femtoseconds.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

__all__ = ["parse_iso_utc", "format_iso_utc", "ns_to_datetime"]

_ISO = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)


def parse_iso_utc(text: str) -> int:
    """Parse an ISO-8601 timestamp into integer nanoseconds since the epoch (UTC).

    Fractions of up to 9 digits are kept exactly. A missing zone means UTC.
    Raises ``ValueError`` naming the text when it is not a timestamp.
    """
    if not isinstance(text, str):
        raise ValueError(f"timestamp must be a string, got {type(text).__name__}")
    m = _ISO.match(text)
    if m is None:
        raise ValueError(f"not an ISO-8601 UTC timestamp: {text!r}")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    frac = m.group(7) or ""
    zone = m.group(8) or "Z"
    try:
        base = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"not a valid date/time: {text!r} ({exc})") from None
    seconds = int(base.timestamp()) + (second - min(second, 59))
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        seconds -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    nanos = int(frac.ljust(9, "0")) if frac else 0
    return seconds * 1_000_000_000 + nanos


def format_iso_utc(ns: int, digits: int = 6) -> str:
    """Format integer nanoseconds since the epoch as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    ns = int(ns)
    seconds, nanos = divmod(ns, 1_000_000_000)
    stamp = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if digits <= 0:
        return stamp + "Z"
    frac = f"{nanos:09d}"[:digits]
    return f"{stamp}.{frac}Z"


def ns_to_datetime(ns: int) -> datetime:
    """Timezone-aware UTC datetime (microsecond precision) for nanoseconds since epoch."""
    seconds, nanos = divmod(int(ns), 1_000_000_000)
    return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=nanos // 1000)
