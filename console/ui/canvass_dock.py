"""The canvass in the main window: a "Canvass" button on the incident panel and a dock.

:func:`install_canvass` adds the button (one tap opens the canvass of the incident shown)
and a right-hand dock holding the :class:`CanvassPanel`. The dock stays on its incident
when the queue selection moves (a new alert selects itself and must not pull the
officer off the doors); "Canvass…" on another incident switches it. Closing the dock
takes the canvass layer off the map.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Slot
from PySide6.QtWidgets import QDockWidget, QPushButton, QScrollArea

from console.ui.alert_map import DEFAULT_PACK
from console.ui.canvass_controller import CanvassController
from console.ui.canvass_panel import CanvassPanel

__all__ = ["CanvassDock", "install_canvass"]


class CanvassDock(QObject):
    """Owns the canvass dock of a main window; see :func:`install_canvass`."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        pack = getattr(getattr(window.map, "pack", None), "path", None) or DEFAULT_PACK
        self.controller = CanvassController(window.store, pack, self, wake=self._wake_outbox)
        self.panel = CanvassPanel(self.controller, window.map)
        self.dock = QDockWidget("Canvass", window)
        self.dock.setObjectName("canvassDock")
        scroll = QScrollArea()  # a short screen scrolls the panel instead of growing the window
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.panel)
        self.dock.setWidget(scroll)
        self.dock.setMinimumWidth(440)
        self.dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                              | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.dock.visibilityChanged.connect(self._on_visibility)
        self.button = QPushButton("Canvass…")
        self.button.setObjectName("canvassButton")
        self.button.setMinimumHeight(48)
        self.button.setToolTip("Door-to-door canvass around this incident")
        self.button.clicked.connect(self.open_selected)
        window.panel.add_section(self.button)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.controller.shutdown)

    def _wake_outbox(self) -> None:
        client = self.window.client  # None once the window has shut down
        if client is not None:
            client.outbox.wake()

    @Slot()
    def open_selected(self) -> None:
        """Open the canvass of the incident on the incident panel."""
        incident_id = self.window.panel.incident_id
        if incident_id is None:
            return
        self.dock.show()
        self.dock.raise_()
        self.open(incident_id)

    def open(self, incident_id: str) -> None:
        pos = self.window.model.row_of(incident_id)
        if pos is None:
            return
        location = self.window.model.row_at(pos).alert.location
        self.panel.open(incident_id, location.lat, location.lon)

    def _on_visibility(self, visible: bool) -> None:
        if not visible and not self.dock.isVisible() and hasattr(self.window.map, "clear_canvass"):
            self.window.map.clear_canvass()


def install_canvass(window: Any) -> CanvassDock:
    """Add the canvass button and dock to a :class:`MainWindow`; kept as ``window.canvass``."""
    window.canvass = CanvassDock(window)
    return window.canvass
