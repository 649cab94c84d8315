"""``python main.py mappack build`` as a user runs it: a real process on the real extract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from console.mappack import MapPack

ROOT = Path(__file__).resolve().parents[2]


def test_main_py_mappack_build_shows_progress_and_writes_a_pack(shared_data, tmp_path) -> None:
    extract = shared_data / "osm" / "helsinki-center.osm.pbf"
    out = tmp_path / "small.mbtiles"
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "mappack", "build", str(extract), str(out),
         "--min-zoom", "12", "--max-zoom", "14"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    progress = done.stderr.replace("\r", "\n").splitlines()
    bars = [line for line in progress if line.startswith("tiles [")]
    assert bars, done.stderr
    total = int(bars[-1].rsplit("/", 1)[1])
    assert bars[-1].endswith(f"{total}/{total}") and "#" * 40 in bars[-1]
    assert f"{total} tiles" in done.stdout
    with MapPack(out) as pack:
        assert pack.tile_count() == total > 0
        assert (pack.min_zoom, pack.max_zoom) == (12, 14)


def test_main_py_mappack_build_reports_a_missing_extract(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "mappack", "build",
         str(tmp_path / "nope.osm.pbf"), str(tmp_path / "out.mbtiles"),
         "--min-zoom", "12", "--max-zoom", "12"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode != 0
    assert "nope.osm.pbf" in done.stderr
    assert "Traceback" not in done.stderr
