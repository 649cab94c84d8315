"""CSV import core: 100,000 Washington-DC-style rows -> validate() and plan() with progress.

Prints figures and never fails. The target (<= 15 s) is for the whole import including the
database write, measured by ``benchmarks/import_db.py``; this measures reading, mapping and
validation alone.

    .venv/bin/python benchmarks/csv_import.py [--rows 100000] [--dirty 0.02]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from console.importer import plan, preset, validate  # noqa: E402

TYPES = ["Single_Gunshot", "Multiple_Gunshots", "Gunshot_or_Firecracker", "Probable Gunfire"]


def make_file(path: Path, rows: int, dirty: float, seed: int = 7) -> None:
    rnd = random.Random(seed)
    start = datetime(2014, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("ID,Type,Date,Time,Source,Latitude,Longitude\r\n")
        for i in range(rows):
            t = start + timedelta(seconds=rnd.randrange(0, 7 * 365 * 86400))
            lat, lon = rnd.uniform(38.82, 38.98), rnd.uniform(-77.10, -76.92)
            kind = rnd.choice(TYPES)
            date = t.strftime("%Y-%m-%d") if i % 2 else t.strftime("%m/%d/%Y")
            clock = t.strftime("%H:%M:%S") if i % 3 else t.strftime("%I:%M %p")
            if rnd.random() < dirty:
                match rnd.randrange(4):
                    case 0:
                        lat, lon = lon, lat
                    case 1:
                        date = "2019-02-30"
                    case 2:
                        kind = "Helicopter"
                    case _:
                        lat = float("nan")
            f.write(f"{100000 + i},{kind},{date},{clock},WashingtonDC,{lat:.6f},{lon:.6f}\r\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--dirty", type=float, default=0.02, help="share of dirty rows")
    args = ap.parse_args()
    opts = preset("dc", now=datetime(2026, 1, 1, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dc_alerts.csv"
        t0 = time.perf_counter()
        make_file(path, args.rows, args.dirty)
        size = path.stat().st_size
        print(f"generated {args.rows:,} rows, {size / 1e6:.1f} MB in "
              f"{time.perf_counter() - t0:.2f} s")
        calls: list[tuple[int, int, int]] = []
        t0 = time.perf_counter()
        rep = validate(path, opts, progress=lambda r, b, t: calls.append((r, b, t)))
        t_validate = time.perf_counter() - t0
        t0 = time.perf_counter()
        p = plan(path, opts, batch_size=2000)
        t_plan = time.perf_counter() - t0
        print(f"validate(): {t_validate:.2f} s ({args.rows / t_validate:,.0f} rows/s), "
              f"{len(calls)} progress calls, last {calls[-1]}")
        print(f"plan() (keeps the rows): {t_plan:.2f} s; ok={p.ok}, {len(p.alerts):,} alerts")
        print(f"accepted {rep.accepted:,}, rejected {rep.rejected:,}: "
              + ", ".join(f"{c} {t.count}" for c, t in sorted(rep.rejections.items())))
        print(f"target for the full import incl. the database: <= 15 s "
              f"(core uses {t_plan / 15:.0%} of it)")
        print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
