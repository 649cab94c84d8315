"""HTTP plumbing of the feed client: error types and size-capped JSON/bytes requests."""

from __future__ import annotations

import json
from typing import Any

import requests
import urllib3.exceptions

__all__ = ["FeedConnectionError", "FeedError", "FeedHTTPError", "FeedProtocolError",
           "FeedTooLarge", "FeedUnauthorized", "request_bytes", "request_json"]

_TRANSPORT_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError, OSError)


class FeedError(Exception):
    """Any failure talking to the feed; the client retries after backoff."""


class FeedConnectionError(FeedError):
    """No usable answer: refused, reset, timed out, truncated."""


class FeedHTTPError(FeedError):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(f"HTTP {status}: {message}")


class FeedUnauthorized(FeedHTTPError):
    """The feed refused our bearer token (401/403)."""


class FeedProtocolError(FeedError):
    """The answer broke the protocol: bad JSON, wrong shape, too large."""


class FeedTooLarge(FeedProtocolError):
    """The answer exceeded the client's size cap."""


def _read_capped(resp: requests.Response, cap: int) -> bytes:
    declared = resp.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise FeedTooLarge(f"response of {declared} bytes exceeds the {cap}-byte cap")
    buf = bytearray()
    for chunk in resp.iter_content(chunk_size=65536):
        buf += chunk
        if len(buf) > cap:
            raise FeedTooLarge(f"response exceeds the {cap}-byte cap")
    return bytes(buf)


def _message(body: bytes) -> str:
    try:
        return str(json.loads(body).get("message", ""))[:200]
    except (ValueError, AttributeError):
        return body[:200].decode("utf-8", "replace")


def request_bytes(
    session: requests.Session, method: str, url: str, *, cap: int, **kwargs: Any
) -> tuple[requests.Response, bytes]:
    """Send a request; return (response, body) for 2xx or raise a :class:`FeedError`."""
    try:
        with session.request(method, url, stream=True, **kwargs) as resp:
            body = _read_capped(resp, cap if resp.ok else 64 * 1024)
    except FeedError:
        raise
    except _TRANSPORT_ERRORS as exc:
        raise FeedConnectionError(f"{type(exc).__name__}: {exc}") from exc
    if resp.status_code in (401, 403):
        raise FeedUnauthorized(resp.status_code, _message(body) or "unauthorized")
    if not resp.ok:
        raise FeedHTTPError(resp.status_code, _message(body) or resp.reason or "error")
    return resp, body


def request_json(
    session: requests.Session, method: str, url: str, *, cap: int, **kwargs: Any
) -> tuple[int, Any]:
    """Like :func:`request_bytes` but decode a JSON body; returns (status, value)."""
    resp, body = request_bytes(session, method, url, cap=cap, **kwargs)
    try:
        return resp.status_code, json.loads(body)
    except ValueError as exc:
        raise FeedProtocolError(f"response is not JSON: {exc}") from None
