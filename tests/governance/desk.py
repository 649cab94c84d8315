"""A desk context on a real SQLite store with the demo accounts, signed in as a role."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from console.services.accounts import AccountService, ensure_demo_accounts
from console.services.sessions import UserSession
from console.store.store import Store
from console.ui.desk.context import DeskContext

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@contextmanager
def desk_context(tmp_path: Path, role: str) -> Iterator[DeskContext]:
    store = Store(f"sqlite+pysqlite:///{tmp_path / 'desk.db'}")
    try:
        ensure_demo_accounts(store)
        accounts = AccountService(store)
        session = UserSession.sign_in(accounts, f"demo-{role}", f"demo-{role}-pass")
        ctx = DeskContext(store, session, accounts.audit, accounts)
        yield ctx
        ctx.wait()
    finally:
        store.close()


def shot(widget: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))  # type: ignore[attr-defined]
