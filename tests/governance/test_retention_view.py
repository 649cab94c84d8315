"""Retention view: preview, legal hold, typed confirmation, purge with progress, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from console.store import audit_store, retention_store
from console.ui import background
from console.ui.desk.context import DeskContext
from console.ui.desk.retention_view import RetentionView
from tests.governance.desk import desk_context, shot
from tests.governance.seed import add_incident


def _ago(years: float) -> datetime:  # the view plans against the real clock
    return datetime.now(UTC) - timedelta(days=365.25 * years)


def _seed(ctx: DeskContext) -> None:
    for i, age in enumerate([11, 9, 7.5]):
        add_incident(ctx.store, f"OLD-{i}", _ago(age))
    add_incident(ctx.store, "NEW-0", _ago(6.5))


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[DeskContext]:
    with desk_context(tmp_path, "administrator") as ctx:
        _seed(ctx)
        yield ctx


def _settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: not background._LIVE, timeout=20_000)


def _cells(model, col: int) -> list[str]:
    return [model.index(r, col).data() for r in range(model.rowCount())]


def test_preview_hold_and_purge(qtbot: QtBot, admin: DeskContext) -> None:
    view = RetentionView(admin)
    qtbot.addWidget(view)
    _settle(qtbot)
    assert "3 incidents</b> would be purged" in view.summary.text()
    assert dict(zip(_cells(view.counts, 0), map(int, _cells(view.counts, 1)), strict=True)) == {
        "incidents": 3, "alert_revisions": 6, "audio_cache": 3, "unit_events": 3,
        "outbox": 3, "canvass_visits": 3, "evidence_items": 3, "verifications": 3,
        "canvass_areas": 3}
    assert "PURGE 3 INCIDENTS" in view.confirm_label.text()
    assert not view.purge_button.isEnabled()

    view.place_hold("OLD-1", "DA request 2026-17")
    _settle(qtbot)
    assert view.status.text() == "Legal hold placed on OLD-1"
    assert _cells(view.holds, 0) == ["OLD-1"] and _cells(view.held, 0) == ["OLD-1"]
    assert "2 incidents</b> would be purged" in view.summary.text()

    view.confirm.setText("PURGE 3 INCIDENTS")  # the old preview's text no longer fits
    assert not view.purge_button.isEnabled()
    view.confirm.setText("PURGE 2 INCIDENTS")
    assert view.purge_button.isEnabled()
    view.resize(1000, 820)
    shot(view, "retention_view.png")
    view.purge_button.click()
    _settle(qtbot)
    assert view.status.text() == ("Purged 2 incidents (20 rows). Tombstones and audit "
                                  "entries remain.")
    assert sorted(_cells(view.tombstones, 0)) == ["OLD-0", "OLD-2"]
    assert {r.alert.id for r in admin.store.list_incidents()} == {"OLD-1", "NEW-0"}
    assert "0 incidents</b> would be purged" in view.summary.text()
    assert not view.purge_button.isEnabled() and view.confirm.text() == ""
    assert [e.details["incidents"] for e in audit_store.entries(admin.store)
            if e.action == "purge_records"] == [["OLD-0", "OLD-2"]]

    view.show_released.setChecked(True)
    _settle(qtbot)
    [hold] = view.holds.rows()
    view.release_hold(hold.id, "case closed")
    _settle(qtbot)
    assert view.status.text() == "Legal hold on OLD-1 released"
    assert "1 incident</b> would be purged" in view.summary.text()


def test_wrong_confirmation_is_refused_and_nothing_is_deleted(qtbot: QtBot,
                                                             admin: DeskContext) -> None:
    view = RetentionView(admin)
    qtbot.addWidget(view)
    _settle(qtbot)
    view.confirm.setText("purge everything")
    view.purge()  # the button stays disabled; the service refuses all the same
    _settle(qtbot)
    assert view.status.text() == ("confirmation did not match: type 'PURGE 3 INCIDENTS' "
                                  "to purge; nothing was deleted")
    assert len(admin.store.list_incidents()) == 4
    assert retention_store.tombstones(admin.store) == []


def test_investigator_places_holds_but_may_not_purge(qtbot: QtBot, tmp_path: Path) -> None:
    with desk_context(tmp_path, "investigator") as ctx:
        _seed(ctx)
        view = RetentionView(ctx)
        qtbot.addWidget(view)
        _settle(qtbot)
        assert view.place_button.isEnabled()
        view.confirm.setText("PURGE 3 INCIDENTS")
        assert not view.purge_button.isEnabled()
        view.purge()
        _settle(qtbot)
        assert view.status.text() == "demo-investigator (investigator) may not purge records"
        assert len(ctx.store.list_incidents()) == 4
        last = audit_store.head(ctx.store)
        assert last is not None and (last.action, last.outcome) == ("purge_records", "denied")
        view.place_hold("NOPE", "x")
        _settle(qtbot)
        assert view.status.text() == "no incident 'NOPE' in the store"
