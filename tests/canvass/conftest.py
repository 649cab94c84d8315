from __future__ import annotations

from tests.feed.conftest import make_client, recorder, server  # noqa: F401
from tests.store.backends import pg_admin_url, store, store_url  # noqa: F401
