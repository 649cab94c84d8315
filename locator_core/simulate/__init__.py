"""Gunshot simulator: synthetic sensor networks, shooting scenarios, pulses and audio.

Used by tests and benchmarks to measure the locator against known truth, and by the
console's demo alert service to generate incidents.

- :func:`sensor_grid` -- rooftop sensors on a jittered grid
- :class:`Scenario`, :func:`single_shot`, :func:`burst`, :func:`two_shooters`,
  :func:`mobile_shooter` -- where and when each round was fired
- :func:`simulate_pulses` -- the pulses a network reports (direct, NLOS, echoes, noise)
- :func:`render_audio`, :func:`write_wav` -- sensor audio with the same arrivals
- :func:`demo_incident_stream` -- varied incidents placed inside a lat/lon box
"""

from __future__ import annotations

from locator_core.simulate.audio import blast_waveform, render_audio, with_recordings, write_wav
from locator_core.simulate.demo import DEMO_KINDS, demo_incident_stream, demo_network
from locator_core.simulate.network import sensor_grid
from locator_core.simulate.pulses import (
    PULSE_KINDS,
    PulseLabel,
    SimulatedIncident,
    detection_probability,
    peak_level_db_spl,
    propagation_time_s,
    simulate_pulses,
)
from locator_core.simulate.scenario import (
    MUZZLE_HEIGHT_M,
    Scenario,
    TrueShot,
    burst,
    mobile_shooter,
    single_shot,
    two_shooters,
)

__all__ = [
    "DEMO_KINDS",
    "MUZZLE_HEIGHT_M",
    "PULSE_KINDS",
    "PulseLabel",
    "Scenario",
    "SimulatedIncident",
    "TrueShot",
    "blast_waveform",
    "burst",
    "demo_incident_stream",
    "demo_network",
    "detection_probability",
    "mobile_shooter",
    "peak_level_db_spl",
    "propagation_time_s",
    "render_audio",
    "sensor_grid",
    "simulate_pulses",
    "single_shot",
    "two_shooters",
    "with_recordings",
    "write_wav",
]
