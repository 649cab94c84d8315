"""Plain data of an incident report: what the PDF shows, gathered by the service.

No sensor serials or positions ever enter these records: verifications are reduced to
their verdict and counts, audio to a waveform envelope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

__all__ = ["EvidenceLine", "MapSnapshotSpec", "ReportData", "TimelineLine", "Waveform",
           "envelope"]


@dataclass(frozen=True, slots=True)
class TimelineLine:
    at: datetime
    unit: str
    status: str
    disposition: str | None = None
    undone: bool = False


@dataclass(frozen=True, slots=True)
class EvidenceLine:
    at: datetime
    kind: str
    count: int | None
    unit: str
    note: str | None
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Waveform:
    """Min/max envelope of one clip (``columns`` values each), for painting."""

    label: str
    seconds: float
    sample_rate: int
    lows: np.ndarray = field(repr=False)
    highs: np.ndarray = field(repr=False)


@dataclass(frozen=True, slots=True)
class MapSnapshotSpec:
    """Where to centre the map snapshot and what to draw on it."""

    lat: float
    lon: float
    uncertainty_m: float
    evidence: tuple[tuple[float, float], ...] = ()
    canvass_radius_m: float | None = None


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything an incident report prints, in the order it prints it."""

    incident_id: str
    type: str
    review: str
    time: datetime
    address: str | None
    district: str | None
    beat: str | None
    lat: float
    lon: float
    uncertainty_m: float
    rounds: int | None
    shooters: int | None
    revision: int
    notes: str | None
    revisions: tuple[tuple[int, str, str, datetime, str], ...]  # rev, review, type, at, changes
    timeline: tuple[TimelineLine, ...]
    responses: tuple[tuple[str, str, str, str], ...]  # unit, en route, on scene, clear (text)
    canvass: tuple[tuple[str, str], ...]  # label, value
    canvass_outcomes: tuple[tuple[str, int], ...]
    supplements: tuple[tuple[datetime, str, str], ...]  # at, kind, text
    evidence: tuple[EvidenceLine, ...]
    verifications: tuple[tuple[str, ...], ...]  # at, by, source, verdict, distance, rounds, shooters
    waveforms: tuple[Waveform, ...]
    map: MapSnapshotSpec
    generated_at: datetime
    generated_by: str


def envelope(samples: np.ndarray, columns: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Per-column minimum and maximum of ``samples`` (first channel), ``columns`` wide."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim > 1:
        x = x[:, 0]
    if x.size == 0:
        return np.zeros(1, np.float32), np.zeros(1, np.float32)
    columns = max(1, min(columns, x.size))
    edges = np.linspace(0, x.size, columns + 1).astype(int)
    return np.minimum.reduceat(x, edges[:-1]), np.maximum.reduceat(x, edges[:-1])
