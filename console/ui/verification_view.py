"""The verification view: replay recordings through the embedded locator, compare, store.

"Verify" on an incident (or File → Open recordings… without one) asks for a folder in
the Pittsburgh layout or of smj0 sensor WAVs and runs :func:`console.verify.run_verification`
on a worker thread with a progress bar and a Cancel button. The result shows:

- computed shots beside the alert's reported location, both with 90 % radii, and the
  distance between them: on the offline map when the recordings are geographic (with a
  note when no map pack covers the area), otherwise on a plain plot in local metres;
- rounds / shooters / mobile, reported against computed; the verdict and its reasons;
- per-sensor residuals (a table model).

"Replay" steps through the shots in time order, highlighting each as its time comes,
on its own clock or following an attached audio player's playhead.

Sensor serials and positions appear only for users allowed to see them
(:func:`console.domain.permissions.can_view_sensor_positions`); everyone else sees
"Sensor 1..n" and no sensor on the plot or map.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractTableModel,
    QElapsedTimer,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QThread,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGraphicsEllipseItem,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.alert import Alert
from console.domain.permissions import Role, User, can_view_sensor_positions
from console.verify import (
    SensorResidual,
    Verdict,
    VerificationRecord,
    VerificationResult,
    VerificationRun,
    export_json,
    run_verification,
)
from locator_core.types import LocatorError

__all__ = ["ResidualModel", "VerificationView", "VerificationWorker"]

log = logging.getLogger(__name__)

_SOURCES = (("Automatic", None), ("Reported pulses", "pulses"), ("Sensor audio", "audio"))
_SHOOTER_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")
_REPORTED_COLOUR = "#d7263d"


def _colour(shooter: int) -> str:
    return _SHOOTER_COLOURS[(max(1, shooter) - 1) % len(_SHOOTER_COLOURS)]


class VerificationWorker(QObject):
    """Runs one verification on its thread; stores the record there too (DB off the GUI)."""

    progressed = Signal(float)
    succeeded = Signal(object, object, str)  # VerificationRun, record id or None, store error
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, path: str, alert: Alert | None, source: str | None, user: User,
                 store: Any = None, redact: bool = True) -> None:
        super().__init__()
        self.path, self.alert, self.source, self.user = path, alert, source, user
        self.store, self.redact = store, redact
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        try:
            run = run_verification(self.path, self.alert, source=self.source,
                                   progress=self.progressed.emit,
                                   cancelled=self._cancel.is_set)
        except LocatorError as exc:
            if self._cancel.is_set() or str(exc) == "cancelled":
                self.cancelled.emit()
            else:
                self.failed.emit(self._clean(str(exc)))
            return
        except Exception as exc:  # a reader or solver bug must not kill the console
            log.exception("verification of %s failed", self.path)
            self.failed.emit(self._clean(f"{type(exc).__name__}: {exc}"))
            return
        if self._cancel.is_set():
            self.cancelled.emit()
            return
        record_id, error = None, ""
        if self.store is not None:
            res = run.result
            record = VerificationRecord(
                incident_id=res.alert_id, user=self.user.name, role=str(self.user.role),
                at=datetime.now(UTC), data_path=run.path, data_sha256=run.sha256,
                source=res.solution.source,
                verdict=None if res.verdict is None else str(res.verdict),
                result=export_json(res))
            try:
                record_id = self.store.add_verification(record)
            except Exception as exc:
                log.exception("verification record not stored")
                error = f"not stored: {type(exc).__name__}"
        self.succeeded.emit(run, record_id, error)

    def _clean(self, text: str) -> str:
        """For users without sensor rights: no sensor file names (they carry serials)."""
        if not self.redact:
            return text
        try:
            folder = Path(self.path)
            names = [p.name for p in folder.iterdir()] if folder.is_dir() else [folder.name]
        except OSError:
            names = []
        for name in sorted(names, key=len, reverse=True):
            if name and name in text:
                text = text.replace(name, "a sensor file")
        return re.sub(r"\b[A-Z]{2,}(?:-[A-Z0-9]{2,}){2,}\b", "a sensor", text)


class ResidualModel(QAbstractTableModel):
    """Per-sensor residuals (ms); the serial column only when ``show_serials``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[SensorResidual, ...] = ()
        self._serials = False

    def set_rows(self, rows: tuple[SensorResidual, ...], show_serials: bool) -> None:
        self.beginResetModel()
        self._rows, self._serials = tuple(rows), bool(show_serials)
        self.endResetModel()

    def _columns(self) -> list[str]:
        cols = ["Sensor"] + (["Serial"] if self._serials else [])
        return cols + ["Shots", "RMS (ms)", "Max |r| (ms)"]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns())

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._columns()[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        name = self._columns()[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and name not in ("Sensor", "Serial"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and name == "RMS (ms)" and row.rms_ms:
            return QColor("#b00020") if row.rms_ms > 10.0 else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if name == "Sensor":
            return row.label
        if name == "Serial":
            return row.serial
        if name == "Shots":
            return str(row.shots_used)
        value = row.rms_ms if name == "RMS (ms)" else row.max_abs_ms
        return "–" if value is None else f"{value:.2f}"


class _LocalPlot(pg.PlotWidget):
    """Computed shots (and the reported location when it can be placed) in local metres,
    relative to the computed location."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setObjectName("verificationPlot")
        self.setAspectLocked(True)
        self.showGrid(x=True, y=True, alpha=0.25)
        self.setLabel("bottom", "east of computed location (m)")
        self.setLabel("left", "north (m)")
        self._shots = pg.ScatterPlotItem(size=11, pen=pg.mkPen("w", width=1.5))
        self._highlight = pg.ScatterPlotItem(size=22, pen=pg.mkPen("k", width=3),
                                             brush=pg.mkBrush(0, 0, 0, 0))
        self._dynamic: list[Any] = []
        self.shot_xy = np.zeros((0, 2))

    def _circle(self, x: float, y: float, r: float, colour: str, *, dashed: bool = False,
                width: float = 1.5) -> None:
        item = QGraphicsEllipseItem(x - r, y - r, 2 * r, 2 * r)
        pen = QPen(QColor(colour))
        pen.setWidthF(width)
        pen.setCosmetic(True)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        item.setPen(pen)
        fill = QColor(colour)
        fill.setAlpha(20)
        item.setBrush(fill)
        self.addItem(item)
        self._dynamic.append(item)

    def _add(self, item: Any) -> None:
        self.addItem(item)
        self._dynamic.append(item)

    def show_result(self, result: VerificationResult, sensors_xy: np.ndarray | None) -> None:
        for item in self._dynamic:
            self.removeItem(item)
        self._dynamic = []
        sol = result.solution
        cx, cy = float(result.computed.x or 0.0), float(result.computed.y or 0.0)
        xy = np.array([[s.x - cx, s.y - cy] for s in sol.shots])
        self.shot_xy = xy
        extent = [result.computed.radius_m]
        if sensors_xy is not None and len(sensors_xy):
            sensors = pg.ScatterPlotItem(sensors_xy[:, 0] - cx, sensors_xy[:, 1] - cy,
                                         symbol="t", size=9, pen=pg.mkPen("#555555"),
                                         brush=pg.mkBrush("#bbbbbb"), name="sensors")
            self._add(sensors)
        self._circle(0.0, 0.0, result.computed.radius_m, "#0072b2", dashed=True, width=2)
        for (x, y), shot, who in zip(xy, sol.shots, sol.shooter_of_shot, strict=True):
            self._circle(float(x), float(y), shot.uncertainty_m, _colour(who), width=1)
            extent.append(math.hypot(x, y) + shot.uncertainty_m)
        rep = result.reported
        if rep is not None and sol.frame is not None and rep.lat is not None:
            rx, ry, _ = sol.frame.to_local(rep.lat, rep.lon)
            rx, ry = rx - cx, ry - cy
            self._circle(rx, ry, rep.radius_m, _REPORTED_COLOUR, width=2)
            self._add(pg.ScatterPlotItem([rx], [ry], size=12, symbol="o",
                                         pen=pg.mkPen(_REPORTED_COLOUR, width=3),
                                         brush=pg.mkBrush("w")))
            self._add(pg.PlotDataItem([rx, 0.0], [ry, 0.0],
                                      pen=pg.mkPen("#333333", width=2,
                                                   style=Qt.PenStyle.DashLine)))
            if result.distance_m is not None:
                label = pg.TextItem(f"{result.distance_m:.0f} m", color="#333333",
                                    anchor=(0.5, 1.0))
                label.setPos(rx / 2, ry / 2)
                self._add(label)
            extent.append(math.hypot(rx, ry) + rep.radius_m)
        self._shots.setData(
            xy[:, 0], xy[:, 1],
            brush=[pg.mkBrush(_colour(w)) for w in sol.shooter_of_shot])
        self._add(self._shots)
        self._highlight.setData([], [])
        self._add(self._highlight)
        r = max(extent) * 1.25 + 2.0
        self.setRange(xRange=(-r, r), yRange=(-r, r), padding=0)

    def highlight(self, index: int) -> None:
        if 0 <= index < len(self.shot_xy):
            self._highlight.setData([self.shot_xy[index, 0]], [self.shot_xy[index, 1]])
        else:
            self._highlight.setData([], [])


class VerificationView(QWidget):
    """Verify an incident's location from its recordings; see the module docstring."""

    state_changed = Signal(str)  # "idle" | "running"
    verification_finished = Signal(object)  # VerificationRun
    verification_failed = Signal(str)
    verification_cancelled = Signal()
    shot_highlighted = Signal(int)

    def __init__(self, store: Any = None, user: User | None = None, *,
                 map_factory: Any = None, audio: bool = True,
                 parent: QWidget | None = None) -> None:
        """``store``: where records go (None: not stored); ``user``: default an officer;
        ``map_factory``: callable returning a ``QtAlertMap`` for geographic results
        (default: a new one; pass ``False`` to use the local plot for every result);
        ``audio``: show the recordings in the audio player (when it is available)."""
        super().__init__(parent)
        self.setObjectName("verificationView")
        self.store = store
        self.user = user or User("console", Role.OFFICER)
        self._map_factory = map_factory
        self._map: Any = None
        self._alert: Alert | None = None
        self._thread: QThread | None = None
        self._worker: VerificationWorker | None = None
        self.run: VerificationRun | None = None
        self.record_id: int | None = None
        self.max_progress = 0
        self._replay_index = -1
        self._replay_clock = QElapsedTimer()
        self._replay_timer = QTimer(self)
        self._replay_timer.setInterval(20)
        self._replay_timer.timeout.connect(self._replay_tick)
        self._replay_from_player = False
        self._audio: Any = None
        self._audio_enabled = audio
        self._audio_owned = False
        self._build()
        self._set_state("idle")
        if audio:  # warm the player's imports (scipy.signal) off the GUI thread
            threading.Thread(target=_preload_audio, name="verification-preload",
                             daemon=True).start()

    # -- layout -----------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        bar = QHBoxLayout()
        self.open_button = QPushButton("Open recordings…")
        self.open_button.setObjectName("openRecordings")
        self.open_button.clicked.connect(lambda: self.open_recordings())
        self.verify_button = QPushButton("Verify incident…")
        self.verify_button.setObjectName("verifyIncident")
        self.verify_button.clicked.connect(lambda: self.verify_incident())
        self.source_box = QComboBox()
        self.source_box.setObjectName("verificationSource")
        for text, _ in _SOURCES:
            self.source_box.addItem(text)
        self.progress = QProgressBar()
        self.progress.setObjectName("verificationProgress")
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelVerification")
        self.cancel_button.clicked.connect(self.cancel)
        self.replay_button = QPushButton("Replay")
        self.replay_button.setObjectName("replayShots")
        self.replay_button.clicked.connect(self.toggle_replay)
        self.export_button = QPushButton("Export summary…")
        self.export_button.setObjectName("exportSummary")
        self.export_button.clicked.connect(lambda: self.export_summary())
        for w in (self.open_button, self.verify_button, QLabel("Locate from:"),
                  self.source_box):
            bar.addWidget(w)
        bar.addWidget(self.progress, 1)
        for w in (self.cancel_button, self.replay_button, self.export_button):
            bar.addWidget(w)
        outer.addLayout(bar)

        self.subject_label = QLabel("No recordings opened.")
        self.subject_label.setObjectName("verificationSubject")
        self.status_label = QLabel("")
        self.status_label.setObjectName("verificationStatus")
        self.status_label.setWordWrap(True)
        outer.addWidget(self.subject_label)
        outer.addWidget(self.status_label)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        self.display_note = QLabel("")
        self.display_note.setObjectName("displayNote")
        self.display_note.setWordWrap(True)
        self.legend_label = QLabel("")
        self.legend_label.setObjectName("verificationLegend")
        self.legend_label.setWordWrap(True)
        self.stack = QStackedWidget()
        self.plot = _LocalPlot()
        self.stack.addWidget(self.plot)
        lv.addWidget(self.display_note)
        self.left_split = QSplitter(Qt.Orientation.Vertical)
        self.left_split.addWidget(self.stack)
        lv.addWidget(self.left_split, 1)
        lv.addWidget(self.legend_label)
        split.addWidget(left)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        self.verdict_label = QLabel("")
        self.verdict_label.setObjectName("verdict")
        self.verdict_label.setWordWrap(True)
        self.summary_label = QLabel("")
        self.summary_label.setObjectName("verificationSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.residuals = ResidualModel(self)
        self.table = QTableView()
        self.table.setObjectName("residualTable")
        self.table.setModel(self.residuals)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setAlternatingRowColors(True)
        rv.addWidget(self.verdict_label)
        rv.addWidget(self.summary_label)
        rv.addWidget(QLabel("<b>Residuals per sensor</b>"))
        rv.addWidget(self.table, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([640, 460])
        right.setMinimumWidth(400)
        outer.addWidget(split, 1)

    # -- public API -------------------------------------------------------------------
    @property
    def state(self) -> str:
        return "running" if self._thread is not None else "idle"

    @property
    def result(self) -> VerificationResult | None:
        return None if self.run is None else self.run.result

    @property
    def shows_sensor_detail(self) -> bool:
        return can_view_sensor_positions(self.user)

    def set_incident(self, alert: Alert | None) -> None:
        """The incident "Verify incident…" compares with (None: none selected)."""
        self._alert = alert
        self._set_state(self.state)

    def open_recordings(self, path: str | Path | None = None) -> bool:
        """Verify recordings without an alert; asks for the folder when ``path`` is None."""
        path = path or self._ask_folder("Open recordings")
        return bool(path) and self.verify(path, None)

    def verify_incident(self, path: str | Path | None = None) -> bool:
        """Verify the selected incident from the recordings in ``path`` (asked if None)."""
        if self._alert is None:
            return False
        path = path or self._ask_folder(f"Recordings of incident {self._alert.id}")
        return bool(path) and self.verify(path, self._alert)

    def verify(self, path: str | Path, alert: Alert | None = None, *,
               source: str | None = None) -> bool:
        """Start a verification off the GUI thread; False if one is running already."""
        if self._thread is not None:
            return False
        self.stop_replay()
        if source is None:
            source = _SOURCES[self.source_box.currentIndex()][1]
        self.max_progress = 0
        self.progress.setValue(0)
        what = f"incident {alert.id}" if alert is not None else "recordings without an alert"
        self.subject_label.setText(f"Verifying {what} from {Path(path).name}…")
        self.status_label.setText("Locating…")
        worker = VerificationWorker(str(path), alert, source, self.user, self.store,
                                    redact=not self.shows_sensor_detail)
        thread = QThread(self)
        thread.setObjectName("verification")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progressed.connect(self._on_progress)
        worker.succeeded.connect(self._on_succeeded)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        for sig in (worker.succeeded, worker.failed, worker.cancelled):
            sig.connect(thread.quit)
        thread.finished.connect(self._on_thread_finished)
        self._worker, self._thread = worker, thread
        self._set_state("running")
        thread.start()
        return True

    @Slot()
    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.status_label.setText("Cancelling…")
            self.cancel_button.setEnabled(False)

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Cancel a running verification and wait for its thread (call before closing)."""
        self.stop_replay()
        if self._audio is not None and self._audio_owned:
            self._audio.shutdown()
        thread = self._thread
        if thread is not None:
            self.cancel()
            thread.quit()
            thread.wait(timeout_ms)

    def attach_audio_player(self, player: Any) -> None:
        """Follow an audio player's playhead during replay.

        Either a signal ``position_changed(float)`` (seconds from the first shot), or
        the :class:`~console.ui.audio_player.AudioPlayerWidget` interface (``clips`` with
        UTC ``start_ns``, ``active``, ``position_s``, ``play``/``seek``), which replay
        polls. Without a player replay runs on its own clock.
        """
        self._audio = player
        signal = getattr(player, "position_changed", None)
        if signal is not None:
            signal.connect(self.set_playhead)

    @property
    def audio_player(self) -> Any:
        return self._audio

    @Slot(float)
    def set_playhead(self, seconds: float) -> None:
        """Highlight the last shot at or before ``seconds`` from the first shot."""
        if self.result is None:
            return
        offsets = self.result.shot_offsets_s
        index = int(np.searchsorted(np.asarray(offsets), seconds + 1e-9, side="right")) - 1
        self._highlight(index)

    def toggle_replay(self) -> None:
        if self._replay_timer.isActive():
            self.stop_replay()
        else:
            self.start_replay()

    def start_replay(self) -> None:
        if self.result is None:
            return
        self._replay_index = -2
        self.replay_button.setText("Stop replay")
        player = self._audio
        if player is not None and getattr(player, "position_changed", None) is not None:
            player.play()
            return
        self._replay_from_player = self._player_ready(player)
        if self._replay_from_player:
            # start half a second before the first shot is heard on the active clip
            first = self._shot_times_on_player(player)[0]
            player.seek(max(0.0, first - 0.5))
            player.play()
            if not getattr(getattr(player, "engine", None), "playing", False):
                self._replay_from_player = False  # no sound device: own clock
        self._replay_clock.start()
        self._replay_timer.start()
        self._replay_tick()

    def stop_replay(self) -> None:
        was = self._replay_timer.isActive()
        self._replay_timer.stop()
        self.replay_button.setText("Replay")
        if was and getattr(self, "_replay_from_player", False):
            self._audio.pause()
        self._replay_from_player = False

    @property
    def replaying(self) -> bool:
        return self._replay_timer.isActive()

    def export_summary(self, path: str | Path | None = None) -> Path | None:
        """Write the short JSON summary (no sensor serials or positions)."""
        if self.result is None:
            return None
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "Export verification summary",
                                                  "verification.json", "JSON (*.json)")
            if not name:
                return None
            path = name
        out = Path(path)
        out.write_text(json.dumps(export_json(self.result), indent=2), encoding="utf-8")
        self.status_label.setText(f"Summary exported to {out.name}.")
        return out

    def texts(self) -> list[str]:
        """Every text the view shows in widgets (labels, buttons, table cells, headers)."""
        out: list[str] = []
        for w in self.findChildren(QLabel):
            out.append(w.text())
        for w in self.findChildren(QPushButton):
            out.append(w.text())
        m = self.residuals
        for c in range(m.columnCount()):
            out.append(str(m.headerData(c, Qt.Orientation.Horizontal)))
            for r in range(m.rowCount()):
                out.append(str(m.data(m.index(r, c))))
        return out

    # -- worker results ---------------------------------------------------------------
    @Slot(float)
    def _on_progress(self, fraction: float) -> None:
        value = int(round(100 * min(1.0, max(0.0, fraction))))
        self.max_progress = max(self.max_progress, value)
        self.progress.setValue(value)

    @Slot(object, object, str)
    def _on_succeeded(self, run: VerificationRun, record_id: int | None, error: str) -> None:
        self.run, self.record_id = run, record_id
        self._on_progress(1.0)
        self._show(run)
        stored = ("Stored with the incident." if run.result.alert_id and record_id is not None
                  else "Stored." if record_id is not None else "")
        self.status_label.setText(" ".join(t for t in (
            f"Located from {run.result.solution.source} in the recordings.", stored, error)
            if t))
        self.verification_finished.emit(run)
        # the result is on screen first; the player (and sound device) come after
        QTimer.singleShot(0, self, lambda: self.run is run and self._load_audio(run))

    # -- audio --------------------------------------------------------------------------
    def _load_audio(self, run: VerificationRun) -> None:
        """Show the recordings in the audio player, labelled as in the residual table."""
        files = [(r.sensor.serial, r.source) for r in run.data.recordings
                 if r.source and Path(r.source).is_file()]
        if not self._audio_enabled or not files:
            return
        if self._audio is None:
            try:
                from console.ui.audio_player import AudioPlayerWidget
            except ImportError:  # the player is optional
                self._audio_enabled = False
                return
            self._audio = AudioPlayerWidget(identity_labels=self.shows_sensor_detail)
            self._audio.setObjectName("verificationAudio")
            self._audio_owned = True
            self.left_split.addWidget(self._audio)
            self.left_split.setSizes([300, 440])
        elif not self._audio_owned:
            return  # a player attached from outside loads its own clips
        from console.audio.clips import load_clip
        from console.audio.markers import markers_from_solution
        from console.ui.audio_workers import run_task

        labels = {s.serial: s.label for s in run.result.sensors}
        extra = iter(range(len(labels) + 1, len(labels) + len(files) + 1))
        named = [(labels.get(serial) or f"Sensor {next(extra)}", path)
                 for serial, path in sorted(files, key=lambda f: _label_key(labels, f[0]))]
        solution = run.result.solution

        def load() -> tuple[tuple[Any, ...], list[Any]]:
            clips = tuple(load_clip(path, label=label) for label, path in named)
            return clips, markers_from_solution(clips, solution)

        player = self._audio
        run_task(load, on_done=lambda out: player.set_clips(*out),
                 on_error=lambda exc: player.show_error(
                     f"The recordings could not be played ({type(exc).__name__})."),
                 owner=player)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.status_label.setText(f"Verification failed: {message}")
        self.verification_failed.emit(message)

    @Slot()
    def _on_cancelled(self) -> None:
        self.progress.setValue(0)
        self.status_label.setText("Verification cancelled.")
        self.verification_cancelled.emit()

    @Slot()
    def _on_thread_finished(self) -> None:
        thread, self._thread, self._worker = self._thread, None, None
        if thread is not None:
            thread.deleteLater()
        self._set_state("idle")

    def _set_state(self, state: str) -> None:
        running = state == "running"
        self.open_button.setEnabled(not running)
        self.verify_button.setEnabled(not running and self._alert is not None)
        self.source_box.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.replay_button.setEnabled(not running and self.run is not None)
        self.export_button.setEnabled(not running and self.run is not None)
        self.state_changed.emit(state)

    # -- showing a result -------------------------------------------------------------
    def _show(self, run: VerificationRun) -> None:
        res = run.result
        sol = res.solution
        detail = self.shows_sensor_detail
        what = f"Incident {res.alert_id}" if res.alert_id else "Recordings (no alert)"
        self.subject_label.setText(f"{what} · {sol.name} · {len(sol.shots)} shot(s) located")
        self.residuals.set_rows(res.sensors, show_serials=detail)
        self._show_verdict(res)
        self.summary_label.setText(self._summary_html(res))
        legend = ("<span style='color:#0072b2'>●</span> computed shots with their 90 % "
                  "circles (colour: shooter) · <span style='color:#0072b2'>- - -</span> "
                  "computed location, 90 %")
        if res.reported is not None:
            legend += (" · <span style='color:#d7263d'>◯</span> reported location, 90 % · "
                       "dashed line: distance")
        if detail:
            legend += " · <span style='color:#777777'>▲ / ●</span> sensors (grey)"
        self.legend_label.setText(legend)
        sensors_xy = (np.array([[s.x, s.y] for s in run.data.sensors])
                      if detail and run.data.sensors else None)
        on_map = res.geographic and self._map_factory is not False
        if on_map and self._ensure_map() is not None:
            payload = self._map_payload(run, detail)
            self._map.show_verification(payload)
            self.stack.setCurrentWidget(self._map)
            self.display_note.setText(
                "" if not payload["outside_pack"] else
                "No map pack covers this area: shots and locations are shown over a blank "
                "background.")
        else:
            self.plot.show_result(res, sensors_xy)
            self.stack.setCurrentWidget(self.plot)
            self.display_note.setText(
                "These recordings carry no geographic position: the shots are shown in the "
                "data's local frame (metres), not on the map." if not res.geographic else
                "Local view in metres around the computed location.")

    def _show_verdict(self, res: VerificationResult) -> None:
        reasons = "".join(f"<li>{_esc(r)}</li>" for r in res.reasons)
        if res.verdict is Verdict.CONSISTENT:
            head, colour = "CONSISTENT with the alert", "#1b7f3b"
        elif res.verdict is Verdict.INCONSISTENT:
            head, colour = "INCONSISTENT with the alert", "#b00020"
        elif res.alert_id is None:
            head, colour = "No alert to compare: computed result only", "#555555"
        else:
            head, colour = "NOT VERIFIED: the location could not be compared", "#8a5a00"
        self.verdict_label.setText(
            f"<span style='font-size:13pt;font-weight:bold;color:{colour}'>{head}</span>"
            + (f"<ul style='margin:2px'>{reasons}</ul>" if reasons else ""))

    def _summary_html(self, res: VerificationResult) -> str:
        sol = res.solution

        def cell(v: object) -> str:
            return "–" if v is None else _esc(str(v))

        def mark(agrees: bool | None) -> str:
            return "" if agrees is None else ("✔" if agrees else "✘")

        def mobile_text(speed: float | None, heading: float | None) -> str:
            return "no" if speed is None else f"{speed:.1f} m/s → {heading:03.0f}°"

        m = res.mobile
        reported_mobile = None if res.alert_id is None else mobile_text(
            m.reported_speed_mps, m.reported_heading_deg)
        rows = [
            ("Rounds", res.rounds.reported, res.rounds.computed, mark(res.rounds.agrees)),
            ("Shooters", res.shooters.reported, res.shooters.computed,
             mark(res.shooters.agrees)),
            ("Mobile", reported_mobile, mobile_text(m.computed_speed_mps,
                                                    m.computed_heading_deg), mark(m.agrees)),
            ("90 % radius (m)", None if res.reported is None else
             f"{res.reported.radius_m:.0f}", f"{res.computed.radius_m:.1f}", ""),
        ]
        body = "".join(f"<tr><td>{name}</td><td align='right'>{cell(a)}</td>"
                       f"<td align='right'>{cell(b)}</td><td>{c}</td></tr>"
                       for name, a, b, c in rows)
        dist = ("Distance reported → computed: <b>–</b> (not comparable)"
                if res.distance_m is None and res.alert_id else
                f"Distance reported → computed: <b>{res.distance_m:.0f} m</b>"
                if res.distance_m is not None else "")
        if res.computed.lat is not None:
            where = f"Computed location: {res.computed.lat:.6f}, {res.computed.lon:.6f}"
        else:
            where = (f"Computed location (local frame): x {res.computed.x:.1f} m, "
                     f"y {res.computed.y:.1f} m")
        per = ""
        if len(res.shooters_at) > 1:
            per = "<br>".join(
                f"Shooter {p.shooter}: ±{p.radius_m:.0f} m"
                + ("" if p.distance_m is None else f", {p.distance_m:.0f} m from reported")
                for p in res.shooters_at)
        shots = len(sol.shots)
        return (f"<table cellspacing='0' cellpadding='3' border='0'>"
                f"<tr><th></th><th>Reported</th><th>Computed</th><th></th></tr>{body}</table>"
                f"<p>{dist}<br>{where}<br>{shots} shot(s) from {sol.source}, "
                f"mean residual {_mean_rms_ms(res):.2f} ms</p>"
                + (f"<p>{per}</p>" if per else ""))

    def _map_payload(self, run: VerificationRun, detail: bool) -> dict[str, Any]:
        res = run.result
        sol = res.solution
        shots = []
        for i, (shot, who) in enumerate(zip(sol.shots, sol.shooter_of_shot, strict=True)):
            lat, lon = sol.latlon(shot)
            shots.append({"lat": lat, "lon": lon, "radius_m": shot.uncertainty_m,
                          "shooter": who, "index": i + 1})
        payload: dict[str, Any] = {
            "computed": {"lat": res.computed.lat, "lon": res.computed.lon,
                         "radius_m": res.computed.radius_m},
            "reported": None if res.reported is None else {
                "lat": res.reported.lat, "lon": res.reported.lon,
                "radius_m": res.reported.radius_m},
            "distance_m": res.distance_m,
            "shots": shots,
            "outside_pack": not self._map.contains(res.computed.lat, res.computed.lon),
        }
        if detail and sol.frame is not None:
            payload["sensors"] = [
                dict(zip(("lat", "lon"), sol.frame.to_geographic(s.x, s.y), strict=True),
                     label=s.serial) for s in run.data.sensors]
        return payload

    def _ensure_map(self) -> Any:
        if self._map is None:
            try:
                if callable(self._map_factory):
                    self._map = self._map_factory()
                else:
                    from console.ui.alert_map import QtAlertMap

                    self._map = QtAlertMap()
            except Exception:
                log.exception("verification map unavailable; using the local plot")
                self._map_factory = False
                return None
            self.stack.addWidget(self._map)
        return self._map

    # -- replay -----------------------------------------------------------------------
    def _replay_tick(self) -> None:
        if self.result is None:
            self.stop_replay()
            return
        if getattr(self, "_replay_from_player", False):
            player = self._audio
            times = self._shot_times_on_player(player)
            pos = float(player.position_s)
            index = int(np.searchsorted(np.asarray(times), pos + 1e-9, side="right")) - 1
            self._highlight(index)
            engine = getattr(player, "engine", None)
            if pos > times[-1] + 1.0 or (engine is not None and not engine.playing):
                self.stop_replay()
            return
        elapsed = self._replay_clock.elapsed() / 1000.0
        offsets = self.result.shot_offsets_s
        self.set_playhead(elapsed)
        if elapsed > (offsets[-1] if offsets else 0.0) + 1.0:
            self.stop_replay()

    def _player_ready(self, player: Any) -> bool:
        clips = getattr(player, "clips", ())
        if player is None or not clips or getattr(player, "engine", None) is None:
            return False
        active = getattr(player, "active", 0)
        return 0 <= active < len(clips) and clips[active].start_ns is not None

    def _shot_times_on_player(self, player: Any) -> list[float]:
        """When each shot is heard on the player's active clip (s from the clip start):
        its arrival at that clip's sensor when the sensor took part, else the shot time."""
        clip = player.clips[player.active]
        serial = getattr(getattr(clip, "identity", None), "serial", None)
        out = []
        for shot in self.result.solution.shots:
            t = next((p.time_ns for p in shot.used if p.sensor.serial == serial), shot.time_ns)
            out.append((t - clip.start_ns) / 1e9)
        return sorted(out)

    def _highlight(self, index: int) -> None:
        if index == self._replay_index:
            return
        self._replay_index = index
        self.plot.highlight(index)
        n = len(self.result.shot_offsets_s) if self.result is not None else 0
        if 0 <= index < n:
            t = self.result.shot_offsets_s[index]
            self.status_label.setText(f"Replay: shot {index + 1} of {n} at +{t:.2f} s")
        if self._map is not None and self.stack.currentWidget() is self._map:
            self._map.highlight_shot(index)
        self.shot_highlighted.emit(index)


def _preload_audio() -> None:
    try:
        import console.audio.clips
        import console.audio.markers  # noqa: F401
    except Exception:  # the player is optional; a real failure shows when it loads
        log.debug("audio player modules not preloaded", exc_info=True)


def _label_key(labels: dict[str, str], serial: str) -> tuple[int, int]:
    label = labels.get(serial)
    return (0, int(label.split()[-1])) if label else (1, 0)


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _mean_rms_ms(res: VerificationResult) -> float:
    shots = res.solution.shots
    return float(np.mean([s.residual_rms_s for s in shots])) * 1e3 if shots else 0.0
