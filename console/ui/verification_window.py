"""The verification window and its entry points in the main window.

:func:`install_verification_actions` adds File → Open recordings… and
Incident → Verify… (and a "Verify…" button) to a :class:`~console.ui.main_window.MainWindow`.
Both open one :class:`VerificationWindow` beside the console; the verification itself
runs in :class:`~console.ui.verification_view.VerificationView` off the GUI thread.
The current user is read from ``main_window.user`` when the action runs (an officer
when unset), so the app mode decides who sees sensor detail.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QPushButton, QWidget

from console.domain.permissions import Role, User
from console.ui.verification_view import VerificationView

__all__ = ["VerificationActions", "VerificationWindow", "install_verification_actions"]


class VerificationWindow(QMainWindow):
    """A top-level window holding one :class:`VerificationView`."""

    def __init__(self, store: Any, user: User, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Verification — Mobile Alert Console")
        self.view = VerificationView(store, user)
        self.setCentralWidget(self.view)
        self.resize(1240, 800)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.view.shutdown()
        super().closeEvent(event)


class VerificationActions(QObject):
    """The main window's verification actions (``main_window.verification``)."""

    def __init__(self, main_window: Any) -> None:
        super().__init__(main_window)
        self.main = main_window
        self.window: VerificationWindow | None = None
        self.open_action = QAction("Open recordings…", self)
        self.open_action.setObjectName("openRecordingsAction")
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(lambda: self.open_recordings())
        self.verify_action = QAction("Verify…", self)
        self.verify_action.setObjectName("verifyIncidentAction")
        self.verify_action.setToolTip("Verify the selected incident from its recordings")
        self.verify_action.triggered.connect(lambda: self.verify_selected())
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @property
    def user(self) -> User:
        return getattr(self.main, "user", None) or User("console", Role.OFFICER)

    def selected_alert(self) -> Any:
        incident_id = getattr(self.main.panel, "incident_id", None)
        if incident_id is None:
            return None
        pos = self.main.model.row_of(incident_id)
        return None if pos is None else self.main.model.row_at(pos).alert

    def show_window(self) -> VerificationWindow:
        if self.window is None or self.window.view.user != self.user:
            if self.window is not None:
                self.window.close()
            self.window = VerificationWindow(self.main.store, self.user)
        self.window.show()
        self.window.raise_()
        return self.window

    def open_recordings(self, path: str | Path | None = None) -> bool:
        """Verify a folder of recordings without an alert (asks for it when None)."""
        return self.show_window().view.open_recordings(path)

    def verify_selected(self, path: str | Path | None = None) -> bool:
        """Verify the selected incident from a folder of recordings (asked when None)."""
        alert = self.selected_alert()
        view = self.show_window().view
        view.set_incident(alert)
        if alert is None:
            view.status_label.setText("Select an incident in the queue to verify it.")
            return False
        return view.verify_incident(path)

    def shutdown(self) -> None:
        if self.window is not None:
            self.window.view.shutdown()


def install_verification_actions(main_window: Any) -> VerificationActions:
    """Add the verification menu entries and button to ``main_window``."""
    actions = VerificationActions(main_window)
    bar = main_window.menuBar()
    bar.addMenu("&File").addAction(actions.open_action)
    bar.addMenu("&Incident").addAction(actions.verify_action)
    button = QPushButton("Verify…")
    button.setObjectName("verifyButton")
    button.setToolTip(actions.verify_action.toolTip())
    button.clicked.connect(actions.verify_action.trigger)
    panel_body = main_window.panel.widget()
    if panel_body is not None and panel_body.layout() is not None:
        panel_body.layout().insertWidget(0, button)  # on the incident, above its details
    else:
        main_window.statusBar().addPermanentWidget(button)
    actions.button = button
    main_window.verification = actions
    return actions
