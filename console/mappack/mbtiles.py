"""MBTiles storage: the writer used by the builder and the read-only :class:`MapPack`.

Besides the standard ``metadata`` and ``tiles`` tables a pack carries an ``addresses``
table (``id`` is the OSM reference such as ``n123``, ``w45`` or ``r6``) for door-to-door
canvassing. Tile rows are stored TMS-flipped; the reader takes XYZ numbers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from console.mappack.extract import Address
from console.mappack.geo import tms_row

__all__ = ["MapPack", "MapPackError", "MBTilesWriter", "read_addresses"]

_SCHEMA = """
CREATE TABLE metadata (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
CREATE TABLE addresses (
    id TEXT PRIMARY KEY, lat REAL NOT NULL, lon REAL NOT NULL,
    housenumber TEXT NOT NULL, street TEXT NOT NULL, name TEXT
);
CREATE INDEX addresses_lat_lon ON addresses (lat, lon);
"""

BBox = tuple[float, float, float, float]


class MapPackError(Exception):
    """The file is missing, not an MBTiles map pack, or damaged."""


class MBTilesWriter:
    """Create a fresh MBTiles file (an existing file at ``path`` is replaced)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.unlink(missing_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.executescript(_SCHEMA)

    def put_metadata(self, meta: dict[str, str]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)", meta.items()
        )

    def put_tile(self, z: int, x: int, y: int, png: bytes) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO tiles VALUES (?, ?, ?, ?)", (z, x, tms_row(z, y), png)
        )

    def put_addresses(self, addresses: Iterable[Address]) -> int:
        rows = [(a.id, a.lat, a.lon, a.housenumber, a.street, a.name) for a in addresses]
        self._db.executemany("INSERT OR REPLACE INTO addresses VALUES (?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def close(self) -> None:
        self._db.commit()
        self._db.execute("VACUUM")
        self._db.close()


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _connect_ro(path: str | Path) -> sqlite3.Connection:
    p = Path(path)
    if not p.is_file():
        raise MapPackError(f"map pack not found: {p}")
    try:
        db = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        db.text_factory = _text  # a damaged pack may hold text that is not UTF-8
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except (sqlite3.DatabaseError, ValueError) as exc:  # ValueError: non-UTF-8 text
        raise MapPackError(f"{p} is not an MBTiles map pack: {exc}") from exc
    missing = {"metadata", "tiles"} - names
    if missing:
        db.close()
        raise MapPackError(
            f"{p} is not an MBTiles map pack (no {', '.join(sorted(missing))} table)"
        )
    return db


class MapPack:
    """Read-only access to a map pack's tiles, metadata and addresses."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = _connect_ro(self.path)
        try:
            self.metadata: dict[str, str] = dict(
                self._db.execute("SELECT name, value FROM metadata")
            )
        except (sqlite3.DatabaseError, ValueError) as exc:  # ValueError: non-UTF-8 text
            self._db.close()
            raise MapPackError(f"{self.path}: unreadable metadata: {exc}") from exc

    @property
    def bounds(self) -> BBox | None:
        """``(minlon, minlat, maxlon, maxlat)`` from the metadata, if present."""
        raw = self.metadata.get("bounds")
        if not raw:
            return None
        try:
            w, s, e, n = (float(v) for v in str(raw).split(","))
        except ValueError as exc:
            raise MapPackError(f"{self.path}: bad bounds {raw!r}") from exc
        return (w, s, e, n)

    @property
    def min_zoom(self) -> int:
        return self._zoom("minzoom", 0)

    @property
    def max_zoom(self) -> int:
        return self._zoom("maxzoom", 22)

    def _zoom(self, key: str, default: int) -> int:
        raw = self.metadata.get(key)
        if raw is None:
            return default
        try:
            return int(raw)
        except (TypeError, ValueError, OverflowError):
            raise MapPackError(f"{self.path}: bad {key} {raw!r}") from None

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """Image bytes of XYZ tile ``z/x/y``, or ``None`` when the pack has no such tile."""
        try:
            row = self._db.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, tms_row(z, y)),
            ).fetchone()
        except (sqlite3.DatabaseError, ValueError) as exc:  # ValueError: non-UTF-8 text
            raise MapPackError(f"{self.path}: cannot read tile {z}/{x}/{y}: {exc}") from exc
        if row is None:
            return None
        if not isinstance(row[0], bytes):
            raise MapPackError(f"{self.path}: tile {z}/{x}/{y} is not image data")
        return bytes(row[0])

    def tile_count(self, zoom: int | None = None) -> int:
        sql, args = "SELECT count(*) FROM tiles", ()
        if zoom is not None:
            sql, args = sql + " WHERE zoom_level=?", (zoom,)
        try:
            return int(self._db.execute(sql, args).fetchone()[0])
        except (sqlite3.DatabaseError, ValueError) as exc:  # ValueError: non-UTF-8 text
            raise MapPackError(f"{self.path}: cannot count tiles: {exc}") from exc

    def addresses(self, bbox: BBox | None = None) -> list[Address]:
        """Addresses, optionally inside ``bbox`` (minlon, minlat, maxlon, maxlat)."""
        return _query_addresses(self._db, bbox)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> MapPack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _query_addresses(db: sqlite3.Connection, bbox: BBox | None) -> list[Address]:
    sql = "SELECT id, lat, lon, housenumber, street, name FROM addresses"
    args: tuple[float, ...] = ()
    if bbox is not None:
        sql += " WHERE lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?"
        args = (bbox[0], bbox[2], bbox[1], bbox[3])
    try:
        rows = db.execute(sql + " ORDER BY street, housenumber, id", args).fetchall()
    except (sqlite3.DatabaseError, ValueError) as exc:  # ValueError: non-UTF-8 text
        raise MapPackError(f"map pack has no readable addresses table: {exc}") from exc
    return [Address(*row) for row in rows]


def read_addresses(mbtiles: str | Path, bbox: BBox | None = None) -> list[Address]:
    """Street addresses stored in a map pack, optionally limited to ``bbox``."""
    with MapPack(mbtiles) as pack:
        return pack.addresses(bbox)
