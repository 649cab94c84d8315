"""Alert feed of protocol v1: reference server, client, connection state."""

from __future__ import annotations

from console.feed._http import (
    FeedConnectionError,
    FeedError,
    FeedHTTPError,
    FeedProtocolError,
    FeedUnauthorized,
)
from console.feed.client import FeedClient
from console.feed.server import FeedServer, serve_forever
from console.feed.state import Backoff, ConnectionState, FeedStatus

__all__ = [
    "Backoff", "ConnectionState", "FeedClient", "FeedConnectionError", "FeedError",
    "FeedHTTPError", "FeedProtocolError", "FeedServer", "FeedStatus", "FeedUnauthorized",
    "serve_forever",
]
