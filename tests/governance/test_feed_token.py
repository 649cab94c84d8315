"""The feed token: saved in the keyring when given, read back when not; never in a file
or a log line."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from console.runtime.secrets import SERVICE, SecretStore, feed_token_name, resolve_feed_token
from tests.accounts.test_secrets import MemoryKeyring

FEED = "https://alerts.example.test/"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for var in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME",
                "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path))
    before = keyring.get_keyring()
    yield tmp_path
    keyring.set_keyring(before)


def test_given_token_is_kept_and_used_next_time(home: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    with caplog.at_level(logging.DEBUG):
        assert resolve_feed_token("tok-secret-1", FEED, secrets=SecretStore()) == "tok-secret-1"
    assert backend.items == {(SERVICE, "feed_token https://alerts.example.test"): "tok-secret-1"}
    # a later start without --token (a new process-side store) finds it
    assert resolve_feed_token(None, FEED.rstrip("/"), secrets=SecretStore()) == "tok-secret-1"
    assert resolve_feed_token("", FEED, secrets=SecretStore()) == "tok-secret-1"
    # a new token replaces the old one; another feed has none
    assert resolve_feed_token("tok-2", FEED, secrets=SecretStore()) == "tok-2"
    assert resolve_feed_token(None, FEED, secrets=SecretStore()) == "tok-2"
    assert resolve_feed_token(None, "http://other.test", secrets=SecretStore()) is None
    assert "tok-secret-1" not in caplog.text and "tok-2" not in caplog.text
    assert list(home.rglob("*")) == []


def test_without_a_keyring_the_token_lives_for_the_session_only(home: Path) -> None:
    keyring.set_keyring(fail.Keyring())
    secrets = SecretStore()
    assert resolve_feed_token("tok-3", FEED, secrets=secrets) == "tok-3"
    assert resolve_feed_token(None, FEED, secrets=secrets) == "tok-3"
    assert secrets.warning is not None and "memory" in secrets.warning
    assert resolve_feed_token(None, FEED, secrets=SecretStore()) is None
    assert list(home.rglob("*")) == []
    assert feed_token_name(FEED) == "feed_token https://alerts.example.test"
