"""Parsing one cell: dates and times in the layouts cities publish, coordinates, locations."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

_DATE_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DATE_US = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?!\d)")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?=$|[T\s])")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_FULL_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
_DATE_Y_MON_D = re.compile(r"(\d{4})[-\s]([A-Za-z]{3,9})\.?[-\s](\d{1,2})(?!\d)")
_DATE_MON_D_Y = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?!\d)")
_DATE_D_MON_Y = re.compile(r"(\d{1,2})[-\s]([A-Za-z]{3,9})\.?[-\s,]+(\d{4}|\d{2})(?!\d)")
_TIME = re.compile(
    r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([AaPp])?\.?(?:[Mm]\.?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$")
_TIME_COMPACT = re.compile(r"(\d{2})(\d{2})(\d{2})?$")


class ValueProblem(ValueError):
    """A cell that does not parse; the message is for the report."""


def parse_date_part(text: str, day_first: bool = False) -> tuple[date, str]:
    """The date at the start of ``text`` and the rest of the text after it."""
    s = text.strip()
    m = _DATE_ISO.match(s)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        m = _DATE_US.match(s)
        if m:
            a, b, y = int(m[1]), int(m[2]), int(m[3])
            if y < 100:
                y += 2000 if y < 70 else 1900
            mo, d = (b, a) if day_first else (a, b)
        else:
            m = _DATE_COMPACT.match(s)
            if m:
                y, mo, d = int(m[1]), int(m[2]), int(m[3])
            else:
                return _named_month(s, text)
    try:
        return date(y, mo, d), s[m.end():].lstrip("Tt ").strip()
    except ValueError as exc:
        raise ValueProblem(f"no such date: {text!r}") from exc


def _month(name: str) -> int:
    low = name.lower()
    for i, (short, full) in enumerate(zip(_MONTHS, _FULL_MONTHS, strict=True)):
        if low.startswith(short) and full.startswith(low[:len(full)]) and len(low) <= len(full):
            return i + 1
    raise ValueProblem(f"no month {name!r}")


def _named_month(s: str, text: str) -> tuple[date, str]:
    """``2024 Jan 01``, ``Jan 1, 2019``, ``01-Jan-2019``."""
    if m := _DATE_Y_MON_D.match(s):
        y, mo, d = int(m[1]), _month(m[2]), int(m[3])
    elif m := _DATE_MON_D_Y.match(s):
        y, mo, d = int(m[3]), _month(m[1]), int(m[2])
    elif m := _DATE_D_MON_Y.match(s):
        y, mo, d = int(m[3]), _month(m[2]), int(m[1])
        if y < 100:
            y += 2000 if y < 70 else 1900
    else:
        raise ValueProblem(f"not a date: {text!r}")
    try:
        return date(y, mo, d), s[m.end():].lstrip("Tt ").strip()
    except ValueError as exc:
        raise ValueProblem(f"no such date: {text!r}") from exc


def parse_time_part(text: str) -> tuple[time, timezone | None]:
    """A time of day, 12 h or 24 h, seconds and fraction optional, maybe with an offset."""
    s = text.strip()
    m = _TIME.match(s)
    if not m:
        c = _TIME_COMPACT.match(s)
        if not c:
            raise ValueProblem(f"not a time: {text!r}")
        parts = (int(c[1]), int(c[2]), int(c[3] or 0), 0, None, None)
    else:
        frac = int((m[4] or "0")[:6].ljust(6, "0"))
        parts = (int(m[1]), int(m[2]), int(m[3] or 0), frac, m[5], m[6])
    h, mi, sec, frac, ampm, off = parts
    if ampm:
        if not 1 <= h <= 12:
            raise ValueProblem(f"not a 12-hour time: {text!r}")
        h = h % 12 + (12 if ampm.lower() == "p" else 0)
    if h == 24 and mi == 0 and sec == 0:
        raise ValueProblem(f"24:00 is not a time of day: {text!r}")
    try:
        t = time(h, mi, sec, frac)
    except ValueError as exc:
        raise ValueProblem(f"no such time: {text!r}") from exc
    return t, _offset(off)


def _offset(off: str | None) -> timezone | None:
    if not off:
        return None
    if off.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if off[0] == "-" else 1
    digits = off[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueProblem(f"no such UTC offset: {off!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_local(date_text: str, time_text: str | None, day_first: bool = False
                ) -> tuple[datetime, timezone | None]:
    """A naive local date-time (and an explicit offset if the text carries one).

    With a separate time column the date column's own time (often a midnight stamp) is
    ignored; without one, a date alone means midnight."""
    d, rest = parse_date_part(date_text, day_first)
    if time_text is not None and time_text.strip():
        t, off = parse_time_part(time_text)
    elif rest:
        t, off = parse_time_part(rest)
    else:
        t, off = time(0), None
    return datetime.combine(d, t), off


def to_utc(local: datetime, zone: ZoneInfo) -> tuple[datetime, datetime, str | None]:
    """(earlier, later) UTC instants for a naive local time and a DST problem, if any:
    ``"ambiguous"`` (the clock showed it twice) or ``"nonexistent"`` (skipped)."""
    early = local.replace(tzinfo=zone, fold=0)
    late = local.replace(tzinfo=zone, fold=1)
    u0, u1 = early.astimezone(UTC), late.astimezone(UTC)
    if u0 == u1:
        return u0, u1, None
    back = u0.astimezone(zone).replace(tzinfo=None)
    if back != local:
        return min(u0, u1), max(u0, u1), "nonexistent"
    return min(u0, u1), max(u0, u1), "ambiguous"


_DECIMAL_COMMA = re.compile(r"[-+]?\d{1,3},\d+$")


def parse_number(text: str) -> float | None:
    """A coordinate cell: None when blank; ValueProblem when not a finite number."""
    s = text.strip()
    if not s:
        return None
    if _DECIMAL_COMMA.match(s):
        s = s.replace(",", ".")
    try:
        v = float(s)
    except ValueError as exc:
        raise ValueProblem(f"not a number: {text!r}") from exc
    if not math.isfinite(v):
        raise ValueProblem(f"not a finite number: {text!r}")
    return v


_NUM = r"([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)"
_WKT = re.compile(r"POINT\s*(?:Z\s*)?\(\s*" + _NUM + r"[\s,]+" + _NUM, re.IGNORECASE)
_PAIR = re.compile(r"\(\s*" + _NUM + r"\s*,\s*" + _NUM + r"\s*\)")


def parse_location(text: str) -> tuple[float, float] | None:
    """(lat, lon) from a ``POINT (lon lat)`` or a ``(lat, lon)`` location cell."""
    m = _WKT.search(text)
    if m:
        return float(m[2]), float(m[1])
    m = _PAIR.search(text)
    if m:
        return float(m[1]), float(m[2])
    return None
