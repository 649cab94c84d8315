"""Connection state of the feed client and its retry schedule (full-jitter backoff)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["Backoff", "ConnectionState", "FeedStatus"]


class FeedStatus(StrEnum):
    CONNECTED = "connected"
    RETRYING = "retrying"
    OFFLINE = "offline"
    UNAUTHORIZED = "unauthorized"
    #: the feed answered but the local store cannot take the alerts (disk full, busy, ...);
    #: the cursor stays put, so the server keeps them until the store recovers
    STORAGE = "storage"


@dataclass(frozen=True, slots=True)
class ConnectionState:
    """Where the feed link stands; ``since`` is when the current status began (UTC)."""

    status: FeedStatus
    since: datetime
    attempt: int = 0
    error: str | None = None

    @property
    def text(self) -> str:
        when = self.since.strftime("%H:%M:%SZ")
        if self.status is FeedStatus.CONNECTED:
            return "connected"
        if self.status is FeedStatus.RETRYING:
            return f"retrying (attempt {self.attempt}): {self.error}"
        if self.status is FeedStatus.OFFLINE:
            return f"offline since {when}"
        if self.status is FeedStatus.STORAGE:
            return f"⚠ {self.error} (since {when})"
        return f"unauthorized since {when}: check the feed token"


class Backoff:
    """Exponential backoff with full jitter: delay n is uniform in [0, min(cap, base·2ⁿ)]."""

    def __init__(self, base_s: float = 0.5, cap_s: float = 30.0,
                 rng: random.Random | None = None) -> None:
        if base_s <= 0 or cap_s < base_s:
            raise ValueError(f"need 0 < base_s <= cap_s, got base_s={base_s}, cap_s={cap_s}")
        self.base_s = base_s
        self.cap_s = cap_s
        self._rng = rng or random.Random()
        self.attempt = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap_s, self.base_s * 2.0 ** min(self.attempt, 62))
        self.attempt += 1
        return self._rng.uniform(0.0, ceiling)

    def reset(self) -> None:
        self.attempt = 0
