"""Locked database and full disk under a running FeedClient: a clear STORAGE state, the
cursor never ahead of what is stored, nothing lost, and recovery once the cause is gone."""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from console.feed.client import FeedClient
from console.feed.server import FeedServer
from console.feed.state import Backoff, ConnectionState, FeedStatus
from console.runtime import classify_store_error
from console.store import Store
from tests.reliability.conftest import TOKEN, alert

_HOLD = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
con.execute("BEGIN EXCLUSIVE")
print("LOCKED", flush=True)
sys.stdin.read()
con.execute("ROLLBACK")
"""


def wait_for(pred: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


class States:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[ConnectionState] = []

    def __call__(self, state: ConnectionState) -> None:
        with self.lock:
            self.seen.append(state)

    def storage(self) -> list[ConnectionState]:
        with self.lock:
            return [s for s in self.seen if s.status is FeedStatus.STORAGE]


@contextlib.contextmanager
def running(client: FeedClient) -> Iterator[FeedClient]:
    client.start()
    try:
        yield client
    finally:
        client.stop(timeout=5)


def _stored_ids(store: Store) -> set[str]:
    return {r.alert.id for r in store.list_incidents(limit=10_000)}


def _integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def _cursor_behind_data(store: Store, server: FeedServer, feed_url: str) -> None:
    """Every alert at or below the stored cursor is in the store (none skipped)."""
    cursor = store.cursor(feed_url)
    stored = _stored_ids(store)
    with server._cond:
        upto = {e["id"] for e in server._alerts if e["seq"] <= cursor}
    assert upto <= stored, f"cursor {cursor} is past unstored alerts {sorted(upto - stored)[:5]}"


def test_locked_database(tmp_path: Path, server: FeedServer) -> None:
    db = tmp_path / "console.db"
    store = Store(f"sqlite+pysqlite:///{db}", busy_timeout_ms=300)
    for n in range(5):
        server.publish(alert(n))
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    states = States()
    client = FeedClient(server.url, TOKEN, store, wait=0.5, backoff=Backoff(0.05, 0.2),
                        on_state=states)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "LOCKED"
        with pytest.raises(Exception) as caught:  # noqa: PT011 - classified below
            client.poll_once()
        problem = classify_store_error(caught.value)
        assert problem is not None and problem.kind == "busy"
        assert "database is busy" in problem.message
        with running(client):
            wait_for(lambda: bool(states.storage()), 10, "a STORAGE state")
            state = states.storage()[-1]
            assert "database is busy" in (state.error or "") and "⚠" in state.text
            for n in range(5, 10):
                server.publish(alert(n))
            time.sleep(0.5)
            assert store.cursor(client.feed_url) == 0  # readers still work; nothing moved
            assert _stored_ids(store) == set()
            assert holder.stdin is not None
            holder.stdin.close()
            holder.wait(timeout=10)
            wait_for(lambda: len(_stored_ids(store)) == 10, 15, "all 10 alerts stored")
            wait_for(lambda: client.state.status is FeedStatus.CONNECTED, 5, "connected")
            assert client.storage_problem is None
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=5)
        store.close()
    assert _integrity(db) == "ok"


def _fill(folder: Path) -> Path:
    """Fill the file system holding ``folder``; returns the filler file."""
    filler = folder / "filler.bin"
    block = b"\0" * 65536
    with open(filler, "wb") as fh:
        for _ in range(100_000):  # bounded: a 16 MiB tmpfs fills in ~256 blocks
            try:
                fh.write(block)
                fh.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
        with contextlib.suppress(OSError):
            fh.close()
    for size in (4096, 512, 1):  # the last crumbs
        with contextlib.suppress(OSError), open(folder / f"crumb{size}", "wb") as fh:
            for _ in range(10_000):
                fh.write(b"\0" * size)
                fh.flush()
    return filler


def test_disk_full(tmpfs: Callable[[str], Path], server: FeedServer) -> None:
    # 16 MiB: the store (~1 MiB of alerts) plus a WAL that checkpoints only at 4 MiB
    mnt = tmpfs("size=16m")
    db = mnt / "console.db"
    store = Store(f"sqlite+pysqlite:///{db}", busy_timeout_ms=300)
    states = States()
    client = FeedClient(server.url, TOKEN, store, wait=0.5, backoff=Backoff(0.05, 0.2),
                        limit=20, on_state=states)
    try:
        with running(client):
            server.publish(alert(0))
            wait_for(lambda: len(_stored_ids(store)) == 1, 10, "the first alert stored")
            _fill(mnt)
            total = 300
            for n in range(1, total):  # ~1 MiB of alerts: more than any WAL slack
                server.publish(alert(n, notes=3500))
            wait_for(lambda: bool(states.storage()), 20, "a STORAGE state")
            state = states.storage()[-1]
            assert client.storage_problem is not None
            assert client.storage_problem.kind == "disk_full"
            assert "disk full" in (state.error or "")
            assert "kept on the server" in (state.error or "")
            time.sleep(0.5)
            _cursor_behind_data(store, server, client.feed_url)
            assert len(_stored_ids(store)) < total
            for f in mnt.iterdir():  # IT frees space
                if f.name.startswith(("filler", "crumb")):
                    f.unlink()
            wait_for(lambda: len(_stored_ids(store)) == total, 30, f"all {total} alerts")
            wait_for(lambda: client.state.status is FeedStatus.CONNECTED, 5, "connected")
            assert store.cursor(client.feed_url) == server.head
    finally:
        store.close()
    assert _integrity(db) == "ok"
