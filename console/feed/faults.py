"""Fault injection for the reference feed server: the misbehaviour a car meets on LTE.

Each knob arms a rule for the next ``n`` matching requests (path prefix match). Rules are
consumed in the order they were armed; the request handler applies whichever it takes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

__all__ = ["FaultRule", "Faults"]

ALL = "/v1/"
ALERTS = "/v1/alerts"


@dataclass(slots=True)
class FaultRule:
    kind: str  # "fail" | "hang" | "drop" | "truncate" | "duplicate" | "oversize"
    remaining: int
    path: str
    status: int = 503
    seconds: float = 0.0
    size: int = 0


class Faults:
    """Thread-safe set of armed faults; see the ``*_next`` methods."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def _arm(self, rule: FaultRule) -> None:
        if rule.remaining < 1:
            raise ValueError(f"n must be >= 1, got {rule.remaining}")
        with self._lock:
            self._rules.append(rule)

    def fail_next(self, n: int = 1, status: int = 503, path: str = ALL) -> None:
        """Answer the next ``n`` requests with HTTP ``status`` (e.g. 500, 503)."""
        self._arm(FaultRule("fail", n, path, status=status))

    def hang_next(self, n: int = 1, seconds: float = 30.0, path: str = ALL) -> None:
        """Stall ``seconds`` before answering (the client should time out first)."""
        self._arm(FaultRule("hang", n, path, seconds=seconds))

    def drop_next(self, n: int = 1, path: str = ALL) -> None:
        """Close the connection without sending any response."""
        self._arm(FaultRule("drop", n, path))

    def truncate_next(self, n: int = 1, path: str = ALL) -> None:
        """Send the full Content-Length but only half the body, then close."""
        self._arm(FaultRule("truncate", n, path))

    def duplicate_next(self, n: int = 1, path: str = ALERTS) -> None:
        """Deliver every alert of the next ``n`` non-empty batches twice."""
        self._arm(FaultRule("duplicate", n, path))

    def oversize_next(self, n: int = 1, size: int = 16 * 1024 * 1024, path: str = ALERTS) -> None:
        """Answer with a ``size``-byte body (to test the client's response cap)."""
        self._arm(FaultRule("oversize", n, path, size=size))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def pending(self) -> int:
        """Number of armed fault applications left."""
        with self._lock:
            return sum(r.remaining for r in self._rules)

    def take(self, path: str, *, kinds: frozenset[str] | None = None) -> FaultRule | None:
        """Consume one application of the first armed rule matching ``path``."""
        with self._lock:
            for rule in self._rules:
                if path.startswith(rule.path) and (kinds is None or rule.kind in kinds):
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._rules.remove(rule)
                    return rule
        return None
