"""The desk shell: the app:// scheme must be registered before the QApplication."""

from __future__ import annotations

from console.ui.app_scheme import register_app_scheme

register_app_scheme()
