"""Locating shots from sensor audio only (4-6 sensors): real Pittsburgh tests against
their survey, the Chicago smj0 incidents (no truth: plausibility), simulated audio."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from locator_core.associate_audio import AudioAssociatorConfig, find_shots_audio
from locator_core.pipeline import locate_incident
from locator_core.readers import read_incident
from locator_core.simulate import (
    burst,
    render_audio,
    sensor_grid,
    simulate_pulses,
    single_shot,
    with_recordings,
)
from locator_core.types import Pulse, Sensor, Weather
from tests.conftest import PROJECT_ROOT


def _survey(folder: Path) -> tuple[np.ndarray, int]:
    s = json.loads(next(folder.glob("*.survey.json")).read_text())
    return np.array([s["survey_location"]["x"], s["survey_location"]["y"]]), s["num_rounds"]


# one per firing position; 6-sensor and 4-sensor tests, single shots and bursts
@pytest.mark.parametrize("test", ["FP1/test_001", "FP1/test_009", "FP2/test_022", "FP2/test_032",
                                  "FP3/test_043", "FP3/test_040", "FP4/test_066",
                                  "FP4/test_068",
                                  # four sensors, two of which hear a building's reflection
                                  # louder than the direct blast, 110-130 ms later
                                  "FP4/test_061"])
def test_pittsburgh_audio_against_survey(pittsburgh: Path, test: str) -> None:
    folder = pittsburgh / test
    data = read_incident(folder)
    assert len(data.recordings) <= 6
    sol = locate_incident(data, source="audio")
    truth, rounds = _survey(folder)
    assert sol.source == "audio"
    assert sol.rounds == rounds
    assert sol.shooters == 1
    for shot in sol.shots:
        assert np.hypot(*(shot.xy - truth)) <= 15.0
        assert len(shot.used) >= 4
        assert all(p.kind is not None for p in shot.used)  # detected, not vendor pulses


@pytest.mark.parametrize("name", ["chicago-d5-2022-09-18-incident-556267",
                                  "chicago-d7-2022-09-21-request-4072698"])
def test_chicago_smj0_audio_solution_is_plausible(shotspotter_wav: Path, name: str) -> None:
    data = read_incident(shotspotter_wav / name)
    sol = locate_incident(data, source="audio")
    assert sol.frame is not None and sol.rounds >= 1
    sensors = np.array([[s.x, s.y] for s in data.sensors])
    centre = sensors.mean(axis=0)
    lat0, lon0 = sol.frame.to_geographic(*centre)
    for shot in sol.shots:
        assert shot.residual_rms_s < 0.005
        assert len(shot.used) >= 4
        lat, lon = sol.frame.to_geographic(shot.x, shot.y)
        assert 41.6 < lat < 41.9 and -87.8 < lon < -87.5  # Chicago's south side
        # within ~1.5 km of the sensors' centroid
        dy = (lat - lat0) * 111_195.0
        dx = (lon - lon0) * 111_195.0 * np.cos(np.radians(lat0))
        assert np.hypot(dx, dy) < 1500.0


def test_chicago_mobile_burst_is_one_shooter(shotspotter_wav: Path) -> None:
    data = read_incident(shotspotter_wav / "chicago-d7-2022-09-21-request-4072698")
    sol = locate_incident(data, source="audio")
    assert sol.rounds >= 4
    xy = np.array([s.xy for s in sol.shots])
    # one shooter moving a few tens of metres, not shots scattered over the array
    assert np.max(np.hypot(*(xy - xy.mean(axis=0)).T)) < 60.0


@pytest.mark.parametrize("seed", [0, 1, 2, 6])
def test_simulated_burst_from_rendered_audio(seed: int) -> None:
    sensors = sensor_grid(spacing_m=350.0, extent_m=1400.0, rng=seed)
    sim = simulate_pulses(burst(3, 0.6, x=120.0, y=-80.0, rng=seed), sensors, rng=seed)
    recordings = render_audio(sim, rng=seed)
    sim = with_recordings(sim, recordings, keep_pulses=False)
    assert not sim.data.pulses and len(sim.data.recordings) == 6
    sol = locate_incident(sim.data, source="audio")
    assert sol.rounds == 3
    truth = np.array([[t.x, t.y] for t in sim.truth])
    for shot, true_xy in zip(sol.shots, truth, strict=True):
        assert np.hypot(*(shot.xy - true_xy)) < 2.0


def test_simulated_single_shot_four_sensors() -> None:
    sensors = sensor_grid(spacing_m=350.0, extent_m=1400.0, rng=21)
    sim = simulate_pulses(single_shot(x=-60.0, y=40.0), sensors, rng=21)
    recordings = render_audio(sim, max_sensors=4, rng=21)
    sim = with_recordings(sim, recordings, keep_pulses=False)
    sol = locate_incident(sim.data, source="audio")
    assert sol.rounds == 1
    assert np.hypot(sol.shots[0].x + 60.0, sol.shots[0].y - 40.0) < 2.0


def _square() -> list[Sensor]:
    return [Sensor(f"S{k}", x, y, 10.0)
            for k, (x, y) in enumerate([(-300, -300), (300, -300), (300, 300), (-300, 300),
                                        (0, 420)])]


def _arrivals(sensors, xy, t0_s, *, sharp=26.0, kind="first"):
    c = Weather().speed_of_sound
    out = []
    for s in sensors:
        d = float(np.sqrt((s.x - xy[0]) ** 2 + (s.y - xy[1]) ** 2 + (s.z - 1.5) ** 2))
        out.append(Pulse(s, int(round((t0_s + d / c) * 1e9)), snr_db=30.0, level_db_spl=-1.0,
                         kind=kind, sharpness_db=sharp))
    return out


def test_rounds_repeat_and_echo_ghosts_are_dropped() -> None:
    sensors = _square()
    true_xy = (60.0, -40.0)
    pulses = []
    for t0 in (1.0, 1.7, 2.5):
        pulses += _arrivals(sensors, true_xy, t0)
        # a weaker, blunter reflection 120 ms later at every sensor, from elsewhere
        pulses += _arrivals(sensors, (200.0, 150.0), t0 + 0.12 - 0.5, sharp=9.0, kind="echo")
    shots = find_shots_audio(pulses, weather=None)
    assert len(shots) == 3
    for shot, t0 in zip(shots, (1.0, 1.7, 2.5), strict=True):
        assert np.hypot(shot.x - true_xy[0], shot.y - true_xy[1]) < 0.5
        assert abs(shot.time_ns * 1e-9 - t0) < 1e-3
        assert all(p.kind == "first" for p in shot.used)


def test_too_few_sensors_gives_nothing() -> None:
    sensors = _square()[:3]
    assert find_shots_audio(_arrivals(sensors, (0.0, 0.0), 1.0)) == []


def test_config_is_used() -> None:
    sensors = _square()
    pulses = _arrivals(sensors, (10.0, 20.0), 1.0)
    assert len(find_shots_audio(pulses)) == 1
    # a score floor no shot can reach
    assert find_shots_audio(pulses, config=AudioAssociatorConfig(min_score=1e6)) == []


def test_replay_audio_exits_cleanly(pittsburgh: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "locator_core", "replay", str(pittsburgh / "FP1" / "test_001"),
         "--source", "audio"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "located from audio" in proc.stdout
