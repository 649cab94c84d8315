#!/usr/bin/env bash
# Build the Linux packages of the Mobile Alert Console (see packaging/README.md):
#   dist/MobileAlertConsole/                   PyInstaller onedir bundle
#   dist/MobileAlertConsole.AppDir/            AppDir (AppRun, .desktop, icon, the bundle in usr/lib)
#   dist/MobileAlertConsole-<ver>-linux-x86_64.tar.gz   the onedir as a tarball
#   dist/MobileAlertConsole-<ver>-x86_64.AppImage       only where appimagetool is on PATH
# and print the sizes against the budget. Options: --skip-pyinstaller (reuse the onedir),
# --no-tar. Environment: PYTHON (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-.venv/bin/python}
APP=MobileAlertConsole
DIST=$ROOT/dist
ONEDIR=$DIST/$APP
APPDIR=$DIST/$APP.AppDir
BUDGET_ONEDIR_MB=${BUDGET_ONEDIR_MB:-600}
BUDGET_TAR_MB=${BUDGET_TAR_MB:-250}

skip_pyi=0
make_tar=1
for arg in "$@"; do
    case "$arg" in
        --skip-pyinstaller) skip_pyi=1 ;;
        --no-tar) make_tar=0 ;;
        *) echo "build_linux: unknown option $arg" >&2; exit 2 ;;
    esac
done

VERSION=$("$PY" -c 'import tomllib;print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
ARCH=$(uname -m)

echo "== icon"
"$PY" packaging/make_icons.py >/dev/null

if [ "$skip_pyi" -eq 0 ] || [ ! -x "$ONEDIR/$APP" ]; then
    echo "== pyinstaller (onedir)"
    t0=$(date +%s)
    QT_QPA_PLATFORM=offscreen "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath "$DIST" --workpath "$ROOT/build/pyinstaller" \
        packaging/pyinstaller/mobile_alert_console.spec
    echo "build_linux: pyinstaller took $(( $(date +%s) - t0 )) s"
fi
[ -x "$ONEDIR/$APP" ] || { echo "build_linux: $ONEDIR/$APP missing" >&2; exit 1; }

echo "== AppDir"
rm -rf "$APPDIR"
mkdir -p "$APPDIR/usr/lib" "$APPDIR/usr/bin" "$APPDIR/usr/share/applications" \
         "$APPDIR/usr/share/icons/hicolor/256x256/apps" "$APPDIR/usr/share/metainfo"
cp -a "$ONEDIR" "$APPDIR/usr/lib/$APP"
ln -s "../lib/$APP/$APP" "$APPDIR/usr/bin/mobile-alert-console"
install -m 0755 packaging/linux/AppRun "$APPDIR/AppRun"
install -m 0644 packaging/linux/mobile-alert-console.desktop "$APPDIR/mobile-alert-console.desktop"
install -m 0644 packaging/linux/mobile-alert-console.desktop \
    "$APPDIR/usr/share/applications/mobile-alert-console.desktop"
install -m 0644 resources/icons/mobile-alert-console.png "$APPDIR/mobile-alert-console.png"
install -m 0644 resources/icons/mobile-alert-console.png \
    "$APPDIR/usr/share/icons/hicolor/256x256/apps/mobile-alert-console.png"
ln -s mobile-alert-console.png "$APPDIR/.DirIcon"
sed "s/@VERSION@/$VERSION/" packaging/linux/mobile-alert-console.appdata.xml \
    > "$APPDIR/usr/share/metainfo/mobile-alert-console.appdata.xml"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$APPDIR/mobile-alert-console.desktop"
fi

if [ "$make_tar" -eq 1 ]; then
    echo "== tar.gz"
    TAR="$DIST/$APP-$VERSION-linux-$ARCH.tar.gz"
    tar -C "$DIST" -czf "$TAR" "$APP"
fi

if command -v appimagetool >/dev/null; then
    echo "== AppImage"
    ARCH=$ARCH appimagetool --no-appstream "$APPDIR" "$DIST/$APP-$VERSION-$ARCH.AppImage"
else
    echo "build_linux: appimagetool is not on PATH: AppImage skipped (the AppDir is complete;"
    echo "             run 'appimagetool dist/$APP.AppDir' where it is installed)"
fi

echo "== sizes (budget: onedir <= $BUDGET_ONEDIR_MB MB, tar.gz <= $BUDGET_TAR_MB MB)"
"$PY" packaging/sizes.py "$ONEDIR" --budget-mb "$BUDGET_ONEDIR_MB" \
    ${TAR:+--archive "$TAR" --archive-budget-mb "$BUDGET_TAR_MB"}
