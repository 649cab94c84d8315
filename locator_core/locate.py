"""Robust time-of-arrival multilateration of one shot.

Model: a pulse from sensor *i* arrives at ``t_i = t0 + |x - s_i| / c_i`` where ``x`` is
the shooter position (x, y, z), ``t0`` the unknown emission time and ``c_i`` the speed of
sound along the path (``c + w . u_i`` with wind ``w`` and the horizontal unit vector
``u_i`` from shooter to sensor when wind correction is on).

Shooter height is poorly observed by rooftop sensors: the vertical spread of the array is
small compared with its horizontal extent. Rather than fixing z (biased on hills) or
solving it free (unstable, and its error leaks into x, y), the solver is 2.5-D: z is a
parameter with a Gaussian prior centred on the ground level estimated from the nearest
sensors. Sensors surrounding the shot then fix x, y; z stays near the ground.

Robustness: iteratively reweighted Gauss-Newton with Huber weights, then explicit
rejection of the worst arrival while it exceeds a threshold (non-line-of-sight arrivals
are late by milliseconds; a stray pulse can be anywhere). The 90 % horizontal
uncertainty radius comes from the position covariance ``sigma^2 (J^T W J)^-1``.

Contents: :class:`ShotSolution`, :func:`locate_shot`, :func:`radius_for_probability`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from locator_core.types import LocatorError, Pulse, Weather

__all__ = ["ShotSolution", "locate_shot", "radius_for_probability", "ground_prior",
           "fit_xy_batch"]

_HUBER_K = 1.5
_DIAG4 = (np.arange(4), np.arange(4))
_HUBER_ITERATIONS = 4
_CAUCHY_C = 2.385


@dataclass(frozen=True, eq=False)
class ShotSolution:
    """One located shot.

    x, y, z : float, m (local frame); time_ns : int, emission time (ns since epoch);
    covariance : (3, 3) array, m^2, of (x, y, z); uncertainty_m : float, 90 % radius (2-D);
    residuals_s : per used pulse, s; used : the pulses kept; rejected : the pulses dropped;
    model_sigma_m : m, the propagation-model error included in ``covariance``.
    """

    x: float
    y: float
    z: float
    time_ns: int
    covariance: np.ndarray
    uncertainty_m: float
    sigma_s: float
    used: tuple[Pulse, ...]
    residuals_s: tuple[float, ...]
    rejected: tuple[Pulse, ...] = ()
    model_sigma_m: float = 0.0

    @property
    def timing_sigma_m(self) -> float:
        """1-sigma horizontal error (m) from the arrival times alone: the covariance
        without the propagation-model term, which shifts rounds fired close together in
        time and space alike and so does not blur where they lie relative to each other."""
        var = 0.5 * float(self.covariance[0, 0] + self.covariance[1, 1]) - self.model_sigma_m ** 2
        return math.sqrt(max(var, 0.0))

    @property
    def xy(self) -> np.ndarray:
        return np.array([self.x, self.y])

    @property
    def residual_rms_s(self) -> float:
        r = np.asarray(self.residuals_s)
        return float(np.sqrt(np.mean(r * r))) if r.size else 0.0

    @property
    def sensor_serials(self) -> tuple[str, ...]:
        return tuple(p.sensor.serial for p in self.used)


def radius_for_probability(cov2: np.ndarray, p: float = 0.9) -> float:
    """Radius (m) of the circle around the estimate holding probability ``p``.

    For a 2-D Gaussian error with covariance ``cov2`` (m^2). Exact for a circular
    covariance (``sqrt(-2 ln(1-p) * lambda)``); otherwise solved from the distribution
    of ``l1 a^2 + l2 b^2`` by Newton steps on a fixed quadrature of the angle.
    """
    cov2 = np.asarray(cov2, dtype=float)
    if cov2.shape != (2, 2) or not np.all(np.isfinite(cov2)):
        return float("inf")
    lam = np.clip(np.linalg.eigvalsh(cov2), 0.0, None)
    if lam[1] <= 0:
        return 0.0
    # P(r < R) = 1/(2 pi) * int_0^{2pi} (1 - exp(-R^2 / (2 q(theta)))) dtheta,
    # q(theta) = l1 cos^2 + l2 sin^2, for a Gaussian in polar coordinates (exact for the
    # sum of two scaled chi-square(1)).
    theta = np.linspace(0.0, 2.0 * math.pi, 256, endpoint=False)
    q2 = 2.0 * np.maximum(lam[0] * np.cos(theta) ** 2 + lam[1] * np.sin(theta) ** 2, 1e-30)
    # Newton on u = R^2: P is increasing and concave in u, so from the circle of the
    # smaller variance (where P <= p) the steps approach the root from below
    u = -2.0 * math.log(1.0 - p) * lam[0]
    for _ in range(60):
        e = np.exp(-u / q2)
        f = 1.0 - float(e.mean()) - p
        step = -f / max(float((e / q2).mean()), 1e-300)
        u += step
        if abs(step) <= 1e-12 * u:
            break
    return math.sqrt(max(u, 0.0))


def ground_prior(xy: np.ndarray, sensors_xyz: np.ndarray, *, k: int = 4,
                 sensor_height_m: float = 8.0) -> float:
    """Estimated ground height (m) under ``xy``: nearby sensors' z minus a rooftop height."""
    d = np.hypot(*(sensors_xyz[:, :2] - xy).T)
    idx = np.argsort(d)[: max(1, min(k, len(d)))]
    w = 1.0 / np.maximum(d[idx], 25.0)
    return float(np.sum(w * sensors_xyz[idx, 2]) / np.sum(w)) - sensor_height_m


def fit_xy_batch(s: np.ndarray, t: np.ndarray, w: np.ndarray, c: float, z: float,
                 start: np.ndarray, iterations: int = 10, max_step_m: float = 500.0
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batched Gauss-Newton of ``t_i = t0 + |p - s_i| / c`` for p = (x, y, z fixed), many
    candidate groups at once (the emission time is eliminated in closed form).

    s : (n, 3) sensors, m; t : (M, n) times, s; w : (M, n) 0/1 weights (which pulses
    each group uses); start : (M, 2) initial (x, y), m; max_step_m : longest step.
    Returns (xy (M, 2), t0 (M,), residuals of the used pulses (M, n), 0 elsewhere).
    """
    xy = start.copy()
    dz = z - s[:, 2]
    for _ in range(iterations):
        dx = xy[:, None, 0] - s[None, :, 0]
        dy = xy[:, None, 1] - s[None, :, 1]
        d = np.sqrt(dx * dx + dy * dy + dz * dz) + 1e-6
        t0 = np.sum(w * (t - d / c), axis=1) / np.sum(w, axis=1)
        r = t - t0[:, None] - d / c
        jx, jy = dx / (c * d), dy / (c * d)
        # eliminate t0: centre the Jacobian columns over the used sensors
        nw = np.sum(w, axis=1, keepdims=True)
        jx = jx - np.sum(w * jx, axis=1, keepdims=True) / nw
        jy = jy - np.sum(w * jy, axis=1, keepdims=True) / nw
        rc = r - np.sum(w * r, axis=1, keepdims=True) / nw
        a11 = np.sum(w * jx * jx, axis=1) + 1e-12
        a12 = np.sum(w * jx * jy, axis=1)
        a22 = np.sum(w * jy * jy, axis=1) + 1e-12
        b1 = np.sum(w * jx * rc, axis=1)
        b2 = np.sum(w * jy * rc, axis=1)
        det = a11 * a22 - a12 * a12
        step_x = (a22 * b1 - a12 * b2) / det
        step_y = (a11 * b2 - a12 * b1) / det
        step = np.stack([step_x, step_y], axis=1)
        norm = np.hypot(step_x, step_y)
        step *= np.minimum(1.0, max_step_m / np.maximum(norm, 1e-9))[:, None]
        xy = xy + step
    dx = xy[:, None, 0] - s[None, :, 0]
    dy = xy[:, None, 1] - s[None, :, 1]
    d = np.sqrt(dx * dx + dy * dy + dz * dz)
    t0 = np.sum(w * (t - d / c), axis=1) / np.sum(w, axis=1)
    r = (t - t0[:, None] - d / c) * w
    return xy, t0, r


def _validate_pulses(pulses: Sequence[Pulse]) -> None:
    serials = [p.sensor.serial for p in pulses]
    if len(set(serials)) < 4:
        raise LocatorError(
            f"a shot needs pulses from at least 4 sensors to be located, got {len(set(serials))}"
        )


def locate_shot(
    pulses: Sequence[Pulse],
    *,
    weather: Weather | None = None,
    initial_xy: Sequence[float] | None = None,
    z_prior: float | None = None,
    z_sigma_m: float = 25.0,
    sigma_floor_s: float = 3.0e-4,
    wind: bool = False,
    reject_threshold: float = 3.5,
    min_sensors: int = 4,
    range_sigma_s_per_km: float = 0.0,
    snr_reference_db: float | None = None,
    model_sigma_m: float = 0.0,
    consensus: bool | None = None,
) -> ShotSolution:
    """Locate one shot from its pulses (at most one pulse per sensor is expected).

    Parameters
    ----------
    pulses : the arrivals of one shot.
    weather : temperature (speed of sound) and wind.
    initial_xy : float pair, m, a starting point (defaults to the earliest sensors' centroid).
    z_prior : float, m, prior shooter height (defaults to :func:`ground_prior`).
    z_sigma_m : float, m, standard deviation of the height prior.
    sigma_floor_s : float, s, the least timing error assumed (pick precision, rounding).
    wind : bool, correct propagation for the horizontal wind.
    model_sigma_m : float, m, horizontal position error of the propagation model itself
        (added to the covariance; it widens the uncertainty, not the fit).
    reject_threshold : float, arrivals whose residual exceeds this many sigmas are dropped
        (one at a time, worst first) while at least ``min_sensors + 1`` remain.
    consensus : start from a least-median-of-squares fit over small subsets (default:
        with six pulses or more); False when ``initial_xy`` is already a robust fit.
    """
    _validate_pulses(pulses)
    weather = weather or Weather()
    c = weather.speed_of_sound
    wind_v = weather.wind_vector if wind else np.zeros(2)
    pulses = list(pulses)
    ref_ns = min(p.time_ns for p in pulses)
    s_all = np.array([[p.sensor.x, p.sensor.y, p.sensor.z] for p in pulses], dtype=float)
    t_all = np.array([(p.time_ns - ref_ns) * 1e-9 for p in pulses])
    if not (np.all(np.isfinite(s_all)) and np.all(np.isfinite(t_all))):
        raise LocatorError("pulse positions or times are not finite numbers")

    if initial_xy is None:
        order = np.argsort(t_all)[:4]
        initial_xy = s_all[order, :2].mean(axis=0)
    xy0 = np.asarray(initial_xy, dtype=float)
    z0 = ground_prior(xy0, s_all) if z_prior is None else float(z_prior)
    keep = np.ones(len(pulses), dtype=bool)
    params = None
    consensus = len(pulses) >= _LMEDS_MIN if consensus is None else (
        consensus and len(pulses) >= _LMEDS_MIN)
    if consensus:
        # a consensus start: with several late arrivals in the group, a least-squares
        # start is pulled toward them and never escapes; the least-median-of-squares
        # fit over small subsets is not, and needs no prior idea of the timing error
        params, lmeds_keep, lmeds_sigma = _lmeds(s_all, t_all, c, wind_v, xy0, z0, sigma_floor_s,
                                                 min_keep=max(min_sensors, 4), z_sigma=z_sigma_m)
        xy0 = params[:2]
        # refit on the consensus first, then let every pulse back in from that start:
        # the consensus was found with z held, and near sensors need z to agree
        params, *_ = _solve(s_all[lmeds_keep], t_all[lmeds_keep], c, wind_v, xy0, z0,
                            z_sigma_m, sigma_floor_s, params, np.ones(int(lmeds_keep.sum())))
    if snr_reference_db is not None:
        snr = np.array([p.snr_db if p.snr_db is not None else snr_reference_db for p in pulses])
        # timing error grows as the pulse sinks into the noise
        snr_scale = np.sqrt(1.0 + 10.0 ** (-(snr - snr_reference_db) / 10.0))
    while True:
        xy_now = xy0 if params is None else params[:2]
        rng_km = np.hypot(*(s_all[keep, :2] - xy_now).T) / 1000.0
        scale = np.sqrt(1.0 + (range_sigma_s_per_km * rng_km / sigma_floor_s) ** 2)
        if snr_reference_db is not None:
            scale = scale * snr_scale[keep]
        params, weights, cov, sigma, resid, robust_sigma = _solve(
            s_all[keep], t_all[keep], c, wind_v, xy_now,
            z0, z_sigma_m, sigma_floor_s, params, scale,
            huber_iterations=0 if consensus else None)
        if consensus:
            # the consensus scale is not inflated by the outliers still in the fit
            robust_sigma = min(robust_sigma, max(lmeds_sigma, sigma_floor_s / 3.0))
        norm = np.abs(resid) / (robust_sigma * scale)
        if keep.sum() <= max(min_sensors, 4) or norm.max() <= reject_threshold:
            break
        worst = np.flatnonzero(keep)[int(np.argmax(norm))]
        keep[worst] = False

    used = tuple(p for p, k in zip(pulses, keep, strict=True) if k)
    rejected = tuple(p for p, k in zip(pulses, keep, strict=True) if not k)
    x, y, z, t0 = params
    # propagation-model error (wind, temperature, multipath) the timing fit cannot see
    cov3 = cov[:3, :3] + np.diag([model_sigma_m**2, model_sigma_m**2, 0.0])
    return ShotSolution(
        x=float(x), y=float(y), z=float(z),
        time_ns=int(ref_ns + round(t0 * 1e9)),
        covariance=cov3,
        uncertainty_m=radius_for_probability(cov3[:2, :2], 0.9),
        sigma_s=float(sigma),
        used=used,
        residuals_s=tuple(float(r) for r in resid),
        rejected=rejected,
        model_sigma_m=float(model_sigma_m),
    )


_LMEDS_MIN = 6
_LMEDS_SUBSETS = 64  # P(no clean 5-subset at 30 % outliers) ~ 1e-5
_LMEDS_STEPS = 6  # Gauss-Newton steps per subset (from the candidate position)


def _lmeds(s, t, c, wind_v, xy0, z0, sigma_floor, *, min_keep, z_sigma=25.0):
    """Least-median-of-squares TOA fit over random small subsets of the pulses.

    First with the height held at the prior, then (from eight pulses) with the height
    solved. Sub-millisecond data (picks from audio, simulations) resolve the height, and
    a solved height separates a direct arrival from a late one that a held height would
    blur; when the held fit already shows such precision (robust sigma under 1 ms) the
    better median wins. A held fit worse than that is either millisecond data, whose
    height the times do not resolve (the held fit stays), or precise data held at a
    wrong height (a rooftop network's ground estimate can be metres off), which the
    solved height fits several-fold better: it wins only then (median of squares under
    a quarter, i.e. half the spread).
    Returns the start (x, y, z, t0), the inlier mask (|r| <= 2.5 robust sigma, at least
    ``min_keep`` pulses) and that robust sigma (s).
    """
    held = _lmeds_pass(s, t, c, wind_v, xy0, z0, sigma_floor, min_keep=min_keep,
                       z_weight=1e3, subset=4)
    if len(t) < 8:
        return held[:3]
    free = _lmeds_pass(s, t, c, wind_v, xy0, z0, sigma_floor, min_keep=min_keep,
                       z_weight=1e-3 / z_sigma, subset=5)
    if held[2] < 1e-3:
        return (free if free[3] < held[3] else held)[:3]
    # judged on the pulses outside each winning subset (with a handful of pulses a
    # solved height fits most of them exactly by construction)
    precise = free[4] < (0.5e-3 / 1.4826) ** 2 and free[4] < 0.25 * held[4]
    return (free if precise else held)[:3]


def _lmeds_pass(s, t, c, wind_v, xy0, z0, sigma_floor, *, min_keep, z_weight, subset):
    """One LMedS pass; ``z_weight`` (s/m) weighs the height prior against the times (a
    large weight holds z at the prior). Returns (start, keep, sigma, median, median of
    the pulses outside the winning subset)."""
    n = len(t)
    m = subset
    rng = np.random.default_rng(n)  # deterministic: the same input gives the same answer
    k = _LMEDS_SUBSETS
    subsets = np.argsort(rng.random((k, n)), axis=1)[:, :m]
    ss = s[subsets]  # (k, m, 3)
    ts = t[subsets]  # (k, m)
    p = np.tile([xy0[0], xy0[1], z0], (k, 1)).astype(float)
    d0 = np.sqrt(((ss - p[:, None, :]) ** 2).sum(-1))
    t0 = np.median(ts - d0 / c, axis=1)
    w_prior = z_weight
    for _ in range(_LMEDS_STEPS):
        r, jac = _predict_many(p, t0, ss, ts, c, wind_v)
        jac_full = np.concatenate([jac, np.broadcast_to([0.0, 0.0, w_prior, 0.0], (k, 1, 4))], axis=1)
        r_full = np.concatenate([r, (w_prior * (z0 - p[:, 2]))[:, None]], axis=1)
        jtj = np.einsum("kij,kil->kjl", jac_full, jac_full) + 1e-12 * np.eye(4)
        step = np.linalg.solve(jtj, np.einsum("kij,ki->kj", jac_full, r_full)[..., None])[..., 0]
        step[:, :3] = np.clip(step[:, :3], -200.0, 200.0)
        p += step[:, :3]
        t0 += step[:, 3]
    r, _ = _predict_many(p, t0, np.broadcast_to(s, (k, n, 3)), np.broadcast_to(t, (k, n)), c,
                         wind_v)
    med = np.median(r * r, axis=1)
    med[~np.isfinite(med)] = np.inf
    best = int(np.argmin(med))
    sigma = max(sigma_floor / 3.0, 1.4826 * (1.0 + 5.0 / max(n - 4, 1)) * float(np.sqrt(med[best])))
    keep = np.abs(r[best]) <= 2.5 * sigma
    if keep.sum() < min_keep:
        keep = np.zeros(n, dtype=bool)
        keep[np.argsort(np.abs(r[best]))[:min_keep]] = True
    # the median of the pulses outside the winning subset: a subset fits its own pulses
    # by construction, which with few pulses makes up most of the plain median
    outside = np.ones(n, dtype=bool)
    outside[subsets[best]] = False
    held_out = float(np.median(r[best, outside] ** 2)) if outside.any() else float(med[best])
    return (np.array([p[best, 0], p[best, 1], p[best, 2], t0[best]]), keep, sigma, med[best],
            held_out)


def _predict_many(p, t0, ss, ts, c, wind_v):
    """Residuals (k, m) and Jacobians (k, m, 4) of k solutions at once."""
    diff = p[:, None, :] - ss
    d = np.maximum(np.sqrt((diff * diff).sum(-1)), 1e-3)
    ceff = c + ((-diff[:, :, :2]) @ wind_v) / np.maximum(np.hypot(diff[:, :, 0], diff[:, :, 1]), 1e-3)
    r = ts - (t0[:, None] + d / ceff)
    jac = np.concatenate([diff / (d * ceff)[:, :, None], np.ones(d.shape + (1,))], axis=2)
    return r, jac


def _median(x: np.ndarray) -> float:
    """Median of a short 1-D array (np.median's generality costs more than the work)."""
    n = len(x)
    h = n // 2
    if n % 2:
        return float(np.partition(x, h)[h])
    part = np.partition(x, (h - 1, h))
    return 0.5 * float(part[h - 1] + part[h])


def _mad(r: np.ndarray) -> float:
    """Median absolute deviation from the median."""
    return _median(np.abs(r - _median(r)))


def _predict(p: np.ndarray, s: np.ndarray, c: float, wind_v: np.ndarray):
    """Predicted arrival times and their Jacobian in (x, y, z, t0)."""
    diff = p[:3] - s
    d = np.maximum(np.sqrt(np.einsum("ij,ij->i", diff, diff)), 1e-3)
    if wind_v[0] or wind_v[1]:
        hn = np.maximum(np.hypot(diff[:, 0], diff[:, 1]), 1e-3)
        ceff = c - (diff[:, :2] @ wind_v) / hn
    else:
        ceff = c
    jac = np.empty((len(s), 4))
    jac[:, :3] = diff / (d * ceff)[:, None]
    jac[:, 3] = 1.0
    return p[3] + d / ceff, jac


def _solve(s, t, c, wind_v, xy0, z0, z_sigma, sigma_floor, start, scale, *, huber_iterations=None):
    huber_iterations = _HUBER_ITERATIONS if huber_iterations is None else huber_iterations
    if start is None:
        d0 = np.sqrt(np.sum((s - np.array([xy0[0], xy0[1], z0])) ** 2, axis=1))
        p = np.array([xy0[0], xy0[1], z0, float(np.median(t - d0 / c))])
    else:
        p = np.array(start, dtype=float)
    sigma = sigma_floor
    lam = 1e-3
    w = np.ones(len(t))
    pred, jac = _predict(p, s, c, wind_v)  # kept for the current p: a step's trial is reused
    prior = 1.0 / z_sigma
    for it in range(60):
        r = t - pred
        if it >= 2:
            sigma = max(sigma_floor, 1.4826 * _mad(r))
        u = np.abs(r) / (sigma * scale)
        if it < huber_iterations:
            w = np.where(u <= _HUBER_K, 1.0, _HUBER_K / np.maximum(u, 1e-12))
        else:
            # redescending (Cauchy) weights once near the solution: a late arrival many
            # sigmas out stops pulling the fit instead of pulling it a little
            w = 1.0 / (1.0 + (u / _CAUCHY_C) ** 2)
        sw = np.sqrt(w) / (sigma * scale)
        # normal equations of the weighted times plus the height prior (a row of its own)
        jw = jac * sw[:, None]
        rw = r * sw
        zr = (z0 - p[2]) * prior
        ata = jw.T @ jw
        ata[2, 2] += prior * prior
        atb = jw.T @ rw
        atb[2] += prior * zr
        damped = ata.copy()
        damped[_DIAG4] += lam * (ata[_DIAG4] + 1e-12)
        step = np.linalg.solve(damped, atb)
        cost_old = float(rw @ rw) + zr * zr
        p_new = p + step
        pred_n, jac_n = _predict(p_new, s, c, wind_v)
        rn = (t - pred_n) * sw
        cost_new = float(rn @ rn + ((z0 - p_new[2]) * prior) ** 2)
        if cost_new <= cost_old:
            p, pred, jac = p_new, pred_n, jac_n
            lam = max(lam * 0.3, 1e-9)
            # converged to a centimetre (a fraction of the Cramer-Rao bound of precise data)
            # (a small step under heavy damping is not convergence: lam must be small)
            if (np.all(np.abs(step[:3]) < 1e-2) and abs(step[3]) < 3e-6 and lam < 1e-2
                    and it >= huber_iterations + 2):
                break
        else:
            lam *= 10.0
            if lam > 1e8:
                break
    r = t - pred
    rs = r / scale
    robust_sigma = max(sigma_floor, 1.4826 * _mad(rs))
    n, k = len(r), 3  # x, y, t0 (z is carried by the prior)
    dof = max(n - k, 1)
    chi_sigma = math.sqrt(float(np.sum(w * rs * rs)) / max(float(np.sum(w)) * dof / n, 1e-12))
    sigma = max(sigma_floor, chi_sigma) if n > k else max(sigma_floor, sigma)
    sw = np.sqrt(w) / (sigma * scale)
    a = np.vstack([jac * sw[:, None], [0.0, 0.0, 1.0 / z_sigma, 0.0]])
    try:
        cov = np.linalg.inv(a.T @ a)
    except np.linalg.LinAlgError:
        cov = np.full((4, 4), np.inf)
    return p, w, cov, sigma, r, robust_sigma
