"""Accounts: the administrator's list of accounts, creating, disabling, enabling and
resetting passwords. The account service checks the role and audits every change (and
every refusal); this view only shows the outcome. All store work runs off the GUI thread.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.permissions import Action, Role
from console.services.accounts import PASSWORD_MIN_LENGTH
from console.store.accounts_store import AccountRecord
from console.ui.desk.context import DeskContext
from console.ui.desk.governance_parts import (
    PasswordFields,
    RecordsModel,
    StatusLine,
    local_time,
    run_as_user,
)

__all__ = ["AccountDialog", "AccountsView", "ResetPasswordDialog"]

_COLUMNS = [
    ("User name", lambda a: a.username),
    ("Display name", lambda a: a.display_name),
    ("Role", lambda a: a.role),
    ("Status", lambda a: "disabled" if a.disabled else "active"),
    ("Locked until", lambda a: local_time(a.locked_until)
     if a.locked_until is not None and a.locked_until > datetime.now(UTC) else ""),
    ("Failed sign-ins", lambda a: a.failed_attempts),
]


class AccountDialog(QDialog):
    """A new account: user name, display name, role, password twice (policy shown)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New account")
        form = QFormLayout(self)
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.role = QComboBox()
        self.role.addItems([str(r) for r in Role])
        form.addRow("User name", self.username)
        form.addRow("Display name", self.display_name)
        form.addRow("Role", self.role)
        self.passwords = PasswordFields(form, self.username.text)
        form.addRow("", QLabel(f"At least {PASSWORD_MIN_LENGTH} characters."))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for field in (self.username, self.passwords.password, self.passwords.confirm):
            field.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        ok = self.passwords.refresh() and bool(self.username.text().strip())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def values(self) -> dict[str, Any]:
        return {"username": self.username.text().strip(),
                "display_name": self.display_name.text().strip() or None,
                "role": self.role.currentText(),
                "password": self.passwords.password.text()}


class ResetPasswordDialog(QDialog):
    """A new password for ``username``, typed twice."""

    def __init__(self, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Reset password of {username}")
        form = QFormLayout(self)
        form.addRow(QLabel(f"New password for <b>{username}</b>. This also ends a lockout."))
        self.passwords = PasswordFields(form, lambda: username)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for field in (self.passwords.password, self.passwords.confirm):
            field.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            self.passwords.refresh())


class AccountsView(QWidget):
    """The list of accounts and the administrator's changes to them."""

    def __init__(self, ctx: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model: RecordsModel[AccountRecord] = RecordsModel(_COLUMNS, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.status = StatusLine()
        self.refresh_button = QPushButton("Refresh")
        self.new_button = QPushButton("New account…")
        self.disable_button = QPushButton("Disable")
        self.enable_button = QPushButton("Enable")
        self.reset_button = QPushButton("Reset password…")
        self.unlock_button = QPushButton("Clear lockout")
        self.unlock_button.clicked.connect(self._on_clear_lockout)
        self.refresh_button.clicked.connect(self.refresh)
        self.new_button.clicked.connect(self._on_new)
        self.disable_button.clicked.connect(lambda: self._on_toggle(disable=True))
        self.enable_button.clicked.connect(lambda: self._on_toggle(disable=False))
        self.reset_button.clicked.connect(self._on_reset)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        bar = QHBoxLayout()
        for b in (self.refresh_button, self.new_button, self.disable_button,
                  self.enable_button, self.reset_button, self.unlock_button):
            bar.addWidget(b)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Accounts</b> — administrators create, disable and "
                                "enable accounts and reset passwords; every change is "
                                "in the audit log."))
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self._update_buttons()
        self.refresh()

    # -- reading -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the accounts (the service refuses, and audits, a non-administrator)."""
        run_as_user(self.ctx, self.status, self.ctx.accounts.list_accounts,
                    done=self._on_loaded, busy="Loading accounts…")

    def _on_loaded(self, rows: list[AccountRecord]) -> None:
        self.model.set_rows(rows)
        self.status.ok(f"{len(rows)} accounts")
        self._update_buttons()

    def selected(self) -> AccountRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def select(self, username: str) -> None:
        for r, account in enumerate(self.model.rows()):
            if account.username == username:
                self.table.selectRow(r)
                return

    def _update_buttons(self, *_: object) -> None:
        admin = self.ctx.may(Action.MANAGE_ACCOUNTS)
        chosen = self.selected()
        self.new_button.setEnabled(admin)
        self.disable_button.setEnabled(admin and chosen is not None and not chosen.disabled)
        self.enable_button.setEnabled(admin and chosen is not None and chosen.disabled)
        self.reset_button.setEnabled(admin and chosen is not None)
        self.unlock_button.setEnabled(admin and chosen is not None and (
            chosen.failed_attempts > 0 or chosen.locked_until is not None))

    # -- changes -----------------------------------------------------------------------
    def create_account(self, username: str, password: str, role: str,
                       display_name: str | None = None) -> None:
        """Create an account off the GUI thread; the list reloads when it is done."""
        def call(user: Any) -> AccountRecord:
            return self.ctx.accounts.create_account(user, username, password, role,
                                                    display_name=display_name)
        run_as_user(self.ctx, self.status, call, busy=f"Creating {username}…",
                    done=lambda r: self._changed(r, f"account {r.username} created"))

    def set_disabled(self, username: str, disabled: bool) -> None:
        fn = (self.ctx.accounts.disable_account if disabled
              else self.ctx.accounts.enable_account)
        word = "disabled" if disabled else "enabled"
        run_as_user(self.ctx, self.status, fn, username, busy=f"Updating {username}…",
                    done=lambda r: self._changed(r, f"account {r.username} {word}"))

    def reset_password(self, username: str, password: str) -> None:
        run_as_user(self.ctx, self.status, self.ctx.accounts.reset_password, username,
                    password, busy=f"Resetting the password of {username}…",
                    done=lambda r: self._changed(r, f"password of {r.username} reset"))

    def clear_lockout(self, username: str) -> None:
        run_as_user(self.ctx, self.status, self.ctx.accounts.clear_lockout, username,
                    busy=f"Clearing the lockout of {username}…",
                    done=lambda r: self._changed(r, f"lockout of {r.username} cleared"))

    def _on_clear_lockout(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.clear_lockout(chosen.username)

    def _changed(self, record: AccountRecord, text: str) -> None:
        run_as_user(self.ctx, self.status, self.ctx.accounts.list_accounts,
                    done=lambda rows: self._after_change(rows, record.username, text))

    def _after_change(self, rows: list[AccountRecord], username: str, text: str) -> None:
        self.model.set_rows(rows)
        self.select(username)
        self.status.ok(text[:1].upper() + text[1:])
        self._update_buttons()

    def _on_new(self) -> None:
        dialog = AccountDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.create_account(**dialog.values())

    def _on_toggle(self, *, disable: bool) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.set_disabled(chosen.username, disable)

    def _on_reset(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        dialog = ResetPasswordDialog(chosen.username, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reset_password(chosen.username, dialog.passwords.password.text())
