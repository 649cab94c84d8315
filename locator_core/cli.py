"""Command line: ``python -m locator_core replay PATH [--source pulses|audio] [--json]``."""

from __future__ import annotations

import argparse
import json
import sys

from locator_core.incident import IncidentSolution
from locator_core.timeutil import format_iso_utc
from locator_core.types import LocatorError

__all__ = ["main", "solution_to_json"]


def solution_to_json(sol: IncidentSolution) -> dict:
    """The replay result as the documented JSON object."""
    shots = []
    for i, (shot, shooter) in enumerate(zip(sol.shots, sol.shooter_of_shot, strict=True)):
        lat, lon = sol.latlon(shot)
        shots.append({
            "index": i,
            "time": format_iso_utc(shot.time_ns),
            "x": round(shot.x, 3),
            "y": round(shot.y, 3),
            "lat": None if lat is None else round(lat, 7),
            "lon": None if lon is None else round(lon, 7),
            "uncertainty_m": round(shot.uncertainty_m, 2),
            "shooter": shooter,
            "sensors": list(shot.sensor_serials),
            "residual_rms_ms": round(shot.residual_rms_s * 1e3, 3),
        })
    mobile = None
    if sol.mobile is not None:
        mobile = {"speed_mps": round(sol.mobile.speed_mps, 2),
                  "heading_deg": round(sol.mobile.heading_deg, 1)}
    return {"shots": shots, "rounds": sol.rounds, "shooters": sol.shooters, "type": sol.type,
            "mobile": mobile}


def _summary(sol: IncidentSolution, doc: dict) -> str:
    kind = "single gunshot" if sol.rounds == 1 else f"multiple gunshots ({sol.rounds} rounds)"
    lines = [f"{sol.name}: {kind}, {sol.shooters} shooter(s), located from {sol.source}"]
    if sol.mobile is not None:
        lines.append(f"  possible mobile shooter: {sol.mobile.speed_mps:.1f} m/s heading "
                     f"{sol.mobile.heading_deg:03.0f} deg")
    for s in doc["shots"]:
        where = f"x={s['x']:.1f} m y={s['y']:.1f} m"
        if s["lat"] is not None:
            where += f" ({s['lat']:.6f}, {s['lon']:.6f})"
        lines.append(f"  shot {s['index'] + 1} at {s['time']}  {where}  +/-{s['uncertainty_m']:.1f} m"
                     f" (90%)  shooter {s['shooter']}  {len(s['sensors'])} sensors"
                     f"  rms {s['residual_rms_ms']:.2f} ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m locator_core",
                                     description="Acoustic gunshot locator: replay an incident.")
    sub = parser.add_subparsers(dest="command", required=True)
    rp = sub.add_parser("replay", help="locate the shots of an incident folder")
    rp.add_argument("path", help="a Pittsburgh-layout test folder, or a folder of smj0 WAVs")
    rp.add_argument("--source", choices=("pulses", "audio"), default=None,
                    help="locate from reported pulses or from sensor audio "
                         "(default: pulses when present, else audio)")
    rp.add_argument("--json", action="store_true", help="print exactly one JSON object")
    args = parser.parse_args(argv)

    from locator_core.pipeline import locate_incident
    from locator_core.readers import read_incident

    try:
        data = read_incident(args.path)
        sol = locate_incident(data, source=args.source)
    except LocatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"error: {args.path}: {exc}", file=sys.stderr)
        return 2
    doc = solution_to_json(sol)
    print(json.dumps(doc) if args.json else _summary(sol, doc))
    return 0
