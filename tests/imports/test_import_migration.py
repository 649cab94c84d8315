"""Migration 0006 goes down and up again on both backends."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from console.store import Store
from console.store.engine import migration_config


def test_0006_downgrade_and_upgrade(store_url: str) -> None:
    store = Store(store_url)
    try:
        with store.engine.begin() as conn:
            command.downgrade(migration_config(conn), "0005")
        assert "import_batches" not in inspect(store.engine).get_table_names()
        with store.engine.begin() as conn:
            command.upgrade(migration_config(conn), "head")
        assert "import_batches" in inspect(store.engine).get_table_names()
    finally:
        store.close()
