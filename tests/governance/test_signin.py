"""Sign-in dialog, idle/on-demand lock screen and unlock, on real accounts (pytest-qt)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QPushButton
from pytestqt.qtbot import QtBot

from console.domain.permissions import Role, User
from console.services.accounts import DEMO_ACCOUNTS, AccountService, ensure_demo_accounts
from console.services.sessions import UserSession
from console.store import audit_store
from console.store.store import Store
from console.ui.desk.signin import (
    SessionGuard,
    SignInDialog,
    install_session_guard,
    sign_in_interactively,
)

ADMIN = User("root", Role.ADMINISTRATOR)
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[Store]:  # GUI tests: SQLite (services run on both)
    with Store(f"sqlite+pysqlite:///{tmp_path / 'console.db'}") as s:
        yield s


@pytest.fixture
def accounts(sqlite_store: Store) -> AccountService:
    ensure_demo_accounts(sqlite_store)
    return AccountService(sqlite_store)


def _submit(qtbot: QtBot, dialog: SignInDialog, name: str, password: str) -> None:
    dialog.username.setText(name)
    dialog.password.setText(password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)


def test_sign_in_success(qtbot: QtBot, accounts: AccountService) -> None:
    dialog = SignInDialog(accounts)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.username.setText("demo-supervisor")
        dialog.password.setText("demo-supervisor-pass")
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.session is not None
    assert dialog.session.user() == User("demo-supervisor", Role.SUPERVISOR)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_wrong_password_and_unknown_user_read_the_same(qtbot: QtBot,
                                                       accounts: AccountService) -> None:
    dialog = SignInDialog(accounts)
    qtbot.addWidget(dialog)
    _submit(qtbot, dialog, "demo-officer", "nope")
    known = dialog.message.text()
    assert known == ("Wrong user name or password (4 attempts left before the account "
                     "locks)")
    assert dialog.password.text() == "" and dialog.session is None and dialog.isEnabled()
    _submit(qtbot, dialog, "nobody-here", "nope")
    assert dialog.message.text() == known
    _submit(qtbot, dialog, "demo-officer", "")
    assert dialog.message.text() == "Enter a user name and a password."


def test_five_failures_lock_and_the_dialog_says_until_when(qtbot: QtBot,
                                                          accounts: AccountService) -> None:
    dialog = SignInDialog(accounts)
    qtbot.addWidget(dialog)
    for _ in range(4):
        _submit(qtbot, dialog, "demo-captain", "bad")
    assert "(1 attempt left before" in dialog.message.text()
    _submit(qtbot, dialog, "demo-captain", "bad")
    [row] = [a for a in accounts.list_accounts(ADMIN) if a.username == "demo-captain"]
    hhmm = row.locked_until.astimezone().strftime("%H:%M")  # type: ignore[union-attr]
    assert dialog.message.text() == f"Wrong user name or password; account locked until {hhmm}"
    _submit(qtbot, dialog, "demo-captain", "demo-captain-pass")  # right, but locked
    assert dialog.message.text() == f"Account locked until {hhmm}"
    assert dialog.session is None


def test_disabled_account_is_refused_with_a_clear_message(qtbot: QtBot,
                                                         accounts: AccountService) -> None:
    accounts.disable_account(ADMIN, "demo-investigator")
    dialog = SignInDialog(accounts)
    qtbot.addWidget(dialog)
    _submit(qtbot, dialog, "demo-investigator", "demo-investigator-pass")
    assert dialog.message.text() == "Account disabled; ask an administrator"


def test_demo_dialog_lists_the_demo_accounts_and_fills_them_in(
        qtbot: QtBot, accounts: AccountService, tmp_path) -> None:
    dialog = SignInDialog(accounts, demo_accounts=DEMO_ACCOUNTS)
    qtbot.addWidget(dialog)
    table = dialog.demo_table
    rows = [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]
    assert rows == [(n, p, str(r)) for n, p, r in DEMO_ACCOUNTS]
    table.cellDoubleClicked.emit(4, 0)
    assert (dialog.username.text(), dialog.password.text()) == (
        "demo-administrator", "demo-administrator-pass")
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save(str(SHOTS / "signin_demo.png"))
    plain = SignInDialog(accounts)
    qtbot.addWidget(plain)
    assert not hasattr(plain, "demo_table")  # only the demo shows passwords


def test_sign_in_interactively_returns_the_session_or_none(qtbot: QtBot,
                                                           accounts: AccountService) -> None:
    def drive(password: str) -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SignInDialog)
        if password:
            dialog.username.setText("demo-officer")
            dialog.password.setText(password)
            dialog.sign_in_button.click()
        else:
            dialog.reject()

    QTimer.singleShot(100, lambda: drive("demo-officer-pass"))
    session = sign_in_interactively(accounts, demo_accounts=DEMO_ACCOUNTS)
    assert isinstance(session, UserSession) and session.username == "demo-officer"
    QTimer.singleShot(100, lambda: drive(""))
    assert sign_in_interactively(accounts) is None


# -- the session guard --------------------------------------------------------------------

class _Window(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.clicks = 0
        self.shortcuts = 0
        self.button = QPushButton("Do something")
        self.button.clicked.connect(self._clicked)
        self.setCentralWidget(self.button)
        action = QAction("Other", self)
        action.setShortcut(QKeySequence("Ctrl+K"))
        action.triggered.connect(self._shortcut)
        self.addAction(action)
        self.resize(640, 420)

    def _clicked(self) -> None:
        self.clicks += 1

    def _shortcut(self) -> None:
        self.shortcuts += 1


@pytest.fixture
def guarded(qtbot: QtBot, accounts: AccountService) -> Iterator[tuple[_Window, SessionGuard]]:
    session = UserSession.sign_in(accounts, "demo-supervisor", "demo-supervisor-pass")
    window = _Window()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    guard = install_session_guard(window, session, idle=timedelta(minutes=5))
    yield window, guard
    guard.timer.stop()
    guard._detach()


def _unlock(qtbot: QtBot, guard: SessionGuard, password: str) -> None:
    guard.screen.password.setText(password)
    qtbot.mouseClick(guard.screen.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: guard._job is None, timeout=10_000)


def test_idle_period_locks_the_window(qtbot: QtBot, accounts: AccountService,
                                      tmp_path) -> None:
    session = UserSession.sign_in(accounts, "demo-supervisor", "demo-supervisor-pass")
    window = _Window()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    guard = install_session_guard(window, session, idle=timedelta(seconds=0.4))
    try:
        assert session.idle_lock == timedelta(seconds=0.4)
        with qtbot.waitSignal(guard.locked, timeout=5_000):
            pass
        assert guard.is_locked and session.locked and guard.screen.isVisible()
        assert guard.screen.geometry() == window.rect()
        window.grab().save(str(SHOTS / "lock_screen.png"))
        qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)  # swallowed
        qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        assert (window.clicks, window.shortcuts) == (0, 0)
        def whys() -> list:  # the entry is written off the GUI thread
            return [e.details.get("why") for e in audit_store.entries(accounts.store)
                    if e.action == "lock_session"]
        qtbot.waitUntil(lambda: bool(whys()), timeout=5_000)
        assert whys() == ["idle"]
    finally:
        guard.timer.stop()
        guard._detach()


def test_activity_keeps_the_session_open(qtbot: QtBot, guarded) -> None:
    window, guard = guarded
    qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert (window.clicks, window.shortcuts) == (1, 1)
    assert not guard.is_locked


def test_lock_now_then_wrong_and_right_password(qtbot: QtBot, guarded) -> None:
    window, guard = guarded
    assert guard.lock_action.shortcut() == QKeySequence("Ctrl+L")
    with qtbot.waitSignal(guard.locked, timeout=2_000):
        qtbot.keyClick(window.button, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert guard.screen.isVisible()
    _unlock(qtbot, guard, "wrong")
    assert guard.is_locked
    assert guard.screen.message.text() == (
        "Wrong user name or password (4 attempts left before the account locks)")
    with qtbot.waitSignal(guard.unlocked, timeout=10_000):
        _unlock(qtbot, guard, "demo-supervisor-pass")
    assert not guard.is_locked and not guard.screen.isVisible()
    assert guard.session.user().name == "demo-supervisor"
    qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
    assert window.clicks == 1
    actions = [(e.action, e.outcome) for e in audit_store.entries(guard.session.accounts.store)
               if e.user == "demo-supervisor"][-3:]
    assert actions == [("lock_session", "ok"), ("unlock", "denied"), ("unlock", "allowed")]


def test_wrong_unlocks_lock_the_account_and_say_until_when(qtbot: QtBot, guarded) -> None:
    window, guard = guarded
    guard.lock_now()
    for _ in range(5):
        _unlock(qtbot, guard, "wrong")
    text = guard.screen.message.text()
    assert text.startswith("Wrong user name or password; account locked until ")
    _unlock(qtbot, guard, "demo-supervisor-pass")
    assert guard.screen.message.text().startswith("Account locked until ")
    assert guard.is_locked


def test_sign_out_from_the_lock_screen(qtbot: QtBot, guarded) -> None:
    window, guard = guarded
    guard.lock_now()
    with qtbot.waitSignal(guard.signed_out, timeout=2_000):
        qtbot.mouseClick(guard.screen.sign_out_button, Qt.MouseButton.LeftButton)
    assert not window.isVisible() and guard.session.locked
    store = guard.session.accounts.store
    qtbot.waitUntil(lambda: audit_store.head(store).action == "sign_out", timeout=5_000)
    last = audit_store.head(guard.session.accounts.store)
    assert last is not None and (last.user, last.action) == ("demo-supervisor", "sign_out")


def test_lock_cancels_open_dialogs_and_hides_other_windows(qtbot: QtBot, guarded) -> None:
    window, guard = guarded
    other = QMainWindow()
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    dialog = QDialog(window)
    dialog.setModal(True)
    QTimer.singleShot(50, guard.lock_now)
    assert dialog.exec() == QDialog.DialogCode.Rejected  # a modal dialog does not block unlocking
    assert guard.is_locked and not other.isVisible() and not dialog.isVisible()
    with qtbot.waitSignal(guard.unlocked, timeout=10_000):
        _unlock(qtbot, guard, "demo-supervisor-pass")
    assert other.isVisible() and not dialog.isVisible()


def test_sign_out_without_locking_first_leaves_the_session_locked(qtbot: QtBot,
                                                                 guarded) -> None:
    window, guard = guarded
    with qtbot.waitSignal(guard.signed_out, timeout=2_000):
        guard.sign_out()
    assert guard.session.locked and not window.isVisible()
    store = guard.session.accounts.store
    qtbot.waitUntil(lambda: audit_store.head(store).action == "sign_out", timeout=5_000)
    actions = [e.action for e in audit_store.entries(guard.session.accounts.store)][-2:]
    assert actions == ["lock_session", "sign_out"]
