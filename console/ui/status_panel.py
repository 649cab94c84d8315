"""Status section of the incident panel: one large next-state button, undo, timeline.

A thin view over an :class:`IncidentWorkflowView` snapshot (see ``status_workflow``); it
only emits what the officer asked for: ``advance_requested(target, disposition)`` and
``undo_requested()``.
"""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QAbstractListModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from console.domain.events import IncidentStatus
from console.domain.workflow import LABELS, Disposition, next_status
from console.ui.status_timeline_model import StatusTimelineModel

__all__ = ["ModelLabel", "StatusPanel"]

_DISPOSITION_TEXT = {
    Disposition.SHOTS_CONFIRMED: "Shots confirmed", Disposition.EVIDENCE_FOUND: "Evidence found",
    Disposition.NO_EVIDENCE: "No evidence", Disposition.UNFOUNDED: "Unfounded",
    Disposition.OTHER: "Other"}


class ModelLabel(QLabel):
    """Rich text of a list model's rows (display text, colour, bold, strike-out).

    A label, not a list view: in the narrow scrolling panel rows must wrap and the
    section must grow with them, which a nested scrolling view does not do.
    """

    def __init__(self, model: QAbstractListModel, empty: str = "none yet") -> None:
        super().__init__()
        self.model, self.empty = model, empty
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setObjectName("modelLabel")
        model.modelReset.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        rows = [self._row(self.model.index(r)) for r in range(self.model.rowCount())]
        self.setText("<br>".join(rows) if rows else f"<i>{self.empty}</i>")

    def _row(self, index: Any) -> str:
        text = html.escape(str(index.data(Qt.ItemDataRole.DisplayRole)))
        color = index.data(Qt.ItemDataRole.ForegroundRole)
        font = index.data(Qt.ItemDataRole.FontRole)
        if isinstance(font, QFont):
            text = f"<s>{text}</s>" if font.strikeOut() else text
            text = f"<b>{text}</b>" if font.bold() else text
        if isinstance(color, QColor):
            text = f"<span style='color:{color.name()}'>{text}</span>"
        return text


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "—"
    s = int(value.total_seconds())
    return f"{s // 60}:{s % 60:02d}"


class _FittingButton(QPushButton):
    """A big button whose bold label shrinks (down to ``smallest_pt``) to fit its width, so
    a long state name never pushes the narrow panel wider than the window."""

    def __init__(self, *, largest_pt: int, smallest_pt: int) -> None:
        super().__init__()
        self._largest, self._smallest = largest_pt, smallest_pt
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._fit()

    def setText(self, text: str) -> None:  # noqa: N802
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        room = max(self.width() - 24, 40)
        size = self._largest
        font = QFont(self.font())
        font.setBold(True)
        while size > self._smallest:
            font.setPointSize(size)
            if QFontMetrics(font).horizontalAdvance(self.text()) <= room:
                break
            size -= 1
        # its own style sheet: the theme's button font would otherwise win over setFont
        self.setStyleSheet(f"font-size: {size}pt; font-weight: bold;")


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
        self.unit_label.setWordWrap(True)
        layout.addWidget(self.unit_label)

        self.next_button = _FittingButton(largest_pt=20, smallest_pt=11)
        self.next_button.setObjectName("nextStatusButton")
        self.next_button.setMinimumHeight(72)
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
        self.timeline_view = ModelLabel(self.timeline)
        self.timeline_view.setObjectName("statusTimeline")
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
            self.units_label.clear()
            self.times_label.clear()
            self.unit_label.clear()
            return
        self.unit_label.setText(f"Unit <b>{view.unit}</b>" if view.unit
                                else "<b>No call sign set</b> (File ▸ Set unit call sign…)")
        nxt = next_status(self.current())
        self.next_button.setEnabled(nxt is not None and bool(view.unit))
        self.next_button.setText(f"{LABELS[nxt].upper()}" + (" …" if nxt is IncidentStatus.CLEAR
                                                              else "") + "   (F5)"
                                 if nxt else f"{LABELS[IncidentStatus.CLEAR].upper()}ED")
        self.next_button.setProperty("target", "" if nxt is None else str(nxt))
        self.timeline.set_entries(view.state.entries, view.delivery)
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
        """Response times (min:s), one column per unit (the panel is narrow)."""
        if not view.times:
            return ""
        units = sorted(view.times)
        cell = "<td align='right'>&nbsp;{}</td>"
        head = "<tr><td><b>Response</b></td>" + "".join(cell.format(f"<b>{u}</b>")
                                                        for u in units) + "</tr>"
        rows = "".join(
            f"<tr><td>{label}</td>" + "".join(
                cell.format(_duration(getattr(view.times[u], attr))) for u in units) + "</tr>"
            for label, attr in (("Dispatch → en route", "dispatch_to_en_route"),
                                ("En route → on scene", "en_route_to_on_scene"),
                                ("On scene → clear", "on_scene_to_clear")))
        return f"<table cellspacing='0'>{head}{rows}</table>"

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
