"""Stacked, time-aligned waveforms of an incident's clips with a spectrogram beneath.

:class:`MultiClipView` draws one row per clip on one time axis (x = seconds from the
earliest clip's first sample), labelled "Sensor 1..n", with the UTC time of day on top
and seconds from the first shot below. Waveforms use peak downsampling and clip-to-view,
so a minute at 48 kHz draws in well under a frame once zoomed. Clicking a row seeks,
dragging the playhead scrubs, Shift+drag selects a loop; the wheel zooms and a drag pans
(time only). The spectrogram row shows the active clip.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal

from console.audio.clips import Clip
from console.audio.markers import PulseMarker
from console.audio.spectrogram import Spectrogram
from console.ui.audio_axes import ShiftedAxis, seconds_from_shot, utc_time_of_day

__all__ = ["MultiClipView"]

_WAVE_PEN = pg.mkPen("#2a6fb0", width=1)
_ACTIVE_PEN = pg.mkPen("#174e85", width=1)
_PLAYHEAD_PEN = pg.mkPen("#d62728", width=2)
_MARKER_PEN = pg.mkPen("#e08e0b", width=2, style=Qt.PenStyle.DashLine)


class _ClipViewBox(pg.ViewBox):
    """Click = seek, Shift+drag = loop selection; otherwise pyqtgraph's pan and zoom."""

    def __init__(self, view: MultiClipView, row: int) -> None:
        super().__init__(enableMenu=False)
        self._view, self._row = view, row
        self.setMouseEnabled(x=True, y=False)

    def mouseClickEvent(self, ev) -> None:  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._view._on_row_clicked(self._row, self.mapSceneToView(ev.scenePos()).x())
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802
        shift = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if ev.button() == Qt.MouseButton.LeftButton and shift:
            ev.accept()
            a = self.mapSceneToView(ev.buttonDownScenePos()).x()
            b = self.mapSceneToView(ev.scenePos()).x()
            self._view._on_selecting(a, b, ev.isFinish())
        else:
            super().mouseDragEvent(ev, axis)


class MultiClipView(pg.GraphicsLayoutWidget):
    """Rows of waveforms plus a spectrogram, linked in time."""

    seek_requested = Signal(int, float)  # clip index, s from that clip's start
    loop_selected = Signal(float, float)  # plot x (s), start < end
    active_changed = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackground("w")
        self.clips: tuple[Clip, ...] = ()
        self.offsets: list[float] = []
        self.origin_ns: int | None = None
        self.shot_x: float | None = None
        self.active = 0
        self.plots: list[pg.PlotItem] = []
        self.curves: list[pg.PlotDataItem] = []
        self.playheads: list[pg.InfiniteLine] = []
        self.regions: list[pg.LinearRegionItem] = []
        self.marker_lines: list[pg.InfiniteLine] = []
        self.spec_plot: pg.PlotItem | None = None
        self.spec_label: pg.LabelItem | None = None
        self.spec_image: pg.ImageItem | None = None
        self._syncing = False

    # -- building -----------------------------------------------------------------------
    def set_clips(self, clips: Sequence[Clip], *, identity_labels: bool = False) -> None:
        """Show ``clips`` (replacing any). ``identity_labels`` adds serials (verification)."""
        self.clear()
        self.clips = tuple(clips)
        starts = [c.start_ns for c in self.clips if c.start_ns is not None]
        self.origin_ns = min(starts) if starts else None
        self.offsets = [0.0 if c.start_ns is None or self.origin_ns is None
                        else (c.start_ns - self.origin_ns) / 1e9 for c in self.clips]
        self.plots, self.curves, self.playheads, self.regions = [], [], [], []
        self.marker_lines, self.shot_x, self.active = [], None, 0
        for i, clip in enumerate(self.clips):
            self._add_row(i, clip, identity_labels)
        self._add_spectrogram_row()
        if self.plots:
            end = max(o + c.duration_s for o, c in zip(self.offsets, self.clips, strict=True))
            self.plots[0].setXRange(min(self.offsets), end, padding=0.01)
        self._set_axes()
        # data last, once ranges and sizes are final: each change recomputes the downsampling
        self.ci.layout.activate()
        for offset, clip, curve in zip(self.offsets, self.clips, self.curves, strict=True):
            x = np.arange(clip.frames, dtype=np.float64)
            x *= 1.0 / clip.sample_rate
            x += offset
            curve.setData(x, clip.mono)

    def _add_row(self, i: int, clip: Clip, identity_labels: bool) -> None:
        top = ShiftedAxis("top", utc_time_of_day, None)
        bottom = ShiftedAxis("bottom", seconds_from_shot, 0.0)
        label = clip.label
        if identity_labels and clip.identity.serial:
            label += f"<br>{clip.identity.serial}"
        self.addLabel(f"<b>{label}</b>", row=i, col=0, size="11pt", color="#222")
        plot = self.addPlot(row=i, col=1, viewBox=_ClipViewBox(self, i),
                            axisItems={"top": top, "bottom": bottom})
        plot.showAxis("top", i == 0)
        plot.showAxis("bottom", False)
        plot.getAxis("left").setWidth(40)
        plot.getAxis("left").setStyle(showValues=False, tickLength=0)
        plot.hideButtons()
        y = clip.mono
        peak = max(float(y.max()), -float(y.min()), 1e-3)
        plot.setYRange(-peak, peak, padding=0.05)
        if self.plots:
            plot.setXLink(self.plots[0])
        # options first, data last: each option change recomputes the display data
        plot.setDownsampling(auto=True, mode="peak")  # the plot applies these to its curves
        plot.setClipToView(True)
        curve = pg.PlotDataItem(pen=_WAVE_PEN, skipFiniteCheck=True)  # clips are checked finite
        plot.addItem(curve)
        head = pg.InfiniteLine(self.offsets[i], angle=90, movable=True, pen=_PLAYHEAD_PEN)
        head.setZValue(10)
        head.sigDragged.connect(lambda line, row=i: self._on_row_clicked(row, line.value()))
        plot.addItem(head)
        region = pg.LinearRegionItem(brush=pg.mkBrush(255, 200, 0, 50))
        region.setZValue(-5)
        region.hide()
        region.sigRegionChangeFinished.connect(self._on_region_moved)
        plot.addItem(region)
        self.plots.append(plot)
        self.curves.append(curve)
        self.playheads.append(head)
        self.regions.append(region)

    def _add_spectrogram_row(self) -> None:
        bottom = ShiftedAxis("bottom", seconds_from_shot, 0.0)
        self.spec_label = self.addLabel("Spectrogram", row=len(self.clips), col=0, size="10pt",
                                        color="#222")
        plot = self.addPlot(row=len(self.clips), col=1, axisItems={"bottom": bottom})
        plot.setMouseEnabled(x=True, y=False)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setLabel("left", "kHz")
        plot.getAxis("left").setWidth(40)
        image = pg.ImageItem()
        image.setColorMap(pg.colormap.get("inferno"))
        plot.addItem(image)
        if self.plots:
            plot.setXLink(self.plots[0])
        self.spec_plot, self.spec_image = plot, image
        self.ci.layout.setRowStretchFactor(len(self.clips), max(1, len(self.clips)))

    def _set_axes(self) -> None:
        utc = None if self.origin_ns is None else (self.origin_ns % 86_400_000_000_000) / 1e9
        shift = -(self.shot_x or 0.0)
        for plot in [*self.plots, self.spec_plot]:
            if plot is None:
                continue
            plot.getAxis("top").set_shift(utc) if isinstance(plot.getAxis("top"), ShiftedAxis) \
                else None
            plot.getAxis("bottom").set_shift(shift)
        if self.spec_plot is not None:
            what = "s from first shot" if self.shot_x is not None else "s from clip start"
            self.spec_plot.setLabel("bottom", what)
        if self.plots:
            self.plots[0].setLabel("top", "UTC" if utc is not None else "UTC unknown")

    # -- content ------------------------------------------------------------------------
    def set_markers(self, markers: Sequence[PulseMarker]) -> None:
        """Vertical lines labelled with the shot number; shot 1's earliest is time zero."""
        for line in self.marker_lines:
            line.scene() and line.getViewBox() and line.getViewBox().removeItem(line)
        self.marker_lines = []
        for m in markers:
            if not 0 <= m.clip < len(self.plots):
                continue
            x = self.offsets[m.clip] + m.time_s
            line = pg.InfiniteLine(x, angle=90, movable=False, pen=_MARKER_PEN, label=str(m.shot),
                                   labelOpts={"position": 0.88, "color": "#000",
                                              "fill": pg.mkBrush(255, 200, 80, 220)})
            self.plots[m.clip].addItem(line)
            self.marker_lines.append(line)
        firsts = [self.offsets[m.clip] + m.time_s for m in markers if m.shot == 1]
        self.shot_x = min(firsts) if firsts else None
        self._set_axes()

    def set_spectrogram(self, clip_index: int, spec: Spectrogram) -> None:
        if self.spec_image is None or not 0 <= clip_index < len(self.clips):
            return
        top = float(spec.db.max())
        self.spec_image.setImage(spec.db.T, autoLevels=False, levels=(top - 80.0, top))
        x0 = self.offsets[clip_index] + spec.t0_s - spec.dt_s / 2
        self.spec_image.setRect(QRectF(x0, 0.0, spec.dt_s * spec.db.shape[1],
                                       spec.df_hz * spec.db.shape[0] / 1000.0))
        self.spec_plot.setYRange(0.0, spec.max_hz / 1000.0, padding=0)
        self.spec_label.setText(f"Spectrogram<br><b>{self.clips[clip_index].label}</b>")

    def set_active(self, index: int) -> None:
        if not 0 <= index < len(self.plots):
            return
        self.active = index
        for i, curve in enumerate(self.curves):
            curve.setPen(_ACTIVE_PEN if i == index else _WAVE_PEN)
            self.plots[i].getViewBox().setBackgroundColor("#eef4fb" if i == index else None)
        self.active_changed.emit(index)

    def set_playhead(self, x: float) -> None:
        for head in self.playheads:
            if not head.moving:
                head.setValue(x)

    def set_loop_region(self, span: tuple[float, float] | None) -> None:
        self._syncing = True
        try:
            for region in self.regions:
                region.setVisible(span is not None)
                if span is not None:
                    region.setRegion(span)
        finally:
            self._syncing = False

    def x_range(self) -> tuple[float, float]:
        lo, hi = self.plots[0].getViewBox().viewRange()[0]
        return float(lo), float(hi)

    def set_x_range(self, lo: float, hi: float) -> None:
        self.plots[0].setXRange(lo, hi, padding=0)

    # -- interaction --------------------------------------------------------------------
    def _on_row_clicked(self, row: int, x: float) -> None:
        if row != self.active:
            self.set_active(row)
        self.seek_requested.emit(row, x - self.offsets[row])

    def _on_selecting(self, a: float, b: float, final: bool) -> None:
        span = (min(a, b), max(a, b))
        self.set_loop_region(span)
        if final and span[1] - span[0] > 0.005:
            self.loop_selected.emit(*span)

    def _on_region_moved(self, region: pg.LinearRegionItem) -> None:
        if self._syncing:
            return
        span = tuple(region.getRegion())
        self.set_loop_region(span)  # the other rows follow
        self.loop_selected.emit(*span)
