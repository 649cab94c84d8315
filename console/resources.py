"""Locate the application's bundled assets (themes, icons, Leaflet, map packs, sounds).

Every asset under ``resources/`` is found through :func:`resource_path`, which works the
same from a source checkout and from a PyInstaller bundle (where the data files are laid
out beneath ``sys._MEIPASS``).
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["resource_path", "resources_root"]


def resources_root() -> Path:
    """Directory that holds the ``resources`` tree for this run of the application."""
    bundle_dir = getattr(sys, "_MEIPASS", None)
    if bundle_dir is not None:
        return Path(bundle_dir) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of an asset below ``resources/``, e.g. ``resource_path("maps", "x.mbtiles")``.

    The path is returned whether or not the file exists; callers decide how to react to a
    missing asset. Absolute parts and ``..`` are refused so a caller cannot escape the tree.
    """
    for part in parts:
        if Path(part).is_absolute() or ".." in Path(part).parts:
            raise ValueError(f"resource path part must be relative and inside resources/: {part!r}")
    return resources_root().joinpath(*parts)
