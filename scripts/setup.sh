#!/usr/bin/env bash
# Set up everything the console and its tests need on a Debian 12 machine:
# system libraries (Qt/QtWebEngine, PortAudio, PostgreSQL for tests) and a virtualenv
# in .venv with the project installed in editable mode with its dev extras.
# Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
    libportaudio2 libsndfile1 libasound2 alsa-utils
    libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libnss3 libxkbcommon0
    libxkbcommon-x11-0 libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxkbfile1 libxshmfence1
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
    libxcb-xinerama0 libxcb-shape0 libxcb-randr0 libxcb-xkb1
    fonts-dejavu-core
    postgresql
    msitools wixl
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "setup: installing system packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"
echo "setup: done (.venv ready)"
