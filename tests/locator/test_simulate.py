"""Gunshot simulator: network geometry, scenarios, pulse physics, audio onsets, demo stream."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from locator_core.simulate import (
    DEMO_KINDS,
    MUZZLE_HEIGHT_M,
    Scenario,
    TrueShot,
    burst,
    demo_incident_stream,
    mobile_shooter,
    render_audio,
    sensor_grid,
    simulate_pulses,
    single_shot,
    two_shooters,
    with_recordings,
    write_wav,
)
from locator_core.types import LocalFrame, Weather, speed_of_sound

HELSINKI_BBOX = (60.164, 24.935, 60.179, 24.953)  # south, west, north, east
HELSINKI = LocalFrame(lat0=60.1715, lon0=24.944)


@pytest.fixture(scope="module")
def network():
    return sensor_grid(extent_m=4000.0, rng=np.random.default_rng(7))


def _clean(scenario, sensors, seed=1, **kwargs):
    """Simulation without timing noise, multipath or outliers unless asked for."""
    opts = {"timing_noise_s": 0.0, "echo_rate": 0.0, "nlos_fraction": 0.0, "outlier_fraction": 0.0}
    opts.update(kwargs)
    return simulate_pulses(scenario, sensors, rng=np.random.default_rng(seed), **opts)


def _first_arrivals(sim):
    """{(shot, serial): time_ns} of direct and NLOS pulses."""
    return {
        (lab.shot, p.sensor.serial): p.time_ns
        for p, lab in zip(sim.data.pulses, sim.labels, strict=True)
        if lab.kind in ("direct", "nlos")
    }


# --- network ---------------------------------------------------------------------------


def test_grid_spacing_heights_and_serials(network):
    xyz = np.array([s.position for s in network])
    d = np.linalg.norm(xyz[:, None, :2] - xyz[None, :, :2], axis=2)
    np.fill_diagonal(d, np.inf)
    nearest = d.min(axis=1)
    assert 280.0 < np.median(nearest) < 400.0
    assert np.all((xyz[:, 2] >= 8.0) & (xyz[:, 2] <= 40.0))
    serials = [s.serial for s in network]
    assert serials[0] == "SIM-0001" and len(set(serials)) == len(serials)
    assert np.all(np.abs(xyz[:, :2]) <= 2000.0 + 60.0 + 1e-6)


def test_grid_without_jitter_is_an_exact_hexagonal_lattice():
    sensors = sensor_grid(spacing_m=350.0, extent_m=1500.0, jitter_m=0.0, rng=1)
    xy = np.array([(s.x, s.y) for s in sensors])
    d = np.linalg.norm(xy[:, None] - xy[None], axis=2)
    np.fill_diagonal(d, np.inf)
    np.testing.assert_allclose(d.min(axis=1), 350.0, rtol=1e-9)


def test_grid_is_reproducible_by_seed():
    assert sensor_grid(rng=3) == sensor_grid(rng=3)
    assert sensor_grid(rng=3) != sensor_grid(rng=4)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"spacing_m": 0}, "spacing_m"),
        ({"height_range": (40, 8)}, "height_range"),
        ({"layout": "tri"}, "layout"),
    ],
)
def test_grid_rejects_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        sensor_grid(rng=1, **kwargs)


# --- scenarios -------------------------------------------------------------------------


def test_burst_intervals_and_muzzle_height():
    sc = burst(4, 0.35, x=10.0, y=-20.0, ground_z=12.0)
    assert [s.index for s in sc.shots] == [0, 1, 2, 3]
    np.testing.assert_allclose(np.diff([s.time_ns for s in sc.shots]), 350_000_000)
    assert all(s.z == 12.0 + MUZZLE_HEIGHT_M and (s.x, s.y) == (10.0, -20.0) for s in sc.shots)


def test_two_shooters_are_separated_and_interleaved():
    sc = two_shooters(3, 0.6, separation_m=70.0, bearing_deg=45.0, rng=np.random.default_rng(2))
    assert sc.n_shooters == 2 and len(sc.shots) == 6
    a = next(s for s in sc.shots if s.shooter == 0).position
    b = next(s for s in sc.shots if s.shooter == 1).position
    assert np.linalg.norm(a - b) == pytest.approx(70.0)
    order = [s.shooter for s in sc.shots]
    assert order == [0, 1, 0, 1, 0, 1]
    assert np.all(np.diff([s.time_ns for s in sc.shots]) > 0)


def test_mobile_shooter_moves_at_speed_along_heading():
    sc = mobile_shooter(5, 0.8, speed_mps=12.0, heading_deg=90.0, x=0.0, y=0.0)
    pos = np.array([s.position for s in sc.shots])
    dt = np.diff([s.time_ns for s in sc.shots]) / 1e9
    speed = np.linalg.norm(np.diff(pos, axis=0), axis=1) / dt
    np.testing.assert_allclose(speed, 12.0, rtol=1e-9)
    assert np.all(np.diff(pos[:, 0]) > 0) and np.allclose(pos[:, 1], 0.0, atol=1e-9)


def test_scenario_validation_names_the_bad_value():
    with pytest.raises(ValueError, match="rounds"):
        burst(0)
    with pytest.raises(ValueError, match="interval_s"):
        burst(3, -0.1)
    with pytest.raises(ValueError, match="speed_mps"):
        mobile_shooter(speed_mps=0.0)
    shots = (TrueShot(0, 0, 0, 1.5, 10), TrueShot(1, 0, 0, 1.5, 5))
    with pytest.raises(ValueError, match="time order"):
        Scenario("bad", "burst", shots)


# --- pulse physics ---------------------------------------------------------------------


def test_direct_arrivals_are_exactly_distance_over_c_without_noise(network):
    weather = Weather(temperature_c=-3.0)
    sim = _clean(burst(2, 0.4, x=150.0, y=80.0), network, weather=weather)
    c = speed_of_sound(-3.0)
    assert sim.data.weather is weather
    direct = sim.pulse_indices(kinds=("direct",))
    assert len(direct) == len(sim.data.pulses) > 10
    for i in direct:
        p, shot = sim.data.pulses[i], sim.truth[sim.labels[i].shot]
        expected = shot.time_ns + np.linalg.norm(p.sensor.position - shot.position) / c * 1e9
        assert abs(p.time_ns - expected) <= 1.0  # ns


def test_wind_changes_speed_along_the_ray(network):
    weather = Weather(temperature_c=20.0, wind_speed_mps=8.0, wind_from_deg=270.0)  # to east
    sim = _clean(single_shot(), network, weather=weather, wind=True)
    c, w = speed_of_sound(20.0), np.array([8.0, 0.0])
    shot = sim.truth[0]
    for p in sim.data.pulses:
        d = p.sensor.position - shot.position
        r = np.linalg.norm(d)
        expected = shot.time_ns + r / (c + w @ d[:2] / r) * 1e9
        assert abs(p.time_ns - expected) <= 1.0
    still = _clean(single_shot(), network, weather=weather, wind=False)
    east = [p for p in still.data.pulses if p.sensor.x > 300]
    assert east and all(
        abs(p.time_ns - np.linalg.norm(p.sensor.position - shot.position) / c * 1e9 - shot.time_ns)
        <= 1
        for p in east
    )


def test_echo_delays_lie_in_range_after_the_first_arrival(network):
    sim = _clean(burst(3, 0.5), network, echo_rate=2.0, nlos_fraction=0.3)
    first = _first_arrivals(sim)
    first_snr = {
        (lab.shot, p.sensor.serial): p.snr_db
        for p, lab in zip(sim.data.pulses, sim.labels, strict=True)
        if lab.kind in ("direct", "nlos")
    }
    echoes = sim.pulse_indices(kinds=("echo",))
    assert len(echoes) > 20
    for i in echoes:
        p, lab = sim.data.pulses[i], sim.labels[i]
        delay = (p.time_ns - first[(lab.shot, p.sensor.serial)]) / 1e9
        assert 0.005 - 1e-9 <= delay <= 0.25 + 1e-9
        assert p.snr_db <= first_snr[(lab.shot, p.sensor.serial)]


def test_nlos_arrivals_are_only_late_and_within_range(network):
    sim = _clean(burst(3, 0.5), network, nlos_fraction=0.5)
    c = sim.data.weather.speed_of_sound
    nlos = sim.pulse_indices(kinds=("nlos",))
    assert len(nlos) > 5
    for i in nlos:
        p, lab = sim.data.pulses[i], sim.labels[i]
        shot = sim.truth[lab.shot]
        late = (p.time_ns - shot.time_ns) / 1e9 - np.linalg.norm(
            p.sensor.position - shot.position
        ) / c
        assert 0.001 - 1e-9 <= late <= 0.03 + 1e-9
        assert late == pytest.approx(lab.excess_s, abs=2e-9)


def test_multipath_repeats_for_every_round_of_a_burst(network):
    # NLOS is geometry: the same sensor is diffracted for each round from the same spot
    sim = _clean(burst(3, 0.5), network, nlos_fraction=0.4, p_detect=1.0)
    per_shot = [
        {sim.data.pulses[i].sensor.serial for i in sim.pulse_indices(k, ("nlos",))}
        for k in range(3)
    ]
    common = per_shot[0] & per_shot[1] & per_shot[2]
    assert common and len(common) >= 0.6 * max(len(s) for s in per_shot)


def test_timing_noise_has_the_requested_spread(network):
    sim = simulate_pulses(
        burst(6, 0.3),
        network,
        timing_noise_s=100e-6,
        nlos_fraction=0.0,
        rng=np.random.default_rng(3),
    )
    c = sim.data.weather.speed_of_sound
    resid = []
    for i in sim.pulse_indices(kinds=("direct",)):
        p, shot = sim.data.pulses[i], sim.truth[sim.labels[i].shot]
        resid.append(
            (p.time_ns - shot.time_ns) / 1e9 - np.linalg.norm(p.sensor.position - shot.position) / c
        )
    assert len(resid) > 50
    assert np.std(resid) == pytest.approx(100e-6, rel=0.2)
    assert abs(np.mean(resid)) < 30e-6


def test_same_seed_same_incident_different_seed_differs(network):
    def run(seed):
        sim = simulate_pulses(two_shooters(rng=1), network, rng=np.random.default_rng(seed))
        return [(p.sensor.serial, p.time_ns, p.snr_db) for p in sim.data.pulses], sim.labels

    assert run(5) == run(5)
    assert run(5)[0] != run(6)[0]


def test_noise_pulse_count_follows_outlier_fraction(network):
    rng = np.random.default_rng(4)
    n_true = n_noise = 0
    for _ in range(20):
        sim = simulate_pulses(burst(3, 0.5), network, outlier_fraction=0.5, rng=rng)
        kinds = [lab.kind for lab in sim.labels]
        n_noise += kinds.count("noise")
        n_true += len(kinds) - kinds.count("noise")
    assert n_noise / n_true == pytest.approx(0.5, rel=0.1)


def test_pulses_are_time_ordered_and_carry_no_truth(network):
    sim = simulate_pulses(burst(3, 0.5), network, rng=np.random.default_rng(8))
    times = [p.time_ns for p in sim.data.pulses]
    assert times == sorted(times) and len(sim.labels) == len(times)
    kinds = {lab.kind for lab in sim.labels}
    assert {"direct", "echo", "noise"} <= kinds
    assert all(lab.shot == -1 for lab in sim.labels if lab.kind == "noise")
    for p in sim.data.pulses:
        assert p.kind is None
        assert not any(word in p.uid for word in ("direct", "echo", "noise", "nlos"))


def test_heard_by_a_realistic_number_of_sensors_within_range(network):
    rng = np.random.default_rng(9)
    counts = []
    for _ in range(30):
        sc = single_shot(x=rng.uniform(-500, 500), y=rng.uniform(-500, 500))
        sim = simulate_pulses(sc, network, rng=rng)
        xyz, _ = sim.arrivals(0, ("direct", "nlos"))
        counts.append(len(xyz))
        assert np.all(np.linalg.norm(xyz - sc.shots[0].position, axis=1) <= 1500.0)
    assert 8 <= np.mean(counts) <= 20


def test_snr_falls_with_distance(network):
    rng = np.random.default_rng(10)
    dist, snr = [], []
    for _ in range(20):
        sim = simulate_pulses(single_shot(x=rng.uniform(-300, 300)), network, rng=rng)
        for i in sim.pulse_indices(kinds=("direct",)):
            p = sim.data.pulses[i]
            dist.append(np.linalg.norm(p.sensor.position - sim.truth[0].position))
            snr.append(p.snr_db)
    dist, snr = np.array(dist), np.array(snr)
    assert np.median(snr[dist < 400]) > np.median(snr[dist > 800]) + 5.0
    assert np.corrcoef(dist, snr)[0, 1] < -0.3
    assert all(p_level <= 94.0 for p_level in (p.level_db_spl for p in sim.data.pulses))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"p_detect": 1.5}, "p_detect"),
        ({"nlos_delay_range_s": (-0.001, 0.01)}, "nlos_delay_range_s"),
        ({"timing_noise_s": -1e-6}, "timing_noise_s"),
        ({"outlier_fraction": float("nan")}, "outlier_fraction"),
    ],
)
def test_simulate_rejects_bad_options(network, kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_pulses(single_shot(), network, rng=1, **kwargs)


def test_simulate_rejects_an_empty_network():
    with pytest.raises(ValueError, match="sensors"):
        simulate_pulses(single_shot(), (), rng=1)


# --- audio -----------------------------------------------------------------------------


def _half_peak_crossing(x: np.ndarray, k: int) -> float:
    """Fractional sample where the pulse starting near sample k first reaches half its peak."""
    j_peak = k + int(np.argmax(np.abs(x[k : k + 6])))
    sign = np.sign(x[j_peak])
    y = sign * x
    thr = 0.5 * y[j_peak]
    j = k - 10 + int(np.flatnonzero(y[k - 10 : j_peak + 1] >= thr)[0])
    return j - 1 + (thr - y[j - 1]) / (y[j] - y[j - 1])


def test_audio_onsets_land_on_the_exact_fractional_sample(network):
    sim = simulate_pulses(
        burst(3, 0.3), network, echo_rate=1.0, nlos_fraction=0.0, outlier_fraction=0.0,
        rng=np.random.default_rng(12),
    )  # fmt: skip
    recordings = render_audio(sim, noise_dbfs=-100.0, rng=np.random.default_rng(13))
    assert 1 <= len(recordings) <= 6
    errors = []
    for rec in recordings:
        assert rec.samples.dtype == np.float32 and np.max(np.abs(rec.samples)) <= 1.0
        assert rec.start_ns == recordings[0].start_ns and rec.sample_rate == 12000.0
        x = rec.samples.astype(float)
        for i in sim.pulse_indices(kinds=("direct",)):
            p = sim.data.pulses[i]
            if p.sensor.serial == rec.sensor.serial:
                t = (p.time_ns - rec.start_ns) * rec.sample_rate / 1e9
                errors.append(_half_peak_crossing(x, int(np.floor(t))) - t)
    assert len(errors) >= 6
    assert np.max(np.abs(errors)) < 1.0  # samples
    assert abs(np.median(errors)) < 0.25


def test_audio_uses_the_nearest_sensors_and_matches_snr(network):
    sim = simulate_pulses(
        single_shot(x=100.0), network, echo_rate=0.0, outlier_fraction=0.0, nlos_fraction=0.0,
        rng=np.random.default_rng(14),
    )  # fmt: skip
    recordings = render_audio(sim, max_sensors=4, rng=np.random.default_rng(15))
    xyz, _ = sim.arrivals(0)
    dist = np.sort(np.linalg.norm(xyz - sim.truth[0].position, axis=1))[:4]
    got = [np.linalg.norm(r.sensor.position - sim.truth[0].position) for r in recordings]
    np.testing.assert_allclose(got, dist)
    for rec in recordings:
        p = next(q for q in sim.data.pulses if q.sensor.serial == rec.sensor.serial)
        k = int((p.time_ns - rec.start_ns) * rec.sample_rate / 1e9)
        x = rec.samples.astype(float)
        measured = 20 * np.log10(np.max(np.abs(x[k : k + 24])) / np.std(x[: k - 200]))
        assert measured == pytest.approx(p.snr_db, abs=3.0)


def test_wav_round_trip(tmp_path, network):
    sim = simulate_pulses(single_shot(), network, rng=np.random.default_rng(16))
    rec = render_audio(sim, max_sensors=1, duration_s=2.0, rng=np.random.default_rng(17))[0]
    path = tmp_path / "sim.wav"
    write_wav(path, rec)
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 12000)
        assert w.getnframes() == len(rec.samples) == 24000
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    np.testing.assert_allclose(pcm / 32767.0, rec.samples, atol=1.0 / 32767)
    audio_only = with_recordings(sim, (rec,), keep_pulses=False)
    assert audio_only.data.pulses == () and audio_only.data.recordings == (rec,)
    assert audio_only.truth == sim.truth


# --- demo stream -----------------------------------------------------------------------


def test_demo_stream_is_varied_inside_the_box_and_reproducible():
    incidents = list(
        demo_incident_stream(HELSINKI, HELSINKI_BBOX, rng=np.random.default_rng(21), count=12)
    )
    again = list(
        demo_incident_stream(HELSINKI, HELSINKI_BBOX, rng=np.random.default_rng(21), count=12)
    )
    assert [i.data.name for i in incidents] == [f"DEMO-{k:04d}" for k in range(1, 13)]
    assert {i.scenario.kind for i in incidents} == set(DEMO_KINDS)
    assert [[p.time_ns for p in i.data.pulses] for i in incidents] == [
        [p.time_ns for p in i.data.pulses] for i in again
    ]
    starts = [i.scenario.start_ns for i in incidents]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    south, west, north, east = HELSINKI_BBOX
    for inc in incidents:
        assert inc.data.frame is HELSINKI
        assert len(inc.data.pulses) > 0
        for shot in inc.truth:
            lat, lon = HELSINKI.to_geographic(shot.x, shot.y)
            assert south <= lat <= north and west <= lon <= east


def test_demo_stream_rejects_a_lon_lat_box():
    swapped = (24.935, 60.164, 24.953, 60.179)
    with pytest.raises(ValueError, match="bbox_latlon"):
        next(demo_incident_stream(HELSINKI, swapped, rng=1))
