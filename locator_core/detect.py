"""Impulsive pulse (muzzle blast) detection in sensor audio, with sub-sample onset times.

Contents
--------
- :class:`PulseDetector`          -- filters and settings precomputed for one sample rate
- :func:`detect_pulses`           -- pulses in one :class:`~locator_core.types.Recording`
- :func:`detect_incident_pulses`  -- an incident whose pulses are detected from its audio

Method
------
1. *Detection* works on the audio band-passed to 300-3000 Hz (zero-phase Butterworth),
   where a muzzle blast carries most of its energy and wind and traffic rumble little.
   With ``e = y**2``, a short-term energy over the next millisecond (STA) is compared with
   (a) the *noise floor*, a low percentile of 10 ms block energies over a sliding second,
   which gives the SNR, and (b) the energy over the preceding 30 ms (LTA), which gives the
   onset *contrast*. A pulse is a local maximum of the contrast (within a refractory
   period) where both exceed their thresholds. The contrast test is what lets an echo be
   found inside the tail of the blast before it, while the floor test rejects noise.
2. *Timing* works on the audio high-passed at 150 Hz (zero-phase, so no delay), which keeps
   the waveform of the blast but removes the slow wander of the baseline. The onset is the
   zero crossing at the start of the pulse's leading lobe: walking back from the pulse's
   largest sample over its strong half-waves, the earliest one is followed back to where
   it left zero, and that crossing is located by a cubic through the four samples around
   it. A zero crossing does not move with the pulse amplitude nor with clipping (which
   flattens the top of a loud blast, not its start), so it marks the same physical
   feature on a near and a far sensor; a fixed fraction of the peak, or the peak itself,
   would move with both. The data's own sensors define their arrival times the same way.
   Measured on the Pittsburgh audio, the onset of one sensor's three rounds agrees with
   the lag given by cross-correlating their waveforms to 14 us (median); on synthetic
   blasts at 30 dB SNR the scatter is under 10 us, with a constant offset of about -55 us
   (the crossing precedes the true start of a band-limited step) that cancels between
   sensors.

References
----------
.. [1] R. V. Allen, "Automatic earthquake recognition and timing from single traces",
       Bull. Seismol. Soc. Am. 68 (1978): STA/LTA triggering.
.. [2] R. B. Calhoun et al., "Precision and accuracy of acoustic gunshot location in an
       urban environment", arXiv:2108.07377 (2021); its data release defines a pulse's
       arrival time as the zero crossing at the start of the pulse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from scipy import ndimage, signal

from locator_core.types import IncidentData, Pulse, Recording

__all__ = ["PulseDetector", "detect_pulses", "detect_incident_pulses"]

_NS = 1_000_000_000


@dataclass(frozen=True)
class _Onset:
    index: float  # fractional sample index of the onset
    peak: float  # peak |x| of the pulse, full scale = 1
    snr_db: float
    sharpness_db: float


class PulseDetector:
    """Pulse detection settings and filters for one sample rate.

    Parameters
    ----------
    fs : float, Hz
        Sample rate of the audio.
    snr_db : float, dB
        Minimum energy of the pulse's first millisecond over the noise floor.
    contrast_db : float, dB
        Minimum energy of the pulse's first millisecond over the preceding 30 ms.
    refractory_s : float, s
        Two pulses closer than this are one pulse (the first is kept).
    echo_window_s : float, s
        A pulse preceded within this time by a louder one is labelled ``"echo"``.
    band_hz : (float, float), Hz
        Detection band.
    """

    def __init__(
        self,
        fs: float,
        *,
        snr_db: float = 12.0,
        contrast_db: float = 8.0,
        refractory_s: float = 0.005,
        echo_window_s: float = 0.25,
        band_hz: tuple[float, float] = (300.0, 3000.0),
    ) -> None:
        self.fs = _validate_fs(fs)
        self.snr_db = float(snr_db)
        self.contrast_db = float(contrast_db)
        self.refractory_s = _validate_positive(refractory_s, "refractory_s")
        self.echo_window_s = _validate_positive(echo_window_s, "echo_window_s")
        self.band_hz = _validate_band(band_hz, self.fs)
        self._band_sos = signal.butter(4, self.band_hz, "bandpass", fs=self.fs, output="sos")
        self._hp_sos = signal.butter(2, 150.0, "highpass", fs=self.fs, output="sos")
        self._sta = max(2, round(0.001 * self.fs))
        self._lta = max(4, round(0.030 * self.fs))
        self._block = max(4, round(0.010 * self.fs))

    def onsets(self, samples: np.ndarray) -> list[_Onset]:
        """Pulse onsets in ``samples`` (fractional sample indices), in time order."""
        x = np.asarray(samples, dtype=float)
        if x.ndim != 1:
            raise ValueError(f"samples must be one-dimensional, got shape {x.shape}")
        if len(x) < 4 * self._lta:
            return []
        x = x - x.mean()
        y = signal.sosfiltfilt(self._band_sos, x)
        h = signal.sosfiltfilt(self._hp_sos, x)
        sta, lta, floor = self._energies(y)
        snr = 10.0 * np.log10(sta / floor)
        with np.errstate(divide="ignore"):  # LTA is infinite in the first millisecond
            contrast = 10.0 * np.log10(sta / np.maximum(lta, floor))
        candidates = self._candidates(snr, contrast)
        out: list[_Onset] = []
        for n in candidates:
            t = _zero_crossing_onset(h, n, self._sta, math.sqrt(floor[n]))
            if t is None or (out and t - out[-1].index < self.refractory_s * self.fs):
                continue
            i = int(t)
            peak = float(np.max(np.abs(x[i : i + 2 * self._sta + 1])))
            out.append(_Onset(t, peak, float(snr[n]), float(contrast[n])))
        return out

    def detect(self, recording: Recording) -> tuple[Pulse, ...]:
        """Pulses in ``recording``; see :func:`detect_pulses`."""
        if float(recording.sample_rate) != self.fs:
            raise ValueError(
                f"recording sample rate {recording.sample_rate} Hz differs from the "
                f"detector's {self.fs} Hz"
            )
        onsets = self.onsets(recording.samples)
        pulses = []
        for k, o in enumerate(onsets):
            time_ns = recording.start_ns + round(o.index * _NS / self.fs)
            louder_before = any(
                0 < o.index - p.index <= self.echo_window_s * self.fs and p.peak >= o.peak
                for p in onsets[:k]
            )
            pulses.append(Pulse(
                sensor=recording.sensor,
                time_ns=time_ns,
                snr_db=round(o.snr_db, 2),
                level_db_spl=round(20.0 * math.log10(max(o.peak, 1e-9)), 2),
                uid=f"{recording.sensor.serial}@{time_ns}",
                kind="echo" if louder_before else "first",
                sharpness_db=round(o.sharpness_db, 2),
            ))
        return tuple(pulses)

    def _energies(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """STA over the next ms, LTA over the preceding 30 ms, and the noise floor (energies)."""
        n, ns, nl, nb = len(y), self._sta, self._lta, self._block
        c = np.empty(n + ns + 1)
        c[0] = 0.0
        np.cumsum(y * y, out=c[1 : n + 1])
        c[n + 1 :] = c[n]  # past the end: the STA window shrinks to what is there
        sta = (c[ns : n + ns] - c[:n]) / ns
        lta = np.full(n, np.inf)  # under a millisecond of history: no onset contrast
        lta[nl:] = (c[nl:n] - c[: n - nl]) / nl
        head = np.arange(ns, min(nl, n))
        lta[head] = c[head] / head  # a shorter history at the very start
        blocks = np.diff(c[: n + 1 : nb]) / nb
        span = max(3, round(self.fs / nb) | 1)
        floor_b = ndimage.percentile_filter(blocks, 20, size=span, mode="nearest")
        floor_b = np.maximum(floor_b, max(float(np.median(blocks)) * 1e-3, 1e-20))
        floor = np.repeat(floor_b, nb)
        floor = np.concatenate((floor, np.full(n - len(floor), floor_b[-1])))
        return np.maximum(sta, 1e-30), lta, floor

    def _candidates(self, snr: np.ndarray, contrast: np.ndarray) -> np.ndarray:
        ok = (snr >= self.snr_db) & (contrast >= self.contrast_db)
        if not ok.any():
            return np.empty(0, dtype=int)
        width = 2 * max(1, round(self.refractory_s * self.fs)) + 1
        masked = np.where(ok, contrast, -np.inf)
        is_max = (masked == ndimage.maximum_filter1d(masked, width, mode="nearest")) & ok
        return np.flatnonzero(is_max)


def _zero_crossing_onset(h: np.ndarray, n: int, sta: int, noise_rms: float) -> float | None:
    """Fractional index of the zero crossing that starts the pulse found at ``n``.

    The pulse is the run of strong lobes (half-waves between zero crossings) that holds
    the largest sample near ``n``; its onset is where the earliest lobe of that run leaves
    zero. Walking back from the peak, a lobe belongs to the run when its peak reaches
    both ``level`` (a quarter of the pulse peak, and well above the noise) and half the
    peak of the lobe after it. Weaker lobes (noise, pre-ringing, which decays going back
    and, on a clipped blast, can be large next to the flattened peak) end the run, so they
    cannot pull the onset early.
    """
    lo, hi = max(n - sta, 3), min(n + 3 * sta, len(h) - 3)
    if hi <= lo:
        return None
    p = lo + int(np.argmax(np.abs(h[lo:hi])))
    level = max(0.25 * abs(h[p]), 4.0 * noise_rms)
    start = p  # earliest sample of the run found so far
    stop = max(p - 4 * sta, 2)
    after = abs(h[p])  # peak of the earliest lobe in the run
    while True:
        sign = 1.0 if h[start] > 0 else -1.0
        j = start
        while j > stop and sign * h[j - 1] > 0:
            j -= 1
        if j <= stop:
            return None  # no clear start within reach
        # h[j - 1] is on the other side of zero: the lobe before is [k, j - 1]
        k = j - 1
        while k > stop and -sign * h[k - 1] > 0:
            k -= 1
        before = float(np.max(np.abs(h[k:j])))
        if before < max(level, 0.5 * after):
            break
        start, after = k, before
    if j < 2 or j + 1 >= len(h):
        return None
    return (j - 1) + _cubic_root(sign * h[j - 2 : j + 2])


def _cubic_root(v: np.ndarray) -> float:
    """Root in [0, 1] of the cubic through ``v`` at -1, 0, 1, 2, where v[1] <= 0 < v[2].

    Newton's method from the linear estimate; the cubic is monotonic enough on a rising
    edge that it converges in a few steps, and the bracket keeps it in [0, 1].
    """
    a, b, c, d = (float(t) for t in v)
    # Lagrange form expanded to p(u) = b + k1 u + k2 u^2 + k3 u^3
    k3 = (d - a + 3.0 * (b - c)) / 6.0
    k2 = (a + c) / 2.0 - b
    k1 = c - b - k2 - k3
    u = -b / (c - b)
    for _ in range(8):
        p = b + u * (k1 + u * (k2 + u * k3))
        dp = k1 + u * (2.0 * k2 + 3.0 * u * k3)
        if dp <= 0.0:
            break
        step = p / dp
        u = min(max(u - step, 0.0), 1.0)
        if abs(step) < 1e-7:
            break
    return u


@lru_cache(maxsize=8)
def _detector(fs: float, options: tuple) -> PulseDetector:
    return PulseDetector(fs, **dict(options))


def detect_pulses(recording: Recording, **options) -> tuple[Pulse, ...]:
    """Impulsive pulses in one recording, in time order.

    Parameters
    ----------
    recording : Recording
        Mono audio in [-1, 1] with the time of its first sample.
    **options
        Keyword-only settings of :class:`PulseDetector` (``snr_db``, ``contrast_db``,
        ``refractory_s``, ``echo_window_s``, ``band_hz``).

    Returns
    -------
    tuple of Pulse
        ``time_ns`` is the onset (sub-sample, rounded to the nanosecond); ``snr_db`` the
        energy of the first millisecond over the noise floor in the detection band;
        ``level_db_spl`` the peak level in **dBFS** (0 = full scale: sensor audio carries
        no calibration here); ``kind`` ``"first"`` or ``"echo"``; ``sharpness_db`` the
        onset contrast.
    """
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()))
    return _detector(float(recording.sample_rate), key).detect(recording)


def detect_incident_pulses(data: IncidentData, **options) -> IncidentData:
    """A copy of ``data`` whose pulses are those detected in its recordings.

    ``options`` go to :func:`detect_pulses`. The copy shares the recordings' arrays.
    """
    pulses = [p for rec in data.recordings for p in detect_pulses(rec, **options)]
    pulses.sort(key=lambda p: (p.time_ns, p.sensor.serial))
    return replace(data, pulses=tuple(pulses))


def _validate_fs(fs: float) -> float:
    fs = float(fs)
    if not math.isfinite(fs) or fs < 2000.0:
        raise ValueError(f"sample rate must be a finite value of at least 2000 Hz, got {fs!r}")
    return fs


def _validate_positive(value: float, name: str) -> float:
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return value


def _validate_band(band: tuple[float, float], fs: float) -> tuple[float, float]:
    lo, hi = (float(b) for b in band)
    if not 0 < lo < hi < fs / 2:
        raise ValueError(f"band_hz must satisfy 0 < low < high < fs/2 = {fs / 2:g}, got {band!r}")
    return lo, hi
