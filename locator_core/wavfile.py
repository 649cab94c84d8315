"""A small, strict RIFF/WAVE reader for sensor audio.

Contents
--------
- :class:`WavFile`  -- channel-0 samples as float32 in [-1, 1], rate, format and extra chunks
- :func:`read_wav`  -- parse a WAV file from disk
- :func:`parse_wav` -- parse WAV bytes already in memory

Supports integer PCM of 8, 16, 24 and 32 bits and IEEE float of 32 and 64 bits, plain or
WAVE_FORMAT_EXTENSIBLE, mono or multi-channel (channel 0 is kept). Every chunk other than
``fmt `` and ``data`` is kept verbatim, so vendor chunks such as ``smj0`` can be decoded by
the caller. A data chunk whose declared size runs past the end of the file (an interrupted
copy) is read up to the last whole frame; fewer than :data:`MIN_DURATION_S` of audio is an
error. Every failure is a :class:`~locator_core.types.LocatorError` naming the file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from locator_core.types import LocatorError

__all__ = ["WavFile", "read_wav", "parse_wav", "MIN_DURATION_S"]

MIN_DURATION_S = 0.010
"""Shortest usable audio, seconds: a truncated file with less than this is rejected."""

_PCM, _FLOAT, _EXTENSIBLE = 0x0001, 0x0003, 0xFFFE


@dataclass(frozen=True, eq=False)
class WavFile:
    """Decoded WAV audio.

    samples : ndarray of float32, channel 0 scaled to [-1, 1] (floats are kept as stored)
    sample_rate : int, Hz
    channels : int, channels in the file (only channel 0 is returned)
    bits : int, bits per sample in the file
    chunks : tuple of (id, bytes), every chunk except ``fmt `` and ``data``, in file order
    truncated : bool, True when the data chunk was cut short by the end of the file
    """

    samples: np.ndarray = field(repr=False)
    sample_rate: int
    channels: int
    bits: int
    chunks: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)
    truncated: bool = False

    def chunk(self, chunk_id: str) -> bytes | None:
        """The payload of the first chunk named ``chunk_id``, or None."""
        for cid, payload in self.chunks:
            if cid == chunk_id:
                return payload
        return None

    @property
    def duration_s(self) -> float:
        return len(self.samples) / float(self.sample_rate)


def read_wav(path: str | Path) -> WavFile:
    """Read a WAV file; see the module docstring for what is supported.

    Raises
    ------
    LocatorError
        When the file cannot be read, is not a WAV file, uses an unsupported encoding or
        holds less than :data:`MIN_DURATION_S` of audio. The message names the file.
    """
    path = Path(path)
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise LocatorError(f"cannot read WAV file {path}: {exc.strerror or exc}") from None
    return parse_wav(blob, name=str(path))


def parse_wav(blob: bytes, *, name: str = "<bytes>") -> WavFile:
    """Parse the bytes of a WAV file. ``name`` is used in error messages."""
    if len(blob) < 12 or blob[:4] != b"RIFF" or blob[8:12] != b"WAVE":
        raise LocatorError(f"{name} is not a WAV file (no RIFF/WAVE header).")
    fmt, data, declared, extra = _walk_chunks(blob, name)
    if fmt is None:
        raise LocatorError(f"{name} is not a usable WAV file: it has no 'fmt ' chunk.")
    if data is None:
        raise LocatorError(f"{name} is not a usable WAV file: it has no 'data' chunk.")
    tag, channels, rate, block_align, bits = _parse_fmt(fmt, name)
    samples = _decode(data, tag, channels, bits, block_align)
    if len(samples) < MIN_DURATION_S * rate:
        what = "is truncated" if declared > len(data) else "holds too little audio"
        raise LocatorError(
            f"{name} {what}: only {len(samples)} samples "
            f"({1000.0 * len(samples) / rate:.1f} ms) of audio could be read."
        )
    if tag == _FLOAT and not np.all(np.isfinite(samples)):
        raise LocatorError(f"{name} holds non-finite (NaN or infinite) float samples.")
    return WavFile(samples, rate, channels, bits, tuple(extra), truncated=declared > len(data))


def _is_chunk_id(raw: bytes) -> bool:
    return len(raw) == 4 and all(32 <= b < 127 for b in raw)


def _walk_chunks(blob: bytes, name: str):
    """Split the RIFF body into fmt, data (as present), declared data size and extras."""
    fmt = data = None
    declared = 0
    extra: list[tuple[str, bytes]] = []
    pos, end = 12, len(blob)
    while pos + 8 <= end:
        raw_id = blob[pos : pos + 4]
        if not _is_chunk_id(raw_id):
            if fmt is None:
                raise LocatorError(f"{name} has a corrupt WAV header (bad chunk id {raw_id!r}).")
            break  # trailing junk after the chunks we need; ignore it
        (size,) = struct.unpack_from("<I", blob, pos + 4)
        body = blob[pos + 8 : pos + 8 + size]
        cid = raw_id.decode("ascii")
        if cid == "fmt ":
            fmt = body
        elif cid == "data" and data is None:
            data, declared = body, size
        else:
            extra.append((cid, body))
        pos = _next_chunk(blob, pos + 8 + size, size)
    return fmt, data, declared, extra


def _next_chunk(blob: bytes, after: int, size: int) -> int:
    """Start of the next chunk: chunks are padded to even sizes, but some writers forget."""
    if size % 2 == 0 or after + 1 + 4 > len(blob):
        return after + (size % 2)
    if not _is_chunk_id(blob[after + 1 : after + 5]) and _is_chunk_id(blob[after : after + 4]):
        return after
    return after + 1


def _parse_fmt(fmt: bytes, name: str) -> tuple[int, int, int, int, int]:
    if len(fmt) < 16:
        raise LocatorError(f"{name} has a corrupt WAV header ('fmt ' chunk of {len(fmt)} bytes).")
    tag, channels, rate, _, block_align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        (tag,) = struct.unpack_from("<H", fmt, 24)  # first two bytes of the sub-format GUID
    supported = (tag == _PCM and bits in (8, 16, 24, 32)) or (tag == _FLOAT and bits in (32, 64))
    if not supported:
        raise LocatorError(
            f"{name} uses an unsupported WAV encoding (format tag {tag:#06x}, {bits} bits)."
        )
    if channels < 1 or rate < 1 or block_align < channels * bits // 8:
        raise LocatorError(
            f"{name} has a corrupt WAV header ({channels} channels, {rate} Hz, "
            f"block align {block_align})."
        )
    return tag, channels, rate, block_align, bits


def _decode(data: bytes, tag: int, channels: int, bits: int, block_align: int) -> np.ndarray:
    """Channel 0 of the whole frames in ``data`` as float32."""
    width = bits // 8
    n = len(data) // block_align
    frames = np.frombuffer(data, dtype=np.uint8, count=n * block_align).reshape(n, block_align)
    raw = np.ascontiguousarray(frames[:, :width])  # channel 0 occupies the first bytes
    if tag == _FLOAT:
        return raw.view("<f4" if bits == 32 else "<f8")[:, 0].astype(np.float32)
    if bits == 8:
        return (raw[:, 0].astype(np.float32) - 128.0) / 128.0
    if bits == 24:
        wide = np.zeros((n, 4), dtype=np.uint8)
        wide[:, 1:] = raw  # little-endian: the 24 bits become the top of an int32
        return (wide.view("<i4")[:, 0] / 2.0**31).astype(np.float32)
    dtype = "<i2" if bits == 16 else "<i4"
    return (raw.view(dtype)[:, 0] / 2.0 ** (bits - 1)).astype(np.float32)
