"""Benchmarks of the locator (figures printed, never pass/fail).

``python -m locator_core.bench [--data DIR] [--part pulses,audio,synthetic,speed]``

- pulses / audio: every test of a Pittsburgh-layout release against its survey (x, y);
  the survey is read here only, never by the locator.
- synthetic: simulated scenarios with known truth (Cramer-Rao bound, outliers, bursts,
  two shooters, mobile shooters).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from locator_core.crb import toa_crb
from locator_core.pipeline import locate_incident
from locator_core.readers import read_incident
from locator_core.types import LocatorError

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "pittsburgh-2018"


def _tests(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("FP*/test_*") if p.is_dir())


def bench_release(root: Path, source: str) -> dict:
    rows = []
    t_all = 0.0
    cpu_all = 0.0
    for folder in _tests(root):
        survey = json.loads(next(folder.glob("*.survey.json")).read_text())
        truth = np.array([survey["survey_location"]["x"], survey["survey_location"]["y"]])
        data = read_incident(folder)
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            sol = locate_incident(data, source=source)
            shots = sol.shots
        except LocatorError:
            shots = ()
        dt = time.perf_counter() - t0
        t_all += dt
        cpu_all += time.process_time() - c0
        errors = [float(np.hypot(*(s.xy - truth))) for s in shots]
        inside = [e <= s.uncertainty_m for e, s in zip(errors, shots, strict=True)]
        rows.append({"fp": folder.parent.name, "test": folder.name, "rounds": survey["num_rounds"],
                     "found": len(shots), "errors": errors, "inside": inside, "seconds": dt})
    return {"rows": rows, "seconds": t_all, "cpu_seconds": cpu_all}


def _print_release(title: str, res: dict) -> None:
    rows = res["rows"]
    print(f"\n== {title}: {len(rows)} tests, {res['seconds']:.2f} s in all "
          f"({res['cpu_seconds']:.2f} s of CPU)")
    print(f"{'':6}{'tests':>6}{'rounds':>8}{'found':>7}{'exact%':>8}{'median':>8}{'p90':>7}"
          f"{'max':>8}{'<=15m%':>8}{'in90%':>7}")
    groups = sorted({r["fp"] for r in rows}) + ["ALL"]
    for g in groups:
        rs = [r for r in rows if g in ("ALL", r["fp"])]
        e = np.array([x for r in rs for x in r["errors"]])
        inside = np.array([x for r in rs for x in r["inside"]])
        rounds = sum(r["rounds"] for r in rs)
        found = sum(r["found"] for r in rs)
        exact = 100.0 * np.mean([r["rounds"] == r["found"] for r in rs])
        if e.size:
            print(f"{g:6}{len(rs):>6}{rounds:>8}{found:>7}{exact:>8.1f}{np.median(e):>8.2f}"
                  f"{np.percentile(e, 90):>7.2f}{e.max():>8.1f}{100 * np.mean(e <= 15):>8.1f}"
                  f"{100 * inside.mean():>7.1f}")
        else:
            print(f"{g:6}{len(rs):>6}{rounds:>8}{found:>7}{exact:>8.1f}   (no shot located)")
    n_shots = sum(r["found"] for r in rows)
    if n_shots:
        print(f"time per shot {1e3 * res['seconds'] / n_shots:.1f} ms wall, "
              f"{1e3 * res['cpu_seconds'] / n_shots:.1f} ms CPU (one core)")


def bench_synthetic(trials: int = 40, seed: int = 7) -> None:
    from locator_core.incident import summarize  # noqa: F401  (summaries come via pipeline)
    from locator_core.simulate import (
        burst,
        mobile_shooter,
        sensor_grid,
        simulate_pulses,
        single_shot,
        two_shooters,
    )
    from locator_core.types import Weather

    rng = np.random.default_rng(seed)
    weather = Weather(15.0)
    c = weather.speed_of_sound
    print(f"\n== synthetic ({trials} trials each, seed {seed}): grid ~350 m, 100 us timing noise")

    def run(scenario, sensors, **kw):
        sim = simulate_pulses(scenario, sensors, weather=weather, rng=rng, **kw)
        try:
            return sim, locate_incident(sim.data, source="pulses")
        except LocatorError:
            return sim, None

    for label, kw in (("no outliers", dict(echo_rate=0.0, nlos_fraction=0.0, outlier_fraction=0.0)),
                      ("20% outliers", dict(outlier_fraction=0.2, nlos_fraction=0.1, echo_rate=1.0))):
        ratios, errs, crbs = [], [], []
        for _ in range(trials):
            sensors = sensor_grid(spacing_m=350, extent_m=2000, rng=rng)
            x, y = rng.uniform(-500, 500, 2)
            sim, sol = run(single_shot(x=x, y=y, time_ns=1_700_000_000_000_000_000), sensors, **kw)
            if sol is None or not sol.shots:
                errs.append(np.inf)
                continue
            shot = sol.shots[0]
            tr = sim.truth[0]
            direct = [i for i in sim.pulse_indices(shot=0, kinds=("direct",))]
            sxyz = np.array([sim.data.pulses[i].sensor.position for i in direct])
            crb = toa_crb(sxyz, np.array([tr.x, tr.y, tr.z]), c=c, sigma_s=100e-6, solve_z=True)
            e = float(np.hypot(shot.x - tr.x, shot.y - tr.y))
            errs.append(e)
            crbs.append(crb.rms_m)
            ratios.append(e / crb.rms_m)
        errs = np.array(errs)
        rms = float(np.sqrt(np.mean(errs[np.isfinite(errs)] ** 2)))
        crb_rms = float(np.sqrt(np.mean(np.array(crbs) ** 2)))
        print(f"  single shot, {label}: located {np.isfinite(errs).mean() * 100:.0f}%, RMS {rms * 100:.1f} cm,"
              f" CRB {crb_rms * 100:.1f} cm, RMS/CRB {rms / crb_rms:.2f},"
              f" median err/CRB {np.median(ratios):.2f}")

    exact = 0
    for _ in range(trials):
        sensors = sensor_grid(rng=rng)
        n = int(rng.integers(2, 7))
        sc = burst(n, interval_s=float(rng.uniform(0.15, 1.0)), x=float(rng.uniform(-400, 400)),
                   y=float(rng.uniform(-400, 400)), time_ns=1_700_000_000_000_000_000, rng=rng)
        _, sol = run(sc, sensors)
        exact += sol is not None and sol.rounds == n
    print(f"  bursts of 2-6 rounds with echoes/NLOS/noise: rounds exact {100 * exact / trials:.0f}%")

    sep_ok = 0
    for _ in range(trials):
        sensors = sensor_grid(rng=rng)
        sc = two_shooters((2, 2), 0.6, separation_m=float(rng.uniform(40, 90)),
                          x=float(rng.uniform(-300, 300)), y=float(rng.uniform(-300, 300)),
                          time_ns=1_700_000_000_000_000_000, rng=rng)
        _, sol = run(sc, sensors)
        sep_ok += sol is not None and sol.shooters == 2 and sol.rounds == 4
    print(f"  two shooters 40-90 m apart (2+2 rounds): separated {100 * sep_ok / trials:.0f}%")

    for rounds, interval in ((5, 1.0), (3, 1.0)):
        dv, dh, found = [], [], 0
        for _ in range(trials):
            sensors = sensor_grid(rng=rng)
            v = float(rng.uniform(4, 15))
            h = float(rng.uniform(0, 360))
            sc = mobile_shooter(rounds, interval, speed_mps=v, heading_deg=h,
                                x=float(rng.uniform(-300, 300)), y=float(rng.uniform(-300, 300)),
                                time_ns=1_700_000_000_000_000_000)
            _, sol = run(sc, sensors)
            if sol is not None and sol.mobile is not None:
                found += 1
                dv.append(abs(sol.mobile.speed_mps - v))
                dh.append(abs((sol.mobile.heading_deg - h + 180) % 360 - 180))
        label = f"mobile shooter 4-15 m/s, {rounds} rounds {interval:g} s apart"
        if dv:
            print(f"  {label}: detected {100 * found / trials:.0f}%,"
                  f" speed error median {np.median(dv):.2f} m/s (max {max(dv):.2f}),"
                  f" heading error median {np.median(dh):.1f} deg (max {max(dh):.1f})")
        else:
            print(f"  {label}: never detected")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m locator_core.bench")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--part", default="pulses,audio,synthetic")
    ap.add_argument("--trials", type=int, default=40)
    args = ap.parse_args(argv)
    parts = args.part.split(",")
    for source in ("pulses", "audio"):
        if source in parts:
            _print_release(f"Pittsburgh from {source}", bench_release(args.data, source))
    if "synthetic" in parts:
        bench_synthetic(args.trials)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
