"""Association benchmark of the locator: bursts and two shooters with known truth.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/locator_assoc.py [--n 100] [--verbose]

- 100 bursts (seed 1): ``burst(n in 2..6, interval_s=U(0.15, 1.0), x, y ~ U(-400, 400))``
- 100 two-shooter scenarios (seed 2): ``two_shooters((2, 2), 0.6, separation_m=U(40, 90))``

Weather 15 degC, default simulator (echoes, NLOS, 20 % unrelated pulses, 100 us noise).
Success: rounds exact, every true round within 1 m of a located shot and, for two
shooters, shooters == 2. A failure is classed "missing" (a true round has no located shot
of its own within 1 m and 20 ms), "extra" (every round found, and more), "clustering"
(every round found, nothing more, but the shooter count is wrong). Figures only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from locator_core.pipeline import locate_incident  # noqa: E402
from locator_core.simulate import burst, sensor_grid, simulate_pulses, two_shooters  # noqa: E402
from locator_core.types import LocatorError, Weather  # noqa: E402

T0 = 1_700_000_000_000_000_000
WEATHER = Weather(15.0)


def burst_case(rng):
    sensors = sensor_grid(rng=rng)
    n = int(rng.integers(2, 7))
    sc = burst(n, interval_s=float(rng.uniform(0.15, 1.0)), x=float(rng.uniform(-400, 400)),
               y=float(rng.uniform(-400, 400)), time_ns=T0, rng=rng)
    return simulate_pulses(sc, sensors, weather=WEATHER, rng=rng)


def two_case(rng):
    sensors = sensor_grid(rng=rng)
    sc = two_shooters((2, 2), 0.6, separation_m=float(rng.uniform(40, 90)),
                      x=float(rng.uniform(-300, 300)), y=float(rng.uniform(-300, 300)),
                      time_ns=T0, rng=rng)
    return simulate_pulses(sc, sensors, weather=WEATHER, rng=rng)


def judge(sim, sol, shooters: int | None) -> str:
    """"ok" or the failure class: each true round must match its own located shot (within
    1 m and 20 ms of emission time); "missing" when a round has none, "extra" when every
    round is matched but more shots were found, "clustering" when only the shooter count
    is wrong."""
    if sol is None or not sol.shots:
        return "none"
    free = list(sol.shots)
    missing = 0
    for t in sim.truth:
        best = None
        for s in free:
            if np.hypot(s.x - t.x, s.y - t.y) <= 1.0 and abs(s.time_ns - t.time_ns) <= 20_000_000:
                best = s
                break
        if best is None:
            missing += 1
        else:
            free.remove(best)
    if missing:
        return "missing+extra" if free else "missing"
    if free:
        return "extra"
    if shooters is not None and sol.shooters != shooters:
        return "clustering"
    return "ok"


def describe(sim, sol) -> str:
    lines = []
    for t in sim.truth:
        lines.append(f"    truth {t.index} sh{t.shooter} ({t.x:8.1f},{t.y:8.1f}) "
                     f"t={(t.time_ns - T0) * 1e-9:6.3f}")
    if sol is not None:
        for s, lab in zip(sol.shots, sol.shooter_of_shot, strict=True):
            d = min(np.hypot(t.x - s.x, t.y - s.y) for t in sim.truth)
            lines.append(f"    found sh{lab} ({s.x:8.1f},{s.y:8.1f}) t={(s.time_ns - T0) * 1e-9:6.3f} "
                         f"n={len(s.used)} rms={s.residual_rms_s * 1e3:.2f}ms unc={s.uncertainty_m:.1f} "
                         f"err={d:.2f}")
    return "\n".join(lines)


def run(kind: str, n: int, seed: int, verbose: bool) -> dict:
    rng = np.random.default_rng(seed)
    make, shooters = (burst_case, None) if kind == "bursts" else (two_case, 2)
    counts: dict[str, int] = {}
    cpu = 0.0
    n_shots = 0
    for k in range(n):
        sim = make(rng)
        c0 = time.process_time()
        try:
            sol = locate_incident(sim.data, source="pulses")
        except LocatorError:
            sol = None
        cpu += time.process_time() - c0
        n_shots += len(sim.truth)
        verdict = judge(sim, sol, shooters)
        counts[verdict] = counts.get(verdict, 0) + 1
        if verbose and verdict != "ok":
            print(f"  {kind} #{k}: {verdict}\n{describe(sim, sol)}")
    ok = counts.get("ok", 0)
    fails = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()) if k != "ok")
    print(f"{kind:12} {n} scenarios (seed {seed}): success {100.0 * ok / n:.0f}%"
          f"  [{fails or 'no failures'}]  {1e3 * cpu / max(n_shots, 1):.1f} ms CPU per shot")
    return counts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--part", default="bursts,two")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--seeds", default="1,2", help="seeds of the bursts and the two-shooter runs")
    args = ap.parse_args(argv)
    seed_bursts, seed_two = (int(v) for v in args.seeds.split(","))
    if "bursts" in args.part:
        run("bursts", args.n, seed_bursts, args.verbose)
    if "two" in args.part:
        run("two", args.n, seed_two, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
