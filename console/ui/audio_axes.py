"""Time axes of the audio views: seconds from the first shot, and UTC.

The plots share one x coordinate: seconds from the earliest clip's first sample. Each
axis shows that coordinate shifted (from the first shot, or to the UTC time of day) and
places its ticks at round values of the shifted time, not of the plot coordinate.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg

__all__ = ["ShiftedAxis", "utc_time_of_day", "seconds_from_shot"]


def utc_time_of_day(seconds: float, spacing: float) -> str:
    """``HH:MM:SS`` (with milliseconds when ticks are closer than a second)."""
    seconds %= 86400.0
    whole = int(seconds // 1)
    text = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    if spacing < 1.0:
        ms = int(round((seconds - whole) * 1000.0))
        if ms == 1000:  # rounding carried into the next second
            return utc_time_of_day(whole + 1.0, 1.0) + ".000"
        text += f".{ms:03d}"
    return text


def seconds_from_shot(seconds: float, spacing: float) -> str:
    decimals = 0 if spacing >= 1.0 else 1 if spacing >= 0.1 else 2 if spacing >= 0.01 else 3
    value = 0.0 if abs(seconds) < spacing / 1000.0 else seconds
    return f"{value:+.{decimals}f}" if value else "0"


class ShiftedAxis(pg.AxisItem):
    """An axis showing ``x + shift`` formatted by ``fmt(value, tick spacing)``.

    ``shift`` None hides the tick labels (a time the clip does not know).
    """

    def __init__(self, orientation: str, fmt: Callable[[float, float], str],
                 shift: float | None = 0.0) -> None:
        super().__init__(orientation)
        self._fmt, self.shift = fmt, shift

    def set_shift(self, shift: float | None) -> None:
        self.shift = shift
        self.picture = None
        self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float):  # noqa: N802, N803
        shift = self.shift or 0.0
        levels = super().tickValues(minVal + shift, maxVal + shift, size)
        return [(spacing, [v - shift for v in values]) for spacing, values in levels]

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        if self.shift is None:
            return ["" for _ in values]
        return [self._fmt(v + self.shift, spacing) for v in values]
