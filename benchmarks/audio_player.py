"""Audio player figures on 60 s of 48 kHz audio (prints figures; never fails on them).

    .venv/bin/python benchmarks/audio_player.py [--runs 10]

- first waveform draw: a fresh 1200x300 view given the clip, until rendered
- zoom/pan redraw: a 2 s window moved across the clip, each rendered
- spectrogram: computed (scipy) and drawn
- play to sound: from ``play()`` to the first device block carrying non-silent samples,
  with the stream already open (a paused player) and from a closed stream (first play);
  PortAudio's own output-latency estimate is printed beside it

Targets (issue 4): 150 ms, 20 ms, 300 ms, 100 ms. Without a sound card the script plays
into an ALSA null sink, which consumes blocks without waiting, so "play to sound" then
measures the software path only; on a car's sound card add the printed output latency.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RATE, SECONDS = 48000, 60.0


def _headless() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    cards = Path("/proc/asound/cards")
    no_card = not cards.exists() or "no soundcards" in cards.read_text()
    if no_card and "ALSA_CONFIG_PATH" not in os.environ:
        conf = Path(tempfile.gettempdir()) / "mac-bench-alsa-null.conf"
        conf.write_text('</usr/share/alsa/alsa.conf>\npcm.!default { type plug slave.pcm "null" }\n'
                        "ctl.!default { type hw card 0 }\n")
        os.environ["ALSA_CONFIG_PATH"] = str(conf)
        print("no sound card: playing into an ALSA null sink")


def _clip():
    import numpy as np

    from console.audio.clips import Clip

    rng = np.random.default_rng(1)
    x = rng.normal(0.0, 0.01, int(SECONDS * RATE)).astype(np.float32)
    for t in (5.0, 5.6, 6.1, 31.0):  # a few blasts with a decaying tail
        i = int(t * RATE)
        n = int(0.3 * RATE)
        x[i:i + n] += (0.8 * np.exp(-np.arange(n) / (0.02 * RATE))
                       * rng.choice([-1.0, 1.0], n)).astype(np.float32)
    return Clip(np.clip(x, -1, 1), RATE, 1_764_000_000_000_000_000, "Sensor 1", "WAV")


def _ms(values: list[float]) -> str:
    ms = sorted(v * 1000.0 for v in values)
    return f"median {statistics.median(ms):7.1f} ms   max {ms[-1]:7.1f} ms   (n={len(ms)})"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=10)
    args = p.parse_args()
    _headless()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from console.audio.player import AudioDeviceError, AudioEngine
    from console.audio.spectrogram import compute_spectrogram
    from console.ui.audio_waveform import MultiClipView

    clip = _clip()
    first, zoom, spec = [], [], []
    for _ in range(args.runs):
        view = MultiClipView()
        view.resize(1200, 300)
        view.show()
        app.processEvents()
        t0 = time.perf_counter()
        view.set_clips([clip])
        view.grab()
        first.append(time.perf_counter() - t0)
        for start in range(0, 58, 6):
            t0 = time.perf_counter()
            view.set_x_range(start + 0.3, start + 2.3)
            view.grab()
            zoom.append(time.perf_counter() - t0)
        view.set_x_range(0.0, SECONDS)
        view.grab()
        t0 = time.perf_counter()
        view.set_spectrogram(0, compute_spectrogram(clip.mono, RATE))
        view.grab()
        spec.append(time.perf_counter() - t0)
        view.close()
        view.deleteLater()
        app.processEvents()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"60 s at {RATE} Hz ({clip.frames} samples), 1200x300 view, {args.runs} runs; "
          f"{os.cpu_count()} CPUs, load average {load}")
    print(f"first waveform draw      {_ms(first)}   target <= 150 ms")
    print(f"zoom/pan redraw (2 s)    {_ms(zoom)}   target <= 20 ms")
    print(f"spectrogram compute+draw {_ms(spec)}   target <= 300 ms")
    try:
        _play_latency(AudioEngine, clip, args.runs)
    except AudioDeviceError as exc:
        print(f"play to sound            not measured: {exc}")
    return 0


def _play_latency(engine_cls, clip, runs: int) -> None:
    cold, warm = [], []
    engine = engine_cls()
    try:
        engine.load(clip.mono, clip.sample_rate)
        for _ in range(runs):
            engine.close()  # the stream opens again on play
            engine.seek(5.0)
            cold.append(_one_play(engine))
            engine.pause()
            engine.seek(5.0)
            warm.append(_one_play(engine))
            engine.pause()
        print(f"play to sound, paused    {_ms(warm)}   target <= 100 ms")
        print(f"play to sound, 1st play  {_ms(cold)}   (opens the stream)")
        print(f"device output latency    {engine.output_latency_s * 1000.0:7.1f} ms "
              f"(PortAudio estimate at {engine.output_rate} Hz, add on real hardware)")
    finally:
        engine.close()


def _one_play(engine) -> float:
    engine.last_play_latency_s = None
    engine.play()
    deadline = time.monotonic() + 2.0
    while engine.last_play_latency_s is None and time.monotonic() < deadline:
        time.sleep(0.0005)
    return engine.last_play_latency_s if engine.last_play_latency_s is not None else float("nan")


if __name__ == "__main__":
    raise SystemExit(main())
