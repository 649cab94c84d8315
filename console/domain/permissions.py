"""Who may do what: the one place the console decides on access.

Five roles (officer, supervisor, investigator, captain, administrator) and a table of
actions each may take. The service layer calls :func:`require` before acting, so a
hidden button is never the only check. Sensor positions and serial numbers are shown
only in the verification view and only to investigators and administrators; everywhere
else sensors are "Sensor 1..n".

Releasing a report or audio outside needs a captain's approval. The administrator is a
technical role (accounts, purges, audit checks) outside the chain of command, so it does
not approve releases: keeping the two apart means no single account both manages the
users and authorises disclosures.

Without signing in, the console runs in one of two modes: in a patrol car (default) the
user is an ``officer``; at a desk (``--desk``) an ``investigator``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "PERMISSIONS", "Action", "PermissionDenied", "Role", "User", "allowed",
    "can_view_sensor_positions", "require", "user_for_mode",
]


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    INVESTIGATOR = "investigator"
    CAPTAIN = "captain"
    ADMINISTRATOR = "administrator"


class Action(StrEnum):
    VIEW_INCIDENT = "view_incident"
    VIEW_SENSOR_POSITIONS = "view_sensor_positions"
    REQUEST_RELEASE = "request_release"
    APPROVE_RELEASE = "approve_release"
    EXPORT_REPORT = "export_report"
    MANAGE_ACCOUNTS = "manage_accounts"
    PURGE_RECORDS = "purge_records"
    VERIFY_AUDIT = "verify_audit"
    SEARCH_HISTORY = "search_history"
    VIEW_STATISTICS = "view_statistics"
    IMPORT_DATA = "import_data"
    MANAGE_LEGAL_HOLDS = "manage_legal_holds"


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: Role


_R = Role
#: Every action and the roles allowed to take it; anything not listed is refused.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_INCIDENT: frozenset(Role),
    Action.VIEW_SENSOR_POSITIONS: frozenset({_R.INVESTIGATOR, _R.ADMINISTRATOR}),
    Action.REQUEST_RELEASE: frozenset({_R.OFFICER, _R.INVESTIGATOR}),
    Action.APPROVE_RELEASE: frozenset({_R.CAPTAIN}),
    Action.EXPORT_REPORT: frozenset({_R.SUPERVISOR, _R.INVESTIGATOR, _R.CAPTAIN}),
    Action.MANAGE_ACCOUNTS: frozenset({_R.ADMINISTRATOR}),
    Action.PURGE_RECORDS: frozenset({_R.ADMINISTRATOR}),
    Action.VERIFY_AUDIT: frozenset({_R.SUPERVISOR, _R.CAPTAIN, _R.ADMINISTRATOR}),
    Action.SEARCH_HISTORY: frozenset({_R.SUPERVISOR, _R.INVESTIGATOR, _R.CAPTAIN}),
    Action.VIEW_STATISTICS: frozenset({_R.SUPERVISOR, _R.INVESTIGATOR, _R.CAPTAIN}),
    Action.IMPORT_DATA: frozenset({_R.SUPERVISOR, _R.INVESTIGATOR, _R.CAPTAIN,
                                   _R.ADMINISTRATOR}),
    Action.MANAGE_LEGAL_HOLDS: frozenset({_R.INVESTIGATOR, _R.CAPTAIN, _R.ADMINISTRATOR}),
}


class PermissionDenied(Exception):  # noqa: N818 - the domain's own name for a refusal
    """``user`` may not take ``action``; the message names both."""

    def __init__(self, user: User | None, action: Action | str) -> None:
        self.user = user
        self.action = str(action)
        who = "nobody signed in" if user is None else f"{user.name} ({user.role})"
        super().__init__(f"{who} may not {self.action.replace('_', ' ')}")


def allowed(user: User | None, action: Action | str) -> bool:
    """True when ``user``'s role may take ``action``; unknown actions are refused."""
    if user is None:
        return False
    try:
        roles = PERMISSIONS[Action(action)]
    except ValueError:
        return False
    return Role(user.role) in roles


def require(user: User | None, action: Action | str) -> None:
    """Raise :class:`PermissionDenied` unless ``user`` may take ``action``."""
    if not allowed(user, action):
        raise PermissionDenied(user, action)


def can_view_sensor_positions(user: User | None) -> bool:
    """True only for investigators and administrators (covers positions and serials)."""
    return allowed(user, Action.VIEW_SENSOR_POSITIONS)


def user_for_mode(mode: str, name: str = "console") -> User:
    """The current user for an app mode: ``"car"`` -> officer, ``"desk"`` -> investigator."""
    if mode == "car":
        return User(name, Role.OFFICER)
    if mode == "desk":
        return User(name, Role.INVESTIGATOR)
    raise ValueError(f"mode must be 'car' or 'desk', got {mode!r}")
