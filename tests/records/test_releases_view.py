"""Releases tab: an investigator asks, a captain approves, the investigator produces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from console.services.accounts import AccountService, ensure_demo_accounts
from console.services.sessions import UserSession
from console.store import audit_store
from console.store.store import Store
from console.ui.desk.context import DeskContext
from console.ui.desk.releases_view import ReleasesView
from tests.records.scenario import add_incident

SHOTS = Path("artifacts/screenshots")


def desk(store: Store, role: str) -> DeskContext:
    ensure_demo_accounts(store)
    accounts = AccountService(store)
    session = UserSession.sign_in(accounts, f"demo-{role}", f"demo-{role}-pass")
    return DeskContext(store, session, accounts.audit, accounts)


def _wait(qtbot: Any, ctx: DeskContext, job: Any) -> None:
    assert job is not None
    qtbot.waitUntil(lambda: job.finished, timeout=30000)
    ctx.wait()
    qtbot.wait(50)  # the refresh that follows a step


def _select(qtbot: Any, table: Any, ctx: DeskContext) -> None:
    qtbot.waitUntil(lambda: table.model().rowCount() > 0, timeout=10000)
    table.selectRow(0)


def _shot(view: ReleasesView, name: str) -> None:
    if SHOTS.is_dir():
        view.grab().save(str(SHOTS / name))


def test_request_approve_and_produce_through_the_view(qtbot: Any, store: Store,
                                                      tmp_path: Path) -> None:
    add_incident(store)
    inv_ctx = desk(store, "investigator")
    inv = ReleasesView(inv_ctx)
    qtbot.addWidget(inv)
    inv.resize(1000, 700)
    assert not inv.pending_table.isVisibleTo(inv) or not inv.can_decide
    inv.new_request("HEL-2026-0042")
    inv.recipient_edit.setText("District Attorney")
    inv.purpose_edit.setPlainText("Case 2026-113")
    _wait(qtbot, inv_ctx, inv.submit())
    qtbot.waitUntil(lambda: inv.mine_model.rowCount() == 1, timeout=10000)
    assert "sent to the captains" in inv.message.text()
    request_id = inv.mine_model.row(0).id
    _select(qtbot, inv.mine_table, inv_ctx)
    assert not inv.produce_button.isEnabled()  # pending: nothing to produce yet

    cap_ctx = desk(store, "captain")
    cap = ReleasesView(cap_ctx)
    qtbot.addWidget(cap)
    cap.resize(1000, 500)
    assert not cap.form.isVisibleTo(cap)  # captains decide, they do not request
    qtbot.waitUntil(lambda: cap.pending_model.rowCount() == 1, timeout=10000)
    _select(qtbot, cap.pending_table, cap_ctx)
    _shot(cap, "records_releases_captain.png")
    _wait(qtbot, cap_ctx, cap.approve_selected(note="Letter on file"))
    qtbot.waitUntil(lambda: cap.pending_model.rowCount() == 0, timeout=10000)

    _wait(qtbot, inv_ctx, inv.refresh())
    qtbot.waitUntil(lambda: str(inv.mine_model.row(0).status) == "approved", timeout=10000)
    _select(qtbot, inv.mine_table, inv_ctx)
    assert inv.produce_button.isEnabled()
    _wait(qtbot, inv_ctx, inv.produce_selected(str(tmp_path)))
    qtbot.waitUntil(lambda: bool(inv.last_outputs), timeout=30000)
    assert inv.last_outputs == [str(tmp_path / f"HEL-2026-0042-report-{request_id}.pdf")]
    assert Path(inv.last_outputs[0]).stat().st_size > 10_000
    _shot(inv, "records_releases_requester.png")
    actions = [(e.action, e.outcome) for e in audit_store.entries(store)
               if e.object_type == "release"]
    assert actions == [("request_release", "ok"), ("approve_release", "ok"),
                       ("produce_release", "ok")]


def test_bad_input_and_a_locked_session_show_a_message(qtbot: Any, store: Store) -> None:
    add_incident(store)
    ctx = desk(store, "officer")
    view = ReleasesView(ctx)
    qtbot.addWidget(view)
    view.new_request("HEL-2026-0042")
    _wait(qtbot, ctx, view.submit())
    qtbot.waitUntil(lambda: "recipient" in view.message.text(), timeout=10000)
    view.incident_edit.setText("NO-SUCH")
    view.recipient_edit.setText("DA")
    view.purpose_edit.setPlainText("case")
    _wait(qtbot, ctx, view.submit())
    qtbot.waitUntil(lambda: "no incident 'NO-SUCH'" in view.message.text(), timeout=10000)
    ctx.session.lock()
    view.incident_edit.setText("HEL-2026-0042")
    _wait(qtbot, ctx, view.submit())
    qtbot.waitUntil(lambda: "locked" in view.message.text(), timeout=10000)
    denied = [e for e in audit_store.entries(store)
              if e.action == "request_release" and e.outcome == "denied"]
    assert [e.details["reason"] for e in denied] == ["session locked"]
