"""SIGKILL the headless console mid-run (a small version of scripts/fault_injection.py):
every revision stored once, every incident at its newest revision, every committed event
received by the server exactly once, integrity ok."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from console.feed.server import FeedServer
from tests.reliability.conftest import ROOT, TOKEN, alert


def _start(data: Path, url: str, emitted: set[str], done: set[int]) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "console.runtime.headless", "--feed", url, "--token", TOKEN,
         "--data-dir", str(data), "--wait", "0.5", "--backoff-cap", "0.3",
         "--emit-events", "6", "--emit-gap", "0.05", "--run-for", "60"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("EVENT "):
                emitted.add(line.split()[1])
            elif line.startswith("EMITTED"):
                done.add(proc.pid)

    threading.Thread(target=read, daemon=True).start()
    return proc


def _query(db: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _caught_up(db: Path, server: FeedServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            try:
                rows = _query(db, "SELECT max(last_seq) FROM feed_cursor")
            except sqlite3.OperationalError:  # the schema is still being created
                rows = [(0,)]
            if (rows[0][0] or 0) >= server.head:
                return
        time.sleep(0.05)
    raise AssertionError(f"the console did not reach seq {server.head} in {timeout} s")


def test_sigkill_and_restart_loses_nothing(tmp_path: Path, server: FeedServer) -> None:
    rng = random.Random(3)
    published: list[tuple[str, int]] = []
    for n in range(40):
        for rev in (2, 1, 3) if n % 5 == 0 else (1, 2, 3):  # some out of order
            server.publish(alert(n, rev))
            published.append((f"REL-{n:04d}", rev))
    emitted: set[str] = set()
    done: set[int] = set()
    db = tmp_path / "console.db"
    for round_ in range(4):
        server.faults.fail_next(1, status=503)
        server.faults.drop_next(1)
        server.faults.duplicate_next(1)
        proc = _start(tmp_path, server.url, emitted, done)
        if round_ == 2:  # renumber the feed once the car has read it (else revisions
            _caught_up(db, server, 20)  # compacted away would be missing by design)
            server.reset_cursor()
        time.sleep(rng.uniform(0.8, 1.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        for n in range(40 + 5 * round_, 45 + 5 * round_):
            server.publish(alert(n, 1))
            published.append((f"REL-{n:04d}", 1))
    proc = _start(tmp_path, server.url, emitted, done)
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if db.exists() and proc.pid in done:  # the schema exists by then
                cursor = _query(db, "SELECT max(last_seq) FROM feed_cursor")[0][0] or 0
                pending = _query(db, "SELECT count(*) FROM outbox WHERE acked_at IS NULL")[0][0]
                if cursor >= server.head and pending == 0:
                    break
            time.sleep(0.1)
        else:
            raise AssertionError("the console did not catch up within 40 s")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    revs = Counter(_query(db, "SELECT incident_id, revision FROM alert_revisions"))
    assert set(revs) == set(published) and max(revs.values()) == 1
    latest = dict(_query(db, "SELECT id, revision FROM incidents"))
    expected: dict[str, int] = {}
    for iid, rev in published:
        expected[iid] = max(rev, expected.get(iid, 0))
    assert latest == expected
    car = {r[0] for r in _query(db, "SELECT event_id FROM outbox")}
    received = [e["event_id"] for e in server.events]
    assert emitted <= car and len(car) >= 6
    assert sorted(received) == sorted(car)  # each exactly once, nothing else
    assert _query(db, "PRAGMA integrity_check") == [("ok",)]
