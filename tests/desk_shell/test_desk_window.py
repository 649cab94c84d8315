"""The desk window: tabs by role, incident pages from the history, report export, lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks.desk_data import generate
from console.services import history
from console.services.accounts import AccountService, ensure_demo_accounts
from console.services.sessions import UserSession
from console.store import Store, audit_store
from console.ui.desk.context import DeskContext
from console.ui.desk.desk_window import DeskWindow

TABS = {
    "officer": ["Releases"],
    "supervisor": ["History", "Statistics", "Audit"],
    "investigator": ["History", "Statistics", "Releases"],
    "captain": ["History", "Statistics", "Releases", "Audit"],
    "administrator": ["Audit", "Retention", "Accounts"],
}


@contextmanager
def desk(qtbot, tmp_path: Path, role: str, n: int = 0) -> Iterator[DeskWindow]:
    store = Store(f"sqlite+pysqlite:///{tmp_path / f'{role}.db'}")
    try:
        if n:
            generate(store, n, years=0.05, seed=3, end=datetime.now(UTC))
        ensure_demo_accounts(store)
        accounts = AccountService(store)
        session = UserSession.sign_in(accounts, f"demo-{role}", f"demo-{role}-pass")
        ctx = DeskContext(store, session, accounts.audit, accounts)
        window = DeskWindow(ctx)
        gone: list[bool] = []
        window.destroyed.connect(lambda: gone.append(True))
        try:
            yield window
        finally:
            ctx.wait()
            window.close()
            window.deleteLater()  # a map page must not outlive the shared web profile
            qtbot.waitUntil(lambda: bool(gone), timeout=5000)
    finally:
        store.close()


def tab_titles(window: DeskWindow) -> list[str]:
    return [window.tabs.tabText(i) for i in range(window.tabs.count())]


@pytest.mark.parametrize("role", sorted(TABS))
def test_tabs_follow_the_role(qtbot, tmp_path: Path, role: str) -> None:
    with desk(qtbot, tmp_path, role) as window:
        assert tab_titles(window) == TABS[role]
        assert window.user_label.text() == f"Signed in: demo-{role} ({role})"
        assert window.import_action.isEnabled() == (role != "officer")


def test_history_opens_incident_pages_once_and_exports_a_report(qtbot, tmp_path: Path) -> None:
    with desk(qtbot, tmp_path, "investigator", n=200) as window:
        window.show()
        history = window.history
        qtbot.waitUntil(lambda: history.model.rowCount() > 0, timeout=20_000)
        incident_id = history.model.incident(0).id
        history.incident_opened.emit(incident_id)
        assert tab_titles(window)[-1] == incident_id
        page = window.incident_pages[incident_id]
        history.incident_opened.emit(incident_id)  # opening again shows the same page
        assert tab_titles(window).count(incident_id) == 1
        assert window.tabs.currentWidget() is page

        def viewed() -> bool:
            return any(e.action == "view_incident" and e.object_id == incident_id
                       for e in audit_store.entries(window.ctx.store))
        qtbot.waitUntil(viewed, timeout=20_000)

        pdf = tmp_path / "report.pdf"
        window.export_report(incident_id, str(pdf))
        qtbot.waitUntil(lambda: window.last_export.finished, timeout=60_000)
        assert pdf.read_bytes()[:5] == b"%PDF-"
        assert "Report saved" in window.statusBar().currentMessage()
        exports = [e for e in audit_store.entries(window.ctx.store)
                   if e.action == "export_report" and e.object_id == incident_id]
        assert [e.outcome for e in exports][-1] == "ok"

        window.tabs.tabCloseRequested.emit(window.tabs.indexOf(page))
        assert incident_id not in tab_titles(window)
        assert incident_id not in window.incident_pages
        window.tabs.tabCloseRequested.emit(window.tabs.indexOf(history))  # fixed tab stays
        assert "History" in tab_titles(window)


def test_lock_now_locks_the_session(qtbot, tmp_path: Path) -> None:
    with desk(qtbot, tmp_path, "captain") as window:
        window.lock()
        assert window.ctx.session.locked
        assert not window.ctx.may("search_history")
        assert window.user_label.text() == "Locked"


def test_search_map_export_writes_an_offline_html_map(qtbot, tmp_path: Path) -> None:
    with desk(qtbot, tmp_path, "supervisor", n=120) as window:
        qtbot.waitUntil(lambda: window.history.model.rowCount() > 0, timeout=20_000)
        shown = window.history.model.rowCount()
        out = tmp_path / "map.html"
        window.export_search_map(str(out))
        qtbot.waitUntil(lambda: window.last_export.finished, timeout=60_000)
        html = out.read_text(encoding="utf-8")
        total = history.search(window.ctx.store, window.history.query(limit=None)).total
        assert window.last_map.markers == total >= shown
        assert window.history.model.incident(0).id in html
        assert "<script src=\"http" not in html  # offline: no script from a network
        assert f"Map saved ({total} incidents)" in window.statusBar().currentMessage()
        entry = [e for e in audit_store.entries(window.ctx.store)
                 if e.action == "export_search_map"][-1]
        assert entry.outcome == "ok" and entry.user == "demo-supervisor"
        assert shown > 0


def test_desk_demo_fills_an_empty_store_with_a_year_of_history_once(qtbot, tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from console.app import DEMO_HISTORY, _seed_demo_history
    from console.store.models import Incident

    store = Store(f"sqlite+pysqlite:///{tmp_path / 'demo.db'}")
    try:
        _seed_demo_history(store)
        _seed_demo_history(store)  # a store with history is left alone
        with store.engine.connect() as conn:
            count, newest = conn.execute(
                select(func.count(), func.max(Incident.time))).one()
        assert count == DEMO_HISTORY[0]
        assert (datetime.now(UTC) - newest.replace(tzinfo=UTC)).days <= 2
        districts = history.areas(store)
        assert len(districts) == 4 and all(len(b) == 4 for b in districts.values())
    finally:
        store.close()
