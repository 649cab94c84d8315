"""Records exports: the incident report PDF, the offline HTML map of a search, an outside
audio copy. Prints figures, never fails.

- report: one full incident (two revisions, unit timeline, canvass, evidence, a
  verification, a 60 s cached clip) rendered to PDF; and the same incident with 300
  supplements (a long, many-page report). Median of --runs.
- map: ``write_search_map`` for search results of 1,000 / 10,000 / 50,000 incidents in the
  demo area (``desk_data.generate``): seconds, file size, tiles embedded.
- audio: request -> approve -> produce of the cached clip as a watermarked WAV.

    .venv/bin/python benchmarks/records_exports.py [--runs 5] [--sizes 1000 10000 50000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import make_app  # noqa: E402


def _median_time(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def bench_report(tmp: Path, runs: int) -> None:
    from console.services.reports import render_report
    from console.store import Store
    from tests.records.scenario import add_incident, wav_bytes

    store = Store(f"sqlite+pysqlite:///{tmp / 'report.sqlite3'}")
    add_incident(store, "BENCH-1")
    store.cache_audio("BENCH-1", 0, "audio/wav", wav_bytes(seconds=60.0, rate=48000))
    add_incident(store, "BENCH-LONG", seq=10, supplements=300)
    for incident in ("BENCH-1", "BENCH-LONG"):
        t, pages = _median_time(lambda i=incident: render_report(
            store, i, tmp / f"{i}.pdf", watermark="REL-BENCH"), runs)
        size = (tmp / f"{incident}.pdf").stat().st_size
        print(f"report {incident:<11} {pages:>3} pages  {t * 1000:7.0f} ms  {size / 1e6:5.2f} MB")
    store.close()


def bench_map(tmp: Path, sizes: list[int]) -> None:
    from benchmarks.desk_data import generate
    from console.services.history import HistoryQuery, search
    from console.services.map_export import write_search_map
    from console.store import Store

    store = Store(f"sqlite+pysqlite:///{tmp / 'map.sqlite3'}")
    generate(store, max(sizes), years=1, seed=1)
    rows = search(store, HistoryQuery(limit=None)).rows
    for n in sizes:
        t = time.perf_counter()
        out = write_search_map(rows[:n], tmp / f"map{n}.html")
        dt = time.perf_counter() - t
        size = out.path.stat().st_size
        print(f"map    {n:>6} incidents  {dt * 1000:7.0f} ms  {size / 1e6:5.2f} MB  "
              f"{out.tiles} tiles (zoom {out.zooms[0] if out.zooms else '-'}"
              f"-{out.zooms[-1] if out.zooms else '-'})")
    store.close()


def bench_audio(tmp: Path) -> None:
    from console.domain.permissions import Role, User
    from console.services.audit import AuditLog
    from console.services.releases import ReleaseService
    from console.store import Store
    from tests.records.scenario import add_incident, wav_bytes

    store = Store(f"sqlite+pysqlite:///{tmp / 'audio.sqlite3'}")
    add_incident(store, "BENCH-A", audio=False, canvass=False)
    store.cache_audio("BENCH-A", 0, "audio/wav", wav_bytes(seconds=60.0, rate=48000))
    svc = ReleaseService(store, AuditLog(store))
    t = time.perf_counter()
    req = svc.request(User("olli", Role.OFFICER), "BENCH-A", "audio", "DA", "bench")
    svc.approve(User("kaisa", Role.CAPTAIN), req.id)
    paths = svc.produce(User("olli", Role.OFFICER), req.id, tmp / "out")
    dt = time.perf_counter() - t
    print(f"audio  60 s 48 kHz clip: request+approve+produce {dt * 1000:7.0f} ms "
          f"({paths[0].stat().st_size / 1e6:.1f} MB WAV)")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    args = parser.parse_args()
    app = make_app()  # noqa: F841 - QtGui painting needs the application object
    print(f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        bench_report(Path(tmp), args.runs)
        bench_audio(Path(tmp))
        bench_map(Path(tmp), sorted(args.sizes))


if __name__ == "__main__":
    main()
