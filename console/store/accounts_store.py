"""Account rows: look-up, creation and lockout bookkeeping inside a caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.store.models import Account
from console.store.store import Store

__all__ = ["AccountRecord", "add", "get", "list_accounts", "record"]


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """An account as the services see it (the password hash stays in the store layer)."""

    username: str
    display_name: str
    role: str
    disabled: bool
    failed_attempts: int
    locked_until: datetime | None


def record(row: Account) -> AccountRecord:
    return AccountRecord(row.username, row.display_name, row.role, row.disabled,
                         row.failed_attempts, row.locked_until)


def get(session: Session, username: str) -> Account | None:
    """The account row for ``username`` (None if unknown), for update in ``session``."""
    return session.scalars(select(Account).where(Account.username == username)).first()


def add(session: Session, *, username: str, display_name: str, role: str,
        password_hash: str, now: datetime) -> Account:
    row = Account(username=username, display_name=display_name, role=role,
                  password_hash=password_hash, disabled=False, failed_attempts=0,
                  locked_until=None, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return row


def list_accounts(store: Store) -> list[AccountRecord]:
    with Session(store.engine) as s:
        return [record(r) for r in s.scalars(select(Account).order_by(Account.username))]
