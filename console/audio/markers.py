"""Pulse markers: where on each clip the locator heard each shot.

Contents
--------
- :class:`PulseMarker`            -- one pulse on one clip, with its shot number
- :func:`markers_from_solution`   -- markers from a located incident (per sensor, per shot)
- :func:`markers_from_shot_times` -- markers on a clip without a sensor position, from the
  alert's shot times aligned on the first pulse detected in the clip
- :func:`locate_clips`            -- run the embedded locator on clips that carry positions
- :func:`find_markers`            -- the locator's markers when it can run, else shot times
- :func:`shot_offsets`            -- an alert's shot times, s from its first shot

Markers carry the clip's index, never a serial number, so the officer view can draw them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from console.audio.clips import Clip
from console.domain.alert import Alert
from locator_core.detect import detect_pulses
from locator_core.incident import IncidentSolution
from locator_core.types import IncidentData, Recording, Sensor

__all__ = ["PulseMarker", "markers_from_solution", "markers_from_shot_times", "locate_clips",
           "find_markers", "shot_offsets"]


@dataclass(frozen=True)
class PulseMarker:
    """Pulse of shot ``shot`` (1, 2, ...) on clip ``clip`` at ``time_s`` from its start."""

    clip: int
    time_s: float
    shot: int


def markers_from_solution(clips: Sequence[Clip], solution: IncidentSolution) -> list[PulseMarker]:
    """The pulses each located shot used, on the clips of the sensors that heard them."""
    index = {c.identity.serial: i for i, c in enumerate(clips)
             if c.identity.serial is not None and c.start_ns is not None}
    out = []
    for number, shot in enumerate(solution.shots, start=1):
        for pulse in shot.used:
            i = index.get(pulse.sensor.serial)
            if i is not None:
                start = clips[i].start_ns or 0
                out.append(PulseMarker(i, (pulse.time_ns - start) / 1e9, number))
    return sorted(out, key=lambda m: (m.clip, m.time_s))


def markers_from_shot_times(clip: Clip, shot_offsets_s: Sequence[float], *, clip_index: int = 0,
                            tolerance_s: float = 0.05) -> list[PulseMarker]:
    """Label the first arrivals detected in ``clip`` with the alert's shot numbers.

    ``shot_offsets_s`` are the shots' times from the first shot (s). Without the sensor's
    position the arrival of shot 1 is unknown, so every detected first arrival is tried
    as shot 1 and the one under which most shots find a pulse within ``tolerance_s`` of
    their offsets wins (ties: the stronger pulses). A moving shooter shifts the arrivals
    by the change of distance over the speed of sound, hence the tolerance.
    """
    if not shot_offsets_s:
        return []
    rec = Recording(Sensor("clip", 0.0, 0.0), 0, float(clip.sample_rate), clip.mono)
    firsts = [(p.time_ns / 1e9, p.snr_db or 0.0) for p in detect_pulses(rec) if p.kind != "echo"]
    base = min(shot_offsets_s)
    best: tuple[tuple[int, float], list[PulseMarker]] = ((0, 0.0), [])
    for anchor, _ in firsts:
        found, strength = [], 0.0
        for number, offset in enumerate(shot_offsets_s, start=1):
            want = anchor + offset - base
            t, snr = min(firsts, key=lambda f: abs(f[0] - want))
            if abs(t - want) <= tolerance_s:
                found.append(PulseMarker(clip_index, t, number))
                strength += snr
        if (len(found), strength) > best[0]:
            best = ((len(found), strength), found)
    return best[1]


def locate_clips(clips: Sequence[Clip], name: str = "clips") -> IncidentSolution | None:
    """Locate the shots heard on clips with start times and local positions (xyz).

    Returns None when fewer than four clips carry both (the locator needs four sensors).
    Positions stay inside the solution; only :func:`markers_from_solution` output (clip
    indices and times) is meant for the officer view.
    """
    from locator_core.pipeline import locate_incident
    from locator_core.types import LocatorError

    recordings = []
    for c in clips:
        ident = c.identity
        if c.start_ns is None or ident.serial is None or ident.xyz is None:
            continue
        sensor = Sensor(ident.serial, *ident.xyz)
        recordings.append(Recording(sensor, c.start_ns, float(c.sample_rate), c.mono))
    if len(recordings) < 4:
        return None
    data = IncidentData(name=name, sensors=tuple(r.sensor for r in recordings),
                        recordings=tuple(recordings))
    try:
        return locate_incident(data, source="audio")
    except LocatorError:
        return None


def find_markers(clips: Sequence[Clip], shot_offsets_s: Sequence[float] = ()) -> list[PulseMarker]:
    """Markers from the locator when four clips carry positions, else from shot times."""
    solution = locate_clips(clips)
    if solution is not None:
        return markers_from_solution(clips, solution)
    out: list[PulseMarker] = []
    for i, clip in enumerate(clips):
        out.extend(markers_from_shot_times(clip, shot_offsets_s, clip_index=i))
    return out


def shot_offsets(alert: Alert) -> list[float]:
    """The alert's shot times, s from its first shot."""
    if not alert.shots:
        return []
    t0 = min(s.time for s in alert.shots)
    return [(s.time - t0).total_seconds() for s in sorted(alert.shots, key=lambda s: s.time)]
