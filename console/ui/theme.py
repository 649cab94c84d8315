"""Day and night style sheets (``resources/themes/<name>.qss``)."""

from __future__ import annotations

from functools import cache

from console.resources import resource_path

__all__ = ["THEMES", "style_sheet"]

THEMES = ("day", "night")


@cache
def style_sheet(theme: str) -> str:
    """The QSS text of ``theme`` ("day" or "night")."""
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {THEMES}, got {theme!r}")
    return resource_path("themes", f"{theme}.qss").read_text(encoding="utf-8")
