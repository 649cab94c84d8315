"""The sections (tabs) of the incident page; each shows one part of a dossier.

Every section has ``set_dossier(dossier)``. The map and the audio player are heavy (a
QtWebEngine page, a sound device), so they are built the first time their tab is shown.
No section shows a sensor's serial or position; the verification tab lists the stored
summaries and opens the verification view, which alone decides who sees sensor detail.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.services.dossier import Dossier
from console.ui.desk.incident_models import (
    RowsModel,
    audit_rows,
    evidence_rows,
    fmt_span,
    link_rows,
    outcome_rows,
    response_rows,
    revision_rows,
    verification_rows,
)
from console.ui.status_timeline_model import StatusTimelineModel
from console.ui.supplements_view import SupplementsView

__all__ = [
    "AuditSection", "CanvassSection", "RevisionsSection", "SupplementsSection",
    "TimelineSection", "VerificationSection", "table_view",
]


def table_view(model: RowsModel, name: str) -> QTableView:
    """A sortable, read-only table whose last column takes the spare width."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSortingEnabled(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return view


def _label(text: str = "", name: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


def _group(title: str, *widgets: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    col = QVBoxLayout(box)
    for w in widgets:
        col.addWidget(w)
    return box


class RevisionsSection(QWidget):
    """The alert's notes and every revision, with what changed between them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notes = _label(name="incident_notes")
        self.model = RowsModel(("Rev.", "Received", "Review", "Type", "Location", "Rounds",
                                "What changed"), self)
        self.table = table_view(self.model, "revisions_table")
        col = QVBoxLayout(self)
        col.addWidget(self.notes)
        col.addWidget(self.table, 1)

    def set_dossier(self, d: Dossier) -> None:
        notes = d.alert.notes
        self.notes.setText(f"Reviewer's notes: {notes}" if notes else "No reviewer's notes.")
        self.model.set_rows(revision_rows(d.revisions))


class TimelineSection(QWidget):
    """Status changes of every unit (newest first) and each unit's response times."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = _label(name="response_summary")
        self.responses = RowsModel(("Unit", "Dispatch → en route", "En route → on scene",
                                    "On scene → clear", "Now"), self)
        self.response_table = table_view(self.responses, "response_table")
        self.timeline = StatusTimelineModel(self)
        self.list = QListView()
        self.list.setObjectName("status_timeline")
        self.list.setModel(self.timeline)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        col = QVBoxLayout(self)
        col.addWidget(self.summary)
        col.addWidget(_group("Response times", self.response_table), 1)
        col.addWidget(_group("Status timeline (newest first)", self.list), 2)

    def set_dossier(self, d: Dossier) -> None:
        r = d.response
        if r is None:
            self.summary.setText("No unit has reported a status yet.")
        else:
            self.summary.setText(
                f"First on scene: <b>{r.unit}</b> — dispatch → en route "
                f"{fmt_span(r.dispatch_to_en_route)}, en route → on scene "
                f"{fmt_span(r.en_route_to_on_scene)}.")
        self.responses.set_rows(response_rows(d.responses, d.timeline))
        self.timeline.set_entries(d.timeline, d.delivery)


class CanvassSection(QWidget):
    """The canvass in numbers: area, doors visited of all, outcomes, witnesses."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = _label(name="canvass_summary")
        self.outcomes = RowsModel(("Latest outcome", "Doors"), self)
        self.table = table_view(self.outcomes, "canvass_outcomes")
        col = QVBoxLayout(self)
        col.addWidget(self.summary)
        col.addWidget(self.table, 1)

    def set_dossier(self, d: Dossier) -> None:
        c = d.canvass
        if c is None:
            self.summary.setText("No canvass was made for this incident.")
            self.outcomes.set_rows([])
            return
        if c.area is None:
            area = "no area stored"
        elif c.area.is_polygon:
            area = f"drawn area ({len(c.area.polygon or ())} corners)"
        else:
            area = f"circle of {c.area.radius_m:g} m about the incident"
        total = "?" if c.addresses_total is None else str(c.addresses_total)
        lines = [f"Area: {area}",
                 f"Doors visited: <b>{c.addresses_visited} / {total}</b>"
                 + (" (no map pack covers the area to count its doors)"
                    if c.addresses_total is None else ""),
                 f"Visits: {c.visits}; witnesses recorded: {c.witnesses} "
                 "(names and contacts stay in the recording car)",
                 f"Evidence items: {len(d.evidence)}"]
        self.summary.setText("<br>".join(lines))
        self.outcomes.set_rows(outcome_rows(dict(c.outcomes)))


class SupplementsSection(QWidget):
    """Dispatch supplements, evidence found and linked incidents."""

    incident_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.supplements = SupplementsView()
        self.evidence = RowsModel(("Found", "Unit", "Kind", "Count", "Where", "Note"), self)
        self.links = RowsModel(("Related incident", "Kind", "Linked", "By"), self)
        self.evidence_table = table_view(self.evidence, "evidence_table")
        self.links_table = table_view(self.links, "links_table")
        self.links_table.doubleClicked.connect(self._on_link_activated)
        col = QVBoxLayout(self)
        col.addWidget(self.supplements)
        col.addWidget(_group("Evidence", self.evidence_table), 2)
        col.addWidget(_group("Linked incidents (double-click opens)", self.links_table), 1)

    def set_dossier(self, d: Dossier) -> None:
        self.supplements.set_supplements(d.supplements)
        self.evidence.set_rows(evidence_rows(d.evidence))
        self.links.set_rows(link_rows(d.links))

    def _on_link_activated(self, index: Any) -> None:
        self.incident_requested.emit(self.links.row_texts()[index.row()][0])


class VerificationSection(QWidget):
    """Stored verification summaries; the verification view opens from here."""

    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = _label(name="verification_note")
        self.model = RowsModel(("Verified", "By", "From", "Recordings", "Verdict",
                                "Distance", "Rounds (rep./comp.)", "Shooters (rep./comp.)",
                                "Reasons"), self)
        self.table = table_view(self.model, "verification_table")
        self.open_button = QPushButton("Verify from recordings…")
        self.open_button.setObjectName("open_verification")
        self.open_button.clicked.connect(self.open_requested)
        row = QHBoxLayout()
        row.addWidget(self.note, 1)
        row.addWidget(self.open_button)
        col = QVBoxLayout(self)
        col.addLayout(row)
        col.addWidget(self.table, 1)

    def set_dossier(self, d: Dossier) -> None:
        n = len(d.verifications)
        self.note.setText("No verification stored for this incident." if n == 0 else
                          f"{n} verification{'s' if n != 1 else ''} stored (summaries).")
        self.model.set_rows(verification_rows(d.verifications))


class AuditSection(QWidget):
    """Who viewed or changed the incident, when, and with what outcome."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = _label("Every view, export and decision on this incident, from the "
                           "hash-chained audit log.", "audit_note")
        self.model = RowsModel(("Seq", "When", "Who", "Action", "Outcome", "Details"), self)
        self.table = table_view(self.model, "audit_table")
        col = QVBoxLayout(self)
        col.addWidget(self.note)
        col.addWidget(self.table, 1)

    def set_dossier(self, d: Dossier) -> None:
        self.model.set_rows(audit_rows(d.audit))
        self.table.scrollToBottom()

