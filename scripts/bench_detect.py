"""Benchmark the pulse detector on the Pittsburgh audio; prints figures, asserts nothing.

    .venv/bin/python scripts/bench_detect.py [path/to/pittsburgh-2018]

1. Detected onsets against the sensors' own pulses (allpulses.json, cut to whole ms) for
   every audio sensor and every vendor pulse of SNR >= 15 dB: how many have a detection
   within 1.5 ms, the median offset, and the spread about it.
2. Round-to-round consistency: at one sensor, the pick difference between two rounds of a
   3-round test against the lag from cross-correlating their waveforms.
3. Detection time for a 20 s, 12 kHz recording.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy import signal

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from locator_core.detect import detect_pulses  # noqa: E402
from locator_core.readers import read_pittsburgh_test  # noqa: E402
from locator_core.types import Recording  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "pittsburgh-2018"
FS = 12000.0


def _lag(a: np.ndarray, b: np.ndarray, up: int = 32) -> float:
    n = len(a)
    xc = np.fft.irfft(np.fft.rfft(b, 2 * n) * np.conj(np.fft.rfft(a, 2 * n)), 2 * n * up)
    k = int(np.argmax(xc))
    return (k if k < n * up else k - 2 * n * up) / up


def main(root: Path) -> None:
    sos = signal.butter(2, 150.0, "highpass", fs=FS, output="sos")
    diffs, rounds, strong, times = [], [], 0, []
    unmatched = {"silent audio": 0, "vendor 1.5-6 ms earlier (precursor)": 0, "other": 0}
    for folder in sorted(root.glob("FP*/test_*")):
        data = read_pittsburgh_test(folder)
        shots = json.loads((folder / f"{folder.name}.nlos-tuples.json").read_text())
        shot_of = {u: s["shot_index"] for s in shots for u in s["pulse_uuids"]}
        for rec in data.recordings:
            t0 = time.perf_counter()
            found = np.array([p.time_ns for p in detect_pulses(rec)], dtype=np.int64)
            times.append(time.perf_counter() - t0)
            picks = {}
            for p in data.pulses:
                if p.sensor.serial != rec.sensor.serial or (p.snr_db or 0.0) < 15.0:
                    continue
                strong += 1
                if len(found) == 0:
                    continue
                t = int(found[np.argmin(np.abs(found - p.time_ns))])
                if abs(t - p.time_ns) > 1_500_000:
                    i = int((p.time_ns - rec.start_ns) * FS // 10**9)
                    later = found[(found > p.time_ns) & (found < p.time_ns + 6_000_000)]
                    if np.abs(rec.samples[max(i - 120, 0) : i + 120]).max(initial=0.0) < 1e-4:
                        unmatched["silent audio"] += 1
                    elif len(later):
                        unmatched["vendor 1.5-6 ms earlier (precursor)"] += 1
                    else:
                        unmatched["other"] += 1
                else:
                    diffs.append((t - p.time_ns) / 1e3)
                    if p.uid in shot_of:
                        picks[shot_of[p.uid]] = (t - rec.start_ns) * FS / 1e9
            if len(shots) == 3 and len(picks) >= 2:
                h = signal.sosfiltfilt(sos, rec.samples.astype(float))
                first, *rest = (picks[k] for k in sorted(picks))
                for pk in rest:
                    i0, ik = int(first), int(pk)
                    lag = _lag(h[i0 - 24 : i0 + 48], h[ik - 24 : ik + 48]) + (ik - i0)
                    rounds.append(abs(pk - first - lag) / FS * 1e6)
    d = np.array(diffs)
    dev = np.abs(d - np.median(d))
    print(f"vendor pulses (SNR >= 15 dB) at audio sensors: {strong}; matched within 1.5 ms: "
          f"{len(d)}; unmatched: {unmatched}")
    print(f"detected - vendor: median {np.median(d):.0f} us; |deviation from median|: "
          f"median {np.median(dev):.0f} us, p90 {np.percentile(dev, 90):.0f} us "
          f"(vendor times are whole ms: a perfect picker would show about 250 / 450 us)")
    r = np.array(rounds)
    print(f"round-to-round pick vs waveform lag, {len(r)} pairs: median {np.median(r):.1f} us, "
          f"p90 {np.percentile(r, 90):.1f} us")
    rec = data.recordings[0]
    long = Recording(rec.sensor, rec.start_ns, FS, np.tile(rec.samples, 2)[: int(20 * FS)])
    detect_pulses(long)
    t0 = time.perf_counter()
    for _ in range(20):
        detect_pulses(long)
    print(f"detection time: 20 s recording {1000 * (time.perf_counter() - t0) / 20:.1f} ms; "
          f"10 s recordings median {1000 * np.median(times):.1f} ms")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
