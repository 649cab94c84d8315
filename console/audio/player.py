"""Playback of one clip through a sounddevice output stream.

Contents
--------
- :class:`AudioEngine`      -- play / pause / stop, seek, loop a selection, 0.5x and 1x,
  volume, a thread-safe position
- :class:`AudioDeviceError` -- PortAudio missing or no output device, one readable sentence

Slowed playback (0.5x) is tape-speed resampling: each output sample advances the clip by
half a sample (linear interpolation), so the sound lasts twice as long and its pitch drops
by an octave. The same interpolation converts the clip's rate to the device's rate when
the device cannot play the clip's rate directly.

The stream is opened on the first :meth:`AudioEngine.play` and kept open until
:meth:`AudioEngine.close`; it runs only while playing (aborted on pause, stopped by the
callback at the end of the clip), so a paused player costs nothing and a later press of
play restarts an open stream, which is heard within a block or two.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np

__all__ = ["AudioEngine", "AudioDeviceError", "SPEEDS"]

SPEEDS = (0.5, 1.0)
"""Playback speeds offered, as a factor of real time."""

_BLOCK = 256
"""Frames per callback: ~5 ms at 48 kHz, ~21 ms at 12 kHz."""


class AudioDeviceError(Exception):
    """No sound output: PortAudio missing, no output device, or the device refused."""


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as exc:  # PortAudio library not found
        raise AudioDeviceError(f"Sound output is unavailable: {exc}.") from None
    return sounddevice


class AudioEngine:
    """Plays mono float32 samples; every public method is safe from the GUI thread.

    ``device`` is a sounddevice output device (index or name; None = the default).
    Raises :class:`AudioDeviceError` at construction when no output device exists.
    """

    def __init__(self, *, device: int | str | None = None, blocksize: int = _BLOCK) -> None:
        sd = _sounddevice()
        try:
            info = sd.query_devices(device, kind="output")
        except (ValueError, sd.PortAudioError) as exc:
            raise AudioDeviceError(f"No sound output device: {exc}.") from None
        self._sd, self._device, self._blocksize = sd, device, blocksize
        self._default_rate = int(info["default_samplerate"])
        self._lock = threading.Lock()
        self._stream: Any = None
        self._out_rate = 0
        self._samples = np.zeros(1, dtype=np.float32)
        self._rate = 1
        self._pos = 0.0  # in clip frames (fractional)
        self._pos_clock = 0.0
        self._playing = False
        self._speed = 1.0
        self._volume = 1.0
        self._loop: tuple[float, float] | None = None
        self._play_clock: float | None = None
        self.frames_out = 0
        """Frames written to the device while playing (a clock independent of wall time)."""
        self.last_play_latency_s: float | None = None
        """Seconds from the last :meth:`play` to the first block carrying sound."""

    # -- clip ---------------------------------------------------------------------------
    def load(self, samples: np.ndarray, sample_rate: int) -> None:
        """Replace the clip (stops playback, position 0, loop cleared)."""
        mono = np.asarray(samples, dtype=np.float32)
        if mono.ndim == 2:
            mono = mono.mean(axis=1, dtype=np.float32)
        if mono.ndim != 1 or mono.size == 0 or sample_rate <= 0:
            raise ValueError(f"need non-empty mono samples and a positive rate, got "
                             f"shape {mono.shape} at {sample_rate} Hz")
        rate_changed = sample_rate != self._rate
        with self._lock:
            self._samples, self._rate = mono, int(sample_rate)
            self._pos, self._playing, self._loop = 0.0, False, None
        if rate_changed:
            self._close_stream()
        else:
            self._halt_stream()

    @property
    def output_rate(self) -> int:
        """The device's rate, Hz (0 before the first play)."""
        return self._out_rate

    @property
    def device_running(self) -> bool:
        """True while the output stream runs (only during playback)."""
        return self._stream is not None and bool(self._stream.active)

    @property
    def output_latency_s(self) -> float:
        """PortAudio's estimate of the time from a callback to the speaker, s."""
        return float(self._stream.latency) if self._stream is not None else 0.0

    @property
    def duration_s(self) -> float:
        return self._samples.size / self._rate

    # -- transport ----------------------------------------------------------------------
    def play(self) -> None:
        """Start or resume; from the start when at the end. Raises AudioDeviceError."""
        pressed = time.perf_counter()
        self._ensure_stream()
        with self._lock:
            if self._pos >= self._samples.size - 1 and self._loop is None:
                self._pos = 0.0
            self._play_clock = pressed
            self._pos_clock = time.perf_counter()
            self._playing = True

    def pause(self) -> None:
        with self._lock:
            self._pos = self._extrapolated()
            self._playing = False
        self._halt_stream()

    def stop(self) -> None:
        """Pause and return to the start (or the loop's start)."""
        with self._lock:
            self._playing = False
            self._pos = self._loop[0] * self._rate if self._loop else 0.0
        self._halt_stream()

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    @property
    def playing(self) -> bool:
        return self._playing

    def seek(self, t_s: float) -> None:
        """Move to ``t_s`` seconds from the clip's start (clamped to the clip)."""
        with self._lock:
            self._pos = float(np.clip(t_s * self._rate, 0.0, self._samples.size - 1))
            self._pos_clock = time.perf_counter()

    @property
    def position_s(self) -> float:
        """Where playback is, s from the clip's start, extrapolated between blocks."""
        with self._lock:
            return self._extrapolated() / self._rate

    def set_loop(self, start_s: float | None, end_s: float | None = None) -> None:
        """Loop between two times (s); ``None`` clears the loop. Playback jumps inside."""
        with self._lock:
            if start_s is None or end_s is None:
                self._loop = None
                return
            a, b = sorted((max(0.0, start_s), min(end_s, self.duration_s)))
            if b - a < 2.0 / self._rate:
                raise ValueError(f"loop {start_s:.3f}-{end_s:.3f} s is empty")
            self._loop = (a, b)
            if not a * self._rate <= self._pos < b * self._rate:
                self._pos = a * self._rate

    @property
    def loop(self) -> tuple[float, float] | None:
        return self._loop

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        if value not in SPEEDS:
            raise ValueError(f"speed {value} is not one of {SPEEDS}")
        with self._lock:
            self._pos = self._extrapolated()
            self._pos_clock = time.perf_counter()
            self._speed = float(value)

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = float(np.clip(value, 0.0, 1.0))

    def close(self) -> None:
        """Stop and release the output stream (the engine can play again later)."""
        with self._lock:
            self._playing = False
        self._close_stream()

    # -- internals ----------------------------------------------------------------------
    def _extrapolated(self) -> float:
        """Position now: the last block's position advanced by the time since (lock held)."""
        if not self._playing:
            return self._pos
        ahead = (time.perf_counter() - self._pos_clock) * self._rate * self._speed
        limit = self._blocksize * self._speed * self._rate / max(self._out_rate, 1)
        pos = self._pos + min(max(ahead, 0.0), limit)
        if self._loop is not None:
            a, b = self._loop[0] * self._rate, self._loop[1] * self._rate
            if pos >= b:
                pos = a + (pos - a) % (b - a)
        return min(pos, self._samples.size - 1.0)

    def _ensure_stream(self) -> None:
        """Open the stream on first use and make sure it runs."""
        sd = self._sd
        try:
            if self._stream is None:
                self._stream = self._open_stream()
            if not self._stream.active:
                if not self._stream.stopped:  # the callback ended it at the end of the clip
                    self._stream.stop()
                self._stream.start()
        except (ValueError, sd.PortAudioError) as exc:
            raise AudioDeviceError(f"The sound output device cannot play: {exc}.") from None

    def _open_stream(self) -> Any:
        rate = self._rate
        try:
            self._sd.check_output_settings(self._device, channels=1, dtype="float32",
                                           samplerate=rate)
        except (ValueError, self._sd.PortAudioError):
            rate = self._default_rate
        stream = self._sd.OutputStream(
            samplerate=rate, blocksize=self._blocksize, device=self._device, channels=1,
            dtype="float32", latency="low", callback=self._callback)
        self._out_rate = rate
        return stream

    def _halt_stream(self) -> None:
        """Stop the device at once (the lock must not be held: abort waits for the callback)."""
        stream = self._stream
        if stream is not None and stream.active:
            stream.abort()

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.abort()
            stream.close()

    def _callback(self, outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        if not self._fill(outdata, frames):
            raise self._sd.CallbackStop  # the clip has ended: this block is the last

    def _fill(self, outdata: np.ndarray, frames: int) -> bool:
        """Write the next block; False once playback has ended."""
        with self._lock:
            if not self._playing:
                outdata.fill(0.0)
                return True
            step = self._speed * self._rate / self._out_rate
            pos = self._pos + step * np.arange(frames)
            if self._loop is not None:
                a, b = self._loop[0] * self._rate, self._loop[1] * self._rate
                over = pos >= b
                pos[over] = a + (pos[over] - a) % (b - a)
            n = self._samples.size
            block = _interpolate(self._samples, pos)
            outdata[:, 0] = block * self._volume
            self.frames_out += frames
            nxt = pos[-1] + step
            if self._loop is not None and nxt >= self._loop[1] * self._rate:
                nxt = self._loop[0] * self._rate + (nxt - self._loop[0] * self._rate) % (
                    (self._loop[1] - self._loop[0]) * self._rate)
            if nxt >= n - 1:
                nxt, self._playing = n - 1.0, False
            self._pos, self._pos_clock = nxt, time.perf_counter()
            if self._play_clock is not None and np.any(outdata != 0.0):
                self.last_play_latency_s = self._pos_clock - self._play_clock
                self._play_clock = None
            return self._playing


def _interpolate(samples: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Linear interpolation of ``samples`` at fractional frame positions (0 past the end)."""
    last = samples.size - 1
    i = np.minimum(pos.astype(np.int64), last)
    frac = (pos - i).astype(np.float32)
    nxt = np.minimum(i + 1, last)
    out = samples[i] * (1.0 - frac) + samples[nxt] * frac
    out[pos > last] = 0.0
    return out
