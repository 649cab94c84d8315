"""Incident page tests: both store backends; the app:// scheme before the QApplication."""

from __future__ import annotations

from console.ui.app_scheme import register_app_scheme
from tests.store.backends import pg_admin_url, store, store_url  # noqa: F401

register_app_scheme()
