"""Fuzz test budget: moderate and derandomized in CI; ``MAC_FUZZ_EXAMPLES=N`` runs N random
examples per test for a longer local hunt."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


def budget(default: int) -> settings:
    hunt = os.environ.get("MAC_FUZZ_EXAMPLES")
    return settings(max_examples=int(hunt) if hunt else default, deadline=None,
                    derandomize=not hunt,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
