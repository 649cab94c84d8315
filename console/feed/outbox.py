"""Outbox sender: unit events are stored locally first, then POSTed until acknowledged.

The feed applies each ``event_id`` once, so a POST whose answer was lost is simply sent
again. Refusals that retrying cannot fix (4xx other than 401/403/408/429) mark the
event failed with the reason; it stays in the outbox for the record.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import quote

import requests

from console.domain.events import UnitEvent
from console.feed._http import FeedError, FeedHTTPError, FeedUnauthorized, request_json
from console.feed.state import Backoff
from console.store import OutboxItem, Store

__all__ = ["OutboxSender"]

log = logging.getLogger(__name__)
_RETRYABLE = frozenset({401, 403, 408, 425, 429})


class OutboxSender:
    def __init__(self, base_url: str, store: Store, session: requests.Session,
                 lock: threading.Lock, headers: dict[str, str],
                 timeout: tuple[float, float], backoff: Backoff | None = None) -> None:
        self.base_url = base_url
        self.store = store
        self._session = session
        self._lock = lock
        self._headers = headers
        self._timeout = (timeout[0], 15.0)
        self._wake = threading.Event()
        self._backoff = backoff or Backoff()

    def post(self, event: UnitEvent) -> bool:
        new = self.store.enqueue_event(event)
        self.wake()
        return new

    def wake(self) -> None:
        self._wake.set()

    def drain(self) -> int:
        """Send every pending event once, oldest first; raise on the first transient error.

        Batch after batch until none is left: after hours offline the queue is long, and
        waiting for the next wake-up between batches would pace it at 50 per 5 s.
        """
        acked = 0
        while batch := self.store.pending_events():
            for item in batch:
                acked += self._send(item)
        return acked

    def _send(self, item: OutboxItem) -> int:
        url = f"{self.base_url}/v1/incidents/{quote(item.incident_id, safe='')}/events"
        try:
            with self._lock:
                _status, body = request_json(self._session, "POST", url, cap=64 * 1024,
                                             json=item.payload, headers=self._headers,
                                             timeout=self._timeout)
        except FeedHTTPError as exc:
            if isinstance(exc, FeedUnauthorized) or exc.status in _RETRYABLE or exc.status >= 500:
                self.store.record_event_attempt(item.event_id, str(exc))
                raise
            log.error("event %s refused for good: %s", item.event_id, exc)
            self.store.record_event_attempt(item.event_id, str(exc))
            self.store.mark_event_failed(item.event_id, str(exc))
            return 0
        except FeedError as exc:
            self.store.record_event_attempt(item.event_id, str(exc))
            raise
        if not isinstance(body, dict) or body.get("event_id") != item.event_id:
            self.store.record_event_attempt(item.event_id, f"unexpected answer {body!r:.200}")
            raise FeedError(f"event answer does not name event {item.event_id}")
        self.store.record_event_attempt(item.event_id, None)
        self.store.mark_event_acked(item.event_id)
        return 1

    def run(self, stop: threading.Event) -> None:
        """Drain whenever woken (or every 5 s) until ``stop``; back off after failures."""
        self._wake.set()
        while not stop.is_set():
            if not self._wake.wait(5.0) and not self.store.pending_events(limit=1):
                continue
            self._wake.clear()
            if stop.is_set():
                return
            try:
                self.drain()
                self._backoff.reset()
            except Exception as exc:  # transient: keep the events, try again later
                log.info("outbox send failed: %s", exc)
                stop.wait(self._backoff.next_delay())
                self._wake.set()
