"""A second console on the same data directory exits at once with one clear line."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from console.feed.server import FeedServer
from console.runtime import AlreadyRunning, InstanceLock
from tests.reliability.conftest import ROOT, TOKEN, run_console


def test_second_window_exits_3_with_one_line(tmp_path: Path) -> None:
    with InstanceLock(tmp_path):  # held by this process: the console is a second one
        done = run_console("--data-dir", str(tmp_path), timeout=30)
    assert done.returncode == 3, done.stderr
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, done.stderr
    assert "already running" in lines[0] and str(tmp_path) in lines[0]
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "console.db").exists()  # the first one's store is untouched


def test_lock_is_per_directory_and_released(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    first = InstanceLock(a).acquire()
    try:
        InstanceLock(b).acquire().release()  # another directory: fine
        try:
            InstanceLock(a).acquire()
        except AlreadyRunning as exc:
            assert "already running" in str(exc)
        else:
            raise AssertionError("second lock on the same directory was granted")
    finally:
        first.release()
    InstanceLock(a).acquire().release()


def _headless(data: Path, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "console.runtime.headless", "--feed", url, "--token", TOKEN,
         "--data-dir", str(data), "--wait", "1", "--run-for", "30"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_console_leaves_no_stale_lock(tmp_path: Path, server: FeedServer) -> None:
    server.publish({"id": "REL-1", "revision": 1, "review": "machine",
                    "type": "single_gunshot", "time": "2026-11-26T12:00:00Z",
                    "location": {"lat": 60.17, "lon": 24.94, "uncertainty_m": 30}})
    first = _headless(tmp_path, server.url)
    try:
        assert first.stdout is not None
        assert first.stdout.readline().strip() == "READY"
        second = _headless(tmp_path, server.url)
        _out, err = second.communicate(timeout=30)
        assert second.returncode == 3 and "already running" in err
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    # the OS dropped the dead process's lock: a new console starts and reads the store
    third = _headless(tmp_path, server.url)
    try:
        assert third.stdout is not None
        assert third.stdout.readline().strip() == "READY"
    finally:
        third.send_signal(signal.SIGTERM)
        third.wait(timeout=15)
    assert third.returncode == 0
    InstanceLock(tmp_path).acquire().release()  # a clean exit released it too
