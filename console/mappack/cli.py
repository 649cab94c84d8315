"""Command line for map packs: ``mappack build EXTRACT.osm.pbf OUT.mbtiles`` and ``info``."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from console.mappack.builder import build_mappack
from console.mappack.mbtiles import MapPack, MapPackError

__all__ = ["cli"]


class _ProgressBar:
    """A one-line text progress bar, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO, width: int = 40) -> None:
        self._stream, self._width, self._last = stream, width, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = self._width * done // max(total, 1)
        bar = "#" * filled + "-" * (self._width - filled)
        self._stream.write(f"\rtiles [{bar}] {done}/{total}")
        if done >= total:
            self._stream.write("\n")
        self._stream.flush()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mappack", description="Offline map packs (MBTiles).")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="render an OSM extract into an MBTiles map pack")
    b.add_argument("extract", help="OpenStreetMap extract (.osm.pbf)")
    b.add_argument("out", help="output .mbtiles file (replaced if it exists)")
    b.add_argument("--min-zoom", type=int, default=12)
    b.add_argument("--max-zoom", type=int, default=18)
    b.add_argument(
        "--workers", type=int, default=None, help="render processes (default: CPUs, max 4)"
    )
    b.add_argument("--name", default=None, help="pack name stored in the metadata")
    i = sub.add_parser("info", help="print a map pack's metadata and counts")
    i.add_argument("pack")
    return p


def cli(argv: list[str]) -> int:
    """Run the map-pack command line; returns the process exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            stats = build_mappack(
                args.extract,
                args.out,
                min_zoom=args.min_zoom,
                max_zoom=args.max_zoom,
                progress=_ProgressBar(sys.stderr),
                workers=args.workers,
                name=args.name,
            )
            zooms = ", ".join(f"z{z}:{n}" for z, n in stats.tiles_by_zoom.items())
            print(
                f"{stats.path}: {stats.tiles} tiles ({zooms}), {stats.addresses} addresses, "
                f"{stats.size_bytes / 1e6:.1f} MB in {stats.seconds:.1f} s"
            )
            return 0
        with MapPack(args.pack) as pack:
            for key, value in sorted(pack.metadata.items()):
                print(f"{key}: {value}")
            print(f"tiles: {pack.tile_count()}")
            print(f"addresses: {len(pack.addresses())}")
        return 0
    except (OSError, ValueError, MapPackError) as exc:
        print(f"mappack: error: {exc}", file=sys.stderr)
        return 1
