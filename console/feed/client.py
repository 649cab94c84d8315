"""Feed client: long-polls the alert feed into the store and reports link state.

``poll_once`` fetches one batch, validates each alert, and stores the good ones, the
rejected ones and the new cursor in one transaction (store first, then advance).
``run(stop)`` loops with full-jitter backoff and drives :class:`ConnectionState`.
Plain threads; the Qt layer wraps the callbacks.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests

from console.domain.alert import FORBIDDEN_FIELDS, Alert, parse_alert
from console.domain.events import UnitEvent
from console.feed._http import (
    FeedError,
    FeedProtocolError,
    FeedTooLarge,
    FeedUnauthorized,
    request_bytes,
    request_json,
)
from console.feed.outbox import OutboxSender
from console.feed.state import Backoff, ConnectionState, FeedStatus
from console.runtime.storage import StoreProblem, classify_store_error
from console.store import RejectedInput, Store

__all__ = ["FeedClient"]

log = logging.getLogger(__name__)
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
MAX_AUDIO_BYTES = 64 * 1024 * 1024


def _raw_text(raw: Any) -> str:
    if isinstance(raw, dict):
        raw = {k: v for k, v in raw.items() if k not in FORBIDDEN_FIELDS}
    return json.dumps(raw, ensure_ascii=True, sort_keys=True, default=str)


def _seq_of(raw: Any) -> int | None:
    seq = raw.get("seq") if isinstance(raw, dict) else None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) and 0 < seq < 2**63 else None


def _notify(callback: Callable[..., None] | None, *args: Any) -> None:
    # An observer's bug must not be mistaken for a feed failure (the data is committed).
    if callback is None:
        return
    try:
        callback(*args)
    except Exception:
        log.exception("feed observer %r failed", callback)


class FeedClient:
    """Client of feed protocol v1 storing into ``store``; see ``docs/feed-protocol.md``."""

    def __init__(
        self, base_url: str, token: str, store: Store, *,
        session: requests.Session | None = None, wait: float = 25.0,
        timeout: tuple[float, float] | None = None, limit: int = 100,
        max_response_bytes: int = MAX_RESPONSE_BYTES, offline_after_s: float = 30.0,
        backoff: Backoff | None = None,
        on_state: Callable[[ConnectionState], None] | None = None,
        on_alerts: Callable[[list[Alert]], None] | None = None,
        on_rejected: Callable[[str, str], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.feed_url = self.base_url
        self.store = store
        self.wait = wait
        self.timeout = timeout or (3.05, wait + 5.0)
        self.limit = limit
        self.max_response_bytes = max_response_bytes
        self.offline_after_s = offline_after_s
        self.on_state, self.on_alerts, self.on_rejected = on_state, on_alerts, on_rejected
        self.rejected_count = 0
        #: the last store failure while polling (None once a batch is stored again)
        self.storage_problem: StoreProblem | None = None
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._session = session or requests.Session()
        self._aux = requests.Session()
        self._aux_lock = threading.Lock()
        self._backoff = backoff or Backoff()
        self._batch_limit = limit
        self._failing_since: datetime | None = None
        self.state = ConnectionState(FeedStatus.RETRYING, datetime.now(UTC), 0, "not polled yet")
        self.outbox = OutboxSender(self.base_url, store, self._aux, self._aux_lock,
                                   self._headers, self.timeout,
                                   Backoff(self._backoff.base_s, self._backoff.cap_s))
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    # -- polling ------------------------------------------------------------------------
    def poll_once(self) -> list[Alert]:
        """One long poll; returns the alerts that were new or newer revisions."""
        cur = self.store.cursor_state(self.feed_url)
        # until the feed has answered (at start, after a failure) ask without waiting, so
        # the connection state is known at once rather than after a whole long poll
        wait = self.wait if self.state.status is FeedStatus.CONNECTED else 0
        params = {"after": cur.last_seq, "wait": wait, "limit": self._batch_limit}
        _status, body = request_json(self._session, "GET", f"{self.base_url}/v1/alerts",
                                     cap=self.max_response_bytes, params=params,
                                     headers=self._headers, timeout=self.timeout)
        raw_alerts, last_seq, epoch = self._envelope(body)
        if epoch is not None and cur.epoch is not None and epoch != cur.epoch:
            log.warning("feed epoch changed (%s -> %s): re-syncing from 0", cur.epoch, epoch)
            self.store.reset_cursor(self.feed_url, epoch)
            return []
        if not raw_alerts:
            if last_seq < cur.last_seq:
                log.warning("feed cursor reset (last_seq %d < %d): re-syncing from 0",
                            last_seq, cur.last_seq)
                self.store.reset_cursor(self.feed_url, epoch)
            elif epoch is not None and cur.epoch is None:
                self.store.ingest([], self.feed_url, cur.last_seq, epoch=epoch)
            return []
        return self._ingest(raw_alerts, last_seq, epoch)

    @staticmethod
    def _envelope(body: Any) -> tuple[list[Any], int, str | None]:
        if not isinstance(body, dict):
            raise FeedProtocolError("response is not a JSON object")
        alerts, last_seq, epoch = body.get("alerts"), body.get("last_seq"), body.get("epoch")
        if not isinstance(alerts, list):
            raise FeedProtocolError("response.alerts is not a list")
        if isinstance(last_seq, bool) or not isinstance(last_seq, int) or last_seq < 0:
            raise FeedProtocolError(f"response.last_seq is not a count: {last_seq!r}")
        if epoch is not None and (not isinstance(epoch, str) or not 0 < len(epoch) <= 128):
            raise FeedProtocolError(f"response.epoch is not a short string: {epoch!r}")
        return alerts, last_seq, epoch

    def _ingest(self, raw_alerts: list[Any], last_seq: int, epoch: str | None) -> list[Alert]:
        good: list[Alert] = []
        rejected: list[RejectedInput] = []
        for raw in raw_alerts:
            try:
                good.append(parse_alert(raw))
            except ValueError as exc:  # AlertValidationError
                rejected.append(RejectedInput(_raw_text(raw), str(exc), _seq_of(raw)))
        highest = max((a.seq for a in good), default=0)
        if highest > last_seq:
            raise FeedProtocolError(f"last_seq {last_seq} is below alert seq {highest}")
        result = self.store.ingest(good, self.feed_url, last_seq, rejected=rejected,
                                   epoch=epoch)
        for item in rejected:
            self.rejected_count += 1
            log.warning("rejected alert seq=%s: %s", item.seq, item.reason)
            _notify(self.on_rejected, item.reason, item.raw)
        changed = list(result.changed)
        if changed:
            _notify(self.on_alerts, changed)
        return changed

    def run(self, stop: threading.Event) -> None:
        """Poll until ``stop`` is set, backing off after failures."""
        while not stop.is_set():
            try:
                self.poll_once()
            except FeedError as exc:
                self._failed(exc)
            except Exception as exc:  # a store failure must not kill the worker
                problem = classify_store_error(exc)
                if problem is None:
                    log.exception("feed poll failed")
                self._failed(exc, problem)
            else:
                self._succeeded()
                continue
            stop.wait(self._backoff.next_delay())

    def _succeeded(self) -> None:
        self._backoff.reset()
        self._batch_limit = self.limit
        self._failing_since = None
        self.storage_problem = None
        if self.state.status is not FeedStatus.CONNECTED:
            self._set_state(ConnectionState(FeedStatus.CONNECTED, datetime.now(UTC)))

    def _failed(self, exc: Exception, problem: StoreProblem | None = None) -> None:
        now = datetime.now(UTC)
        if problem is not None:  # the feed is fine; the car's store is not
            if self.storage_problem is None or self.storage_problem.kind != problem.kind:
                log.error("%s (%s)", problem.message, problem.detail)
            self.storage_problem = problem
            self._set_state(ConnectionState(FeedStatus.STORAGE, self._failing_since or now,
                                            self._backoff.attempt + 1, problem.message))
            self._failing_since = self._failing_since or now
            return
        self._failing_since = self._failing_since or now
        if isinstance(exc, FeedTooLarge):
            self._batch_limit = max(1, self._batch_limit // 2)
        attempt = self._backoff.attempt + 1
        if isinstance(exc, FeedUnauthorized):
            status = FeedStatus.UNAUTHORIZED
        elif (now - self._failing_since).total_seconds() >= self.offline_after_s:
            status = FeedStatus.OFFLINE
        else:
            status = FeedStatus.RETRYING
        log.info("feed %s (attempt %d): %s", status, attempt, exc)
        self._set_state(ConnectionState(status, self._failing_since, attempt, str(exc)))

    def _set_state(self, state: ConnectionState) -> None:
        self.state = state
        _notify(self.on_state, state)

    # -- audio and events ---------------------------------------------------------------
    def fetch_audio(self, alert_id: str, n: int) -> bytes:
        """Return audio clip ``n`` of an incident, from the store cache or the feed."""
        cached = self.store.cached_audio(alert_id, n)
        if cached is not None:
            return cached.data
        url = f"{self.base_url}/v1/alerts/{quote(alert_id, safe='')}/audio/{int(n)}"
        with self._aux_lock:
            resp, data = request_bytes(self._aux, "GET", url, cap=MAX_AUDIO_BYTES,
                                       headers=self._headers, timeout=(3.05, 30.0))
        mime = resp.headers.get("Content-Type", "application/octet-stream").split(";")[0]
        self.store.cache_audio(alert_id, n, mime, data)
        return data

    def post_event(self, event: UnitEvent) -> bool:
        """Store ``event`` in the outbox (False if already there) and wake the sender."""
        return self.outbox.post(event)

    def drain_outbox(self) -> int:
        """Send pending events now; returns how many the feed acknowledged."""
        return self.outbox.drain()

    # -- threads ------------------------------------------------------------------------
    def start(self) -> FeedClient:
        """Run the poll loop and the outbox sender in two daemon threads."""
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self.run, args=(self._stop,), name="feed-poll", daemon=True),
            threading.Thread(target=self.outbox.run, args=(self._stop,), name="feed-outbox",
                             daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Stop the threads; a long poll in flight ends at its read timeout at the latest."""
        self._stop.set()
        self.outbox.wake()
        for thread in self._threads:
            thread.join(timeout if timeout is not None else self.timeout[1] + 1)
        self._threads = []
        self._session.close()
        self._aux.close()
