"""Retention purge at scale: the dry-run preview and the batched purge on a SQLite file.

Writes ``--incidents`` realistic incidents (``desk_data.generate``: revisions, unit
events, canvass, evidence) over ``--years`` years, places a few legal holds, then times
``plan_purge`` (counts per table) and ``purge`` (one transaction per batch, a tombstone per
incident, an audit entry per batch) and finally ``verify_store`` over the audit log.
Prints figures; passes or fails nothing.

    .venv/bin/python benchmarks/retention_purge.py [--incidents 50000] [--years 10] [--batch 500]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.desk_data import generate  # noqa: E402
from console.domain.permissions import Role, User  # noqa: E402
from console.services import retention  # noqa: E402
from console.services.audit import verify_store  # noqa: E402
from console.store.store import Store  # noqa: E402

ADMIN = User("bench-admin", Role.ADMINISTRATOR)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--incidents", type=int, default=50_000)
    p.add_argument("--years", type=float, default=10.0)
    p.add_argument("--batch", type=int, default=retention.BATCH)
    p.add_argument("--holds", type=int, default=20)
    args = p.parse_args()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp, Store(
            f"sqlite+pysqlite:///{Path(tmp) / 'bench.db'}") as store:
        t0 = time.perf_counter()
        generate(store, args.incidents, years=args.years, seed=6, end=now)
        print(f"generated {args.incidents:,} incidents over {args.years:g} years in "
              f"{time.perf_counter() - t0:.1f} s")
        first = retention.plan_purge(store, now)
        for incident_id in first.incident_ids[:args.holds]:
            retention.place_hold(store, ADMIN, incident_id, "benchmark hold")
        t0 = time.perf_counter()
        plan = retention.plan_purge(store, now)
        t_plan = time.perf_counter() - t0
        print(f"plan_purge: {t_plan * 1000:.0f} ms -> {len(plan.incident_ids):,} incidents, "
              f"{plan.total_rows:,} rows, {len(plan.held)} held")
        print("  rows per table: " + ", ".join(f"{k} {v:,}" for k, v in plan.counts.items()
                                               if v))
        ticks: list[float] = []
        t0 = time.perf_counter()
        result = retention.purge(store, ADMIN, plan, plan.confirmation, batch=args.batch,
                                 progress=lambda d, t, _s: ticks.append(time.perf_counter()))
        t_purge = time.perf_counter() - t0
        gaps = sorted(b - a for a, b in zip(ticks, ticks[1:], strict=False)) or [0.0]
        print(f"purge: {t_purge:.2f} s for {len(result.purged):,} incidents in "
              f"{result.batches} batches of {args.batch} "
              f"({len(result.purged) / max(t_purge, 1e-9):,.0f} incidents/s; "
              f"batch median {gaps[len(gaps) // 2] * 1000:.0f} ms, "
              f"max {gaps[-1] * 1000:.0f} ms)")
        t0 = time.perf_counter()
        report = verify_store(store)
        print(f"audit verify: {report.message()} in {(time.perf_counter() - t0) * 1000:.0f} ms")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
