"""Audit view: entries with filters, "Verify chain" on an intact and on a tampered log
(the message is the one ``python main.py audit verify`` prints), refusal for officers."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.domain.audit import Outcome
from console.store import audit_store
from console.ui.desk.audit_view import AuditView
from console.ui.desk.context import DeskContext
from tests.governance.desk import desk_context, shot

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[DeskContext]:
    with desk_context(tmp_path, "supervisor") as c:
        for i in range(3):
            c.audit.record("ann", "view_incident", Outcome.ALLOWED, object_type="incident",
                           object_id=f"INC-{i}")
        c.audit.record("bob", "export_report", Outcome.DENIED, object_type="incident",
                       object_id="INC-1")
        yield c


def _settle(qtbot: QtBot, view: AuditView) -> None:
    qtbot.waitUntil(lambda: not view.status.text().endswith("…")
                    and view.verify_job is None, timeout=20_000)


def _column(view: AuditView, col: int) -> list[str]:
    return [view.model.index(r, col).data() for r in range(view.model.rowCount())]


def _cli_verify(ctx: DeskContext, tmp_path: Path) -> str:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "main.py", "audit", "verify", "--db", ctx.store.url],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    return done.stdout.strip()


def test_entries_newest_first_and_filters(qtbot: QtBot, ctx: DeskContext) -> None:
    view = AuditView(ctx)
    qtbot.addWidget(view)
    _settle(qtbot, view)
    n = audit_store.count(ctx.store)
    assert view.status.text() == f"{n} entries"
    seqs = [int(s) for s in _column(view, 0)]
    assert seqs == sorted(seqs, reverse=True) and len(seqs) == n
    assert view.model.index(0, 3).data() == "export_report"
    assert view.model.index(0, 4).data() == "incident INC-1"
    assert view.model.index(0, 5).data() == "denied"
    view.user_filter.setText("ann")
    view.refresh()
    _settle(qtbot, view)
    assert _column(view, 4) == ["incident INC-2", "incident INC-1", "incident INC-0"]
    view.user_filter.clear()
    view.object_filter.setText("INC-1")
    view.refresh()
    _settle(qtbot, view)
    assert _column(view, 2) == ["bob", "ann"]
    view.object_filter.clear()
    view.action_filter.setText("sign_in")
    view.refresh()
    _settle(qtbot, view)
    assert set(_column(view, 2)) == {"demo-supervisor"}
    view.action_filter.clear()
    view.until_check.setChecked(True)
    view.until_edit.setDateTime(view.until_edit.dateTime().addYears(-5))
    view.refresh()
    _settle(qtbot, view)
    assert view.model.rowCount() == 0 and view.status.text() == "0 entries"


def test_verify_reports_an_intact_chain_like_the_cli(qtbot: QtBot, ctx: DeskContext,
                                                     tmp_path: Path) -> None:
    view = AuditView(ctx)
    qtbot.addWidget(view)
    _settle(qtbot, view)
    expected = _cli_verify(ctx, tmp_path)
    assert expected.startswith("audit log OK:")
    view.verify()
    _settle(qtbot, view)
    assert view.verify_result.text() == expected
    last = audit_store.head(ctx.store)
    assert last is not None and (last.action, last.outcome) == ("verify_audit", "ok")


def test_verify_reports_the_first_broken_link_of_a_tampered_log(
        qtbot: QtBot, ctx: DeskContext, tmp_path: Path) -> None:
    # get past the database's own refusal first: drop the append-only triggers
    conn = sqlite3.connect(ctx.store.url.removeprefix("sqlite+pysqlite:///"))
    with conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        seq = conn.execute("SELECT seq FROM audit_log WHERE username = 'bob'").fetchone()[0]
        conn.execute("UPDATE audit_log SET outcome = 'allowed' WHERE seq = ?", (seq,))
    conn.close()
    expected = _cli_verify(ctx, tmp_path)
    assert expected.startswith(f"audit log BROKEN at seq {seq}: hash mismatch")
    view = AuditView(ctx)
    qtbot.addWidget(view)
    _settle(qtbot, view)
    view.verify()
    _settle(qtbot, view)
    assert view.verify_result.text() == expected
    marked = [view.model.index(r, 0).data() for r in range(view.model.rowCount())
              if view.model.index(r, 0).data(Qt.ItemDataRole.BackgroundRole) is not None]
    assert marked == [str(seq)]  # the broken link is shown in red
    view.resize(1000, 520)
    shot(view, "audit_view_broken.png")
    entry = [e for e in audit_store.entries(ctx.store) if e.action == "verify_audit"][-1]
    assert (entry.outcome, entry.details["broken_seq"]) == ("failed", seq)


def test_officer_may_not_read_the_audit_log(qtbot: QtBot, tmp_path: Path) -> None:
    with desk_context(tmp_path, "officer") as ctx:
        view = AuditView(ctx)
        qtbot.addWidget(view)
        _settle(qtbot, view)
        assert view.status.text() == "demo-officer (officer) may not verify audit"
        assert view.model.rowCount() == 0
        view.verify()
        _settle(qtbot, view)
        assert view.verify_result.text() == "demo-officer (officer) may not verify audit"
        last = audit_store.head(ctx.store)
        assert last is not None and (last.user, last.outcome) == ("demo-officer", "denied")
