"""Feed test helpers: deadline polling and a recorder for client callbacks."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from console.domain import Alert
from console.feed import ConnectionState, FeedStatus


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition"
               ) -> None:
    """Poll ``predicate`` until true; fail the test naming ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.005)


@dataclass
class Recorder:
    """Collects on_state / on_alerts / on_rejected calls from a client thread."""

    states: list[ConnectionState] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    arrived: dict[tuple[str, int], float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_state(self, state: ConnectionState) -> None:
        with self.lock:
            self.states.append(state)

    def on_alerts(self, alerts: list[Alert]) -> None:
        now = time.perf_counter()
        with self.lock:
            self.alerts.extend(alerts)
            for a in alerts:
                self.arrived[(a.id, a.revision)] = now

    def on_rejected(self, reason: str, raw: str) -> None:
        with self.lock:
            self.rejected.append((reason, raw))

    def statuses(self) -> list[FeedStatus]:
        with self.lock:
            return [s.status for s in self.states]

    def callbacks(self) -> dict[str, Callable]:
        return {"on_state": self.on_state, "on_alerts": self.on_alerts,
                "on_rejected": self.on_rejected}
