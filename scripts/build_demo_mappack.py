"""Rebuild the demo map pack ``resources/maps/helsinki-center.mbtiles``.

Usage: ``.venv/bin/python scripts/build_demo_mappack.py [EXTRACT.osm.pbf]``; the extract
defaults to ``../shared/data/osm/helsinki-center.osm.pbf`` beside the checkout.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.mappack.cli import cli  # noqa: E402

DEFAULT_EXTRACT = ROOT.parent / "shared" / "data" / "osm" / "helsinki-center.osm.pbf"
OUT = ROOT / "resources" / "maps" / "helsinki-center.mbtiles"


def main(argv: list[str]) -> int:
    extract = argv[0] if argv else str(DEFAULT_EXTRACT)
    return cli(
        [
            "build",
            extract,
            str(OUT),
            "--min-zoom",
            "12",
            "--max-zoom",
            "18",
            "--name",
            "Helsinki centre",
        ]
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
