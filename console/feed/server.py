"""Reference alert service of feed protocol v1 (stdlib HTTP server, no framework).

Used by the tests, the fault-injection script and ``main.py serve``. Alerts are kept in
memory in feed order; ``publish`` assigns the next ``seq``. Fault knobs live on
``server.faults`` (see :mod:`console.feed.faults`).
"""

from __future__ import annotations

import bisect
import copy
import io
import logging
import threading
import uuid
import wave
from collections.abc import Callable, Sequence
from http.server import ThreadingHTTPServer
from typing import Any

from console.feed._handler import make_handler
from console.feed.faults import Faults

__all__ = ["FeedServer", "serve_forever"]

log = logging.getLogger(__name__)
MAX_WAIT_S = 60.0


def _clip_info(data: bytes) -> tuple[str, float | None]:
    if data[:4] == b"fLaC":
        return "audio/flac", None
    try:
        with wave.open(io.BytesIO(data)) as w:
            return "audio/wav", w.getnframes() / float(w.getframerate())
    except (wave.Error, EOFError, ZeroDivisionError):
        return "audio/wav", None


class FeedServer:
    """In-memory alert feed with long-poll, audio clips, idempotent events and fault knobs."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str = "test-token", *,
                 echo_events: bool = False, max_wait_s: float = MAX_WAIT_S) -> None:
        self.token = token
        self.echo_events = echo_events
        self.max_wait_s = max_wait_s
        self.faults = Faults()
        self.epoch = uuid.uuid4().hex
        self._addr = (host, port)
        self._cond = threading.Condition()
        self._seqs: list[int] = []
        self._alerts: list[dict[str, Any]] = []
        self._head = 0
        self._clips: dict[str, list[tuple[str, bytes]]] = {}
        self._events: dict[str, dict[str, Any]] = {}
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.request_count = 0
        self._waiting = 0

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> FeedServer:
        self._httpd = ThreadingHTTPServer(self._addr, make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={
            "poll_interval": 0.05}, name="feed-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; parked long polls are answered at once. Safe to call twice."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def stopping(self) -> threading.Event:
        return self._stopping

    # -- alerts -------------------------------------------------------------------------
    def publish(self, alert: dict[str, Any], audio: Sequence[bytes] = ()) -> int:
        """Append ``alert`` to the feed under the next seq and return that seq.

        The alert is not validated (tests publish malformed ones on purpose). ``audio``
        clips are served at ``/v1/alerts/<id>/audio/<n>``; when the alert has no
        ``audio`` member, references to the incident's clips are filled in.
        """
        entry = copy.deepcopy(alert)
        incident_id = str(entry.get("id", ""))
        with self._cond:
            if audio:
                self._clips[incident_id] = [(_clip_info(b)[0], bytes(b)) for b in audio]
            if "audio" not in entry and self._clips.get(incident_id):
                entry["audio"] = [self._audio_ref(incident_id, n, data)
                                  for n, (_mime, data) in enumerate(self._clips[incident_id])]
            self._head += 1
            entry["seq"] = self._head
            self._seqs.append(self._head)
            self._alerts.append(entry)
            self._cond.notify_all()
            return self._head

    @staticmethod
    def _audio_ref(incident_id: str, n: int, data: bytes) -> dict[str, Any]:
        mime, duration = _clip_info(data)
        return {"href": f"/v1/alerts/{incident_id}/audio/{n}", "mime": mime,
                "duration_s": duration}

    def alerts_after(
        self, after: int, limit: int, wait_s: float
    ) -> tuple[list[dict[str, Any]], int, str]:
        """Long-poll core: alerts with seq > after (at most ``limit``), last_seq, epoch."""
        with self._cond:
            self._waiting += 1
            try:
                self._cond.wait_for(lambda: self._head > after or self._stopping.is_set(),
                                    timeout=wait_s)
            finally:
                self._waiting -= 1
            start = bisect.bisect_right(self._seqs, after)
            batch = copy.deepcopy(self._alerts[start:start + limit])
            last_seq = batch[-1]["seq"] if batch else self._head
            return batch, last_seq, self.epoch

    @property
    def waiting(self) -> int:
        """Long polls currently parked on the server (lets tests publish mid-poll)."""
        with self._cond:
            return self._waiting

    @property
    def head(self) -> int:
        with self._cond:
            return self._head

    def reset_cursor(self) -> None:
        """Simulate a server whose numbering restarted: keep the newest entry per incident,
        renumber from 1 and change the feed epoch."""
        with self._cond:
            latest: dict[str, dict[str, Any]] = {}
            for entry in self._alerts:
                latest[str(entry.get("id", id(entry)))] = entry
            self._alerts = list(latest.values())
            for n, entry in enumerate(self._alerts, start=1):
                entry["seq"] = n
            self._seqs = [e["seq"] for e in self._alerts]
            self._head = len(self._alerts)
            self.epoch = uuid.uuid4().hex
            self._cond.notify_all()

    def clip(self, incident_id: str, n: int) -> tuple[str, bytes] | None:
        with self._cond:
            clips = self._clips.get(incident_id, [])
            return clips[n] if 0 <= n < len(clips) else None

    # -- events -------------------------------------------------------------------------
    def record_event(self, event: dict[str, Any]) -> bool | None:
        """Store a validated event; True if new, False if a duplicate, None on conflict."""
        with self._cond:
            known = self._events.get(event["event_id"])
            if known is not None:
                return False if known == event else None
            self._events[event["event_id"]] = event
            latest = self._latest(event["incident_id"]) if self.echo_events else None
        if latest is not None:
            relayed = {**latest, "revision": int(latest.get("revision", 0)) + 1,
                       "events": [*latest.get("events", []), event]}
            self.publish(relayed)
        return True

    def _latest(self, incident_id: str) -> dict[str, Any] | None:
        for entry in reversed(self._alerts):
            if entry.get("id") == incident_id:
                return copy.deepcopy(entry)
        return None

    @property
    def events(self) -> list[dict[str, Any]]:
        """Events received, once each, in arrival order."""
        with self._cond:
            return list(self._events.values())


def serve_forever(
    port: int, token: str, publisher: Callable[[FeedServer, threading.Event], None] | None = None,
    *, host: str = "127.0.0.1",
) -> None:
    """Run the reference feed until interrupted; ``publisher(server, stop)`` runs in a thread."""
    server = FeedServer(host, port, token).start()
    log.info("feed serving at %s", server.url)
    print(f"feed serving at {server.url} (Ctrl+C to stop)", flush=True)
    if publisher is not None:
        threading.Thread(target=publisher, args=(server, server.stopping), name="publisher",
                         daemon=True).start()
    try:
        server.stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
