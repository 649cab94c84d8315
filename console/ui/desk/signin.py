"""Sign-in dialog, lock screen and session guard.

- :func:`sign_in_interactively` asks for a user name and password and returns the
  :class:`~console.services.sessions.UserSession` (None when cancelled). Messages are the
  account service's own (wrong user name or password, attempts left, locked until HH:MM,
  disabled); the demo passes its accounts and the dialog lists them with their passwords.
- :func:`install_session_guard` watches user input on the whole application: activity
  keeps the session alive, the idle period (default 30 minutes) or "Lock now" (Ctrl+L)
  locks it. A lock screen then covers the window and swallows input and shortcuts to
  everything behind it until the password is given again (wrong passwords count towards
  the account lockout) or the user signs out. Open dialogs are cancelled and other
  windows hidden until the unlock, so nothing of the session stays on screen.

The password check runs off the GUI thread (argon2 and the store take a moment).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.services.accounts import AccountService, SignInError
from console.services.sessions import IDLE_LOCK, UserSession
from console.ui.background import Job, start

log = logging.getLogger(__name__)

__all__ = ["LockScreen", "SessionGuard", "SignInDialog", "install_session_guard",
           "refusal_text", "sign_in_interactively"]

_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel,
             QEvent.Type.TouchBegin, QEvent.Type.MouseMove}
_INPUT = _ACTIVITY | {QEvent.Type.KeyRelease, QEvent.Type.MouseButtonRelease,
                      QEvent.Type.MouseButtonDblClick, QEvent.Type.TouchUpdate,
                      QEvent.Type.TouchEnd, QEvent.Type.ContextMenu, QEvent.Type.Shortcut}


def refusal_text(exc: BaseException) -> str:
    """The message to show for a refused sign-in or unlock."""
    text = str(exc) or "sign-in failed"
    left = getattr(exc, "attempts_left", None)
    if isinstance(left, int) and left > 0:
        text += f" ({left} attempt{'s' if left != 1 else ''} left before the account locks)"
    if not isinstance(exc, SignInError):
        text = f"could not check the password: {text}"
    return text[:1].upper() + text[1:]


_SERIAL: QThreadPool | None = None


def _off_thread(fn: Callable[..., Any], *args: Any,
                done: Callable[[Any], None], failed: Callable[[Any], None]) -> Job:
    """Run ``fn`` on the sessions' one worker thread: sign-ins, unlocks and the audit
    entries of locks run in the order they were asked for, never on the GUI thread."""
    global _SERIAL
    if _SERIAL is None:
        _SERIAL = QThreadPool()
        _SERIAL.setMaxThreadCount(1)
    return start(_SERIAL, Job(fn, args, False), done=done, failed=failed)


class SignInDialog(QDialog):
    """User name and password; ``session`` holds the result once accepted."""

    def __init__(self, accounts: AccountService, *,
                 demo_accounts: Sequence[tuple[str, str, Any]] | None = None,
                 idle_lock: timedelta = IDLE_LOCK, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in — Mobile Alert Console")
        self.accounts = accounts
        self.idle_lock = idle_lock
        self.session: UserSession | None = None
        self._job: Job | None = None
        self.username = QLineEdit(placeholderText="user name")
        self.password = QLineEdit(placeholderText="password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel(wordWrap=True)
        self.message.setStyleSheet("color: #b00020; font-weight: bold")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = self.buttons.addButton(
            "Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_in_button.setDefault(True)
        self.buttons.accepted.connect(self._on_sign_in)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("User name", self.username)
        form.addRow("Password", self.password)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        if demo_accounts:
            layout.addWidget(self._demo_table(demo_accounts))
        layout.addWidget(self.buttons)
        self.username.setFocus()

    def _demo_table(self, demo: Sequence[tuple[str, str, Any]]) -> QWidget:
        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        v = QVBoxLayout(box)
        v.addWidget(QLabel("<b>Demo accounts</b> (this is a demonstration; "
                           "double-click one to fill in)"))
        table = QTableWidget(len(demo), 3)
        table.setHorizontalHeaderLabels(["User name", "Password", "Role"])
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        for r, (name, password, role) in enumerate(demo):
            for c, value in enumerate((name, password, str(role))):
                table.setItem(r, c, QTableWidgetItem(value))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        table.cellDoubleClicked.connect(
            lambda r, _c: self._fill(demo[r][0], demo[r][1]))
        self.demo_table = table
        v.addWidget(table)
        return box

    def _fill(self, username: str, password: str) -> None:
        self.username.setText(username)
        self.password.setText(password)

    @property
    def busy(self) -> bool:
        return self._job is not None

    def _on_sign_in(self) -> None:
        if self.busy:
            return
        name, password = self.username.text(), self.password.text()
        if not name.strip() or not password:
            self.message.setText("Enter a user name and a password.")
            return
        self._set_busy(True)
        self.message.setText("Checking…")
        self._job = _off_thread(
            lambda: UserSession.sign_in(self.accounts, name, password,
                                        idle_lock=self.idle_lock),
            done=self._on_signed_in, failed=self._on_refused)

    def _set_busy(self, busy: bool) -> None:
        for w in (self.username, self.password, self.sign_in_button):
            w.setEnabled(not busy)

    def _on_signed_in(self, session: UserSession) -> None:
        self._job = None
        self._set_busy(False)
        self.session = session
        self.message.clear()
        self.accept()

    def _on_refused(self, exc: BaseException) -> None:
        self._job = None
        self._set_busy(False)
        self.message.setText(refusal_text(exc))
        self.password.clear()
        self.password.setFocus()


def sign_in_interactively(accounts: AccountService, *,
                          demo_accounts: Sequence[tuple[str, str, Any]] | None = None,
                          parent: QWidget | None = None,
                          idle_lock: timedelta = IDLE_LOCK) -> UserSession | None:
    """Ask for a user name and password until signed in; None when the user cancels."""
    dialog = SignInDialog(accounts, demo_accounts=demo_accounts, idle_lock=idle_lock,
                          parent=parent)
    try:
        dialog.exec()
        return dialog.session
    finally:
        dialog.deleteLater()


class LockScreen(QFrame):
    """Covers the window while the session is locked: password to unlock, or sign out."""

    unlock_requested = Signal(str)
    sign_out_requested = Signal()

    def __init__(self, username: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        self.setStyleSheet("#lockScreen { background: #1d2430; } "
                           "#lockScreen QLabel { color: #f0f0f0; }")
        self.title = QLabel(f"<h2>Session locked</h2>Signed in as <b>{username}</b>. "
                            "Enter your password to continue.")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.password = QLineEdit(placeholderText="password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMinimumWidth(260)
        self.message = QLabel(wordWrap=True)
        self.message.setStyleSheet("color: #ff8a80; font-weight: bold")
        self.unlock_button = QPushButton("Unlock")
        self.sign_out_button = QPushButton("Sign out")
        self.password.returnPressed.connect(self._on_unlock)
        self.unlock_button.clicked.connect(self._on_unlock)
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        panel = QWidget()
        panel.setMaximumWidth(420)
        v = QVBoxLayout(panel)
        v.addWidget(self.title)
        v.addWidget(self.password)
        row = QHBoxLayout()
        row.addWidget(self.unlock_button)
        row.addStretch(1)
        row.addWidget(self.sign_out_button)
        v.addLayout(row)
        v.addWidget(self.message)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(panel, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        parent.installEventFilter(self)
        self.hide()

    def cover(self) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()
        self.password.setFocus()

    def set_busy(self, busy: bool) -> None:
        for w in (self.password, self.unlock_button, self.sign_out_button):
            w.setEnabled(not busy)

    def _on_unlock(self) -> None:
        if self.password.text():
            self.unlock_requested.emit(self.password.text())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False


class SessionGuard(QObject):
    """Locks ``session`` when idle or on demand and covers ``window`` until unlocked."""

    locked = Signal()
    unlocked = Signal()
    signed_out = Signal()

    def __init__(self, window: QWidget, session: UserSession, *,
                 idle: timedelta | None = None, close_on_sign_out: bool = True) -> None:
        super().__init__(window)
        if idle is not None:
            if idle <= timedelta(0):
                raise ValueError(f"idle period must be positive, got {idle}")
            session.idle_lock = idle
        self.window = window
        self.session = session
        self.close_on_sign_out = close_on_sign_out
        self.screen = LockScreen(session.username, window)
        self.screen.unlock_requested.connect(self._on_unlock_requested)
        self.screen.sign_out_requested.connect(self.sign_out)
        self.lock_action = QAction("Lock now", window)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(self.lock_now)
        window.addAction(self.lock_action)
        self._job: Job | None = None
        self._last_touch = 0.0
        self._shown = False
        self._hidden: list[QWidget] = []
        self.timer = QTimer(self)
        period = session.idle_lock.total_seconds() / 4
        self.timer.setInterval(int(max(0.05, min(period, 5.0)) * 1000))
        self.timer.timeout.connect(self.check_idle)
        self.timer.start()
        session.write = self._write_off_thread  # a lock never waits on the database
        QApplication.instance().installEventFilter(self)
        window.destroyed.connect(self._detach)

    @property
    def is_locked(self) -> bool:
        return self._shown

    @staticmethod
    def _write_off_thread(write: Callable[[], object]) -> None:
        def failed(exc: BaseException) -> None:  # the lock holds; the log says what was lost
            log.error("audit entry of a session lock not written: %s", exc)

        _off_thread(write, done=lambda _r: None, failed=failed)

    def lock_now(self) -> None:
        """Lock the session at once (the "Lock now" action)."""
        self.session.lock()
        self._show_lock()

    def check_idle(self) -> None:
        """Lock if the idle period has passed (the timer calls this)."""
        if not self._shown and self.session.locked:
            self._show_lock()

    def sign_out(self) -> None:
        """End the session (audited); closes the window unless told otherwise.

        The session stays locked, so nothing can act through it afterwards.
        """
        self.timer.stop()
        self.session.sign_out()
        self.signed_out.emit()
        if self.close_on_sign_out:
            self.window.close()

    def _show_lock(self) -> None:
        self._shown = True
        self._hide_other_windows()
        self.lock_action.setEnabled(False)
        self.screen.message.clear()
        self.screen.password.clear()
        self.screen.set_busy(False)
        self.screen.cover()
        self.locked.emit()

    def _on_unlock_requested(self, password: str) -> None:
        if self._job is not None:
            return
        self.screen.set_busy(True)
        self.screen.message.setText("Checking…")
        self._job = _off_thread(self.session.unlock, password,
                                done=self._on_unlocked, failed=self._on_unlock_refused)

    def _hide_other_windows(self) -> None:
        """Nothing of the session stays on screen: dialogs are cancelled (their work is
        not done), other windows hidden until the unlock, popups closed."""
        self._hidden = []
        for w in QApplication.topLevelWidgets():
            if w is self.window or not w.isVisible():
                continue
            if isinstance(w, QDialog):
                w.reject()  # also ends a modal dialog's exec(), which would block unlocking
            elif w.windowType() in (Qt.WindowType.Window, Qt.WindowType.Tool):
                self._hidden.append(w)
            w.hide()

    def _on_unlocked(self, _user: object) -> None:
        self._job = None
        self._shown = False
        for w in self._hidden:
            w.show()
        self._hidden = []
        self.screen.hide()
        self.screen.password.clear()
        self.lock_action.setEnabled(True)
        self.unlocked.emit()

    def _on_unlock_refused(self, exc: BaseException) -> None:
        self._job = None
        self.screen.set_busy(False)
        self.screen.message.setText(refusal_text(exc))
        self.screen.password.clear()
        self.screen.password.setFocus()

    def _inside_screen(self, obj: QObject) -> bool:
        return isinstance(obj, QWidget) and (obj is self.screen
                                             or self.screen.isAncestorOf(obj))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if not self._shown:
            if kind in _ACTIVITY:
                self._on_activity(kind)
            return False
        if kind == QEvent.Type.ShortcutOverride and isinstance(watched, QWidget):
            event.accept()  # the focused widget "takes" the key: no shortcut fires
            return False
        if kind in _INPUT and isinstance(watched, QWidget):
            return not self._inside_screen(watched)
        return False

    def _on_activity(self, kind: QEvent.Type) -> None:
        now = time.monotonic()
        if kind == QEvent.Type.MouseMove and now - self._last_touch < 1.0:
            return  # mouse moves come in floods; once a second is activity enough
        self._last_touch = now
        self.session.touch()
        if self.session.locked:
            self._show_lock()

    def _detach(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


def install_session_guard(window: QWidget, session: UserSession, *,
                          idle: timedelta | None = None) -> SessionGuard:
    """Guard ``window`` with ``session``: idle and Ctrl+L lock, password unlocks.

    ``idle`` overrides the session's idle period (default 30 minutes). Add
    ``guard.lock_action`` to a menu to offer "Lock now"; connect ``guard.signed_out``
    to return to the sign-in dialog (the window closes by default).
    """
    return SessionGuard(window, session, idle=idle)
