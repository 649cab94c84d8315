"""The desk's filter widgets: periods as whole local days, multi-value choices."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from PySide6.QtCore import QDate

from console.ui.desk.history_filters import (
    HISTORY_PERIODS,
    ChoiceButton,
    HistoryFilterBar,
    PeriodPicker,
)


def _midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


def test_custom_days_are_whole_local_days_end_exclusive(qtbot) -> None:
    picker = PeriodPicker(HISTORY_PERIODS, "Last 30 days")
    qtbot.addWidget(picker)
    with qtbot.waitSignal(picker.changed, timeout=2000):
        picker.set_days(date(2026, 3, 1), date(2026, 3, 31))
    assert picker.preset.currentText() == "Custom"
    assert picker.range() == (_midnight_utc(date(2026, 3, 1)), _midnight_utc(date(2026, 4, 1)))
    picker.set_preset("All time")
    assert picker.range() == (None, None)
    assert not picker.start_edit.isEnabled()


def test_typing_dates_sends_one_change_when_the_keys_stop(qtbot) -> None:
    picker = PeriodPicker(HISTORY_PERIODS, "Last 7 days")
    qtbot.addWidget(picker)
    changes: list[bool] = []
    picker.changed.connect(lambda: changes.append(True))
    for day in (1, 2, 3):
        picker.start_edit.setDate(QDate(2026, 2, day))
    assert changes == []
    qtbot.waitUntil(lambda: changes == [True], timeout=3000)
    qtbot.wait(600)
    assert changes == [True]
    assert picker.preset.currentText() == "Custom"
    assert picker.range()[0] == _midnight_utc(date(2026, 2, 3))


def test_choices_keep_what_is_still_offered(qtbot) -> None:
    button = ChoiceButton("All beats")
    qtbot.addWidget(button)
    button.set_options([("A-1", "A-1"), ("A-2", "A-2"), ("B-1", "B-1")])
    assert button.selected() == () and button.text() == "All beats"
    button.set_selected(["A-2", "B-1"])
    assert button.text() == "A-2, B-1"
    button.set_options([("B-1", "B-1"), ("B-2", "B-2")])
    assert button.selected() == ("B-1",)


def test_beats_follow_the_chosen_districts_and_the_query_has_every_filter(qtbot) -> None:
    bar = HistoryFilterBar()
    qtbot.addWidget(bar)
    bar.set_areas({"Kamppi": ["KAM-1", "KAM-2"], "Kluuvi": ["KLU-1"]})
    assert bar.beats.options() == ["KAM-1", "KAM-2", "KLU-1"]
    bar.districts.set_selected(["Kluuvi"])
    assert bar.beats.options() == ["KLU-1"]
    bar.types.set_selected(["probable_gunfire"])
    bar.text.setText("  annankatu ")
    bar.set_polygon([(60.1, 24.9), (60.2, 24.9), (60.2, 25.0)])
    query = bar.query_kwargs()
    assert query["districts"] == ("Kluuvi",) and query["types"] == ("probable_gunfire",)
    assert query["text"] == "annankatu" and len(query["polygon"]) == 3
    assert bar.clear_area_button.isVisibleTo(bar)
    bar.clear_polygon()
    assert bar.query_kwargs()["polygon"] == () and not bar.clear_area_button.isVisibleTo(bar)
