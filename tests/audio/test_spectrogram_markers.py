"""Spectrograms for display and pulse markers from the embedded locator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from console.audio.clips import load_clip, load_clips
from console.audio.markers import (
    locate_clips,
    markers_from_shot_times,
    markers_from_solution,
    shot_offsets,
)
from console.audio.spectrogram import compute_spectrogram


def test_spectrogram_finds_a_tone_and_caps_its_width() -> None:
    rate = 48000
    t = np.arange(60 * rate) / rate
    x = (0.5 * np.sin(2 * np.pi * 3000 * t)).astype(np.float32)
    spec = compute_spectrogram(x, rate, max_columns=4000)
    assert spec.db.shape[1] <= 4000
    assert spec.db.dtype == np.float32
    peak_hz = spec.df_hz * int(np.argmax(spec.db[:, spec.db.shape[1] // 2]))
    assert peak_hz == pytest.approx(3000, abs=spec.df_hz)
    assert spec.max_hz == pytest.approx(rate / 2)
    assert spec.db.max() - spec.db.min() == pytest.approx(80.0, abs=0.01)
    assert x[0] == 0.0 and x.max() == pytest.approx(0.5, abs=1e-3)  # input untouched


def test_spectrogram_of_a_very_short_clip() -> None:
    spec = compute_spectrogram(np.ones(10, dtype=np.float32), 12000)
    assert spec.db.shape[1] >= 1


def test_spectrogram_rejects_empty_input() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        compute_spectrogram(np.zeros(0, dtype=np.float32), 12000)


@pytest.fixture(scope="module")
def pittsburgh_clips(pittsburgh: Path):
    return load_clips(sorted((pittsburgh / "FP1" / "test_001").glob("*.audio.*.wav")))


def test_markers_from_the_located_pittsburgh_test(pittsburgh_clips) -> None:
    solution = locate_clips(pittsburgh_clips)
    # test 01 fired 3 rounds; how many the locator finds is the locator tests' business
    assert solution is not None and len(solution.shots) >= 3
    markers = markers_from_solution(pittsburgh_clips, solution)
    shots = range(1, len(solution.shots) + 1)
    assert {m.shot for m in markers} == set(shots)
    for shot in shots:  # the locator needs at least four sensors per shot
        assert len({m.clip for m in markers if m.shot == shot}) >= 4
    for i, clip in enumerate(pittsburgh_clips):
        mine = [m for m in markers if m.clip == i]
        assert [m.shot for m in mine] == sorted({m.shot for m in mine})  # in firing order
        assert all(0.0 < m.time_s < clip.duration_s for m in mine)
    # a pulse can only be heard after its shot was fired
    t0 = pittsburgh_clips[0].start_ns
    for m in markers:
        shot = solution.shots[m.shot - 1]
        assert t0 + m.time_s * 1e9 > shot.time_ns


def test_fewer_than_four_positioned_clips_are_not_located(pittsburgh_clips) -> None:
    assert locate_clips(pittsburgh_clips[:3]) is None


def test_shot_times_label_the_pulses_of_a_clip_without_position(pittsburgh_clips) -> None:
    solution = locate_clips(pittsburgh_clips)
    offsets = [(s.time_ns - solution.shots[0].time_ns) / 1e9 for s in solution.shots]
    located = markers_from_solution(pittsburgh_clips, solution)
    for i, clip in enumerate(pittsburgh_clips):
        expected = [m for m in located if m.clip == i]
        if not expected:
            continue  # a sensor the locator did not use
        guessed = markers_from_shot_times(clip, offsets, clip_index=i)
        assert [m.shot for m in guessed] == [m.shot for m in expected], f"clip {i}"
        for g, e in zip(guessed, expected, strict=True):
            assert g.time_s == pytest.approx(e.time_s, abs=0.002)
    assert markers_from_shot_times(pittsburgh_clips[0], []) == []


def test_shot_one_need_not_be_the_loudest_pulse() -> None:
    """Regression: the anchor was the strongest early pulse, which put "1" on shot 2."""
    from console.demo.publisher import build_demo_alert, demo_alerts
    from console.domain.alert import parse_alert

    sim = next(iter(demo_alerts(3)))
    payload, wav = build_demo_alert(sim)
    alert = parse_alert({**payload, "seq": 1})
    clip = load_clip(wav)
    offsets = shot_offsets(alert)
    markers = markers_from_shot_times(clip, offsets)
    assert len(markers) >= 4
    assert [m.shot for m in markers] == list(range(1, len(markers) + 1))
    for m in markers:  # spacing as the alert's shot times (a stationary demo shooter)
        assert m.time_s - markers[0].time_s == pytest.approx(offsets[m.shot - 1], abs=0.01)
