"""Incident panel: the selected incident as dispatch would read it, with its history."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from console.domain.alert import Alert
from console.domain.dispatch import compass_point, dispatch_summary

__all__ = ["IncidentPanel", "incident_html"]

_REVIEW = {"machine": "machine", "reviewed": "reviewed", "updated": "updated",
           "cancelled": "CANCELLED"}


def _rounds(n: int | None) -> str:
    return "" if n is None else f", {n} round{'' if n == 1 else 's'}"


def _local(alert_time) -> str:
    return alert_time.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def incident_html(alert: Alert, acknowledged: bool,
                  revisions: Sequence[Alert] = ()) -> str:
    """Rich text of the panel for ``alert`` (its newest revision)."""
    s = dispatch_summary(alert)
    e = html.escape
    rows: list[tuple[str, str]] = [
        ("Time", _local(alert.time)),
        ("Address", alert.address or f"{alert.location.lat:.5f}, {alert.location.lon:.5f}"),
        ("District / beat", f"{alert.district or '—'} / {alert.beat or '—'}"),
        ("Rounds", "—" if alert.rounds is None else str(alert.rounds)),
        ("Shooters", "—" if alert.shooters is None else str(alert.shooters)),
        ("Uncertainty", f"± {alert.location.uncertainty_m:.0f} m"),
    ]
    if alert.mobile is not None:
        m = alert.mobile
        rows.append(("Mobile", f"{m.speed_mps:.0f} m/s ({m.speed_mps * 3.6:.0f} km/h), "
                               f"heading {m.heading_deg:03.0f}° ({compass_point(m.heading_deg)})"))
    rows.append(("Review", f"{s.review_text} (revision {alert.revision})"))
    rows.append(("Status", "Acknowledged" if acknowledged else "NOT ACKNOWLEDGED"))
    table = "".join(f"<tr><td class='k'><b>{e(k)}</b>&nbsp;&nbsp;</td><td>{e(v)}</td></tr>"
                    for k, v in rows)
    details = "<br>".join(e(d) for d in s.details)
    out = [f"<h2>{e(s.type_code)} &nbsp;P{s.priority}</h2>",
           f"<p style='font-size:15pt'><b>{e(s.type_text)}</b><br>{details}</p>",
           f"<table cellspacing='4'>{table}</table>"]
    # supplements have their own section (console.ui.supplements_view), prominent first
    if alert.notes:
        out.append(f"<h3>Notes</h3><p>{e(alert.notes)}</p>")
    if revisions:
        items = "".join(f"<li>rev {r.revision}: {e(_REVIEW.get(str(r.review), str(r.review)))}"
                        f" — {e(str(r.type).replace('_', ' '))}"
                        f"{_rounds(r.rounds)}</li>"
                        for r in revisions)
        out.append(f"<h3>Revision history</h3><ul>{items}</ul>")
    out.append(f"<p style='color:gray'>{e(alert.id)} · feed seq {alert.seq}</p>")
    return "".join(out)


class IncidentPanel(QScrollArea):
    """Shows one incident; :meth:`text` gives its plain text (for tests and logs)."""

    review_audio_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("incidentPanel")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)  # narrow panel: no room to waste
        self._label = QLabel("No incident selected.\n\nNew alerts appear on the left.")
        self._label.setObjectName("incidentText")
        self._label.setWordWrap(True)
        self._label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self._label)
        self.audio_button = QPushButton("🔊 Review audio")
        self.audio_button.setObjectName("reviewAudioButton")
        self.audio_button.setMinimumHeight(48)
        self.audio_button.hide()
        self.audio_button.clicked.connect(
            lambda: self.incident_id and self.review_audio_requested.emit(self.incident_id))
        layout.addWidget(self.audio_button)
        layout.addStretch(1)
        self._layout = layout
        self.setWidget(body)
        self.incident_id: str | None = None

    def add_section(self, widget: QWidget, *, top: bool = False, index: int = 0) -> None:
        """Add a section: at ``index`` from the top, or at the bottom (above the stretch)."""
        pos = index if top else self._layout.count() - 1
        self._layout.insertWidget(pos, widget)

    def show_incident(self, alert: Alert, acknowledged: bool,
                      revisions: Sequence[Alert] = ()) -> None:
        self.incident_id = alert.id
        self._label.setText(incident_html(alert, acknowledged, revisions))
        self.audio_button.setVisible(bool(alert.audio))

    def text(self) -> str:
        doc = self._label.text()
        from PySide6.QtGui import QTextDocument

        d = QTextDocument()
        d.setHtml(doc)
        return d.toPlainText()
