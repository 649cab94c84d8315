"""Desk view tests: real QtWebEngine pages offscreen, a real store on both backends.

The app:// scheme must be declared before pytest-qt builds the QApplication.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from console.domain.permissions import Role, User
from console.services.accounts import AccountService
from console.services.audit import AuditLog
from console.services.sessions import UserSession
from console.store.store import Store
from console.ui.app_scheme import register_app_scheme
from console.ui.desk.context import DeskContext
from tests.store.backends import pg_admin_url, store, store_url  # noqa: F401

register_app_scheme()


def make_ctx(db: Store, role: Role = Role.SUPERVISOR) -> DeskContext:
    accounts = AccountService(db)
    session = UserSession(accounts, User(f"desk-{role}", role))
    return DeskContext(db, session, AuditLog(db), accounts)


@pytest.fixture
def desk_ctx(store: Store) -> Iterator[DeskContext]:  # noqa: F811 - the fixture above
    ctx = make_ctx(store)
    yield ctx
    ctx.wait()  # no job may outlive its store


def dispose(qtbot, widget) -> None:
    """Delete a widget holding a map page now: a page must never outlive the shared profile."""
    ctx = getattr(widget, "ctx", None)
    gone: list[bool] = []
    widget.destroyed.connect(lambda: gone.append(True))
    widget.close()
    widget.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=5000)
    if ctx is not None:
        ctx.wait()
