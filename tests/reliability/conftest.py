"""Reliability tests: real loopback feed, real SQLite files, real processes; tmpfs mounts
(as root) for a full disk and a read-only data directory."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from console.feed.server import FeedServer

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "rel-token"


def alert(n: int, rev: int = 1, notes: int = 0) -> dict:
    """A valid protocol alert for incident ``REL-<n>``; ``notes`` pads it (bytes)."""
    doc = {"id": f"REL-{n:04d}", "revision": rev, "review": "machine",
           "type": "single_gunshot", "time": "2026-11-26T12:00:00Z",
           "location": {"lat": 60.17, "lon": 24.94, "uncertainty_m": 30}}
    if notes:
        doc["notes"] = "n" * notes
    return doc


def run_console(*args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """``python main.py ARGS`` offscreen; its exit status and output."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _mount_tmpfs(target: Path, options: str) -> str | None:
    """Mount a tmpfs on ``target``; None on success, else why it cannot be done here."""
    if os.name != "posix" or os.geteuid() != 0:
        return "mounting a tmpfs needs root (CI runs as root)"
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                          capture_output=True, text=True, timeout=20)
    return None if done.returncode == 0 else f"mount -t tmpfs failed: {done.stderr.strip()}"


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """``tmpfs("size=2m")`` mounts a fresh tmpfs under tmp_path (skips when impossible)."""
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        target = tmp_path / f"mnt{len(mounted)}"
        why = _mount_tmpfs(target, options)
        if why is not None:
            pytest.skip(why)
        mounted.append(target)
        return target

    yield mount
    for target in reversed(mounted):
        with contextlib.suppress(Exception):
            subprocess.run(["umount", "-l", str(target)], capture_output=True, timeout=20)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer("127.0.0.1", 0, TOKEN, max_wait_s=2.0) as srv:
        yield srv
