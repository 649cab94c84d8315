"""A signed-in session: locks after an idle period or on demand; the password unlocks it.

The GUI calls :meth:`UserSession.touch` on user activity and :meth:`UserSession.user`
before acting; a locked session raises :class:`SessionLocked`. Unlocking goes through
the account service, so it is audited and counts towards the lockout like a sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from console.domain.audit import Outcome
from console.domain.permissions import User
from console.services.accounts import AccountService

__all__ = ["IDLE_LOCK", "SessionLocked", "UserSession"]

IDLE_LOCK = timedelta(minutes=30)


class SessionLocked(Exception):  # noqa: N818 - a state, not an error to fix
    """The session is locked; sign in again with the password to continue."""


class UserSession:
    """``user``'s session over ``accounts`` (whose clock it shares)."""

    def __init__(self, accounts: AccountService, user: User, *,
                 idle_lock: timedelta = IDLE_LOCK) -> None:
        if idle_lock <= timedelta(0):
            raise ValueError(f"idle_lock must be positive, got {idle_lock}")
        self.accounts = accounts
        self._user = user
        self.idle_lock = idle_lock
        self._last_activity = accounts.clock()
        self._locked = False
        #: how audit writes are run: at once (default) or handed, in order, to one worker
        #: thread by a GUI, so locking (on demand, or when ``locked`` finds the idle time
        #: passed) never waits on the database; the lock itself takes effect at once
        self.write: Callable[[Callable[[], object]], None] = _now_call

    @classmethod
    def sign_in(cls, accounts: AccountService, username: str, password: str, *,
                idle_lock: timedelta = IDLE_LOCK) -> UserSession:
        return cls(accounts, accounts.sign_in(username, password), idle_lock=idle_lock)

    @property
    def username(self) -> str:
        return self._user.name

    @property
    def locked(self) -> bool:
        if not self._locked and self.accounts.clock() - self._last_activity >= self.idle_lock:
            self._lock("idle")
        return self._locked

    def user(self) -> User:
        """The signed-in user; raises :class:`SessionLocked` when the session is locked."""
        if self.locked:
            raise SessionLocked(f"session of {self.username} is locked; enter the password")
        return self._user

    def touch(self) -> None:
        """Record user activity (ignored once locked: only the password unlocks)."""
        if not self.locked:
            self._last_activity = self.accounts.clock()

    def lock(self) -> None:
        """Lock now (on demand)."""
        if not self._locked:
            self._lock("on demand")

    def unlock(self, password: str) -> User:
        """Unlock with the account's password; ``SignInError`` if refused (and audited)."""
        user = self.accounts.sign_in(self.username, password, action="unlock")
        if user.role != self._user.role:  # the role changed while locked: take the new one
            self._user = user
        self._locked = False
        self._last_activity = self.accounts.clock()
        return self._user

    def _lock(self, why: str) -> None:
        self._locked = True
        name, audit = self.username, self.accounts.audit
        self.write(lambda: audit.record(name, "lock_session", Outcome.OK, object_type="account",
                                        object_id=name, details={"why": why}))

    def sign_out(self) -> None:
        """End the session: locked for good, and the sign-out audited (after the lock)."""
        self.lock()
        name, audit = self.username, self.accounts.audit
        self.write(lambda: audit.record(name, "sign_out", Outcome.OK, object_type="account",
                                        object_id=name))
        # ``write`` runs its calls in order (at once, or on one worker thread)


def _now_call(fn: Callable[[], object]) -> None:
    fn()

