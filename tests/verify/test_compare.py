"""compare(): a verification of an alert by the locator's own solution (Qt-free).

Alerts come from the demo alert service (located simulated incidents over Helsinki),
so the alert and the recordings describe the same incident; moving, miscounting or
dropping parts of the alert must turn the verdict.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from itertools import islice
from pathlib import Path

import pytest

from console.demo.publisher import build_demo_alert, demo_alerts
from console.domain.alert import Alert, Location, parse_alert
from console.verify import Verdict, compare, export_json, run_verification
from locator_core.pipeline import locate_incident
from locator_core.types import EARTH_RADIUS_M

_SIMS = list(islice(demo_alerts(1), 5))  # burst, single, two shooters, burst, mobile


class _NoAddresses:
    def near(self, lat: float, lon: float) -> str:
        return f"near {lat:.5f}, {lon:.5f}"


def _case(k: int):
    sim = _SIMS[k]
    payload, _ = build_demo_alert(sim, _NoAddresses())
    alert = parse_alert({**payload, "seq": 1})
    return alert, locate_incident(sim.data)


def _moved_north(alert: Alert, metres: float) -> Alert:
    loc = alert.location
    lat = loc.lat + math.degrees(metres / EARTH_RADIUS_M)
    return replace(alert, location=Location(lat, loc.lon, loc.uncertainty_m))


@pytest.mark.parametrize("k", [0, 1, 2, 4])
def test_alert_from_the_same_recordings_is_consistent(k: int) -> None:
    alert, sol = _case(k)
    result = compare(alert, sol)
    assert result.verdict is Verdict.CONSISTENT, result.reasons
    assert result.distance_m is not None and result.distance_m < 1.0
    assert result.rounds.agrees and result.shooters.agrees and result.mobile.agrees
    assert result.reasons and result.reasons[0].startswith("location: computed")
    assert len(result.shooters_at) == sol.shooters
    assert result.computed.lat == pytest.approx(alert.location.lat, abs=1e-6)


def test_two_shooters_have_two_locations_with_distances() -> None:
    alert, sol = _case(2)
    result = compare(alert, sol)
    assert sol.shooters == 2
    apart = [p.distance_m for p in result.shooters_at]
    assert all(d is not None and d > 5.0 for d in apart)


def test_moved_200_m_is_inconsistent_with_the_location_reason() -> None:
    alert, sol = _case(0)
    result = compare(_moved_north(alert, 200.0), sol)
    assert result.verdict is Verdict.INCONSISTENT
    assert result.distance_m == pytest.approx(200.0, abs=1.5)
    (reason,) = result.reasons
    assert reason.startswith("location:") and "beyond the combined 90 % radii" in reason


def test_moved_within_the_combined_radii_stays_consistent() -> None:
    alert, sol = _case(0)
    bound = alert.location.uncertainty_m + compare(alert, sol).computed.radius_m
    result = compare(_moved_north(alert, bound), sol)  # the margin still covers it
    assert result.verdict is Verdict.CONSISTENT


def test_rounds_mismatch_is_inconsistent() -> None:
    alert, sol = _case(0)
    result = compare(replace(alert, rounds=sol.rounds + 2), sol)
    assert result.verdict is Verdict.INCONSISTENT
    assert result.reasons == (f"rounds differ: reported {sol.rounds + 2}, computed {sol.rounds}",)
    assert result.rounds.agrees is False


def test_shooters_and_mobile_disagreements_are_reasons() -> None:
    alert, sol = _case(4)
    assert sol.mobile is not None
    result = compare(replace(alert, mobile=None, shooters=3), sol)
    assert result.verdict is Verdict.INCONSISTENT
    assert any(r.startswith("shooters differ: reported 3") for r in result.reasons)
    assert any(r.startswith("mobile disagrees") for r in result.reasons)
    turned = replace(alert.mobile, heading_deg=(alert.mobile.heading_deg + 180.0) % 360.0)
    result = compare(replace(alert, mobile=turned), sol)
    assert result.reasons[-1].startswith("mobile disagrees: heading")


def test_pittsburgh_without_alert_holds_the_solution(pittsburgh: Path) -> None:
    run = run_verification(pittsburgh / "FP1" / "test_001")
    r = run.result
    assert r.verdict is None and r.reasons == () and r.alert_id is None
    assert not r.geographic and r.computed.lat is None
    assert r.rounds.computed == 3 and r.sensors
    assert all(s.label == f"Sensor {i}" for i, s in enumerate(r.sensors, start=1))
    assert len(run.sha256) == 64


def test_local_frame_solution_against_an_alert_is_not_compared(pittsburgh: Path) -> None:
    alert, _ = _case(0)
    run = run_verification(pittsburgh / "FP1" / "test_001")
    r = compare(replace(alert, rounds=3, shooters=1), run.result.solution)
    assert r.verdict is None and r.distance_m is None
    assert r.reasons[0].startswith("location not compared")


def test_export_has_no_sensor_serials_nor_positions(pittsburgh: Path) -> None:
    run = run_verification(pittsburgh / "FP1" / "test_001")
    text = json.dumps(export_json(run.result))
    for sensor in run.data.sensors:
        assert sensor.serial not in text
        assert f"{round(sensor.x, 2)}" not in text and f"{round(sensor.y, 2)}" not in text
    doc = json.loads(text)
    assert [s["sensor"] for s in doc["sensors"]] == [
        f"Sensor {i}" for i in range(1, len(doc["sensors"]) + 1)]
    assert doc["rounds"] == {"reported": None, "computed": 3}
