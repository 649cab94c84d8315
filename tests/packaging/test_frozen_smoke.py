"""The frozen Linux build: smoke test, AppDir, tarball and size budget (issue 7, packaging).

Slow (a PyInstaller build of about a minute when ``dist/`` is missing or stale, then about
30 s of checks); skipped by ``MAC_SKIP_FROZEN=1`` outside CI.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest

from tests.packaging.conftest import APP, ROOT, FrozenBuild

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

SMOKE = ROOT / "packaging" / "smoke_test.py"
SIZES = ROOT / "packaging" / "sizes.py"
BUDGET_ONEDIR_MB = 600
BUDGET_TAR_MB = 250


def _env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if os.geteuid() == 0:
        env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    return env


def test_frozen_smoke(frozen_build: FrozenBuild, tmp_path) -> None:
    """--version/--help, first alert on the map, screenshot, replay, mappack build."""
    r = subprocess.run([sys.executable, str(SMOKE), "--binary", str(frozen_build.binary),
                        "--keep", str(tmp_path)],
                       capture_output=True, text=True, timeout=600, env=_env())
    print(r.stdout)
    if (tmp_path / "smoke.png").is_file():  # for a look by a person
        shots = ROOT / "artifacts" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp_path / "smoke.png", shots / "frozen_smoke.png")
    assert r.returncode == 0, f"smoke test failed:\n{r.stdout}\n{r.stderr[-3000:]}"
    assert "PASS smoke test" in r.stdout
    assert "ok   PortAudio loaded from the bundle" in r.stdout


def test_appdir_layout_and_launch(frozen_build: FrozenBuild) -> None:
    appdir = frozen_build.appdir
    apprun = appdir / "AppRun"
    assert apprun.is_file() and os.access(apprun, os.X_OK)
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str  # keys are case-sensitive
    desktop.read(appdir / "mobile-alert-console.desktop", encoding="utf-8")
    entry = desktop["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Mobile Alert Console"
    assert entry["Categories"].split(";")[0] == "Utility"
    assert entry["Icon"] == "mobile-alert-console"
    assert (appdir / "usr" / "bin" / entry["Exec"].split()[0]).exists()
    icon = appdir / "mobile-alert-console.png"
    data = icon.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == (256, 256)
    assert (appdir / ".DirIcon").resolve() == icon.resolve()
    assert (appdir / "usr/share/icons/hicolor/256x256/apps/mobile-alert-console.png").is_file()
    # the AppImage runtime starts AppRun from anywhere: it must find the bundle by itself
    r = subprocess.run([str(apprun), "--version"], capture_output=True, text=True, timeout=60,
                       cwd="/", env=_env())
    assert r.returncode == 0 and r.stdout.startswith("mobile-alert-console "), r.stderr[-2000:]


def test_tarball_runs_when_unpacked_elsewhere(frozen_build: FrozenBuild, tmp_path) -> None:
    with tarfile.open(frozen_build.tarball) as tar:
        names = tar.getnames()
        assert f"{APP}/{APP}" in names
        assert f"{APP}/_internal/resources/maps/helsinki-center.mbtiles" in names
        tar.extractall(tmp_path, filter="tar")
    binary = tmp_path / APP / APP
    r = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60,
                       env=_env())
    assert r.returncode == 0, r.stderr[-2000:]
    data_dir = tmp_path / "data"
    r = subprocess.run([str(binary), "mappack", "info",
                        str(tmp_path / APP / "_internal/resources/maps/helsinki-center.mbtiles")],
                       capture_output=True, text=True, timeout=60, env=_env())
    assert r.returncode == 0 and "OpenStreetMap" in r.stdout, r.stdout + r.stderr[-2000:]
    assert not data_dir.exists()


def test_bundle_contents_and_pruning(frozen_build: FrozenBuild) -> None:
    internal = frozen_build.onedir / "_internal"
    qt = internal / "PySide6" / "Qt"
    assert (qt / "libexec" / "QtWebEngineProcess").is_file()
    assert (qt / "resources" / "qtwebengine_resources.pak").is_file()
    assert [p.name for p in (qt / "translations" / "qtwebengine_locales").iterdir()] == ["en-US.pak"]
    assert not list(qt.rglob("*.qm")), "Qt translations are not shipped (English only)"
    assert not (qt / "qml").exists()
    for unused in ("libQt6Pdf.so.6", "libQt6Multimedia.so.6", "libQt6Charts.so.6",
                   "libQt63DCore.so.6", "libQt6Bluetooth.so.6", "libQt6Designer.so.6"):
        assert not list(internal.rglob(unused)), unused
    migrations = internal / "console" / "store" / "migrations"
    assert (migrations / "env.py").is_file() and (migrations / "script.py.mako").is_file()
    assert list((migrations / "versions").glob("0001_*.py"))
    res = internal / "resources"
    for rel in ("vendor/leaflet", "vendor/jquery", "themes/day.qss", "map/alert_map.js",
                "maps/helsinki-center.mbtiles", "icons/mobile-alert-console.png",
                "demo_recordings/README.md"):
        assert (res / rel).exists(), rel
    assert list(internal.glob("_soundfile_data/libsndfile*"))
    assert list(internal.glob("libportaudio.so*"))
    assert list(internal.glob("folium/templates/*"))
    assert list(internal.glob("branca/templates/*"))


def test_size_budget(frozen_build: FrozenBuild) -> None:
    r = subprocess.run([sys.executable, str(SIZES), str(frozen_build.onedir), "--json",
                        "--budget-mb", str(BUDGET_ONEDIR_MB), "--archive",
                        str(frozen_build.tarball), "--archive-budget-mb", str(BUDGET_TAR_MB)],
                       capture_output=True, text=True, timeout=120)
    report = json.loads(r.stdout)
    print(report)
    assert report["within_budget"], report
