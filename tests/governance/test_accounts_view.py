"""Accounts view: an administrator lists, creates, disables, enables and resets; others are
refused by the service (and audited). Real store, real argon2, real worker threads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from console.domain.permissions import PermissionDenied, Role, User
from console.services.accounts import AccountError, AccountService
from console.store import audit_store
from console.store.store import Store
from console.ui.desk.accounts_view import AccountDialog, AccountsView
from console.ui.desk.context import DeskContext
from tests.governance.desk import desk_context, shot

ADMIN = User("root", Role.ADMINISTRATOR)


@pytest.fixture
def admin_ctx(tmp_path: Path) -> Iterator[DeskContext]:
    with desk_context(tmp_path, "administrator") as ctx:
        yield ctx


def _settle(qtbot: QtBot, view: AccountsView) -> None:
    qtbot.waitUntil(lambda: not view.status.text().endswith("…"), timeout=15_000)


def _names(view: AccountsView) -> dict[str, str]:
    m = view.model
    return {m.index(r, 0).data(): m.index(r, 3).data() for r in range(m.rowCount())}


def test_administrator_creates_disables_enables_and_resets(qtbot: QtBot,
                                                           admin_ctx: DeskContext) -> None:
    view = AccountsView(admin_ctx)
    qtbot.addWidget(view)
    _settle(qtbot, view)
    assert view.status.text() == "5 accounts" and len(_names(view)) == 5
    view.create_account("kim", "kim-secret-2026", "investigator", "Kim Investigator")
    _settle(qtbot, view)
    assert view.status.text() == "Account kim created"
    assert _names(view)["kim"] == "active" and view.selected().username == "kim"
    view.set_disabled("kim", True)
    _settle(qtbot, view)
    assert view.status.text() == "Account kim disabled" and _names(view)["kim"] == "disabled"
    assert view.enable_button.isEnabled() and not view.disable_button.isEnabled()
    view.resize(900, 400)
    shot(view, "accounts_view.png")
    view.set_disabled("kim", False)
    _settle(qtbot, view)
    assert _names(view)["kim"] == "active"
    view.reset_password("kim", "kim-new-secret-1")
    _settle(qtbot, view)
    assert view.status.text() == "Password of kim reset"
    assert admin_ctx.accounts.sign_in("kim", "kim-new-secret-1").role == Role.INVESTIGATOR
    actions = [(e.user, e.action, e.object_id) for e in audit_store.entries(admin_ctx.store)
               if e.action in {"create_account", "disable_account", "enable_account",
                               "reset_password"}]
    assert actions[-4:] == [("demo-administrator", a, "kim") for a in (
        "create_account", "disable_account", "enable_account", "reset_password")]


def test_bad_input_shows_the_reason_and_keeps_the_list(qtbot: QtBot,
                                                      admin_ctx: DeskContext) -> None:
    view = AccountsView(admin_ctx)
    qtbot.addWidget(view)
    _settle(qtbot, view)
    view.create_account("demo-officer", "long-enough-pw", "officer")
    _settle(qtbot, view)
    assert view.status.text() == "an account named 'demo-officer' already exists"
    view.create_account("lee", "short", "officer")
    _settle(qtbot, view)
    assert view.status.text() == "a password needs at least 10 characters"
    view.set_disabled("demo-administrator", True)
    _settle(qtbot, view)
    assert view.status.text() == "an administrator cannot disable their own account"
    assert len(_names(view)) == 5


def test_new_account_dialog_checks_the_policy_and_the_confirmation(qtbot: QtBot) -> None:
    dialog = AccountDialog()
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.username.setText("lee")
    dialog.passwords.password.setText("short")
    assert dialog.passwords.hint.text() == "A password needs at least 10 characters"
    dialog.passwords.password.setText("long-enough-pw")
    dialog.passwords.confirm.setText("long-enough-pX")
    assert dialog.passwords.hint.text() == "The two passwords differ" and not ok.isEnabled()
    dialog.passwords.confirm.setText("long-enough-pw")
    assert ok.isEnabled() and dialog.passwords.hint.text() == ""
    dialog.role.setCurrentText("captain")
    assert dialog.values() == {"username": "lee", "display_name": None, "role": "captain",
                               "password": "long-enough-pw"}


@pytest.mark.parametrize("role", ["supervisor", "captain"])
def test_non_administrator_is_refused_and_audited(qtbot: QtBot, tmp_path: Path,
                                                  role: str) -> None:
    with desk_context(tmp_path, role) as ctx:
        view = AccountsView(ctx)
        qtbot.addWidget(view)
        _settle(qtbot, view)
        assert view.status.text() == f"demo-{role} ({role}) may not manage accounts"
        assert view.model.rowCount() == 0 and not view.new_button.isEnabled()
        view.create_account("mal", "mallory-pass-1", "administrator")
        _settle(qtbot, view)
        assert "may not manage accounts" in view.status.text()
        denied = [(e.user, e.action, e.outcome) for e in audit_store.entries(ctx.store)][-2:]
        assert denied == [(f"demo-{role}", "manage_accounts", "denied")] * 2
        assert "mal" not in {a.username for a in ctx.accounts.list_accounts(ADMIN)}


# -- the service additions, on both backends ------------------------------------------------

@pytest.fixture
def service(store: Store) -> AccountService:
    svc = AccountService(store)
    svc.create_account(ADMIN, "alice", "alice-pass-2026", Role.OFFICER)
    return svc


def test_reset_password_clears_the_lock_and_is_audited(service: AccountService,
                                                       store: Store) -> None:
    from console.services.accounts import SignInError

    for _ in range(5):
        with pytest.raises(SignInError):
            service.sign_in("alice", "bad")
    with pytest.raises(SignInError, match="locked until"):
        service.sign_in("alice", "alice-pass-2026")
    record = service.reset_password(ADMIN, "alice", "alice-fresh-2026")
    assert (record.failed_attempts, record.locked_until) == (0, None)
    assert service.sign_in("alice", "alice-fresh-2026").name == "alice"
    last = [e for e in audit_store.entries(store) if e.action == "reset_password"][-1]
    assert (last.user, last.object_id, last.details) == ("root", "alice", {})
    with pytest.raises(AccountError, match="at least 10"):
        service.reset_password(ADMIN, "alice", "short")
    with pytest.raises(AccountError, match="no account named 'zed'"):
        service.reset_password(ADMIN, "zed", "long-enough-pw")
    with pytest.raises(PermissionDenied):
        service.reset_password(User("eve", Role.CAPTAIN), "alice", "long-enough-pw")


def test_enable_and_list_are_for_administrators(service: AccountService) -> None:
    service.disable_account(ADMIN, "alice")
    assert service.enable_account(ADMIN, "alice").disabled is False
    assert [a.username for a in service.list_accounts(ADMIN)] == ["alice"]
    for action in (lambda u: service.enable_account(u, "alice"), service.list_accounts):
        with pytest.raises(PermissionDenied):
            action(User("eve", Role.SUPERVISOR))


def test_unknown_names_count_down_and_lock_like_real_ones(service: AccountService) -> None:
    from console.services.accounts import SignInError

    seen = []
    for name in ("alice", "ghost"):
        for _ in range(5):
            with pytest.raises(SignInError) as info:
                service.sign_in(name, "bad")
            seen.append((name, info.value.attempts_left, str(info.value)[:40]))
        with pytest.raises(SignInError) as info:
            service.sign_in(name, "bad")
        assert str(info.value).startswith("account locked until")
        assert info.value.locked_until is not None
    alice = [(left, text) for n, left, text in seen if n == "alice"]
    ghost = [(left, text) for n, left, text in seen if n == "ghost"]
    assert alice == ghost and [left for left, _ in alice] == [4, 3, 2, 1, None]


def test_clear_lockout_from_the_view(qtbot: QtBot, admin_ctx: DeskContext) -> None:
    from console.services.accounts import SignInError

    for _ in range(5):
        with pytest.raises(SignInError):
            admin_ctx.accounts.sign_in("demo-officer", "bad")
    view = AccountsView(admin_ctx)
    qtbot.addWidget(view)
    _settle(qtbot, view)
    view.select("demo-officer")
    row = view.table.selectionModel().selectedRows()[0].row()
    assert view.model.index(row, 4).data() != "" and view.model.index(row, 5).data() == "5"
    assert view.unlock_button.isEnabled()
    view.unlock_button.click()
    _settle(qtbot, view)
    assert view.status.text() == "Lockout of demo-officer cleared"
    row = view.table.selectionModel().selectedRows()[0].row()
    assert (view.model.index(row, 4).data(), view.model.index(row, 5).data()) == ("", "0")
    assert admin_ctx.accounts.sign_in("demo-officer", "demo-officer-pass").name == "demo-officer"
    last = [e for e in audit_store.entries(admin_ctx.store) if e.action == "clear_lockout"]
    assert [(e.user, e.object_id) for e in last] == [("demo-administrator", "demo-officer")]
