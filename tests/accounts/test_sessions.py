"""Sessions: idle lock after 30 minutes (configurable), lock on demand, password unlock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.domain.permissions import Role, User
from console.services.accounts import AccountService, SignInError
from console.services.sessions import SessionLocked, UserSession
from console.store import audit_store
from console.store.store import Store
from tests.accounts.clock import Clock

ADMIN = User("root", Role.ADMINISTRATOR)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(store: Store, clock: Clock) -> AccountService:
    svc = AccountService(store, clock=clock)
    svc.create_account(ADMIN, "sam", "sam-pass-1", Role.SUPERVISOR)
    return svc


def test_idle_lock_after_thirty_minutes_without_activity(accounts: AccountService,
                                                         clock: Clock) -> None:
    session = UserSession.sign_in(accounts, "sam", "sam-pass-1")
    clock.advance(minutes=29)
    session.touch()
    clock.advance(minutes=29)  # 58 min since sign-in, 29 since the last activity
    assert session.user() == User("sam", Role.SUPERVISOR)
    clock.advance(minutes=1)
    assert session.locked
    with pytest.raises(SessionLocked, match="sam is locked"):
        session.user()
    session.touch()  # activity does not unlock
    assert session.locked


def test_idle_period_is_configurable(accounts: AccountService, clock: Clock) -> None:
    session = UserSession.sign_in(accounts, "sam", "sam-pass-1", idle_lock=timedelta(minutes=5))
    clock.advance(minutes=4, seconds=59)
    assert not session.locked
    clock.advance(seconds=1)
    assert session.locked
    with pytest.raises(ValueError, match="positive"):
        UserSession(accounts, User("sam", Role.SUPERVISOR), idle_lock=timedelta(0))


def test_lock_on_demand_and_unlock_needs_the_password(accounts: AccountService,
                                                      store: Store) -> None:
    session = UserSession.sign_in(accounts, "sam", "sam-pass-1")
    session.lock()
    with pytest.raises(SessionLocked):
        session.user()
    with pytest.raises(SignInError, match="wrong user name or password"):
        session.unlock("guess")
    assert session.locked
    assert session.unlock("sam-pass-1") == User("sam", Role.SUPERVISOR)
    assert session.user().name == "sam"
    trail = [(e.action, e.outcome, e.details.get("why")) for e in audit_store.entries(store)]
    assert trail[-4:] == [("sign_in", "allowed", None), ("lock_session", "ok", "on demand"),
                          ("unlock", "denied", None), ("unlock", "allowed", None)]


def test_failed_unlocks_count_towards_the_account_lockout(accounts: AccountService,
                                                          clock: Clock) -> None:
    session = UserSession.sign_in(accounts, "sam", "sam-pass-1")
    clock.advance(minutes=30)
    assert session.locked
    for n in range(5):
        with pytest.raises(SignInError):
            session.unlock(f"guess{n}")
    with pytest.raises(SignInError, match="account locked until"):
        session.unlock("sam-pass-1")
    clock.advance(minutes=10)
    session.unlock("sam-pass-1")
    assert not session.locked


def test_idle_lock_is_audited_once(accounts: AccountService, store: Store,
                                   clock: Clock) -> None:
    session = UserSession.sign_in(accounts, "sam", "sam-pass-1")
    clock.advance(hours=1)
    assert session.locked and session.locked
    whys = [e.details.get("why") for e in audit_store.entries(store)
            if e.action == "lock_session"]
    assert whys == ["idle"]
