"""The incident audio player: stacked waveforms, spectrogram, pulse markers, transport.

:class:`AudioPlayerWidget` plays one clip at a time (the active row) and shows all clips
of an incident on one UTC time axis. Decoding, the spectrogram and pulse markers are
computed on the audio thread pool; the playhead follows the engine at 60 Hz. A file that
cannot be played shows its message in place of the player; a missing sound device shows
its message in place of the controls, and the waveforms stay usable.

Keys: Space play/pause, Left/Right seek 1 s (with Shift 0.1 s), Home/End.

The officer view (the default) labels clips "Sensor 1..n" only; ``identity_labels=True``
is for the verification view, which may show serial numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from console.audio.clips import AudioLoadError, Clip, load_clip, load_clips
from console.audio.markers import PulseMarker, find_markers
from console.audio.player import AudioDeviceError, AudioEngine
from console.audio.spectrogram import compute_spectrogram
from console.ui.audio_axes import utc_time_of_day
from console.ui.audio_controls import TransportBar
from console.ui.audio_waveform import MultiClipView
from console.ui.audio_workers import run_task

__all__ = ["AudioPlayerWidget", "MultiClipView"]

_TICK_MS = 16


class AudioPlayerWidget(QWidget):
    """Waveforms, spectrogram and transport for an incident's clips."""

    clips_loaded = Signal(int)
    load_failed = Signal(str)
    markers_ready = Signal(int)
    spectrogram_ready = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, device: int | str | None = None,
                 identity_labels: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("audioPlayer")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.identity_labels = identity_labels
        self.clips: tuple[Clip, ...] = ()
        self.markers: list[PulseMarker] = []
        self._shot_offsets: tuple[float, ...] = ()
        self._playhead_x: float | None = None
        self._generation = 0
        self.engine: AudioEngine | None = None
        self.device_error: str | None = None
        try:
            self.engine = AudioEngine(device=device)
        except AudioDeviceError as exc:
            self.device_error = str(exc)
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(_TICK_MS)
        self._timer.timeout.connect(self._on_tick)

    def _build(self) -> None:
        self.stack = QStackedWidget()
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        self.transport = TransportBar()
        self.device_label = QLabel(f"Sound output unavailable — {self.device_error} "
                                   "The recordings can still be viewed.")
        self.device_label.setObjectName("audioDeviceError")
        self.device_label.setWordWrap(True)
        self.transport.setVisible(self.engine is not None)
        self.device_label.setVisible(self.engine is None)
        self.view = MultiClipView()
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        col.addWidget(self.transport)
        col.addWidget(self.device_label)
        col.addWidget(self.view, 1)
        self.message = QLabel("Loading audio…")
        self.message.setObjectName("audioError")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet("font-size: 14pt; padding: 24px;")
        self.stack.addWidget(page)
        self.stack.addWidget(self.message)
        self.stack.setCurrentWidget(self.message)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        t = self.transport
        t.play_toggled.connect(self.toggle)
        t.stop_clicked.connect(self.stop)
        t.loop_toggled.connect(self._on_loop_toggled)
        t.speed_changed.connect(self.set_speed)
        t.volume_changed.connect(self.set_volume)
        t.clip_chosen.connect(self.view.set_active)
        self.view.seek_requested.connect(self._on_seek_requested)
        self.view.loop_selected.connect(self._on_loop_selected)
        self.view.active_changed.connect(self._on_active_changed)
        self.set_volume(t.volume.value() / 100.0)

    # -- loading ------------------------------------------------------------------------
    def load_files(self, paths: Sequence[str | Path], *, shot_offsets_s: Sequence[float] = ()
                   ) -> None:
        """Decode files off the GUI thread (labelled Sensor 1..n in order) and show them."""
        hide = not self.identity_labels
        self._load(lambda: load_clips(list(paths), hide_names=hide), shot_offsets_s)

    def load_blobs(self, blobs: Sequence[bytes], *, shot_offsets_s: Sequence[float] = ()) -> None:
        """Decode downloaded clips (e.g. from the feed) off the GUI thread and show them."""
        def decode() -> tuple[Clip, ...]:
            return tuple(load_clip(b, label=f"Sensor {i}", name=f"Sensor {i} audio")
                         for i, b in enumerate(blobs, start=1))

        self._load(decode, shot_offsets_s)

    def _load(self, decode, shot_offsets_s: Sequence[float]) -> None:
        """Decode in the background; only the newest load is shown."""
        self.pause()
        self._shot_offsets = tuple(shot_offsets_s)
        self.message.setText("Loading audio…")
        self.stack.setCurrentWidget(self.message)
        self._generation += 1
        gen = self._generation
        run_task(decode, on_done=lambda clips: gen == self._generation and self.set_clips(clips),
                 on_error=lambda exc: gen == self._generation and self._on_load_error(exc),
                 owner=self)

    def set_clips(self, clips: Sequence[Clip], markers: Sequence[PulseMarker] | None = None
                  ) -> None:
        """Show decoded clips; markers are found in the background unless given."""
        self.clips = tuple(clips)
        self._playhead_x = None
        self._generation += 1  # results of work started for earlier clips are dropped
        if not self.clips:
            self.show_error("This incident has no audio.")
            return
        self.view.set_clips(self.clips, identity_labels=self.identity_labels)
        self.transport.set_clip_labels([c.label for c in self.clips])
        self.stack.setCurrentWidget(self.stack.widget(0))
        self.view.set_active(0)
        if markers is not None:
            self.set_markers(markers)
        else:
            gen = self._generation
            run_task(find_markers, self.clips, self._shot_offsets,
                     on_done=lambda m: gen == self._generation and self.set_markers(m),
                     on_error=lambda _e: gen == self._generation and self.set_markers([]),
                     owner=self)
        self.clips_loaded.emit(len(self.clips))

    def set_markers(self, markers: Sequence[PulseMarker]) -> None:
        self.markers = list(markers)
        self.view.set_markers(self.markers)
        self._on_tick()
        self.markers_ready.emit(len(self.markers))

    def show_error(self, message: str) -> None:
        """Replace the player with ``message`` (playback stops)."""
        self.pause()
        self.message.setText(message)
        self.stack.setCurrentWidget(self.message)
        self.load_failed.emit(message)

    def _on_load_error(self, exc: Exception) -> None:
        text = str(exc) if isinstance(exc, AudioLoadError) else f"The audio could not be loaded ({exc})."
        self.show_error(text)

    # -- transport ----------------------------------------------------------------------
    @property
    def active(self) -> int:
        return self.view.active

    @property
    def position_s(self) -> float:
        """Playback position in the active clip, s from its start."""
        return self.engine.position_s if self.engine is not None else 0.0

    def play(self) -> None:
        if self.engine is None or not self.clips:
            return
        try:
            self.engine.play()
        except AudioDeviceError as exc:
            self._device_failed(str(exc))
            return
        self._timer.start()
        self.transport.set_playing(True)

    def pause(self) -> None:
        if self.engine is not None:
            self.engine.pause()
        self.transport.set_playing(False)
        self._on_tick()

    def toggle(self) -> None:
        self.pause() if self.engine is not None and self.engine.playing else self.play()

    def stop(self) -> None:
        if self.engine is not None:
            self.engine.stop()
        self.transport.set_playing(False)
        self._on_tick()

    def seek(self, t_s: float) -> None:
        if self.engine is not None and self.clips:
            self.engine.seek(t_s)
            self._on_tick()

    def seek_by(self, dt_s: float) -> None:
        self.seek(self.position_s + dt_s)

    def set_speed(self, speed: float) -> None:
        if self.engine is not None:
            self.engine.speed = speed
        self.transport.set_speed(speed)

    def set_volume(self, volume: float) -> None:
        if self.engine is not None:
            self.engine.volume = volume

    def set_loop(self, start_s: float | None, end_s: float | None = None) -> None:
        """Loop between two times of the active clip (s from its start); None clears."""
        if start_s is None or end_s is None:
            self.view.set_loop_region(None)
            self.transport.loop_button.setChecked(False)
            self.transport.loop_button.setEnabled(False)
            if self.engine is not None:
                self.engine.set_loop(None)
            return
        off = self.view.offsets[self.active]
        self.view.set_loop_region((off + start_s, off + end_s))
        self._on_loop_selected(off + start_s, off + end_s)

    def shutdown(self) -> None:
        """Stop the playhead timer and release the sound device."""
        self._timer.stop()
        if self.engine is not None:
            self.engine.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.shutdown()
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key, shift = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        step = 0.1 if shift else 1.0
        actions = {Qt.Key.Key_Space: self.toggle,
                   Qt.Key.Key_Left: lambda: self.seek_by(-step),
                   Qt.Key.Key_Right: lambda: self.seek_by(step),
                   Qt.Key.Key_Home: lambda: self.seek(0.0),
                   Qt.Key.Key_End: lambda: self.seek(self.clips[self.active].duration_s
                                                     if self.clips else 0.0)}
        action = actions.get(Qt.Key(key))
        if action is None:
            super().keyPressEvent(event)
            return
        event.accept()
        action()

    # -- slots --------------------------------------------------------------------------
    def _device_failed(self, message: str) -> None:
        self.device_error = message
        self.device_label.setText(f"Sound output unavailable — {message} "
                                  "The recordings can still be viewed.")
        self.transport.hide()
        self.device_label.show()

    def _on_active_changed(self, index: int) -> None:
        if not 0 <= index < len(self.clips):
            return
        clip = self.clips[index]
        if self.engine is not None:
            self.engine.load(clip.mono, clip.sample_rate)
            if self._playhead_x is not None:  # the same moment on the other sensor
                self.engine.seek(self._playhead_x - self.view.offsets[index])
        self.transport.set_playing(False)
        self.transport.clip_box.blockSignals(True)
        self.transport.clip_box.setCurrentIndex(index)
        self.transport.clip_box.blockSignals(False)
        self.set_loop(None)
        self._on_tick()
        gen = self._generation
        run_task(compute_spectrogram, clip.mono, clip.sample_rate,
                 on_done=lambda spec: gen == self._generation and self._on_spectrogram(index, spec),
                 owner=self)

    def _on_spectrogram(self, index: int, spec) -> None:
        if index == self.active:
            self.view.set_spectrogram(index, spec)
            self.spectrogram_ready.emit(index)

    def _on_seek_requested(self, row: int, t_s: float) -> None:
        self.setFocus()
        if row == self.active:
            self.seek(t_s)

    def _on_loop_selected(self, a: float, b: float) -> None:
        if self.engine is None or not self.clips:
            return
        off = self.view.offsets[self.active]
        try:
            self.engine.set_loop(a - off, b - off)
        except ValueError:  # a selection outside the active clip
            self.set_loop(None)
            return
        self.transport.loop_button.setEnabled(True)
        self.transport.loop_button.setChecked(True)
        self._on_tick()

    def _on_loop_toggled(self, on: bool) -> None:
        if self.engine is None:
            return
        if on and self.view.regions and self.view.regions[0].isVisible():
            self._on_loop_selected(*self.view.regions[0].getRegion())
        elif not on:
            self.engine.set_loop(None)

    def _on_tick(self) -> None:
        if not self.clips:
            return
        pos = self.position_s
        x = self.view.offsets[self.active] + pos
        self._playhead_x = x
        self.view.set_playhead(x)
        lo, hi = self.view.x_range()
        playing = self.engine is not None and self.engine.playing
        if playing and not lo <= x <= hi:  # page along with playback
            self.view.set_x_range(x - 0.1 * (hi - lo), x + 0.9 * (hi - lo))
        self.transport.position.setText(self._position_text(x))
        if not playing:
            self._timer.stop()
            self.transport.set_playing(False)

    def _position_text(self, x: float) -> str:
        shot_x, origin = self.view.shot_x, self.view.origin_ns
        rel = f"{x - shot_x:+.3f} s from first shot" if shot_x is not None else \
            f"{x - self.view.offsets[self.active]:.3f} s"
        if origin is None:
            return rel
        return f"{rel} · {utc_time_of_day(origin % 86_400_000_000_000 / 1e9 + x, 0.001)} UTC"
