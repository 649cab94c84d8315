"""Dispatch wording for an alert: the type code, priority and one-line summary a car shows."""

from __future__ import annotations

import math
from dataclasses import dataclass

from console.domain.alert import Alert, AlertType, Review

__all__ = ["DispatchSummary", "compass_point", "dispatch_summary"]

TYPE_CODE = "SHOTS"
PRIORITY = 2
_POINTS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
_TYPE_TEXT = {
    AlertType.SINGLE_GUNSHOT: "Single gunshot",
    AlertType.MULTIPLE_GUNSHOTS: "Multiple gunshots",
    AlertType.PROBABLE_GUNFIRE: "Probable gunfire",
    AlertType.GUNSHOT_OR_FIRECRACKER: "Gunshot or firecracker",
}


@dataclass(frozen=True, slots=True)
class DispatchSummary:
    """What dispatch would read out: ``SHOTS P2 — Multiple rounds (5) — Reviewed``."""

    type_code: str
    priority: int
    type_text: str
    details: tuple[str, ...]
    review_text: str

    @property
    def text(self) -> str:
        parts = [f"{self.type_code} P{self.priority}", *self.details, self.review_text]
        return " — ".join(parts)


def compass_point(heading_deg: float) -> str:
    """Return the 8-point compass name of a heading in degrees (0 = north, clockwise)."""
    # Half-way headings go clockwise (22.5° is NE), unlike round()'s half-to-even.
    return _POINTS[math.floor((heading_deg % 360.0) / 45.0 + 0.5) % 8]


def _rounds_text(alert: Alert) -> str | None:
    if alert.rounds == 1:
        return "Single round"
    if alert.rounds is not None and alert.rounds >= 2:
        return f"Multiple rounds ({alert.rounds})"
    if alert.rounds is None and alert.type is AlertType.SINGLE_GUNSHOT:
        return "Single round"
    if alert.rounds is None and alert.type is AlertType.MULTIPLE_GUNSHOTS:
        return "Multiple rounds"
    return None


def _review_text(alert: Alert) -> str:
    if alert.review is Review.MACHINE:
        return "Machine classified, not yet reviewed"
    if alert.review is Review.REVIEWED:
        return "Reviewed"
    if alert.review is Review.UPDATED:
        return f"Updated (revision {alert.revision})"
    return "CANCELLED"


def dispatch_summary(alert: Alert) -> DispatchSummary:
    """Return the dispatch wording of ``alert`` per the console's dispatch rules."""
    details: list[str] = []
    rounds = _rounds_text(alert)
    if rounds:
        details.append(rounds)
    if alert.shooters is not None and alert.shooters >= 2:
        details.append("Possible multiple shooters")
    if alert.mobile is not None:
        heading = math.floor(alert.mobile.heading_deg + 0.5) % 360
        details.append(
            f"Possible mobile shooter, {round(alert.mobile.speed_mps)} m/s heading "
            f"{heading:03d}° ({compass_point(alert.mobile.heading_deg)})"
        )
    return DispatchSummary(TYPE_CODE, PRIORITY, _TYPE_TEXT[alert.type], tuple(details),
                           _review_text(alert))
