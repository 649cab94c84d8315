#!/usr/bin/env bash
# Build the MSI with wixl (msitools) from a PyInstaller onedir.
#   packaging/windows/build_msi.sh [ONEDIR] [OUT.msi]
# On Linux this is the structure check of the WiX source (the files are the Linux build's;
# the real MSI comes from the Windows CI job, .github/workflows/windows-msi.yml, which runs
# this same script under Git Bash with the Windows onedir). Needs: wixl, wixl-heat
# (Debian: apt-get install msitools wixl).
set -euo pipefail
cd "$(dirname "$0")/../.."
ONEDIR=${1:-dist/MobileAlertConsole}
PY=${PYTHON:-.venv/bin/python}
VERSION=$("$PY" -c 'import tomllib;print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
OUT=${2:-dist/MobileAlertConsole-$VERSION-x64.msi}
WORK=build/msi
EXE=MobileAlertConsole.exe
[ -f "$ONEDIR/$EXE" ] || EXE=MobileAlertConsole
[ -f "$ONEDIR/$EXE" ] || { echo "build_msi: no executable in $ONEDIR" >&2; exit 1; }
ICON=resources/icons/mobile-alert-console.ico
[ -f "$ICON" ] || "$PY" packaging/make_icons.py --ico >/dev/null

mkdir -p "$WORK" "$(dirname "$OUT")"
ONEDIR_ABS=$(cd "$ONEDIR" && pwd)
# the file list: one component per file below INSTALLDIR
find "$ONEDIR_ABS" -type f | LC_ALL=C sort \
    | wixl-heat --prefix "$ONEDIR_ABS/" --var var.SourceDir --directory-ref INSTALLDIR \
                --component-group AppFiles --win64 > "$WORK/files.wxs"
# wixl resolves File/@Source relative to the .wxs that names it: both sources sit in $WORK
cp packaging/windows/MobileAlertConsole.wxs "$WORK/"
SRC_REL=$(realpath --relative-to="$WORK" "$ONEDIR_ABS")
ICON_REL=$(realpath --relative-to="$WORK" "$ICON")
t0=$(date +%s)
wixl -a x64 -D Win64=yes -D Version="$VERSION" -D SourceDir="$SRC_REL" -D ExeName="$EXE" \
     -D IconFile="$ICON_REL" -o "$OUT" "$WORK/MobileAlertConsole.wxs" "$WORK/files.wxs"
echo "build_msi: $OUT ($(du -m "$OUT" | cut -f1) MB, $(grep -c '<File ' "$WORK/files.wxs") files, $(( $(date +%s) - t0 )) s)"
