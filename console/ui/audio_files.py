"""File → Open audio files…: local recordings (WAV, FLAC, OGG, ShotSpotter smj0 WAVs)
in the audio player, outside any incident. Several files stack on one UTC axis when
their start times are known; officers see them as "Sensor 1…n"."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QVBoxLayout, QWidget

from console.domain.permissions import can_view_sensor_positions
from console.ui.audio_player import AudioPlayerWidget

__all__ = ["AudioFilesDialog", "install_audio_file_action"]

_FILTER = "Audio (*.wav *.WAV *.flac *.FLAC *.ogg *.OGG);;All files (*)"


class AudioFilesDialog(QDialog):
    """A player over local files."""

    def __init__(self, paths: Sequence[str | Path], *, identity_labels: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audioFiles")
        names = ", ".join(Path(p).name for p in paths) if identity_labels else (
            f"{len(paths)} recording(s)")
        self.setWindowTitle(f"Audio — {names}")
        self.resize(1100, 720)
        self.player = AudioPlayerWidget(identity_labels=identity_labels, parent=self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.player)
        self.player.load_files([str(p) for p in paths])

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.player.shutdown()
        super().closeEvent(event)


class _AudioFileAction(QObject):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.dialogs: list[AudioFilesDialog] = []
        self.action = QAction("Open audio files…", window)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.action.setToolTip("Play local recordings (WAV, FLAC, OGG, sensor WAVs)")
        self.action.triggered.connect(self._choose)

    def _choose(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.window, "Open audio files", "", _FILTER)
        if paths:
            self.open_files(paths)

    def open_files(self, paths: Sequence[str | Path]) -> AudioFilesDialog:
        # serials and file names (which carry serials) only for those allowed to see sensors
        allowed = can_view_sensor_positions(getattr(self.window, "user", None))
        dialog = AudioFilesDialog(paths, identity_labels=allowed, parent=self.window)
        self.dialogs = [d for d in self.dialogs if d.isVisible()] + [dialog]
        dialog.show()
        return dialog


def install_audio_file_action(window: Any) -> _AudioFileAction:
    """Add File → Open audio files… to ``window``'s menu bar (after the File menu exists)."""
    handler = _AudioFileAction(window)
    bar = window.menuBar()
    file_menu = next((a.menu() for a in bar.actions()
                      if isinstance(a.menu(), QMenu) and a.text().replace("&", "") == "File"), None)
    if file_menu is None:
        file_menu = bar.addMenu("&File")
    file_menu.addAction(handler.action)
    window.audio_files = handler
    return handler
