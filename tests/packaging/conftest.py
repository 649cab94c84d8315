"""The frozen build for the packaging tests: built once per session when missing or stale.

``MAC_SKIP_FROZEN=1`` skips these tests in a developer's run; under CI (``CI=true``) they
always run. The build is ``packaging/build_linux.sh`` (PyInstaller onedir, AppDir, tar.gz).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = "MobileAlertConsole"
DIST = ROOT / "dist"
ONEDIR = DIST / APP
BINARY = ONEDIR / APP
APPDIR = DIST / f"{APP}.AppDir"
#: what goes into the bundle: a change here makes an existing build stale
SOURCES = ("console", "locator_core", "resources", "packaging/pyinstaller", "main.py",
           "pyproject.toml")


@dataclass(frozen=True)
class FrozenBuild:
    onedir: Path
    binary: Path
    appdir: Path
    tarball: Path
    build_seconds: float | None  # None: an up-to-date build was reused


def _skip_requested() -> bool:
    return os.environ.get("MAC_SKIP_FROZEN") == "1" and os.environ.get("CI") != "true"


def _newest_source() -> float:
    newest = 0.0
    for name in SOURCES:
        path = ROOT / name
        files = [path] if path.is_file() else path.rglob("*")
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts:
                newest = max(newest, f.stat().st_mtime)
    return newest


def _version() -> str:
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


@pytest.fixture(scope="session")
def frozen_build() -> FrozenBuild:
    if _skip_requested():
        pytest.skip("MAC_SKIP_FROZEN=1: frozen-build tests skipped (they always run in CI)")
    if not sys.platform.startswith("linux"):
        pytest.skip("the Linux frozen build is built and tested on Linux")
    tarball = DIST / f"{APP}-{_version()}-linux-{os.uname().machine}.tar.gz"
    fresh = BINARY.is_file() and BINARY.stat().st_mtime >= _newest_source()
    seconds = None
    built = BINARY.stat().st_mtime if fresh else 0.0
    packed = all(p.is_file() and p.stat().st_mtime >= built
                 for p in (tarball, APPDIR / "AppRun"))
    if not (fresh and packed):
        t0 = time.monotonic()
        args = [] if not fresh else ["--skip-pyinstaller"]
        r = subprocess.run(["bash", str(ROOT / "packaging" / "build_linux.sh"), *args],
                           cwd=ROOT, capture_output=True, text=True, timeout=1500)
        seconds = time.monotonic() - t0
        print(r.stdout[-3000:])
        if r.returncode != 0:
            pytest.fail(f"packaging/build_linux.sh failed (exit {r.returncode}):\n"
                        f"{r.stdout[-4000:]}\n{r.stderr[-4000:]}")
    return FrozenBuild(ONEDIR, BINARY, APPDIR, tarball, seconds)
