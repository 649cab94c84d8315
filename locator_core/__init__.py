"""Locator core: find a shooter from acoustic sensor pulses or raw sensor audio.

Pure numpy/scipy. The pipeline mirrors seismology (pick -> arrival -> origin -> event):

- :mod:`locator_core.readers`   -- incident folders (Pittsburgh layout, smj0 WAV folders)
- :mod:`locator_core.detect`    -- impulsive pulse detection in sensor audio
- :mod:`locator_core.associate` -- grouping pulses from many sensors into shots
- :mod:`locator_core.locate`    -- robust time-of-arrival multilateration with uncertainty
- :mod:`locator_core.incident`  -- rounds, shooters, mobile shooter, alert type
- :mod:`locator_core.pipeline`  -- the whole chain, used by the CLI and the console

Nothing here imports Qt, a database or the console (import-linter contract).
"""

from __future__ import annotations

from locator_core.types import (
    IncidentData,
    LocalFrame,
    LocatorError,
    Pulse,
    Recording,
    Sensor,
    Weather,
)

__all__ = [
    "IncidentData",
    "LocalFrame",
    "LocatorError",
    "Pulse",
    "Recording",
    "Sensor",
    "Weather",
]
