"""Secrets in the OS keyring; without one, memory only for the session (never a file)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError

from console.runtime.secrets import SERVICE, SecretStore


class MemoryKeyring(KeyringBackend):
    """A working keyring that lives in this process (a real backend for the tests)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for var in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME",
                "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path))
    before = keyring.get_keyring()
    yield tmp_path
    keyring.set_keyring(before)


def test_secret_goes_to_the_keyring(home: Path) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    secrets = SecretStore()
    assert secrets.set("feed_token", "tok-123") is True
    assert backend.items == {(SERVICE, "feed_token"): "tok-123"}
    assert SecretStore().get("feed_token") == "tok-123"  # a new process-side store finds it
    secrets.delete("feed_token")
    secrets.delete("feed_token")  # deleting twice is harmless
    assert backend.items == {} and secrets.get("feed_token") is None
    assert secrets.warning is None
    assert list(home.iterdir()) == []


def test_without_a_keyring_the_secret_stays_in_memory_and_says_so(
        home: Path, caplog: pytest.LogCaptureFixture) -> None:
    keyring.set_keyring(fail.Keyring())
    secrets = SecretStore()
    with caplog.at_level(logging.WARNING, logger="console.runtime.secrets"):
        assert secrets.set("feed_token", "tok-456") is False
    assert secrets.get("feed_token") == "tok-456"
    assert secrets.warning == ("no OS keyring is available: the feed token is kept in memory "
                               "for this session only and must be entered again next time")
    assert secrets.warning in caplog.text and "tok-456" not in caplog.text
    assert SecretStore().get("feed_token") is None  # gone with the session
    secrets.delete("feed_token")
    assert secrets.get("feed_token") is None
    assert list(home.rglob("*")) == []  # nothing written to disk
