"""Accounts on SQLite and PostgreSQL: argon2 hashes, sign-in, lockout, administration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect, text

from console.domain.permissions import PermissionDenied, Role, User
from console.services.accounts import (
    DEMO_ACCOUNTS,
    AccountError,
    AccountService,
    SignInError,
    ensure_demo_accounts,
)
from console.store import accounts_store, audit_store
from console.store.store import Store
from tests.accounts.clock import Clock

ADMIN = User("root", Role.ADMINISTRATOR)
PASSWORD = "Tr0ub4dor&3-unique-7c1e"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(store: Store, clock: Clock) -> AccountService:
    svc = AccountService(store, clock=clock)
    svc.create_account(ADMIN, "alice", PASSWORD, Role.INVESTIGATOR, display_name="Alice A")
    return svc


def _audit(store: Store) -> list[tuple[str, str, str, str | None]]:
    return [(e.user, e.action, e.outcome, e.object_id) for e in audit_store.entries(store)]


def _every_text_value(store: Store) -> str:
    parts = []
    with store.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                parts.extend(str(v) for v in row)
    return "\n".join(parts)


def test_password_is_stored_as_argon2id_and_nowhere_in_plain(service: AccountService,
                                                             store: Store) -> None:
    service.sign_in("alice", PASSWORD)
    with pytest.raises(SignInError):
        service.sign_in("alice", PASSWORD + "x")
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM accounts")).scalar_one()
    assert stored.startswith("$argon2id$")
    everything = _every_text_value(store)
    assert PASSWORD not in everything and PASSWORD + "x" not in everything
    if store.engine.dialect.name == "sqlite":
        store.close()
        db = store.url.removeprefix("sqlite+pysqlite:///")
        for path in (db, db + "-wal"):
            try:
                data = open(path, "rb").read()  # noqa: SIM115
            except FileNotFoundError:
                continue
            assert PASSWORD.encode() not in data


def test_sign_in_returns_the_user_with_the_role_and_is_audited(service: AccountService,
                                                               store: Store) -> None:
    assert service.sign_in("alice", PASSWORD) == User("alice", Role.INVESTIGATOR)
    assert _audit(store)[-1] == ("alice", "sign_in", "allowed", "alice")


@pytest.mark.parametrize("name, password", [("alice", "nope"), ("mallory", PASSWORD)])
def test_wrong_password_and_unknown_user_read_the_same(service: AccountService, store: Store,
                                                        name: str, password: str) -> None:
    with pytest.raises(SignInError) as info:
        service.sign_in(name, password)
    assert str(info.value) == "wrong user name or password"
    assert _audit(store)[-1] == (name, "sign_in", "denied", name)


def test_an_overlong_user_name_is_refused_and_audited_clipped(service: AccountService,
                                                             store: Store) -> None:
    with pytest.raises(SignInError, match="^wrong user name or password$"):
        service.sign_in("x" * 500, PASSWORD)
    assert _audit(store)[-1] == ("x" * 64, "sign_in", "denied", "x" * 64)


def test_five_failures_lock_for_ten_minutes(service: AccountService, store: Store,
                                            clock: Clock) -> None:
    for attempt in range(1, 5):
        with pytest.raises(SignInError, match="^wrong user name or password$"):
            service.sign_in("alice", f"bad{attempt}")
        clock.advance(seconds=10)
    with pytest.raises(SignInError) as fifth:
        service.sign_in("alice", "bad5")
    until = clock.now + timedelta(minutes=10)
    hhmm = until.astimezone().strftime("%H:%M")
    assert str(fifth.value) == f"wrong user name or password; account locked until {hhmm}"
    clock.advance(minutes=9, seconds=59)
    with pytest.raises(SignInError) as locked:
        service.sign_in("alice", PASSWORD)  # even the right password waits
    assert str(locked.value) == f"account locked until {hhmm}"
    clock.advance(seconds=1)
    assert service.sign_in("alice", PASSWORD).role == Role.INVESTIGATOR
    [alice] = accounts_store.list_accounts(store)[:1]
    assert (alice.failed_attempts, alice.locked_until) == (0, None)
    outcomes = [o for _, action, o, _ in _audit(store) if action == "sign_in"]
    assert outcomes == ["denied"] * 6 + ["allowed"]


def test_after_the_lock_runs_out_counting_starts_afresh(service: AccountService,
                                                        clock: Clock) -> None:
    for n in range(5):
        with pytest.raises(SignInError):
            service.sign_in("alice", f"bad{n}")
    clock.advance(minutes=10)
    with pytest.raises(SignInError, match="^wrong user name or password$"):
        service.sign_in("alice", "bad again")  # one failure, not a sixth: no new lock
    assert service.sign_in("alice", PASSWORD).name == "alice"


def test_a_success_resets_the_failure_count(service: AccountService, store: Store) -> None:
    for n in range(4):
        with pytest.raises(SignInError):
            service.sign_in("alice", f"bad{n}")
    service.sign_in("alice", PASSWORD)
    for n in range(4):
        with pytest.raises(SignInError, match="^wrong user name or password$"):
            service.sign_in("alice", f"bad{n}")
    assert accounts_store.list_accounts(store)[0].locked_until is None


def test_disabled_account_is_refused(service: AccountService, store: Store) -> None:
    record = service.disable_account(ADMIN, "alice")
    assert record.disabled
    with pytest.raises(SignInError, match="account disabled"):
        service.sign_in("alice", PASSWORD)
    with pytest.raises(SignInError, match="^wrong user name or password$"):
        service.sign_in("alice", "wrong")  # a wrong password does not learn it is disabled
    assert ("root", "disable_account", "ok", "alice") in _audit(store)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
def test_only_administrators_create_and_disable(service: AccountService, store: Store,
                                                role: Role) -> None:
    actor = User("eve", role)
    with pytest.raises(PermissionDenied):
        service.create_account(actor, "bob", "pw-bob-1", Role.CAPTAIN)
    with pytest.raises(PermissionDenied):
        service.disable_account(actor, "alice")
    assert [a.username for a in accounts_store.list_accounts(store)] == ["alice"]
    assert _audit(store)[-2:] == [("eve", "manage_accounts", "denied", "bob"),
                                  ("eve", "manage_accounts", "denied", "alice")]


def test_create_account_is_audited_without_the_password(service: AccountService,
                                                        store: Store) -> None:
    record = service.create_account(ADMIN, "carol", "carol-secret-99", "captain")
    assert (record.username, record.role, record.disabled) == ("carol", "captain", False)
    last = list(audit_store.entries(store))[-1]
    assert (last.user, last.action, last.outcome, last.details) == (
        "root", "create_account", "ok", {"role": "captain"})
    assert service.sign_in("carol", "carol-secret-99") == User("carol", Role.CAPTAIN)


def test_account_errors(service: AccountService) -> None:
    with pytest.raises(AccountError, match="already exists"):
        service.create_account(ADMIN, "alice", "x-pass-long-9", Role.OFFICER)
    with pytest.raises(AccountError, match="must not be empty"):
        service.create_account(ADMIN, "dan", "", Role.OFFICER)
    with pytest.raises(ValueError, match="'sheriff'"):
        service.create_account(ADMIN, "dan", "x-pass-long-9", "sheriff")
    with pytest.raises(AccountError, match="no account named 'zed'"):
        service.disable_account(ADMIN, "zed")
    with pytest.raises(AccountError, match="their own account"):
        service.disable_account(ADMIN, "root")


def test_demo_accounts_one_per_role_and_they_sign_in(store: Store) -> None:
    shown = ensure_demo_accounts(store)
    assert sorted(role for _, _, role in shown) == sorted(Role)
    assert ensure_demo_accounts(store) == shown  # idempotent
    assert len(accounts_store.list_accounts(store)) == len(Role)
    service = AccountService(store)
    for username, password, role in shown:
        assert service.sign_in(username, password) == User(username, role)
    assert shown == list(DEMO_ACCOUNTS)
