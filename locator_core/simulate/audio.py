"""Sensor audio for a simulated incident: muzzle blasts, echoes and background noise.

Each pulse of :class:`SimulatedIncident` becomes a band-limited transient whose onset
lies exactly at the pulse time, to a fraction of a sample. The transient is defined
by its continuous-time spectrum -- a Friedlander blast wave
``p(t) = (1 - t/T) exp(-t/T)`` for ``t >= 0`` (spectrum ``s / (s + 1/T)^2``, zero
mean), plus a decaying ring ``b exp(-t/tau) sin(2 pi f_r t)`` (the sensor housing and
nearby surfaces) -- times a zero-phase low-pass ``1 / sqrt(1 + (f/f_c)^8)`` and the
delay ``exp(-2 pi i f t_0)``. The inverse FFT of that sampled spectrum is the
band-limited signal delayed by exactly ``t_0``; at the onset the waveform crosses
half its first peak. Echoes and diffracted arrivals are duller (lower ``f_c``);
unrelated pulses are slower transients. Peak amplitude is ``10 ** ((L - 94) / 20)``
of full scale for a level ``L`` dB SPL (the sensors saturate at 94 dB SPL), and the
background is pink noise at the sensor's noise floor, so peak-to-noise ratios match
the pulses' ``snr_db``.
"""

from __future__ import annotations

import dataclasses
import math
import os
import wave
from collections.abc import Sequence

import numpy as np

from locator_core.simulate._common import as_rng, validate_positive
from locator_core.simulate.pulses import SATURATION_DB_SPL, PulseLabel, SimulatedIncident
from locator_core.types import Recording

__all__ = ["render_audio", "with_recordings", "write_wav", "blast_waveform"]

_PRE_S = 0.5
_POST_S = 0.5


def _spectrum(f: np.ndarray, kind: str, gen: np.random.Generator, fs: float) -> np.ndarray:
    """Continuous-time spectrum (arbitrary scale) of one transient with onset at t = 0."""
    s = 2j * np.pi * f
    if kind == "noise":
        t_pos, ring, f_r, tau, f_c = (
            gen.uniform(2e-3, 6e-3),
            0.5,
            gen.uniform(150, 500),
            0.02,
            1200.0,
        )
    else:
        t_pos = gen.uniform(0.4e-3, 1.0e-3)
        ring, f_r, tau = gen.uniform(0.15, 0.35), gen.uniform(300, 1200), gen.uniform(3e-3, 12e-3)
        f_c = 3500.0 if kind == "direct" else gen.uniform(1000.0, 2200.0)
    a = 1.0 / t_pos
    w_r = 2 * np.pi * f_r
    blast = s / (s + a) ** 2
    ringing = ring * w_r / ((s + 1.0 / tau) ** 2 + w_r**2)
    lowpass = 1.0 / np.sqrt(1.0 + (f / min(f_c, 0.35 * fs)) ** 8)
    return (blast + ringing) * lowpass


def blast_waveform(
    *,
    sample_rate: float,
    onset_s: float,
    length: int,
    kind: str = "direct",
    rng: np.random.Generator | int | None = None,
) -> np.ndarray:
    """One transient of unit peak, ``length`` samples, onset at ``onset_s`` s (fractional).

    ``kind`` is a :data:`~locator_core.simulate.PULSE_KINDS` entry; ``onset_s`` must
    leave room before it for the low-pass's symmetric rise (a few samples).
    """
    fs = validate_positive("sample_rate", sample_rate)
    if not 0.0 <= onset_s < length / fs:
        raise ValueError(f"onset_s must lie inside the {length}-sample window, got {onset_s!r}")
    f = np.fft.rfftfreq(length, 1.0 / fs)
    spec = _spectrum(f, kind, as_rng(rng), fs) * np.exp(-2j * np.pi * f * onset_s)
    if length % 2 == 0:
        spec[-1] = 0.0
    x = np.fft.irfft(spec, length)
    return x / np.max(np.abs(x))


def _segment_length(fs: float) -> int:
    return 1 << int(math.ceil(math.log2(0.3 * fs)))


def _add_pulse(
    buf: np.ndarray, fs: float, t_samples: float, amp: float, kind: str, gen: np.random.Generator
) -> None:
    length = _segment_length(fs)
    pre = length // 8
    k0 = int(math.floor(t_samples)) - pre
    seg = amp * blast_waveform(
        sample_rate=fs, onset_s=(t_samples - k0) / fs, length=length, kind=kind, rng=gen
    )
    lo, hi = max(k0, 0), min(k0 + length, len(buf))
    if lo < hi:
        buf[lo:hi] += seg[lo - k0 : hi - k0]


def _pink_noise(n: int, rms: float, fs: float, gen: np.random.Generator) -> np.ndarray:
    spec = np.fft.rfft(gen.standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / fs)
    shape = 1.0 / np.sqrt(np.maximum(f, 40.0))
    shape[f < 15.0] = 0.0
    x = np.fft.irfft(spec * shape, n)
    return x * (rms / max(float(np.std(x)), 1e-300))


def _choose_sensors(sim: SimulatedIncident, serials: Sequence[str] | None, limit: int) -> list[int]:
    if serials is not None:
        index = {s.serial: j for j, s in enumerate(sim.data.sensors)}
        missing = [s for s in serials if s not in index]
        if missing:
            raise ValueError(f"serials not in the incident's sensors: {missing!r}")
        return [index[s] for s in serials]
    heard = {
        p.sensor.serial for p, lab in zip(sim.data.pulses, sim.labels, strict=True) if lab.shot >= 0
    }
    origin = sim.truth[0].position
    ranked = sorted(
        (float(np.linalg.norm(s.position - origin)), j)
        for j, s in enumerate(sim.data.sensors)
        if s.serial in heard
    )
    return [j for _, j in ranked[:limit]]


def render_audio(
    sim: SimulatedIncident,
    *,
    sample_rate: float = 12000.0,
    duration_s: float | None = None,
    start_ns: int | None = None,
    noise_dbfs: float | None = None,
    max_sensors: int = 6,
    serials: Sequence[str] | None = None,
    rng: np.random.Generator | int | None = None,
) -> tuple[Recording, ...]:
    """Synthesize mono audio at the sensors nearest the first round.

    Parameters
    ----------
    sim : SimulatedIncident
    sample_rate : float, Hz
    duration_s : float, s, optional
        Length of every recording; by default from 0.5 s before the first to 0.5 s
        after the last pulse at the chosen sensors.
    start_ns : int, ns since epoch, optional
        Time of the first sample (default: 0.5 s before the first pulse).
    noise_dbfs : float, dBFS, optional
        RMS of the background noise; by default each sensor's noise floor.
    max_sensors : int
        How many sensors that heard a round to render, nearest the first round first.
    serials : sequence of str, optional
        Render exactly these sensors instead.
    rng : numpy Generator, int seed or None

    Returns
    -------
    tuple of Recording
        float32 samples in [-1, 1] (saturating like a real sensor), common start time.
    """
    fs = validate_positive("sample_rate", sample_rate)
    if max_sensors < 1:
        raise ValueError(f"max_sensors must be >= 1, got {max_sensors!r}")
    gen = as_rng(rng)
    chosen = _choose_sensors(sim, serials, int(max_sensors))
    names = {sim.data.sensors[j].serial for j in chosen}
    items: list[tuple[int, float, PulseLabel]] = [
        (p.time_ns, p.level_db_spl or 0.0, lab)
        for p, lab in zip(sim.data.pulses, sim.labels, strict=True)
        if p.sensor.serial in names
    ]
    times = [t for t, _, _ in items] or [sim.truth[0].time_ns]
    t_start = int(min(times) - _PRE_S * 1e9) if start_ns is None else int(start_ns)
    if duration_s is None:
        duration_s = (max(times) - t_start) / 1e9 + _POST_S
    n = int(round(validate_positive("duration_s", duration_s) * fs))
    recordings = []
    for j in chosen:
        sensor = sim.data.sensors[j]
        floor = sim.noise_floor_db_spl[j] - SATURATION_DB_SPL if noise_dbfs is None else noise_dbfs
        buf = _pink_noise(n, 10.0 ** (float(floor) / 20.0), fs, gen)
        for p, lab in zip(sim.data.pulses, sim.labels, strict=True):
            if p.sensor.serial == sensor.serial:
                amp = 10.0 ** (((p.level_db_spl or 0.0) - SATURATION_DB_SPL) / 20.0)
                _add_pulse(buf, fs, (p.time_ns - t_start) * fs / 1e9, amp, lab.kind, gen)
        samples = np.clip(buf, -1.0, 1.0).astype(np.float32)
        recordings.append(Recording(sensor, t_start, fs, samples, f"simulated:{sim.data.name}"))
    return tuple(recordings)


def with_recordings(
    sim: SimulatedIncident, recordings: Sequence[Recording], *, keep_pulses: bool = True
) -> SimulatedIncident:
    """A copy of ``sim`` whose data carries ``recordings`` (and no pulses unless kept).

    Without pulses the labels are dropped too; the truth stays.
    """
    pulses = sim.data.pulses if keep_pulses else ()
    data = dataclasses.replace(sim.data, pulses=pulses, recordings=tuple(recordings))
    labels = sim.labels if keep_pulses else ()
    return dataclasses.replace(sim, data=data, labels=labels)


def write_wav(path: str | os.PathLike[str], recording: Recording) -> None:
    """Write a recording as 16-bit PCM mono WAV (samples clipped to [-1, 1])."""
    fs = float(recording.sample_rate)
    if fs <= 0 or fs != round(fs):
        raise ValueError(f"WAV needs a positive whole sample rate, got {recording.sample_rate!r}")
    x = np.clip(np.asarray(recording.samples, dtype=float), -1.0, 1.0)
    pcm = np.round(x * 32767.0).astype("<i2")
    with wave.open(os.fspath(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(round(fs)))
        w.writeframes(pcm.tobytes())
