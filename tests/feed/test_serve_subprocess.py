"""``python main.py serve --port P`` as a process: health, then a demo alert by long poll."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_main_py_serve_answers_health_and_long_polls_a_demo_alert(tmp_path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": "Bearer demo-token"}
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                health = requests.get(f"{base}/v1/health", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        assert health.status_code == 200
        # the demo publisher's first alert comes within its first delay: one long poll
        resp = requests.get(f"{base}/v1/alerts", params={"after": 0, "wait": 20},
                            headers=headers, timeout=30)
        assert resp.status_code == 200
        body = resp.json()
        assert body["alerts"], body
        first = body["alerts"][0]
        assert first["seq"] == 1 and first["id"] and first["type"]
        assert body["last_seq"] >= 1
        assert "sensors" not in first
        bad = requests.get(f"{base}/v1/alerts", params={"after": 0, "wait": 0},
                           headers={"Authorization": "Bearer wrong"}, timeout=5)
        assert bad.status_code == 401
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
            raise AssertionError("serve did not end on SIGTERM") from None
    assert proc.returncode in (0, -signal.SIGTERM)
