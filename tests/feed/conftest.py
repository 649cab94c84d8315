from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from console.feed import Backoff, FeedClient, FeedServer
from console.store import Store
from tests.feed.helpers import Recorder
from tests.store.backends import pg_admin_url, store, store_url  # noqa: F401

TOKEN = "s3cret-token"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    srv = FeedServer(token=TOKEN).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_client(server: FeedServer, recorder: Recorder) -> Iterator[Callable[..., FeedClient]]:
    """Build clients against ``server`` with fast backoff; all are stopped at teardown."""
    clients: list[FeedClient] = []

    def build(db: Store, **kwargs: object) -> FeedClient:
        options: dict = {"wait": 1.0, "timeout": (1.0, 2.0),
                         "backoff": Backoff(base_s=0.01, cap_s=0.05), **recorder.callbacks()}
        options.update(kwargs)
        token = options.pop("token", TOKEN)
        client = FeedClient(server.url, token, db, **options)
        clients.append(client)
        return client

    yield build
    server.stop()  # answers parked long polls so the clients stop at once
    for client in clients:
        client.stop(timeout=5)
