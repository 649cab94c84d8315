"""Association of pulses detected in audio from few (4-6) sensors into located shots.

The space-time stacking of :mod:`locator_core.associate` is built for many sensors
reporting a few pulses each. Audio from four to six sensors is the opposite: every
sensor hears the muzzle blast of each round followed by tens of echoes, and a 2.5-D
time-of-arrival fit from four sensors has a single degree of freedom of redundancy,
so chance coincidences of echoes fit nearly as well as the true arrivals. This module
uses more of what the audio tells:

1. *Candidates.* At each sensor only the pulses within ``within_db`` of its loudest
   one are kept, ranked by a quality that favours sharp onsets (a direct blast rises
   out of quiet; an echo rises out of the tail of the blast before it) and loud ones;
   pulses labelled ``"echo"`` by the detector are kept but penalised.
2. *Exhaustive combinations.* Every choice of at most one candidate per sensor (at least
   four sensors) whose arrival times are pairwise physically feasible,
   ``|t_i - t_j| <= |s_i - s_j| / (c - w) + tol``, is enumerated level by level in numpy.
3. *Batched fit.* Every combination is solved at once for the position (x, y), at a
   fixed ground height, and the emission time by a linearised least-squares start and a
   few Gauss-Newton iterations (vectorised over combinations, two starting points).
4. *Score.* Quality of the pulses used, minus a misfit penalty (residuals in units of
   ``sigma_s``), minus a penalty for solutions far outside the sensors' extent, plus a
   bonus for other rounds: a burst repeats the same inter-sensor time differences, so a
   position found again by combinations with disjoint pulses at other emission times is
   much more likely true (a single shot gets no bonus but is not excluded).
5. *Greedy selection.* Best score first, each pulse used once. A candidate for which
   another free combination of the same sensors fits about as well with every arrival as
   early or earlier (some by an echo's delay) is made of reflections and is passed over:
   the direct path arrives first, and a building's reflection repeats from round to round
   as faithfully as the direct arrival does, so the round bonus cannot tell them apart.
   A candidate at another position whose arrivals trail an accepted shot's at (nearly) every sensor within the
   echo window is an echo ghost and is dropped; a second shooter must stand on its own
   (score at least ``new_position_fraction`` of the best).
6. *Final fit* of each accepted combination by :func:`locator_core.locate.locate_shot`.

Contents: :class:`AudioAssociatorConfig`, :func:`find_shots_audio`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from locator_core.locate import ShotSolution, fit_xy_batch, ground_prior, locate_shot
from locator_core.types import LocatorError, Pulse, Weather

__all__ = ["AudioAssociatorConfig", "find_shots_audio"]


@dataclass(frozen=True)
class AudioAssociatorConfig:
    """Tuning of the audio association (physical units).

    within_db : dB, candidates are within this of the loudest pulse at their sensor.
    per_sensor : most candidates kept per sensor.
    feasibility_tol_s : s, slack of the pairwise time-difference feasibility test.
    sigma_s : s, timing misfit scale of the score (propagation model error, not picks).
    max_residual_s : s, a combination whose largest residual exceeds this is dropped.
    margin_m : m, solutions further than this outside the sensors' bounding box are
        penalised (one score unit per ``margin_m``).
    echo_penalty : score units taken from a pulse labelled ``"echo"``.
    round_radius_m : m, two solutions this close are the same firing position.
    round_bonus : score units per other round found with the same time differences
        (at most ``max_round_bonus`` rounds counted; see ``_round_matches``).
    round_tdoa_tol_s : s, how closely two rounds must repeat the time differences.
    top_rounds : the best combinations searched for other rounds.
    min_round_quality : least mean pulse quality of a round accepted as another round
        of an accepted shot (keeps out the repeated echo pattern of each round).
    min_score : least score of an accepted shot.
    new_position_fraction : a shot away from every accepted position needs at least
        this fraction of the best score.
    near_fraction : a shot near an accepted one but not repeating its time differences
        needs at least this fraction of the best score (without round bonus).
    max_speed_mps : m/s, fastest a shooter is assumed to move between rounds.
    max_reach_m : m, farthest a shooter is assumed to move within an incident.
    echo_window_s : s, ghost test window (see module notes).
    reflection_min_s : s, least lead of a direct arrival over its reflection.
    reflection_slack : score units a direct-arrival combination may fall short of the
        reflected one and still be preferred (about one weak pulse's quality).
    min_interval_s : s, two accepted shots at one position are at least this apart.
    sigma_floor_s : s, least timing error of the final fit; the audio picks repeat to
        tens of microseconds, but diffraction, wind and survey errors leave milliseconds.
    reject_threshold : the final fit's own sigma-based rejection (off by default:
        ``outlier_s`` decides).
    model_sigma_m : m, propagation model position error added to the reported
        covariance (uncertainty radius).
    z_sigma_m : m, standard deviation of the final fit's ground-height prior.
    wind : bool, correct the final fit for the wind.
    max_combinations : most partial combinations kept while enumerating.
    outlier_s : s, in the final fit an arrival off by more than this is dropped while
        more than four sensors remain.
    """

    within_db: float = 20.0
    per_sensor: int = 8
    feasibility_tol_s: float = 0.004
    sigma_s: float = 0.012
    max_residual_s: float = 0.02
    sensor_bonus: float = 1.0
    trail_window_s: float = 0.35
    trail_penalty: float = 0.5
    margin_m: float = 300.0
    echo_penalty: float = 0.5
    round_radius_m: float = 12.0
    round_bonus: float = 3.0
    max_round_bonus: int = 4
    round_tdoa_tol_s: float = 0.0005
    top_rounds: int = 2000
    min_round_quality: float = 0.6
    min_score: float = 2.5
    new_position_fraction: float = 0.9
    max_speed_mps: float = 30.0
    near_fraction: float = 0.8
    max_reach_m: float = 100.0
    echo_window_s: float = 0.4
    reflection_min_s: float = 0.005
    reflection_slack: float = 1.0
    min_interval_s: float = 0.04
    sigma_floor_s: float = 3.0e-3
    reject_threshold: float = 1.0e9
    outlier_s: float = 0.010
    model_sigma_m: float = 5.0
    z_sigma_m: float = 12.0
    wind: bool = True
    max_combinations: int = 400_000


@dataclass
class _Candidates:
    """Per-sensor candidate pulses, flattened."""

    pulses: list[Pulse]
    sensor: np.ndarray  # (P,) sensor index
    t: np.ndarray  # (P,) s since the reference time
    quality: np.ndarray  # (P,) score units
    by_sensor: list[np.ndarray]  # candidate indices of each sensor


def _quality(p: Pulse, loudest: float, cfg: AudioAssociatorConfig) -> float:
    """Score of one pulse, about 0..1.5: sharpness (onset contrast) and loudness."""
    sharp = p.sharpness_db if p.sharpness_db is not None else 15.0
    q = float(np.clip((sharp - 6.0) / 20.0, 0.0, 1.0))
    if p.level_db_spl is not None and math.isfinite(loudest):
        q += 0.5 * float(np.clip(1.0 + (p.level_db_spl - loudest) / cfg.within_db, 0.0, 1.0))
    elif p.snr_db is not None:
        q += 0.5 * float(np.clip((p.snr_db - 12.0) / 30.0, 0.0, 1.0))
    if p.kind == "echo":
        q -= cfg.echo_penalty
    return q


def qs_raw(p: Pulse, loudest: float) -> float:
    """Whether ``p`` looks like a blast: sharpness and level, 0..1.5 (no penalties)."""
    return _quality(p, loudest, AudioAssociatorConfig(echo_penalty=0.0))


def _candidates(pulses: Sequence[Pulse], serials: list[str], ref_ns: int,
                cfg: AudioAssociatorConfig) -> _Candidates:
    index = {s: k for k, s in enumerate(serials)}
    groups: list[list[Pulse]] = [[] for _ in serials]
    for p in pulses:
        groups[index[p.sensor.serial]].append(p)
    chosen: list[Pulse] = []
    sensor: list[int] = []
    quality: list[float] = []
    by_sensor: list[np.ndarray] = []
    for k, group in enumerate(groups):
        levels = [p.level_db_spl for p in group if p.level_db_spl is not None]
        loudest = max(levels) if levels else -math.inf
        keep = [p for p in group if p.level_db_spl is None
                or p.level_db_spl >= loudest - cfg.within_db]
        keep.sort(key=lambda p: p.time_ns)
        qs = [_quality(p, loudest, cfg) for p in keep]
        # the direct path arrives first: a pulse closely trailing a strong, sharp one at
        # the same sensor is most likely its reflection, however loud
        for i, p in enumerate(keep):
            for prev in keep[:i]:
                lag = (p.time_ns - prev.time_ns) * 1e-9
                if (0.0 < lag <= cfg.trail_window_s
                        and qs_raw(prev, loudest) >= max(0.6, 0.85 * qs_raw(p, loudest))):
                    qs[i] -= cfg.trail_penalty
                    break
        order = np.argsort(qs)[::-1][: cfg.per_sensor]
        start = len(chosen)
        for i in sorted(order, key=lambda i: keep[i].time_ns):
            chosen.append(keep[i])
            sensor.append(k)
            quality.append(qs[i])
        by_sensor.append(np.arange(start, len(chosen)))
    t = np.array([(p.time_ns - ref_ns) * 1e-9 for p in chosen], dtype=float)
    return _Candidates(chosen, np.array(sensor, dtype=int), t, np.array(quality), by_sensor)


def _enumerate(cand: _Candidates, max_dt: np.ndarray, min_sensors: int,
               limit: int) -> np.ndarray:
    """All feasible combinations: (M, n) candidate indices, -1 where a sensor is unused."""
    n = len(cand.by_sensor)
    combos = np.full((1, 0), -1, dtype=int)
    for k in range(n):
        options = np.concatenate([cand.by_sensor[k], [-1]])
        m = len(combos)
        new = np.concatenate([np.repeat(combos, len(options), axis=0),
                              np.tile(options, m)[:, None]], axis=1)
        ok = np.ones(len(new), dtype=bool)
        pick = new[:, k]
        has = pick >= 0
        tk = np.where(has, cand.t[np.maximum(pick, 0)], 0.0)
        for j in range(k):
            other = new[:, j]
            both = has & (other >= 0)
            tj = cand.t[np.maximum(other, 0)]
            ok &= ~both | (np.abs(tk - tj) <= max_dt[k, j])
        # enough sensors must remain possible
        used = np.sum(new >= 0, axis=1)
        ok &= used + (n - 1 - k) >= min_sensors
        combos = new[ok]
        if len(combos) > limit:
            # keep the best partial combinations by pulse quality
            q = np.where(combos >= 0, cand.quality[np.maximum(combos, 0)], 0.0).sum(axis=1)
            combos = combos[np.argsort(q)[::-1][:limit]]
    return combos[np.sum(combos >= 0, axis=1) >= min_sensors]


def _linear_start(s: np.ndarray, t: np.ndarray, w: np.ndarray, c: float,
                  z: float) -> np.ndarray:
    """Least-squares start from the differenced range equations (batched, 2-D at height z).

    ``|p - s_i|^2 = c^2 (t_i - t0)^2`` differenced against the mean over the used sensors
    is linear in (x, y, t0) once the height is fixed.
    """
    sz = s[:, 2] - z
    # rows: -2 x s_ix - 2 y s_iy + 2 c^2 t_i t0 = c^2 t_i^2 - |s_i|^2 (+ const)
    rhs = (c * c) * t * t - (s[:, 0] ** 2 + s[:, 1] ** 2 + sz * sz)[None, :]
    ax = np.broadcast_to(-2.0 * s[:, 0], t.shape)
    ay = np.broadcast_to(-2.0 * s[:, 1], t.shape)
    at = 2.0 * c * c * t
    nw = np.sum(w, axis=1, keepdims=True)

    def centred(v: np.ndarray) -> np.ndarray:
        return v - np.sum(w * v, axis=1, keepdims=True) / nw

    cols = [centred(ax), centred(ay), centred(at)]
    b = centred(rhs)
    a = np.empty((t.shape[0], 3, 3))
    g = np.empty((t.shape[0], 3))
    for i in range(3):
        g[:, i] = np.sum(w * cols[i] * b, axis=1)
        for j in range(3):
            a[:, i, j] = np.sum(w * cols[i] * cols[j], axis=1)
    a += np.eye(3)[None] * 1e-9 * np.trace(a, axis1=1, axis2=2)[:, None, None]
    try:
        sol = np.linalg.solve(a, g[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return np.tile(s[:, :2].mean(axis=0), (t.shape[0], 1))
    xy = sol[:, :2]
    bad = ~np.all(np.isfinite(xy), axis=1)
    xy[bad] = s[:, :2].mean(axis=0)
    return xy


def _box_excess(xy: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Distance (m) of each point outside the sensors' bounding box (0 inside)."""
    lo, hi = s[:, :2].min(axis=0), s[:, :2].max(axis=0)
    out = np.maximum(lo - xy, 0.0) + np.maximum(xy - hi, 0.0)
    return np.hypot(out[:, 0], out[:, 1])


def find_shots_audio(
    pulses: Sequence[Pulse],
    *,
    weather: Weather | None = None,
    config: AudioAssociatorConfig | None = None,
    cancelled: Callable[[], bool] | None = None,
    progress: Callable[[float], None] | None = None,
) -> list[ShotSolution]:
    """Locate every shot heard by a few sensors from the pulses detected in their audio.

    Parameters
    ----------
    pulses : pulses detected in the audio (all of them: the candidate selection is here).
    weather : speed of sound (temperature) and wind.
    config : tuning, see :class:`AudioAssociatorConfig`.

    Returns
    -------
    The located shots, in time order (possibly none).
    """
    cfg = config or AudioAssociatorConfig()
    weather = weather or Weather()
    c = weather.speed_of_sound
    pulses = [p for p in pulses if p.time_ns is not None]
    sensors = {}
    for p in pulses:
        sensors.setdefault(p.sensor.serial, p.sensor)
    serials = sorted(sensors)
    n = len(serials)
    if n < 4:
        return []
    s = np.array([sensors[k].position for k in serials], dtype=float)
    ref_ns = min(p.time_ns for p in pulses)
    cand = _candidates(pulses, serials, ref_ns, cfg)
    if progress:
        progress(0.1)

    c_slow = c - (weather.wind_speed_mps if cfg.wind else 0.0)
    gap = np.linalg.norm(s[:, None, :] - s[None, :, :], axis=2)
    max_dt = gap / c_slow + cfg.feasibility_tol_s
    combos = _enumerate(cand, max_dt, 4, cfg.max_combinations)
    if len(combos) == 0:
        return []
    if cancelled and cancelled():
        return []
    w = (combos >= 0).astype(float)
    t = np.where(combos >= 0, cand.t[np.maximum(combos, 0)], 0.0)
    z = ground_prior(s[:, :2].mean(axis=0), s, k=n)
    xy, t0, r = fit_xy_batch(s, t, w, c, z, _linear_start(s, t, w, c, z))
    # the linearised start can fall in the wrong basin: retry those from the centroid
    retry = np.flatnonzero(np.max(np.abs(r), axis=1) > cfg.max_residual_s)
    if len(retry):
        xy2, t02, r2 = fit_xy_batch(s, t[retry], w[retry], c, z,
                            np.tile(s[:, :2].mean(axis=0), (len(retry), 1)))
        better = np.sum(r2 * r2, axis=1) < np.sum(r[retry] ** 2, axis=1)
        xy[retry[better]], t0[retry[better]], r[retry[better]] = (
            xy2[better], t02[better], r2[better])
    if progress:
        progress(0.6)

    worst = np.max(np.abs(r), axis=1)
    excess = _box_excess(xy, s)
    good = (worst <= cfg.max_residual_s) & (excess <= 3.0 * cfg.margin_m) & np.all(
        np.isfinite(xy), axis=1)
    combos, xy, t0, r, w = combos[good], xy[good], t0[good], r[good], w[good]
    excess = excess[good]
    if len(combos) == 0:
        return []
    # a log-likelihood ratio in spirit: each sensor's pulse adds its quality and a fixed
    # bonus (a true arrival is much likelier inside the fit's tolerance than a stray
    # pulse), the misfit takes chi^2 / 2
    q = np.where(combos >= 0, cand.quality[np.maximum(combos, 0)] + cfg.sensor_bonus, 0.0)
    chi2 = np.sum((r / cfg.sigma_s) ** 2, axis=1)
    score = np.sum(q, axis=1) - 0.5 * chi2 - excess / cfg.margin_m
    t_used = cand.t[np.maximum(combos, 0)]
    rounds, matches = _round_matches(combos, t_used, score, cfg)
    return _select(combos, xy, t0, score, rounds, matches, cand, weather, cfg)


def _round_matches(combos: np.ndarray, t: np.ndarray, score: np.ndarray,
                   cfg: AudioAssociatorConfig) -> tuple[np.ndarray, list[np.ndarray]]:
    """Other rounds of each combination: combinations sharing at least four sensors
    whose arrival times there are this one's shifted by one constant (within
    ``round_tdoa_tol_s``) of at least ``min_interval_s``.

    Rounds of a burst leave one position, so they repeat the time differences between
    sensors to the precision of the picks (tens of microseconds), whatever the
    propagation errors (diffraction, wind, survey) that make a fit miss by milliseconds.
    Chance coincidences and mixtures of rounds do not repeat them.

    Returns the number of distinct other rounds (capped at ``max_round_bonus``) of each of
    the ``top_rounds`` best combinations (zero for the others), and their match lists.
    """
    m = len(combos)
    rounds = np.zeros(m)
    matches: list[np.ndarray] = [np.zeros(0, dtype=int)] * m
    top = np.argsort(score)[::-1][: cfg.top_rounds]
    tt = np.where(combos[top] >= 0, t[top], np.nan)
    has = ~np.isnan(tt)
    for k, a in enumerate(top):
        diff = tt - tt[k]
        common = has & has[k]
        n_common = common.sum(axis=1)
        ok = n_common >= 4
        if not ok.any():
            continue
        d0 = np.where(common, diff, 0.0)
        shift = d0.sum(axis=1) / np.maximum(n_common, 1)
        dev = np.where(common, np.abs(diff - shift[:, None]), 0.0).max(axis=1)
        ok &= (dev <= cfg.round_tdoa_tol_s) & (np.abs(shift) >= cfg.min_interval_s)
        idx = np.flatnonzero(ok)
        if len(idx) == 0:
            continue
        sh = np.sort(shift[idx])
        distinct = 1 + int(np.sum(np.diff(sh) >= cfg.min_interval_s))
        rounds[a] = min(distinct, cfg.max_round_bonus)
        matches[a] = top[idx]
    return rounds, matches


def _select(combos, xy, t0, score, rounds, matches, cand: _Candidates, weather, cfg):
    """Greedy choice of the shots; see the module notes."""
    total = score + cfg.round_bonus * rounds
    order = np.argsort(total)[::-1]
    used: set[int] = set()
    accepted: list[int] = []
    best_total = None
    best_score = float(score.max())

    def free(a: int) -> bool:
        return not used.intersection(combos[a][combos[a] >= 0].tolist())

    def take(a: int) -> None:
        accepted.append(a)
        used.update(combos[a][combos[a] >= 0].tolist())

    def rejected(a: int, best: float) -> bool:
        """Another shot: a repeat of an accepted shot, its echo, or too weak. A shot
        within reach of an accepted one (same shooter, possibly moving at up to
        ``max_speed_mps``) needs ``min_score``; one elsewhere (another shooter) needs
        ``new_position_fraction`` of the best score."""
        dist = np.array([np.hypot(*(xy[b] - xy[a])) for b in accepted])
        dt = np.array([abs(t0[b] - t0[a]) for b in accepted])
        if np.any((dt < cfg.min_interval_s) & (dist <= cfg.round_radius_m)):
            return True
        reach = np.minimum(np.maximum(cfg.round_radius_m, cfg.max_speed_mps * dt),
                           cfg.max_reach_m)
        if not np.any(dist <= reach):
            if total[a] < cfg.new_position_fraction * best:
                return True
        elif (score[a] < cfg.near_fraction * best_score
              or _mean_blast_quality(combos[a], cand) < cfg.min_round_quality):
            # not a repeat of an accepted round's time differences: it must stand on
            # its own (a moving shooter)
            return True
        return _is_ghost(combos[a], accepted, combos, cand, cfg)

    t_all = np.where(combos >= 0, cand.t[np.maximum(combos, 0)], np.nan)

    def reflection(a: int) -> bool:
        """True when another free combination of (at least) the same sensors fits
        about as well with every arrival as early or earlier, and some of them earlier by
        an echo's delay: the direct path arrives first, so ``a`` is made of reflections
        (which repeat from round to round as faithfully as the direct arrivals)."""
        has = ~np.isnan(t_all[a])
        lead = t_all[a][None, has] - t_all[:, has]  # > 0 where the other is earlier
        if np.isnan(lead).any():
            lead = np.where(np.isnan(lead), -np.inf, lead)
        early = ((lead >= -cfg.feasibility_tol_s).all(axis=1)
                 & ((lead >= cfg.reflection_min_s) & (lead <= cfg.echo_window_s)).any(axis=1)
                 & (score >= score[a] - cfg.reflection_slack))
        return any(free(int(b)) for b in np.flatnonzero(early))

    for a in order:
        if total[a] < cfg.min_score:
            break
        if not free(a):
            continue
        if reflection(a):
            continue
        if best_total is None:
            best_total = total[a]
        elif rejected(a, best_total):
            continue
        take(a)
        # the other rounds of this burst: the best free match at each time shift
        ms = matches[a]
        for b in ms[np.argsort(total[ms])[::-1]]:
            if not free(b) or total[b] < cfg.min_score or rounds[b] == 0:
                continue
            if any(abs(t0[c] - t0[b]) < cfg.min_interval_s for c in accepted):
                continue
            if _mean_blast_quality(combos[b], cand) < cfg.min_round_quality:
                continue
            take(b)
    shots = []
    for a in accepted:
        shot = _final_fit([cand.pulses[i] for i in combos[a] if i >= 0], xy[a], weather, cfg)
        if shot is not None:
            shots.append(shot)
    return sorted(shots, key=lambda sh: sh.time_ns)


def _final_fit(group: list[Pulse], xy: np.ndarray, weather: Weather,
               cfg: AudioAssociatorConfig) -> ShotSolution | None:
    """The 2.5-D fit of one shot's pulses; while more than four sensors remain, the
    worst arrival is dropped if its residual exceeds ``outlier_s`` (a diffracted,
    late path, or a pulse of another sound)."""
    rejected: tuple[Pulse, ...] = ()
    while True:
        try:
            shot = locate_shot(group, weather=weather, initial_xy=xy,
                               sigma_floor_s=cfg.sigma_floor_s, wind=cfg.wind,
                               model_sigma_m=cfg.model_sigma_m, min_sensors=4,
                               reject_threshold=cfg.reject_threshold,
                               z_sigma_m=cfg.z_sigma_m)
        except LocatorError:
            return None
        if not all(np.isfinite([shot.x, shot.y])):
            return None
        r = np.abs(np.asarray(shot.residuals_s))
        if len(group) <= 4 or r.max() <= cfg.outlier_s:
            break
        worst = int(np.argmax(r))
        rejected += (shot.used[worst],)
        group = [p for k, p in enumerate(shot.used) if k != worst]
        xy = shot.xy
    if rejected:
        shot = ShotSolution(**{**shot.__dict__, "rejected": shot.rejected + rejected})
    return shot


def _mean_blast_quality(combo: np.ndarray, cand: _Candidates) -> float:
    return float(np.mean(cand.quality[combo[combo >= 0]]))


def _is_ghost(combo: np.ndarray, accepted: list[int], combos: np.ndarray,
              cand: _Candidates, cfg: AudioAssociatorConfig) -> bool:
    """True when at all but at most one sensor the pulse trails an accepted shot's pulse
    at that sensor by less than the echo window (a reflection of that shot)."""
    for b in accepted:
        other = combos[b]
        both = (combo >= 0) & (other >= 0)
        if both.sum() < 3:
            continue
        lag = cand.t[combo[both]] - cand.t[other[both]]
        trailing = (lag > 0) & (lag < cfg.echo_window_s)
        if trailing.sum() >= both.sum() - 1:
            return True
    return False
