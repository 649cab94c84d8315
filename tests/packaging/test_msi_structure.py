"""The WiX source builds an MSI with wixl from the Linux onedir: a structure check.

The real Windows MSI is built by .github/workflows/windows-msi.yml from a Windows
PyInstaller build; here the same .wxs and build script are checked for what the MSI
holds: every bundle file under Program Files, the Start-menu shortcut, the fixed upgrade
code with a major upgrade, a per-machine install and removal from Add/Remove Programs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from tests.packaging.conftest import APP, ROOT, FrozenBuild

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

UPGRADE_CODE = "{5467188E-E9DD-469B-B779-1FFACB652725}"
INSTALL_DIR = "Mobile Alert Console"


@pytest.fixture(scope="module")
def msi(frozen_build: FrozenBuild, tmp_path_factory) -> str:
    missing = [t for t in ("wixl", "wixl-heat", "msiextract", "msiinfo") if not shutil.which(t)]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing} not installed (scripts/setup.sh installs msitools, wixl)")
        pytest.skip(f"{missing} not installed (apt-get install msitools wixl)")
    out = tmp_path_factory.mktemp("msi") / f"{APP}-x64.msi"
    r = subprocess.run(["bash", str(ROOT / "packaging/windows/build_msi.sh"),
                        str(frozen_build.onedir), str(out)],
                       capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    print(r.stdout)
    return str(out)


def _table(msi: str, name: str) -> list[list[str]]:
    r = subprocess.run(["msiinfo", "export", msi, name], capture_output=True, text=True,
                       timeout=60, check=True)
    return [line.split("\t") for line in r.stdout.splitlines()[3:]]  # names, types, key


def test_msi_holds_every_bundle_file(frozen_build: FrozenBuild, msi: str) -> None:
    listed = subprocess.run(["msiextract", "-l", msi], capture_output=True, text=True,
                            timeout=300, check=True).stdout.splitlines()
    expected = sorted(f"{INSTALL_DIR}/{p.relative_to(frozen_build.onedir).as_posix()}"
                      for p in frozen_build.onedir.rglob("*")
                      if p.is_file() and not p.is_symlink())
    assert sorted(listed) == expected
    for needed in (f"{INSTALL_DIR}/{APP}",
                   f"{INSTALL_DIR}/_internal/PySide6/Qt/libexec/QtWebEngineProcess",
                   f"{INSTALL_DIR}/_internal/resources/maps/helsinki-center.mbtiles",
                   f"{INSTALL_DIR}/_internal/console/store/migrations/env.py"):
        assert needed in listed


def test_msi_per_machine_program_files(msi: str) -> None:
    dirs = {row[0]: row for row in _table(msi, "Directory")}
    assert dirs["INSTALLDIR"][1:] == ["ProgramFiles64Folder", INSTALL_DIR]
    props = dict(row[:2] for row in _table(msi, "Property"))
    assert props["ALLUSERS"] == "1"
    assert props["UpgradeCode"] == UPGRADE_CODE
    assert props["ProductName"] == "Mobile Alert Console"
    assert re.fullmatch(r"\d+\.\d+\.\d+", props["ProductVersion"])
    assert props["ARPNOMODIFY"] == "1"  # Add/Remove Programs: Remove (and Repair) only
    assert props["ARPPRODUCTICON"] == "AppIcon.ico"
    components = _table(msi, "Component")
    assert all(int(row[3]) & 256 for row in components), "64-bit components"


def test_msi_start_menu_shortcut(msi: str) -> None:
    (shortcut,) = _table(msi, "Shortcut")
    assert shortcut[1] == "ApplicationProgramsFolder"
    assert shortcut[2] == "Mobile Alert Console"
    assert shortcut[4] == f"[INSTALLDIR]{APP}"  # MobileAlertConsole.exe in the Windows MSI
    dirs = {row[0]: row for row in _table(msi, "Directory")}
    assert dirs["ApplicationProgramsFolder"][1] == "ProgramMenuFolder"


def test_msi_major_upgrade(msi: str) -> None:
    rows = _table(msi, "Upgrade")
    assert {row[0] for row in rows} == {UPGRADE_CODE}
    assert {row[-1] for row in rows} == {"WIX_UPGRADE_DETECTED", "WIX_DOWNGRADE_DETECTED"}
    actions = {row[0] for row in _table(msi, "InstallExecuteSequence")}
    assert {"FindRelatedProducts", "RemoveExistingProducts"} <= actions
