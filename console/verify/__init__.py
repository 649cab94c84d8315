"""Replay and verification of an alert by the embedded locator (Qt-free).

- :func:`compare` -> :class:`VerificationResult` (verdict with reasons)
- :func:`run_verification` -- read recordings, locate, compare, fingerprint
- :func:`export_json` -- short summary without sensor serials or positions
- :class:`VerificationRecord` -- what the store keeps with the incident
"""

from __future__ import annotations

from console.verify.compare import (
    Count,
    MobileComparison,
    Place,
    SensorResidual,
    Verdict,
    VerificationResult,
    compare,
)
from console.verify.record import VerificationRecord, content_hash, export_json
from console.verify.run import VerificationRun, run_verification

__all__ = [
    "Count", "MobileComparison", "Place", "SensorResidual", "Verdict", "VerificationRecord",
    "VerificationResult", "VerificationRun", "compare", "content_hash", "export_json",
    "run_verification",
]
