"""The console's main window: alert queue, map, incident panel, banner and status bar.

A thin view: the store, feed client and map are handed in. Feed callbacks arrive on
worker threads and are turned into Qt signals (queued to the GUI thread); every store
call runs on one background worker and reports back through signals, so the GUI
thread never waits on the database.
"""

from __future__ import annotations

import contextlib
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMainWindow,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from console.domain.alert import Alert
from console.domain.dispatch import dispatch_summary
from console.feed.state import ConnectionState, FeedStatus
from console.ui.alert_queue_model import AlertQueueModel, QueueRow
from console.ui.incident_panel import IncidentPanel
from console.ui.theme import style_sheet

__all__ = ["MainWindow", "Tone", "map_payload"]

log = logging.getLogger(__name__)


class _Client(Protocol):
    on_state: Any
    on_alerts: Any
    on_rejected: Any

    def start(self) -> Any: ...
    def stop(self, timeout: float | None = None) -> None: ...


def map_payload(alert: Alert, acknowledged: bool) -> dict[str, Any]:
    """The incident as :meth:`QtAlertMap.show_incident` takes it."""
    rounds = f"{alert.rounds} shot{'s' if alert.rounds != 1 else ''}" if alert.rounds else ""
    shooters = f", {alert.shooters} shooters" if alert.shooters and alert.shooters >= 2 else ""
    return {
        "id": alert.id, "type": str(alert.type), "review": str(alert.review),
        "lat": alert.location.lat, "lon": alert.location.lon,
        "uncertainty_m": alert.location.uncertainty_m,
        "label": f"{alert.id} {rounds}{shooters}".strip(),
        "shots": [{"lat": s.lat, "lon": s.lon, "shooter": s.shooter,
                   "time": s.time.isoformat()} for s in alert.shots],
        "mobile": None if alert.mobile is None else {
            "speed_mps": alert.mobile.speed_mps, "heading_deg": alert.mobile.heading_deg},
        "acknowledged": acknowledged,
    }


class Tone:
    """A short two-pitch alert beep through sounddevice; never raises."""

    def __init__(self, enabled: bool = True) -> None:
        self.error: str | None = None
        self.played = 0  # tones handed to the sound device
        self._sd: Any = None
        if not enabled:
            self.error = "sound off"
            return
        try:
            import sounddevice

            sounddevice.query_devices(kind="output")
            self._sd = sounddevice
        except Exception as exc:  # OSError without PortAudio, PortAudioError without device
            self.error = f"sound unavailable ({exc})"
        fs = 44100
        t = np.arange(int(0.18 * fs)) / fs
        beep = np.concatenate([np.sin(2 * np.pi * 880 * t), np.zeros(int(0.06 * fs)),
                               np.sin(2 * np.pi * 1320 * t)])
        fade = np.minimum(1.0, np.minimum(np.arange(beep.size), beep.size - np.arange(beep.size))
                          / (0.01 * fs))
        self._wave, self._fs = (0.4 * beep * fade).astype(np.float32), fs

    @property
    def available(self) -> bool:
        return self._sd is not None

    def play(self) -> bool:
        if self._sd is None:
            return False
        try:
            self._sd.play(self._wave, self._fs)
            self.played += 1
            return True
        except Exception as exc:
            self.error = f"sound unavailable ({exc})"
            self._sd = None
            return False


class MainWindow(QMainWindow):
    """Queue (left), map (centre), incident panel (right), alert banner (top)."""

    # thread-safe entry points (emitted from feed and DB worker threads)
    alerts_arrived = Signal(list)
    state_arrived = Signal(object)
    rejected_arrived = Signal(str)
    loaded = Signal(list)
    acknowledged = Signal(str, bool)
    details_loaded = Signal(str, object, list)
    tone_requested = Signal(str)  # incident id of a new alert that asked for the tone

    def __init__(self, store: Any, client: _Client | None, map_widget: QWidget, *,
                 theme: str = "day", tone: Tone | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mobile Alert Console")
        self.setMinimumSize(1024, 700)
        self.store, self.client, self.map = store, client, map_widget
        self.tone = tone or Tone()
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="console-db")
        self.model = AlertQueueModel(self, theme=theme)
        self._banner_id: str | None = None
        self.rejected_count = 0
        self._build()
        self.set_theme(theme)
        self.alerts_arrived.connect(self._on_alerts)
        self.state_arrived.connect(self._on_state)
        self.rejected_arrived.connect(self._on_rejected)
        self.loaded.connect(self._on_loaded)
        self.acknowledged.connect(self._on_acknowledged)
        self.details_loaded.connect(self._on_details)
        if hasattr(self.map, "incident_clicked"):
            self.map.incident_clicked.connect(self.select_incident)
        if client is not None:
            client.on_alerts = self.alerts_arrived.emit
            client.on_state = self.state_arrived.emit
            client.on_rejected = lambda reason, _raw: self.rejected_arrived.emit(reason)
        self._submit(self._load_all, self.loaded.emit)

    # -- layout -----------------------------------------------------------------------
    def _build(self) -> None:
        root = QWidget()
        outer = QVBoxLayout(root)
        outer.setContentsMargins(4, 4, 4, 4)

        top = QHBoxLayout()
        title = QLabel("<b>Mobile Alert Console</b>")
        self.theme_button = QPushButton("Night")
        self.theme_button.setObjectName("themeButton")
        self.theme_button.clicked.connect(self._toggle_theme)
        top.addWidget(title, 1)
        top.addWidget(self.theme_button)
        outer.addLayout(top)

        self.banner = QFrame()
        self.banner.setObjectName("banner")
        b = QHBoxLayout(self.banner)
        self.banner_label = QLabel()
        self.banner_label.setWordWrap(True)
        self.ack_button = QPushButton("Acknowledge")
        self.ack_button.setObjectName("ackButton")
        self.ack_button.clicked.connect(self.acknowledge_banner)
        b.addWidget(self.banner_label, 1)
        b.addWidget(self.ack_button)
        self.banner.hide()
        outer.addWidget(self.banner)

        self.queue = QListView()
        self.queue.setObjectName("alertQueue")
        self.queue.setModel(self.model)
        self.queue.setUniformItemSizes(True)  # every row is ROW_HEIGHT: O(1) layout per insert
        self.queue.setWordWrap(True)
        self.queue.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.queue.selectionModel().currentChanged.connect(self._on_current_changed)
        self.panel = IncidentPanel()
        self.panel.review_audio_requested.connect(self.review_audio)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.queue)
        split.addWidget(self.map)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 0)
        split.setSizes([280, 460, 300])
        split.setChildrenCollapsible(False)
        self.queue.setMinimumWidth(240)
        self.panel.setMinimumWidth(260)
        outer.addWidget(split, 1)
        self.setCentralWidget(root)

        self.connection_label = QLabel("connecting…")
        self.connection_label.setObjectName("connection")
        self.sound_label = QLabel("" if self.tone.available else "sound unavailable")
        self.sound_label.setObjectName("sound")
        if self.tone.error and self.tone.available is False:
            self.sound_label.setToolTip(self.tone.error)
        self.rejected_label = QLabel()
        self.rejected_label.setObjectName("rejected")
        self.rejected_label.setContentsMargins(0, 0, 16, 0)
        self.rejected_label.hide()
        self.statusBar().addWidget(self.connection_label, 1)
        self.statusBar().addPermanentWidget(self.rejected_label)
        self.statusBar().addPermanentWidget(self.sound_label)

    # -- theme ------------------------------------------------------------------------
    def set_theme(self, theme: str) -> None:
        self.theme = theme
        self.setStyleSheet(style_sheet(theme))
        self.model.set_theme(theme)
        self.theme_button.setText("Day" if theme == "night" else "Night")
        if hasattr(self.map, "set_theme"):
            self.map.set_theme(theme)

    def _toggle_theme(self) -> None:
        self.set_theme("day" if self.theme == "night" else "night")

    # -- background work --------------------------------------------------------------
    def _submit(self, fn: Any, done: Any, *args: Any) -> None:
        def finished(fut: Future) -> None:
            try:
                result = fut.result()
            except Exception:
                log.exception("store call %s failed", getattr(fn, "__name__", fn))
                return
            done(*result) if isinstance(result, tuple) else done(result)

        with contextlib.suppress(RuntimeError):  # executor shut down while closing
            self._db.submit(fn, *args).add_done_callback(finished)

    def _load_all(self) -> list:
        return self.store.list_incidents(limit=1000)

    def _ack(self, incident_id: str) -> tuple[str, bool]:
        return incident_id, bool(self.store.acknowledge(incident_id))

    def _details(self, incident_id: str) -> tuple[str, Any, list]:
        return incident_id, self.store.get_incident(incident_id), self.store.revisions(incident_id)

    # -- slots ------------------------------------------------------------------------
    @Slot(list)
    def _on_loaded(self, records: list) -> None:
        known = set(self.model.ids())
        rows = [QueueRow(r.alert, r.acknowledged_at is not None) for r in records
                if r.alert.id not in known]
        for row in rows:
            self.model.upsert(row.alert, row.acknowledged)
            self.map.show_incident(map_payload(row.alert, row.acknowledged))
        self._refresh_banner()

    @Slot(list)
    def _on_alerts(self, alerts: list) -> None:
        newest_new: Alert | None = None
        for alert in alerts:
            is_new = self.model.upsert(alert)
            pos = self.model.row_of(alert.id)
            ack = self.model.row_at(pos).acknowledged if pos is not None else False
            if is_new:
                log.info("alert %s received", alert.id)
                newest_new = alert if newest_new is None or alert.time >= newest_new.time \
                    else newest_new
            else:
                log.info("alert %s revision %d received (%s)", alert.id, alert.revision,
                         alert.review)
            self.map.show_incident(map_payload(alert, ack), focus=False)
            if self.panel.incident_id == alert.id:
                self._submit(self._details, self.details_loaded.emit, alert.id)
        if newest_new is not None:
            # selecting the row pans the map to it (one upsert and one pan per new alert)
            self.tone_requested.emit(newest_new.id)
            if not self.tone.play() and self.tone.error:
                self.sound_label.setText("sound unavailable")
                self.sound_label.setToolTip(self.tone.error)
            self._refresh_banner()
            self.select_incident(newest_new.id, pan=False)
        else:
            self._refresh_banner()

    @Slot(object)
    def _on_state(self, state: ConnectionState) -> None:
        since = state.since.astimezone().strftime("%H:%M:%S")
        text = {FeedStatus.CONNECTED: "● Feed connected",
                FeedStatus.RETRYING: f"● Feed retrying (attempt {state.attempt})",
                FeedStatus.OFFLINE: f"● Feed offline since {since}",
                FeedStatus.UNAUTHORIZED: f"● Feed refused the token since {since}",
                FeedStatus.STORAGE: f"⚠ {state.error or 'storage error'} (since {since})",
                }[state.status]
        self.connection_label.setText(text)
        self.connection_label.setToolTip(state.error or "")
        self.connection_label.setProperty("status", str(state.status))
        self.connection_label.style().unpolish(self.connection_label)
        self.connection_label.style().polish(self.connection_label)

    @Slot(str)
    def _on_rejected(self, reason: str) -> None:
        self.rejected_count += 1
        short = self.rejected_label.fontMetrics().elidedText(
            reason, Qt.TextElideMode.ElideRight, 300)  # the whole reason is in the tooltip
        # a label, not showMessage(): a temporary message would hide the connection state
        self.rejected_label.setText(f"⚠ {self.rejected_count} rejected · last: {short}")
        self.rejected_label.setToolTip(f"Last rejected alert: {reason}")
        self.rejected_label.show()

    def _refresh_banner(self) -> None:
        row = self.model.newest_unacknowledged()
        if row is None:
            self._banner_id = None
            self.banner.hide()
            return
        self._banner_id = row.alert.id
        s = dispatch_summary(row.alert)
        where = row.alert.address or ""
        self.banner_label.setText(
            f"NEW ALERT  {s.type_code} P{s.priority} — {' — '.join(s.details) or s.type_text}"
            f"<br>{where} · {row.alert.time.astimezone().strftime('%H:%M:%S')}")
        self.ack_button.setEnabled(True)
        self.banner.show()

    @property
    def banner_incident_id(self) -> str | None:
        """Incident the alert banner shows (None when hidden)."""
        return self._banner_id

    @Slot()
    def acknowledge_banner(self) -> None:
        if self._banner_id is None:
            return
        self.ack_button.setEnabled(False)
        self._submit(self._ack, self.acknowledged.emit, self._banner_id)

    @Slot(str, bool)
    def _on_acknowledged(self, incident_id: str, ok: bool) -> None:
        if ok:
            self.model.set_acknowledged(incident_id)
            pos = self.model.row_of(incident_id)
            if pos is not None:
                self.map.show_incident(map_payload(self.model.row_at(pos).alert, True))
        self._refresh_banner()
        if self.panel.incident_id == incident_id:
            self._submit(self._details, self.details_loaded.emit, incident_id)

    @Slot(str)
    def select_incident(self, incident_id: str, pan: bool = True) -> None:
        pos = self.model.row_of(incident_id)
        if pos is None:
            return
        self.queue.selectionModel().setCurrentIndex(
            self.model.index(pos), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.queue.scrollTo(self.model.index(pos))

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        row = self.model.row_at(current.row())
        self.panel.show_incident(row.alert, row.acknowledged)
        self.map.select_incident(row.alert.id, pan=True)
        self._submit(self._details, self.details_loaded.emit, row.alert.id)

    @Slot(str, object, list)
    def _on_details(self, incident_id: str, record: Any, revisions: list) -> None:
        if record is None or self.panel.incident_id != incident_id:
            return
        self.panel.show_incident(record.alert, record.acknowledged_at is not None, revisions)

    @Slot(str)
    def review_audio(self, incident_id: str) -> None:
        """Open the incident's audio: fetched through the feed client, kept in the store."""
        from console.ui.audio_review import AudioReviewDialog, clip_fetcher

        pos = self.model.row_of(incident_id)
        if pos is None:
            return
        dialog = AudioReviewDialog(self.model.row_at(pos).alert,
                                   clip_fetcher(self.client, self.store), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.audio_dialog = dialog

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        if self.client is not None:
            self.client.start()

    def shutdown(self) -> None:
        if self.client is not None:
            self.client.on_alerts = self.client.on_state = self.client.on_rejected = None
            self.client.stop(timeout=2.0)
            self.client = None
        self._db.shutdown(wait=True, cancel_futures=True)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.shutdown()
        super().closeEvent(event)
