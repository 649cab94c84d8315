"""Spectrograms of clips for display.

Contents
--------
- :class:`Spectrogram`         -- power in dB on a time x frequency grid
- :func:`compute_spectrogram`  -- a display-sized spectrogram of mono samples

The window is about 20 ms (a power of two in samples), which resolves the sharp onset of
a muzzle blast and the crack of a supersonic bullet while keeping frequency bins of
~50 Hz. Long clips get a larger hop so the image never exceeds ``max_columns`` columns:
the screen cannot show more, and the work stays within a few hundred milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import signal

__all__ = ["Spectrogram", "compute_spectrogram"]


@dataclass(frozen=True, eq=False)
class Spectrogram:
    """db : (n_freqs, n_times) float32, dB re full scale, floored at ``top - range``.

    t0_s : s, centre of the first column from the clip's start; dt_s : s per column;
    df_hz : Hz per row (row 0 is 0 Hz).
    """

    db: np.ndarray = field(repr=False)
    t0_s: float
    dt_s: float
    df_hz: float

    @property
    def max_hz(self) -> float:
        return self.df_hz * (self.db.shape[0] - 1)


def compute_spectrogram(samples: np.ndarray, sample_rate: float, *,
                        window_s: float = 0.02, max_columns: int = 4000,
                        range_db: float = 80.0) -> Spectrogram:
    """Spectrogram of ``samples`` (mono, any length >= 1) at ``sample_rate`` Hz."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"need non-empty mono samples, got shape {x.shape}")
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    nperseg = int(2 ** np.ceil(np.log2(max(16.0, window_s * sample_rate))))
    nperseg = min(nperseg, max(16, x.size))
    hop = max(nperseg // 2, int(np.ceil(x.size / max_columns)))
    noverlap = max(0, nperseg - hop)
    if x.size < nperseg:
        x = np.pad(x, (0, nperseg - x.size))
    freqs, times, power = signal.spectrogram(
        x, fs=sample_rate, window="hann", nperseg=nperseg, noverlap=noverlap,
        detrend=False, scaling="spectrum", mode="psd")
    db = 10.0 * np.log10(power.astype(np.float32) + np.float32(1e-12))
    top = float(db.max())
    np.maximum(db, top - range_db, out=db)
    dt = float(times[1] - times[0]) if times.size > 1 else hop / sample_rate
    return Spectrogram(db.astype(np.float32), float(times[0]), dt, float(freqs[1] - freqs[0]))
