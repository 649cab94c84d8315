"""Officer workflow on the real window: status taps, undo, outbox under faults, restart,
relayed units, supplements, related/prior incidents, EIDO export, call sign.

Real parts only: the window from ``build_main_window``, a loopback FeedServer that relays
events back (``echo_events``) and injects faults, a SQLite store on a temporary file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from console.app import build_main_window, store_url
from console.domain.events import EventKind, IncidentStatus, event_to_json, new_event
from console.domain.workflow import UndoWindow
from console.feed.server import FeedServer
from console.feed.state import Backoff
from console.store import Store
from console.ui.status_timeline_model import DELIVERY_MARKS
from tests.cad.eido_schema import eido_errors
from tests.ui.test_main_window import SCREENSHOTS, _alert

TOKEN = "workflow-token"
S = IncidentStatus
LEFT = Qt.MouseButton.LeftButton


def _fast() -> dict[str, Any]:
    return {"wait": 1.0, "timeout": (1.0, 2.0), "backoff": Backoff(base_s=0.05, cap_s=0.3),
            "offline_after_s": 1.5}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st = Store(store_url(tmp_path))
    st.set_unit_identity("P-12")
    yield st
    st.close()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer("127.0.0.1", 0, TOKEN, echo_events=True, max_wait_s=2.0) as srv:
        yield srv


@pytest.fixture
def make_window(qtbot):
    windows: list[Any] = []

    def build(store: Store, url: str) -> Any:
        win = build_main_window(store, url, TOKEN, sound=False, client_options=_fast())
        win.resize(1280, 900)
        win.show()
        qtbot.waitUntil(lambda: win.map.is_ready, timeout=20000)
        win.start()
        windows.append(win)
        return win

    yield build
    from tests.ui.test_main_window_faults import close_window

    for win in windows:
        close_window(qtbot, win)


def _status_events(server: FeedServer, incident_id: str) -> list[dict[str, Any]]:
    return [e for e in server.events if e["incident_id"] == incident_id
            and e["kind"] == "status"]


def _my_status(win: Any) -> S | None:
    view = win.workflow.view
    return None if view is None else view.state.status_of("P-12")


def _wait_alert(qtbot, win: Any, incident_id: str) -> None:
    qtbot.waitUntil(lambda: win.model.row_of(incident_id) is not None, timeout=10000)


def test_one_tap_from_banner_to_en_route_arrives_once_through_503_drop_and_truncation(
        qtbot, store, server, make_window):
    win = make_window(store, server.url)
    server.publish(_alert("WF-1", 1))
    qtbot.waitUntil(lambda: win.banner.isVisible(), timeout=10000)
    server.faults.fail_next(2, status=503, path="/v1/incidents")
    server.faults.drop_next(1, path="/v1/incidents")
    server.faults.truncate_next(1, path="/v1/incidents")  # applied, but the answer is lost
    server.faults.duplicate_next(1, path="/v1/alerts")  # a relayed revision delivered twice
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert win.grab().save(str(SCREENSHOTS / "officer_workflow_banner.png"))
    QTest.mouseClick(win.workflow.en_route_button, LEFT)  # the one tap

    qtbot.waitUntil(lambda: _my_status(win) is S.EN_ROUTE, timeout=10000)
    assert win.banner.isHidden()
    assert store.get_incident("WF-1").acknowledged_at is not None
    qtbot.waitUntil(lambda: len(_status_events(server, "WF-1")) == 2
                    and win.workflow.view.pending == 0, timeout=20000)
    assert [e["data"]["status"] for e in _status_events(server, "WF-1")] == [
        "acknowledged", "en_route"]
    qtbot.waitUntil(lambda: server.faults.pending() == 0, timeout=10000)  # all faults met
    assert len(store.unit_events("WF-1")) == 2
    model = win.workflow.status.timeline
    assert [model.delivery(r) for r in range(model.rowCount())] == ["sent", "sent"]
    assert DELIVERY_MARKS["sent"] in model.row_text(0) and "En route" in model.row_text(0)
    assert win.workflow.status.next_button.text().startswith("ON SCENE")


def test_pending_marked_while_offline_and_sent_exactly_once_after_a_restart(
        qtbot, store, server, make_window):
    from tests.ui.test_main_window_faults import close_window

    win = make_window(store, server.url)
    server.publish(_alert("WF-2", 2))
    _wait_alert(qtbot, win, "WF-2")
    win.select_incident("WF-2")
    qtbot.waitUntil(lambda: win.workflow.view is not None
                    and win.workflow.view.incident_id == "WF-2", timeout=10000)
    server.faults.fail_next(10_000, status=503, path="/v1/incidents")  # events refused
    QTest.mouseClick(win.workflow.status.next_button, LEFT)  # acknowledged
    qtbot.waitUntil(lambda: _my_status(win) is S.ACKNOWLEDGED, timeout=10000)
    QTest.keyClick(win, Qt.Key.Key_F5)  # en route, by the shortcut
    qtbot.waitUntil(lambda: _my_status(win) is S.EN_ROUTE, timeout=10000)
    model = win.workflow.status.timeline
    assert [model.delivery(r) for r in range(model.rowCount())] == ["pending", "pending"]
    assert DELIVERY_MARKS["pending"] in model.row_text(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert win.panel.grab().save(str(SCREENSHOTS / "officer_workflow_pending.png"))
    close_window(qtbot, win)
    assert _status_events(server, "WF-2") == []

    server.faults.clear()
    again = make_window(store, server.url)  # a new window on the same store
    qtbot.waitUntil(lambda: len(_status_events(server, "WF-2")) == 2
                    and not store.pending_events(), timeout=20000)
    _wait_alert(qtbot, again, "WF-2")
    again.select_incident("WF-2")
    qtbot.waitUntil(lambda: again.workflow.view is not None
                    and again.workflow.view.incident_id == "WF-2"
                    and again.workflow.view.pending == 0, timeout=10000)
    assert [e["data"]["status"] for e in _status_events(server, "WF-2")] == [
        "acknowledged", "en_route"]
    assert len(store.unit_events("WF-2")) == 2  # relays of our own events are not doubled


def test_undo_within_the_window_sends_a_compensating_event(qtbot, store, server, make_window):
    win = make_window(store, server.url)
    server.publish(_alert("WF-3B", 0))
    server.publish(_alert("WF-3", 3))
    qtbot.waitUntil(lambda: win.banner_incident_id == "WF-3", timeout=10000)
    QTest.mouseClick(win.workflow.en_route_button, LEFT)
    status = win.workflow.status
    qtbot.waitUntil(lambda: _my_status(win) is S.EN_ROUTE and status.undo_button.isVisible(),
                    timeout=10000)
    QTest.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Z
    qtbot.waitUntil(lambda: _my_status(win) is S.ACKNOWLEDGED, timeout=10000)
    assert status.undo_button.isHidden()
    qtbot.waitUntil(lambda: len(_status_events(server, "WF-3")) == 3, timeout=10000)
    sent = _status_events(server, "WF-3")
    assert sent[2]["data"] == {"status": "acknowledged", "undoes": sent[1]["event_id"]}
    entries = win.workflow.view.state.entries
    assert [e.undone for e in entries] == [False, True, False]
    assert "(undone)" in status.timeline.row_text(1)
    assert status.next_button.text().startswith("EN ROUTE")

    # a change offered for undo is not undone from another incident's view
    QTest.mouseClick(status.next_button, LEFT)
    qtbot.waitUntil(lambda: _my_status(win) is S.EN_ROUTE, timeout=10000)
    win.select_incident("WF-3B")
    qtbot.waitUntil(lambda: win.workflow.view is not None
                    and win.workflow.view.incident_id == "WF-3B", timeout=10000)
    win.workflow.undo()
    qtbot.wait(300)
    assert len(_status_events(server, "WF-3")) == 4
    win.select_incident("WF-3")
    qtbot.waitUntil(lambda: win.workflow.view is not None
                    and win.workflow.view.incident_id == "WF-3", timeout=10000)
    assert _my_status(win) is S.EN_ROUTE

    # after the window closes, undo does nothing
    win.workflow.undo_window = UndoWindow(0.3)
    QTest.mouseClick(status.next_button, LEFT)
    qtbot.waitUntil(lambda: _my_status(win) is S.ON_SCENE, timeout=10000)
    qtbot.waitUntil(lambda: status.undo_button.isHidden(), timeout=5000)
    qtbot.waitUntil(lambda: win.workflow.undo_window.remaining(datetime.now(UTC)) == 0,
                    timeout=5000)
    win.workflow.undo()
    qtbot.wait(300)
    assert _my_status(win) is S.ON_SCENE and len(_status_events(server, "WF-3")) == 5


def test_clear_asks_a_disposition_and_response_times_show(qtbot, store, server, make_window):
    win = make_window(store, server.url)
    server.publish(_alert("WF-4", 4))
    qtbot.waitUntil(lambda: win.banner.isVisible(), timeout=10000)
    QTest.mouseClick(win.workflow.en_route_button, LEFT)
    status = win.workflow.status
    qtbot.waitUntil(lambda: _my_status(win) is S.EN_ROUTE
                    and status.next_button.isEnabled(), timeout=10000)
    QTest.mouseClick(status.next_button, LEFT)
    qtbot.waitUntil(lambda: _my_status(win) is S.ON_SCENE
                    and status.next_button.isEnabled(), timeout=10000)
    assert status.next_button.text().startswith("CLEAR")
    QTest.mouseClick(status.next_button, LEFT)
    assert status.dispositions.isVisible() and _my_status(win) is S.ON_SCENE
    QTest.mouseClick(status.disposition_buttons["no_evidence"], LEFT)
    qtbot.waitUntil(lambda: _my_status(win) is S.CLEAR, timeout=10000)
    assert not status.next_button.isEnabled()
    times = win.workflow.view.times["P-12"]
    assert times.dispatch_to_en_route is not None and times.on_scene_to_clear is not None
    assert "Dispatch → en route" in status.times_label.text()
    assert "On scene → clear" in status.times_label.text()
    qtbot.waitUntil(lambda: len(_status_events(server, "WF-4")) == 4, timeout=10000)
    assert _status_events(server, "WF-4")[-1]["data"] == {"status": "clear",
                                                          "disposition": "no_evidence"}


def test_other_units_relayed_status_and_prominent_victim_supplement(
        qtbot, store, server, make_window):
    win = make_window(store, server.url)
    server.publish(_alert("WF-5", 5, supplements=[
        {"at": "2026-11-26T10:01:00Z", "kind": "vehicle", "text": "Dark sedan eastbound"},
        {"at": "2026-11-26T10:02:00Z", "kind": "victim_confirmed", "text": "One male, leg"},
        {"at": "2026-11-26T10:03:00Z", "kind": "subject", "text": "Red hoodie"}]))
    _wait_alert(qtbot, win, "WF-5")
    win.select_incident("WF-5")
    other = new_event("WF-5", EventKind.STATUS, "K-7", {"status": "on_scene"})
    reply = requests.post(f"{server.url}/v1/incidents/WF-5/events", json=event_to_json(other),
                          headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    assert reply.status_code == 201
    status = win.workflow.status
    qtbot.waitUntil(lambda: win.workflow.view is not None
                    and win.workflow.view.state.status_of("K-7") is S.ON_SCENE, timeout=10000)
    assert "K-7" in status.units_label.text() and "On scene" in status.units_label.text()
    assert DELIVERY_MARKS[None] in status.timeline.row_text(0)
    sup = win.workflow.supplements.model
    assert sup.rowCount() == 3 and sup.is_prominent(0)
    assert "VICTIM CONFIRMED: One male, leg" in sup.row_text(0)
    idx = sup.index(0)
    assert sup.data(idx, Qt.ItemDataRole.FontRole).bold()
    assert sup.data(idx, Qt.ItemDataRole.ForegroundRole).name() == "#c62828"
    assert "subject" in sup.row_text(1) and "vehicle" in sup.row_text(2)
    assert sup.data(sup.index(1), Qt.ItemDataRole.FontRole) is None

    QTest.mouseClick(win.workflow.en_route_button, LEFT)
    qtbot.waitUntil(lambda: _my_status(win) is S.EN_ROUTE
                    and win.workflow.view.pending == 0, timeout=15000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    qtbot.wait(200)
    assert win.grab().save(str(SCREENSHOTS / "officer_workflow.png"))
    assert win.panel.grab().save(str(SCREENSHOTS / "officer_workflow_panel.png"))


def test_related_offered_and_linked_prior_listed(qtbot, store, server, make_window):
    win = make_window(store, server.url)
    near = {"lat": 60.1700, "lon": 24.9440, "uncertainty_m": 20}  # ~110 m north
    server.publish(_alert("OLD-1", 0, time="2026-10-01T22:00:00Z"))
    server.publish(_alert("WF-6", 6))
    server.publish(_alert("WF-7", 40, location=near))
    _wait_alert(qtbot, win, "WF-7")
    win.select_incident("WF-6")
    related = win.workflow.related
    qtbot.waitUntil(lambda: related.related_ids == ["WF-7"] and "WF-7" in related.link_buttons,
                    timeout=10000)
    assert related.prior_ids == ["OLD-1"]
    QTest.mouseClick(related.link_buttons["WF-7"], LEFT)
    qtbot.waitUntil(lambda: "WF-7" in related.link_buttons
                    and not related.link_buttons["WF-7"].isEnabled(), timeout=10000)
    assert [x.related_id for x in store.incident_links("WF-6")] == ["WF-7"]

    path = Path(str(SCREENSHOTS.parent / "wf6.eido.json"))
    win.workflow.export_eido_to("WF-6", path)
    qtbot.waitUntil(lambda: win.workflow.last_export == path, timeout=10000)
    doc = json.loads(path.read_text())
    assert eido_errors(doc) == []
    assert "Related incident WF-7" in [n["notesActionComments"] for n in doc["notesComponent"]]
    assert "sensor" not in path.read_text().lower()
    path.unlink()


@pytest.fixture
def fresh_store(tmp_path: Path) -> Iterator[Store]:
    st = Store(store_url(tmp_path / "fresh"))
    yield st
    st.close()


def test_call_sign_asked_when_unset_and_set_from_the_dialog(qtbot, fresh_store, server,
                                                             make_window):
    win = make_window(fresh_store, server.url)
    qtbot.waitUntil(lambda: win.workflow.call_sign_dialog is not None
                    and win.workflow.call_sign_dialog.isVisible(), timeout=10000)
    dialog = win.workflow.call_sign_dialog
    assert not dialog.ok_button.isEnabled()
    assert "No call sign" in win.workflow.status.unit_label.text() or \
        win.panel.incident_id is None
    QTest.keyClicks(dialog.edit, "K-9")
    QTest.mouseClick(dialog.ok_button, LEFT)
    qtbot.waitUntil(lambda: win.workflow.unit == "K-9", timeout=10000)
    assert fresh_store.unit_identity().call_sign == "K-9"
    assert dialog.isHidden()
    assert [a.text() for a in win.menuBar().actions()].count("&Incident") == 1
    file_menu = [a.menu() for a in win.menuBar().actions() if a.text() == "&File"][0]
    assert win.workflow.call_sign_action in file_menu.actions()
