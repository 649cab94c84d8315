"""The whole locator chain: incident data -> pulses -> shots -> incident.

``locate_incident`` is what the command line, the console's verification view and the
demo alert service call. Long runs report progress (0..1) and can be cancelled.
"""

from __future__ import annotations

from collections.abc import Callable

from locator_core.associate import AssociatorConfig, find_shots
from locator_core.associate_audio import AudioAssociatorConfig, find_shots_audio
from locator_core.incident import IncidentSolution, summarize
from locator_core.types import IncidentData, LocatorError

__all__ = ["locate_incident", "choose_source", "AUDIO_CONFIG", "PULSES_CONFIG"]

#: Pulses reported by sensors: millisecond times, many sensors.
PULSES_CONFIG = AssociatorConfig()
#: Pulses picked from audio here: sub-millisecond onsets, but few (<= 6) sensors, so a
#: shot may be heard by only four of them: exhaustive combinations of strong, sharp
#: candidates scored by fit, quality and round-to-round consistency
#: (:mod:`locator_core.associate_audio`).
AUDIO_CONFIG = AudioAssociatorConfig()


def choose_source(data: IncidentData, source: str | None = None) -> str:
    """``"pulses"`` when the data carries reported pulses, else ``"audio"``."""
    if source is None:
        source = "pulses" if data.pulses else "audio"
    if source not in ("pulses", "audio"):
        raise LocatorError(f"unknown source {source!r}: use 'pulses' or 'audio'")
    if source == "pulses" and not data.pulses:
        raise LocatorError(f"{data.name}: no sensor pulses in the input (try --source audio)")
    if source == "audio" and not data.recordings:
        raise LocatorError(f"{data.name}: no sensor audio in the input")
    return source


def locate_incident(
    data: IncidentData,
    *,
    source: str | None = None,
    config: AssociatorConfig | AudioAssociatorConfig | None = None,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> IncidentSolution:
    """Locate every shot of an incident and summarise it (rounds, shooters, mobile)."""
    source = choose_source(data, source)
    if source == "audio":
        from locator_core.detect import detect_incident_pulses

        if progress:
            progress(0.05)
        data = detect_incident_pulses(data)
        if progress:
            progress(0.2)
        if not data.pulses:
            raise LocatorError(f"{data.name}: no pulses found in the sensor audio")
        if isinstance(config, AssociatorConfig):  # the many-sensor stacking, if asked for
            shots = find_shots(
                data.pulses, weather=data.weather, config=config, cancelled=cancelled,
                progress=(lambda f: progress(0.2 + 0.75 * f)) if progress else None)
        else:
            shots = find_shots_audio(
                data.pulses, weather=data.weather,
                config=config or AUDIO_CONFIG, cancelled=cancelled,
                progress=(lambda f: progress(0.2 + 0.75 * f)) if progress else None)
    else:
        cfg = config or PULSES_CONFIG
        if progress:
            progress(0.2)
        if not data.pulses:
            raise LocatorError(f"{data.name}: no pulses found")
        shots = find_shots(
            data.pulses, weather=data.weather, config=cfg, cancelled=cancelled,
            progress=(lambda f: progress(0.2 + 0.75 * f)) if progress else None)
    if not shots:
        raise LocatorError(f"{data.name}: no shot could be located from {len(data.pulses)} pulses")
    result = summarize(shots, frame=data.frame, weather=data.weather, source=source,
                       name=data.name)
    if progress:
        progress(1.0)
    return result
