"""Accounts: argon2 passwords, sign-in with lockout, administrator-only account changes.

Every sign-in attempt is audited (``sign_in`` allowed/denied); five wrong passwords in a
row lock the account for ten minutes. The clock is injectable so tests can move time.
Messages never say whether a user name exists: an unknown name and a wrong password
read the same ("wrong user name or password").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from console.domain.audit import Outcome
from console.domain.permissions import Action, Role, User
from console.services.audit import AuditLog
from console.store import accounts_store
from console.store.accounts_store import AccountRecord
from console.store.audit_store import write_tx
from console.store.models import Account
from console.store.store import Store

__all__ = [
    "LOCK_AFTER", "LOCK_FOR", "AccountError", "AccountService", "SignInError",
    "DEMO_ACCOUNTS", "PASSWORD_MIN_LENGTH", "ensure_demo_accounts", "hash_password",
    "password_problem", "verify_password",
]

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=10)
WRONG = "wrong user name or password"
#: The password policy for accounts an administrator creates or resets.
PASSWORD_MIN_LENGTH = 10

Clock = Callable[[], datetime]
_hasher = PasswordHasher()
#: Verified against for unknown user names, so they take as long as known ones.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def _now() -> datetime:
    return datetime.now(UTC)


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; the text is never stored)."""
    if not password:
        raise AccountError("a password must not be empty")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` fails the policy for ``username``, or None when it passes."""
    if not password:
        return "a password must not be empty"
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"a password needs at least {PASSWORD_MIN_LENGTH} characters"
    if password != password.strip():
        return "a password must not start or end with a space"
    if username and password.lower() == username.lower():
        return "a password must not be the user name"
    return None


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why."""


class SignInError(Exception):
    """Sign-in refused; ``str(exc)`` is the message to show the user.

    ``attempts_left`` (wrong password: tries before the lock) and ``locked_until`` are
    given alike for unknown user names, so neither tells whether a name exists.
    """

    def __init__(self, message: str, *, attempts_left: int | None = None,
                 locked_until: datetime | None = None) -> None:
        super().__init__(message)
        self.attempts_left = attempts_left
        self.locked_until = locked_until


def _clock_text(at: datetime) -> str:
    return at.astimezone().strftime("%H:%M")


class AccountService:
    """Sign-in and account administration over ``store``, audited in ``audit``."""

    def __init__(self, store: Store, *, clock: Clock = _now, audit: AuditLog | None = None,
                 lock_after: int = LOCK_AFTER, lock_for: timedelta = LOCK_FOR) -> None:
        self.store = store
        self.clock = clock
        self.audit = audit or AuditLog(store, clock=clock)
        self.lock_after = lock_after
        self.lock_for = lock_for
        #: failures of unknown user names, counted like real ones (in memory only)
        self._unknown: dict[str, tuple[int, datetime | None]] = {}

    # -- sign-in ----------------------------------------------------------------------
    def sign_in(self, username: str, password: str, *, action: str = "sign_in") -> User:
        """The signed-in user, or :class:`SignInError` with the reason to show."""
        now = self.clock()
        who = username[:64]  # the audit log keeps at most 64 characters of a typed name
        with write_tx(self.store) as s:
            row = accounts_store.get(s, username) if username == who else None
            error, details = self._check(row, password, now, who)
            outcome = Outcome.DENIED if error else Outcome.ALLOWED
            self.audit.record(who, action, outcome, object_type="account",
                              object_id=who, details=details, session=s)
        if error:
            failed = details.get("failed_attempts")
            until = details.get("locked_until")
            left = (self.lock_after - failed if isinstance(failed, int) and until is None
                    else None)
            raise SignInError(error, attempts_left=left,
                              locked_until=until if isinstance(until, datetime) else None)
        assert row is not None
        return User(username, Role(row.role))

    def _check(self, row: Account | None, password: str, now: datetime,
               who: str) -> tuple[str | None, dict[str, object]]:
        if row is None:
            verify_password(_DUMMY_HASH, password)
            return self._unknown_failed(who, now)
        if row.locked_until is not None and now < row.locked_until:
            return (f"account locked until {_clock_text(row.locked_until)}",
                    {"reason": "locked", "locked_until": row.locked_until})
        if row.locked_until is not None:  # the lock has run out: start counting afresh
            row.locked_until, row.failed_attempts = None, 0
        if not verify_password(row.password_hash, password):
            return self._failed(row, now)
        if row.disabled:
            return "account disabled; ask an administrator", {"reason": "disabled"}
        row.failed_attempts, row.updated_at = 0, now
        if _hasher.check_needs_rehash(row.password_hash):
            row.password_hash = hash_password(password)
        return None, {}

    def _unknown_failed(self, name: str, now: datetime) -> tuple[str, dict[str, object]]:
        failed, until = self._unknown.get(name, (0, None))
        details: dict[str, object] = {"reason": "unknown user"}
        if until is not None and now < until:
            return (f"account locked until {_clock_text(until)}",
                    details | {"locked_until": until})
        failed = 1 if until is not None else failed + 1
        if len(self._unknown) > 10_000:  # bounded: a flood of names only resets the count
            self._unknown.clear()
        if failed >= self.lock_after:
            until = now + self.lock_for
            self._unknown[name] = (failed, until)
            return (f"{WRONG}; account locked until {_clock_text(until)}",
                    details | {"failed_attempts": failed, "locked_until": until})
        self._unknown[name] = (failed, None)
        return WRONG, details | {"failed_attempts": failed}

    def _failed(self, row: Account,
                now: datetime) -> tuple[str, dict[str, object]]:
        row.failed_attempts += 1
        row.updated_at = now
        details: dict[str, object] = {"reason": "wrong password",
                                      "failed_attempts": row.failed_attempts}
        if row.failed_attempts >= self.lock_after:
            row.locked_until = now + self.lock_for
            details["locked_until"] = row.locked_until
            return (f"{WRONG}; account locked until {_clock_text(row.locked_until)}",
                    details)
        return WRONG, details

    # -- administration ---------------------------------------------------------------
    def create_account(self, actor: User, username: str, password: str, role: Role | str, *,
                       display_name: str | None = None) -> AccountRecord:
        """Create an account (administrators only); audited."""
        self.audit.authorize(actor, Action.MANAGE_ACCOUNTS, object_type="account",
                             object_id=username)
        role = Role(role)
        if problem := password_problem(password, username):
            raise AccountError(problem)
        return self._add(actor.name, username, password, role, display_name, {})

    def list_accounts(self, actor: User) -> list[AccountRecord]:
        """Every account (administrators only; a refusal is audited)."""
        self.audit.authorize(actor, Action.MANAGE_ACCOUNTS, object_type="account")
        return accounts_store.list_accounts(self.store)

    def _add(self, by: str, username: str, password: str, role: Role,
             display_name: str | None, extra: dict[str, object]) -> AccountRecord:
        if not username or len(username) > 64 or username != username.strip():
            raise AccountError(f"user name {username!r} must be 1-64 characters, no "
                               "leading or trailing spaces")
        password_hash = hash_password(password)
        now = self.clock()
        with write_tx(self.store) as s:
            if accounts_store.get(s, username) is not None:
                raise AccountError(f"an account named {username!r} already exists")
            row = accounts_store.add(s, username=username, display_name=display_name or username,
                                     role=str(role), password_hash=password_hash, now=now)
            self.audit.record(by, "create_account", Outcome.OK,
                              object_type="account", object_id=username,
                              details={"role": str(role), **extra}, session=s)
            return accounts_store.record(row)

    def disable_account(self, actor: User, username: str) -> AccountRecord:
        """Disable an account (administrators only; not one's own); audited."""
        self._authorize_admin(actor, username)
        if username == actor.name:
            raise AccountError("an administrator cannot disable their own account")
        return self._change(actor, username, "disable_account", disabled=True)

    def enable_account(self, actor: User, username: str) -> AccountRecord:
        """Enable a disabled account again (administrators only); audited."""
        self._authorize_admin(actor, username)
        return self._change(actor, username, "enable_account", disabled=False)

    def clear_lockout(self, actor: User, username: str) -> AccountRecord:
        """End a lockout and reset the failure count (administrators only); audited."""
        self._authorize_admin(actor, username)
        return self._change(actor, username, "clear_lockout", failed_attempts=0,
                            locked_until=None)

    def reset_password(self, actor: User, username: str, password: str) -> AccountRecord:
        """Set a new password (administrators only, policy applies); clears a lockout.

        Audited without the password.
        """
        self._authorize_admin(actor, username)
        if problem := password_problem(password, username):
            raise AccountError(problem)
        return self._change(actor, username, "reset_password",
                            password_hash=hash_password(password), failed_attempts=0,
                            locked_until=None)

    def _authorize_admin(self, actor: User, username: str) -> None:
        self.audit.authorize(actor, Action.MANAGE_ACCOUNTS, object_type="account",
                             object_id=username)

    def _change(self, actor: User, username: str, action: str,
                **values: object) -> AccountRecord:
        """Set ``values`` on an existing account and audit ``action``, in one transaction."""
        with write_tx(self.store) as s:
            row = self._existing(s, username)
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = self.clock()
            self.audit.record(actor.name, action, Outcome.OK,
                              object_type="account", object_id=username, session=s)
            return accounts_store.record(row)

    @staticmethod
    def _existing(session: Session, username: str) -> Account:
        row = accounts_store.get(session, username)
        if row is None:
            raise AccountError(f"no account named {username!r}")
        return row


#: One demo account per role: (user name, password, role). The demo shows these.
DEMO_ACCOUNTS: tuple[tuple[str, str, Role], ...] = tuple(
    (f"demo-{role}", f"demo-{role}-pass", role) for role in Role)


def ensure_demo_accounts(store: Store, *, clock: Clock = _now) -> list[tuple[str, str, Role]]:
    """Create the demo accounts that are missing (audited as ``system``); return them all."""
    service = AccountService(store, clock=clock)
    known = {a.username for a in accounts_store.list_accounts(store)}
    for username, password, role in DEMO_ACCOUNTS:
        if username not in known:
            service._add("system", username, password, role, f"Demo {role}", {"demo": True})
    return list(DEMO_ACCOUNTS)
