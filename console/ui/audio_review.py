""""Review audio" for an incident: fetch its clips from the feed and play them.

The clips come through the feed client, which keeps every download in the store, so an
incident reviewed once plays again with the feed offline. Fetching runs on the audio
thread pool; a failure shows its message in place of the player.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from console.audio.markers import shot_offsets
from console.domain.alert import Alert
from console.ui.audio_player import AudioPlayerWidget
from console.ui.audio_workers import run_task

__all__ = ["AudioReviewDialog", "clip_fetcher", "shot_offsets"]

Fetch = Callable[[str, int], bytes]


def clip_fetcher(client: Any, store: Any) -> Fetch:
    """``fetch(alert_id, n)``: through the feed client (cached), else the store's cache."""
    if client is not None and hasattr(client, "fetch_audio"):
        return client.fetch_audio

    def cached(alert_id: str, n: int) -> bytes:
        clip = store.cached_audio(alert_id, n)
        if clip is None:
            raise LookupError("this clip was never downloaded and the feed is not connected")
        return clip.data

    return cached


class AudioReviewDialog(QDialog):
    """A window with the incident's clips in an :class:`AudioPlayerWidget`."""

    def __init__(self, alert: Alert, fetch: Fetch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audioReview")
        self.setWindowTitle(f"Incident audio — {alert.address or alert.id}")
        self.resize(1100, 720)
        self.player = AudioPlayerWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.player)
        self.alert = alert
        count = len(alert.audio)
        if count == 0:
            self.player.show_error("This alert carries no audio.")
            return

        def download() -> list[bytes]:
            return [fetch(alert.id, n) for n in range(count)]

        run_task(download, on_done=self._on_fetched, on_error=self._on_fetch_failed,
                 owner=self.player)

    def _on_fetched(self, blobs: list[bytes]) -> None:
        self.player.load_blobs(blobs, shot_offsets_s=shot_offsets(self.alert))
        self.player.setFocus()

    def _on_fetch_failed(self, exc: Exception) -> None:
        self.player.show_error(f"The audio could not be fetched: {exc}")

    def done(self, result: int) -> None:  # closing by Esc, the window button or accept
        self.player.shutdown()
        super().done(result)
