"""Status section of the incident panel: one large next-state button, undo, timeline.

A thin view over an :class:`IncidentWorkflowView` snapshot (see ``status_workflow``); it
only emits what the officer asked for: ``advance_requested(target, disposition)`` and
``undo_requested()``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.events import IncidentStatus
from console.domain.workflow import LABELS, Disposition, next_status
from console.ui.status_timeline_model import StatusTimelineModel

__all__ = ["StatusPanel", "fit_list_height"]

_DISPOSITION_TEXT = {
    Disposition.SHOTS_CONFIRMED: "Shots confirmed", Disposition.EVIDENCE_FOUND: "Evidence found",
    Disposition.NO_EVIDENCE: "No evidence", Disposition.UNFOUNDED: "Unfounded",
    Disposition.OTHER: "Other"}


def fit_list_height(view: QListView, rows: int, max_rows: int = 8) -> None:
    """Size a list to its rows (it lives in a scrolling panel, not scrolling itself)."""
    row_h = max(view.sizeHintForRow(0), view.fontMetrics().height() + 6) if rows else 0
    view.setFixedHeight(2 * view.frameWidth() + row_h * min(max(rows, 1), max_rows) + 4)


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "—"
    s = int(value.total_seconds())
    return f"{s // 60}:{s % 60:02d}"


class StatusPanel(QFrame):
    advance_requested = Signal(str, str)  # target status, disposition ("" if none)
    undo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusPanel")
        self.view: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.unit_label = QLabel()
        self.unit_label.setObjectName("unitLabel")
        layout.addWidget(self.unit_label)

        self.next_button = QPushButton()
        self.next_button.setObjectName("nextStatusButton")
        self.next_button.setMinimumHeight(72)
        font = self.next_button.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.next_button.setFont(font)
        self.next_button.clicked.connect(self._on_next_clicked)
        layout.addWidget(self.next_button)

        self.dispositions = QFrame()
        grid = QGridLayout(self.dispositions)
        grid.setContentsMargins(0, 0, 0, 0)
        self.disposition_buttons: dict[Disposition, QPushButton] = {}
        for n, (d, text) in enumerate(_DISPOSITION_TEXT.items()):
            b = QPushButton(text)
            b.setObjectName(f"disposition_{d.value}")
            b.setMinimumHeight(48)
            b.clicked.connect(lambda _=False, d=d: self._clear(d))
            grid.addWidget(b, n // 2, n % 2)
            self.disposition_buttons[d] = b
        self.dispositions.hide()
        layout.addWidget(self.dispositions)

        row = QHBoxLayout()
        self.undo_button = QPushButton("↶ Undo")
        self.undo_button.setObjectName("undoStatusButton")
        self.undo_button.setMinimumHeight(44)
        self.undo_button.clicked.connect(self.undo_requested.emit)
        self.undo_button.hide()
        row.addWidget(self.undo_button)
        layout.addLayout(row)
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse one fires early
        self._undo_timer.timeout.connect(self.undo_button.hide)

        self.units_label = QLabel()
        self.units_label.setObjectName("unitsLabel")
        self.units_label.setWordWrap(True)
        layout.addWidget(self.units_label)
        self.times_label = QLabel()
        self.times_label.setObjectName("responseTimes")
        self.times_label.setWordWrap(True)
        layout.addWidget(self.times_label)
        layout.addWidget(QLabel("<b>Status timeline</b>"))
        self.timeline = StatusTimelineModel(self)
        self.timeline_view = QListView()
        self.timeline_view.setObjectName("statusTimeline")
        self.timeline_view.setModel(self.timeline)
        self.timeline_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.timeline_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.timeline_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        layout.addWidget(self.timeline_view)
        self.set_view(None)

    # -- view -------------------------------------------------------------------------
    def current(self) -> IncidentStatus | None:
        return None if self.view is None else self.view.state.status_of(self.view.unit or "")

    def set_view(self, view: Any) -> None:
        """Show ``view`` (an IncidentWorkflowView, or None for no incident)."""
        self.view = view
        self.dispositions.hide()
        if view is None:
            self.next_button.setEnabled(False)
            self.next_button.setText("—")
            self.timeline.set_entries([], {})
            fit_list_height(self.timeline_view, 0)
            self.units_label.clear()
            self.times_label.clear()
            self.unit_label.clear()
            return
        self.unit_label.setText(f"Unit <b>{view.unit}</b>" if view.unit
                                else "<b>No call sign set</b> (Unit ▸ Set call sign…)")
        nxt = next_status(self.current())
        self.next_button.setEnabled(nxt is not None and bool(view.unit))
        self.next_button.setText(f"{LABELS[nxt].upper()}" + (" …" if nxt is IncidentStatus.CLEAR
                                                              else "") + "   (F5)"
                                 if nxt else f"{LABELS[IncidentStatus.CLEAR].upper()}ED")
        self.next_button.setProperty("target", "" if nxt is None else str(nxt))
        self.timeline.set_entries(view.state.entries, view.delivery)
        fit_list_height(self.timeline_view, len(view.state.entries))
        self.units_label.setText(self._units_text(view))
        self.times_label.setText(self._times_text(view))

    @staticmethod
    def _units_text(view: Any) -> str:
        others = [u for name, u in sorted(view.state.units.items()) if name != view.unit]
        if not others:
            return "Other units: none"
        return "Other units: " + ", ".join(
            f"<b>{u.unit}</b> {LABELS[u.status]} {u.since.astimezone():%H:%M}" for u in others)

    @staticmethod
    def _times_text(view: Any) -> str:
        rows = []
        for unit, t in sorted(view.times.items()):
            rows.append(f"<b>{unit}</b>: dispatch→en route {_duration(t.dispatch_to_en_route)}"
                        f" · en route→on scene {_duration(t.en_route_to_on_scene)}"
                        f" · on scene→clear {_duration(t.on_scene_to_clear)}")
        return "Response times<br>" + "<br>".join(rows) if rows else ""

    def show_undo(self, seconds: float) -> None:
        if seconds <= 0:
            self.undo_button.hide()
            return
        self.undo_button.show()
        self._undo_timer.start(int(seconds * 1000))

    # -- actions ----------------------------------------------------------------------
    def _on_next_clicked(self) -> None:
        target = self.next_button.property("target")
        if not target or not self.next_button.isEnabled():
            return
        if target == IncidentStatus.CLEAR:
            self.dispositions.setVisible(not self.dispositions.isVisible())
            return
        self.next_button.setEnabled(False)  # until the stored change comes back
        self.advance_requested.emit(target, "")

    def _clear(self, disposition: Disposition) -> None:
        self.dispositions.hide()
        self.next_button.setEnabled(False)
        self.advance_requested.emit(str(IncidentStatus.CLEAR), str(disposition))

    def press_next(self) -> None:
        """The F5 shortcut: same as tapping the large button."""
        self._on_next_clicked()
