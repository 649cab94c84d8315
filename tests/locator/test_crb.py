"""Cramér-Rao bound for TOA location: closed forms, scaling laws and a Monte-Carlo check."""

from __future__ import annotations

import numpy as np
import pytest

from locator_core.crb import toa_crb

C = 340.0
SIGMA = 100e-6


def _ring(n: int, radius: float = 300.0, z: float = 0.0) -> np.ndarray:
    a = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    return np.column_stack([radius * np.cos(a), radius * np.sin(a), np.full(n, z)])


def _city(seed: int, n: int = 12) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sensors = np.column_stack(
        [rng.uniform(-800, 800, n), rng.uniform(-800, 800, n), rng.uniform(8, 40, n)]
    )
    return sensors, np.array([120.0, -60.0, 1.5])


def _gauss_newton(
    sensors: np.ndarray, times: np.ndarray, z: float, start: np.ndarray
) -> np.ndarray:
    """Plain 2-D TOA least squares for (x, y, t0) with z known; returns (x, y)."""
    theta = np.array([start[0], start[1], 0.0])
    for _ in range(20):
        d = sensors - np.array([theta[0], theta[1], z])
        r = np.linalg.norm(d, axis=1)
        resid = times - (theta[2] + r / C)
        jac = np.column_stack([-d[:, 0] / (C * r), -d[:, 1] / (C * r), np.ones(len(r))])
        step, *_ = np.linalg.lstsq(jac, resid, rcond=None)
        theta = theta + step
        if np.max(np.abs(step[:2])) < 1e-9:
            break
    return theta[:2]


def test_ring_geometry_matches_closed_form():
    # N sensors evenly on a circle: cov = 2 c^2 sigma^2 / N * I, rms = 2 c sigma / sqrt(N)
    n = 8
    res = toa_crb(_ring(n), np.zeros(3), c=C, sigma_s=SIGMA)
    np.testing.assert_allclose(res.cov, 2 * C**2 * SIGMA**2 / n * np.eye(2), atol=1e-12)
    assert res.rms_m == pytest.approx(2 * C * SIGMA / np.sqrt(n), rel=1e-9)
    assert res.semi_major_m == pytest.approx(res.semi_minor_m, rel=1e-6)
    # t0 decouples from position on a symmetric ring: var(c t0) = c^2 sigma^2 / N
    assert res.std_t0_s == pytest.approx(SIGMA / np.sqrt(n), rel=1e-9)


def test_bound_scales_linearly_with_timing_noise():
    sensors, src = _city(1)
    a = toa_crb(sensors, src, c=C, sigma_s=SIGMA)
    b = toa_crb(sensors, src, c=C, sigma_s=3 * SIGMA)
    assert b.rms_m == pytest.approx(3 * a.rms_m, rel=1e-9)
    np.testing.assert_allclose(b.cov, 9 * a.cov, rtol=1e-9)


def test_bound_shrinks_as_one_over_sqrt_n_with_repeated_sensors():
    sensors, src = _city(2)
    base = toa_crb(sensors, src, c=C, sigma_s=SIGMA)
    for k in (2, 4, 9):
        rep = toa_crb(np.tile(sensors, (k, 1)), src, c=C, sigma_s=SIGMA)
        assert rep.rms_m == pytest.approx(base.rms_m / np.sqrt(k), rel=1e-9)


def test_per_sensor_sigma_weights_information():
    sensors, src = _city(3)
    uniform = toa_crb(sensors, src, c=C, sigma_s=SIGMA)
    same = toa_crb(sensors, src, c=C, sigma_s=np.full(len(sensors), SIGMA))
    assert same.rms_m == pytest.approx(uniform.rms_m, rel=1e-12)
    worse = np.full(len(sensors), SIGMA)
    worse[0] = 10 * SIGMA
    assert toa_crb(sensors, src, c=C, sigma_s=worse).rms_m > uniform.rms_m


def test_solving_height_never_helps():
    sensors, src = _city(4)
    flat = toa_crb(sensors, src, c=C, sigma_s=SIGMA)
    full = toa_crb(sensors, src, c=C, sigma_s=SIGMA, solve_z=True)
    assert full.cov.shape == (3, 3) and full.std_z_m is not None
    assert full.rms_m >= flat.rms_m * (1 - 1e-12)


def test_sensors_at_one_height_cannot_resolve_z():
    # all sensors in a plane containing the source: z and t0 are indistinguishable
    res = toa_crb(_ring(6), np.zeros(3), c=C, sigma_s=SIGMA, solve_z=True)
    assert res.singular and np.isinf(res.rms_m)


def test_too_few_sensors_is_singular():
    res = toa_crb(_ring(2), np.zeros(3), c=C, sigma_s=SIGMA)
    assert res.singular


def test_far_source_elongates_ellipse_along_range():
    # a source far outside a compact array: radial error dominates, along the bearing
    sensors = _ring(6, radius=200.0)
    res = toa_crb(sensors, np.array([0.0, 1500.0, 0.0]), c=C, sigma_s=SIGMA)
    assert res.semi_major_m > 5 * res.semi_minor_m
    assert min(res.orientation_deg, 180 - res.orientation_deg) < 5.0  # north-south


def test_inputs_are_not_modified():
    sensors, src = _city(5)
    s0, p0 = sensors.copy(), src.copy()
    toa_crb(sensors, src, c=C, sigma_s=SIGMA)
    np.testing.assert_array_equal(sensors, s0)
    np.testing.assert_array_equal(src, p0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sensors_xyz": np.zeros((4, 2))}, "sensors_xyz"),
        ({"source_xyz": np.zeros(2)}, "source_xyz"),
        ({"c": -340.0}, "c must"),
        ({"sigma_s": 0.0}, "sigma_s"),
        ({"source_xyz": np.array([300.0, 0.0, 0.0])}, "coincides"),
    ],
)
def test_bad_input_raises_value_error_naming_it(kwargs, message):
    args = {
        "sensors_xyz": _ring(5),
        "source_xyz": np.array([1.0, 2.0, 0.0]),
        "c": C,
        "sigma_s": SIGMA,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        toa_crb(**args)


def test_monte_carlo_least_squares_attains_the_bound():
    # Validates the formula: with Gaussian timing noise and good geometry the ML (least
    # squares) estimator is efficient, so its RMS error matches the CRB to sampling error.
    rng = np.random.default_rng(20240601)
    sensors, src = _city(6, n=10)
    sigma = 200e-6
    bound = toa_crb(sensors, src, c=C, sigma_s=sigma)
    clean = 5.0 + np.linalg.norm(sensors - src, axis=1) / C
    errors = []
    for _ in range(500):
        times = clean + rng.normal(0.0, sigma, len(clean))
        est = _gauss_newton(sensors, times - 5.0, src[2], src[:2] + rng.normal(0, 20, 2))
        errors.append(est - src[:2])
    errors = np.asarray(errors)
    rms = float(np.sqrt(np.mean(np.sum(errors**2, axis=1))))
    assert rms == pytest.approx(bound.rms_m, rel=0.10)
    np.testing.assert_allclose(np.cov(errors.T), bound.cov, rtol=0.25, atol=0.05 * bound.rms_m**2)
