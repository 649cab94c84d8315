"""Alert arrival to marker on the map, through the real main window (offscreen).

    .venv/bin/python benchmarks/alert_to_marker.py [--alerts 200] [--gap-ms 150] [--burst]

A loopback FeedServer publishes alerts one by one; the window built by
``build_main_window`` (feed client, SQLite store on a temporary file, QtAlertMap) polls
them. A MutationObserver in the page stamps the moment each incident's marker enters the
DOM; the figure is that stamp minus the publish time (same machine clock). Also shown:
publish -> the row in the queue model (feed + store + signal hop). Target: p99 <= 250 ms.

By default each alert is published once the previous one reached the queue, after a
jittered pause (alerts are minutes apart in service); ``--burst`` publishes on a fixed
schedule regardless (a stress figure: the map page has to keep up with the rate).
"""

from __future__ import annotations

import argparse
import os
import random
import threading
import time

from _common import (
    OBSERVE_MARKERS,
    alert,
    console_on_loopback,
    make_app,
    run_js,
    seen_in_page,
    summary_ms,
    wait_until,
)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--alerts", type=int, default=200)
    p.add_argument("--gap-ms", type=float, default=150.0,
                   help="mean pause between publishes (jittered +-50 %%)")
    p.add_argument("--burst", action="store_true",
                   help="do not wait for the previous alert before the next pause")
    args = p.parse_args()

    app = make_app()
    with console_on_loopback(app) as (win, server, store):
        run_js(app, win.map, OBSERVE_MARKERS)
        in_model: dict[str, float] = {}

        def rows_inserted(_parent, first, last) -> None:
            now = time.time()
            for r in range(first, last + 1):
                in_model.setdefault(win.model.row_at(r).alert.id, now)

        win.model.rowsInserted.connect(rows_inserted)
        win.start()

        published: dict[str, float] = {}
        rng = random.Random(7)

        def publisher() -> None:
            for i in range(args.alerts):
                deadline = time.monotonic() + 30
                while (not args.burst and i and alert(i - 1, "M")["id"] not in in_model
                       and time.monotonic() < deadline):
                    time.sleep(0.001)
                time.sleep(args.gap_ms / 1000.0 * rng.uniform(0.5, 1.5))
                a = alert(i, "M")
                published[a["id"]] = time.time()
                server.publish(a)

        t = threading.Thread(target=publisher, daemon=True)
        t.start()
        wait_until(app, lambda: not t.is_alive() and win.model.rowCount() >= args.alerts, 120,
                   "all alerts in the queue")
        seen: dict[str, float] = {}

        def all_seen() -> bool:
            seen.update(seen_in_page(app, win.map))
            return len(seen) >= args.alerts

        wait_until(app, all_seen, 30, "all markers in the page")
        to_marker = [seen[k] - published[k] for k in published]
        to_model = [in_model[k] - published[k] for k in published]
        markers = run_js(app, win.map, "window.macMap.markerCount()")
        mode = "burst" if args.burst else "paced"
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"alerts published: {args.alerts} ({mode}, mean gap {args.gap_ms:.0f} ms), "
              f"markers in page: {markers}, stored: {len(store.list_incidents(limit=10000))}, "
              f"load average {load}")
        print(f"publish -> row in queue model : {summary_ms(to_model)}")
        print(f"publish -> marker in the page : {summary_ms(to_marker)}")
        print("target: p99 <= 250 ms")
        if os.environ.get("MAC_BENCH_DEBUG"):
            print([round(x * 1000) for x in to_model])
            print([round(x * 1000) for x in to_marker])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
