"""``CanvassPanel``: door-to-door canvass of the selected incident, built for a moving car.

Logging a door takes two taps: the address (the list or its dot on the map), then the
outcome. Details (what was heard, a note, a witness) are optional and filled in before
the outcome tap. After each result the list moves on to the next door not yet visited,
so the next result is one tap. A recorded witness is shown masked until tapped.
The panel is a view: the :class:`CanvassController` does the work off the GUI thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.domain.canvass import (
    EvidenceKind,
    HeardShots,
    Outcome,
    Witness,
    address_label,
    mask,
    step_radius,
)
from console.ui.canvass_controller import CanvassController, CanvassState
from console.ui.canvass_model import OUTCOME_COLOURS, CanvassAddressModel

__all__ = ["CanvassPanel", "canvass_map_payload"]

BUTTON_HEIGHT = 52
REVEAL_MS = 8000  # a revealed witness is masked again after this long
_DIRECTIONS = ("from: —", "N", "NE", "E", "SE", "S", "SW", "W", "NW", "overhead / near")
_EVIDENCE_TEXT = {EvidenceKind.CASINGS: "Casings", EvidenceKind.WEAPON: "Weapon",
                  EvidenceKind.DAMAGE: "Damage", EvidenceKind.BLOOD: "Blood",
                  EvidenceKind.OTHER: "Other"}


def canvass_map_payload(state: CanvassState, selected: str | None, *,
                        fit: bool = False) -> dict[str, Any]:
    """The state as :meth:`QtAlertMap.show_canvass` takes it."""
    p = state.progress
    return {
        "incident_id": state.incident_id,
        "outline": [list(pt) for pt in state.area.outline()],
        "addresses": [{"key": a.id, "lat": a.lat, "lon": a.lon, "label": address_label(a),
                       "outcome": None if a.id not in state.outcomes
                       else str(state.outcomes[a.id])} for a in state.addresses],
        "evidence": [{"kind": str(e.kind), "lat": e.lat, "lon": e.lon, "count": e.count,
                      "label": _EVIDENCE_TEXT[e.kind] + (f" ×{e.count}" if e.count else "")}
                     for e in state.evidence],
        "progress": {"visited": p.visited, "total": p.total},
        "selected": selected, "fit": fit,
    }


def _button(text: str, name: str, *, checkable: bool = False) -> QPushButton:
    b = QPushButton(text)
    b.setObjectName(name)
    b.setMinimumHeight(BUTTON_HEIGHT)
    b.setCheckable(checkable)
    return b


class CanvassPanel(QWidget):
    """The canvass of one incident: area, doors in walking order, outcomes, evidence."""

    status_changed = Signal(str)

    def __init__(self, controller: CanvassController, map_widget: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvassPanel")
        # narrow side panel: the theme's wide button padding would clip the outcome labels
        self.setStyleSheet("#canvassPanel QPushButton { padding: 0 6px; }")
        self.controller, self.map = controller, map_widget
        self.model = CanvassAddressModel(self)
        self.state: CanvassState | None = None
        self._pending_kind: EvidenceKind | None = None
        self._advance_after: int | None = None
        self._fit = False
        self._mask_timer = QTimer(self)
        self._mask_timer.setSingleShot(True)
        self._mask_timer.setInterval(REVEAL_MS)
        self._mask_timer.timeout.connect(lambda: self._show_witness(reveal=False))
        self._build()
        controller.state_changed.connect(self._on_state)
        controller.failed.connect(self._on_failed)
        if map_widget is not None and hasattr(map_widget, "canvass_address_clicked"):
            map_widget.canvass_address_clicked.connect(self.select_address)
            map_widget.canvass_polygon_drawn.connect(self._on_polygon_drawn)
            map_widget.canvass_point_picked.connect(self._on_point_picked)

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel("<b>Canvass</b>")
        self.title.setObjectName("canvassTitle")
        self.progress_label = QLabel("—")
        self.progress_label.setObjectName("canvassProgress")
        self.progress_label.setStyleSheet("font-size: 15pt; font-weight: bold")
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.progress_label)
        root.addLayout(head)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("canvassProgressBar")
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(8)
        root.addWidget(self.progress_bar)
        root.addLayout(self._area_row())

        self.list = QListView()
        self.list.setObjectName("canvassAddresses")
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)
        self.list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list.setMinimumHeight(3 * 58)  # three doors at least, details open or not
        self.list.selectionModel().currentChanged.connect(self._on_current_changed)
        root.addWidget(self.list, 1)

        self.selected_label = QLabel("Tap an address, then its result.")
        self.selected_label.setObjectName("canvassSelected")
        self.selected_label.setWordWrap(True)
        self.witness_button = _button("", "witnessButton")
        self.witness_button.setToolTip("Sensitive: tap to show for a few seconds")
        self.witness_button.clicked.connect(lambda: self._show_witness(reveal=True))
        self.witness_button.hide()
        root.addWidget(self.selected_label)
        root.addWidget(self.witness_button)
        root.addLayout(self._outcome_grid())
        root.addWidget(self._details_box())
        root.addLayout(self._evidence_row())
        self.status = QLabel("")
        self.status.setObjectName("canvassStatus")
        self.status.setWordWrap(True)
        # two lines always: a longer message must not resize the window under a finger
        self.status.setFixedHeight(2 * self.status.fontMetrics().lineSpacing() + 4)
        root.addWidget(self.status)
        self._enable_outcomes(False)

    def _area_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.radius_minus = _button("−", "radiusMinus")
        self.radius_plus = _button("+", "radiusPlus")
        for b in (self.radius_minus, self.radius_plus):
            b.setFixedWidth(BUTTON_HEIGHT)
        self.radius_label = QLabel("150 m")
        self.radius_label.setObjectName("radiusLabel")
        self.radius_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.radius_label.setMinimumWidth(70)
        self.radius_minus.clicked.connect(lambda: self._step_radius(-1))
        self.radius_plus.clicked.connect(lambda: self._step_radius(+1))
        self.draw_button = _button("✎ Draw area", "drawButton", checkable=True)
        self.draw_button.toggled.connect(self._on_draw_toggled)
        for w in (self.radius_minus, self.radius_label, self.radius_plus):
            row.addWidget(w)
        row.addWidget(self.draw_button, 1)
        return row

    def _outcome_grid(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(4)
        self.outcome_buttons: dict[Outcome, QPushButton] = {}
        for i, outcome in enumerate(Outcome):
            b = _button(outcome.label, f"outcome_{outcome.value}")
            b.setStyleSheet(f"border-left: 6px solid {OUTCOME_COLOURS[outcome]};")
            b.clicked.connect(lambda _=False, o=outcome: self.record(o))
            self.outcome_buttons[outcome] = b
            grid.addWidget(b, i // 2, i % 2)
        self.details_toggle = _button("Details…", "detailsToggle", checkable=True)
        grid.addWidget(self.details_toggle, len(Outcome) // 2, len(Outcome) % 2)
        return grid

    def _details_box(self) -> QWidget:
        box = QWidget()
        box.setObjectName("canvassDetails")
        form = QGridLayout(box)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(4)
        self.heard_time = QLineEdit()
        self.heard_time.setPlaceholderText("e.g. about 02:10")
        self.heard_count = QSpinBox()
        self.heard_count.setRange(0, 100)
        self.heard_count.setSpecialValueText("shots heard: —")
        self.heard_direction = QComboBox()
        self.heard_direction.addItems(_DIRECTIONS)
        self.note = QLineEdit()
        self.witness_name = QLineEdit()
        self.witness_contact = QLineEdit()
        self.heard_time.setToolTip("When the shots were heard")
        self.heard_count.setToolTip("How many shots were heard")
        self.heard_count.setPrefix("shots: ")
        self.heard_direction.setToolTip("Where the shots came from")
        self.note.setPlaceholderText("note")
        fields = ((self.heard_time, self.heard_count), (self.heard_direction, self.note),
                  (self.witness_name, self.witness_contact))
        for row, pair in enumerate(fields):
            for col, w in enumerate(pair):
                w.setMinimumHeight(40)
                form.addWidget(w, row, col)
        self.witness_name.setPlaceholderText("witness name (stays in this car)")
        self.witness_contact.setPlaceholderText("contact (stays in this car)")
        box.setVisible(False)
        self.details_toggle.toggled.connect(box.setVisible)
        self.details = box
        return box

    def _evidence_row(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(4)
        title = QLabel("Pin evidence on the map:")
        grid.addWidget(title, 0, 0, 1, 3)
        self.evidence_count = QSpinBox()
        self.evidence_count.setObjectName("evidenceCount")
        self.evidence_count.setRange(0, 500)
        self.evidence_count.setSpecialValueText("count")
        self.evidence_count.setToolTip("How many (casings); leave at 'count' for none")
        self.evidence_count.setMinimumHeight(BUTTON_HEIGHT)
        self.evidence_buttons: dict[EvidenceKind, QPushButton] = {}
        for i, kind in enumerate(EvidenceKind):
            b = _button(_EVIDENCE_TEXT[kind], f"evidence_{kind.value}")
            b.clicked.connect(lambda _=False, k=kind: self.pin_evidence(k))
            self.evidence_buttons[kind] = b
            grid.addWidget(b, 1 + i // 3, i % 3)
        grid.addWidget(self.evidence_count, 2, 2)
        return grid

    # -- public API -----------------------------------------------------------------------
    def open(self, incident_id: str, lat: float, lon: float) -> None:
        """Show the canvass of an incident (its area is created on first opening)."""
        if self.state is None or self.state.incident_id != incident_id:
            self.state = None
            self.model.set_addresses([], {})
            self._enable_outcomes(False)
        self.title.setText(f"<b>Canvass</b> · {incident_id}")
        self._fit = True
        self.controller.open(incident_id, lat, lon)

    @Slot(str)
    def select_address(self, key: str) -> None:
        row = self.model.row_of(key)
        if row is None:
            return
        index = self.model.index(row)
        self.list.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list.scrollTo(index)

    def selected_address(self) -> Any:
        index = self.list.currentIndex()
        return self.model.address_at(index.row()) if index.isValid() else None

    def record(self, outcome: Outcome) -> None:
        """Record ``outcome`` at the selected address with whatever details were filled in."""
        address = self.selected_address()
        if address is None or self.state is None:
            return
        heard = None
        if outcome is Outcome.HEARD_SHOTS or self.heard_time.text() or self.heard_count.value():
            heard = HeardShots(self.heard_time.text().strip() or None,
                               self.heard_count.value() or None,
                               self.heard_direction.currentText()
                               if self.heard_direction.currentIndex() > 0 else None)
        witness = Witness(self.witness_name.text().strip() or None,
                          self.witness_contact.text().strip() or None)
        self._advance_after = self.list.currentIndex().row()
        self.controller.record(address, outcome, heard=heard, note=self.note.text().strip(),
                               witness=witness)
        self._clear_details()
        self._set_status(f"{address_label(address)}: {outcome.label}")

    def pin_evidence(self, kind: EvidenceKind) -> None:
        """Ask for the position on the map (or use the selected door without a map)."""
        if self.state is None:
            return
        if self.map is None or not hasattr(self.map, "set_canvass_pick"):
            a = self.selected_address()
            lat, lon = (a.lat, a.lon) if a else (self.state.area.center_lat,
                                                 self.state.area.center_lon)
            self._add_evidence(kind, lat, lon)
            return
        self._pending_kind = kind
        self.draw_button.setChecked(False)
        self.map.set_canvass_pick("point")
        self._set_status(f"Tap the map where the {_EVIDENCE_TEXT[kind].lower()} lie(s).")

    # -- slots ----------------------------------------------------------------------------
    @Slot(object)
    def _on_state(self, state: CanvassState) -> None:
        if self.controller.incident_id != state.incident_id:
            return  # an answer for an incident the officer has left
        keep = self.selected_address()
        self.state = state
        self.model.set_addresses(state.addresses, state.outcomes)
        p = state.progress
        self.progress_label.setText(f"{p.visited} / {p.total}")
        self.progress_label.setToolTip("doors visited / doors in the area")
        self.progress_bar.setRange(0, max(p.total, 1))
        self.progress_bar.setValue(p.visited)
        area = state.area
        self.radius_label.setText("drawn" if area.is_polygon else f"{area.radius_m:.0f} m")
        if self._advance_after is not None:
            nxt = self.model.next_unvisited(self._advance_after)
            self._advance_after = None
            if nxt is not None:
                self.select_address(self.model.address_at(nxt).id)
        elif keep is not None:
            self.select_address(keep.id)
        self._refresh_selected()
        self._push_map()

    @Slot(str)
    def _on_failed(self, reason: str) -> None:
        self._set_status(f"⚠ {reason}")

    def _on_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._refresh_selected()
        self._push_map()

    def _on_draw_toggled(self, on: bool) -> None:
        if self.map is None or not hasattr(self.map, "set_canvass_pick"):
            return
        self._pending_kind = None
        self.map.set_canvass_pick("polygon" if on else "")
        if on:
            self._set_status("Tap the corners of the area on the map; double-tap to close.")

    @Slot(list)
    def _on_polygon_drawn(self, points: list) -> None:
        self.draw_button.blockSignals(True)
        self.draw_button.setChecked(False)
        self.draw_button.blockSignals(False)
        if self.state is None:
            return
        self._fit = True
        self.controller.set_polygon(points)
        self._set_status(f"Area drawn ({len(points)} corners).")

    @Slot(float, float)
    def _on_point_picked(self, lat: float, lon: float) -> None:
        kind, self._pending_kind = self._pending_kind, None
        if kind is not None:
            self._add_evidence(kind, lat, lon)

    # -- helpers --------------------------------------------------------------------------
    def _add_evidence(self, kind: EvidenceKind, lat: float, lon: float) -> None:
        count = self.evidence_count.value() or None
        self.controller.add_evidence(kind, lat, lon, count=count)
        self.evidence_count.setValue(0)
        self._set_status(f"{_EVIDENCE_TEXT[kind]} pinned.")

    def _step_radius(self, direction: int) -> None:
        if self.state is None:
            return
        self._fit = True
        self.controller.set_radius(step_radius(self.state.area, direction))

    def _refresh_selected(self) -> None:
        a = self.selected_address()
        self._enable_outcomes(a is not None)
        if a is None or self.state is None:
            self.selected_label.setText("Tap an address, then its result.")
            self.witness_button.hide()
            return
        last = self.state.last_visit(a.id)
        text = f"<b>{address_label(a)}</b>"
        if last is not None:
            text += f"<br>Last: {last.outcome.label} at " \
                    f"{last.at.astimezone().strftime('%H:%M')} ({last.unit})"
        self.selected_label.setText(text)
        self._show_witness(reveal=False)

    def _show_witness(self, *, reveal: bool) -> None:
        a = self.selected_address()
        last = None if a is None or self.state is None else self.state.last_visit(a.id)
        w = last.witness if last is not None else None
        if not w:
            self.witness_button.hide()
            return
        parts = [w.name or "", w.contact or ""]
        shown = " · ".join(p for p in (parts if reveal else [mask(x) for x in parts]) if p)
        self.witness_button.setText(f"Witness: {shown}" + ("" if reveal else "  (tap to show)"))
        self.witness_button.show()
        if reveal:
            self._mask_timer.start()

    def _push_map(self) -> None:
        if self.map is None or self.state is None or not hasattr(self.map, "show_canvass"):
            return
        a = self.selected_address()
        self.map.show_canvass(canvass_map_payload(self.state, a.id if a else None,
                                                  fit=self._fit))
        self._fit = False

    def _enable_outcomes(self, on: bool) -> None:
        for b in self.outcome_buttons.values():
            b.setEnabled(on)

    def _clear_details(self) -> None:
        self.heard_time.clear()
        self.heard_count.setValue(0)
        self.heard_direction.setCurrentIndex(0)
        self.note.clear()
        self.witness_name.clear()
        self.witness_contact.clear()

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status_changed.emit(text)
