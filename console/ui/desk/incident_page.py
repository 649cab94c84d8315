"""The desk's incident page: everything about one incident, and who looked at it.

``IncidentPage(ctx, incident_id)`` reads the incident's dossier off the GUI thread
(:meth:`DeskContext.run` with :func:`load_page`), which also checks the signed-in user may
view incidents and writes the ``view_incident`` audit entry; the audit tab then lists
that view with every earlier one. A header names the incident; tabs hold the alert and
its revisions, the map, the audio, the status timeline with response times, the canvass,
supplements and evidence, verifications and the audit trail.

"Export report…" and "Request release…" only emit :attr:`IncidentPage.export_requested`
and :attr:`IncidentPage.release_requested` with the incident id: the records services
carry those actions out (and check the permission again).
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.domain.canvass import address_label, addresses_in_area
from console.domain.permissions import Action, PermissionDenied
from console.services.dossier import Dossier, DossierNotFound, open_dossier
from console.ui.desk.context import DeskContext
from console.ui.desk.incident_media import AudioSection, MapSection
from console.ui.desk.incident_models import fmt_time, words
from console.ui.desk.incident_sections import (
    AuditSection,
    CanvassSection,
    RevisionsSection,
    SupplementsSection,
    TimelineSection,
    VerificationSection,
)

__all__ = ["IncidentPage", "PageData", "load_page"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageData:
    """A dossier and the canvass doors to draw (key, lat, lon, label) from the map pack."""

    dossier: Dossier
    doors: list[dict[str, Any]] = field(default_factory=list)


def _doors(dossier: Dossier, pack_path: str | Path | None) -> list[dict[str, Any]]:
    from console.mappack.mbtiles import MapPack, MapPackError
    from console.resources import resource_path

    c = dossier.canvass
    path = Path(pack_path or resource_path("maps", "helsinki-center.mbtiles"))
    if c is None or c.area is None or not path.is_file():
        return []
    try:
        with MapPack(path) as pack:
            return [{"key": a.id, "lat": a.lat, "lon": a.lon, "label": address_label(a)}
                    for a in addresses_in_area(pack, c.area)]
    except MapPackError:
        return []


def load_page(store: Any, audit: Any, user: Any, incident_id: str,
              pack_path: str | Path | None = None) -> PageData:
    """Worker-thread part of opening the page: check, audit the view, read the dossier."""
    dossier = open_dossier(store, audit, user, incident_id, pack=pack_path)
    return PageData(dossier, _doors(dossier, pack_path))


def _failure_text(incident_id: str, exc: BaseException) -> str:
    if isinstance(exc, DossierNotFound) and exc.purged is not None:
        p = exc.purged
        return (f"Incident “{incident_id}” ({fmt_time(p.original_time)}) was purged under "
                f"the retention rules on {fmt_time(p.purged_at)} by {p.purged_by}: "
                f"{p.reason}. Only its tombstone and audit entries remain.")
    if isinstance(exc, DossierNotFound):
        return (f"There is no incident “{incident_id}” in this store. Check the id; a "
                "purged incident would have left a tombstone.")
    if isinstance(exc, PermissionDenied):
        return f"You may not view this incident: {exc}."
    if type(exc).__name__ == "SessionLocked":
        return "The session is locked. Unlock it with your password, then reload."
    return f"The incident could not be loaded ({type(exc).__name__}: {exc})."


class IncidentPage(QWidget):
    """One incident's page on the desk (see the module docstring)."""

    export_requested = Signal(str)
    release_requested = Signal(str)
    #: a linked incident was double-clicked (the shell may open its page)
    incident_requested = Signal(str)
    loaded = Signal(object)  # PageData
    load_failed = Signal(str)

    def __init__(self, ctx: DeskContext, incident_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("incident_page")
        self.ctx, self.incident_id = ctx, incident_id
        self.state = "loading"
        self.data: PageData | None = None
        self._verification: Any = None
        self._build()
        self.reload()

    # -- layout -----------------------------------------------------------------------
    def _build(self) -> None:
        self.title = QLabel(f"<h2>Incident {html.escape(self.incident_id)}</h2>")
        self.title.setObjectName("incident_title")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel()
        self.facts.setObjectName("incident_facts")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setVisible(False)
        self.message = QLabel("Loading the incident…")
        self.message.setObjectName("incident_message")
        self.message.setWordWrap(True)
        self.export_button = QPushButton("Export report…")
        self.export_button.setObjectName("export_report")
        self.release_button = QPushButton("Request release…")
        self.release_button.setObjectName("request_release")
        self.reload_button = QPushButton("Reload")
        self.reload_button.setObjectName("reload_incident")
        self.export_button.clicked.connect(lambda: self.export_requested.emit(self.incident_id))
        self.release_button.clicked.connect(
            lambda: self.release_requested.emit(self.incident_id))
        self.reload_button.clicked.connect(self.reload)

        head = QHBoxLayout()
        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.facts)
        text.addWidget(self.message)
        head.addLayout(text, 1)
        buttons = QVBoxLayout()
        for b in (self.export_button, self.release_button, self.reload_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        head.addLayout(buttons)

        self.revisions = RevisionsSection()
        self.map = MapSection(self.ctx.map_pack)
        self.audio = AudioSection(self.ctx.run, self.ctx.store)
        self.timeline = TimelineSection()
        self.canvass = CanvassSection()
        self.supplements = SupplementsSection()
        self.verification = VerificationSection()
        self.audit_trail = AuditSection()
        self.supplements.incident_requested.connect(self.incident_requested)
        self.verification.open_requested.connect(self.open_verification)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("incident_tabs")
        for widget, title in ((self.revisions, "Alert && revisions"), (self.map, "Map"),
                              (self.audio, "Audio"), (self.timeline, "Timeline"),
                              (self.canvass, "Canvass"),
                              (self.supplements, "Supplements && evidence"),
                              (self.verification, "Verification"),
                              (self.audit_trail, "Audit trail")):
            self.tabs.addTab(widget, title)
        self.tabs.currentChanged.connect(self._on_tab_changed)

        col = QVBoxLayout(self)
        col.addLayout(head)
        col.addWidget(self.tabs, 1)
        self._set_actions(False)

    def _set_actions(self, ready: bool) -> None:
        self.tabs.setEnabled(ready)
        self.reload_button.setEnabled(self.state != "loading")
        for button, action, why in (
                (self.export_button, Action.EXPORT_REPORT, "export reports"),
                (self.release_button, Action.REQUEST_RELEASE, "request releases")):
            may = self.ctx.may(action)
            button.setEnabled(ready and may)
            button.setToolTip("" if may else f"Your role may not {why}.")

    # -- loading ----------------------------------------------------------------------
    def reload(self) -> None:
        """Read the dossier again (another audited view)."""
        self.state = "loading"
        self.message.setText("Loading the incident…")
        self._set_actions(False)
        try:
            user = self.ctx.user()
        except Exception as exc:  # a locked session: say so, keep the page
            self._on_failed(exc)
            return
        self.ctx.run(load_page, self.ctx.store, self.ctx.audit, user, self.incident_id,
                     self.ctx.map_pack, done=self._on_loaded, failed=self._on_failed)

    def _on_loaded(self, data: PageData) -> None:
        d = data.dossier
        try:
            self._show_header(d)
            for section in (self.revisions, self.audio, self.timeline, self.canvass,
                            self.supplements, self.verification, self.audit_trail):
                section.set_dossier(d)
            self.map.set_dossier(d, data.doors)
        except Exception as exc:  # a record the page cannot show: say so, keep the desk up
            log.exception("incident page %s could not show its dossier", self.incident_id)
            self._on_failed(exc)
            return
        self.data, self.state = data, "ready"
        self.message.setText("")
        self._set_actions(True)
        self._on_tab_changed(self.tabs.currentIndex())
        self.loaded.emit(data)

    def _on_failed(self, exc: BaseException) -> None:
        self.state = "failed"
        text = _failure_text(self.incident_id, exc)
        self.message.setText(f"<span style='color:#c62828'>{html.escape(text)}</span>")
        self._set_actions(False)
        self.load_failed.emit(text)

    def _show_header(self, d: Dossier) -> None:
        a = d.alert
        self.title.setText(f"<h2>{html.escape(a.id)} — {html.escape(words(a.type).capitalize())}"
                           "</h2>")
        area = " / ".join(x for x in (a.district, a.beat) if x) or "—"
        mobile = ("no" if a.mobile is None else
                  f"yes, {a.mobile.speed_mps:.1f} m/s heading {a.mobile.heading_deg:.0f}°")
        facts = [("Time", fmt_time(a.time)), ("Address", a.address or "—"), ("Area", area),
                 ("Review", f"{words(a.review)} (revision {a.revision})"),
                 ("Rounds", words(a.rounds)), ("Shooters", words(a.shooters)),
                 ("Mobile", mobile), ("Received", fmt_time(d.incident.received_at))]
        text = " &nbsp;·&nbsp; ".join(f"<b>{k}</b> {html.escape(v)}" for k, v in facts)
        for h in d.holds:
            text += (f"<br><span style='color:#8a4b00'><b>Legal hold</b> since "
                     f"{fmt_time(h.placed_at)} by {html.escape(h.placed_by)}: "
                     f"{html.escape(h.reason)}</span>")
        self.facts.setText(text)
        self.facts.setVisible(True)

    # -- tabs and actions -------------------------------------------------------------
    def _on_tab_changed(self, index: int) -> None:
        if self.state != "ready":
            return
        widget = self.tabs.widget(index)
        if widget is self.map:
            self.map.activate()
        elif widget is self.audio:
            self.audio.activate()
        if widget is not self.audio:
            self.audio.pause()

    def show_tab(self, title: str) -> QWidget:
        """Bring the tab whose title starts with ``title`` to the front (tests, shell)."""
        for i in range(self.tabs.count()):
            if self.tabs.tabText(i).replace("&&", "&").startswith(title):
                self.tabs.setCurrentIndex(i)
                return self.tabs.widget(i)
        raise KeyError(title)

    def open_verification(self) -> Any:
        """The verification view for this incident (sensor detail only for those allowed)."""
        if self.data is None:
            return None
        from console.ui.verification_window import VerificationWindow

        if self._verification is None:
            try:
                user = self.ctx.user()
            except Exception as exc:  # a locked session: say so, open nothing
                self.message.setText(html.escape(_failure_text(self.incident_id, exc)))
                return None
            self._verification = VerificationWindow(self.ctx.store, user, self)
            self._verification.view.verification_finished.connect(lambda _run: self.reload())
        self._verification.view.set_incident(self.data.dossier.alert)
        self._verification.show()
        self._verification.raise_()
        return self._verification

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        self.audio.pause()  # another tab of the desk came to the front
        super().hideEvent(event)

    def shutdown(self) -> None:
        """Release the sound device and close the verification window (before deleting)."""
        self.audio.shutdown()
        if self._verification is not None:
            self._verification.close()
