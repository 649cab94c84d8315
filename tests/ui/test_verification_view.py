"""The verification view end to end: real recordings, the real locator on its worker
thread, a real store; the survey is read here (in the test) only, as ground truth."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from console.domain import parse_alert
from console.domain.permissions import Role, User, can_view_sensor_positions, user_for_mode
from console.store import Store
from console.ui.verification_view import VerificationView
from tests.domain.factories import alert_dict

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
OFFICER = user_for_mode("car")
INVESTIGATOR = user_for_mode("desk")


@pytest.fixture
def store(tmp_path: Path):
    st = Store(f"sqlite+pysqlite:///{tmp_path / 'v.sqlite3'}")
    yield st
    st.close()


@pytest.fixture
def make_view(qtbot, store):
    views: list[VerificationView] = []

    def make(user: User, **kw: Any) -> VerificationView:
        view = VerificationView(store, user, **kw)
        qtbot.addWidget(view)
        view.resize(1200, 760)
        view.show()
        views.append(view)
        return view

    yield make
    for view in views:
        view.shutdown()
        if view._map is not None:  # a map page must go before the shared web profile
            gone: list[bool] = []
            view._map.destroyed.connect(lambda *_, box=gone: box.append(True))
            view._map.deleteLater()
            qtbot.waitUntil(lambda box=gone: bool(box), timeout=5000)


def _run(qtbot, view: VerificationView, path: Path, timeout: int = 30000, **kw: Any) -> None:
    with qtbot.waitSignal(view.verification_finished, timeout=timeout):
        assert view.verify(path, **kw)
    qtbot.waitUntil(lambda: view.state == "idle", timeout=5000)


def _survey_xy(folder: Path) -> np.ndarray:
    (survey,) = folder.glob("*.survey.json")
    loc = json.loads(survey.read_text())["survey_location"]
    return np.array([loc["x"], loc["y"]])


def _all_texts(view: VerificationView) -> str:
    parts = view.texts()
    for w in view.findChildren(QWidget):
        parts += [w.toolTip(), w.windowTitle(), w.accessibleName()]
    return "\n".join(parts)


def test_permissions() -> None:
    assert not can_view_sensor_positions(OFFICER)
    assert can_view_sensor_positions(INVESTIGATOR)
    assert can_view_sensor_positions(User("a", Role.ADMINISTRATOR))
    assert not can_view_sensor_positions(User("s", Role.SUPERVISOR))
    assert not can_view_sensor_positions(None)


def test_pittsburgh_from_pulses_is_located_near_the_survey_and_stored(
        qtbot, make_view, store, pittsburgh: Path) -> None:
    folder = pittsburgh / "FP1" / "test_001"
    view = make_view(INVESTIGATOR, map_factory=False)
    progress: list[int] = []
    view.progress.valueChanged.connect(progress.append)
    states: list[str] = []
    view.state_changed.connect(states.append)
    _run(qtbot, view, folder, source="pulses")

    res = view.result
    assert res is not None and res.solution.source == "pulses"
    error = float(np.hypot(*(np.array([res.computed.x, res.computed.y]) - _survey_xy(folder))))
    assert error <= 10.0, f"computed location {error:.1f} m from the survey"
    assert res.rounds.computed == 3
    assert max(progress) == 100 and view.progress.value() == 100 and view.max_progress == 100
    assert states[0] == "running" and states[-1] == "idle"
    assert "no geographic position" in view.display_note.text()
    assert view.stack.currentWidget() is view.plot
    assert view.residuals.rowCount() == len(res.sensors) > 4

    (record,) = store.verifications(None)
    assert record.id == view.record_id and record.user == INVESTIGATOR.name
    assert record.role == "investigator" and record.source == "pulses"
    assert record.data_path == str(folder.resolve()) and len(record.data_sha256) == 64
    assert record.result["rounds"]["computed"] == 3
    # investigators do see serials in the table (the officer test below relies on this)
    assert res.sensors[0].serial in _all_texts(view)


def test_replay_highlights_shots_in_time_order(qtbot, make_view, pittsburgh: Path) -> None:
    view = make_view(OFFICER, map_factory=False, audio=False)  # replay on its own clock
    _run(qtbot, view, pittsburgh / "FP1" / "test_001", source="pulses")
    seen: list[int] = []
    view.shot_highlighted.connect(seen.append)
    view.replay_button.click()
    assert view.replaying
    offsets = view.result.shot_offsets_s
    qtbot.waitUntil(lambda: not view.replaying, timeout=int(1000 * (offsets[-1] + 5)))
    shown = [i for i in seen if i >= 0]
    assert shown == list(range(len(offsets)))
    # the playhead drives the same highlighting (what an audio player's position does)
    view.set_playhead(offsets[1] + 0.01)
    assert seen[-1] == 1
    view.set_playhead(-1.0)
    assert seen[-1] == -1


def test_cancel_returns_to_idle_with_a_message(qtbot, make_view, store,
                                               pittsburgh: Path) -> None:
    view = make_view(OFFICER, map_factory=False)
    cancelled: list[bool] = []
    view.verification_cancelled.connect(lambda: cancelled.append(True))
    finished: list[object] = []
    view.verification_finished.connect(finished.append)
    assert view.verify(pittsburgh / "FP1" / "test_002", source="audio")
    assert view.state == "running" and view.cancel_button.isEnabled()
    assert not view.verify(pittsburgh / "FP1" / "test_002")  # one at a time
    qtbot.waitUntil(lambda: view.progress.value() > 0, timeout=10000)
    view.cancel_button.click()
    qtbot.waitUntil(lambda: view.state == "idle", timeout=30000)
    assert cancelled == [True] and finished == []
    assert "cancelled" in view.status_label.text().lower()
    assert view.result is None and not view.cancel_button.isEnabled()
    assert view.open_button.isEnabled()
    assert store.verifications(None) == []
    # the view is usable again
    _run(qtbot, view, pittsburgh / "FP1" / "test_001", source="pulses")
    assert view.result is not None


def test_bad_folder_fails_cleanly(qtbot, make_view, tmp_path: Path) -> None:
    (tmp_path / "junk.txt").write_text("not an incident")
    view = make_view(OFFICER, map_factory=False)
    with qtbot.waitSignal(view.verification_failed, timeout=10000):
        view.verify(tmp_path)
    qtbot.waitUntil(lambda: view.state == "idle", timeout=5000)
    assert view.status_label.text().startswith("Verification failed:")


def test_officer_view_shows_no_sensor_serial_or_position(qtbot, make_view,
                                                         pittsburgh: Path) -> None:
    folder = pittsburgh / "FP1" / "test_001"
    view = make_view(OFFICER, map_factory=False)
    _run(qtbot, view, folder, source="pulses")
    text = _all_texts(view)
    sensors = view.run.data.sensors
    assert sensors
    for s in sensors:
        assert s.serial not in text
        for fmt in ("{:.0f}", "{:.1f}", "{:.2f}"):
            assert fmt.format(s.x) not in text and fmt.format(s.y) not in text
    assert "Serial" not in [view.residuals.headerData(c, 1) for c in
                            range(view.residuals.columnCount())]
    assert all(view.residuals.data(view.residuals.index(r, 0)).startswith("Sensor ")
               for r in range(view.residuals.rowCount()))
    # nothing drawn at a sensor position on the plot
    names = [getattr(item, "name", lambda: None)() for item in view.plot.listDataItems()]
    assert "sensors" not in names
    # the recordings in the audio player: "Sensor k" as in the table, no serial either
    player = view.audio_player
    assert player is not None
    qtbot.waitUntil(lambda: len(player.clips) == len(view.run.data.recordings), timeout=20000)
    qtbot.waitUntil(lambda: len(player.markers) > 0, timeout=20000)
    table = {view.residuals.data(view.residuals.index(r, 0))
             for r in range(view.residuals.rowCount())}
    assert {c.label for c in player.clips} <= table | {
        f"Sensor {k}" for k in range(len(table) + 1, len(table) + 10)}
    text = _all_texts(view)
    for s in sensors:
        assert s.serial not in text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    view.set_playhead(view.result.shot_offsets_s[1])
    qtbot.wait(200)
    assert view.grab().save(str(SCREENSHOTS / "verification_view.png"))


def test_replay_follows_the_audio_playhead(qtbot, make_view, pittsburgh: Path) -> None:
    view = make_view(INVESTIGATOR, map_factory=False)
    _run(qtbot, view, pittsburgh / "FP1" / "test_001", source="pulses")
    player = view.audio_player
    qtbot.waitUntil(lambda: len(player.clips) > 0, timeout=20000)
    if player.engine is None:
        if os.environ.get("CI") == "true":  # CI plays into the ALSA null sink: a device exists
            pytest.fail(f"no sound output in CI: {player.device_error}")
        pytest.skip(f"no sound output here: {player.device_error}")
    seen: list[int] = []
    view.shot_highlighted.connect(seen.append)
    view.start_replay()
    assert view.replaying
    # the replay follows the player's clock while it plays; only a clip already drained
    # (the null sink used in tests consumes audio as fast as it can, and a loaded machine
    # can pause this thread that long) sends it to its own clock
    assert view._replay_from_player or not player.engine.playing
    n = len(view.result.shot_offsets_s)
    qtbot.waitUntil(lambda: not view.replaying, timeout=20000)
    # the null sink used in tests plays faster than real time, so shots may be skipped,
    # but they come in time order and the last one is reached
    shown = [i for i in seen if i >= 0]
    assert shown and shown == sorted(set(shown)) and shown[-1] == n - 1
    assert not player.engine.playing  # replay stopped the sound it started


def _js(qtbot, alert_map, code: str) -> Any:
    box: dict[str, Any] = {}
    alert_map.run_js(code, lambda result: box.setdefault("result", result))
    qtbot.waitUntil(lambda: "result" in box, timeout=5000)
    return box["result"]


@pytest.mark.parametrize("user", [OFFICER, INVESTIGATOR], ids=["officer", "investigator"])
def test_geographic_recordings_verify_an_incident_on_the_map(
        qtbot, make_view, store, shotspotter_wav: Path, user: User) -> None:
    folder = shotspotter_wav / "chicago-d7-2022-09-21-request-4072698"
    alert = parse_alert(alert_dict(
        "CHI-4072698", 1, seq=1, type="multiple_gunshots", rounds=6, shooters=1,
        location={"lat": 41.7910, "lon": -87.6414, "uncertainty_m": 30.0},
        mobile={"speed_mps": 9.0, "heading_deg": 200.0}))
    store.ingest([alert], "http://feed", 1)
    view = make_view(user)
    view.set_incident(alert)
    assert view.verify_button.isEnabled()
    with qtbot.waitSignal(view.verification_finished, timeout=60000):
        assert view.verify_incident(folder)
    qtbot.waitUntil(lambda: view.state == "idle", timeout=5000)
    res = view.result
    assert res.geographic and res.alert_id == "CHI-4072698"
    assert res.distance_m is not None and res.reported is not None
    lat0, lon0 = alert.location.lat, alert.location.lon
    expect = math.hypot((res.computed.lat - lat0) * 111_195,
                        (res.computed.lon - lon0) * 111_195 * math.cos(math.radians(lat0)))
    assert res.distance_m == pytest.approx(expect, rel=0.01)
    assert view.stack.currentWidget() is view._map
    assert "No map pack covers this area" in view.display_note.text()
    qtbot.waitUntil(lambda: view._map.is_ready, timeout=20000)
    qtbot.waitUntil(lambda: _js(qtbot, view._map, "window.macMap.verificationState()")
                    is not None, timeout=10000)
    state = _js(qtbot, view._map, "window.macMap.verificationState()")
    assert state["shots"] == res.rounds.computed and state["reported"]
    assert state["distance"] == f"{res.distance_m:.0f} m"
    assert (state["sensors"] > 0) == can_view_sensor_positions(user)
    page = _js(qtbot, view._map, "document.body.innerText + document.body.innerHTML")
    if not can_view_sensor_positions(user):
        assert all(s.serial not in page for s in view.run.data.sensors)
    view.set_playhead(res.shot_offsets_s[2])
    qtbot.waitUntil(lambda: _js(qtbot, view._map,
                                "window.macMap.verificationState().highlighted") == 2,
                    timeout=5000)
    (record,) = store.verifications("CHI-4072698")
    assert record.verdict == str(res.verdict)
    if user is OFFICER:
        assert all(s.serial not in _all_texts(view) for s in view.run.data.sensors)


def test_map_screenshot(qtbot, make_view, store, shotspotter_wav: Path) -> None:
    folder = shotspotter_wav / "chicago-d7-2022-09-21-request-4072698"
    alert = parse_alert(alert_dict(
        "CHI-4072698", 1, seq=1, rounds=6, shooters=1,
        location={"lat": 41.7910, "lon": -87.6414, "uncertainty_m": 30.0}))
    store.ingest([alert], "http://feed", 1)
    view = make_view(INVESTIGATOR)
    view.set_incident(alert)
    with qtbot.waitSignal(view.verification_finished, timeout=60000):
        view.verify_incident(folder)
    qtbot.waitUntil(lambda: view._map.is_ready, timeout=20000)
    qtbot.waitUntil(lambda: _js(qtbot, view._map, "window.macMap.verificationState()")
                    is not None, timeout=10000)
    view.set_playhead(view.result.shot_offsets_s[3])
    view._map.run_js("window.__painted = false; requestAnimationFrame(() => "
                     "requestAnimationFrame(() => { window.__painted = true; }))")
    qtbot.waitUntil(lambda: _js(qtbot, view._map, "window.__painted") is True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert view.grab().save(str(SCREENSHOTS / "verification_view_map.png"))


@pytest.mark.parametrize("mode, role", [("car", "officer"), ("desk", "investigator")])
def test_main_window_verifies_the_selected_incident(qtbot, store, shotspotter_wav: Path,
                                                    mode: str, role: str) -> None:
    from console.app import build_main_window

    folder = shotspotter_wav / "chicago-d5-2022-09-18-incident-556267"
    alert = parse_alert(alert_dict(
        "CHI-556267", 1, seq=1, type="single_gunshot", rounds=1, shooters=1,
        location={"lat": 41.6953, "lon": -87.6310, "uncertainty_m": 25.0}))
    store.ingest([alert], "http://feed", 1)
    win = build_main_window(store, "http://127.0.0.1:9", "t", sound=False, mode=mode)
    win.resize(1024, 700)
    win.show()
    try:
        qtbot.waitUntil(lambda: win.model.rowCount() == 1, timeout=10000)
        assert win.user.role == role
        assert not win.verification.verify_selected(folder)  # nothing selected yet
        win.select_incident("CHI-556267")
        qtbot.waitUntil(lambda: win.panel.incident_id == "CHI-556267", timeout=5000)
        view = win.verification.window.view
        with qtbot.waitSignal(view.verification_finished, timeout=60000):
            assert win.verification.verify_selected(folder)
        qtbot.waitUntil(lambda: view.state == "idle", timeout=5000)
        assert view.result.alert_id == "CHI-556267" and view.result.distance_m is not None
        assert view.shows_sensor_detail == (role == "investigator")
        (record,) = store.verifications("CHI-556267")
        assert record.role == role
        assert [a.text() for a in win.menuBar().actions()] == ["&File", "&Incident"]
    finally:
        win.verification.window.close()
        view = win.verification.window.view
        if view._map is not None:
            gone: list[bool] = []
            view._map.destroyed.connect(lambda *_: gone.append(True))
            view._map.deleteLater()
            qtbot.waitUntil(lambda: bool(gone), timeout=5000)
        win.verification.window.deleteLater()
        win.shutdown()
        closed: list[bool] = []
        win.destroyed.connect(lambda: closed.append(True))
        win.close()
        win.deleteLater()
        qtbot.waitUntil(lambda: bool(closed), timeout=5000)
