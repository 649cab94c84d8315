"""Pulse markers: where on each clip the locator heard each shot.

Contents
--------
- :class:`PulseMarker`            -- one pulse on one clip, with its shot number
- :func:`markers_from_solution`   -- markers from a located incident (per sensor, per shot)
- :func:`markers_from_shot_times` -- markers on a clip without a sensor position, from the
  alert's shot times aligned on the first pulse detected in the clip
- :func:`locate_clips`            -- run the embedded locator on clips that carry positions
- :func:`find_markers`            -- the locator's markers when it can run, else shot times

Markers carry the clip's index, never a serial number, so the officer view can draw them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from console.audio.clips import Clip
from locator_core.detect import detect_pulses
from locator_core.incident import IncidentSolution
from locator_core.types import IncidentData, Recording, Sensor

__all__ = ["PulseMarker", "markers_from_solution", "markers_from_shot_times", "locate_clips",
           "find_markers"]


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
    position the arrival of shot 1 is unknown, so it is taken as the strongest of the early
    first arrivals; later shots are the first arrivals within ``tolerance_s`` of their
    offsets from it (a moving shooter shifts them by distance/speed of sound).
    """
    if not shot_offsets_s:
        return []
    rec = Recording(Sensor("clip", 0.0, 0.0), 0, float(clip.sample_rate), clip.mono)
    firsts = [p for p in detect_pulses(rec) if p.kind != "echo"]
    if not firsts:
        return []
    span = max(shot_offsets_s) - min(shot_offsets_s)
    duration = clip.duration_s
    early = [p for p in firsts if p.time_ns / 1e9 <= max(duration - span, 0.0) + 1e-9] or firsts
    anchor = max(early[: len(shot_offsets_s) + 2], key=lambda p: p.snr_db or 0.0).time_ns / 1e9
    base = min(shot_offsets_s)
    out = []
    for number, offset in enumerate(shot_offsets_s, start=1):
        want = anchor + offset - base
        best = min(firsts, key=lambda p: abs(p.time_ns / 1e9 - want))
        if abs(best.time_ns / 1e9 - want) <= tolerance_s:
            out.append(PulseMarker(clip_index, best.time_ns / 1e9, number))
    return out


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
