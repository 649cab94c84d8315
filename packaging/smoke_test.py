"""Smoke test of a frozen build of the Mobile Alert Console.

    python packaging/smoke_test.py [--binary dist/MobileAlertConsole/MobileAlertConsole]
        [--osm EXTRACT.osm.pbf | --no-mappack] [--timeout 180] [--windowed]

Runs the frozen executable as a user would, with no Python of its own:

1. ``--version`` prints the project version; ``--help`` shows ``--data-dir`` and the
   default data/log/settings places (skipped with ``--windowed``: a Windows GUI build has
   no console to print to).
2. The console offscreen in demo mode with a fresh ``--data-dir``: the app's
   ``MAC_SMOKE_TEST`` hook waits for the first alert's marker on the map, saves a
   screenshot of the window, replays the bundled Pittsburgh recording through the locator
   and writes one JSON line. Checked: the screenshot is a PNG of the window's size with
   varied pixels, the alert reached the map, the replay found 1 round within 10 m of the
   survey, the database and the rotating log are in the data dir, the log holds no bearer
   token, and on Linux PortAudio came from the bundle when the bundle carries it.
3. ``mappack build`` of a small OSM extract (osmium and the render processes work frozen),
   when an extract is given or ``../shared/data/osm/helsinki-center.osm.pbf`` exists.

Prints one line per check and a final verdict; exits 0 when all pass, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = "MobileAlertConsole"
EXE = f"{APP}.exe" if sys.platform == "win32" else APP
DEFAULT_BINARY = ROOT / "dist" / APP / EXE
DEFAULT_OSM = ROOT.parent / "shared" / "data" / "osm" / "helsinki-center.osm.pbf"
REPLAY_MAX_ERROR_M = 10.0


class SmokeFailure(Exception):
    pass


def project_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def frozen_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    # the frozen build must not lean on the developer's Python
    for var in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(var, None)
    return env


def run(binary: Path, args: list[str], timeout: float, env: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([str(binary), *args], capture_output=True, text=True,
                              timeout=timeout, env=env or frozen_env(), cwd=tempfile.gettempdir())
    except subprocess.TimeoutExpired as exc:
        raise SmokeFailure(f"{binary.name} {' '.join(args)} did not finish in {timeout:.0f} s"
                           ) from exc


def check(ok: bool, what: str, detail: str = "") -> None:
    if not ok:
        raise SmokeFailure(f"{what}{': ' + detail if detail else ''}")
    print(f"ok   {what}{' (' + detail + ')' if detail else ''}", flush=True)


def check_png(path: Path, size: list[int]) -> str:
    """A real PNG of ``size`` whose pixels are not all alike; returns a short description."""
    data = path.read_bytes()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is a PNG", path.name)
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    check([width, height] == list(size), "screenshot has the window's size",
          f"{width}x{height}")
    from PIL import Image

    with Image.open(path) as img:
        img.load()
        small = img.convert("RGB").resize((64, 40))
        colours = len(small.getcolors(maxcolors=64 * 40) or [])
        extrema = img.convert("L").getextrema()
    check(colours >= 16 and extrema[1] - extrema[0] >= 64, "screenshot shows a painted window",
          f"{colours} colours in a 64x40 thumbnail, grey range {extrema}")
    return f"{width}x{height}"


def check_cli(binary: Path, timeout: float) -> None:
    version = project_version()
    r = run(binary, ["--version"], timeout)
    check(r.returncode == 0 and r.stdout.strip() == f"mobile-alert-console {version}",
          "--version", r.stdout.strip() or r.stderr.strip()[-300:])
    r = run(binary, ["--help"], timeout)
    check(r.returncode == 0 and "--data-dir" in r.stdout and "default places" in r.stdout,
          "--help lists --data-dir and the default places",
          f"exit {r.returncode}, {len(r.stdout.splitlines())} lines")
    r = run(binary, ["mappack", "--help"], timeout)
    check(r.returncode == 0 and "build" in r.stdout, "mappack --help")


def check_console(binary: Path, timeout: float, work: Path, windowed: bool) -> dict:
    data_dir, shot = work / "data", work / "smoke"
    env = frozen_env()
    env["MAC_SMOKE_TEST"] = str(shot)
    t0 = time.monotonic()
    r = run(binary, ["--data-dir", str(data_dir)], timeout, env)
    elapsed = time.monotonic() - t0
    line = next((ln for ln in reversed(r.stdout.splitlines()) if ln.startswith("{")), None)
    if line is None and Path(f"{shot}.json").exists():
        line = Path(f"{shot}.json").read_text(encoding="utf-8").strip()
    if line is None:
        raise SmokeFailure(f"no JSON result (exit {r.returncode}); stderr tail:\n"
                           + "\n".join(r.stderr.splitlines()[-25:]))
    result = json.loads(line)
    check(r.returncode == 0 and result.get("smoke") == "ok", "console demo run exits 0",
          f"exit {r.returncode}, {elapsed:.1f} s, {result.get('error', 'no error')}")
    check(result.get("frozen") is True, "the binary is a frozen build")
    check(int(result.get("markers", 0)) >= 1, "first alert on the map",
          f"{result['markers']} marker(s) after {result['first_alert_s']} s")
    result["screenshot_checked"] = check_png(Path(result["screenshot"]), result["window"])
    replay = result.get("replay") or {}
    check(replay.get("rounds") == 1 and replay.get("error_m", 1e9) <= REPLAY_MAX_ERROR_M,
          "bundled recording replayed through the locator",
          f"{replay.get('recording')}: {replay.get('rounds')} round(s), "
          f"{replay.get('error_m')} m from the survey, {replay.get('seconds')} s")
    check((data_dir / "console.db").is_file(), "database in --data-dir", "console.db")
    log_file = data_dir / "logs" / "console.log"
    check(log_file.is_file(), "rotating log in --data-dir/logs")
    text = log_file.read_text(encoding="utf-8", errors="replace")
    check(not re.search(r"Bearer\s+(?!<redacted>)\S", text) and "demo-token" not in text,
          "log holds no bearer token", f"{len(text.splitlines())} lines")
    bundled = list(binary.parent.glob("_internal/libportaudio.so*"))
    if bundled:
        where = str(result.get("portaudio", ""))
        check(where.startswith(str(binary.parent.resolve())) or where.startswith(
            str(binary.parent)), "PortAudio loaded from the bundle", where)
    elif not windowed:
        print(f"note PortAudio: {result.get('portaudio')}", flush=True)
    return result


def check_mappack(binary: Path, osm: Path, timeout: float, work: Path) -> None:
    out = work / "pack.mbtiles"
    t0 = time.monotonic()
    r = run(binary, ["mappack", "build", str(osm), str(out), "--max-zoom", "15",
                     "--workers", "2"], timeout)
    check(r.returncode == 0 and out.is_file(), "mappack build (osmium, render processes)",
          f"exit {r.returncode}, {time.monotonic() - t0:.1f} s, "
          f"{(r.stdout.strip() or r.stderr.strip()).splitlines()[-1][-160:] if (r.stdout.strip() or r.stderr.strip()) else ''}")
    r = run(binary, ["mappack", "info", str(out)], timeout)
    check(r.returncode == 0, "mappack info", r.stdout.strip().splitlines()[0][:120]
          if r.stdout.strip() else r.stderr.strip()[-200:])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", type=Path, default=DEFAULT_BINARY)
    p.add_argument("--timeout", type=float, default=180.0)
    p.add_argument("--osm", type=Path, default=None)
    p.add_argument("--no-mappack", action="store_true")
    p.add_argument("--windowed", action="store_true",
                   help="a GUI build without stdout (Windows): skip the printed-output checks")
    p.add_argument("--keep", type=Path, default=None,
                   help="keep the screenshot, data dir and JSON in this folder")
    args = p.parse_args(argv)
    binary = args.binary.resolve()
    if not binary.is_file():
        print(f"FAIL smoke test: no frozen build at {binary} "
              "(run packaging/build_linux.sh first)", file=sys.stderr)
        return 1
    osm = args.osm or (DEFAULT_OSM if DEFAULT_OSM.is_file() else None)
    with tempfile.TemporaryDirectory(prefix="mac-smoke-") as tmp:
        work = args.keep.resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        # a fresh data dir: alerts stored by an earlier run would be on the map at once
        shutil.rmtree(work / "data", ignore_errors=True)
        try:
            if not args.windowed:
                check_cli(binary, args.timeout)
            result = check_console(binary, args.timeout, work, args.windowed)
            if osm is not None and not args.no_mappack:
                check_mappack(binary, osm, args.timeout, work)
            else:
                print("skip mappack build (no OSM extract)", flush=True)
        except SmokeFailure as exc:
            print(f"FAIL smoke test of {binary}: {exc}", file=sys.stderr, flush=True)
            return 1
    print(f"PASS smoke test of {binary}: first alert on the map after "
          f"{result['first_alert_s']} s, screenshot {result['screenshot_checked']}, "
          f"replay {result['replay']['error_m']} m", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
