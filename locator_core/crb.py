"""Cramér-Rao bound for locating an impulsive source from times of arrival (TOA).

The yardstick the locator is measured against: no unbiased estimator that sees the
same sensors with the same timing noise can have a smaller position covariance.

Model
-----
Sensor ``i`` at ``s_i`` hears a source at ``p`` that fired at unknown ``t0``::

    t_i = t0 + |s_i - p| / c + e_i,        e_i ~ N(0, sigma_i^2), independent.

With parameters ``theta = (x, y, [z], t0)`` the Jacobian row of ``t_i`` is::

    d t_i / d theta = [ u_i^T / c, 1 ],    u_i = (p - s_i) / |p - s_i|

(the unit vector from the sensor to the source; its x, y components only when ``z`` is
known and fixed). The Fisher information is ``J = H^T W H`` with
``W = diag(1 / sigma_i^2)``, and the bound is ``cov(theta_hat) >= J^{-1}``. The
position covariance is the position block of ``J^{-1}`` -- the unknown emission time
is marginalised, which is what makes TOA geometry-sensitive (a common clock offset
cannot be told apart from a common range offset). Internally ``t0`` is scaled by
``c`` so that ``J`` is well conditioned.

Contents: :class:`CRBResult`, :func:`toa_crb`.

References
----------
S. M. Kay, *Fundamentals of Statistical Signal Processing, Vol. I: Estimation
Theory*, Prentice Hall, 1993, ch. 3 (the Cramér-Rao bound for a vector parameter).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["CRBResult", "toa_crb"]

_SINGULAR_COND = 1e10


@dataclass(frozen=True, eq=False)
class CRBResult:
    """Cramér-Rao bound of a TOA fix.

    cov : (2, 2) or (3, 3) array, m^2, lower bound on the covariance of (x, y[, z])
    rms_m : float, m, ``sqrt(cov_xx + cov_yy)``, the horizontal RMS error bound
    std_t0_s : float, s, bound on the emission-time standard deviation
    semi_major_m, semi_minor_m : float, m, 1-sigma horizontal error ellipse axes
    orientation_deg : float, degrees, compass azimuth of the major axis in [0, 180)
    std_z_m : float or None, m, vertical bound when z is solved
    fisher : (P, P) array, Fisher information for (x, y[, z], t0) in m^-2, m^-2 s^-1, s^-2
    n_sensors : int
    solve_z : bool

    All figures are ``inf`` when the geometry cannot resolve the position (fewer
    sensors than unknowns, or sensors and source collinear in the solved dimensions).
    """

    cov: np.ndarray = field(repr=False)
    rms_m: float
    std_t0_s: float
    semi_major_m: float
    semi_minor_m: float
    orientation_deg: float
    std_z_m: float | None
    fisher: np.ndarray = field(repr=False)
    n_sensors: int
    solve_z: bool

    @property
    def singular(self) -> bool:
        return not math.isfinite(self.rms_m)


def _validate_inputs(
    sensors_xyz: np.ndarray, source_xyz: np.ndarray, c: float, sigma_s: float | np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    s = np.asarray(sensors_xyz, dtype=float)
    if s.ndim != 2 or s.shape[1] != 3 or len(s) == 0:
        raise ValueError(f"sensors_xyz must have shape (N, 3), got {s.shape}")
    p = np.asarray(source_xyz, dtype=float)
    if p.shape != (3,):
        raise ValueError(f"source_xyz must have shape (3,), got {p.shape}")
    if not (np.all(np.isfinite(s)) and np.all(np.isfinite(p))):
        raise ValueError("sensors_xyz and source_xyz must be finite")
    c = float(c)
    if not (math.isfinite(c) and c > 0):
        raise ValueError(f"c must be a positive speed in m/s, got {c!r}")
    sig = np.broadcast_to(np.asarray(sigma_s, dtype=float), (len(s),))
    if not (np.all(np.isfinite(sig)) and np.all(sig > 0)):
        raise ValueError(f"sigma_s must be positive and finite, got {sigma_s!r}")
    if np.any(np.linalg.norm(s - p, axis=1) == 0.0):
        raise ValueError("a sensor coincides with the source; the TOA gradient is undefined")
    return s, p, c, sig


def _ellipse(cov_h: np.ndarray) -> tuple[float, float, float]:
    vals, vecs = np.linalg.eigh(cov_h)
    major = vecs[:, 1]
    azimuth = math.degrees(math.atan2(major[0], major[1])) % 180.0
    return math.sqrt(max(vals[1], 0.0)), math.sqrt(max(vals[0], 0.0)), azimuth


def _singular(fisher: np.ndarray, n: int, dim: int, solve_z: bool) -> CRBResult:
    inf = math.inf
    z_std = inf if solve_z else None
    return CRBResult(
        np.full((dim, dim), inf), inf, inf, inf, inf, math.nan, z_std, fisher, n, solve_z
    )


def toa_crb(
    sensors_xyz: np.ndarray,
    source_xyz: np.ndarray,
    *,
    c: float,
    sigma_s: float | np.ndarray,
    solve_z: bool = False,
) -> CRBResult:
    """Cramér-Rao bound on the position of a source located by times of arrival.

    Parameters
    ----------
    sensors_xyz : (N, 3) array, m
        Sensors that hear the direct arrival.
    source_xyz : (3,) array, m
        True source position; with ``solve_z=False`` its z is taken as known.
    c : float, m/s
        Speed of sound.
    sigma_s : float or (N,) array, s
        Standard deviation of each arrival-time error.
    solve_z : bool
        Estimate the height too (parameters x, y, z, t0) instead of x, y, t0.

    Returns
    -------
    CRBResult
        ``cov`` is the position block of the inverse Fisher information (m^2) and
        ``rms_m = sqrt(cov_xx + cov_yy)``. The input arrays are not modified.

    Notes
    -----
    For N sensors evenly spread on a horizontal circle around the source, with equal
    ``sigma``, the bound is ``cov = (2 c^2 sigma^2 / N) I`` and
    ``rms_m = 2 c sigma / sqrt(N)``.
    """
    s, p, c, sig = _validate_inputs(sensors_xyz, source_xyz, c, sigma_s)
    dim = 3 if solve_z else 2
    u = (p - s) / np.linalg.norm(p - s, axis=1)[:, None]
    g = np.column_stack([u[:, :dim], np.ones(len(s))])  # parameters (position, c * t0), m
    w = 1.0 / (c * sig) ** 2
    info = g.T @ (g * w[:, None])
    scale = np.append(np.ones(dim), c)
    fisher = info * np.outer(scale, scale)
    if len(s) < dim + 1 or np.linalg.cond(info) > _SINGULAR_COND:
        return _singular(fisher, len(s), dim, solve_z)
    inv = np.linalg.inv(info)
    inv = 0.5 * (inv + inv.T)
    cov = inv[:dim, :dim].copy()
    major, minor, azimuth = _ellipse(cov[:2, :2])
    return CRBResult(
        cov=cov,
        rms_m=math.sqrt(cov[0, 0] + cov[1, 1]),
        std_t0_s=math.sqrt(inv[dim, dim]) / c,
        semi_major_m=major,
        semi_minor_m=minor,
        orientation_deg=azimuth,
        std_z_m=math.sqrt(cov[2, 2]) if solve_z else None,
        fisher=fisher,
        n_sensors=len(s),
        solve_z=solve_z,
    )
