"""Migrations: the schema Alembic builds equals the ORM metadata, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from console.store import Store
from console.store.engine import migration_config
from console.store.models import Base


def test_migrated_schema_matches_orm_metadata(store: Store) -> None:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(ctx, Base.metadata)
    assert diffs == []


def test_database_is_at_head_revision(store: Store) -> None:
    head = ScriptDirectory.from_config(migration_config()).get_current_head()
    with store.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head == "0009"


def test_reopening_keeps_data_and_schema(store_url: str) -> None:
    first = Store(store_url)
    first.reset_cursor("http://feed", "e1")
    first.close()
    again = Store(store_url)
    try:
        assert again.cursor_state("http://feed").epoch == "e1"
        tables = set(inspect(again.engine).get_table_names())
        assert {"incidents", "alert_revisions", "feed_cursor", "rejected_alerts",
                "audio_cache", "outbox", "alembic_version"} <= tables
    finally:
        again.close()


def test_production_code_never_calls_create_all() -> None:
    root = Path(__file__).resolve().parents[2] / "console" / "store"
    offenders = [p for p in root.rglob("*.py") if "create_all" in p.read_text()]
    assert offenders == []


@pytest.mark.parametrize("pragma, expected", [
    ("journal_mode", "wal"), ("synchronous", 2), ("foreign_keys", 1), ("busy_timeout", 10000),
])
def test_sqlite_pragmas_on_every_connection(tmp_path: Path, pragma: str, expected: object
                                            ) -> None:
    store = Store(f"sqlite+pysqlite:///{tmp_path / 'p.sqlite3'}")
    try:
        conns = [store.engine.connect() for _ in range(3)]  # distinct pooled connections
        values = [c.exec_driver_sql(f"PRAGMA {pragma}").scalar() for c in conns]
        for c in conns:
            c.close()
        assert values == [expected] * 3
    finally:
        store.close()


def test_default_url_is_in_user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    store = Store()
    try:
        assert store.url == (
            f"sqlite+pysqlite:///{tmp_path / 'MobileAlertConsole' / 'console.db'}")
        assert (tmp_path / "MobileAlertConsole" / "console.db").is_file()
    finally:
        store.close()
