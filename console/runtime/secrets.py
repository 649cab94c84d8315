"""Feed tokens and similar secrets in the OS keyring, never in a plain file.

When the platform has no usable keyring (headless Linux often has none) a secret is
kept in memory for this session only, and :attr:`SecretStore.warning` says so; it is
never written anywhere else.
"""

from __future__ import annotations

import logging

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

__all__ = ["SERVICE", "SecretStore", "delete_secret", "feed_token_name", "get_secret",
           "resolve_feed_token", "set_secret"]

log = logging.getLogger(__name__)

SERVICE = "MobileAlertConsole"
NO_KEYRING = ("no OS keyring is available: the {name} is kept in memory for this "
              "session only and must be entered again next time")


class SecretStore:
    """Secrets under ``service`` in the current keyring, with an in-memory fallback."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service
        self._memory: dict[str, str] = {}
        self.warning: str | None = None

    def _fallback(self, name: str, exc: Exception) -> None:
        self.warning = NO_KEYRING.format(name=name.replace("_", " "))
        log.warning("%s (%s)", self.warning, exc)

    def set(self, name: str, value: str) -> bool:
        """Store ``value``; True if the OS keyring holds it, False if memory only."""
        try:
            keyring.set_password(self.service, name, value)
        except KeyringError as exc:
            self._memory[name] = value
            self._fallback(name, exc)
            return False
        self._memory.pop(name, None)
        return True

    def get(self, name: str) -> str | None:
        """The secret, or None when neither the keyring nor this session holds it."""
        if name in self._memory:
            return self._memory[name]
        try:
            return keyring.get_password(self.service, name)
        except KeyringError as exc:
            self._fallback(name, exc)
            return None

    def delete(self, name: str) -> None:
        """Forget the secret everywhere (no error if it was not stored)."""
        self._memory.pop(name, None)
        try:
            keyring.delete_password(self.service, name)
        except PasswordDeleteError:
            pass
        except KeyringError as exc:
            self._fallback(name, exc)


_default = SecretStore()


def get_secret(name: str) -> str | None:
    return _default.get(name)


def set_secret(name: str, value: str) -> bool:
    return _default.set(name, value)


def delete_secret(name: str) -> None:
    _default.delete(name)


def feed_token_name(feed_url: str) -> str:
    """The keyring entry of the bearer token for ``feed_url`` (one per feed)."""
    return f"feed_token {feed_url.strip().rstrip('/')}"


def resolve_feed_token(cli_token: str | None, feed_url: str, *,
                       secrets: SecretStore | None = None) -> str | None:
    """The token for ``feed_url``: ``cli_token`` when given (and then kept in the keyring
    for next time), else the one the keyring holds, else None.

    The token goes only to the keyring (or this session's memory when there is none),
    never to a file or a log line.
    """
    secrets = secrets or _default
    name = feed_token_name(feed_url)
    if cli_token:
        if secrets.get(name) != cli_token:
            kept = secrets.set(name, cli_token)
            log.info("feed token %s", "saved in the OS keyring" if kept
                     else "kept for this session only")
        return cli_token
    return secrets.get(name)
