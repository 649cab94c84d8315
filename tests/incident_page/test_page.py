"""The incident page on a real store (SQLite and PostgreSQL), real map page, real audio."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QLabel, QTabWidget, QWidget

from console.services.accounts import AccountService, ensure_demo_accounts
from console.services.sessions import UserSession
from console.store import audit_store
from console.ui.desk.context import DeskContext
from console.ui.desk.incident_page import IncidentPage
from tests.incident_page import crafted as c

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def screenshot(page: IncidentPage, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SCREENSHOTS / f"incident_page_{name}.png"))


def desk(store, role: str) -> DeskContext:
    ensure_demo_accounts(store)
    accounts = AccountService(store)
    session = UserSession.sign_in(accounts, f"demo-{role}", f"demo-{role}-pass")
    return DeskContext(store, session, accounts.audit, accounts)


def open_page(qtbot, ctx: DeskContext, incident_id: str = c.INCIDENT) -> IncidentPage:
    page = IncidentPage(ctx, incident_id)  # deleted by close_page, not by qtbot
    page.resize(1300, 800)
    page.show()
    qtbot.waitUntil(lambda: page.state != "loading", timeout=20000)
    return page


def close_page(qtbot, page: IncidentPage) -> None:
    """Close and delete now: a map page must never outlive the shared web profile."""
    page.shutdown()
    page.ctx.wait()
    gone: list[bool] = []
    page.destroyed.connect(lambda: gone.append(True))
    page.close()
    page.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=5000)


def widget_texts(root: QWidget) -> list[str]:
    """Every text the page puts on screen: labels, buttons, tab titles, table cells."""
    out = [w.text() for w in root.findChildren(QLabel)]
    out += [w.text() for w in root.findChildren(QAbstractButton)]
    for tabs in root.findChildren(QTabWidget):
        out += [tabs.tabText(i) for i in range(tabs.count())]
    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        try:
            cols = model.columnCount(QModelIndex())
        except (TypeError, AttributeError):  # a list model: one column
            cols = 1
        for r in range(model.rowCount(QModelIndex())):
            for col in range(cols):
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = model.index(r, col).data(role)
                    if value is not None:
                        out.append(str(value))
    return out


@pytest.fixture
def crafted_store(store):
    c.build(store)
    return store


def test_page_shows_the_dossier(qtbot, crafted_store) -> None:
    page = open_page(qtbot, desk(crafted_store, "investigator"))
    try:
        assert page.state == "ready", page.message.text()
        assert "HEL-2026-0042 — Multiple gunshots" in page.title.text()
        facts = page.facts.text()
        for part in ("Vilhonkatu 6", "Kluuvi / K1", "updated (revision 3)",
                     "<b>Rounds</b> 5", "<b>Shooters</b> 1", "<b>Mobile</b> no"):
            assert part in facts
        revs = page.revisions.model.row_texts()
        assert [r[0] for r in revs] == ["1", "2", "3"]
        assert revs[2][6].startswith("review reviewed → updated; location moved 100 m")
        assert page.timeline.responses.row_texts() == [
            ("A1", "2:00", "5:00", "23:00", "Clear (evidence found)"),
            ("B2", "—", "3:00", "—", "On scene")]
        assert page.timeline.timeline.rowCount() == 8
        assert "First on scene: <b>A1</b>" in page.timeline.summary.text()
        summary = page.canvass.summary.text()
        assert "Doors visited: <b>2 / 17</b>" in summary and "witnesses recorded: 1" in summary
        assert page.canvass.outcomes.row_texts() == [("Heard shots", "1"),
                                                     ("Camera available", "1")]
        assert page.supplements.supplements.model.rowCount() == 2
        assert page.supplements.evidence.row_texts()[0][1:4] == ("A1", "casings", "4")
        assert page.supplements.links.row_texts()[0][0] == c.RELATED
        (ver,) = page.verification.model.row_texts()
        assert ver[1:6] == ("demo-investigator (investigator)", "pulses", "test_001",
                            "consistent", "12.5 m")
        assert ver[6] == "5 / 5"
        if crafted_store.engine.dialect.name == "sqlite":
            for tab in ("Alert", "Timeline", "Canvass", "Supplements", "Verification",
                        "Audit"):
                page.show_tab(tab)
                screenshot(page, tab.lower())
    finally:
        close_page(qtbot, page)


def test_every_view_is_audited_and_listed(qtbot, crafted_store) -> None:
    first = open_page(qtbot, desk(crafted_store, "supervisor"))
    close_page(qtbot, first)
    page = open_page(qtbot, desk(crafted_store, "officer"))
    try:
        views = [r for r in page.audit_trail.model.row_texts() if r[3] == "view incident"]
        assert [(r[2], r[4]) for r in views] == [("demo-supervisor", "ok"),
                                                ("demo-officer", "ok")]
        with qtbot.waitSignal(page.loaded, timeout=20000):
            page.reload_button.click()
        views = [r for r in page.audit_trail.model.row_texts() if r[3] == "view incident"]
        assert len(views) == 3
        stored = [e for e in audit_store.entries(crafted_store)
                  if e.action == "view_incident" and e.object_id == c.INCIDENT]
        assert len(stored) == 3
    finally:
        close_page(qtbot, page)


@pytest.mark.parametrize("role", ["officer", "investigator"])
def test_no_sensor_identity_on_any_tab(qtbot, crafted_store, role) -> None:
    page = open_page(qtbot, desk(crafted_store, role))
    try:
        for title in ("Alert", "Map", "Audio", "Timeline", "Canvass", "Supplements",
                      "Verification", "Audit"):
            page.show_tab(title)
            qtbot.wait(50)
        qtbot.waitUntil(lambda: bool(page.audio.player and page.audio.player.clips),
                        timeout=20000)
        texts = "\n".join(widget_texts(page))
        assert c.SECRET_SERIAL not in texts
        assert not re.search(r"60\.10*\b|24\.90*\b", texts)  # the sensor's position
        assert "Sensor 1" in "\n".join(widget_texts(page.audio))  # labels, never serials
    finally:
        close_page(qtbot, page)


def test_verification_view_decides_sensor_detail(qtbot, crafted_store) -> None:
    for role, detail in (("officer", False), ("investigator", True)):
        page = open_page(qtbot, desk(crafted_store, role))
        try:
            window = page.open_verification()
            assert window.view.shows_sensor_detail is detail
            window.close()
        finally:
            close_page(qtbot, page)


def test_unknown_incident_says_so(qtbot, store) -> None:
    page = open_page(qtbot, desk(store, "investigator"), "NO-SUCH-1")
    try:
        assert page.state == "failed"
        assert "There is no incident “NO-SUCH-1” in this store" in page.message.text()
        assert not page.tabs.isEnabled() and not page.export_button.isEnabled()
        assert page.reload_button.isEnabled()
        last = audit_store.head(store)
        assert (last.action, last.outcome, last.object_id) == (
            "view_incident", "failed", "NO-SUCH-1")
    finally:
        close_page(qtbot, page)


def test_a_locked_session_loads_nothing(qtbot, crafted_store) -> None:
    ctx = desk(crafted_store, "investigator")
    ctx.session.lock()
    page = open_page(qtbot, ctx)
    try:
        assert page.state == "failed" and "session is locked" in page.message.text()
        assert page.data is None
    finally:
        close_page(qtbot, page)


def test_buttons_emit_for_the_shell_by_role(qtbot, crafted_store) -> None:
    page = open_page(qtbot, desk(crafted_store, "investigator"))
    try:
        with qtbot.waitSignal(page.export_requested) as export:
            page.export_button.click()
        with qtbot.waitSignal(page.release_requested) as release:
            page.release_button.click()
        assert export.args == [c.INCIDENT] and release.args == [c.INCIDENT]
    finally:
        close_page(qtbot, page)
    page = open_page(qtbot, desk(crafted_store, "officer"))
    try:  # officers request releases but do not export reports
        assert not page.export_button.isEnabled() and page.release_button.isEnabled()
        assert "may not export" in page.export_button.toolTip()
    finally:
        close_page(qtbot, page)


def test_audio_tab_plays_the_cached_clip_or_says_none(qtbot, crafted_store) -> None:
    from console.domain.alert import parse_alert
    from tests.domain.factories import alert_dict

    page = open_page(qtbot, desk(crafted_store, "investigator"))
    try:
        with qtbot.waitSignal(page.audio.stack.currentChanged, timeout=20000,
                              raising=False):
            page.show_tab("Audio")
        qtbot.waitUntil(lambda: bool(page.audio.player and page.audio.player.clips),
                        timeout=20000)
        assert page.audio.player.clips[0].duration_s == pytest.approx(2.5)
        assert "Clip 1: audio/wav, 2.5 s" in page.audio.info.text()
    finally:
        close_page(qtbot, page)
    crafted_store.ingest([parse_alert(alert_dict("BARE-1", 1, seq=50))], c.FEED, 50)
    page = open_page(qtbot, desk(crafted_store, "investigator"), "BARE-1")
    try:
        page.show_tab("Audio")
        assert page.audio.player is None
        assert page.audio.stack.currentWidget().text() == "No audio cached for this incident."
        assert "no canvass" in page.canvass.summary.text().lower()
    finally:
        close_page(qtbot, page)


def test_map_tab_shows_incident_and_canvass(qtbot, crafted_store) -> None:
    if crafted_store.engine.dialect.name != "sqlite":
        pytest.skip("the map reads no store: one backend is enough")
    page = open_page(qtbot, desk(crafted_store, "investigator"))
    try:
        page.show_tab("Map")
        qtbot.waitUntil(lambda: page.map.map is not None and page.map.map.is_ready,
                        timeout=30000)
        alert_map = page.map.map
        assert c.INCIDENT in alert_map._incidents
        assert alert_map._verification["computed"]["radius_m"] == 10.0
        assert "sensors" not in alert_map._verification
        got: list = []
        qtbot.waitUntil(lambda: (alert_map.run_js(
            "document.querySelectorAll('.leaflet-interactive').length", got.append)
            or bool(got and got[-1] and got[-1] > 10)), timeout=20000)
        assert "±20 m (90 %)" in page.map.note.text()
        assert "newest verification (dashed) 12.5 m" in page.map.note.text()
        assert "outside" not in page.map.note.text()
        qtbot.wait(1500)  # tiles drawn
        screenshot(page, "map")
    finally:
        close_page(qtbot, page)


def test_legal_hold_in_header_and_purged_incident_explained(qtbot, crafted_store) -> None:
    from datetime import UTC, datetime

    from console.domain.alert import parse_alert
    from console.domain.permissions import Role, User
    from console.services import retention
    from tests.domain.factories import alert_dict

    retention.place_hold(crafted_store, User("demo-captain", Role.CAPTAIN), c.INCIDENT,
                         "DA request 2026-117")
    crafted_store.ingest([parse_alert(alert_dict("OLD-2015-1", 1, seq=60,
                                                 time="2015-03-01T22:00:00Z"))], c.FEED, 60)
    admin = User("demo-administrator", Role.ADMINISTRATOR)
    plan = retention.plan_purge(crafted_store, datetime(2026, 11, 26, tzinfo=UTC))
    assert plan.incident_ids == ("OLD-2015-1",)
    retention.purge(crafted_store, admin, plan, plan.confirmation, reason="7 years kept")
    page = open_page(qtbot, desk(crafted_store, "investigator"))
    try:
        assert "Legal hold</b> since" in page.facts.text()
        assert "DA request 2026-117" in page.facts.text()
    finally:
        close_page(qtbot, page)
    page = open_page(qtbot, desk(crafted_store, "investigator"), "OLD-2015-1")
    try:
        text = page.message.text()
        assert page.state == "failed"
        assert "was purged under the retention rules" in text and "7 years kept" in text
        assert "demo-administrator" in text
        last = audit_store.head(crafted_store)
        assert (last.action, last.outcome, last.details) == (
            "view_incident", "failed", {"reason": "purged"})
    finally:
        close_page(qtbot, page)
