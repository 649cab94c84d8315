"""``python main.py audit verify`` in a subprocess, on an intact and on a tampered log.

Tampering has to get past the database's own refusal first: on SQLite the triggers are
dropped through a raw connection, on PostgreSQL the superuser disables them.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from console.app import store_url
from console.domain.audit import Outcome
from console.services.audit import AuditLog
from console.store import audit_store
from console.store.store import Store

ROOT = Path(__file__).resolve().parents[2]


def _verify(tmp_path: Path, *where: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "main.py", "audit", "verify", *where], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def _fill(store: Store, n: int = 6) -> str:
    log = AuditLog(store)
    for i in range(n):
        log.record("ann", "view_incident", Outcome.ALLOWED, object_id=f"INC-{i}")
    return audit_store.head(store).hash  # type: ignore[union-attr]


def _tamper(store: Store, statement: str) -> None:
    if store.engine.dialect.name == "sqlite":
        conn = sqlite3.connect(store.url.removeprefix("sqlite+pysqlite:///"))
        with conn:
            conn.execute("DROP TRIGGER audit_log_no_update")
            conn.execute("DROP TRIGGER audit_log_no_delete")
            conn.execute(statement)
        conn.close()
    else:
        with store.engine.begin() as conn:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
            conn.exec_driver_sql(statement.replace("%", "%%"))


def test_intact_log_reports_ok(store: Store, tmp_path: Path) -> None:
    head = _fill(store)
    done = _verify(tmp_path, "--db", store.url)
    assert (done.returncode, done.stdout) == (0, f"audit log OK: 6 entries, head {head[:12]}\n")


@pytest.mark.parametrize("statement, seq, reason", [
    ("UPDATE audit_log SET username = 'mallory' WHERE seq = 3", 3, "hash mismatch"),
    ("UPDATE audit_log SET details = '{\"x\":1}' WHERE seq = 5", 5, "hash mismatch"),
    ("DELETE FROM audit_log WHERE seq = 2", 3, "seq gap: expected 2, found 3"),
    ("UPDATE audit_log SET prev_hash = hash WHERE seq = 4", 4, "prev mismatch"),
])
def test_tampered_log_reports_the_first_broken_link(store: Store, tmp_path: Path,
                                                    statement: str, seq: int,
                                                    reason: str) -> None:
    _fill(store)
    _tamper(store, statement)
    done = _verify(tmp_path, "--db", store.url)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(f"audit log BROKEN at seq {seq}: {reason}")


def test_data_dir_option(tmp_path: Path) -> None:
    with Store(store_url(tmp_path / "d")) as store:
        head = _fill(store, 2)
    done = _verify(tmp_path, "--data-dir", str(tmp_path / "d"))
    assert (done.returncode, done.stdout) == (0, f"audit log OK: 2 entries, head {head[:12]}\n")


def test_missing_database_is_not_created(tmp_path: Path) -> None:
    done = _verify(tmp_path, "--data-dir", str(tmp_path / "none"))
    assert done.returncode == 2
    assert "no console database at" in done.stderr
    assert not (tmp_path / "none").exists()
