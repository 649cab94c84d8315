"""Build an offline map pack (MBTiles with PNG tiles and an address table) from OSM data.

Qt-free so it can run in a worker thread or process and from the command line.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from console.mappack.extract import Scene, read_extract
from console.mappack.geo import tile_range
from console.mappack.labels import Label, place_labels
from console.mappack.mbtiles import MBTilesWriter
from console.mappack.render import SCALE, render_tile

__all__ = ["BuildStats", "build_mappack", "ATTRIBUTION"]

ATTRIBUTION = "© OpenStreetMap contributors"
ProgressCallback = Callable[[int, int], None]
MIN_TILES_FOR_POOL = 64
_Column = tuple[int, int, list[int]]  # zoom, x, rows


@dataclass(frozen=True, slots=True)
class BuildStats:
    """What a build produced."""

    path: Path
    tiles: int
    tiles_by_zoom: dict[int, int]
    size_bytes: int
    addresses: int
    features: int
    seconds: float
    bounds: tuple[float, float, float, float]


def _validate_zooms(min_zoom: int, max_zoom: int) -> None:
    if not 0 <= min_zoom <= max_zoom <= 22:
        raise ValueError(f"need 0 <= min_zoom <= max_zoom <= 22, got {min_zoom}..{max_zoom}")


def _columns(bounds: tuple[float, float, float, float], zooms: range) -> list[_Column]:
    cols: list[_Column] = []
    for z in zooms:
        by_x: dict[int, list[int]] = {}
        for x, y in tile_range(bounds, z):
            by_x.setdefault(x, []).append(y)
        cols.extend((z, x, ys) for x, ys in sorted(by_x.items()))
    return cols


# Worker-process state, set once per process by _init_worker.
_SCENE: Scene | None = None
_LABELS: dict[int, list[Label]] = {}


def _init_worker(scene: Scene, labels: dict[int, list[Label]]) -> None:
    global _SCENE, _LABELS
    _SCENE, _LABELS = scene, labels


def _render_column(col: _Column) -> tuple[int, int, list[tuple[int, bytes | None]]]:
    z, x, ys = col
    assert _SCENE is not None
    return z, x, [(y, render_tile(_SCENE, _LABELS[z], z, x, y)) for y in ys]


def _rendered(
    cols: list[_Column], scene: Scene, labels: dict[int, list[Label]], workers: int
) -> Iterator[tuple[int, int, list[tuple[int, bytes | None]]]]:
    if workers <= 1:
        _init_worker(scene, labels)
        yield from map(_render_column, cols)
        return
    # "spawn" everywhere: forking a process that runs Qt or other threads is unsafe.
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(scene, labels)) as pool:
        yield from pool.imap_unordered(_render_column, cols)


def build_mappack(
    pbf_path: str | Path,
    out_mbtiles: str | Path,
    *,
    min_zoom: int = 12,
    max_zoom: int = 18,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    name: str | None = None,
    description: str | None = None,
) -> BuildStats:
    """Render ``pbf_path`` into ``out_mbtiles`` at zoom ``min_zoom..max_zoom``.

    Only tiles inside the extract's bounding box that show something are written.
    ``progress(done, total)`` is called as tiles finish (counted in tiles). ``workers`` is
    the number of render processes (default: CPU count, at most 4; 1 renders in-process).
    The file is written beside the target and moved into place when complete.
    """
    _validate_zooms(min_zoom, max_zoom)
    started = time.perf_counter()
    out = Path(out_mbtiles)
    scene = read_extract(pbf_path)
    zooms = range(min_zoom, max_zoom + 1)
    labels = {z: place_labels(scene.features, z, SCALE) for z in zooms}
    cols = _columns(scene.bounds, zooms)
    total = sum(len(ys) for _, _, ys in cols)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    if total < MIN_TILES_FOR_POOL:
        workers = 1  # process start-up would cost more than it saves

    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    writer = MBTilesWriter(part)
    by_zoom = dict.fromkeys(zooms, 0)
    done = 0
    try:
        for z, x, results in _rendered(cols, scene, labels, workers):
            for y, png in results:
                if png is not None:
                    writer.put_tile(z, x, y, png)
                    by_zoom[z] += 1
            done += len(results)
            if progress is not None:
                progress(done, total)
        n_addr = writer.put_addresses(scene.addresses)
        writer.put_metadata(_metadata(scene, out, min_zoom, max_zoom, name, description))
        writer.close()
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, out)
    return BuildStats(
        out,
        sum(by_zoom.values()),
        by_zoom,
        out.stat().st_size,
        n_addr,
        len(scene.features),
        time.perf_counter() - started,
        scene.bounds,
    )


def _metadata(
    scene: Scene, out: Path, min_zoom: int, max_zoom: int, name: str | None, description: str | None
) -> dict[str, str]:
    w, s, e, n = scene.bounds
    centre_zoom = min(max(15, min_zoom), max_zoom)
    return {
        "name": name or out.stem,
        "format": "png",
        "type": "baselayer",
        "version": "1",
        "bounds": f"{w:.7f},{s:.7f},{e:.7f},{n:.7f}",
        "center": f"{(w + e) / 2:.7f},{(s + n) / 2:.7f},{centre_zoom}",
        "minzoom": str(min_zoom),
        "maxzoom": str(max_zoom),
        "attribution": ATTRIBUTION,
        "description": description or "Offline street map rendered from OpenStreetMap data (ODbL).",
    }
