"""Fuzzing the RIFF/WAV and smj0 readers with mutated real ShotSpotter sensor WAVs:
truncations, byte flips, lying chunk sizes, spliced chunks. Only LocatorError may come
out, with a message naming the file; never struct.error, ValueError, zlib.error,
IndexError or MemoryError."""

from __future__ import annotations

import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from locator_core.smj0 import decode_smj0, read_smj0_wav
from locator_core.types import LocatorError
from locator_core.wavfile import parse_wav
from tests.fuzz.conftest import budget

SETTINGS = budget(300)
WAV_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "shotspotter-wav"


def _seeds() -> list[bytes]:
    files = sorted(WAV_DIR.glob("*/*.wav"), key=lambda p: p.stat().st_size)[:3]
    return [p.read_bytes() for p in files]


SEEDS = _seeds() if WAV_DIR.is_dir() else []
pytestmark = pytest.mark.skipif(not SEEDS, reason=f"no sensor WAVs in {WAV_DIR}")


def _chunk_offsets(blob: bytes) -> list[int]:
    """Offsets of the chunk headers after the RIFF header (as far as they parse)."""
    out, pos = [], 12
    while pos + 8 <= len(blob) and len(out) < 64:
        out.append(pos)
        size = struct.unpack_from("<I", blob, pos + 4)[0]
        pos += 8 + size + (size & 1)
    return out


@st.composite
def mutated_wav(draw: st.DrawFn) -> bytes:
    blob = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["truncate", "flip", "size_lie", "riff_lie", "splice",
                                     "zero_fmt"]))
        offsets = _chunk_offsets(bytes(blob))
        if kind == "truncate" and blob:
            del blob[draw(st.integers(0, len(blob) - 1)):]
        elif kind == "flip" and blob:
            for _ in range(draw(st.integers(1, 16))):
                blob[draw(st.integers(0, len(blob) - 1))] ^= draw(st.integers(1, 255))
        elif kind == "size_lie" and offsets:
            at = draw(st.sampled_from(offsets)) + 4
            value = draw(st.sampled_from([0, 1, 2, 3, 15, 16, 0x7FFFFFFF, 0xFFFFFFFF,
                                          0xFFFFFFF0]) | st.integers(0, 2**32 - 1))
            struct.pack_into("<I", blob, at, value)
        elif kind == "riff_lie" and len(blob) >= 8:
            struct.pack_into("<I", blob, 4, draw(st.integers(0, 2**32 - 1)))
        elif kind == "splice" and offsets:
            at = draw(st.sampled_from(offsets))
            blob[at:at] = draw(st.sampled_from([b"smj0", b"fmt ", b"data", b"LIST"])) + \
                struct.pack("<I", draw(st.integers(0, 64))) + draw(st.binary(max_size=64))
        elif kind == "zero_fmt" and offsets:
            at = draw(st.sampled_from(offsets))
            if blob[at:at + 4] == b"fmt ":
                field = draw(st.sampled_from([8, 10, 12, 20, 22]))  # tag, ch, rate, align, bits
                blob[at + field:at + field + 2] = b"\0\0"
    return bytes(blob)


def _expect_locator_error_only(fn, *args) -> None:  # noqa: ANN001
    try:
        fn(*args)
    except LocatorError as exc:
        msg = str(exc)
        assert msg and "\n" not in msg.strip() and len(msg) < 500, msg


@SETTINGS
@given(mutated_wav())
def test_parse_wav_mutations(blob: bytes) -> None:
    _expect_locator_error_only(parse_wav, blob)


@SETTINGS
@given(mutated_wav())
def test_read_smj0_wav_mutations(blob: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sensor.wav"
        path.write_bytes(blob)
        try:
            read_smj0_wav(path)
        except LocatorError as exc:
            assert str(path) in str(exc) or "smj0" in str(exc), str(exc)


@SETTINGS
@given(st.binary(max_size=512))
def test_random_bytes_are_not_a_wav(blob: bytes) -> None:
    _expect_locator_error_only(parse_wav, blob)


@SETTINGS
@given(st.binary(max_size=256) | st.sampled_from([b"", b"x\x9c", b"x\x9c\x03\x00"]))
def test_decode_smj0_garbage(payload: bytes) -> None:
    _expect_locator_error_only(decode_smj0, payload)


def test_seeds_are_readable() -> None:
    for blob in SEEDS:
        assert parse_wav(blob).chunk("smj0") is not None
