"""The window's status bar names a store failure in plain words and clears it on recovery
(real window, real loopback feed, a second process holding the database's write lock)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from console.app import build_main_window
from console.feed.server import FeedServer
from console.feed.state import Backoff
from console.store import Store
from tests.reliability.conftest import TOKEN, alert
from tests.reliability.test_store_faults import _HOLD
from tests.ui.test_main_window_faults import close_window


def test_status_bar_shows_busy_store_then_recovers(qtbot, tmp_path: Path,
                                                   server: FeedServer) -> None:
    db = tmp_path / "console.db"
    store = Store(f"sqlite+pysqlite:///{db}", busy_timeout_ms=300)
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    win = None
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "LOCKED"
        server.publish(alert(1))
        win = build_main_window(store, server.url, TOKEN, sound=False, client_options={
            "wait": 0.5, "timeout": (1.0, 2.0), "backoff": Backoff(0.05, 0.2)})
        win.show()
        win.start()
        label = win.connection_label
        qtbot.waitUntil(lambda: "database is busy" in label.text(), timeout=15000)
        assert label.text().startswith("⚠ storage:")
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
        qtbot.waitUntil(lambda: label.text() == "● Feed connected", timeout=15000)
        qtbot.waitUntil(lambda: store.get_incident("REL-0001") is not None, timeout=5000)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=5)
        if win is not None:
            win.shutdown()
            close_window(qtbot, win)
        store.close()
