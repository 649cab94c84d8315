"""Cold start to a usable window with the map drawn, as a fresh process each time.

    .venv/bin/python benchmarks/cold_start.py [--runs 5]

Each run starts a new Python process that does what ``python main.py`` does (app://
scheme, QApplication, the embedded demo feed, the SQLite store in a fresh data
directory, ``build_main_window``, show, start) and reports, from the moment the parent
launched it: imports done, window shown, map page ready, first tiles drawn (no tile
still loading). Prints each run and the median. Target: <= 3 s to tiles drawn.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(t0: float, data_dir: str) -> None:
    marks: dict[str, float] = {}
    sys.path.insert(0, str(HERE))
    from _common import make_app, run_js, wait_until

    app = make_app()
    import threading

    from console.app import build_main_window, store_url
    from console.demo.publisher import run_demo_publisher
    from console.feed.server import FeedServer
    from console.store import Store

    marks["imports"] = time.time() - t0
    server = FeedServer("127.0.0.1", 0, "demo-token").start()
    stop = threading.Event()
    threading.Thread(target=run_demo_publisher, args=(server, stop), daemon=True).start()
    store = Store(store_url(data_dir))
    win = build_main_window(store, server.url, "demo-token")
    win.resize(1280, 800)
    win.show()
    win.start()
    app.processEvents()
    marks["window shown"] = time.time() - t0
    wait_until(app, lambda: win.map.is_ready, 30, "map ready")
    marks["map ready"] = time.time() - t0
    status: dict = {}

    def drawn() -> bool:
        status.update(run_js(app, win.map, "window.macMap.tileStatus()"))
        return status["loaded"] > 0 and not status["loading"]

    wait_until(app, drawn, 30, "tiles drawn")
    marks["tiles drawn"] = time.time() - t0
    marks["tiles"] = status["loaded"]
    print(json.dumps(marks), flush=True)
    stop.set()
    win.close()
    win.shutdown()
    server.stop()
    store.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--child", nargs=2, metavar=("T0", "DATA_DIR"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(float(args.child[0]), args.child[1])
        return 0
    totals = []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="mac-cold-") as data_dir:
            t0 = time.time()
            out = subprocess.run([sys.executable, __file__, "--child", repr(t0), data_dir],
                                 capture_output=True, text=True, timeout=120,
                                 env={**os.environ, "PYTHONDONTWRITEBYTECODE": "0"})
            lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
            if out.returncode != 0 or not lines:
                print(f"run {run}: failed (exit {out.returncode}): {out.stderr[-800:]}")
                continue
            marks = json.loads(lines[-1])
            totals.append(marks["tiles drawn"])
            print(f"run {run}: imports {marks['imports']:.2f} s, window shown "
                  f"{marks['window shown']:.2f} s, map ready {marks['map ready']:.2f} s, "
                  f"tiles drawn {marks['tiles drawn']:.2f} s ({marks['tiles']} tiles)")
    if totals:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"cold start to tiles drawn: median {statistics.median(totals):.2f} s, "
              f"min {min(totals):.2f} s, max {max(totals):.2f} s over {len(totals)} runs "
              f"(load average {load}); target <= 3 s")
    return 0 if totals else 1


if __name__ == "__main__":
    raise SystemExit(main())
