"""Fault injection: a misbehaving feed on loopback and a console killed with SIGKILL.

    .venv/bin/python scripts/fault_injection.py [--alerts 1000] [--kills 20] [--seed N]

Prints figures; it is not a test and never a CI gate. The reference FeedServer (127.0.0.1
only) publishes ``--alerts`` alerts over a few hundred incidents with several revisions
each, some revisions published out of order (revision 2 before revision 1), while a
schedule arms its fault knobs: 500/503 answers, dropped connections, hangs longer than
the client's read timeout, truncated bodies, duplicated batches, oversized answers, and
cursor resets with a new epoch. The console runs as the headless client process
(``python -m console.runtime.headless``: the window's FeedClient, Store and outbox without
Qt, so 21 starts cost seconds, not minutes); it records status and canvass events through
the officer path at random moments and is SIGKILLed ``--kills`` times and restarted.

Afterwards it checks, against the server's own record: every published revision stored
exactly once (except revisions a cursor reset compacted away before the client read them,
counted apart), every incident at its highest revision, every event in the car's outbox
received by the server exactly once and nothing else received, ``PRAGMA integrity_check``.
Every loop is bounded; the run stops by itself.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from console.feed.server import FeedServer  # noqa: E402

TOKEN = "fault-token"
REVIEWS = ("machine", "reviewed", "updated")
TYPES = ("single_gunshot", "multiple_gunshots", "probable_gunfire")


class CountingServer(FeedServer):
    """The reference server, counting how each event POST ended (new/duplicate/conflict)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event_posts: Counter[str] = Counter()

    def record_event(self, event: dict[str, Any]) -> bool | None:
        outcome = super().record_event(event)
        self.event_posts[{True: "new", False: "duplicate", None: "conflict"}[outcome]] += 1
        return outcome


def make_schedule(n_alerts: int, rng: random.Random) -> tuple[list[tuple[str, int]], int]:
    """(incident id, revision) in publish order; a share of incidents get rev 2 before 1."""
    incidents: list[list[int]] = []
    left = n_alerts
    while left > 0:
        k = min(left, rng.randint(1, 6))
        incidents.append(list(range(1, k + 1)))
        left -= k
    queues = {f"FI-{i:04d}": list(revs) for i, revs in enumerate(incidents)}
    order: list[tuple[str, int]] = []
    live = list(queues)
    while live:
        iid = rng.choice(live)
        order.append((iid, queues[iid].pop(0)))
        if not queues[iid]:
            live.remove(iid)
    swapped = 0
    pos = {item: n for n, item in enumerate(order)}
    for iid, revs in enumerate(incidents):
        name = f"FI-{iid:04d}"
        if len(revs) >= 2 and rng.random() < 0.2:
            a, b = pos[(name, 1)], pos[(name, 2)]
            order[a], order[b] = order[b], order[a]
            swapped += 1
    return order, swapped


def make_alert(iid: str, rev: int, rng: random.Random) -> dict[str, Any]:
    n = int(iid.split("-")[1])
    t0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC) + timedelta(seconds=37 * n)
    return {
        "id": iid, "revision": rev, "review": REVIEWS[min(rev - 1, 2)],
        "type": TYPES[n % 3], "time": t0.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "location": {"lat": 60.16 + (n % 50) * 0.0005, "lon": 24.93 + (n // 50) * 0.0007,
                     "uncertainty_m": 25 + rev},
        "rounds": rev + 1, "notes": f"revision {rev} " + "x" * rng.randint(0, 200),
    }


def client_cursor(db: Path, epoch: str | None = None) -> int:
    """The console's stored cursor; -1 when unreadable or (given ``epoch``) when it still
    counts in an older numbering of the feed (it has not re-read since a reset)."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=2)
        try:
            row = con.execute("SELECT max(last_seq), max(epoch) FROM feed_cursor").fetchone()
            if epoch is not None and row[1] != epoch:
                return -1
            return int(row[0] or 0)
        finally:
            con.close()
    except sqlite3.Error:
        return -1


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rng = random.Random(args.seed)
        self.server = CountingServer("127.0.0.1", 0, TOKEN, max_wait_s=5.0).start()
        # a client killed mid-request resets its connection: expected here, not news
        self.server._httpd.handle_error = lambda *_: None  # type: ignore[union-attr]
        self.tmp = Path(tempfile.mkdtemp(prefix="mac-faults-"))
        self.db = self.tmp / "console.db"
        self.faults: Counter[str] = Counter()
        self.published: dict[tuple[str, int], int] = {}  # (id, rev) -> seq
        self.compacted: set[tuple[str, int]] = set()  # dropped by a reset before being read
        self.reset_behind = 0
        self.emitted: set[str] = set()
        self.stop_faults = threading.Event()
        self.publish_done = threading.Event()
        self.lock = threading.Lock()
        self.kills = self.restarts = 0
        self.proc: subprocess.Popen[str] | None = None
        self.readers: list[threading.Thread] = []
        self.finished_emitting: set[int] = set()
        self.gui_emitter_done = threading.Event()

    # -- the console process ------------------------------------------------------------
    def start_client(self, events: int) -> None:
        env = dict(os.environ)
        if self.args.console == "gui":  # the real window, offscreen; events come from
            cmd = [sys.executable, "main.py", "--feed", self.server.url,  # gui_events()
                   "--token", TOKEN, "--data-dir", str(self.tmp)]
            env["QT_QPA_PLATFORM"] = "offscreen"
            if os.geteuid() == 0:
                env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
        else:
            cmd = [sys.executable, "-m", "console.runtime.headless", "--feed",
                   self.server.url, "--token", TOKEN, "--data-dir", str(self.tmp),
                   "--wait", "1", "--backoff-cap", "1.0", "--emit-events", str(events),
                   "--emit-gap", "0.12", "--seed", str(self.rng.randrange(2**31))]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, env=env,
                                     stderr=open(self.tmp / "client.err", "a"),  # noqa: SIM115
                                     text=True)
        reader = threading.Thread(target=self._read, args=(self.proc,), daemon=True)
        reader.start()
        self.readers.append(reader)

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("EVENT "):
                with self.lock:
                    self.emitted.add(line.split()[1])
            elif line.startswith("EMITTED"):
                self.finished_emitting.add(proc.pid)

    def kill_client(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.kills += 1

    def gui_events(self, n: int) -> None:
        """GUI mode: record ``n`` events through the officer path of the same store file
        (``Store.record_local_event``) while the window runs; its outbox sends them."""
        from console.domain.events import new_event
        from console.store import Store

        deadline = time.monotonic() + 60
        while client_cursor(self.db) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)  # let the window create the schema first
        store = Store(f"sqlite+pysqlite:///{self.db}")
        try:
            for k in range(n):  # bounded: n events, about 0.2 s apart
                time.sleep(self.rng.uniform(0.05, 0.4))
                incidents = store.list_incidents(limit=500)
                if not incidents:
                    continue
                iid = self.rng.choice(incidents).alert.id
                data = ({"status": "en_route"} if k % 2 == 0 else
                        {"record": "visit", "address_key": f"k{k}", "address": f"{k} Main St",
                         "result": "no_answer"})
                event = new_event(iid, "status" if k % 2 == 0 else "canvass", "2A12", data)
                store.record_local_event(event)
                with self.lock:
                    self.emitted.add(event.event_id)
        finally:
            store.close()
            self.gui_emitter_done.set()

    # -- the feed -----------------------------------------------------------------------
    def publisher(self, order: list[tuple[str, int]], span_s: float) -> None:
        gap = span_s / max(1, len(order))
        for iid, rev in order:
            if self.stop_faults.wait(gap * self.rng.uniform(0.0, 2.0)):
                break
            seq = self.server.publish(make_alert(iid, rev, self.rng))
            with self.lock:
                self.published[(iid, rev)] = seq
        self.publish_done.set()

    def fault_schedule(self, resets: int) -> None:
        f = self.server.faults
        reset_at = sorted(self.rng.uniform(0.2, 0.8) for _ in range(resets))
        t0 = time.monotonic()
        span = self.args.span
        for _ in range(10_000):  # bounded: stops with the publisher or the run
            # the window backs off up to 30 s (protocol); its faults come 4x less often
            scale = 4.0 if self.args.console == "gui" else 1.0
            if self.stop_faults.wait(scale * self.rng.uniform(0.15, 0.6)):
                return
            if reset_at and time.monotonic() - t0 > reset_at[0] * span:
                reset_at.pop(0)
                self.reset()
                continue
            kind = self.rng.choices(
                ["fail500", "fail503", "drop", "truncate", "duplicate", "oversize", "hang",
                 "drop_event", "fail_event"],
                weights=[3, 3, 3, 3, 3, 1, 0.4, 2, 2])[0]
            if kind == "fail500":
                f.fail_next(1, status=500)
            elif kind == "fail503":
                f.fail_next(1, status=503)
            elif kind == "drop":
                f.drop_next(1)
            elif kind == "truncate":
                f.truncate_next(1)
            elif kind == "duplicate":
                f.duplicate_next(1)
            elif kind == "oversize":
                f.oversize_next(1, size=9 * 1024 * 1024)
            elif kind == "hang":
                f.hang_next(1, seconds=7.5, path="/v1/alerts")  # client read timeout is 6 s
            elif kind == "drop_event":
                f.drop_next(1, path="/v1/incidents")
            else:
                f.fail_next(1, status=503, path="/v1/incidents")
            self.faults[kind] += 1
            if self.publish_done.is_set() and time.monotonic() - t0 > span + 5:
                return

    def reset(self) -> None:
        """Renumber the feed with a new epoch, preferably when the client has caught up."""
        deadline = time.monotonic() + 4.0
        epoch = self.server.epoch
        while (time.monotonic() < deadline
               and client_cursor(self.db, epoch) < self.server.head):
            time.sleep(0.1)
        cursor = client_cursor(self.db, epoch)
        with self.server._cond:  # (re-entrant) what the compaction drops, and if it was read
            entries = list(self.server._alerts)
            latest = {e["id"]: e for e in entries}
            dropped = [e for e in entries if latest[e["id"]] is not e]
            unread = {(e["id"], e["revision"]) for e in dropped if e["seq"] > cursor}
            self.server.reset_cursor()
        with self.lock:
            self.compacted |= unread
            self.reset_behind += bool(unread)
        self.faults["reset_cursor"] += 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--alerts", type=int, default=1000)
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--events", type=int, default=200, help="unit events to record")
    p.add_argument("--resets", type=int, default=3)
    p.add_argument("--span", type=float, default=40.0, help="seconds to publish over")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--keep", action="store_true", help="keep the data directory")
    p.add_argument("--console", choices=("headless", "gui"), default="headless",
                   help="headless: python -m console.runtime.headless (default); gui: "
                        "python main.py offscreen (about 2 s to start instead of 0.4 s)")
    args = p.parse_args()
    t_start = time.monotonic()
    run = Run(args)
    order, swapped = make_schedule(args.alerts, run.rng)
    per_life = max(1, args.events // (args.kills + 1))
    threads = [threading.Thread(target=run.publisher, args=(order, args.span), daemon=True),
               threading.Thread(target=run.fault_schedule, args=(args.resets,), daemon=True)]
    if args.console == "gui":
        threads.append(threading.Thread(target=run.gui_events, args=(args.events,),
                                        daemon=True))
    for t in threads:
        t.start()
    run.start_client(per_life)
    kill_gap = args.span / max(1, args.kills)
    startup = 2.0 if args.console == "gui" else 0.0  # the window needs ~2 s to poll
    for _ in range(args.kills):
        time.sleep(startup + run.rng.uniform(0.3, 2 * kill_gap - 0.3))
        run.kill_client()
        run.start_client(per_life)
        run.restarts += 1
    run.publish_done.wait(timeout=args.span * 3 + 30)
    run.stop_faults.set()
    run.server.faults.clear()
    for t in threads:
        t.join(timeout=10)
    # let the final client catch up (bounded), then stop it cleanly
    deadline = time.monotonic() + 90
    caught_up = False
    while time.monotonic() < deadline:
        stored = _stored(run.db)
        if (stored is not None
                and client_cursor(run.db, run.server.epoch) >= run.server.head
                and stored["pending_events"] == 0 and run.proc is not None
                and (run.proc.pid in run.finished_emitting if args.console == "headless"
                     else run.gui_emitter_done.is_set())):
            caught_up = True
            break
        time.sleep(0.5)
    assert run.proc is not None
    run.proc.send_signal(signal.SIGTERM)
    try:
        run.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        run.kill_client()
    for r in run.readers:
        r.join(timeout=5)
    run.server.stop()
    ok = report(run, order, swapped, caught_up, time.monotonic() - t_start)
    if not args.keep:
        import shutil

        shutil.rmtree(run.tmp, ignore_errors=True)
    else:
        print(f"data directory kept: {run.tmp}")
    return 0 if ok else 1


def _stored(db: Path) -> dict[str, Any] | None:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=2)
        try:
            pending = con.execute("SELECT count(*) FROM outbox WHERE acked_at IS NULL "
                                  "AND failed_at IS NULL").fetchone()[0]
            return {"pending_events": pending}
        finally:
            con.close()
    except sqlite3.Error:
        return None


def report(run: Run, order: list[tuple[str, int]], swapped: int, caught_up: bool,
           elapsed: float) -> bool:
    con = sqlite3.connect(run.db)
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    revs = Counter(con.execute("SELECT incident_id, revision FROM alert_revisions").fetchall())
    incidents = dict(con.execute("SELECT id, revision FROM incidents").fetchall())
    outbox = con.execute("SELECT event_id, acked_at, failed_at FROM outbox").fetchall()
    rejected = con.execute("SELECT count(*) FROM rejected_alerts").fetchone()[0]
    con.close()
    published = set(run.published)
    stored = set(revs)
    twice = [k for k, n in revs.items() if n > 1]
    missing = published - stored - run.compacted
    unknown = stored - published
    expect_latest: dict[str, int] = {}
    for iid, rev in published - run.compacted:
        expect_latest[iid] = max(rev, expect_latest.get(iid, 0))
    wrong_latest = {i: (incidents.get(i), r) for i, r in expect_latest.items()
                    if incidents.get(i) != r}
    server_ids = [e["event_id"] for e in run.server.events]
    car_ids = {row[0] for row in outbox}
    not_acked = [row[0] for row in outbox if row[1] is None]
    failed = [row[0] for row in outbox if row[2] is not None]
    ev_missing = car_ids - set(server_ids)
    ev_extra = set(server_ids) - car_ids
    ev_dupes = len(server_ids) - len(set(server_ids))
    emitted_lost = run.emitted - car_ids
    posts = run.server.event_posts
    lines = [
        ("alerts published", f"{len(order)} ({len(expect_latest)} incidents, "
                             f"{swapped} with revision 2 published before revision 1)"),
        ("revisions stored", f"{len(stored)} of {len(published)}; stored twice "
                             f"{len(twice)}; missing {len(missing)}; not published "
                             f"{len(unknown)}; compacted away by a reset before being read "
                             f"{len(run.compacted & (published - stored))}"),
        ("incidents at latest revision", f"{len(expect_latest) - len(wrong_latest)} of "
                                         f"{len(expect_latest)}"),
        ("rejected alerts", str(rejected)),
        ("events in the car's outbox", f"{len(car_ids)} (printed as committed by the "
                                       f"client: {len(run.emitted)}, of those not in the "
                                       f"store: {len(emitted_lost)})"),
        ("events received by the server", f"{len(server_ids)}; duplicates {ev_dupes}; "
                                          f"missing {len(ev_missing)}; unknown "
                                          f"{len(ev_extra)}; unacked in car "
                                          f"{len(not_acked)}; failed {len(failed)}"),
        ("event POSTs", f"new {posts['new']}, re-sent duplicates absorbed "
                        f"{posts['duplicate']}, conflicts {posts['conflict']}"),
        ("PRAGMA integrity_check", integrity),
        ("faults injected", ", ".join(f"{k} {v}" for k, v in sorted(run.faults.items()))
         + f" (total {sum(run.faults.values())}; resets while client behind "
           f"{run.reset_behind})"),
        ("SIGKILLs / restarts", f"{run.kills} / {run.restarts}"),
        ("final catch-up", "yes" if caught_up else "NO (timed out)"),
        ("elapsed", f"{elapsed:.1f} s"),
    ]
    width = max(len(k) for k, _ in lines)
    print(f"fault injection: feed on 127.0.0.1, console = {run.args.console} process")
    for k, v in lines:
        print(f"  {k:<{width}}  {v}")
    ok = (integrity == "ok" and not twice and not missing and not unknown
          and not wrong_latest and not ev_missing and not ev_extra and not ev_dupes
          and not emitted_lost and not not_acked and posts["conflict"] == 0 and caught_up)
    print("RESULT:", "PASS" if ok else "FAIL")
    if wrong_latest:
        print("  wrong latest (stored, expected), first 5:", list(wrong_latest.items())[:5])
    if missing:
        print("  missing revisions, first 5:", sorted(missing)[:5])
    return ok


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
