"""UI test setup: the app:// scheme must be declared before pytest-qt builds the QApplication."""

from __future__ import annotations

from console.ui.app_scheme import register_app_scheme

register_app_scheme()
