"""Dispatch wording: type code, priority and the phrases dispatch reads out."""

from __future__ import annotations

import pytest

from console.domain import dispatch_summary, parse_alert
from console.domain.dispatch import compass_point
from tests.domain.factories import alert_dict


def _summary(**overrides: object):
    return dispatch_summary(parse_alert(alert_dict(**overrides)))


def test_code_and_priority() -> None:
    s = _summary()
    assert (s.type_code, s.priority) == ("SHOTS", 2)
    assert s.text.startswith("SHOTS P2")


def test_single_round() -> None:
    assert "Single round" in _summary(rounds=1, type="single_gunshot").details


def test_single_gunshot_without_round_count() -> None:
    assert _summary(rounds=None, type="single_gunshot").details == ("Single round",)


def test_multiple_rounds_with_count() -> None:
    assert "Multiple rounds (7)" in _summary(rounds=7).details


def test_multiple_shooters() -> None:
    assert "Possible multiple shooters" in _summary(shooters=2).details
    assert "Possible multiple shooters" not in _summary(shooters=1).details


def test_mobile_shooter_wording() -> None:
    s = _summary(mobile={"speed_mps": 8.2, "heading_deg": 45})
    assert "Possible mobile shooter, 8 m/s heading 045° (NE)" in s.details


@pytest.mark.parametrize(("heading", "point"), [
    (0, "N"), (22.4, "N"), (22.6, "NE"), (90, "E"), (180, "S"), (225, "SW"),
    (292.5, "NW"), (337.6, "N"), (359.9, "N"), (360, "N"),
])
def test_compass_points(heading: float, point: str) -> None:
    assert compass_point(heading) == point


def test_heading_rounding_wraps_to_000() -> None:
    s = _summary(mobile={"speed_mps": 3, "heading_deg": 359.7})
    assert "Possible mobile shooter, 3 m/s heading 000° (N)" in s.details


@pytest.mark.parametrize(("review", "revision", "text"), [
    ("machine", 1, "Machine classified, not yet reviewed"),
    ("reviewed", 2, "Reviewed"),
    ("updated", 3, "Updated (revision 3)"),
    ("cancelled", 4, "CANCELLED"),
])
def test_review_text(review: str, revision: int, text: str) -> None:
    s = _summary(review=review, revision=revision)
    assert s.review_text == text and s.text.endswith(text)
