"""A year of search results drawn on the desk's history map (DeskMap).

    .venv/bin/python benchmarks/desk_map.py [--incidents 50000] [--runs 5] [--screenshot PNG]

``--incidents`` incidents over one year are generated into a SQLite store on a temporary
file (``benchmarks/desk_data.generate``); the history service's ``map_points`` reads every
one of them for the year. Then, ``--runs`` times each, ``DeskMap.set_points`` is called and
the clock stops when the page reports them drawn (all markers clustered, clusters on
screen two animation frames later): once given the service's ``MapPoints`` (encoded on
the calling thread), once given them already encoded, as the history view does in its
search worker. Figures per run and the medians; also the parts: the query, encoding,
the page's own share, and the first heat-map draw.

Target: map of a year's results drawn <= 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import make_app, run_js, wait_until


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--incidents", type=int, default=50_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--screenshot", metavar="PNG", help="save the map after the last run")
    args = p.parse_args()

    app = make_app()
    from benchmarks.desk_data import generate
    from console.services.history import HistoryQuery, map_points
    from console.store import Store
    from console.ui.desk.desk_map import DeskMap, encode_points

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite+pysqlite:///{Path(tmp) / 'desk.sqlite3'}")
        end = datetime(2026, 1, 1, tzinfo=UTC)
        t0 = time.perf_counter()
        generate(store, args.incidents, years=1, seed=7, end=end)
        print(f"generated {args.incidents:,} incidents over one year in "
              f"{time.perf_counter() - t0:.1f} s")
        query = HistoryQuery(start=end - timedelta(days=366), end=end)
        t0 = time.perf_counter()
        points = map_points(store, query)
        t_query = time.perf_counter() - t0
        t0 = time.perf_counter()
        encoded = encode_points(points)
        t_encode = time.perf_counter() - t0

        desk_map = DeskMap()
        desk_map.resize(1000, 800)
        desk_map.show()
        wait_until(app, lambda: desk_map.is_ready, 30, "the map page")
        wall, wall_encoded, page = [], [], []
        for _ in range(args.runs):
            for given, times in ((points, wall), (encoded, wall_encoded)):
                t0 = time.perf_counter()
                desk_map.set_points(given)
                wait_until(app, lambda: desk_map.is_drawn, 60, "the points drawn")
                times.append(time.perf_counter() - t0)
                page.append(run_js(app, desk_map, "window.macDesk.state().lastDraw.ms") / 1000)
        state = run_js(app, desk_map, "window.macDesk.state()")
        heat_ms = run_js(app, desk_map, "(() => { const t = performance.now(); "
                         "window.macDesk.setHeat(true); return performance.now() - t; })()")
        if args.screenshot:
            settle = time.monotonic() + 0.5  # let the tiles under the clusters paint
            wait_until(app, lambda: time.monotonic() > settle, 5, "a settled frame")
            desk_map.grab().save(args.screenshot)
        desk_map.close()
        store.close()

    print(f"map points: {len(points):,} (query {t_query * 1000:.0f} ms, "
          f"encoding {t_encode * 1000:.0f} ms, {len(encoded.json) / 1e6:.1f} MB)")
    for what, times in (("MapPoints", wall), ("encoded in the worker", wall_encoded)):
        runs = ", ".join(f"{w * 1000:.0f}" for w in times)
        print(f"set_points({what}) -> page reports drawn: runs {runs} ms; "
              f"median {statistics.median(times) * 1000:.0f} ms (target <= 1000 ms)")
    print(f"  of which in the page (parse, markers, clustering, two frames): median "
          f"{statistics.median(page) * 1000:.0f} ms")
    print(f"  on screen after the last run: {state['visibleClusters']} clusters, "
          f"{state['visibleMarkers']} single markers at zoom {state['zoom']}")
    print(f"first heat-map draw of all points: {heat_ms:.0f} ms")
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
