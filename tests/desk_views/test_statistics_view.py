"""StatisticsView on a real store (SQLite and PostgreSQL): the figures it shows are the
service's, in the table, the plots and the CSV."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from console.domain.permissions import Role
from console.services.statistics import area_statistics
from console.store.models import AuditLogRow
from console.store.store import Store
from console.ui.desk.history_filters import period_range
from console.ui.desk.statistics_view import StatisticsView, format_figure
from tests.desk_views.conftest import make_ctx
from tests.desk_views.data import LAT0, LON0, Spec, add_incidents
from tests.desk_views.test_desk_map import SCREENSHOTS


def _specs() -> list[Spec]:
    """Kluuvi: 3 alerts (2 cleared, 1 with evidence; 2 canvassed); Kamppi: 2 alerts."""
    return [
        Spec("K-1", LAT0, LON0, minutes=0, status="clear", disposition="evidence_found",
             en_route_s=60, on_scene_s=300, canvassed=True, evidence_found=True),
        Spec("K-2", LAT0, LON0, minutes=60 * 24, type="multiple_gunshots", status="clear",
             disposition="no_evidence", en_route_s=120, on_scene_s=420, canvassed=True),
        Spec("K-3", LAT0, LON0, minutes=60 * 48, type="probable_gunfire", status="on_scene",
             en_route_s=90, on_scene_s=360),
        Spec("M-1", LAT0, LON0, minutes=30, district="Kamppi", beat="KAM-1"),
        Spec("M-2", LAT0, LON0, minutes=90, district="Kamppi", beat="KAM-2",
             type="multiple_gunshots"),
    ]


@pytest.fixture
def stats(qtbot, desk_ctx, store: Store) -> StatisticsView:
    add_incidents(store, _specs())
    view = StatisticsView(desk_ctx)
    view.resize(1300, 850)
    view.show()
    with qtbot.waitSignal(view.report_shown, timeout=20000,
                          check_params_cb=lambda r: r.start.month == 11):
        view.period.set_days(date(2026, 11, 1), date(2026, 11, 30))
    yield view
    desk_ctx.wait()
    view.close()


def test_presets_name_calendar_days() -> None:
    today = date(2026, 11, 26)
    assert period_range("Last 30 days", today) == (date(2026, 10, 28), today)
    assert period_range("This year", today) == (date(2026, 1, 1), today)
    assert period_range("Previous year", today) == (date(2025, 1, 1), date(2025, 12, 31))
    assert period_range("All time", today) is None
    assert format_figure(245.4, "duration") == "4:05"
    assert format_figure(0.375, "share") == "37.5 %"
    assert format_figure(None, "share") == "\u2013"


def test_table_and_plots_show_the_services_figures(qtbot, stats, store) -> None:
    report = stats.report
    expected = area_statistics(store, report.start, report.end, group_by="district")
    assert [a.area for a in expected.areas] == ["Kamppi", "Kluuvi"]
    model = stats.model
    columns = [c[0] for c in model.columns()]
    assert model.rowCount() == 3  # two districts and the total
    for row, area in enumerate([*expected.areas, expected.total]):
        for field in ("area", "alerts", "dispatch_to_on_scene_median_s",
                      "canvass_completion", "evidence_found_rate"):
            assert model.value(row, field) == getattr(area, field)
    kluuvi = columns.index("dispatch_to_on_scene_median_s")
    assert model.index(1, kluuvi).data() == "6:00"  # median of 300, 360, 420 s
    assert model.index(1, columns.index("canvass_completion")).data() == "66.7 %"
    assert model.index(1, columns.index("evidence_found_rate")).data() == "50.0 %"
    assert model.index(2, columns.index("alerts")).data() == "5"
    assert model.index(0, columns.index("type:multiple_gunshots")).data() == "1"

    drawn = stats.plots.drawn
    assert drawn["alerts"] == {"multiple_gunshots": [1, 1], "probable_gunfire": [0, 1],
                               "single_gunshot": [1, 1]}
    assert drawn["response"]["dispatch_to_on_scene_median_s"] == [None, 360.0]
    assert drawn["rates"]["canvass_completion"] == [0.0, pytest.approx(2 / 3)]
    per_day = {area: sum(n for _, n in line) for area, line in drawn["timeline"].items()}
    assert per_day == {"Kamppi": 2, "Kluuvi": 3}
    assert stats.status_label.text() == "5 alerts in 2 areas."
    qtbot.wait(200)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert stats.grab().save(str(SCREENSHOTS / "desk_statistics.png"))


def test_group_by_beat_and_weekly_buckets(qtbot, stats) -> None:
    with qtbot.waitSignal(stats.report_shown, timeout=20000,
                          check_params_cb=lambda r: r.bucket == "week") as shown:
        stats.group_by.setCurrentIndex(stats.group_by.findData("beat"))
        stats.bucket.setCurrentIndex(stats.bucket.findData("week"))
    report = shown.args[0]
    assert report.group_by == "beat" and report.bucket == "week"
    assert [stats.model.value(r, "area") for r in range(stats.model.rowCount())] == [
        "KAM-1", "KAM-2", "KLU-1", "All areas"]
    starts = [t for t, _ in report.series["KLU-1"]]
    assert all(t.weekday() == 0 for t in starts)  # weeks from Monday
    assert sum(n for _, n in stats.plots.drawn["timeline"]["KLU-1"]) == 3


def test_csv_export_writes_the_report_and_is_audited(qtbot, stats, desk_ctx,
                                                     tmp_path: Path) -> None:
    target = tmp_path / "stats.csv"
    with qtbot.waitSignal(stats.exported, timeout=20000) as exported:
        stats.export_csv(target)
    assert exported.args == [3]
    with target.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["area"] for r in rows] == ["Kamppi", "Kluuvi", "All areas"]
    assert [r["alerts"] for r in rows] == ["2", "3", "5"]
    with desk_ctx.store._read() as s:
        actions = list(s.scalars(select(AuditLogRow.action)))
    assert "export_stats_csv" in actions


def test_an_empty_period_and_a_refusal_show_in_the_view(qtbot, store) -> None:
    add_incidents(store, _specs())
    ctx = make_ctx(store, Role.OFFICER)  # officers see no statistics
    view = StatisticsView(ctx)
    try:
        qtbot.waitUntil(lambda: view.status_label.text().startswith("Not allowed"),
                        timeout=20000)
        assert view.report is None and view.model.rowCount() == 0
        view.export_csv(Path("unused.csv"))
        assert view.status_label.text() == "Nothing to export yet."
    finally:
        ctx.wait()
        view.close()

    ctx = make_ctx(store)
    view = StatisticsView(ctx)
    try:
        with qtbot.waitSignal(view.report_shown, timeout=20000,
                              check_params_cb=lambda r: r.start.year == 2020):
            view.period.set_days(date(2020, 1, 1), date(2020, 1, 31))
        assert view.model.rowCount() == 1  # the total only
        assert view.model.value(0, "alerts") == 0
        assert view.status_label.text() == "0 alerts in 0 areas."
    finally:
        ctx.wait()
        view.close()

