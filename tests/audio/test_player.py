"""The playback engine on the ALSA null sink.

The null sink takes frames as fast as they come, so rates are measured against the
frames the engine wrote to the device (``frames_out``), not against wall time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np
import pytest

from console.audio.player import AudioDeviceError, AudioEngine

RATE = 12000


def _tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def _until(cond: Callable[[], bool], timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.001)


def test_play_advances_and_stops_at_the_end(engine: AudioEngine) -> None:
    engine.load(_tone(3.0), RATE)
    assert engine.position_s == 0.0
    engine.play()
    _until(lambda: engine.position_s > 0.5)
    _until(lambda: not engine.playing)
    assert engine.position_s == pytest.approx(3.0, abs=2 / RATE)
    assert engine.last_play_latency_s is not None and engine.last_play_latency_s >= 0.0


def test_seek_then_play_continues_from_there(engine: AudioEngine) -> None:
    engine.load(_tone(60.0), RATE)
    engine.seek(42.0)
    assert engine.position_s == pytest.approx(42.0)
    start = engine.frames_out
    engine.play()
    _until(lambda: engine.frames_out - start >= 2048)
    engine.pause()
    assert 42.0 < engine.position_s < 60.0
    engine.seek(-5.0)
    assert engine.position_s == 0.0
    engine.seek(1e6)
    assert engine.position_s == pytest.approx(60.0, abs=2 / RATE)


def test_pause_holds_the_position(engine: AudioEngine) -> None:
    engine.load(_tone(60.0), RATE)
    engine.play()
    _until(lambda: engine.frames_out > 4096)
    engine.pause()
    held, frames = engine.position_s, engine.frames_out
    time.sleep(0.1)
    assert engine.position_s == held and engine.frames_out == frames
    engine.stop()
    assert engine.position_s == 0.0 and not engine.playing


@pytest.mark.parametrize("speed", [1.0, 0.5])
def test_speed_is_clip_time_per_device_time(engine: AudioEngine, speed: float) -> None:
    engine.load(_tone(60.0), RATE)
    engine.speed = speed
    engine.seek(0.5)
    start = engine.frames_out
    engine.play()
    _until(lambda: engine.frames_out - start >= 24000)
    engine.pause()
    device_s = (engine.frames_out - start) / engine.output_rate
    assert (engine.position_s - 0.5) / device_s == pytest.approx(speed, rel=0.02)


def test_unknown_speed_is_refused(engine: AudioEngine) -> None:
    with pytest.raises(ValueError, match="0.75"):
        engine.speed = 0.75


def test_loop_stays_inside_the_selection(engine: AudioEngine) -> None:
    engine.load(_tone(10.0), RATE)
    engine.set_loop(2.0, 2.5)
    assert engine.position_s == pytest.approx(2.0)
    engine.play()
    seen = []
    start = engine.frames_out
    while engine.frames_out - start < 5 * RATE:  # ten passes through the loop
        seen.append(engine.position_s)
        time.sleep(0.0005)
    engine.pause()
    assert engine.playing is False
    assert min(seen) >= 2.0 and max(seen) < 2.5
    engine.set_loop(None)
    assert engine.loop is None


def test_stop_returns_to_the_loop_start(engine: AudioEngine) -> None:
    engine.load(_tone(10.0), RATE)
    engine.set_loop(4.0, 6.0)
    engine.play()
    _until(lambda: engine.frames_out > 4096)
    engine.stop()
    assert engine.position_s == pytest.approx(4.0)


def test_volume_zero_plays_silence(engine: AudioEngine) -> None:
    engine.load(_tone(60.0), RATE)
    engine.volume = 0.0
    engine.play()
    _until(lambda: engine.frames_out > 8192)
    assert engine.last_play_latency_s is None  # no audible block was delivered
    engine.volume = 7.0
    assert engine.volume == 1.0


def test_missing_named_device_is_a_device_error() -> None:
    with pytest.raises(AudioDeviceError, match="No sound output device"):
        AudioEngine(device="no such sound card")


def test_no_output_device_at_all_is_a_device_error(tmp_path) -> None:
    conf = tmp_path / "alsa-nothing.conf"
    conf.write_text("</usr/share/alsa/alsa.conf>\npcm.!default { type hw card 99 }\n")
    env = dict(os.environ, ALSA_CONFIG_PATH=str(conf))
    code = ("from console.audio.player import AudioEngine, AudioDeviceError\n"
            "import numpy as np\n"
            "try:\n    e = AudioEngine(); e.load(np.ones(100, 'f4'), 8000); e.play()\n"
            "except AudioDeviceError as exc:\n    print('ERR', exc)\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=60, cwd=os.getcwd())
    assert out.stdout.startswith("ERR "), out.stdout + out.stderr


def test_device_runs_only_while_playing_and_replays_after_the_end(engine: AudioEngine) -> None:
    engine.load(_tone(2.0), RATE)
    engine.set_loop(0.5, 1.0)  # never ends: the null sink would finish 2 s at once
    engine.play()
    assert engine.device_running
    engine.pause()
    assert not engine.device_running and 0.5 <= engine.position_s < 1.0
    engine.set_loop(None)
    engine.play()
    _until(lambda: not engine.playing)
    _until(lambda: not engine.device_running)  # the callback stopped the stream at the end
    assert engine.position_s == pytest.approx(2.0, abs=2 / RATE)
    frames = engine.frames_out
    engine.play()  # from the start again
    _until(lambda: engine.frames_out > frames)
    engine.close()
    assert not engine.device_running
