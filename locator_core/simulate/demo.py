"""A "demo city": a steady stream of varied simulated incidents inside a lat/lon box.

The console's demo alert service draws incidents from :func:`demo_incident_stream`;
the same seed always gives the same network, incidents, times and weather.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from locator_core.simulate._common import DEFAULT_T0_NS, as_rng, validate_range
from locator_core.simulate.network import sensor_grid
from locator_core.simulate.pulses import SimulatedIncident, simulate_pulses
from locator_core.simulate.scenario import (
    Scenario,
    burst,
    mobile_shooter,
    single_shot,
    two_shooters,
)
from locator_core.types import LocalFrame, Sensor, Weather

__all__ = ["DEMO_KINDS", "demo_network", "demo_incident_stream"]

#: The rotation of scenario kinds the stream cycles through.
DEMO_KINDS = ("burst", "single", "two_shooters", "burst", "mobile", "single")
_EDGE_M = 60.0


def _validate_bbox(
    frame: LocalFrame, bbox_latlon: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """Local (x_min, y_min, x_max, y_max) of a (south, west, north, east) box."""
    try:
        south, west, north, east = (float(v) for v in bbox_latlon)
    except (TypeError, ValueError):
        raise ValueError(
            f"bbox_latlon must be (south, west, north, east), got {bbox_latlon!r}"
        ) from None
    if not (-90.0 <= south < north <= 90.0 and -180.0 <= west < east <= 180.0):
        raise ValueError(
            f"bbox_latlon must be (south, west, north, east) degrees, got {bbox_latlon!r}"
        )
    x0, y0, _ = frame.to_local(south, west)
    x1, y1, _ = frame.to_local(north, east)
    if max(abs(x0), abs(x1), abs(y0), abs(y1)) > 50_000.0:
        raise ValueError(
            f"bbox_latlon {bbox_latlon!r} lies over 50 km from the frame origin "
            f"({frame.lat0}, {frame.lon0}); is it (south, west, north, east)?"
        )
    return x0, y0, x1, y1


def demo_network(
    frame: LocalFrame,
    bbox_latlon: tuple[float, float, float, float],
    *,
    spacing_m: float = 350.0,
    margin_m: float = 700.0,
    rng: np.random.Generator | int | None = None,
) -> tuple[Sensor, ...]:
    """Rooftop sensors covering the (south, west, north, east) box plus ``margin_m`` (m)."""
    x0, y0, x1, y1 = _validate_bbox(frame, bbox_latlon)
    return sensor_grid(
        spacing_m=spacing_m,
        extent_m=(x1 - x0 + 2 * margin_m, y1 - y0 + 2 * margin_m),
        center=((x0 + x1) / 2, (y0 + y1) / 2),
        prefix="DEMO",
        rng=rng,
    )


def _inside(box: tuple[float, float, float, float], scenario: Scenario) -> bool:
    x0, y0, x1, y1 = box
    return all(x0 <= s.x <= x1 and y0 <= s.y <= y1 for s in scenario.shots)


def _scenario(kind: str, box, t0: int, name: str, gen: np.random.Generator) -> Scenario:
    x0, y0, x1, y1 = box
    for _ in range(50):
        x, y = gen.uniform(x0, x1), gen.uniform(y0, y1)
        if kind == "single":
            sc = single_shot(x=x, y=y, time_ns=t0, name=name)
        elif kind == "burst":
            sc = burst(
                int(gen.integers(2, 7)),
                gen.uniform(0.15, 1.2),
                x=x,
                y=y,
                time_ns=t0,
                interval_jitter_s=0.05,
                name=name,
                rng=gen,
            )
        elif kind == "two_shooters":
            sc = two_shooters(
                (int(gen.integers(2, 5)), int(gen.integers(2, 5))),
                (gen.uniform(0.3, 1.0), gen.uniform(0.3, 1.0)),
                separation_m=gen.uniform(40.0, 90.0),
                x=x,
                y=y,
                time_ns=t0,
                name=name,
                rng=gen,
            )
        else:
            sc = mobile_shooter(
                int(gen.integers(3, 6)),
                gen.uniform(0.5, 1.5),
                speed_mps=gen.uniform(4.0, 15.0),
                heading_deg=gen.uniform(0, 360),
                x=x,
                y=y,
                time_ns=t0,
                name=name,
                rng=gen,
            )
        if _inside(box, sc):
            return sc
    return single_shot(x=(x0 + x1) / 2, y=(y0 + y1) / 2, time_ns=t0, name=name)


def demo_incident_stream(
    frame: LocalFrame,
    bbox_latlon: tuple[float, float, float, float],
    *,
    rng: np.random.Generator | int | None = None,
    count: int | None = None,
    start_ns: int = DEFAULT_T0_NS,
    gap_range_s: tuple[float, float] = (120.0, 900.0),
) -> Iterator[SimulatedIncident]:
    """Yield varied simulated incidents placed inside a lat/lon box.

    Parameters
    ----------
    frame : LocalFrame
        Local frame of the demo map; set on every incident's data.
    bbox_latlon : (float, float, float, float), degrees
        ``(south, west, north, east)``, e.g. central Helsinki
        ``(60.164, 24.935, 60.179, 24.953)``. Every round falls inside it, at least
        60 m from its edges.
    rng : numpy Generator, int seed or None
        The same seed gives the same network and incidents.
    count : int, optional
        Stop after this many incidents (endless by default).
    start_ns : int, ns since epoch
        Time of the first incident's first round.
    gap_range_s : (float, float), s
        Time from one incident to the next, drawn uniformly.

    Yields
    ------
    SimulatedIncident
        Named ``"DEMO-0001"``, ``"DEMO-0002"``, ...; kinds cycle through
        :data:`DEMO_KINDS`; weather varies (-5..25 degC, wind 0-6 m/s, applied).
    """
    gen = as_rng(rng)
    gap_lo, gap_hi = validate_range("gap_range_s", gap_range_s)
    x0, y0, x1, y1 = _validate_bbox(frame, bbox_latlon)
    edge = min(_EDGE_M, (x1 - x0) / 4, (y1 - y0) / 4)
    box = (x0 + edge, y0 + edge, x1 - edge, y1 - edge)
    sensors = demo_network(frame, bbox_latlon, rng=gen)
    t0 = int(start_ns)
    k = 0
    while count is None or k < count:
        name = f"DEMO-{k + 1:04d}"
        scenario = _scenario(DEMO_KINDS[k % len(DEMO_KINDS)], box, t0, name, gen)
        weather = Weather(
            temperature_c=round(float(gen.uniform(-5.0, 25.0)), 1),
            wind_speed_mps=round(float(gen.uniform(0.0, 6.0)), 1),
            wind_from_deg=round(float(gen.uniform(0.0, 360.0))),
        )
        yield simulate_pulses(scenario, sensors, weather=weather, wind=True, frame=frame, rng=gen)
        t0 += int(round(gen.uniform(gap_lo, gap_hi) * 1e9))
        k += 1
