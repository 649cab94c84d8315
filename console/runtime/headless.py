"""Headless console: the same FeedClient + Store + outbox as the window, without Qt.

    python -m console.runtime.headless --feed URL --data-dir DIR [--emit-events N]

It takes the data directory's single-instance lock and checks the directory like the
window does, polls the feed into the store and drains the outbox until SIGTERM/SIGINT
(or ``--run-for`` seconds). ``--emit-events N`` records N unit events (status and
canvass, alternating) through the officer path (``Store.record_local_event``: stored and
queued in one transaction) at random moments, printing ``EVENT <event_id>`` once each is
committed. Used by ``scripts/fault_injection.py``, which SIGKILLs it at random moments;
its exit statuses match the window's (2: data directory, 3: already running).
"""

from __future__ import annotations

import argparse
import logging
import random
import signal
import sys
import threading
import time
from collections.abc import Sequence

from console.domain.events import new_event
from console.feed.client import FeedClient
from console.feed.state import Backoff
from console.runtime.datadir import DB_NAME, DataDirError, check_data_dir
from console.runtime.instance import AlreadyRunning, InstanceLock
from console.runtime.storage import classify_store_error
from console.store import Store

__all__ = ["main"]

log = logging.getLogger("console.headless")
_STATUSES = ("acknowledged", "en_route", "on_scene", "clear")
_RESULTS = ("no_answer", "contacted_no_info", "heard_shots", "saw_something")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m console.runtime.headless",
                                description="Run the feed client and outbox without the GUI.")
    p.add_argument("--feed", required=True, metavar="URL")
    p.add_argument("--token", default="demo-token")
    p.add_argument("--data-dir", required=True, metavar="DIR")
    p.add_argument("--wait", type=float, default=25.0, help="long-poll wait (s)")
    p.add_argument("--backoff-cap", type=float, default=30.0, help="retry delay cap (s)")
    p.add_argument("--emit-events", type=int, default=0, metavar="N")
    p.add_argument("--emit-gap", type=float, default=0.5,
                   help="mean seconds between emitted events")
    p.add_argument("--unit", default="2A12", help="call sign of emitted events")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--run-for", type=float, default=None, metavar="S")
    return p


def _emit(store: Store, client: FeedClient, n: int, gap: float, unit: str,
          rng: random.Random, stop: threading.Event) -> None:
    done = 0
    while done < n and not stop.is_set():
        if stop.wait(rng.expovariate(1.0 / gap) if gap > 0 else 0):
            return
        incidents = store.list_incidents(limit=500)
        if not incidents:
            continue
        incident = rng.choice(incidents).alert.id
        if done % 2 == 0:
            event = new_event(incident, "status", unit, {"status": rng.choice(_STATUSES)})
        else:
            event = new_event(incident, "canvass", unit, {
                "record": "visit", "address_key": f"k{rng.randrange(10_000)}",
                "address": f"{rng.randrange(1, 200)} Main St", "result": rng.choice(_RESULTS)})
        try:
            store.record_local_event(event)
        except Exception as exc:
            problem = classify_store_error(exc)
            log.error("event not recorded: %s", problem.message if problem else exc)
            continue
        print(f"EVENT {event.event_id}", flush=True)  # committed: must reach the server
        client.outbox.wake()
        done += 1
    print(f"EMITTED {done}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        folder = check_data_dir(args.data_dir)
        lock = InstanceLock(folder).acquire()
    except DataDirError as exc:
        print(f"mobile-alert-console: {exc}", file=sys.stderr)
        return 2
    except AlreadyRunning as exc:
        print(f"mobile-alert-console: {exc}", file=sys.stderr)
        return 3
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        store = Store(f"sqlite+pysqlite:///{folder / DB_NAME}")
    except Exception as exc:
        problem = classify_store_error(exc)
        if problem is None:
            raise
        print(f"mobile-alert-console: cannot open the store in {folder}: {problem.message}",
              file=sys.stderr)
        lock.release()
        return 2
    client = FeedClient(args.feed, args.token, store, wait=args.wait,
                        backoff=Backoff(0.1, max(0.1, args.backoff_cap)))
    client.start()
    print("READY", flush=True)
    rng = random.Random(args.seed)
    emitter = None
    if args.emit_events > 0:
        emitter = threading.Thread(target=_emit, args=(store, client, args.emit_events,
                                                       args.emit_gap, args.unit, rng, stop),
                                   name="emit-events", daemon=True)
        emitter.start()
    deadline = None if args.run_for is None else time.monotonic() + args.run_for
    while not stop.wait(0.2):
        if deadline is not None and time.monotonic() > deadline:
            break
    stop.set()
    client.stop(timeout=2.0)
    store.close()
    lock.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
