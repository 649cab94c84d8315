"""Who may see what: the one place the console decides on access to sensitive detail.

There are no accounts yet. The console runs in one of two modes: in a patrol car
(default) the user is an ``officer``; at a desk (``--desk``) an ``investigator``.
Sensor positions and serial numbers are shown only in the verification view and only
to investigators and administrators; everywhere else sensors are "Sensor 1..n".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Role", "User", "can_view_sensor_positions", "user_for_mode"]


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    INVESTIGATOR = "investigator"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: Role


_SENSOR_DETAIL_ROLES = frozenset({Role.INVESTIGATOR, Role.ADMINISTRATOR})


def can_view_sensor_positions(user: User | None) -> bool:
    """True only for investigators and administrators (covers positions and serials)."""
    return user is not None and user.role in _SENSOR_DETAIL_ROLES


def user_for_mode(mode: str, name: str = "console") -> User:
    """The current user for an app mode: ``"car"`` -> officer, ``"desk"`` -> investigator."""
    if mode == "car":
        return User(name, Role.OFFICER)
    if mode == "desk":
        return User(name, Role.INVESTIGATOR)
    raise ValueError(f"mode must be 'car' or 'desk', got {mode!r}")
