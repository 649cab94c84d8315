"""Store fixtures over both backends: a SQLite file and a fresh PostgreSQL database.

PostgreSQL comes from ``MAC_TEST_PG_URL`` (see ``scripts/pg_test_server.sh``). Without it
the PostgreSQL cases fail under CI and skip locally, saying how to start a server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from console.store import Store

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
_NO_PG = ('MAC_TEST_PG_URL is not set; start a throwaway server with '
          '`eval "$(scripts/pg_test_server.sh start)"`')


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    url = os.environ.get("MAC_TEST_PG_URL")
    if not url:
        if _in_ci():
            pytest.fail(_NO_PG)
        pytest.skip(_NO_PG)
    return url


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty database: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+pysqlite:///{tmp_path / 'store.sqlite3'}"
        return
    admin_url = request.getfixturevalue("pg_admin_url")
    name = f"mac_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    try:
        yield s
    finally:
        s.close()
