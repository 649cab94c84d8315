"""Status workflow rules: next state, transitions, undo window, folding, response times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.domain.events import EventKind, IncidentStatus, new_event
from console.domain.workflow import (
    Disposition,
    UndoWindow,
    WorkflowError,
    check_transition,
    fold_status,
    next_status,
    response_times,
    status_event,
    undo_event,
)

S = IncidentStatus
T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_next_status_walks_the_order_and_stops_at_clear() -> None:
    assert next_status(None) is S.ACKNOWLEDGED
    assert next_status(S.ACKNOWLEDGED) is S.EN_ROUTE
    assert next_status(S.EN_ROUTE) is S.ON_SCENE
    assert next_status(S.ON_SCENE) is S.CLEAR
    assert next_status(S.CLEAR) is None


@pytest.mark.parametrize("current, new", [(S.EN_ROUTE, S.ACKNOWLEDGED), (S.ON_SCENE, S.ON_SCENE),
                                          (S.CLEAR, S.EN_ROUTE)])
def test_no_move_backwards_or_in_place(current: S, new: S) -> None:
    with pytest.raises(WorkflowError, match="use undo"):
        check_transition(current, new)


def test_clear_needs_a_known_disposition_and_only_clear_takes_one() -> None:
    with pytest.raises(WorkflowError, match="disposition"):
        check_transition(S.ON_SCENE, S.CLEAR)
    with pytest.raises(ValueError, match="'maybe'"):
        check_transition(S.ON_SCENE, S.CLEAR, "maybe")
    with pytest.raises(WorkflowError, match="only clear"):
        check_transition(S.ACKNOWLEDGED, S.EN_ROUTE, Disposition.OTHER)
    event = status_event("I1", "P-12", S.ON_SCENE, S.CLEAR, disposition="no_evidence")
    assert dict(event.data) == {"status": "clear", "disposition": "no_evidence"}


def test_forward_skip_is_allowed() -> None:
    assert status_event("I1", "P-12", None, S.ON_SCENE).data["status"] == "on_scene"


def test_undo_window_open_then_closed() -> None:
    window = UndoWindow(5.0)
    event = status_event("I1", "P-12", S.ACKNOWLEDGED, S.EN_ROUTE, at=_at(0))
    window.offer(event, S.ACKNOWLEDGED, _at(0))
    assert window.remaining(_at(2)) == pytest.approx(3.0)
    undo = window.take(_at(4.9))
    assert undo is not None and dict(undo.data) == {"status": "acknowledged",
                                                    "undoes": event.event_id}
    assert window.take(_at(4.95)) is None and window.event is None  # consumed
    window.offer(event, S.ACKNOWLEDGED, _at(10))
    assert window.event is event
    assert window.take(_at(15)) is None and window.remaining(_at(15)) == 0.0


def test_an_undo_cannot_itself_be_undone() -> None:
    event = status_event("I1", "P-12", None, S.ACKNOWLEDGED)
    with pytest.raises(WorkflowError):
        undo_event(undo_event(event, None), S.ACKNOWLEDGED)


def test_fold_marks_undone_entries_and_derives_every_units_state() -> None:
    a1 = status_event("I1", "P-12", None, S.ACKNOWLEDGED, at=_at(0))
    a2 = status_event("I1", "P-12", S.ACKNOWLEDGED, S.EN_ROUTE, at=_at(10))
    undo = undo_event(a2, S.ACKNOWLEDGED, at=_at(12))
    b1 = status_event("I1", "K-7", None, S.ON_SCENE, at=_at(5))
    note = new_event("I1", EventKind.NOTE, "K-7", {"text": "gate open"}, at=_at(6))
    state = fold_status([undo, b1, a2, a1, note, a1])  # any order, a duplicate, a note
    assert [e.event.event_id for e in state.entries] == [a1.event_id, b1.event_id,
                                                         a2.event_id, undo.event_id]
    assert [e.undone for e in state.entries] == [False, False, True, False]
    assert state.status_of("P-12") is S.ACKNOWLEDGED
    assert state.status_of("K-7") is S.ON_SCENE
    assert state.status_of("X-1") is None


def test_response_times_per_unit_ignore_undone_changes() -> None:
    e = [status_event("I1", "P-12", None, S.ACKNOWLEDGED, at=_at(20)),
         status_event("I1", "P-12", S.ACKNOWLEDGED, S.EN_ROUTE, at=_at(30))]
    wrong = status_event("I1", "P-12", S.EN_ROUTE, S.ON_SCENE, at=_at(40))
    e += [wrong, undo_event(wrong, S.EN_ROUTE, at=_at(42)),
          status_event("I1", "P-12", S.EN_ROUTE, S.ON_SCENE, at=_at(300)),
          status_event("I1", "P-12", S.ON_SCENE, S.CLEAR, disposition="evidence_found",
                       at=_at(1500)),
          status_event("I1", "K-7", None, S.EN_ROUTE, at=_at(60))]
    times = response_times(e, dispatched_at=_at(0))
    p = times["P-12"]
    assert p.dispatch_to_en_route == timedelta(seconds=30)
    assert p.en_route_to_on_scene == timedelta(seconds=270)
    assert p.on_scene_to_clear == timedelta(seconds=1200)
    k = times["K-7"]
    assert k.dispatch_to_en_route == timedelta(seconds=60)
    assert k.en_route_to_on_scene is None and k.on_scene_to_clear is None
