"""HistoryView on a real store (SQLite and PostgreSQL) with a real map page."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from sqlalchemy import select

from console.domain.permissions import Role
from console.store.models import AuditLogRow
from console.store.store import Store
from console.ui.desk.history_model import COLUMNS
from console.ui.desk.history_view import HistoryView
from tests.desk_views.conftest import dispose, make_ctx
from tests.desk_views.data import LAT0, LON0, Spec, add_incidents, grid
from tests.desk_views.test_desk_map import SCREENSHOTS, click_at, js, state

SENSOR_WORDS = ("sensor", "serial")


def searched(qtbot, view: HistoryView, action: Callable[[], Any]) -> tuple[int, int]:
    """Do ``action`` and wait until its search is in the table and drawn on the map."""
    with qtbot.waitSignal(view.results_shown, timeout=30000) as shown:
        action()
    qtbot.waitUntil(lambda: view.map.is_drawn, timeout=30000)
    return tuple(shown.args)


def open_view(qtbot, ctx, **kwargs: Any) -> HistoryView:
    view = HistoryView(ctx, **kwargs)
    view.resize(1400, 800)
    searched(qtbot, view, lambda: (view.show(), view.filters.period.set_preset("All time")))
    return view


@pytest.fixture
def crafted(store: Store) -> list[Spec]:
    specs = grid(36) + [
        Spec("FAR-1", 60.1760, 24.9500, district="Kamppi", beat="KAM-2",
             address="Annankatu 5", type="gunshot_or_firecracker", minutes=100),
        Spec("FAR-2", 60.1765, 24.9505, district="Kamppi", beat="KAM-3",
             address="Eerikinkatu 9", review="cancelled", minutes=101,
             status="clear", disposition="unfounded"),
    ]
    add_incidents(store, specs)
    return specs


@pytest.fixture
def view(qtbot, desk_ctx, crafted) -> HistoryView:
    widget = open_view(qtbot, desk_ctx)
    yield widget
    dispose(qtbot, widget)


def table_ids(view: HistoryView) -> list[str]:
    return view.model.ids()


def test_search_fills_the_table_the_map_and_the_count(qtbot, view, crafted) -> None:
    assert view.model.rowCount() == len(crafted) == 38
    assert view.count_label.text() == "38 incidents"
    assert table_ids(view)[:2] == ["FAR-2", "FAR-1"]  # newest first
    page = state(qtbot, view.map)
    assert page["points"] == 38 and page["clustered"] == 38
    # districts and beats come from the store
    qtbot.waitUntil(lambda: view.filters.districts.options() == ["Kamppi", "Kluuvi"])
    searched(qtbot, view, lambda: view.filters.districts.set_selected(["Kamppi"]))
    assert sorted(table_ids(view)) == ["FAR-1", "FAR-2"]
    assert view.filters.beats.options() == ["KAM-2", "KAM-3"]
    assert state(qtbot, view.map)["points"] == 2
    searched(qtbot, view, lambda: view.filters.districts.set_selected([]))
    qtbot.wait(500)  # tiles under the clusters
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert view.grab().save(str(SCREENSHOTS / "desk_history.png"))


def test_type_review_disposition_and_text_filters(qtbot, view) -> None:
    searched(qtbot, view, lambda: view.filters.types.set_selected(["gunshot_or_firecracker"]))
    assert table_ids(view) == ["FAR-1"]
    searched(qtbot, view, lambda: view.filters.types.set_selected([]))
    searched(qtbot, view, lambda: view.filters.reviews.set_selected(["cancelled"]))
    assert table_ids(view) == ["FAR-2"]
    searched(qtbot, view, lambda: view.filters.reviews.set_selected([]))
    searched(qtbot, view, lambda: view.filters.dispositions.set_selected(["unfounded"]))
    assert table_ids(view) == ["FAR-2"]
    searched(qtbot, view, lambda: view.filters.dispositions.set_selected([]))
    view.filters.text.setText("eerikinkatu")
    searched(qtbot, view, view.filters.text.returnPressed.emit)
    assert table_ids(view) == ["FAR-2"]
    assert view.count_label.text() == "1 incident"


def test_count_says_how_many_rows_are_shown_of_all_matches(qtbot, desk_ctx, crafted) -> None:
    view = open_view(qtbot, desk_ctx, limit=10)
    try:
        assert view.count_label.text() == "38 incidents (showing 10)"
        assert view.model.rowCount() == 10
        assert state(qtbot, view.map)["points"] == 38  # the map shows every match
    finally:
        dispose(qtbot, view)


def test_polygon_drawn_on_the_map_filters_the_search(qtbot, view, crafted) -> None:
    # a box over part of the grid, its edges midway between grid lines (about 22 m away)
    south, north = LAT0 - 0.0012, LAT0 + 0.0004
    west, east = LON0 - 0.0024, LON0 + 0.0016
    inside = sorted(s.id for s in crafted if south < s.lat < north and west < s.lon < east)
    assert 4 <= len(inside) < 30
    view.filters.draw_button.click()
    qtbot.waitUntil(lambda: state(qtbot, view.map)["drawing"])
    corners = [(south, west), (north, west), (north, east), (south, east)]
    for lat, lon in corners[:-1]:
        click_at(qtbot, view.map, '["click"]', lat, lon)
    searched(qtbot, view, lambda: click_at(qtbot, view.map, '["click", "click", "dblclick"]',
                                           *corners[-1]))
    assert len(view.filters.polygon) == 4
    assert view.filters.polygon[0] == pytest.approx(corners[0], abs=5e-5)
    assert sorted(table_ids(view)) == inside
    assert state(qtbot, view.map)["points"] == len(inside)
    assert not view.filters.draw_button.isChecked()
    assert view.filters.area_label.text() == "drawn area, 4 corners"
    searched(qtbot, view, view.filters.clear_area_button.click)
    assert view.model.rowCount() == 38
    qtbot.waitUntil(lambda: state(qtbot, view.map)["area"] is None)


def test_map_click_selects_the_row_and_a_row_selects_the_map(qtbot, desk_ctx, store) -> None:
    add_incidents(store, grid(400, step=0.00008))
    view = open_view(qtbot, desk_ctx)
    try:
        target = "G-0007"  # the oldest rows: at the bottom of the table, out of sight
        x, y = js(qtbot, view.map, f"window.macDesk.reveal('{target}')")
        with qtbot.waitSignal(view.map.incident_selected, timeout=10000):
            QTest.mouseClick(view.map._view.focusProxy(), Qt.MouseButton.LeftButton,
                             pos=QPoint(round(x), round(y)))
        assert view.selected_id() == target
        row = view.model.row_of(target)
        rect = view.table.visualRect(view.model.index(row, 0))
        assert view.table.viewport().rect().intersects(rect)  # scrolled into view

        other = view.model.incident(3).id
        view.table.selectRow(3)
        qtbot.waitUntil(lambda: state(qtbot, view.map)["selected"] == other)
        spec = next(s for s in grid(400, step=0.00008) if s.id == other)
        assert state(qtbot, view.map)["ring"] == pytest.approx([spec.lat, spec.lon], abs=1e-6)
    finally:
        dispose(qtbot, view)


def test_enter_and_double_click_open_the_incident(qtbot, view) -> None:
    view.table.selectRow(2)
    wanted = view.model.incident(2).id
    view.table.setFocus()
    with qtbot.waitSignal(view.incident_opened, timeout=5000) as opened:
        QTest.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [wanted]
    rect = view.table.visualRect(view.model.index(4, 1))
    with qtbot.waitSignal(view.incident_opened, timeout=5000) as opened:
        # what a real double-click sends: a click, then the second press as a double-click
        QTest.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        QTest.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [view.model.incident(4).id]


def test_sorting_the_table_and_asking_the_service_when_rows_are_cut(qtbot, desk_ctx,
                                                                    crafted) -> None:
    view = open_view(qtbot, desk_ctx, limit=10)
    try:
        by_address = sorted(crafted, key=lambda s: (s.address or f"near {s.id} street", s.id))
        column = [key for key, _ in COLUMNS].index("address")
        with qtbot.waitSignal(view.model.modelReset, timeout=20000):
            view.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
        want = [s.id for s in by_address[:10]]
        assert table_ids(view) == want  # the first ten of all 38 by address, not of the ten
        assert view.count_label.text() == "38 incidents (showing 10)"
        view.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # by id
        qtbot.waitUntil(lambda: table_ids(view) == sorted(s.id for s in crafted)[::-1][:10],
                        timeout=20000)
    finally:
        dispose(qtbot, view)


def test_sorting_all_rows_in_the_table(qtbot, view, crafted) -> None:
    view.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    assert table_ids(view) == sorted(s.id for s in crafted)
    view.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)  # type, ties by id
    types = [view.model.incident(r).type for r in range(view.model.rowCount())]
    assert types == sorted(types, reverse=True)
    assert view.model.index(0, 2).data() == "Single gunshot"


def test_csv_export_writes_every_match_without_sensor_fields(qtbot, desk_ctx, crafted,
                                                             tmp_path: Path) -> None:
    view = open_view(qtbot, desk_ctx, limit=5)
    try:
        searched(qtbot, view, lambda: view.filters.districts.set_selected(["Kluuvi"]))
        target = tmp_path / "search.csv"
        with qtbot.waitSignal(view.exported, timeout=30000) as exported:
            view.export_csv(target)
        assert exported.args == [36]
        with target.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        assert [r["id"] for r in rows] == [s.id for s in crafted if s.district == "Kluuvi"][::-1]
        header = list(rows[0])
        assert "id" in header and "lat" in header and "district" in header
        assert not any(w in h.lower() for h in header for w in SENSOR_WORDS)
        assert view.status_label.text() == "Exported 36 incidents to search.csv."
        assert "export_search_csv" in _audit_actions(desk_ctx)
    finally:
        dispose(qtbot, view)


def test_export_can_be_cancelled_and_leaves_no_file(qtbot, desk_ctx, store,
                                                    tmp_path: Path) -> None:
    add_incidents(store, grid(2500, step=0.00002))
    view = open_view(qtbot, desk_ctx, limit=100)
    try:
        out = tmp_path / "out"
        out.mkdir()
        target = out / "big.csv"
        job = view.export_csv(target)
        assert job is not None and view.cancel_export_button.isVisibleTo(view)
        view.cancel_export_button.click()  # before the first 1,000 rows are written
        qtbot.waitUntil(lambda: view.export_button.isEnabled(), timeout=30000)
        assert view.status_label.text() == "Export cancelled; no file was written."
        assert list(out.iterdir()) == []  # no file, no half-written temporary either
        with qtbot.waitSignal(view.exported, timeout=30000) as exported:
            view.export_csv(target)  # and the next export works
        assert exported.args == [2500]
    finally:
        dispose(qtbot, view)


def test_map_layer_switches_and_fit(qtbot, view) -> None:
    view.heat_box.setChecked(True)
    qtbot.waitUntil(lambda: state(qtbot, view.map)["heat"])
    view.markers_box.setChecked(False)
    qtbot.waitUntil(lambda: state(qtbot, view.map)["visibleTotal"] == 0)
    view.markers_box.setChecked(True)
    js(qtbot, view.map, "window.macDesk.map.setView([60.1785, 24.9360], 18), true")
    view.fit_button.click()
    qtbot.waitUntil(lambda: state(qtbot, view.map)["visibleTotal"] == 38)


def _audit_actions(ctx) -> list[str]:
    with ctx.store._read() as s:
        return list(s.scalars(select(AuditLogRow.action)))


def test_a_refused_search_is_shown_in_the_view_and_audited(qtbot, store, crafted,
                                                           tmp_path: Path) -> None:
    ctx = make_ctx(store, Role.OFFICER)
    view = HistoryView(ctx)
    try:
        view.show()
        qtbot.waitUntil(lambda: view.status_label.text().startswith("Not allowed"),
                        timeout=20000)
        assert view.model.rowCount() == 0
        assert "search_history" in _audit_actions(ctx)
        view.filters.period.set_preset("All time")  # the view keeps working
        qtbot.waitUntil(lambda: view.status_label.text().startswith("Not allowed"))
        assert not view.export_button.isEnabled()  # offered to no officer...
        view._set_status("")
        view.export_csv(tmp_path / "x.csv")  # ...and refused by the service all the same
        qtbot.waitUntil(lambda: view.status_label.text().startswith("Not allowed"),
                        timeout=20000)
        assert "export_report" in _audit_actions(ctx) and not (tmp_path / "x.csv").exists()
    finally:
        dispose(qtbot, view)


def test_a_locked_session_is_said_plainly(qtbot, desk_ctx, crafted) -> None:
    view = open_view(qtbot, desk_ctx)
    try:
        desk_ctx.session.lock()
        view.search()
        assert "locked" in view.status_label.text()
        assert view.model.rowCount() == 38  # what was shown stays
    finally:
        dispose(qtbot, view)
