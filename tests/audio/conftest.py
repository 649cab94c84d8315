"""Audio test fixtures: real clips from the shared data and an engine always closed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.audio.player import AudioEngine


@pytest.fixture(scope="session")
def smj0_wavs(shotspotter_wav: Path) -> list[Path]:
    paths = sorted(shotspotter_wav.rglob("*.wav"))
    assert len(paths) >= 11, f"expected the ShotSpotter sensor WAVs in {shotspotter_wav}"
    return paths


@pytest.fixture(scope="session")
def pittsburgh_test(pittsburgh: Path) -> Path:
    return pittsburgh / "FP1" / "test_001"


@pytest.fixture
def engine() -> Iterator[AudioEngine]:
    """An engine on the default device (the ALSA null sink in tests), closed even on failure."""
    eng = AudioEngine(blocksize=1024)
    try:
        yield eng
    finally:
        eng.close()
