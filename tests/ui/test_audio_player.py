"""The audio player widget, offscreen, playing into the ALSA null sink."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QWidget

from console.audio.clips import load_clip
from console.ui.audio_player import AudioPlayerWidget
from console.ui.audio_workers import audio_pool

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
SERIAL = re.compile(r"SCP-\d\d-[A-Z]{3}-\d{4}")
LONG_DECIMAL = re.compile(r"-?\d+\.\d{4,}")  # a coordinate printed to 4+ decimals


@pytest.fixture
def make_player(qtbot) -> Iterator:
    made: list[AudioPlayerWidget] = []

    def make(**kwargs) -> AudioPlayerWidget:
        w = AudioPlayerWidget(**kwargs)
        qtbot.addWidget(w)
        w.resize(1200, 800)
        w.show()
        made.append(w)
        return w

    try:
        yield make
    finally:  # timers and sound streams stop even when a test fails
        for w in made:
            w.shutdown()
        audio_pool().waitForDone(30_000)


@pytest.fixture(scope="module")
def pittsburgh_wavs(pittsburgh: Path) -> list[Path]:
    return sorted((pittsburgh / "FP1" / "test_001").glob("*.audio.*.wav"))


@pytest.fixture(scope="module")
def smj0_clip(shotspotter_wav: Path) -> Path:
    return next(shotspotter_wav.glob("chicago-d7-*/*.wav"))


def _load(qtbot, player: AudioPlayerWidget, paths, markers: bool = True) -> None:
    signal = player.markers_ready if markers else player.clips_loaded
    with qtbot.waitSignal(signal, timeout=30_000):
        player.load_files(paths)
    qtbot.waitUntil(lambda: player.view.spec_image.image is not None, timeout=10_000)


def test_loads_a_sensor_wav_and_plots_every_sample(qtbot, make_player, smj0_clip) -> None:
    player = make_player()
    _load(qtbot, player, [smj0_clip])
    clip = load_clip(smj0_clip)
    x, y = player.view.curves[0].getOriginalDataset()
    assert len(y) == clip.frames == round(9.983 * 12000)
    assert x[-1] - x[0] == pytest.approx(clip.duration_s - 1 / 12000)
    assert np.array_equal(y, clip.mono)
    assert player.stack.currentWidget() is not player.message
    assert player.view.plots[0].getAxis("top").labelText == "UTC"
    assert player.engine.duration_s == pytest.approx(clip.duration_s)


def test_pittsburgh_clips_are_stacked_on_one_time_axis_with_shot_markers(
        qtbot, make_player, pittsburgh_wavs) -> None:
    player = make_player()
    _load(qtbot, player, pittsburgh_wavs)
    assert len(player.view.plots) == 6 and player.view.offsets == [0.0] * 6
    linked = {p.getViewBox().linkedView(pg.ViewBox.XAxis) for p in player.view.plots[1:]}
    assert linked == {player.view.plots[0].getViewBox()}
    shots = {int(line.label.textItem.toPlainText()) for line in player.view.marker_lines}
    assert shots == set(range(1, len(shots) + 1)) and len(shots) >= 3  # test 01: 3 rounds
    assert len(player.view.marker_lines) >= 4 * len(shots)  # four sensors at least per shot
    assert player.view.shot_x is not None and 0.0 < player.view.shot_x < 10.0
    assert player.view.spec_plot.getAxis("bottom").labelText == "s from first shot"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    player.seek(4.0)
    assert player.grab().save(str(SCREENSHOTS / "audio_player.png"))


def test_click_on_the_waveform_seeks(qtbot, make_player, smj0_clip) -> None:
    player = make_player()
    _load(qtbot, player, [smj0_clip], markers=False)
    view, vb = player.view, player.view.plots[0].getViewBox()
    target = 6.25
    point = view.mapFromScene(vb.mapViewToScene(QPointF(target, 0.0)))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    seconds_per_px = (view.x_range()[1] - view.x_range()[0]) / vb.width()
    assert player.position_s == pytest.approx(target, abs=2 * seconds_per_px)
    assert player.view.playheads[0].value() == pytest.approx(target, abs=2 * seconds_per_px)


def test_keys_play_pause_and_seek(qtbot, make_player, smj0_clip) -> None:
    player = make_player()
    _load(qtbot, player, [smj0_clip], markers=False)
    player.setFocus()
    qtbot.keyClick(player, Qt.Key.Key_Right)
    assert player.position_s == pytest.approx(1.0)
    qtbot.keyClick(player, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert player.position_s == pytest.approx(1.1)
    qtbot.keyClick(player, Qt.Key.Key_Left)
    assert player.position_s == pytest.approx(0.1)
    qtbot.keyClick(player, Qt.Key.Key_End)
    assert player.position_s == pytest.approx(9.983, abs=1e-3)
    qtbot.keyClick(player, Qt.Key.Key_Home)
    assert player.position_s == 0.0
    player.set_loop(2.0, 3.0)  # a loop keeps playing on the null sink, which never waits
    assert player.transport.loop_button.isChecked()
    qtbot.keyClick(player, Qt.Key.Key_Space)
    assert player.engine.playing
    qtbot.waitUntil(lambda: player.engine.frames_out > 0)
    assert player.transport.play_button.text().endswith("Pause")
    qtbot.keyClick(player, Qt.Key.Key_Space)
    assert not player.engine.playing
    assert 2.0 <= player.position_s < 3.0


def test_playhead_follows_playback(qtbot, make_player, smj0_clip) -> None:
    player = make_player()
    _load(qtbot, player, [smj0_clip], markers=False)
    player.set_loop(5.0, 9.0)
    player.play()
    qtbot.waitUntil(lambda: player.engine.frames_out > 12000, timeout=5000)
    qtbot.wait(50)  # a few timer ticks
    assert 5.0 <= player.view.playheads[0].value() < 9.0
    assert "UTC" in player.transport.position.text()


def test_speed_and_volume_controls_reach_the_engine(qtbot, make_player, smj0_clip) -> None:
    player = make_player()
    _load(qtbot, player, [smj0_clip], markers=False)
    qtbot.mouseClick(player.transport.speed_half, Qt.MouseButton.LeftButton)
    assert player.engine.speed == 0.5
    assert "pitch lower" in player.transport.speed_half.text()  # resampled, not stretched
    qtbot.mouseClick(player.transport.speed_full, Qt.MouseButton.LeftButton)
    assert player.engine.speed == 1.0
    player.transport.volume.setValue(25)
    assert player.engine.volume == pytest.approx(0.25)
    for button in player.transport.findChildren(QAbstractButton):
        assert button.height() >= 48


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_broken_file_shows_a_message_in_place_of_the_player(
        qtbot, make_player, smj0_clip, tmp_path, damage) -> None:
    blob = smj0_clip.read_bytes()
    broken = tmp_path / "broken.wav"
    broken.write_bytes({"truncate": blob[: len(blob) // 3],
                        "flip": bytes(b ^ 0xFF for b in blob[:64]) + blob[64:],
                        "empty": b""}[damage])
    player = make_player()
    with qtbot.waitSignal(player.load_failed, timeout=10_000) as sig:
        player.load_files([broken])
    expected = {"truncate": "truncated", "flip": "not in a known audio format",
                "empty": "empty"}[damage]
    assert expected in sig.args[0]
    assert player.message.isVisible() and expected in player.message.text()
    assert not player.view.isVisible()
    player.toggle()  # keys and buttons stay harmless
    assert player.engine is None or not player.engine.playing


def test_no_sound_device_shows_a_message_and_still_draws(qtbot, make_player, smj0_clip) -> None:
    player = make_player(device="no such sound card")
    _load(qtbot, player, [smj0_clip], markers=False)
    assert player.engine is None
    assert player.device_label.isVisible() and not player.transport.isVisible()
    assert "Sound output unavailable" in player.device_label.text()
    assert len(player.view.curves) == 1
    qtbot.keyClick(player, Qt.Key.Key_Space)  # nothing to play with; no exception


def _visible_texts(widget: QWidget) -> list[str]:
    texts = []
    for w in [widget, *widget.findChildren(QWidget)]:
        texts += [w.toolTip(), w.windowTitle(), w.accessibleName(), w.statusTip()]
        if isinstance(w, QLabel | QAbstractButton):
            texts.append(w.text())
        if isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
    view = widget.findChild(pg.GraphicsLayoutWidget)
    for item in view.scene().items():
        if isinstance(item, pg.LabelItem):
            texts.append(item.text)
        elif isinstance(item, pg.AxisItem):
            texts.append(item.labelText)
            lo, hi = item.range
            for spacing, values in item.tickValues(lo, hi, 1000):
                texts += item.tickStrings(values, 1.0, spacing)
        elif hasattr(item, "toPlainText"):
            texts.append(item.toPlainText())
        texts.append(item.toolTip())
    return [t for t in texts if t]


@pytest.mark.parametrize("which", ["smj0", "pittsburgh"])
def test_officer_view_shows_no_serial_and_no_position(
        qtbot, make_player, shotspotter_wav, pittsburgh_wavs, which) -> None:
    paths = sorted(shotspotter_wav.glob("chicago-d5-*/*.wav")) if which == "smj0" \
        else pittsburgh_wavs
    player = make_player()
    _load(qtbot, player, paths)
    texts = _visible_texts(player)
    assert any("Sensor 1" in t for t in texts) and any("UTC" in t for t in texts)
    coordinates = []
    for path in paths:
        ident = load_clip(path).identity
        coordinates += [f"{v:.3f}" for v in (ident.latitude, ident.longitude) if v is not None]
        coordinates += [f"{v:.0f}" for v in (ident.xyz or ()) if abs(v) > 100]
    assert coordinates
    for text in texts:
        assert not SERIAL.search(text), text
        assert not LONG_DECIMAL.search(text), text
        assert not any(c in text for c in coordinates), text


def test_verification_view_may_label_serials(qtbot, make_player, pittsburgh_wavs) -> None:
    player = make_player(identity_labels=True)
    _load(qtbot, player, pittsburgh_wavs[:2], markers=False)
    assert any(SERIAL.search(t) for t in _visible_texts(player))


def _drag(view, a: QPointF, b: QPointF, modifiers) -> None:
    """A real press-move-release on the view's viewport (pyqtgraph drags need moves)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QMouseEvent

    left = Qt.MouseButton.LeftButton
    viewport = view.viewport()
    QTest.qWait(QApplication.doubleClickInterval() + 50)  # else two presses make a double click

    def send(kind, pos, buttons):
        global_pos = viewport.mapToGlobal(pos)
        event = QMouseEvent(kind, pos, global_pos, left, buttons, modifiers)
        QApplication.sendEvent(viewport, event)

    send(QEvent.Type.MouseButtonPress, a, left)
    for f in np.linspace(0.1, 1.0, 8):
        send(QEvent.Type.MouseMove, a + (b - a) * float(f), left)
    send(QEvent.Type.MouseButtonRelease, b, Qt.MouseButton.NoButton)


def test_shift_drag_selects_a_loop_and_plain_drag_pans(qtbot, make_player, smj0_clip) -> None:
    player = make_player()
    _load(qtbot, player, [smj0_clip], markers=False)
    view, vb = player.view, player.view.plots[0].getViewBox()

    def at(x: float) -> QPointF:
        return QPointF(view.mapFromScene(vb.mapViewToScene(QPointF(x, 0.0))))

    with qtbot.waitSignal(view.loop_selected) as sig:
        _drag(view, at(3.0), at(5.0), Qt.KeyboardModifier.ShiftModifier)
    a, b = sig.args
    px = (view.x_range()[1] - view.x_range()[0]) / vb.width()
    assert a == pytest.approx(3.0, abs=3 * px) and b == pytest.approx(5.0, abs=3 * px)
    assert player.engine.loop == pytest.approx((a, b))
    assert player.transport.loop_button.isChecked()
    assert view.regions[0].isVisible()
    before = view.x_range()
    _drag(view, at(8.0), at(6.0), Qt.KeyboardModifier.NoModifier)  # away from the region
    after = view.x_range()
    assert after[0] == pytest.approx(before[0] + 2.0, abs=3 * px)  # panned, same width
    assert after[1] - after[0] == pytest.approx(before[1] - before[0])
    assert player.engine.loop == pytest.approx((a, b))
    qtbot.mouseClick(player.transport.loop_button, Qt.MouseButton.LeftButton)
    assert player.engine.loop is None


def test_dragging_the_playhead_scrubs(qtbot, make_player, smj0_clip) -> None:
    player = make_player()
    _load(qtbot, player, [smj0_clip], markers=False)
    view, vb = player.view, player.view.plots[0].getViewBox()

    def at(x: float) -> QPointF:
        return QPointF(view.mapFromScene(vb.mapViewToScene(QPointF(x, 0.0))))

    player.seek(2.0)
    before = view.x_range()
    _drag(view, at(2.0), at(7.0), Qt.KeyboardModifier.NoModifier)
    px = (before[1] - before[0]) / vb.width()
    assert player.position_s == pytest.approx(7.0, abs=3 * px)
    assert view.x_range() == before  # the drag moved the playhead, not the view


def test_officer_view_error_names_the_sensor_not_the_file(
        qtbot, make_player, pittsburgh_wavs, tmp_path) -> None:
    source = pittsburgh_wavs[0]
    broken = tmp_path / source.name  # the Pittsburgh file name carries the serial
    broken.write_bytes(source.read_bytes()[:1000])
    player = make_player()
    with qtbot.waitSignal(player.load_failed, timeout=10_000) as sig:
        player.load_files([pittsburgh_wavs[1], broken])
    assert sig.args[0].startswith("Sensor 2 audio is truncated")
    assert not any(SERIAL.search(t) for t in _visible_texts(player))


def test_wheel_zooms_time_only_and_rows_stay_aligned(qtbot, make_player, pittsburgh_wavs) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent

    player = make_player()
    _load(qtbot, player, pittsburgh_wavs[:3], markers=False)
    view, vb = player.view, player.view.plots[0].getViewBox()
    y_before = [p.getViewBox().viewRange()[1] for p in view.plots]
    width = view.x_range()[1] - view.x_range()[0]
    pos = QPointF(view.mapFromScene(vb.mapViewToScene(QPointF(5.0, 0.0))))
    for _ in range(3):
        event = QWheelEvent(pos, QPointF(view.viewport().mapToGlobal(pos.toPoint())), QPoint(),
                            QPoint(0, 120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                            Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(view.viewport(), event)
    lo, hi = view.x_range()
    assert hi - lo < 0.8 * width and lo < 5.0 < hi
    for plot in [*view.plots, view.spec_plot]:  # every row shows the same time span
        assert plot.getViewBox().viewRange()[0] == pytest.approx([lo, hi])
    assert [p.getViewBox().viewRange()[1] for p in view.plots] == y_before


def test_choosing_another_sensor_keeps_the_moment(qtbot, make_player, shotspotter_wav) -> None:
    paths = sorted(shotspotter_wav.glob("chicago-d5-*/*.wav"))
    player = make_player()
    _load(qtbot, player, paths, markers=False)
    offsets = player.view.offsets
    assert len(set(offsets)) == len(paths) and min(offsets) == 0.0  # four start times
    later = max(range(len(paths)), key=lambda i: offsets[i])
    earlier = min(range(len(paths)), key=lambda i: offsets[i])
    player.view.set_active(earlier)
    player.seek(1.5)
    moment = offsets[earlier] + 1.5
    with qtbot.waitSignal(player.spectrogram_ready):
        player.transport.clip_box.setCurrentIndex(later)
    assert player.active == later and player.engine.loop is None
    assert player.position_s == pytest.approx(moment - offsets[later], abs=1e-6)
    assert player.view.playheads[0].value() == pytest.approx(moment)


def test_only_the_newest_load_is_shown(qtbot, make_player, smj0_clip, pittsburgh_wavs) -> None:
    player = make_player()
    player.load_files(pittsburgh_wavs)  # superseded before it can finish
    with qtbot.waitSignal(player.markers_ready, timeout=30_000):
        player.load_files([smj0_clip])
    audio_pool().waitForDone(30_000)
    qtbot.wait(50)  # deliver anything the older load still queued
    assert [c.label for c in player.clips] == ["Sensor 1"]
    assert len(player.view.plots) == 1
