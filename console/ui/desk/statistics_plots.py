"""The statistics view's four plots (pyqtgraph), drawn from one ``StatsReport``.

- alerts per area, stacked by type
- response times per area: dispatch to en route / on scene, median and 90th percentile
- canvass completion and evidence-found rate per area (per cent)
- alerts over time, one line per area

Each plot keeps what it drew in :attr:`StatisticsPlots.drawn` so tests and the view can
read the figures back without scraping pixels.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtWidgets import QGridLayout, QWidget

from console.ui.desk.history_model import label

__all__ = ["TIMELINE_LINES", "TYPE_COLOURS", "StatisticsPlots"]

TYPE_COLOURS = {
    "single_gunshot": "#d7263d", "multiple_gunshots": "#a4133c",
    "probable_gunfire": "#f46036", "gunshot_or_firecracker": "#c98a00",
}
_OTHER = "#7f7f7f"
#: most lines on the "alerts over time" plot (the quietest areas are summed into one)
TIMELINE_LINES = 6
_SERIES = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
           "#000000")
_RESPONSE = (("dispatch_to_en_route_median_s", "En route, median", "#56b4e9"),
             ("dispatch_to_en_route_p90_s", "En route, p90", "#0072b2"),
             ("dispatch_to_on_scene_median_s", "On scene, median", "#e69f00"),
             ("dispatch_to_on_scene_p90_s", "On scene, p90", "#d55e00"))
_RATES = (("canvass_completion", "Canvass completion", "#009e73"),
          ("evidence_found_rate", "Evidence found (of cleared)", "#cc79a7"))


def _plot(title: str, left: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(title=title)
    plot.setBackground("w")
    plot.showGrid(y=True, alpha=0.25)
    plot.setLabel("left", left)
    plot.setMouseEnabled(x=False, y=False)
    plot.addLegend(offset=(-8, 8), labelTextColor="#1b1b1b", brush=pg.mkBrush(255, 255, 255, 220))
    return plot


def _area_ticks(plot: pg.PlotWidget, names: list[str], top: float) -> None:
    plot.getAxis("bottom").setTicks([[(i, n) for i, n in enumerate(names)]])
    plot.setXRange(-0.6, max(len(names) - 0.4, 0.6), padding=0)
    plot.setYRange(0, max(top, 1.0) * 1.45, padding=0)  # headroom: the legend sits there


def _busiest(series: dict[str, list[tuple[Any, int]]], lines: int
             ) -> list[tuple[str, list[tuple[Any, int]]]]:
    """The ``lines - 1`` busiest areas by name, the rest summed as one "Other" line
    (sixteen beats as sixteen lines would hide every one of them)."""
    ranked = sorted(series, key=lambda a: (-sum(n for _, n in series[a]), a))
    if len(ranked) <= lines:
        return [(a, series[a]) for a in sorted(ranked)]
    keep, rest = sorted(ranked[:lines - 1]), ranked[lines - 1:]
    other = [(t, sum(series[a][i][1] for a in rest)) for i, (t, _) in enumerate(series[rest[0]])]
    return [*((a, series[a]) for a in keep), (f"Other ({len(rest)} areas)", other)]


class StatisticsPlots(QWidget):
    """Four plots in a 2 x 2 grid; :meth:`show_report` redraws them all."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alerts = _plot("Alerts per area by type", "alerts")
        self.response = _plot("Response times per area", "minutes")
        self.rates = _plot("Canvass and evidence per area", "per cent")
        self.timeline = pg.PlotWidget(title="Alerts over time",
                                      axisItems={"bottom": pg.DateAxisItem()})
        self.timeline.setBackground("w")
        self.timeline.showGrid(y=True, alpha=0.25)
        self.timeline.setLabel("left", "alerts")
        self.timeline.addLegend(offset=(-8, 8), labelTextColor="#1b1b1b",
                                brush=pg.mkBrush(255, 255, 255, 220))
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.alerts, 0, 0)
        layout.addWidget(self.response, 0, 1)
        layout.addWidget(self.rates, 1, 0)
        layout.addWidget(self.timeline, 1, 1)
        #: what each plot shows: {"alerts": {type: [per area]}, "response": {...}, ...}
        self.drawn: dict[str, Any] = {}

    def clear(self) -> None:
        for plot in (self.alerts, self.response, self.rates, self.timeline):
            plot.clear()
        self.drawn = {}

    def show_report(self, report: Any) -> None:
        self.clear()
        names = [a.area for a in report.areas]
        self._stacked_types(report, names)
        self._grouped(self.response, report, names, _RESPONSE, scale=1 / 60, key="response")
        self._grouped(self.rates, report, names, _RATES, scale=100, key="rates")
        self._timeline(report)

    def _stacked_types(self, report: Any, names: list[str]) -> None:
        types = sorted(report.total.by_type)
        base = [0.0] * len(names)
        drawn: dict[str, list[int]] = {}
        for t in types:
            heights = [a.by_type.get(t, 0) for a in report.areas]
            drawn[t] = heights
            self.alerts.addItem(pg.BarGraphItem(
                x=list(range(len(names))), height=heights, y0=list(base), width=0.6,
                brush=TYPE_COLOURS.get(t, _OTHER), pen=pg.mkPen("#ffffff", width=1),
                name=label(t)))
            base = [b + h for b, h in zip(base, heights, strict=True)]
        _area_ticks(self.alerts, names, max(base, default=0))
        self.drawn["alerts"] = drawn

    def _grouped(self, plot: pg.PlotWidget, report: Any, names: list[str],
                 figures: tuple[tuple[str, str, str], ...], *, scale: float, key: str) -> None:
        width = 0.8 / len(figures)
        drawn: dict[str, list[float | None]] = {}
        top = 0.0
        for k, (field, text, colour) in enumerate(figures):
            values = [getattr(a, field) for a in report.areas]
            drawn[field] = values
            xs = [i - 0.4 + width * (k + 0.5) for i in range(len(names))]
            shown = [(x, v * scale) for x, v in zip(xs, values, strict=True) if v is not None]
            top = max([top, *(h for _, h in shown)])
            plot.addItem(pg.BarGraphItem(
                x=[x for x, _ in shown], height=[h for _, h in shown], width=width * 0.9,
                brush=colour, pen=pg.mkPen(None), name=text))
        _area_ticks(plot, names, top)
        self.drawn[key] = drawn

    def _timeline(self, report: Any) -> None:
        drawn: dict[str, list[tuple[float, int]]] = {}
        for k, (area, points) in enumerate(_busiest(report.series, TIMELINE_LINES)):
            xs = [t.timestamp() for t, _ in points]
            ys = [n for _, n in points]
            drawn[area] = list(zip(xs, ys, strict=True))
            self.timeline.plot(xs, ys, name=area, stepMode=None,
                               pen=pg.mkPen(_SERIES[k % len(_SERIES)], width=2))
        top = max((n for line in drawn.values() for _, n in line), default=0)
        self.timeline.setYRange(0, max(top, 1) * 1.45, padding=0)
        self.drawn["timeline"] = drawn
