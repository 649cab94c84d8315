"""Association of pulses into shots on simulated incidents with known truth."""

from __future__ import annotations

import numpy as np
import pytest

from locator_core.pipeline import locate_incident
from locator_core.simulate import burst, mobile_shooter, sensor_grid, simulate_pulses, two_shooters
from locator_core.types import Weather

T0 = 1_700_000_000_000_000_000
WEATHER = Weather(12.0)


def _match(sol, sim):
    """Distance (m) from each true shot to the nearest located shot."""
    located = np.array([[s.x, s.y] for s in sol.shots])
    return [float(np.min(np.hypot(*(located - [t.x, t.y]).T))) for t in sim.truth]


def test_bursts_with_echoes_nlos_and_noise_find_every_round():
    """Over 20 simulated 4-round bursts, nearly every round is found and placed.

    The rate is the measure (the issue asks >= 95 %; benchmarks/locator_assoc.py prints
    it over 100 draws); this test pins what the associator reaches today (19 of 20) so a
    regression shows.
    """
    exact = 0
    for seed in range(100, 120):
        rng = np.random.default_rng(seed)
        sensors = sensor_grid(rng=rng)
        sc = burst(4, interval_s=0.35, x=120.0, y=-80.0, time_ns=T0, rng=rng)
        sim = simulate_pulses(sc, sensors, weather=WEATHER, rng=rng)
        sol = locate_incident(sim.data)
        if sol.rounds == 4 and max(_match(sol, sim)) < 1.0 and sol.shooters == 1:
            exact += 1
            assert sol.mobile is None and sol.type == "multiple_gunshots"
    assert exact >= 18, f"only {exact} of 20 bursts exact"


def test_a_pulse_reported_twice_is_one_arrival():
    """Every arrival reported twice (as a sensor's duplicate report does) locates the
    same rounds at the same places, and no two shots share an arrival."""
    import dataclasses

    from locator_core.associate import find_shots

    rng = np.random.default_rng(7)
    sensors = sensor_grid(rng=rng)
    sim = simulate_pulses(burst(3, interval_s=0.5, x=-60.0, y=140.0, time_ns=T0, rng=rng),
                          sensors, weather=WEATHER, rng=rng)
    once = find_shots(sim.data.pulses, weather=WEATHER)
    copies = [dataclasses.replace(p) for p in sim.data.pulses]
    twice = find_shots(list(sim.data.pulses) + copies, weather=WEATHER)
    assert len(once) == len(twice) == 3
    for a, b in zip(once, twice, strict=True):
        assert np.hypot(*(a.xy - b.xy)) < 0.01
    arrivals = [(p.sensor.serial, p.time_ns) for shot in twice for p in shot.used]
    assert len(arrivals) == len(set(arrivals))


def _draw(kind, seed, index):
    """Scenario ``index`` of a seeded series drawn as benchmarks/locator_assoc.py draws them."""
    rng = np.random.default_rng(seed)
    for _ in range(index + 1):
        sensors = sensor_grid(rng=rng)
        if kind == "burst":
            n = int(rng.integers(2, 7))
            sc = burst(n, interval_s=float(rng.uniform(0.15, 1.0)), x=float(rng.uniform(-400, 400)),
                       y=float(rng.uniform(-400, 400)), time_ns=T0, rng=rng)
        else:
            sc = two_shooters((2, 2), 0.6, separation_m=float(rng.uniform(40, 90)),
                              x=float(rng.uniform(-300, 300)), y=float(rng.uniform(-300, 300)),
                              time_ns=T0, rng=rng)
        sim = simulate_pulses(sc, sensors, weather=Weather(15.0), rng=rng)
    return sim


@pytest.mark.parametrize(("kind", "seed", "index"), [
    # a round's echoes line up 15 ms after it into a five-sensor group a few metres off,
    # accepted first; the round itself (six sensors, earlier) must displace it
    ("burst", 1, 33),
    # two shooters' rounds 0.2 s apart: the first fit of a round mixes in the other
    # shooter's arrivals (14 sensors, 7 ms rms, 11 m off) and must be separated
    ("two", 2, 35),
    ("two", 2, 11),
    # a mixture accepted before any precise round existed (10 sensors, ms residuals) is
    # dropped once the incident's rounds show what a real one fits to
    ("burst", 1, 32),
])
def test_hard_draws_every_round_found_at_its_place(kind, seed, index):
    sim = _draw(kind, seed, index)
    sol = locate_incident(sim.data)
    assert sol.rounds == len(sim.truth)
    # each round has its own located shot, within 1 m and 20 ms of its emission
    free = list(sol.shots)
    for truth in sim.truth:
        mine = [s for s in free if np.hypot(s.x - truth.x, s.y - truth.y) < 1.0
                and abs(s.time_ns - truth.time_ns) <= 20_000_000]
        assert mine, f"round {truth.index} has no located shot of its own"
        free.remove(mine[0])
    if kind == "two":
        assert sol.shooters == 2


def test_two_shooters_sixty_metres_apart_are_separated():
    rng = np.random.default_rng(21)
    sensors = sensor_grid(rng=rng)
    sc = two_shooters((2, 2), 0.6, separation_m=60.0, x=0.0, y=0.0, time_ns=T0, rng=rng)
    sim = simulate_pulses(sc, sensors, weather=WEATHER, rng=rng)
    sol = locate_incident(sim.data)
    assert sol.rounds == 4
    assert sol.shooters == 2
    truth_shooter = [t.shooter for t in sim.truth]
    # the labels group the same rounds as the truth (up to renaming)
    pairs = {(a, b) for a, b in zip(truth_shooter, sol.shooter_of_shot, strict=True)}
    assert len(pairs) == 2


def test_two_shooters_forty_to_ninety_metres_apart_over_twenty_draws():
    """Two shooters 40-90 m apart, 2 + 2 rounds, echoes/NLOS/noise: every round placed
    within 1 m and two shooters counted in nearly every draw (19 of 20 today)."""
    ok = 0
    for seed in range(200, 220):
        rng = np.random.default_rng(seed)
        sensors = sensor_grid(rng=rng)
        sc = two_shooters((2, 2), 0.6, separation_m=float(rng.uniform(40, 90)),
                          x=float(rng.uniform(-300, 300)), y=float(rng.uniform(-300, 300)),
                          time_ns=T0, rng=rng)
        sim = simulate_pulses(sc, sensors, weather=WEATHER, rng=rng)
        sol = locate_incident(sim.data)
        if sol.rounds == 4 and max(_match(sol, sim)) < 1.0 and sol.shooters == 2:
            ok += 1
    assert ok >= 18, f"only {ok} of 20 two-shooter draws separated"


def test_mobile_shooter_speed_and_heading():
    rng = np.random.default_rng(31)
    sensors = sensor_grid(rng=rng)
    sc = mobile_shooter(5, 1.0, speed_mps=9.0, heading_deg=60.0, x=-100.0, y=50.0, time_ns=T0)
    sim = simulate_pulses(sc, sensors, weather=WEATHER, rng=rng)
    sol = locate_incident(sim.data)
    assert sol.rounds == 5 and sol.shooters == 1
    assert sol.mobile is not None
    assert sol.mobile.speed_mps == pytest.approx(9.0, abs=1.0)
    assert abs((sol.mobile.heading_deg - 60.0 + 180) % 360 - 180) < 15.0


def test_mobile_shooter_with_a_track_shorter_than_the_uncertainty():
    """Three rounds 1 s apart at 4.5 m/s: 9 m of track, less than the rounds' 90 % radius
    (which carries the propagation-model error every round shares). Relative to each
    other the rounds are placed to centimetres, so the motion shows."""
    rng = np.random.default_rng(57)
    sensors = sensor_grid(rng=rng)
    sc = mobile_shooter(3, 1.0, speed_mps=4.5, heading_deg=200.0, x=80.0, y=-120.0, time_ns=T0)
    sim = simulate_pulses(sc, sensors, weather=WEATHER, rng=rng)
    sol = locate_incident(sim.data)
    assert sol.rounds == 3 and sol.shooters == 1
    assert all(s.uncertainty_m > 4.5 for s in sol.shots)
    assert sol.mobile is not None
    assert sol.mobile.speed_mps == pytest.approx(4.5, abs=1.0)
    assert abs((sol.mobile.heading_deg - 200.0 + 180) % 360 - 180) < 15.0


def test_standing_shooter_is_not_mobile_on_real_data(pittsburgh):
    """FP3/test_051: three rounds from one spot whose located positions scatter by 7 m
    (the last one fitted by five sensors claims centimetres); no motion is reported."""
    from locator_core.readers import read_incident

    sol = locate_incident(read_incident(pittsburgh / "FP3/test_051"))
    assert sol.rounds == 3 and sol.shooters == 1
    assert sol.mobile is None


def test_single_shot_type():
    rng = np.random.default_rng(41)
    sensors = sensor_grid(rng=rng)
    sim = simulate_pulses(burst(1, x=0.0, y=0.0, time_ns=T0, rng=rng), sensors,
                          weather=WEATHER, rng=rng)
    sol = locate_incident(sim.data)
    assert sol.rounds == 1 and sol.type == "single_gunshot"
