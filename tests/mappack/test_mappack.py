"""Map-pack builder and reader against the real Helsinki OpenStreetMap extract."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from console.mappack import MapPack, MapPackError, build_mappack, read_addresses
from console.mappack import builder as builder_module
from console.mappack.cli import cli
from console.mappack.extract import _centroid, read_extract
from console.mappack.geo import lonlat_to_world, tile_range, tms_row
from console.mappack.labels import place_labels
from console.mappack.render import SCALE, render_tile
from console.mappack.style import BACKGROUND


@pytest.fixture(scope="session")
def helsinki_pbf(shared_data: Path) -> Path:
    return shared_data / "osm" / "helsinki-center.osm.pbf"


@pytest.fixture(scope="module")
def small_pack(helsinki_pbf: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("pack") / "helsinki-z14-15.mbtiles"
    calls: list[tuple[int, int]] = []
    stats = build_mappack(
        helsinki_pbf, out, min_zoom=14, max_zoom=15, progress=lambda d, t: calls.append((d, t))
    )
    return stats, calls


def test_build_writes_every_tile_over_the_extract(small_pack) -> None:
    stats, calls = small_pack
    # The extract (24.935..24.953 E, 60.164..60.179 N) spans 2x2 tiles at z14, 3x3 at z15.
    assert stats.tiles_by_zoom == {14: 4, 15: 9}
    with MapPack(stats.path) as pack:
        assert pack.tile_count() == stats.tiles == 13
        assert pack.tile_count(15) == 9
    assert calls[-1] == (13, 13)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert not stats.path.with_name(stats.path.name + ".part").exists()


def test_tile_is_a_drawn_256px_png(small_pack) -> None:
    stats, _ = small_pack
    x, y = (int(v) for v in lonlat_to_world(np.array([[24.9443, 60.1700]]))[0] * 2**15)
    with MapPack(stats.path) as pack:
        data = pack.tile(15, x, y)
    assert data is not None and data.startswith(b"\x89PNG\r\n\x1a\n")
    img = Image.open(io.BytesIO(data))
    assert img.size == (256, 256)
    pixels = np.asarray(img.convert("RGB")).reshape(-1, 3)
    drawn = np.any(np.abs(pixels.astype(int) - BACKGROUND) > 8, axis=1).mean()
    assert drawn > 0.3, f"only {drawn:.0%} of the city-centre tile differs from the background"


def test_rows_are_stored_tms_flipped(small_pack) -> None:
    stats, _ = small_pack
    x, y = next(tile_range(stats.bounds, 15))
    with sqlite3.connect(stats.path) as db:
        stored = db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level=15 AND tile_column=? AND tile_row=?",
            (x, tms_row(15, y)),
        ).fetchone()
    with MapPack(stats.path) as pack:
        assert stored is not None and pack.tile(15, x, y) == bytes(stored[0])
        assert pack.tile(15, x, tms_row(15, y)) is None
        assert pack.tile(15, 0, 0) is None


def test_metadata(small_pack) -> None:
    stats, _ = small_pack
    with MapPack(stats.path) as pack:
        meta = pack.metadata
        assert meta["format"] == "png"
        assert meta["attribution"] == "© OpenStreetMap contributors"
        assert (meta["minzoom"], meta["maxzoom"]) == ("14", "15")
        assert {"name", "bounds", "center", "description"} <= meta.keys()
        w, s, e, n = pack.bounds
        assert (w, s, e, n) == pytest.approx((24.9351762, 60.164155, 24.9534145, 60.179113))
        lon, lat, zoom = (float(v) for v in meta["center"].split(","))
        assert w < lon < e and s < lat < n and 14 <= zoom <= 15


def test_addresses_are_stored(small_pack) -> None:
    stats, _ = small_pack
    addresses = read_addresses(stats.path)
    assert stats.addresses == len(addresses) > 1000
    streets = {a.street for a in addresses}
    assert {"Mannerheimintie", "Aleksanterinkatu", "Kaivokatu"} <= streets
    kaivokatu_1 = [a for a in addresses if a.street == "Kaivokatu" and a.housenumber == "1"]
    assert kaivokatu_1 and kaivokatu_1[0].lat == pytest.approx(60.1713, abs=5e-4)
    assert {a.id[0] for a in addresses} == {"n", "w", "r"}  # nodes, buildings, multipolygons
    bbox = (24.940, 60.168, 24.945, 60.172)
    inside = read_addresses(stats.path, bbox)
    assert 0 < len(inside) < len(addresses)
    assert all(bbox[0] <= a.lon <= bbox[2] and bbox[1] <= a.lat <= bbox[3] for a in inside)


def test_building_address_sits_at_its_centroid() -> None:
    # An L-shaped building: the area-weighted centroid, not the vertex mean.
    ring = np.array([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2), (0, 0)], dtype=float)
    cx, cy = _centroid(ring)
    assert (cx, cy) == pytest.approx((5 / 6, 5 / 6))
    assert _centroid(ring[::-1]) == pytest.approx((cx, cy))  # either winding


@pytest.mark.parametrize(
    "content", [b"this is not a database" * 100, b"", b"SQLite format 3\x00" + b"\x00" * 200]
)
def test_garbage_file_is_rejected(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.mbtiles"
    bad.write_bytes(content)
    with pytest.raises(MapPackError):
        MapPack(bad)


def test_sqlite_without_tiles_table_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (x TEXT)")
    with pytest.raises(MapPackError, match="tiles"):
        MapPack(path)
    with pytest.raises(MapPackError, match="not found"):
        MapPack(tmp_path / "missing.mbtiles")


def test_pool_rendering_matches_in_process(helsinki_pbf, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(builder_module, "MIN_TILES_FOR_POOL", 0)
    one = build_mappack(helsinki_pbf, tmp_path / "one.mbtiles", min_zoom=16, max_zoom=16, workers=1)
    two = build_mappack(helsinki_pbf, tmp_path / "two.mbtiles", min_zoom=16, max_zoom=16, workers=2)
    assert one.tiles == two.tiles == 24
    with MapPack(one.path) as a, MapPack(two.path) as b:
        for x, y in tile_range(one.bounds, 16):
            assert a.tile(16, x, y) == b.tile(16, x, y)


def test_street_labels_do_not_overlap(helsinki_pbf: Path) -> None:
    scene = read_extract(helsinki_pbf)
    assert place_labels(scene.features, 15, SCALE) == []
    labels = place_labels(scene.features, 17, SCALE)
    assert {"Mannerheimintie", "Kaivokatu"} <= {lab.text for lab in labels}
    centres = np.array([(lab.cx, lab.cy) for lab in labels])
    gaps = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() > 8 * SCALE


def test_tile_outside_the_data_is_not_rendered(helsinki_pbf: Path) -> None:
    scene = read_extract(helsinki_pbf)
    assert render_tile(scene, [], 15, 0, 0) is None


def test_cli_build_and_info(helsinki_pbf, tmp_path, capsys) -> None:
    out = tmp_path / "cli.mbtiles"
    assert cli(["build", str(helsinki_pbf), str(out), "--min-zoom", "13", "--max-zoom", "13"]) == 0
    captured = capsys.readouterr()
    assert "tiles [" in captured.err and "2/2" in captured.err
    assert "2 tiles" in captured.out and "addresses" in captured.out
    assert cli(["info", str(out)]) == 0
    assert "attribution: © OpenStreetMap contributors" in capsys.readouterr().out
    garbage = tmp_path / "garbage.mbtiles"
    garbage.write_text("nope" * 100)
    assert cli(["info", str(garbage)]) == 1
    assert "not an MBTiles" in capsys.readouterr().err


def test_invalid_zoom_range_names_the_values(helsinki_pbf, tmp_path) -> None:
    with pytest.raises(ValueError, match="16..14"):
        build_mappack(helsinki_pbf, tmp_path / "x.mbtiles", min_zoom=16, max_zoom=14)


def test_shipped_demo_pack_is_readable() -> None:
    from console.resources import resource_path

    with MapPack(resource_path("maps", "helsinki-center.mbtiles")) as pack:
        assert pack.metadata["attribution"] == "© OpenStreetMap contributors"
        assert pack.min_zoom == 12 and pack.max_zoom == 18
        assert pack.tile_count() > 400
        assert len(pack.addresses()) > 1000
