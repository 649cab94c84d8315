"""File → Open audio files…: local recordings in the player, from the real window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from console.app import build_main_window, store_url
from console.feed.server import FeedServer
from console.store import Store
from console.ui.audio_workers import audio_pool

TOKEN = "audio-files-token"


@pytest.fixture
def window(qtbot, tmp_path: Path):
    store = Store(store_url(tmp_path))
    with FeedServer("127.0.0.1", 0, TOKEN, max_wait_s=1.0) as server:
        win = build_main_window(store, server.url, TOKEN, sound=False)
        try:
            yield win
        finally:
            for dialog in win.audio_files.dialogs:
                dialog.player.shutdown()
            audio_pool().waitForDone(30_000)
            gone: list[bool] = []
            win.destroyed.connect(lambda: gone.append(True))
            win.close()
            win.deleteLater()
            qtbot.waitUntil(lambda: bool(gone), timeout=5000)
            store.close()


def _menu_texts(win) -> list[str]:
    return [a.text() for m in win.menuBar().actions() if m.menu() for a in m.menu().actions()]


def _texts(widget) -> str:
    return " ".join(w.text() for w in widget.findChildren(QLabel)) + " " + widget.windowTitle()


def test_file_menu_offers_local_audio_and_plays_sensor_wavs_as_sensors(
        qtbot, window, shotspotter_wav: Path) -> None:
    assert "Open audio files…" in _menu_texts(window)
    wavs = sorted((shotspotter_wav / "chicago-d5-2022-09-18-incident-556267").glob("*.wav"))
    dialog = window.audio_files.open_files(wavs)
    with qtbot.waitSignal(dialog.player.clips_loaded, timeout=30_000) as sig:
        pass
    assert sig.args == [4]
    assert [c.label for c in dialog.player.clips] == [f"Sensor {i}" for i in range(1, 5)]
    assert all(c.sample_rate == 12000 and c.start_ns is not None for c in dialog.player.clips)
    shown = _texts(dialog)
    assert "SCP-" not in shown and ".wav" not in shown  # an officer sees no serials, no names


def test_a_corrupt_local_file_gives_a_message_not_a_crash(qtbot, window, tmp_path: Path) -> None:
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    dialog = window.audio_files.open_files([bad])
    with qtbot.waitSignal(dialog.player.load_failed, timeout=10_000) as sig:
        pass
    assert sig.args[0]
    assert dialog.player.message.isVisible()
    assert window.isEnabled()
