"""The permission table, role by role and action by action, as the order states it."""

from __future__ import annotations

import pytest

from console.domain.permissions import (
    Action,
    PermissionDenied,
    Role,
    User,
    allowed,
    can_view_sensor_positions,
    require,
    user_for_mode,
)

OFF, SUP, INV, CAP, ADM = (Role.OFFICER, Role.SUPERVISOR, Role.INVESTIGATOR, Role.CAPTAIN,
                           Role.ADMINISTRATOR)
#: Written out from issue 6, independently of the table in the code.
EXPECTED = {
    Action.VIEW_INCIDENT: {OFF, SUP, INV, CAP, ADM},
    # sensor locations: only investigators and administrators, only in verification
    Action.VIEW_SENSOR_POSITIONS: {INV, ADM},
    # "an officer or investigator requests release"
    Action.REQUEST_RELEASE: {OFF, INV},
    # "a captain (or higher) approves"; the administrator is outside the chain of command
    Action.APPROVE_RELEASE: {CAP},
    Action.EXPORT_REPORT: {SUP, INV, CAP},
    # "an administrator creates and disables accounts"; purges need an administrator
    Action.MANAGE_ACCOUNTS: {ADM},
    Action.PURGE_RECORDS: {ADM},
    Action.VERIFY_AUDIT: {SUP, CAP, ADM},
    # legal holds on incidents (retention): investigators, captains, administrators
    Action.MANAGE_LEGAL_HOLDS: {INV, CAP, ADM},
    # importing open-data alert tables: the desk's roles (issue 6 brief), not officers
    Action.IMPORT_DATA: {SUP, INV, CAP, ADM},
    # the desk's history and statistics: supervisors, investigators, captains
    Action.SEARCH_HISTORY: {SUP, INV, CAP},
    Action.VIEW_STATISTICS: {SUP, INV, CAP},
}


def test_every_action_is_in_the_expected_table() -> None:
    assert set(EXPECTED) == set(Action)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_role_action_matrix(role: Role, action: Action) -> None:
    user = User("someone", role)
    if role in EXPECTED[action]:
        assert allowed(user, action)
        require(user, action)  # no exception
    else:
        assert not allowed(user, action)
        with pytest.raises(PermissionDenied, match=f"someone \\({role}\\) may not") as info:
            require(user, action)
        assert info.value.action == str(action) and info.value.user == user


def test_actions_accepted_by_name() -> None:
    assert allowed(User("c", Role.CAPTAIN), "approve_release")
    require(User("a", Role.ADMINISTRATOR), "purge_records")


@pytest.mark.parametrize("action", ["fly", "", "APPROVE_RELEASE"])
def test_unknown_actions_are_refused_for_everyone(action: str) -> None:
    for role in Role:
        assert not allowed(User("x", role), action)
        with pytest.raises(PermissionDenied):
            require(User("x", role), action)


def test_nobody_signed_in_may_do_nothing() -> None:
    for action in Action:
        with pytest.raises(PermissionDenied, match="nobody signed in may not"):
            require(None, action)


def test_sensor_positions_helper_follows_the_table() -> None:
    for role in Role:
        assert can_view_sensor_positions(User("x", role)) == (role in {INV, ADM})
    assert not can_view_sensor_positions(None)


def test_modes_without_sign_in_unchanged() -> None:
    assert user_for_mode("car") == User("console", Role.OFFICER)
    assert user_for_mode("desk", "d") == User("d", Role.INVESTIGATOR)
    with pytest.raises(ValueError, match="'bus'"):
        user_for_mode("bus")
