"""Fuzzing the map-pack reader: random bytes, truncated or bit-flipped packs, SQLite files
without the MBTiles tables or with odd metadata. Opening and every read either works or
raises MapPackError; no sqlite3/ValueError/TypeError escapes."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.mappack.extract import Address
from console.mappack.mbtiles import MapPack, MapPackError, MBTilesWriter
from tests.fuzz.conftest import budget

SETTINGS = budget(120)


def _small_pack() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "small.mbtiles"
        w = MBTilesWriter(path)
        w.put_metadata({"name": "fuzz", "format": "png", "bounds": "24.9,60.1,25.0,60.2",
                        "minzoom": "12", "maxzoom": "14"})
        for z in (12, 13, 14):
            for x in range(3):
                w.put_tile(z, x, x, bytes([z, x]) * 300)
        w.put_addresses([Address(f"n{i}", 60.15 + i * 1e-4, 24.95, str(i), "Main St", None)
                         for i in range(40)])
        w.close()
        return path.read_bytes()


SMALL = _small_pack()


def _exercise(path: Path) -> None:
    """Open ``path`` and read everything; only MapPackError may escape."""
    try:
        with MapPack(path) as pack:
            _ = pack.bounds, pack.min_zoom, pack.max_zoom
            pack.tile(12, 0, 0)
            pack.tile(14, 2, 2)
            pack.tile_count()
            pack.tile_count(13)
            pack.addresses()
            pack.addresses((24.9, 60.1, 25.0, 60.2))
    except MapPackError as exc:
        assert str(exc) and len(str(exc)) < 1000


def _with_file(data: bytes, fn: Callable[[Path], Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pack.mbtiles"
        path.write_bytes(data)
        fn(path)


@SETTINGS
@given(st.binary(max_size=4096) | st.sampled_from([b"", b"SQLite format 3\0"]))
def test_random_bytes(data: bytes) -> None:
    _with_file(data, _exercise)


@SETTINGS
@given(st.integers(0, len(SMALL) - 1))
def test_truncated_pack(cut: int) -> None:
    _with_file(SMALL[:cut], _exercise)


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, len(SMALL) - 1), st.integers(1, 255)),
                min_size=1, max_size=24))
def test_bit_flipped_pack(flips: list[tuple[int, int]]) -> None:
    blob = bytearray(SMALL)
    for at, mask in flips:
        blob[at] ^= mask
    _with_file(bytes(blob), _exercise)


meta_values = (st.none() | st.integers(-2**63, 2**63 - 1) | st.floats() | st.text(max_size=20)
               | st.binary(max_size=8) | st.sampled_from(["1,2,3", "a,b,c,d", "99", "-1"]))


@SETTINGS
@given(st.sets(st.sampled_from(["metadata", "tiles", "addresses"])),
       st.dictionaries(st.sampled_from(["bounds", "minzoom", "maxzoom", "name"]), meta_values,
                       max_size=4))
def test_sqlite_without_the_tables_or_with_odd_metadata(tables: set[str],
                                                        meta: dict[str, Any]) -> None:
    def build(path: Path) -> None:
        path.unlink()
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE other (x)")
        if "metadata" in tables:
            db.execute("CREATE TABLE metadata (name, value)")
            db.executemany("INSERT INTO metadata VALUES (?, ?)", meta.items())
        if "tiles" in tables:
            db.execute("CREATE TABLE tiles (zoom_level, tile_column, tile_row, tile_data)")
            db.execute("INSERT INTO tiles VALUES ('a', NULL, 3.5, 7)")
        if "addresses" in tables:
            db.execute("CREATE TABLE addresses (id, lat)")
        db.commit()
        db.close()
        _exercise(path)

    _with_file(b"", build)


def test_missing_file_and_good_pack(tmp_path: Path) -> None:
    with pytest.raises(MapPackError, match="not found"):
        MapPack(tmp_path / "nope.mbtiles")
    path = tmp_path / "ok.mbtiles"
    path.write_bytes(SMALL)
    with MapPack(path) as pack:
        assert pack.tile_count() == 9 and len(pack.addresses()) == 40
