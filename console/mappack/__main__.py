"""``python -m console.mappack build EXTRACT.osm.pbf OUT.mbtiles``."""

from __future__ import annotations

import sys

from console.mappack.cli import cli

if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
