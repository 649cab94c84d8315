"""resource_path: one way to find assets, in the source tree and in a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from console.resources import resource_path, resources_root


def test_finds_vendored_leaflet_in_source_tree() -> None:
    assert resource_path("vendor", "leaflet", "leaflet.js").is_file()
    assert resource_path("vendor", "leaflet", "LICENSE").is_file()
    assert resources_root().name == "resources"


def test_uses_pyinstaller_bundle_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("maps", "x.mbtiles") == tmp_path / "resources" / "maps" / "x.mbtiles"


@pytest.mark.parametrize("parts", [("..", "pyproject.toml"), ("/etc/passwd",), ("maps/../../x",)])
def test_refuses_paths_outside_resources(parts: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="inside resources"):
        resource_path(*parts)
