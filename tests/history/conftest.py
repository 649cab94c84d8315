from __future__ import annotations

from tests.store.backends import pg_admin_url, store, store_url  # noqa: F401
