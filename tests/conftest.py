"""Session-wide test setup: headless Qt, QtWebEngine as root, ALSA null sink, shared data."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

# An ALSA configuration whose default device is the null sink, so audio output works
# on machines with no sound card without touching the user's home.
_alsa_conf = Path(tempfile.gettempdir()) / "mac-tests-alsa-null.conf"
if not _alsa_conf.exists():
    _alsa_conf.write_text(
        "</usr/share/alsa/alsa.conf>\n"
        'pcm.!default { type plug slave.pcm "null" }\n'
        'ctl.!default { type hw card 0 }\n'
    )
os.environ.setdefault("ALSA_CONFIG_PATH", str(_alsa_conf))

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
PITTSBURGH = SHARED_DATA / "pittsburgh-2018"
SHOTSPOTTER_WAV = SHARED_DATA / "shotspotter-wav"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data not found at {SHARED_DATA} (CI lays ../shared beside the checkout)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def pittsburgh(shared_data: Path) -> Path:
    return shared_data / "pittsburgh-2018"


@pytest.fixture(scope="session")
def shotspotter_wav(shared_data: Path) -> Path:
    return shared_data / "shotspotter-wav"
