"""HTTP request handler of the reference feed server (protocol v1 routes + fault hooks)."""

from __future__ import annotations

import hmac
import json
import logging
import re
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from console.domain._checks import AlertValidationError
from console.domain.events import event_to_json, parse_event

if TYPE_CHECKING:
    from console.feed.server import FeedServer

__all__ = ["make_handler"]

log = logging.getLogger(__name__)
MAX_EVENT_BODY = 64 * 1024
_AUDIO = re.compile(r"/v1/alerts/([^/]+)/audio/(\d+)")
_EVENTS = re.compile(r"/v1/incidents/([^/]+)/events")
_PRE_FAULTS = frozenset({"fail", "hang", "drop", "truncate", "oversize"})


class _BadRequest(Exception):
    pass


def make_handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_FeedHandler):
        feed = server

    return Handler


class _FeedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms stalls
    server_version = "MACReferenceFeed/1"
    feed: FeedServer
    _truncate = False

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        log.debug("%s " + format, self.address_string(), *args)

    # -- plumbing -----------------------------------------------------------------------
    def _send(self, status: int, body: bytes, ctype: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self._truncate:
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj, separators=(",", ":")).encode(), headers=headers)

    def _error(self, status: int, code: str, message: str) -> None:
        extra = {"WWW-Authenticate": 'Bearer realm="feed"'} if status == 401 else None
        self._json(status, {"error": code, "message": message}, extra)

    def _authorised(self) -> bool:
        given = self.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {self.feed.token}".encode())

    def _fault(self, path: str) -> bool:
        """Apply an armed fault; True when the request has been fully dealt with."""
        rule = self.feed.faults.take(path, kinds=_PRE_FAULTS)
        if rule is None:
            return False
        if rule.kind == "hang":
            self.feed.stopping.wait(rule.seconds)
            return False
        # An unread request body would be parsed as the next request on this connection.
        self.close_connection = True
        if rule.kind == "fail":
            self._error(rule.status, "injected", f"injected failure {rule.status}")
        elif rule.kind == "drop":
            self.close_connection = True
        elif rule.kind == "truncate":
            self._truncate = True
            return False
        elif rule.kind == "oversize":
            self._oversize(rule.size)
        return True

    def _oversize(self, size: int) -> None:
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()  # no Content-Length: the client cannot refuse up front
            self.close_connection = True
            chunk = b" " * 65536
            self.wfile.write(b'{"alerts": [')
            for _ in range(size // len(chunk)):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # -- routes -------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self._route("POST")

    def _route(self, method: str) -> None:
        self.feed.request_count += 1
        parts = urlsplit(self.path)
        path = parts.path
        if method == "GET" and path == "/v1/health":
            self._json(200, {"status": "ok", "protocol": 1})
            return
        if self._fault(path):
            return
        if not self._authorised():
            self._error(401, "unauthorized", "missing or wrong bearer token")
            return
        try:
            if method == "GET" and path == "/v1/alerts":
                self._alerts(parse_qs(parts.query))
            elif method == "GET" and (m := _AUDIO.fullmatch(path)):
                self._audio(m.group(1), int(m.group(2)))
            elif method == "POST" and (m := _EVENTS.fullmatch(path)):
                self._post_event(m.group(1))
            else:
                self._error(404, "not_found", f"no route for {method} {path}")
        except _BadRequest as exc:
            self._error(400, "bad_request", str(exc))

    def _alerts(self, query: dict[str, list[str]]) -> None:
        after = _num(query, "after", int, 0, 0, 2**63 - 1)
        wait = _num(query, "wait", float, 0.0, 0.0, self.feed.max_wait_s)
        limit = _num(query, "limit", int, 100, 1, 500)
        batch, last_seq, epoch = self.feed.alerts_after(after, limit, wait)
        if batch and self.feed.faults.take("/v1/alerts", kinds=frozenset({"duplicate"})):
            batch = [a for a in batch for _ in (0, 1)]
        self._json(200, {"alerts": batch, "last_seq": last_seq, "epoch": epoch})

    def _audio(self, incident_id: str, n: int) -> None:
        clip = self.feed.clip(incident_id, n)
        if clip is None:
            self._error(404, "not_found", f"no audio clip {n} for incident {incident_id}")
            return
        self._send(200, clip[1], clip[0])

    def _post_event(self, incident_id: str) -> None:
        length = int(self.headers.get("Content-Length") or -1)
        if length < 0 or length > MAX_EVENT_BODY:
            self.close_connection = True
            self._error(413 if length > 0 else 411, "bad_length",
                        f"Content-Length must be 0..{MAX_EVENT_BODY}")
            return
        try:
            event = event_to_json(parse_event(json.loads(self.rfile.read(length))))
        except (ValueError, AlertValidationError) as exc:
            raise _BadRequest(f"invalid event: {exc}") from None
        if event["incident_id"] != incident_id:
            raise _BadRequest("event incident_id differs from the URL")
        outcome = self.feed.record_event(event)
        if outcome is None:
            self._error(409, "conflict", f"event_id {event['event_id']} reused with other data")
            return
        self._json(201 if outcome else 200, {"event_id": event["event_id"],
                                             "duplicate": not outcome})


def _num(query: dict[str, list[str]], key: str, kind: type, default: Any, lo: Any, hi: Any) -> Any:
    values = query.get(key)
    if not values:
        return default
    try:
        value = kind(values[0])
    except ValueError:
        raise _BadRequest(f"{key} must be a number, got {values[0]!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise _BadRequest(f"{key} must be finite, got {values[0]!r}")
    if kind is int and not lo <= value <= hi:
        raise _BadRequest(f"{key} must be in {lo}..{hi}, got {value}")
    return min(max(value, lo), hi) if kind is float else value

