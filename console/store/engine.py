"""Engine set-up for the store: SQLite pragmas, write locking and migrations on open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection

__all__ = ["APP_NAME", "default_url", "make_engine", "migrate", "migration_config"]

APP_NAME = "MobileAlertConsole"
BUSY_TIMEOUT_MS = 10_000
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Execution option that makes a SQLite transaction take the write lock at BEGIN.
WRITE = {"mac_write": True}


def default_url() -> str:
    """SQLite file in the per-user data directory (created if missing)."""
    folder = Path(user_data_dir(APP_NAME, appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite+pysqlite:///{folder / 'console.db'}"  # the name --data-dir uses too


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below issue BEGIN, so writers can ask for IMMEDIATE.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            "PRAGMA foreign_keys=ON",
            f"PRAGMA busy_timeout={int(busy_timeout_ms)}",
        ):
            cursor.execute(pragma)
        cursor.close()

    return connect


def _sqlite_begin(conn: Connection) -> None:
    # A deferred reader that later writes can fail with SQLITE_BUSY at once in WAL mode;
    # writers take the lock up front and wait on busy_timeout instead.
    mode = "IMMEDIATE" if conn.get_execution_options().get("mac_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS, **kwargs: Any) -> Engine:
    """Create an engine for ``url``; SQLite connections get WAL, FULL sync, FKs, and wait
    up to ``busy_timeout_ms`` for another process's write lock before "database is locked"."""
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def migration_config(connection: Connection | None = None) -> Config:
    """Alembic config for the store's migrations, optionally bound to an open connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine) -> None:
    """Upgrade the database schema to the newest migration in one transaction."""
    with engine.begin() as conn:
        command.upgrade(migration_config(conn), "head")
