"""What is kept of a verification: the short JSON summary and the stored record.

:func:`export_json` is the summary shared outside the verification view (stored with the
incident, exported). It names sensors only as "Sensor 1..n": no serial numbers and no
sensor positions ever appear in it. :func:`content_hash` fingerprints the input files, so
a record says exactly which data was verified.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from console.store.records import VerificationRecord
from console.verify.compare import Place, VerificationResult
from locator_core.timeutil import format_iso_utc

__all__ = ["SUMMARY_VERSION", "VerificationRecord", "content_hash", "export_json"]

SUMMARY_VERSION = 1


def _r(v: float | None, nd: int) -> float | None:
    return None if v is None else round(float(v), nd)


def _place(p: Place | None) -> dict[str, Any] | None:
    if p is None:
        return None
    out: dict[str, Any] = {"x": _r(p.x, 2), "y": _r(p.y, 2), "lat": _r(p.lat, 7),
                           "lon": _r(p.lon, 7), "radius_m": _r(p.radius_m, 1)}
    if p.shooter is not None:
        out["shooter"] = p.shooter
    if p.distance_m is not None:
        out["distance_m"] = _r(p.distance_m, 1)
    return out


def export_json(result: VerificationResult) -> dict[str, Any]:
    """The short summary of a verification (JSON-ready; no sensor serials nor positions)."""
    sol = result.solution
    shots = []
    for i, (shot, who) in enumerate(zip(sol.shots, sol.shooter_of_shot, strict=True)):
        lat, lon = sol.latlon(shot)
        shots.append({"index": i + 1, "time": format_iso_utc(shot.time_ns),
                      "x": _r(shot.x, 2), "y": _r(shot.y, 2), "lat": _r(lat, 7),
                      "lon": _r(lon, 7), "uncertainty_m": _r(shot.uncertainty_m, 1),
                      "shooter": who, "sensors": len(shot.used),
                      "residual_rms_ms": _r(shot.residual_rms_s * 1e3, 3)})
    m = result.mobile
    return {
        "version": SUMMARY_VERSION,
        "incident": result.alert_id,
        "name": sol.name,
        "source": sol.source,
        "geographic": result.geographic,
        "verdict": None if result.verdict is None else str(result.verdict),
        "reasons": list(result.reasons),
        "distance_m": _r(result.distance_m, 1),
        "computed": _place(result.computed),
        "reported": _place(result.reported),
        "shooter_locations": [_place(p) for p in result.shooters_at],
        "rounds": {"reported": result.rounds.reported, "computed": result.rounds.computed},
        "shooters": {"reported": result.shooters.reported,
                     "computed": result.shooters.computed},
        "mobile": {"reported": None if m.reported_speed_mps is None else {
                       "speed_mps": _r(m.reported_speed_mps, 1),
                       "heading_deg": _r(m.reported_heading_deg, 0)},
                   "computed": None if m.computed_speed_mps is None else {
                       "speed_mps": _r(m.computed_speed_mps, 1),
                       "heading_deg": _r(m.computed_heading_deg, 0)}},
        "shots": shots,
        "sensors": [{"sensor": s.label, "shots_used": s.shots_used,
                     "rms_ms": _r(s.rms_ms, 3), "max_abs_ms": _r(s.max_abs_ms, 3)}
                    for s in result.sensors],
    }


def content_hash(path: str | Path) -> str:
    """SHA-256 over the input: names (relative) and bytes of every regular, non-hidden
    file under ``path`` in sorted order (or of the one file ``path`` is)."""
    root = Path(path)
    files = [root] if root.is_file() else sorted(
        p for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts))
    digest = hashlib.sha256()
    for f in files:
        name = f.name if f == root else f.relative_to(root).as_posix()
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(f.stat().st_size.to_bytes(8, "big"))
        with f.open("rb") as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
