"""Officer workflow in the main window: status changes, undo, supplements, related, EIDO.

:func:`install_officer_workflow` adds the sections to the incident panel, the "En route"
button to the alert banner (acknowledge + en route in one tap), the F5 / Ctrl+Z
shortcuts, the Unit and Incident menu entries, and the call-sign prompt when no call
sign is set for the shift. Every store call runs on the window's single DB worker and
comes back as a signal; the GUI thread never touches the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QMenu, QPushButton

from console.cad.eido import incident_eido, write_eido
from console.domain.alert import Alert
from console.domain.events import IncidentStatus, UnitEvent
from console.domain.workflow import (
    ORDER,
    ResponseTimes,
    UndoWindow,
    WorkflowState,
    fold_status,
    response_times,
    status_event,
)
from console.store.records import StoredEvent
from console.ui.related_incidents_view import RelatedIncidentsView
from console.ui.status_call_sign import CallSignDialog
from console.ui.status_panel import StatusPanel
from console.ui.supplements_view import SupplementsView

__all__ = ["IncidentWorkflowView", "OfficerWorkflow", "advance", "install_officer_workflow",
           "load_view"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IncidentWorkflowView:
    """Everything the workflow sections show for one incident, read in one go."""

    incident_id: str
    unit: str | None
    alert: Alert
    events: tuple[StoredEvent, ...]
    state: WorkflowState
    delivery: dict[str, str | None]
    times: dict[str, ResponseTimes]
    related: tuple[Alert, ...]
    linked: frozenset[str]
    prior: tuple[Alert, ...]

    @property
    def pending(self) -> int:
        return sum(1 for e in self.events if e.delivery == "pending")


def load_view(store: Any, incident_id: str) -> IncidentWorkflowView | None:
    """Read an incident's workflow view from the store (DB worker thread)."""
    record = store.get_incident(incident_id)
    if record is None:
        return None
    ident = store.unit_identity()
    stored = tuple(store.unit_events(incident_id))
    events = [s.event for s in stored]
    return IncidentWorkflowView(
        incident_id, None if ident is None else ident.call_sign, record.alert, stored,
        fold_status(events), {s.event.event_id: s.delivery for s in stored},
        response_times(events, dispatched_at=store.dispatched_at(incident_id)),
        tuple(store.related_candidates(incident_id)),
        frozenset(x.related_id for x in store.incident_links(incident_id)),
        tuple(store.prior_incidents(incident_id)))


def advance(store: Any, incident_id: str, unit: str, expected: IncidentStatus | None,
            target: IncidentStatus, disposition: str | None = None, *,
            at: datetime | None = None) -> tuple[list[UnitEvent], IncidentStatus | None]:
    """Record ``unit``'s move to ``target`` if it is still at ``expected`` (DB worker).

    A unit that has not yet acknowledged acknowledges in the same tap. Returns the
    recorded events (empty when the state moved meanwhile, e.g. a double tap) and the
    status before the last of them (what an undo returns to).
    """
    current = fold_status(s.event for s in store.unit_events(incident_id)).status_of(unit)
    if current != expected or ORDER.index(target) <= ORDER.index(current or ORDER[0]):
        return [], current
    at = at or datetime.now(UTC)
    made = []
    if current is None and target is not IncidentStatus.ACKNOWLEDGED:
        made.append(status_event(incident_id, unit, None, IncidentStatus.ACKNOWLEDGED, at=at))
        current = IncidentStatus.ACKNOWLEDGED
    made.append(status_event(incident_id, unit, current, target, disposition=disposition,
                             at=at))
    for event in made:
        store.record_local_event(event)
    return made, current


class OfficerWorkflow(QObject):
    view_loaded = Signal(object)
    changed = Signal(object, object)  # recorded events, status before the last one
    identity_loaded = Signal(object)
    exported = Signal(str)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.unit: str | None = None
        self.view: IncidentWorkflowView | None = None
        self.undo_window = UndoWindow(5.0)
        self.call_sign_dialog: CallSignDialog | None = None
        self.last_export: Path | None = None
        self.status = StatusPanel()
        self.supplements = SupplementsView()
        self.related = RelatedIncidentsView()
        panel = window.panel
        panel.add_section(self.status, top=True)
        panel.add_section(self.supplements, top=True, index=1)
        panel.add_section(self.related)
        self.status.advance_requested.connect(self._on_advance_requested)
        self.status.undo_requested.connect(self.undo)
        self.related.link_requested.connect(self.link)
        self.view_loaded.connect(self._on_view)
        self.changed.connect(self._on_changed)
        self.identity_loaded.connect(self._on_identity)
        self.exported.connect(self._on_exported)
        window.details_loaded.connect(lambda incident_id, *_: self.reload(incident_id))
        window.acknowledged.connect(self._on_acknowledged)
        self._pending_timer = QTimer(self)
        self._pending_timer.setInterval(700)
        self._pending_timer.timeout.connect(lambda: self.reload())
        self._install_controls()
        self._submit(lambda: window.store.unit_identity(), self.identity_loaded.emit)

    # -- wiring -----------------------------------------------------------------------
    def _submit(self, fn: Any, done: Any, *args: Any) -> None:
        self.window._submit(fn, done, *args)

    def _install_controls(self) -> None:
        w = self.window
        self.en_route_button = QPushButton("EN ROUTE ▶")
        self.en_route_button.setObjectName("bannerEnRouteButton")
        self.en_route_button.setToolTip("Acknowledge and advise en route in one tap")
        self.en_route_button.clicked.connect(self.en_route_from_banner)
        w.banner.layout().addWidget(self.en_route_button)
        QShortcut(QKeySequence("F5"), w, activated=self.status.press_next)
        QShortcut(QKeySequence.StandardKey.Undo, w, activated=self.undo)
        self.call_sign_action = QAction("Set unit call sign…", w)
        self.call_sign_action.setObjectName("setCallSignAction")
        self.call_sign_action.triggered.connect(self.ask_call_sign)
        self.export_action = QAction("Export EIDO…", w)
        self.export_action.setObjectName("exportEidoAction")
        self.export_action.triggered.connect(self.export_eido)
        _menu(w, "&File").addAction(self.call_sign_action)
        _menu(w, "&Incident").addAction(self.export_action)

    # -- loading ----------------------------------------------------------------------
    def reload(self, incident_id: str | None = None) -> None:
        incident_id = incident_id or self.window.panel.incident_id
        shown = self.window.panel.incident_id
        if self.view is not None and self.view.incident_id != shown:
            self.view = None  # never act on the previous incident's state
            self.status.set_view(None)
        if incident_id:
            self._submit(load_view, self.view_loaded.emit, self.window.store, incident_id)

    @Slot(object)
    def _on_view(self, view: IncidentWorkflowView | None) -> None:
        if view is None or view.incident_id != self.window.panel.incident_id:
            return
        self.view = view
        self.status.set_view(view)
        self.supplements.set_supplements(view.alert.supplements)
        self.related.set_incidents(view.alert, view.related, view.linked, view.prior)
        if view.pending:
            self._pending_timer.start()
        else:
            self._pending_timer.stop()

    # -- call sign --------------------------------------------------------------------
    @Slot(object)
    def _on_identity(self, ident: Any) -> None:
        self.unit = None if ident is None else ident.call_sign
        if self.unit is None:
            self.ask_call_sign()
        self.reload()

    def ask_call_sign(self) -> None:
        dialog = CallSignDialog(self.unit or "", self.window)
        dialog.accepted_call_sign.connect(self.set_call_sign)
        dialog.show()
        self.call_sign_dialog = dialog

    def set_call_sign(self, call_sign: str) -> None:
        def save() -> Any:
            self.window.store.set_unit_identity(call_sign)
            return self.window.store.unit_identity()

        self._submit(save, self.identity_loaded.emit)

    # -- status -----------------------------------------------------------------------
    @Slot(str, str)
    def _on_advance_requested(self, target: str, disposition: str) -> None:
        view = self.view
        if view is None or not view.unit:
            return
        self._advance(view.incident_id, view.state.status_of(view.unit),
                      IncidentStatus(target), disposition or None)

    def _advance(self, incident_id: str, expected: IncidentStatus | None,
                 target: IncidentStatus, disposition: str | None = None) -> None:
        unit = self.unit or (self.view.unit if self.view else None)
        if not unit:
            self.ask_call_sign()
            return
        store, client = self.window.store, self.window.client

        def work() -> tuple[list[UnitEvent], IncidentStatus | None]:
            try:
                result = advance(store, incident_id, unit, expected, target, disposition)
            except ValueError as exc:  # WorkflowError too: refused, the view reloads
                log.warning("status change refused: %s", exc)
                return [], expected
            if result[0] and client is not None:
                client.outbox.wake()
            return result

        self._submit(work, self.changed.emit)

    @Slot(object, object)
    def _on_changed(self, events: list[UnitEvent], previous: IncidentStatus | None) -> None:
        if events and "undoes" not in events[-1].data:
            self.undo_window.offer(events[-1], previous, datetime.now(UTC))
            self.status.show_undo(self.undo_window.seconds)
        elif events:
            self.status.show_undo(0)
        if events:
            self.reload(events[-1].incident_id)
        else:
            self.reload()

    @Slot()
    def undo(self) -> None:
        offered = self.undo_window.event
        if offered is None or offered.incident_id != self.window.panel.incident_id:
            return  # only the change made on the incident in view can be undone
        event = self.undo_window.take(datetime.now(UTC))
        self.status.show_undo(0)
        if event is None:
            return
        store, client = self.window.store, self.window.client

        def work() -> tuple[list[UnitEvent], None]:
            store.record_local_event(event)
            if client is not None:
                client.outbox.wake()
            return [event], None

        self._submit(work, self.changed.emit)

    @Slot(str, bool)
    def _on_acknowledged(self, incident_id: str, ok: bool) -> None:
        if ok:  # acknowledging the alert is the Acknowledged state (tap 1)
            self._advance(incident_id, None, IncidentStatus.ACKNOWLEDGED)

    @Slot()
    def en_route_from_banner(self) -> None:
        """One tap from the banner: acknowledge the alert and advise en route."""
        incident_id = self.window.banner_incident_id
        if incident_id is None:
            return
        self._advance(incident_id, None, IncidentStatus.EN_ROUTE)
        self.window.acknowledge_banner()
        self.window.select_incident(incident_id)

    # -- links and export -------------------------------------------------------------
    @Slot(str)
    def link(self, related_id: str) -> None:
        view = self.view
        if view is None:
            return
        store, unit = self.window.store, view.unit or "unknown"
        self._submit(lambda: store.link_incident(view.incident_id, related_id, unit),
                     lambda _new: self.reload(view.incident_id))

    def export_eido(self) -> None:
        incident_id = self.window.panel.incident_id
        if incident_id is None:
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Export EIDO",
                                              f"{incident_id}.eido.json", "EIDO JSON (*.json)")
        if path:
            self.export_eido_to(incident_id, Path(path))

    def export_eido_to(self, incident_id: str, path: Path) -> None:
        store = self.window.store
        feed_url = getattr(self.window.client, "base_url", None)

        def work() -> str:
            record = store.get_incident(incident_id)
            events = [s.event for s in store.unit_events(incident_id)]
            related = [x.related_id for x in store.incident_links(incident_id)]
            doc = incident_eido(record.alert, events, feed_url=feed_url, related=related)
            return str(write_eido(path, doc))

        self._submit(work, self.exported.emit)

    @Slot(str)
    def _on_exported(self, path: str) -> None:
        self.last_export = Path(path)
        self.window.statusBar().showMessage(f"EIDO exported to {path}", 8000)


def _menu(window: Any, title: str) -> QMenu:
    bar = window.menuBar()
    for action in bar.actions():
        if action.menu() is not None and action.text() == title:
            return action.menu()
    return bar.addMenu(title)


def install_officer_workflow(window: Any) -> OfficerWorkflow:
    """Add the officer workflow to a :class:`MainWindow` (kept as ``window.workflow``)."""
    window.workflow = OfficerWorkflow(window)
    return window.workflow
