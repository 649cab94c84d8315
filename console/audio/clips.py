"""Audio clips of an incident: decoding WAV, FLAC, OGG and ShotSpotter sensor WAVs.

Contents
--------
- :class:`Clip`            -- decoded audio with its start time and an officer-facing label
- :class:`SensorIdentity`  -- serial, position and vendor metadata (verification view only)
- :class:`AudioLoadError`  -- every failure, with one sentence an officer can read
- :func:`load_clip`        -- decode one clip from bytes or a file
- :func:`load_clips`       -- decode several files, labelled "Sensor 1..n"

Officers see a clip only as "Sensor n": the sensor's serial number and position live in
:attr:`Clip.identity`, which only the verification view (investigator rights) may read.
A file's name can carry a serial (the Pittsburgh release names files after sensors), so
the name is kept there too, never in :attr:`Clip.label`.
"""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from locator_core.smj0 import decode_smj0
from locator_core.types import LocatorError

__all__ = [
    "Clip", "SensorIdentity", "AudioLoadError", "load_clip", "load_clips",
    "MAX_FILE_BYTES", "MAX_DECODED_BYTES", "MAX_DURATION_S",
]

MAX_FILE_BYTES = 500 * 1024 * 1024
"""Largest encoded clip accepted, bytes."""
MAX_DECODED_BYTES = 500 * 1024 * 1024
"""Largest decoded clip accepted (float32, all channels), bytes."""
MAX_DURATION_S = 30 * 60.0
"""Longest clip accepted, s: incident clips are seconds long; more is a wrong file."""

_FORMATS = {b"RIFF": "WAV", b"RF64": "WAV", b"fLaC": "FLAC", b"OggS": "OGG"}


class AudioLoadError(Exception):
    """A clip that cannot be played; ``str()`` is one sentence for the officer."""


@dataclass(frozen=True, eq=False)
class SensorIdentity:
    """Who recorded a clip and where. Never shown in the officer view.

    latitude, longitude : degrees (WGS 84) or None; x, y, z : metres in a local frame or
    None; metadata : the vendor's metadata (``smj0`` JSON or the sidecar JSON).
    """

    serial: str | None = None
    source: str = ""
    latitude: float | None = None
    longitude: float | None = None
    elevation_m: float | None = None
    xyz: tuple[float, float, float] | None = None
    metadata: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, eq=False)
class Clip:
    """Decoded audio.

    samples : float32 in [-1, 1], shape (n,) for mono or (n, channels)
    sample_rate : int, Hz
    start_ns : int or None, UTC time of the first sample in ns since the epoch
    label : str, the officer-facing name ("Sensor 1")
    format : str, "WAV", "FLAC", "OGG" or "smj0 WAV"
    identity : SensorIdentity, restricted to the verification view
    """

    samples: np.ndarray = field(repr=False)
    sample_rate: int
    start_ns: int | None
    label: str
    format: str
    identity: SensorIdentity = field(default_factory=SensorIdentity, repr=False)

    @property
    def frames(self) -> int:
        return int(self.samples.shape[0])

    @property
    def channels(self) -> int:
        return 1 if self.samples.ndim == 1 else int(self.samples.shape[1])

    @property
    def duration_s(self) -> float:
        return self.frames / float(self.sample_rate)

    @property
    def mono(self) -> np.ndarray:
        """The channels mixed down to one (the array itself when mono)."""
        if self.samples.ndim == 1:
            return self.samples
        return self.samples.mean(axis=1, dtype=np.float32)

    def with_label(self, label: str) -> Clip:
        return replace(self, label=label)


def load_clip(source: bytes | str | Path, *, label: str = "Sensor 1",
              name: str | None = None) -> Clip:
    """Decode a clip from ``bytes`` (a feed download) or a file path.

    ``name`` names the clip in error messages (default: the file's name, or "audio
    clip" for bytes); the officer view passes its label, as file names can carry serials. A file ``X.wav`` beside a
    ``X.json`` carrying ``serial_number`` and ``timestamp`` (the Pittsburgh layout) gets
    its start time and identity from that JSON.

    Raises
    ------
    AudioLoadError
        Unreadable, empty, unknown format, corrupt or truncated, or larger than
        :data:`MAX_FILE_BYTES` / :data:`MAX_DECODED_BYTES` / :data:`MAX_DURATION_S`.
    """
    path: Path | None = None
    if isinstance(source, bytes | bytearray | memoryview):
        name = name or "audio clip"
        blob = bytes(source)
    else:
        path = Path(source)
        name = name or path.name
        blob = _read_file(path)
    if not blob:
        raise AudioLoadError(f"{name} is empty (zero bytes): there is no audio to play.")
    kind = _FORMATS.get(blob[:4])
    if kind is None or (kind == "WAV" and blob[8:12] != b"WAVE"):
        raise AudioLoadError(
            f"{name} is not in a known audio format (WAV, FLAC or OGG expected).")
    meta: dict[str, Any] = {}
    if kind == "WAV":
        smj0 = _check_wav_chunks(blob, name)
        if smj0 is not None:
            kind, meta = "smj0 WAV", _decode_smj0(smj0, name)
    samples, rate = _decode(blob, name)
    identity, start_ns = _identity(meta, path)
    return Clip(samples, rate, start_ns, label, kind, identity)


def load_clips(paths: Sequence[str | Path], *, hide_names: bool = False) -> tuple[Clip, ...]:
    """Decode files in the order given, labelled "Sensor 1", "Sensor 2", ...

    With ``hide_names`` error messages name a file by its label, not its file name.
    """
    return tuple(load_clip(p, label=f"Sensor {i}", name=f"Sensor {i} audio" if hide_names else None)
                 for i, p in enumerate(paths, start=1))


def _read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise AudioLoadError(
                f"{path.name} is too large to play ({size / 2**20:.0f} MB; the limit is "
                f"{MAX_FILE_BYTES // 2**20} MB).")
        return path.read_bytes()
    except OSError as exc:
        raise AudioLoadError(f"{path.name} cannot be read: {exc.strerror or exc}.") from None


def _check_wav_chunks(blob: bytes, name: str) -> bytes | None:
    """Walk the RIFF chunks: refuse a truncated data chunk; return the smj0 payload."""
    pos, smj0, data_seen = 12, None, False
    while pos + 8 <= len(blob):
        cid = blob[pos:pos + 4]
        if not all(32 <= b < 127 for b in cid):
            if data_seen:
                break  # trailing junk after the audio
            raise AudioLoadError(f"{name} has a corrupt WAV header (bad chunk id {cid!r}).")
        (size,) = struct.unpack_from("<I", blob, pos + 4)
        end = pos + 8 + size
        if cid == b"data":
            data_seen = True
            if end > len(blob) and blob[:4] == b"RIFF":
                raise AudioLoadError(
                    f"{name} is truncated: its header declares {size} bytes of audio but "
                    f"only {len(blob) - pos - 8} are present.")
        elif cid == b"smj0":
            smj0 = blob[pos + 8:end]
        pos = end + (size % 2)
    if not data_seen:
        raise AudioLoadError(f"{name} is not a usable WAV file: it holds no audio data.")
    return smj0


def _decode_smj0(payload: bytes, name: str) -> dict[str, Any]:
    try:
        return decode_smj0(payload, name=name)
    except LocatorError as exc:
        raise AudioLoadError(str(exc)) from None


def _decode(blob: bytes, name: str) -> tuple[np.ndarray, int]:
    try:
        with sf.SoundFile(io.BytesIO(blob)) as f:
            rate, channels, frames = int(f.samplerate), int(f.channels), int(f.frames)
            _check_size(name, rate, channels, frames)
            samples = f.read(dtype="float32", always_2d=False)
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError) as exc:
        raise AudioLoadError(f"{name} is corrupt and cannot be decoded ({exc}).") from None
    if samples.shape[0] == 0:
        raise AudioLoadError(f"{name} holds no audio samples.")
    if samples.shape[0] < frames:
        raise AudioLoadError(
            f"{name} is truncated: {samples.shape[0]} of {frames} samples could be read.")
    if not np.all(np.isfinite(samples)):
        raise AudioLoadError(f"{name} holds invalid (NaN or infinite) samples.")
    return samples, rate


def _check_size(name: str, rate: int, channels: int, frames: int) -> None:
    if rate <= 0 or channels <= 0:
        raise AudioLoadError(f"{name} has a corrupt header ({rate} Hz, {channels} channels).")
    duration = frames / rate
    if duration > MAX_DURATION_S:
        raise AudioLoadError(
            f"{name} is too long to play ({duration / 60:.0f} min; the limit is "
            f"{MAX_DURATION_S / 60:.0f} min).")
    if frames * channels * 4 > MAX_DECODED_BYTES:
        raise AudioLoadError(
            f"{name} is too large to play ({frames * channels * 4 / 2**20:.0f} MB decoded; "
            f"the limit is {MAX_DECODED_BYTES // 2**20} MB).")


def _identity(meta: dict[str, Any], path: Path | None) -> tuple[SensorIdentity, int | None]:
    source = str(path) if path is not None else ""
    if meta:
        geo = meta.get("geolocation") if isinstance(meta.get("geolocation"), dict) else {}
        return SensorIdentity(
            serial=_text(meta.get("serialNumber")), source=source,
            latitude=_number(geo.get("latitude")), longitude=_number(geo.get("longitude")),
            elevation_m=_number(geo.get("elevation")), metadata=meta,
        ), _time_ns(meta.get("startTimeUTC"))
    sidecar = _sidecar(path)
    if sidecar:
        loc = sidecar.get("location") if isinstance(sidecar.get("location"), dict) else {}
        xyz = tuple(_number(loc.get(k)) for k in "xyz")
        return SensorIdentity(
            serial=_text(sidecar.get("serial_number")), source=source,
            xyz=xyz if None not in xyz else None, metadata=sidecar,  # type: ignore[arg-type]
        ), _time_ns(sidecar.get("timestamp"))
    return SensorIdentity(source=source), None


def _sidecar(path: Path | None) -> dict[str, Any]:
    """The Pittsburgh layout's ``X.json`` beside ``X.wav``; {} when absent or unreadable."""
    if path is None or not path.with_suffix(".json").is_file():
        return {}
    try:
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _time_ns(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        return None
    whole = int(t.replace(microsecond=0).timestamp())
    return whole * 1_000_000_000 + t.microsecond * 1000


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
