"""Review audio: clips fetched from a real feed on loopback, cached in a real store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from console.audio.markers import shot_offsets
from console.domain.alert import parse_alert
from console.feed import FeedClient, FeedServer
from console.store import Store
from console.ui.audio_review import AudioReviewDialog, clip_fetcher
from console.ui.audio_workers import audio_pool
from console.ui.incident_panel import IncidentPanel
from tests.domain.factories import alert_dict

TOKEN = "audio-review-token"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def feed(tmp_path: Path, pittsburgh: Path) -> Iterator[tuple[FeedServer, FeedClient, Store]]:
    wav = next((pittsburgh / "FP1" / "test_001").glob("*.audio.*.wav")).read_bytes()
    server = FeedServer(token=TOKEN).start()
    store = Store(f"sqlite:///{tmp_path / 'console.db'}")
    client = FeedClient(server.url, TOKEN, store, wait=0.0, timeout=(1.0, 2.0))
    payload = alert_dict("PGH-A1")
    payload["shots"] = [dict(payload["shots"][0], time=t) for t in
                        ("2018-12-19T00:49:28.380Z", "2018-12-19T00:49:29.483Z",
                         "2018-12-19T00:49:30.652Z")]
    del payload["audio"]  # the server describes its clip
    server.publish(payload, audio=[wav])
    try:
        yield server, client, store
    finally:
        server.stop()
        client.stop(timeout=5)
        audio_pool().waitForDone(30_000)
        store.close()


@pytest.fixture
def dialogs(qtbot) -> Iterator[list[AudioReviewDialog]]:
    made: list[AudioReviewDialog] = []
    try:
        yield made
    finally:
        for d in made:
            d.player.shutdown()


def _open(qtbot, dialogs, alert, fetch) -> AudioReviewDialog:
    dialog = AudioReviewDialog(alert, fetch)
    qtbot.addWidget(dialog)
    dialogs.append(dialog)
    dialog.show()
    return dialog


def test_clip_is_fetched_shown_and_plays_later_from_the_store(qtbot, feed, dialogs) -> None:
    server, client, store = feed
    [alert] = client.poll_once()
    assert shot_offsets(alert) == pytest.approx([0.0, 1.103, 2.272])
    dialog = _open(qtbot, dialogs, alert, clip_fetcher(client, store))
    with qtbot.waitSignal(dialog.player.markers_ready, timeout=30_000):
        pass
    player = dialog.player
    assert [c.label for c in player.clips] == ["Sensor 1"]
    assert player.clips[0].duration_s == pytest.approx(10.0)
    assert [m.shot for m in player.markers] == [1, 2, 3]  # the alert's shots, on the pulses
    assert store.cached_audio("PGH-A1", 0) is not None
    qtbot.waitUntil(lambda: player.view.spec_image.image is not None, timeout=10_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SCREENSHOTS / "audio_review.png"))
    server.stop()  # offline: the clip comes from the store
    again = _open(qtbot, dialogs, alert, clip_fetcher(None, store))
    with qtbot.waitSignal(again.player.clips_loaded, timeout=30_000):
        pass
    assert again.player.clips[0].frames == player.clips[0].frames
    again.close()
    assert again.player.engine is None or not again.player.engine.playing


def test_offline_and_never_downloaded_shows_a_message(qtbot, feed, dialogs, tmp_path) -> None:
    _, client, _ = feed
    [alert] = client.poll_once()
    empty = Store(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        dialog = _open(qtbot, dialogs, alert, clip_fetcher(None, empty))
        with qtbot.waitSignal(dialog.player.load_failed, timeout=10_000) as sig:
            pass
        assert "never downloaded" in sig.args[0]
        assert dialog.player.message.isVisible()
    finally:
        empty.close()


def test_panel_offers_review_only_for_alerts_with_audio(qtbot) -> None:
    panel = IncidentPanel()
    qtbot.addWidget(panel)
    panel.show()
    clip = [{"href": "/v1/alerts/WITH/audio/0", "mime": "audio/wav", "duration_s": 10.0}]
    panel.show_incident(parse_alert(alert_dict("WITH", audio=clip)), acknowledged=False)
    assert panel.audio_button.isVisible()
    with qtbot.waitSignal(panel.review_audio_requested) as sig:
        qtbot.mouseClick(panel.audio_button, Qt.MouseButton.LeftButton)
    assert sig.args == ["WITH"]
    panel.show_incident(parse_alert(alert_dict("WITHOUT", audio=[])), acknowledged=False)
    assert not panel.audio_button.isVisible()


def test_main_window_opens_the_review_from_the_store_cache(qtbot, tmp_path, pittsburgh) -> None:
    from PySide6.QtWidgets import QWidget

    from console.ui.main_window import MainWindow, Tone

    wav = next((pittsburgh / "FP1" / "test_001").glob("*.audio.*.wav")).read_bytes()
    store = Store(f"sqlite:///{tmp_path / 'console.db'}")
    clip = [{"href": "/v1/alerts/CACHED/audio/0", "mime": "audio/wav", "duration_s": 10.0}]
    alert = parse_alert({**alert_dict("CACHED", audio=clip), "seq": 1})
    store.cache_audio("CACHED", 0, "audio/wav", wav)
    window = MainWindow(store, None, QWidget(), tone=Tone(enabled=False))
    qtbot.addWidget(window)
    try:
        window.model.upsert(alert)
        window.review_audio("CACHED")
        player = window.audio_dialog.player
        with qtbot.waitSignal(player.clips_loaded, timeout=30_000):
            pass
        assert player.clips[0].duration_s == pytest.approx(10.0)
        assert window.audio_dialog.isVisible()
        window.audio_dialog.close()
    finally:
        window.shutdown()
        audio_pool().waitForDone(30_000)
        store.close()
