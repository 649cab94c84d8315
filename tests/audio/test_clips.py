"""Decoding clips: real sensor WAVs, the Pittsburgh layout, FLAC/OGG, and broken files."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from console.audio.clips import MAX_DURATION_S, AudioLoadError, load_clip, load_clips
from locator_core.smj0 import read_smj0_wav


def test_every_shotspotter_wav_loads_with_metadata(smj0_wavs: list[Path]) -> None:
    for path in smj0_wavs:
        clip = load_clip(path, label="Sensor 3")
        ref = read_smj0_wav(path)
        assert clip.format == "smj0 WAV"
        assert clip.sample_rate == 12000
        assert clip.channels == 1
        assert clip.duration_s == pytest.approx(len(ref.samples) / 12000)
        assert 1.9 <= clip.duration_s <= 10.0
        assert clip.start_ns == ref.start_ns
        assert clip.identity.serial == ref.serial and clip.identity.serial.startswith("SCP-")
        assert clip.identity.latitude == pytest.approx(ref.latitude)
        assert clip.identity.metadata["serialNumber"] == ref.serial
        assert np.allclose(clip.mono, ref.samples, atol=1e-6)
        assert clip.label == "Sensor 3"
        assert ref.serial not in repr(clip)


def test_scepter_start_time_is_the_metadata_start(smj0_wavs: list[Path]) -> None:
    (path,) = [p for p in smj0_wavs if "Scepter" in p.name]
    clip = load_clip(path)
    assert clip.start_ns == int(datetime(2022, 10, 19, 18, 10, 15, tzinfo=UTC).timestamp()) * 10**9
    assert clip.duration_s == pytest.approx(8.0)


def test_pittsburgh_test_clips_take_time_and_serial_from_the_sidecar(pittsburgh_test: Path) -> None:
    paths = sorted(pittsburgh_test.glob("*.audio.*.wav"))
    clips = load_clips(paths)
    assert [c.label for c in clips] == [f"Sensor {i}" for i in range(1, len(paths) + 1)]
    t0 = int(datetime(2018, 12, 19, 0, 49, 26, tzinfo=UTC).timestamp()) * 10**9
    for path, clip in zip(paths, clips, strict=True):
        assert clip.format == "WAV"
        assert (clip.sample_rate, clip.duration_s, clip.start_ns) == (12000, 10.0, t0)
        assert clip.identity.serial in path.name
        assert clip.identity.xyz is not None and clip.identity.latitude is None


def test_bytes_from_the_feed_decode_without_identity(smj0_wavs: list[Path]) -> None:
    blob = smj0_wavs[0].read_bytes()
    clip = load_clip(blob, label="Sensor 1")
    assert clip.format == "smj0 WAV" and clip.start_ns is not None
    assert clip.identity.source == ""


@pytest.mark.parametrize(("fmt", "subtype", "ext"), [("FLAC", "PCM_16", "flac"),
                                                     ("OGG", "VORBIS", "ogg")])
def test_flac_and_ogg(tmp_path: Path, fmt: str, subtype: str, ext: str) -> None:
    rate = 48000
    t = np.arange(int(1.5 * rate)) / rate
    stereo = np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.25 * np.sin(2 * np.pi * 880 * t)], 1)
    path = tmp_path / f"clip.{ext}"
    sf.write(path, stereo, rate, format=fmt, subtype=subtype)
    clip = load_clip(path)
    assert clip.format == fmt and clip.sample_rate == rate and clip.channels == 2
    assert clip.duration_s == pytest.approx(1.5, abs=1e-3)
    assert clip.start_ns is None
    assert clip.mono.shape == (clip.frames,)
    assert float(np.sqrt(np.mean(clip.samples[:, 0] ** 2))) == pytest.approx(0.5 / np.sqrt(2), 0.05)


def _error(source: bytes | Path) -> str:
    with pytest.raises(AudioLoadError) as info:
        load_clip(source)
    return str(info.value)


def test_zero_bytes(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    assert "empty (zero bytes)" in _error(empty)


def test_truncated_copy(tmp_path: Path, smj0_wavs: list[Path]) -> None:
    blob = smj0_wavs[0].read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(blob[: len(blob) // 2])
    assert "truncated" in _error(cut)


def test_flipped_header(tmp_path: Path, smj0_wavs: list[Path]) -> None:
    blob = bytearray(smj0_wavs[0].read_bytes())
    blob[:12] = bytes(b ^ 0xFF for b in blob[:12])
    bad = tmp_path / "flipped.wav"
    bad.write_bytes(bytes(blob))
    assert "not in a known audio format" in _error(bad)


def test_corrupt_chunk_header(tmp_path: Path, smj0_wavs: list[Path]) -> None:
    blob = bytearray(smj0_wavs[0].read_bytes())
    blob[12:16] = b"\x00\x01\x02\x03"  # the first chunk id
    assert "corrupt WAV header" in _error(bytes(blob))


def test_random_bytes() -> None:
    noise = np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    assert "not in a known audio format" in _error(noise)


def test_random_bytes_after_a_flac_signature() -> None:
    noise = b"fLaC" + np.random.default_rng(8).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    assert "corrupt" in _error(noise)


def test_wav_header_claiming_gigabytes_is_truncated(smj0_wavs: list[Path]) -> None:
    blob = bytearray(smj0_wavs[0].read_bytes())
    pos = blob.index(b"data")
    struct.pack_into("<I", blob, pos + 4, 0xFFFFFFF0)
    assert "truncated" in _error(bytes(blob))


def test_flac_header_claiming_hours_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "short.flac"
    sf.write(path, np.zeros(4800, dtype=np.float32), 48000, format="FLAC")
    blob = bytearray(path.read_bytes())
    # STREAMINFO: 36 bits of total samples end at byte 8 + 18 of the block (after 'fLaC')
    info = 4 + 4
    packed = int.from_bytes(blob[info + 13:info + 18], "big")
    packed = (packed & ~0xFFFFFFFFF) | (48000 * 3600 * 5)  # five hours
    blob[info + 13:info + 18] = packed.to_bytes(5, "big")
    message = _error(bytes(blob))
    assert "too long to play" in message and "limit is 30 min" in message


def test_real_clip_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    rate = 8000
    path = tmp_path / "long.wav"
    sf.write(path, np.zeros(int((MAX_DURATION_S + 60) * rate), dtype=np.int16), rate,
             subtype="PCM_U8")
    assert "too long to play (31 min" in _error(path)


def test_file_larger_than_the_cap_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "huge.wav"
    with huge.open("wb") as f:  # sparse: no disk space used
        f.truncate(600 * 1024 * 1024)
    assert "too large to play (600 MB" in _error(huge)


def test_unreadable_path(tmp_path: Path) -> None:
    assert "cannot be read" in _error(tmp_path / "missing.wav")
    assert "cannot be read" in _error(tmp_path)
