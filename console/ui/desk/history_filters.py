"""Filter widgets of the desk's history and statistics views.

- :func:`period_range` turns a named period ("Last 30 days", "This year", ...) into
  local calendar days; :class:`PeriodPicker` shows the presets with from/to dates and
  gives ``[start, end)`` in UTC.
- :class:`ChoiceButton` picks any number of values from a menu ("All types" when none).
- :class:`HistoryFilterBar` holds every history filter and gives the ``HistoryQuery``
  keyword arguments; it says :attr:`HistoryFilterBar.changed` when one changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.alert import AlertType, Review
from console.domain.workflow import Disposition
from console.ui.desk.history_model import label

__all__ = ["HISTORY_PERIODS", "STATS_PERIODS", "ChoiceButton", "HistoryFilterBar",
           "PeriodPicker", "period_range"]

HISTORY_PERIODS = ("Last 7 days", "Last 30 days", "Last 90 days", "This year",
                   "Previous year", "Last 7 years", "All time", "Custom")
STATS_PERIODS = ("Last 30 days", "This year", "Previous year", "Custom")


def period_range(name: str, today: date) -> tuple[date, date] | None:
    """First and last calendar day (inclusive) of period ``name``; None for "All time"."""
    if name.startswith("Last ") and name.endswith(" days"):
        return today - timedelta(days=int(name.split()[1]) - 1), today
    if name == "Last 7 years":
        return today.replace(year=today.year - 7) + timedelta(days=1), today
    if name == "This year":
        return date(today.year, 1, 1), today
    if name == "Previous year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if name == "All time":
        return None
    raise ValueError(f"unknown period {name!r}")


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


class PeriodPicker(QWidget):
    """A period preset with its from/to days; :meth:`range` is ``[start, end)`` in UTC."""

    changed = Signal()

    def __init__(self, presets: Sequence[str], initial: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preset = QComboBox(objectName="period_preset")
        self.preset.addItems(list(presets))
        self.start_edit = QDateEdit(objectName="period_from", calendarPopup=True)
        self.end_edit = QDateEdit(objectName="period_to", calendarPopup=True)
        for edit in (self.start_edit, self.end_edit):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(self._on_date_edited)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (QLabel("Period"), self.preset, QLabel("from"), self.start_edit,
                       QLabel("to"), self.end_edit):
            layout.addWidget(widget)
        self._applying = False
        # typing a date sends one change once the keys stop, not one per key
        self._edit_timer = QTimer(self, singleShot=True, interval=400)
        self._edit_timer.timeout.connect(self.changed)
        self.preset.currentTextChanged.connect(self._on_preset)
        self.preset.setCurrentText(initial)
        self._on_preset(initial)

    def set_preset(self, name: str) -> None:
        self.preset.setCurrentText(name)

    def set_days(self, first: date, last: date) -> None:
        """A custom period of whole local days, ``first`` to ``last`` inclusive."""
        self._applying = True
        self.start_edit.setDate(QDate(first.year, first.month, first.day))
        self.end_edit.setDate(QDate(last.year, last.month, last.day))
        self._applying = False
        self.preset.blockSignals(True)
        self.preset.setCurrentText("Custom")
        self.preset.blockSignals(False)
        self._set_enabled(True)
        self._edit_timer.stop()
        self.changed.emit()

    def range(self) -> tuple[datetime | None, datetime | None]:
        """``(start, end)`` aware UTC, end exclusive; ``(None, None)`` for "All time"."""
        if self.preset.currentText() == "All time":
            return None, None
        first = self.start_edit.date().toPython()
        last = self.end_edit.date().toPython()
        if last < first:
            first, last = last, first
        return _local_midnight_utc(first), _local_midnight_utc(last + timedelta(days=1))

    def _set_enabled(self, on: bool) -> None:
        self.start_edit.setEnabled(on)
        self.end_edit.setEnabled(on)

    def _on_preset(self, name: str) -> None:
        if name == "Custom":
            self._set_enabled(True)
            self.changed.emit()
            return
        self._edit_timer.stop()
        days = period_range(name, date.today())
        self._set_enabled(days is not None)
        if days is not None:
            self._applying = True
            self.start_edit.setDate(QDate(days[0].year, days[0].month, days[0].day))
            self.end_edit.setDate(QDate(days[1].year, days[1].month, days[1].day))
            self._applying = False
        self.changed.emit()

    def _on_date_edited(self) -> None:
        if self._applying:
            return
        self.preset.blockSignals(True)
        self.preset.setCurrentText("Custom")
        self.preset.blockSignals(False)
        self._edit_timer.start()


class ChoiceButton(QToolButton):
    """Any number of values from a menu of checkable entries; none chosen means all."""

    changed = Signal()

    def __init__(self, all_text: str, parent: QWidget | None = None, **qt: Any) -> None:
        super().__init__(parent, **qt)
        self._all_text = all_text
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setMenu(QMenu(self))
        self.setText(all_text)

    def set_options(self, options: Iterable[tuple[str, str]]) -> None:
        """``(value, label)`` entries; values chosen before stay chosen if still offered."""
        keep = set(self.selected())
        menu = self.menu()
        menu.clear()
        for value, text in options:
            action = menu.addAction(text)
            action.setCheckable(True)
            action.setData(value)
            action.setChecked(value in keep)
            action.toggled.connect(self._on_toggled)
        self._update_text()

    def options(self) -> list[str]:
        return [a.data() for a in self.menu().actions()]

    def selected(self) -> tuple[str, ...]:
        return tuple(a.data() for a in self.menu().actions() if a.isChecked())

    def set_selected(self, values: Iterable[str]) -> None:
        wanted = set(values)
        for action in self.menu().actions():
            action.blockSignals(True)
            action.setChecked(action.data() in wanted)
            action.blockSignals(False)
        self._on_toggled()

    def _on_toggled(self, *_args: Any) -> None:
        self._update_text()
        self.changed.emit()

    def _update_text(self) -> None:
        chosen = [a.text() for a in self.menu().actions() if a.isChecked()]
        if not chosen:
            self.setText(self._all_text)
        elif len(chosen) <= 2:
            self.setText(", ".join(chosen))
        else:
            self.setText(f"{len(chosen)} chosen")


def _coded(values: Iterable[str]) -> list[tuple[str, str]]:
    return [(str(v), label(str(v))) for v in values]


class HistoryFilterBar(QWidget):
    """Every history filter; :meth:`query_kwargs` gives them as ``HistoryQuery`` fields.

    The area filter is the polygon drawn on the map (set by the view); "Draw area"
    asks the view to start drawing through :attr:`draw_requested`.
    """

    changed = Signal()
    #: True: start drawing an area on the map; False: stop drawing
    draw_requested = Signal(bool)
    area_cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.period = PeriodPicker(HISTORY_PERIODS, "Last 30 days")
        self.districts = ChoiceButton("All districts", objectName="filter_districts")
        self.beats = ChoiceButton("All beats", objectName="filter_beats")
        self.types = ChoiceButton("All types", objectName="filter_types")
        self.types.set_options(_coded(AlertType))
        self.reviews = ChoiceButton("Any review", objectName="filter_reviews")
        self.reviews.set_options(_coded(Review))
        self.dispositions = ChoiceButton("Any disposition", objectName="filter_dispositions")
        self.dispositions.set_options(_coded(Disposition))
        self.text = QLineEdit(objectName="filter_text", clearButtonEnabled=True)
        self.text.setPlaceholderText("Id, address, district, beat, notes…")
        self.draw_button = QPushButton("Draw area", objectName="draw_area", checkable=True)
        self.draw_button.setToolTip("Click the corners of an area on the map; "
                                    "double-click or Finish area closes it")
        self.clear_area_button = QPushButton("Clear area", objectName="clear_area")
        self.area_label = QLabel("", objectName="area_label")
        self._areas: dict[str, list[str]] = {}
        self._polygon: tuple[tuple[float, float], ...] = ()
        self._build()
        self._update_area()

    def _build(self) -> None:
        top, bottom = QHBoxLayout(), QHBoxLayout()
        top.addWidget(self.period)
        top.addSpacing(12)
        for widget in (QLabel("Area"), self.districts, self.beats, self.draw_button,
                       self.clear_area_button, self.area_label):
            top.addWidget(widget)
        top.addStretch(1)
        for widget in (QLabel("Type"), self.types, QLabel("Review"), self.reviews,
                       QLabel("Disposition"), self.dispositions, QLabel("Text")):
            bottom.addWidget(widget)
        bottom.addWidget(self.text, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(bottom)
        # typing waits for a pause; picking a value asks at once
        self._text_timer = QTimer(self, singleShot=True, interval=400)
        self._text_timer.timeout.connect(self.changed)
        self.text.textEdited.connect(lambda _t: self._text_timer.start())
        self.text.returnPressed.connect(self._text_now)
        for widget in (self.period, self.beats, self.types, self.reviews, self.dispositions):
            widget.changed.connect(self.changed)
        self.districts.changed.connect(self._on_districts)
        self.draw_button.clicked.connect(self._on_draw_clicked)
        self.clear_area_button.clicked.connect(self.clear_polygon)

    def _text_now(self) -> None:
        self._text_timer.stop()
        self.changed.emit()

    # -- areas -----------------------------------------------------------------------

    def set_areas(self, areas: dict[str, list[str]]) -> None:
        """Offer these districts (each with its beats), as the service's ``areas()``."""
        self._areas = {str(d): [str(b) for b in beats] for d, beats in areas.items()}
        self.districts.blockSignals(True)
        self.districts.set_options([(d, d) for d in self._areas])
        self.districts.blockSignals(False)
        self._offer_beats()

    def _offer_beats(self) -> None:
        chosen = self.districts.selected() or tuple(self._areas)
        beats = sorted({b for d in chosen for b in self._areas.get(d, ())})
        self.beats.blockSignals(True)
        self.beats.set_options([(b, b) for b in beats])
        self.beats.blockSignals(False)

    def _on_districts(self) -> None:
        self._offer_beats()
        self.changed.emit()

    # -- drawn area --------------------------------------------------------------------

    @property
    def polygon(self) -> tuple[tuple[float, float], ...]:
        return self._polygon

    def set_polygon(self, ring: Sequence[tuple[float, float]]) -> None:
        """The area drawn on the map (empty: none); the search runs again."""
        self._polygon = tuple((float(lat), float(lon)) for lat, lon in ring)
        self.draw_button.setChecked(False)
        self._update_area()
        self.changed.emit()

    def clear_polygon(self) -> None:
        had = bool(self._polygon)
        self._polygon = ()
        self._update_area()
        self.area_cleared.emit()
        if had:
            self.changed.emit()

    def drawing_ended(self) -> None:
        self.draw_button.setChecked(False)

    def _on_draw_clicked(self, checked: bool) -> None:
        self.draw_requested.emit(checked)

    def _update_area(self) -> None:
        n = len(self._polygon)
        self.area_label.setText(f"drawn area, {n} corners" if n else "")
        self.clear_area_button.setVisible(bool(n))

    # -- the query ---------------------------------------------------------------------

    def query_kwargs(self) -> dict[str, Any]:
        start, end = self.period.range()
        return {
            "start": start, "end": end,
            "districts": self.districts.selected(), "beats": self.beats.selected(),
            "polygon": self._polygon, "types": self.types.selected(),
            "reviews": self.reviews.selected(), "dispositions": self.dispositions.selected(),
            "text": self.text.text().strip(),
        }
