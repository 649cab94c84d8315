"""One verification run, Qt-free: read the recordings, locate, compare, fingerprint.

The verification view calls :func:`run_verification` on a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from console.domain.alert import Alert
from console.verify.compare import VerificationResult, compare
from console.verify.record import content_hash
from locator_core.types import IncidentData, LocatorError

__all__ = ["VerificationRun", "run_verification"]


@dataclass(frozen=True, eq=False)
class VerificationRun:
    result: VerificationResult
    data: IncidentData  # holds sensor positions: for the verification view only
    path: str
    sha256: str
    notes: tuple[str, ...] = ()


def run_verification(
    path: str | Path, alert: Alert | None = None, *, source: str | None = None,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> VerificationRun:
    """Locate the incident recorded under ``path`` and compare it with ``alert``.

    Raises ``LocatorError`` (bad input, no solution, or ``"cancelled"``).
    """
    from locator_core.pipeline import locate_incident
    from locator_core.readers import read_incident

    def check() -> None:
        if cancelled is not None and cancelled():
            raise LocatorError("cancelled")

    if progress:
        progress(0.0)
    data = read_incident(path)
    check()
    sol = locate_incident(
        data, source=source, cancelled=cancelled,
        progress=(lambda f: progress(0.02 + 0.93 * f)) if progress else None)
    check()
    try:
        digest = content_hash(path)
    except OSError as exc:
        raise LocatorError(f"{path}: cannot read the input to fingerprint it ({exc})") from exc
    result = compare(alert, sol)
    check()
    if progress:
        progress(1.0)
    return VerificationRun(result, data, str(Path(path).resolve()), digest, data.notes)
