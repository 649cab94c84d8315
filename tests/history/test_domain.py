"""Domain rules behind the history columns: event folding and quantiles (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.domain.events import EventKind, new_event
from console.domain.history import quantile, search_text, summarize_events, text_terms
from console.domain.workflow import status_event, undo_event
from tests.history.crafted import S

T = datetime(2025, 5, 1, 22, 0, tzinfo=UTC)
SEC = timedelta(seconds=1)


def test_first_unit_times_latest_clear_and_most_advanced_status() -> None:
    a_go = status_event("I", "A", None, S.EN_ROUTE, at=T + 50 * SEC)
    b_go = status_event("I", "B", None, S.EN_ROUTE, at=T + 30 * SEC)
    b_there = status_event("I", "B", S.EN_ROUTE, S.ON_SCENE, at=T + 200 * SEC)
    b_clear = status_event("I", "B", S.ON_SCENE, S.CLEAR, disposition="no_evidence",
                           at=T + 900 * SEC)
    a_clear = status_event("I", "A", S.EN_ROUTE, S.CLEAR, disposition="evidence_found",
                           at=T + 1200 * SEC)
    fig = summarize_events([a_clear, b_there, a_go, b_go, b_clear, b_go],
                           first_received=T + 10 * SEC)
    assert (fig.status, fig.disposition, fig.evidence_found) == ("clear", "evidence_found", True)
    assert (fig.dispatched_at, fig.en_route_at, fig.on_scene_at, fig.cleared_at) == (
        T + 10 * SEC, b_go.at, b_there.at, b_clear.at)
    assert (fig.en_route_s, fig.on_scene_s) == (20.0, 190.0)


def test_dispatched_event_earlier_than_the_alert_and_undo() -> None:
    sent = new_event("I", EventKind.STATUS, "A", {"status": "dispatched"}, at=T)
    go = status_event("I", "A", S.DISPATCHED, S.EN_ROUTE, at=T + 40 * SEC)
    there = status_event("I", "A", S.EN_ROUTE, S.ON_SCENE, at=T + 45 * SEC)
    back = undo_event(there, S.EN_ROUTE, at=T + 47 * SEC)
    fig = summarize_events([sent, go, there, back], first_received=T + 60 * SEC)
    assert (fig.status, fig.dispatched_at, fig.en_route_s, fig.on_scene_at) == (
        "en_route", T, 40.0, None)


def test_no_events_and_a_unit_faster_than_the_alert() -> None:
    assert summarize_events([]).status is None and summarize_events([]).canvassed is False
    go = status_event("I", "A", None, S.EN_ROUTE, at=T)  # heard it before the alert came
    fig = summarize_events([go], first_received=T + 5 * SEC)
    assert (fig.en_route_at, fig.en_route_s) == (T, None)


def test_canvass_and_notes() -> None:
    visit = new_event("I", EventKind.CANVASS, "A", {"record": "visit", "result": "refused",
                                                    "address_key": "k"}, at=T)
    late = new_event("I", EventKind.NOTE, "A", {"text": "second"}, at=T + SEC)
    early = new_event("I", EventKind.NOTE, "A", {"text": "first"}, at=T)
    fig = summarize_events([visit, late, early])
    assert (fig.canvassed, fig.evidence_found, fig.notes) == (True, False, ("first", "second"))
    found = new_event("I", EventKind.CANVASS, "A", {"record": "visit",
                                                    "result": "evidence_found"}, at=T)
    assert summarize_events([found]).evidence_found is True


@pytest.mark.parametrize("values, q, expected", [
    ([], 0.5, None), ([7.0], 0.9, 7.0), ([1, 2, 3, 4], 0.5, 2.5),
    ([10, 20, 30, 40, 50], 0.9, 46.0), ([3, 1, 2], 0.0, 1.0), ([3, 1, 2], 1.0, 3.0),
])
def test_quantile_interpolates_between_ranks(values: list, q: float, expected: float) -> None:
    assert quantile(values, q) == (None if expected is None else pytest.approx(expected))


def test_quantile_refuses_q_outside_0_1() -> None:
    with pytest.raises(ValueError, match="1.5"):
        quantile([1.0], 1.5)


def test_search_text_and_terms() -> None:
    assert search_text("ID-1", None, " Kamppi ", "", "Dark SEDAN") == "id-1\nkamppi\ndark sedan"
    assert text_terms("  Red red  MOPED ") == ("red", "moped")
    assert len(search_text("x" * 30_000)) == 20_000
