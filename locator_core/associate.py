"""Association: group pulses from many sensors into shots, with no outside grouping.

A shot at position ``x`` emitted at ``t0`` makes every sensor that hears it report a
pulse at ``t_i = t0 + |x - s_i| / c``. Back-projecting each pulse to a candidate
position gives an implied emission time ``tau_i(x) = t_i - |x - s_i| / c``; at the true
position the pulses of one shot agree in ``tau`` to within the timing error, while
echoes (late), non-line-of-sight arrivals (late) and unrelated pulses scatter.

The search is a space-time stack, coarse to fine: on a grid over the area the sensors
cover, count the *distinct sensors* whose pulses fall in one window of ``tau``; the
window width follows the grid spacing (a cell's half-diagonal / c) so no shot falls
between cells. The best (cell, window) is refined on finer grids around it, its pulses
are chosen (one per sensor, the earliest consistent one: echoes and non-line-of-sight
arrivals come late) and handed to the robust locator; the shot's pulses are removed and
the search repeats until no group of enough sensors remains.

Contents: :class:`AssociatorConfig`, :func:`find_shots`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from locator_core.locate import ShotSolution, fit_xy_batch, locate_shot, radius_for_probability
from locator_core.types import LocatorError, Pulse, Weather

__all__ = ["AssociatorConfig", "find_shots"]


@dataclass(frozen=True)
class AssociatorConfig:
    """Tuning of the association search (physical units).

    min_sensors : distinct sensors a shot needs.
    pick_tolerance_s : s, timing tolerance of a pulse at the final stage.
    margin_m : m, search margin beyond the sensors' extent.
    coarse_step_m : m, first grid spacing; each refinement divides it by ``refine``.
    max_residual_s : s, a located shot whose robust residual exceeds this is dropped.
    """

    min_sensors: int = 5
    pick_tolerance_s: float = 0.015
    final_tolerance_s: float = 0.020
    margin_m: float = 400.0
    coarse_step_m: float = 50.0
    refine: int = 4
    levels: int = 3
    beam: int = 2
    max_shots: int = 60
    max_residual_s: float = 0.010
    sigma_floor_s: float = 3.0e-4
    wind: bool = True
    neighbours: int = 6
    candidates: int = 6
    located_candidates: int = 3
    strong_support: int = 10
    dense_support: int = 10
    reverb_distance_m: float = 100.0
    reverb_support: float = 0.5
    reverb_window_s: float = 2.5
    model_sigma_m: float = 2.8
    snr_reference_db: float | None = None
    relative_support: float = 0.3
    min_interval_s: float = 0.045
    echo_radius_m: float = 150.0
    echo_interval_s: float = 0.15
    echo_support: float = 0.6
    neighbour_fraction: float = 0.6
    tie_slack: int = 0
    echo_window_s: float = 0.25
    echo_drop_db: float = 3.0
    ground_radius_m: float = 150.0
    ground_sigma_m: float = 1.0
    ground_prior_sigma_m: float = 25.0
    sharpen_sigmas: float = 6.0
    sharpen_floor_s: float = 5.0e-4
    sharpen_reach_m: float = 30.0
    sharpen_gain: float = 2.0
    polish_factor: float = 3.0
    max_failures: int = 20
    quiet_sensors: int = 4
    quiet_core_s: float = 0.003
    quiet_nlos_s: float = 0.010
    quiet_echo_s: float = 0.30
    quiet_spot_m: float = 15.0
    minimal_fit_factor: float = 4.0


def _distances(cells: np.ndarray, s: np.ndarray) -> np.ndarray:
    dx = cells[:, None, 0] - s[None, :, 0]
    dy = cells[:, None, 1] - s[None, :, 1]
    dz = cells[:, None, 2] - s[None, :, 2]
    return np.sqrt(dx * dx + dy * dy + dz * dz)


def _stack(dist: np.ndarray, t: np.ndarray, sid: np.ndarray, c: float, window: float,
           n_sensors: int, top: int = 1, *, distinct: bool = True,
           allowed: np.ndarray | None = None,
           tau: np.ndarray | None = None) -> list[tuple[int, float, int]]:
    """Best (cell index, tau centre, count) of pulses in one tau window, best first.

    ``dist`` is (cells, pulses) in m. Two bin phases (0 and half a window) are tried so a
    shot never straddles a bin edge in both. With ``distinct`` a sensor counts once per
    window (its echoes do not add up); without, every pulse counts, which is much cheaper
    and good enough to propose candidates on the coarse grid. Up to ``4 * top``
    candidates are returned. ``allowed`` (cells, pulses), when given, says which pulses
    may count at each cell (the others count nowhere); ``tau`` the implied emission
    times ``t - dist / c`` when already at hand.
    """
    if tau is None:
        tau = t[None, :] - dist / c
    n_cells, n_pulses = dist.shape
    found: list[tuple[int, float, int]] = []
    rows = np.repeat(np.arange(n_cells), n_pulses)
    for offset in (0.0, 0.5):
        b = np.floor(tau / window + offset).astype(np.int64)
        bmin = int(b.min())
        nb = int(b.max()) - bmin + 1
        keys = _keys(rows * nb + (b - bmin).ravel(), allowed, n_cells * nb)
        if distinct:
            counts = _distinct_counts(keys, np.tile(sid, n_cells), n_sensors, n_cells * nb + 1)
        else:
            counts = np.bincount(keys, minlength=n_cells * nb + 1)
        counts = counts[:-1]
        if top == 1:
            kk = int(np.argmax(counts))
            cell, bin_ = divmod(kk, nb)
            found.append((cell, (bin_ + bmin - offset + 0.5) * window, int(counts[kk])))
            continue
        # several: each cell's best bin, then the best cells (a cell's other bins are
        # other times, which the candidate's own window does not reach)
        grid = counts.reshape(n_cells, nb)
        bins = grid.argmax(axis=1)
        peak = grid[np.arange(n_cells), bins]
        k = min(4 * top, n_cells)
        cells_k = np.argpartition(peak, -k)[-k:]
        for cell in cells_k[np.argsort(-peak[cells_k], kind="stable")]:
            found.append((int(cell), (int(bins[cell]) + bmin - offset + 0.5) * window,
                          int(peak[cell])))
    found.sort(key=lambda f: -f[2])
    return found[: 4 * top]


def _keys(keys: np.ndarray, allowed: np.ndarray | None, n_bins: int) -> np.ndarray:
    """Bin keys with the pulses a cell does not allow sent to one spare bin past the end."""
    if allowed is None:
        return keys
    return np.where(allowed.ravel(), keys, n_bins)


def _distinct_counts(bins: np.ndarray, sensors: np.ndarray, n_sensors: int, n_bins: int) -> np.ndarray:
    """Distinct sensors per bin (a sensor's echoes in the same bin count once): one
    occupancy row per sensor, summed down the sensors (long contiguous rows add fast)."""
    occupied = np.zeros((n_sensors, n_bins), dtype=np.uint8)
    occupied[sensors, bins] = 1
    return occupied.sum(axis=0, dtype=np.int32)


class _CoarseStack:
    """Pulse counts per (coarse cell, emission-time bin), kept up to date as pulses are
    taken, so the coarse grid is back-projected once per incident, not once per shot."""

    def __init__(self, dist: np.ndarray, t: np.ndarray, c: float, window: float) -> None:
        tau = t[None, :] - dist / c
        self.window = window
        self.n_cells = dist.shape[0]
        rows = np.arange(self.n_cells)[:, None]
        self.phases = []
        for offset in (0.0, 0.5):
            b = np.floor(tau / window + offset).astype(np.int64)
            bmin = int(b.min())
            nb = int(b.max()) - bmin + 1
            keys = rows * nb + (b - bmin)  # (cells, pulses)
            counts = np.bincount(keys.ravel(), minlength=self.n_cells * nb)
            self.phases.append((offset, bmin, nb, keys, counts))
        self.gone = np.zeros(dist.shape[1], dtype=bool)

    def remove(self, pulses: np.ndarray) -> None:
        pulses = np.asarray(pulses, dtype=int)
        pulses = pulses[~self.gone[pulses]]
        if len(pulses) == 0:
            return
        self.gone[pulses] = True
        for _offset, _bmin, nb, keys, counts in self.phases:
            counts -= np.bincount(keys[:, pulses].ravel(), minlength=self.n_cells * nb)

    def restore(self, pulses: np.ndarray) -> None:
        pulses = np.asarray(pulses, dtype=int)
        pulses = pulses[self.gone[pulses]]
        if len(pulses) == 0:
            return
        self.gone[pulses] = False
        for _offset, _bmin, nb, keys, counts in self.phases:
            counts += np.bincount(keys[:, pulses].ravel(), minlength=self.n_cells * nb)

    def best(self, top: int) -> list[tuple[int, float, int]]:
        """The ``top`` best cells, each with its best emission-time bin (a cell's other
        peaks come up in later rounds, once this one's pulses are taken)."""
        found = []
        for offset, bmin, nb, _keys, counts in self.phases:
            grid = counts.reshape(self.n_cells, nb)
            bins = grid.argmax(axis=1)
            peak = grid[np.arange(self.n_cells), bins]
            k = min(top, self.n_cells)
            cells = np.argpartition(peak, -k)[-k:]
            for cell in cells[np.argsort(-peak[cells], kind="stable")]:
                found.append((int(cell), (int(bins[cell]) + bmin - offset + 0.5) * self.window,
                              int(peak[cell])))
        found.sort(key=lambda f: -f[2])
        return found[:top]


def _refine(cell_xyz, tau_c, window, s, t, sid, c, cfg, z_ground, step):
    """Refine one coarse candidate to (xyz, tau0, count, spread_s, picked): down the
    finer grids to the final cell with the most sensors (then the tightest agreement).
    A coarser level's count is only a bound (its wide window also gathers echoes): the
    busiest intermediate cell can be a cluster of echoes while a weak round next to it
    holds more sensors at the finest level. So after the busiest, the next ones
    (up to ``beam``) are followed too, while their count could still beat the best
    final count found."""
    n_sensors = int(sid.max()) + 1
    best: list = [None]
    _descend(cell_xyz, tau_c, window, s, t, sid, c, cfg, z_ground, step, 1, n_sensors, best)
    return best[0]


def _descend(cell_xyz, tau_c, window, s, t, sid, c, cfg, z_ground, step, level, n_sensors,
             best: list) -> None:
    """Refine from one cell of ``level - 1``; the best final result goes to ``best[0]``."""
    # the finest grid covers the previous cell and its neighbours' halves; the ones
    # above a wider area (a coarse peak can sit a cell or two off its source)
    half = 2.0 * step
    step = step / cfg.refine
    cells = _grid_around(cell_xyz[:2], half, step, z_ground)
    # only pulses near the candidate's window can matter: a pulse moves in emission
    # time by at most the cell shift / c (the grid half-diagonal is 1.41 half)
    near = np.abs(t - np.sqrt(((s - cell_xyz) ** 2).sum(-1)) / c - tau_c) <= window + 1.5 * half / c
    if not near.any():
        return
    w = 2.0 * (step * 0.7072) / c + 2.0 * cfg.pick_tolerance_s
    dist = _distances(cells, s[near])
    # the candidate is the group of pulses the previous level counted, in its window
    # around tau_c: moving the position from there by r moves a pulse's implied
    # emission time by at most r / c, so at each finer cell only pulses within that
    # of the window can be that group. A busier group at another time (the next
    # round's echoes, close behind a weak round) is another candidate, not this
    # one's refinement
    shift = np.sqrt(((cells - cell_xyz) ** 2).sum(-1)) / c
    tau = t[near][None, :] - dist / c
    allowed = np.abs(tau - tau_c) <= window / 2 + shift[:, None]
    if level == cfg.levels - 1:
        tight = _tightest(tau, sid[near], w, n_sensors, cfg.tie_slack, allowed)
        if tight is None:
            return
        r = _finish(cells[tight[0]], tight[1], w, s, t, sid, c, cfg)
        if r is not None and (best[0] is None or (r[2], -r[3]) > (best[0][2], -best[0][3])):
            best[0] = r
        return
    found = _stack(dist, t[near], sid[near], c, w, n_sensors, top=cfg.beam,
                   allowed=allowed, tau=tau)
    tried: list[tuple[int, float]] = []
    for cell, tc, count in found:
        # a finer level only loses sensors: a cell counting fewer than a shot needs, or
        # than the best final so far, cannot lead to a better candidate
        if (len(tried) == cfg.beam or count < cfg.min_sensors
                or (best[0] is not None and count <= best[0][2])):
            break
        if any(np.hypot(*(cells[cell, :2] - cells[o, :2])) <= 2.0 * step and abs(tc - otc) <= w
               for o, otc in tried):
            continue
        tried.append((cell, tc))
        _descend(cells[cell], tc, w, s, t, sid, c, cfg, z_ground, step, level + 1, n_sensors,
                 best)


def _finish(cell_xyz, tau_c, window, s, t, sid, c, cfg):
    """The pulses of a final cell: picked in its window, then around their median
    emission time within the pick tolerance; (xyz, tau0, count, spread_s, picked)."""
    picked = _pick(cell_xyz, tau_c, s, t, sid, c, window / 2)
    if len(picked) == 0:
        return None
    d = np.sqrt(((s[picked] - cell_xyz) ** 2).sum(-1))
    tau0 = float(np.median(t[picked] - d / c))
    picked = _pick(cell_xyz, tau0, s, t, sid, c, cfg.pick_tolerance_s)
    if len(picked) == 0:
        return None
    d = np.sqrt(((s[picked] - cell_xyz) ** 2).sum(-1))
    dev = t[picked] - d / c - tau0
    return cell_xyz, tau0, len(picked), float(np.sqrt(np.mean(dev * dev))), picked


def _tightest(tau, sid, window, n_sensors, slack, allowed=None):
    """The finest level's (cell, tau centre): among the cells whose best emission-time
    window holds (nearly) the most distinct sensors, the one where those sensors' earliest
    pulses agree best. On a fine grid the window is mostly the timing tolerance, so many
    neighbouring cells count the same sensors; the first of them in grid order may sit
    metres off, where the direct arrivals of the near sensors fall out of the pick and
    late ones (echoes) take their place. The agreement (median absolute deviation of the
    implied emission times) peaks at the source whatever the timing precision.
    ``tau`` is (cells, pulses), the pulses' implied emission times at each cell."""
    n_cells, n_pulses = tau.shape
    rows = np.repeat(np.arange(n_cells), n_pulses)
    best_count = np.zeros(n_cells, dtype=np.int32)
    best_bin = np.zeros(n_cells)
    for offset in (0.0, 0.5):
        b = np.floor(tau / window + offset).astype(np.int64)
        bmin = int(b.min())
        nb = int(b.max()) - bmin + 1
        keys = _keys(rows * nb + (b - bmin).ravel(), allowed, n_cells * nb)
        counts = _distinct_counts(keys, np.tile(sid, n_cells), n_sensors,
                                  n_cells * nb + 1)[:-1].reshape(n_cells, nb)
        bins = counts.argmax(axis=1)
        peak = counts[np.arange(n_cells), bins]
        better = peak > best_count
        best_count[better] = peak[better]
        best_bin[better] = (bins[better] + bmin - offset + 0.5) * window
    top = int(best_count.max())
    if top == 0:
        return None
    tied = np.flatnonzero(best_count >= max(top - slack, 1))
    # each sensor's earliest pulse inside the tied cell's window
    dev = tau[tied] - best_bin[tied, None]
    inside = np.abs(dev) <= window / 2
    if allowed is not None:
        inside &= allowed[tied]
    first = np.full((len(tied), n_sensors), np.inf)
    np.minimum.at(first, (np.repeat(np.arange(len(tied)), n_pulses)[inside.ravel()],
                          np.tile(sid, len(tied))[inside.ravel()]), dev[inside])
    centre = _row_median(first)
    spread = _row_median(np.abs(first - centre[:, None]))
    # fewer sensors must buy a clearly tighter agreement
    score = spread * (1.0 + 0.5 * (top - best_count[tied]))
    k = int(np.argmin(score))
    return int(tied[k]), float(best_bin[tied[k]] + centre[k])


def _row_median(a: np.ndarray) -> np.ndarray:
    """Median of each row's finite values (every row holds at least one; inf marks
    the missing ones)."""
    a = np.sort(a, axis=1)
    n = np.isfinite(a).sum(axis=1)
    r = np.arange(len(a))
    return 0.5 * (a[r, (n - 1) // 2] + a[r, n // 2])


def _suppress(cands, cells, radius, window):
    """Keep the first candidate of each space-time neighbourhood: candidates closer than
    ``radius`` (m) AND ``window`` (s) in emission time are one peak. (Two shots from one
    place at different times are two peaks.)"""
    if not cands:
        return []
    xy = cells[[cand[0] for cand in cands], :2]
    tau = np.array([cand[1] for cand in cands])
    d2 = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)
    same = (d2 < radius * radius) & (np.abs(tau[:, None] - tau[None, :]) < window)
    kept: list[int] = []
    for i in range(len(cands)):
        if not kept or not same[i, kept].any():
            kept.append(i)
    return [cands[i] for i in kept]


@lru_cache(maxsize=16)
def _square_offsets(n_half: int, step: float) -> np.ndarray:
    """(x, y) offsets of a square grid of (2 n_half + 1)^2 nodes ``step`` apart."""
    k = np.arange(-n_half, n_half + 1) * step
    gx, gy = np.meshgrid(k, k)
    out = np.column_stack([gx.ravel(), gy.ravel()])
    out.setflags(write=False)
    return out


def _grid_around(center: np.ndarray, half: float, step: float, z: float) -> np.ndarray:
    """The square grid of :func:`_grid` around ``center`` (half-width a multiple of
    ``step``), from cached offsets: refinement builds thousands of them."""
    off = _square_offsets(int(round(half / step)), float(step))
    cells = np.empty((len(off), 3))
    cells[:, :2] = off + center[:2]
    cells[:, 2] = z
    return cells


def _grid(center: np.ndarray, half: np.ndarray, step: float, z: float) -> np.ndarray:
    xs = np.arange(center[0] - half[0], center[0] + half[0] + step / 2, step)
    ys = np.arange(center[1] - half[1], center[1] + half[1] + step / 2, step)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel(), np.full(gx.size, z)])


def _pick(xyz: np.ndarray, tau0: float, s, t, sid, c, tol, *, nearest: bool = False) -> np.ndarray:
    """Indices of the chosen pulses, at most one per sensor, with |tau - tau0| <= tol.

    Around a rough (grid) position the earliest such pulse is taken: echoes and
    non-line-of-sight arrivals of the same shot come late. Around a located shot
    (``nearest``) the pulse closest to the prediction is taken, so that an echo of an
    earlier round cannot displace the direct arrival.
    """
    d = np.sqrt(((s - xyz) ** 2).sum(-1))
    dev = t - d / c - tau0
    ok = np.flatnonzero(np.abs(dev) <= tol)
    order = ok[np.argsort(np.abs(dev[ok]))] if nearest else ok[np.argsort(t[ok])]
    chosen: dict[int, int] = {}
    for i in order:
        chosen.setdefault(int(sid[i]), int(i))
    return np.array(sorted(chosen.values()), dtype=int)


def _propose(stack, memo, coarse_cells, window, step, idx, alive, s, t, sid, c, cfg,
             z_ground, need):
    """Refined candidates of one search round, best first: (xyz, tau0, count, spread, picked
    as indices into ``idx``)."""
    refined = []
    tried = 0
    for cell, tau_c, count in _suppress(stack.best(8 * cfg.candidates), coarse_cells, 2.5 * step,
                                        window):
        if tried == cfg.candidates:
            break
        # a coarse count bounds what refinement can find there: once enough refined
        # candidates reach it, the rest cannot enter the ones that will be located
        top = sorted((r[2] for r in refined), reverse=True)[: cfg.located_candidates]
        if len(top) == cfg.located_candidates and top[-1] >= count:
            break
        # taking pulses only lowers counts: a refinement whose picks are all still
        # there comes out the same (and one that found too little stays so)
        key = (cell, int(np.floor(2.0 * tau_c / window)))
        hit = memo.get(key, False)
        if hit is None:
            # refined before and found too little: it must not keep deeper
            # candidates (a weak round behind a few busy cells) from their turn
            continue
        tried += 1
        if hit is not False and alive[hit[4]].all():
            r = hit[:4] + (np.searchsorted(idx, hit[4]),)
        else:
            r = _refine(coarse_cells[cell], tau_c, window, s[idx], t[idx], sid[idx], c, cfg,
                        z_ground, step)
            memo[key] = None if r is None or r[2] < need else r[:4] + (idx[r[4]],)
        if r is not None and r[2] >= need:
            refined.append(r)
    refined.sort(key=lambda r: (r[2], -r[3]), reverse=True)
    return refined


def _choose(refined, shots, pulses, idx, s, t, sid, c, ref_ns, need, weather, cfg):
    """Locate the best refined candidates and return the one accepted as a shot, its
    pulses and the accepted shot it displaces: (shot, chosen, replaces), shot None when
    none holds."""
    shot = chosen = replaces = None
    accepted_count = None
    for best_xyz, _tau0, count, _spread, picked in refined[: cfg.located_candidates]:
        if accepted_count is not None and count < accepted_count:
            break
        cand, cand_chosen = _locate_and_repick(pulses, idx[picked], best_xyz, idx, s, t,
                                               sid, c, ref_ns, need, weather, cfg,
                                               _ground_from(shots, best_xyz[:2], cfg))
        if cand is not None:
            cand, cand_chosen = _sharpen(cand, cand_chosen, shots, pulses, idx, s, t, sid,
                                         c, ref_ns, need, weather, cfg)
        displaced = None if cand is None else _displaced_by(cand, shots, cfg)
        ref = shots if displaced is None else [a for a in shots if a is not displaced]
        if (cand is not None and len(cand.used) >= _support_needed(ref, need, cfg, cand)
                and cand.residual_rms_s <= _residual_limit(cand, ref, cfg)
                and (_well_supported(cand, ref, cfg) or _is_repeat(cand, ref, cfg)
                     or _heard_by_neighbours(cand, s, t, sid, ref_ns, c, cfg))
                and not _is_echo_ghost(cand, ref, pulses, cand_chosen, s, t, sid, ref_ns)
                and not _is_remnant(cand, ref, cfg)
                and not _is_reverberation(cand, ref, cfg)):
            # candidates the stack ranks equal are told apart by their fits: more
            # sensors kept, then the tighter fit (a chance alignment of pulses from
            # different rounds ties a real round on the grid, not in the fit)
            if shot is None or _fits_better(cand, shot):
                shot, chosen, replaces = cand, cand_chosen, displaced
            accepted_count = count
            if len(shot.used) > need + 1:
                break  # well past the fewest sensors: no chance alignment ties it
    return shot, chosen, replaces


def find_shots(
    pulses: Sequence[Pulse],
    *,
    weather: Weather | None = None,
    config: AssociatorConfig | None = None,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[ShotSolution]:
    """Find and locate every shot in a set of pulses from many sensors.

    Returns located shots in time order. Pulses not assigned to any shot are ignored
    (unrelated sounds, echoes). Raises :class:`LocatorError` when there are pulses from
    fewer than ``config.min_sensors`` sensors.
    """
    cfg = config or AssociatorConfig()
    weather = weather or Weather()
    c = weather.speed_of_sound
    pulses = _distinct_arrivals(pulses)
    serials = sorted({p.sensor.serial for p in pulses})
    if len(serials) < min(cfg.min_sensors, 4):
        raise LocatorError(
            f"pulses from {len(serials)} sensor(s): at least {min(cfg.min_sensors, 4)} are needed"
        )
    index = {k: i for i, k in enumerate(serials)}
    ref_ns = min(p.time_ns for p in pulses)
    s = np.array([[p.sensor.x, p.sensor.y, p.sensor.z] for p in pulses], dtype=float)
    t = np.array([(p.time_ns - ref_ns) * 1e-9 for p in pulses])
    sid = np.array([index[p.sensor.serial] for p in pulses])
    level = np.array([np.nan if p.level_db_spl is None else p.level_db_spl for p in pulses])
    alive = np.ones(len(pulses), dtype=bool)
    lo = s[:, :2].min(0) - cfg.margin_m
    hi = s[:, :2].max(0) + cfg.margin_m
    z_ground = float(np.median(s[:, 2])) - 8.0
    coarse_cells = _grid((lo + hi) / 2, (hi - lo) / 2, cfg.coarse_step_m, z_ground)
    step = cfg.coarse_step_m
    window = 2.0 * (step * 0.7072) / c + 2.0 * cfg.pick_tolerance_s
    stack = _CoarseStack(_distances(coarse_cells, s), t, c, window)
    shots: list[ShotSolution] = []
    need = max(cfg.min_sensors, 4)
    failures = 0
    memo: dict = {}
    groups: list[np.ndarray] = []
    while len(shots) < cfg.max_shots and len(np.unique(sid[alive])) >= need:
        if cancelled is not None and cancelled():
            raise LocatorError("cancelled")
        idx = np.flatnonzero(alive)
        refined = _propose(stack, memo, coarse_cells, window, step, idx, alive, s, t, sid, c,
                           cfg, z_ground, need)
        if not refined:
            break
        shot, chosen, replaces = _choose(refined, shots, pulses, idx, s, t, sid, c, ref_ns,
                                         need, weather, cfg)
        if shot is None:
            # no coherent shot among the best candidates: set the best group's pulses aside
            gone = idx[refined[0][4]]
            alive[gone] = False
            stack.remove(gone)
            failures += 1
            if failures > cfg.max_failures:
                break
            continue
        if replaces is not None:
            # the shot it displaces was made of this round's echoes: its pulses are free again
            k = next(j for j, a in enumerate(shots) if a is replaces)
            old_ids = {id(p) for p in replaces.used}
            back = np.array([i for i in groups[k] if id(pulses[i]) in old_ids], dtype=int)
            del shots[k], groups[k]
            alive[back] = True
            stack.restore(back)
        used_ids = {id(p) for p in shot.used}
        taken = np.array([i for i in chosen if id(pulses[i]) in used_ids], dtype=int)
        alive[taken] = False
        stack.remove(taken)
        stack.remove(_echo_suspects(taken, t, sid, level, cfg))
        shots.append(shot)
        groups.append(chosen)
        if progress is not None:
            progress(min(0.99, 1.0 - alive.mean()))

    shots, groups = _revalidate(shots, groups, cfg)
    if shots and not (cancelled is not None and cancelled()):
        quiet = _quiet_rounds(shots, pulses, s, t, sid, c, ref_ns, cfg)
        shots += [q for q, _ in quiet]
        groups += [g for _, g in quiet]
    shots = _pooled_precision(_polish(shots, groups, pulses, weather, need, cfg), need)
    shots.sort(key=lambda sh: sh.time_ns)
    return shots


def _sharpen(cand, chosen, accepted, pulses, idx, s, t, sid, c, ref_ns, need, weather, cfg):
    """Separate a candidate that mixes two rounds' arrivals, using the timing precision
    the incident has shown. Once a shot of six or more sensors fits to ``p``, the direct
    arrivals of any round fit about as well; a candidate fitting many times worse holds
    arrivals of another round (or echoes) that pulled it metres off, and a least-squares
    or least-median fit cannot shed them when they are near half the group. Among the
    candidate's pulses and the free pulses near its predicted arrivals, the largest
    group of sensors consistent within a few ``p`` (found from random four-sensor
    subsets at the height of the nearest accepted shot) is located instead, when it is
    large enough and fits several-fold better."""
    solid = [a.residual_rms_s for a in accepted if len(a.used) >= 6]
    if not solid:
        return cand, chosen
    precise = min(solid)
    threshold = max(cfg.sharpen_sigmas * precise, cfg.sharpen_floor_s)
    if cand.residual_rms_s <= 2.0 * threshold:
        return cand, chosen
    near = [a for a in accepted if np.hypot(*(a.xy - cand.xy)) <= cfg.ground_radius_m]
    if not near:
        return cand, chosen
    z = min(near, key=lambda a: float(np.hypot(*(a.xy - cand.xy)))).z
    xyz = np.array([cand.x, cand.y, z])
    t0 = (cand.time_ns - ref_ns) * 1e-9
    d = np.sqrt(((s[idx] - xyz) ** 2).sum(-1))
    dev = t[idx] - d / c - t0
    pool = idx[np.abs(dev) <= cfg.final_tolerance_s + cfg.sharpen_reach_m / c]
    if len(np.unique(sid[pool])) < need:
        return cand, chosen
    inliers = _consensus(s[pool], t[pool], sid[pool], c, xyz, threshold, cfg.sharpen_reach_m)
    if inliers is None or len(np.unique(sid[pool[inliers]])) < need:
        return cand, chosen
    group = pool[inliers]
    new = _locate(pulses, group, xyz, weather, cfg, z)
    if (new is None or len(new.used) < need
            or new.residual_rms_s * cfg.sharpen_gain > cand.residual_rms_s):
        return cand, chosen
    return new, group


def _consensus(s, t, sid, c, xyz, threshold, reach_m, subsets=300):
    """The largest set of pulses (one per sensor) that one source within ``reach_m`` of
    ``xyz`` (height held) explains to within ``threshold`` s: RANSAC over four-sensor
    subsets, each solved for (x, y, t0) by Gauss-Newton. Ties go to the smaller spread.
    Returns indices into the given pulses, or None."""
    n = len(t)
    rng = np.random.default_rng(n)
    k = subsets
    # subsets of four distinct sensors
    order = np.argsort(rng.random((k, n)), axis=1)
    picks = np.empty((k, 4), dtype=int)
    valid = np.ones(k, dtype=bool)
    for row in range(k):
        seen: dict[int, int] = {}
        for j in order[row]:
            seen.setdefault(int(sid[j]), int(j))
            if len(seen) == 4:
                break
        if len(seen) < 4:
            valid[row] = False
            continue
        picks[row] = list(seen.values())
    if not valid.any():
        return None
    picks = picks[valid]
    k = len(picks)
    w = np.zeros((k, n))
    w[np.arange(k)[:, None], picks] = 1.0
    p, t0, _ = fit_xy_batch(s, np.broadcast_to(t, (k, n)), w, c, float(xyz[2]),
                            np.tile(xyz[:2], (k, 1)).astype(float), iterations=8,
                            max_step_m=reach_m)
    keep = np.hypot(*(p - xyz[:2]).T) <= reach_m
    if not keep.any():
        return None
    p, t0 = p[keep], t0[keep]
    d = np.sqrt((p[:, None, 0] - s[None, :, 0]) ** 2 + (p[:, None, 1] - s[None, :, 1]) ** 2
                + (xyz[2] - s[None, :, 2]) ** 2)
    r = t[None, :] - t0[:, None] - d / c
    inside = np.abs(r) <= threshold
    n_sensors = int(sid.max()) + 1
    occupied = np.zeros((len(p), n_sensors), dtype=bool)
    rows, cols = np.nonzero(inside)
    occupied[rows, sid[cols]] = True
    counts = occupied.sum(axis=1)
    spread = np.sqrt(np.where(inside, r * r, 0.0).sum(1) / np.maximum(inside.sum(1), 1))
    best = int(np.lexsort((spread, -counts))[0])
    members = np.flatnonzero(inside[best])
    # one pulse per sensor: the one nearest the prediction
    chosen: dict[int, int] = {}
    for j in members[np.argsort(np.abs(r[best, members]))]:
        chosen.setdefault(int(sid[j]), int(j))
    return np.array(sorted(chosen.values()), dtype=int)


def _revalidate(shots, groups, cfg):
    """Drop accepted shots that fit far worse than the incident's rounds turned out to:
    a shot accepted before any precise one existed was held to the absolute residual
    limit only; the order in which the search met the rounds must not decide. Each shot
    is held to :func:`_residual_limit` against all the others."""
    keep = [i for i, a in enumerate(shots)
            if a.residual_rms_s <= _residual_limit(a, shots[:i] + shots[i + 1:], cfg)]
    if len(keep) == len(shots):
        return shots, groups
    return [shots[i] for i in keep], [groups[i] for i in keep]


def _quiet_rounds(shots, pulses, s, t, sid, c, ref_ns, cfg):
    """Rounds from an accepted shooter's spot that only the sensors nearest to it heard.

    A round too weak to reach ``min_sensors`` is still heard first by the sensors
    closest to the gun. At a spot where rounds were located, a free pulse at each of
    its ``quiet_sensors`` nearest sensors within ``final_tolerance_s`` + NLOS of one
    emission time, at least two of them within ``quiet_core_s`` of each other, and not
    within a round's echo time (-45 ms .. +``quiet_echo_s``) of a located round there,
    is another round from that spot: it takes the spot's position and uncertainty and
    the core's emission time. Chance alignments of echoes or other sounds at exactly the
    nearest sensors, at one time, are rare. Returns [(shot, pulse indices)]."""
    used = {id(p) for a in shots for p in a.used}
    free = np.array([i for i, p in enumerate(pulses) if id(p) not in used], dtype=int)
    if len(free) == 0:
        return []
    ids, pos = _sensor_positions(s, sid)
    spots: list = []
    for a in sorted(shots, key=lambda a: -len(a.used)):
        if not any(np.hypot(*(a.xy - b.xy)) <= cfg.quiet_spot_m for b in spots):
            spots.append(a)
    out = []
    for spot in spots:
        xyz = np.array([spot.x, spot.y, spot.z])
        nearest = set(ids[np.argsort(np.sqrt(((pos - xyz) ** 2).sum(-1)))[: cfg.quiet_sensors]])
        here = [(a.time_ns - ref_ns) * 1e-9 for a in shots + [q for q, _ in out]
                if np.hypot(*(a.xy - spot.xy)) <= cfg.quiet_spot_m]
        tau = t[free] - np.sqrt(((s[free] - xyz) ** 2).sum(-1)) / c
        order = np.argsort(tau)
        for k in order:
            if sid[free[k]] not in nearest:
                continue
            t0 = tau[k]
            if any(-cfg.min_interval_s < t0 - th < cfg.quiet_echo_s for th in here):
                continue
            window = order[(tau[order] >= t0) & (tau[order] <= t0 + cfg.final_tolerance_s
                                                  + cfg.quiet_nlos_s)]
            members: dict[int, int] = {}
            for j in window:  # earliest pulse of each nearest sensor
                if sid[free[j]] in nearest:
                    members.setdefault(int(sid[free[j]]), int(j))
            if set(members) != nearest:
                continue
            taus = np.sort(tau[list(members.values())])
            core = max(int(np.sum((taus >= a) & (taus <= a + cfg.quiet_core_s))) for a in taus)
            if core < 2:
                continue
            group = free[sorted(members.values())]
            t_emit = float(np.median(taus))
            shot = replace(spot, time_ns=int(ref_ns + round(t_emit * 1e9)),
                           used=tuple(pulses[i] for i in group),
                           residuals_s=tuple(float(v) for v in tau[sorted(members.values())] - t_emit),
                           rejected=())
            out.append((shot, group))
            here.append(t_emit)
    return out


def _pooled_precision(shots: list[ShotSolution], need: int) -> list[ShotSolution]:
    """Widen the covariance of shots fitted by (nearly) the fewest sensors to the timing
    error of the incident's well-heard shots. With one or two redundant arrivals a fit's
    own scatter says little about its error (a few-sensor fit can match to a tenth of a
    millisecond and still sit tens of metres off); the arrivals of one incident share
    its propagation conditions, so the well-heard shots' timing error applies to them."""
    solid = [a.sigma_s for a in shots if len(a.used) >= need + 2]
    if not solid:
        return shots
    typical = float(np.median(solid))
    out = []
    for a in shots:
        if len(a.used) > need + 1 or a.sigma_s >= typical:
            out.append(a)
            continue
        model = np.diag([a.model_sigma_m ** 2, a.model_sigma_m ** 2, 0.0])
        cov = (a.covariance - model) * (typical / a.sigma_s) ** 2 + model
        out.append(replace(a, covariance=cov, sigma_s=typical,
                           uncertainty_m=radius_for_probability(cov[:2, :2], 0.9)))
    return out


def _distinct_arrivals(pulses: Sequence[Pulse]) -> list[Pulse]:
    """The pulses with repeated reports of one arrival removed: a sensor reporting two
    pulses within a microsecond has reported one sound twice (one onset cannot follow
    another that closely), and two shots must not each take a copy. The best-heard copy
    (highest SNR) stays."""
    best: dict[tuple[str, int], Pulse] = {}
    for p in pulses:
        key = (p.sensor.serial, int(round(p.time_ns / 1000.0)))
        q = best.get(key)
        if q is None or (p.snr_db or -np.inf) > (q.snr_db or -np.inf):
            best[key] = p
    return list(best.values()) if len(best) < len(pulses) else list(pulses)


def _fits_better(a: ShotSolution, b: ShotSolution) -> bool:
    """True when shot ``a`` is explained by its pulses better than ``b``: more sensors
    kept, or as many with a smaller timing residual."""
    return (len(a.used), -a.residual_rms_s) > (len(b.used), -b.residual_rms_s)


def _echo_suspects(taken, t, sid, level, cfg) -> np.ndarray:
    """Pulses that look like echoes of a located shot's arrivals: at the same sensor,
    within ``echo_window_s`` after its arrival and clearly weaker. They stay available to
    any shot that needs them, but no longer propose shots: left in the coarse stack,
    a shot's echoes pile up into peaks that outrank the weaker rounds still to find."""
    out = []
    for i in taken:
        lag = t - t[i]
        m = ((sid == sid[i]) & (lag > 0.0) & (lag <= cfg.echo_window_s)
             & (level <= level[i] - cfg.echo_drop_db))
        out.extend(np.flatnonzero(m))
    return np.array(out, dtype=int)


def _polish(shots, groups, pulses, weather, need, cfg):
    """Locate again each accepted shot that fits its pulses far worse than the incident's
    best shots do and lies at the spot of a shot whose height the times resolved: it was
    located before that height was known, and a wrong held height had let late arrivals
    into its consensus. Its pulses are picked afresh around that spot (the emission time
    where most of its own pulses agree, each sensor's pulse nearest the prediction) and
    located with that height as the prior; the new fit replaces the old one when it fits
    several-fold better with enough sensors."""
    solid = [a.residual_rms_s for a in shots if len(a.used) >= 6]
    if not solid:
        return shots
    precise = min(solid)
    c = weather.speed_of_sound
    out = list(shots)
    for i, (shot, chosen) in enumerate(zip(shots, groups, strict=True)):
        if shot.residual_rms_s <= cfg.polish_factor * precise:
            continue
        others = out[:i] + out[i + 1:]
        spot = [a for a in others if float(a.covariance[2, 2]) <= cfg.ground_sigma_m ** 2
                and np.hypot(*(a.xy - shot.xy)) <= np.hypot(a.uncertainty_m, shot.uncertainty_m)]
        if not spot:
            continue
        ref = min(spot, key=lambda a: float(np.hypot(*(a.xy - shot.xy))))
        xyz = np.array([ref.x, ref.y, ref.z])
        taken = {id(p) for a in others for p in a.used}
        free = [k for k, p in enumerate(pulses) if id(p) not in taken]
        ref_ns = shot.time_ns
        tau = np.array([(pulses[k].time_ns - ref_ns) * 1e-9
                        - np.linalg.norm(pulses[k].sensor.position - xyz) / c for k in free])
        own = np.isin(free, chosen)
        if not own.any():
            continue
        tol = max(4.0 * precise, 1e-3)
        votes = [(np.abs(tau[own] - v) <= tol).sum() for v in tau[own]]
        tau0 = float(tau[own][int(np.argmax(votes))])
        best: dict[str, tuple[float, int]] = {}
        for k, v in zip(free, tau, strict=True):
            if abs(v - tau0) <= tol:
                serial = pulses[k].sensor.serial
                if serial not in best or abs(v - tau0) < best[serial][0]:
                    best[serial] = (abs(v - tau0), k)
        group = np.array(sorted(k for _, k in best.values()), dtype=int)
        if len(group) < need:
            continue
        new = _locate(pulses, group, xyz, weather, cfg, ref.z)
        if (new is not None and len(new.used) >= need
                and new.residual_rms_s < shot.residual_rms_s / cfg.polish_factor):
            out[i] = new
    return out


def _ground_from(accepted, xy, cfg) -> float | None:
    """The height of the nearest accepted shot within ``ground_radius_m`` of ``xy`` whose
    height the times resolved (standard deviation within ``ground_sigma_m``): where a
    shot was solved that well, the ground is known better than from the sensors' heights
    (rooftops of unknown height), and a height held wrong spreads precise times over
    milliseconds, enough to let an echo into the consensus. None when there is none."""
    near = [(float(np.hypot(*(a.xy - xy))), a) for a in accepted
            if float(a.covariance[2, 2]) <= cfg.ground_sigma_m ** 2]
    near = [(d, a) for d, a in near if d <= cfg.ground_radius_m]
    return min(near, key=lambda da: da[0])[1].z if near else None


def _locate_and_repick(pulses, chosen, xyz, idx, s, t, sid, c, ref_ns, need, weather, cfg,
                       z_prior=None):
    """Locate a candidate group, then re-pick around the located shot and locate again,
    until the pulse set settles. Around a located shot the pulse nearest the prediction
    is taken, within a tolerance that follows the fit's own robust timing error, so a
    group that started with echoes in it sheds them as the fit sharpens."""
    shot = _locate(pulses, chosen, xyz, weather, cfg, z_prior)
    if shot is None:
        return None, chosen
    for rnd in range(4):
        xyz = np.array([shot.x, shot.y, shot.z])
        t0 = (shot.time_ns - ref_ns) * 1e-9
        r = np.asarray(shot.residuals_s)
        robust = 1.4826 * float(np.median(np.abs(r - np.median(r)))) if r.size else 0.0
        # first round wide: a group that started on echoes may sit metres off, where the
        # direct arrivals are outside a tight window; the consensus fit sorts them out
        tol = cfg.final_tolerance_s if rnd == 0 else min(cfg.final_tolerance_s,
                                                         max(4.0 * robust, 0.002))
        chosen2 = idx[_pick(xyz, t0, s[idx], t[idx], sid[idx], c, tol, nearest=True)]
        if len(np.unique(sid[chosen2])) < need or set(chosen2) == set(chosen):
            break
        # after the wide first re-pick the group only sheds arrivals: the fit it starts
        # from is already the consensus
        shot2 = _locate(pulses, chosen2, xyz, weather, cfg, z_prior, consensus=rnd == 0)
        if shot2 is None:
            break
        shot, chosen = shot2, chosen2
    return shot, chosen


def _residual_limit(cand, accepted, cfg) -> float:
    """The largest residual rms a candidate may have. Once shots are accepted the data's
    own timing precision is known (the best fit among accepted shots of at least six
    sensors); a candidate with less support than the best-supported shot that fits far
    worse than that is a chance alignment of echoes, whatever the absolute value."""
    if not accepted:
        return cfg.max_residual_s
    best = max(accepted, key=lambda a: len(a.used))
    if len(cand.used) >= len(best.used):
        return cfg.max_residual_s
    solid = [a.residual_rms_s for a in accepted if len(a.used) >= 6] or [best.residual_rms_s]
    limit = min(cfg.max_residual_s, max(6.0 * min(solid), 1.0e-3))
    if len(cand.used) <= max(cfg.min_sensors, 4) + 1 and not _is_repeat(cand, accepted, cfg):
        # a group of (nearly) the fewest sensors has one or two checks on its position:
        # pulses from different rounds line up that well by chance. Away from every
        # accepted shot it must fit at the precision the incident's rounds have shown
        precise = min(a.residual_rms_s for a in accepted)
        limit = min(limit, max(cfg.minimal_fit_factor * precise, 1.0e-3))
    return limit


def _support_needed(accepted, need, cfg, shot=None) -> int:
    """Sensors a new shot needs. Where the network hears shots widely (the best shot so
    far has ``dense_support`` sensors or more), a group of the bare minimum is far more
    likely a chance alignment of echoes than a round no one else heard: ask one more.
    Not for a repeat: a group that places itself where an accepted round was fired
    (within their joint uncertainty), later than that round's echoes last, is another
    round from the same gun; chance alignments do not land on a shooter's spot."""
    strongest = max((len(a.used) for a in accepted), default=0)
    if strongest < cfg.dense_support:
        return need
    if shot is not None and _is_repeat(shot, accepted, cfg):
        return need
    return need + 1


def _is_repeat(shot, accepted, cfg) -> bool:
    """True for a group that places itself where an accepted round was fired (within
    their joint uncertainty), and later or earlier than that round's echoes last."""
    same_spot = [a for a in accepted
                 if np.hypot(*(a.xy - shot.xy)) <= np.hypot(a.uncertainty_m, shot.uncertainty_m)]
    return bool(same_spot) and all(abs(a.time_ns - shot.time_ns) * 1e-9 > cfg.echo_window_s
                                   for a in same_spot)


def _well_supported(shot, accepted, cfg) -> bool:
    """A shot heard by many sensors (absolutely, and compared with the shots accepted so
    far) needs no further proof that it is real."""
    strongest = max((len(a.used) for a in accepted), default=0)
    return len(shot.used) >= max(cfg.strong_support, 0.6 * strongest)


def _sensor_positions(s: np.ndarray, sid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sensor indices present among the pulses, and each one's position."""
    ids, first = np.unique(sid, return_index=True)
    return ids, s[first]


def _heard_by_neighbours(shot, s, t, sid, ref_ns, c, cfg) -> bool:
    """A real shot is heard by the sensors nearest to it: most of them have a pulse at
    (or a little after: non-line-of-sight) the time the shot predicts."""
    ids, pos = _sensor_positions(s, sid)
    d = np.sqrt(((pos - np.array([shot.x, shot.y, shot.z])) ** 2).sum(-1))
    nearest = ids[np.argsort(d)[: cfg.neighbours]]
    t0 = (shot.time_ns - ref_ns) * 1e-9
    heard = 0
    for i in nearest:
        m = sid == i
        expected = t0 + np.sqrt(((s[m][0] - np.array([shot.x, shot.y, shot.z])) ** 2).sum()) / c
        dev = t[m] - expected
        if np.any((dev >= -cfg.pick_tolerance_s) & (dev <= cfg.pick_tolerance_s + 0.03)):
            heard += 1
    return heard >= cfg.neighbour_fraction * len(nearest)


def _is_echo_ghost(shot, accepted, pulses, chosen, s, t, sid, ref_ns) -> bool:
    """True when the candidate's pulses are mostly late, weaker copies (echoes) of pulses
    already given to an accepted shot elsewhere."""
    if not accepted:
        return False
    here = np.array([shot.x, shot.y])
    for other in accepted:
        if np.hypot(*(other.xy - here)) < max(25.0, 3.0 * (shot.uncertainty_m + other.uncertainty_m)):
            return False
    # echoes reach each sensor by its own path, so they do not line up across many
    # sensors at the precision direct arrivals show: a group of two or more checks
    # beyond the minimum fitting as well as the incident's best shots is a round (a
    # second shooter's round is weaker at the sensors that heard the first one louder)
    solid = [a.residual_rms_s for a in accepted if len(a.used) >= 6]
    if (solid and len(shot.used) >= 7
            and shot.residual_rms_s <= 3.0 * min(solid)):
        return False
    earlier = {}
    for other in accepted:
        for p in other.used:
            earlier.setdefault(p.sensor.serial, []).append(p)
    echoes = 0
    for p in shot.used:
        for q in earlier.get(p.sensor.serial, ()):
            lag = (p.time_ns - q.time_ns) * 1e-9
            weaker = (p.level_db_spl is None or q.level_db_spl is None
                      or p.level_db_spl <= q.level_db_spl - 3.0)
            if 0.0 < lag <= 1.5 and weaker:
                echoes += 1
                break
    return echoes >= 0.6 * len(shot.used)


def _is_reverberation(shot, accepted, cfg) -> bool:
    """True for a weak group far from every accepted shot whose pulses mostly come late
    at sensors that already heard an accepted shot: reverberation from buildings lines
    up by chance into a point source elsewhere. (Sensors saturate on a muzzle blast, so
    loudness cannot tell such late arrivals from direct ones.)"""
    if not accepted:
        return False
    here = shot.xy
    if min(float(np.hypot(*(a.xy - here))) for a in accepted) <= cfg.reverb_distance_m:
        return False
    if len(shot.used) >= cfg.reverb_support * max(len(a.used) for a in accepted):
        return False
    heard: dict[str, list[int]] = {}
    for a in accepted:
        for p in a.used:
            heard.setdefault(p.sensor.serial, []).append(p.time_ns)
    late = sum(
        any(0 < (p.time_ns - q) * 1e-9 <= cfg.reverb_window_s for q in heard.get(p.sensor.serial, ()))
        for p in shot.used)
    return late >= 0.6 * len(shot.used)


def _displaced_by(shot, accepted, cfg):
    """The accepted shot that ``shot`` shows to be made of echoes, or None: one from the
    same spot, within ``min_interval_s`` (a firearm cannot fire two rounds that close),
    that ``shot`` precedes by more than a millisecond with at least as many sensors. The
    direct sound arrives first; echoes of a round line up, slightly later, into a group
    that can place itself a few metres from the shooter and be accepted before the round."""
    for other in accepted:
        dt = (other.time_ns - shot.time_ns) * 1e-9
        same_spot = float(np.hypot(*(shot.xy - other.xy))) <= max(
            25.0, 3.0 * (shot.uncertainty_m + other.uncertainty_m))
        if (same_spot and 1.0e-3 < dt < cfg.min_interval_s
                and len(shot.used) >= len(other.used)):
            return other
    return None


def _is_remnant(shot, accepted, cfg) -> bool:
    """True for leftovers of an accepted shot: far fewer sensors than the strongest shot,
    or (almost) the same place and emission time as an accepted shot (no firearm fires
    two rounds within ``min_interval_s``)."""
    if not accepted:
        return False
    strongest = max(len(a.used) for a in accepted)
    # (not a repeat: a group that places itself on an accepted round's spot, later than
    # that round's echoes last, is the same gun firing again, however few heard it)
    if len(shot.used) < cfg.relative_support * strongest and not _is_repeat(shot, accepted, cfg):
        return True
    for other in accepted:
        dt = abs(shot.time_ns - other.time_ns) * 1e-9
        if dt < cfg.min_interval_s:
            return True
        # a weak group just after a well-heard shot nearby is made of its echoes: a real
        # round fired that soon from that close would be heard about as widely
        near = float(np.hypot(*(shot.xy - other.xy))) <= cfg.echo_radius_m
        if (near and dt < cfg.echo_interval_s and shot.time_ns > other.time_ns
                and len(shot.used) < cfg.echo_support * len(other.used)):
            return True
    return False


def _locate(pulses, chosen, xyz, weather, cfg, z_prior=None, *,
            consensus: bool | None = None) -> ShotSolution | None:
    group = [pulses[i] for i in chosen]
    if len({p.sensor.serial for p in group}) < 4:
        return None
    try:
        return locate_shot(group, weather=weather, initial_xy=xyz[:2], z_prior=z_prior,
                           z_sigma_m=25.0 if z_prior is None else cfg.ground_prior_sigma_m,
                           sigma_floor_s=cfg.sigma_floor_s, wind=cfg.wind,
                           min_sensors=max(cfg.min_sensors, 4),
                           snr_reference_db=cfg.snr_reference_db,
                           model_sigma_m=cfg.model_sigma_m, consensus=consensus)
    except LocatorError:
        return None
