"""Open-data import into the database: 100,000 generated rows in each published layout
(Washington DC, St. Louis, Chicago; 2 % dirty) through ``ImportService.import_file`` with
progress, each into an empty store and then all into one filling store, on SQLite and,
when ``MAC_TEST_PG_URL`` is set, on fresh PostgreSQL databases. Prints rows/s, wall and CPU
time (read+validate vs write) per file; never fails. Target: <= 15 s for 100,000 rows on
SQLite. CPU time is printed because the wall time follows the machine's load.

    .venv/bin/python benchmarks/import_db.py [--rows 100000] [--dirty 0.02] [--no-pg]
                                             [--no-cumulative]
                                             [--db-dir /dev/shm]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from console.domain.permissions import Role, User  # noqa: E402
from console.importer import preset  # noqa: E402
from console.services.imports import ImportService  # noqa: E402
from console.store import Store  # noqa: E402

NOW = datetime(2026, 1, 1, tzinfo=UTC)
DC_TYPES = ["Single_Gunshot", "Multiple_Gunshots", "Gunshot_or_Firecracker", "Probable Gunfire"]
STL_TYPES = ["Gunshot_or_firework", "Single_Gunshot", "Multiple_Gunshots"]
CHI_TYPES = ["SINGLE GUNSHOT", "MULTIPLE GUNSHOTS", "GUNSHOT OR FIRECRACKER"]
CHI_HEADER = ("date,block,zip_code,ward,community_area,area,district,beat,"
              "street_outreach_organization,unique_id,month,day_of_week,hour,"
              "incident_type_description,rounds,illinois_house_district,"
              "illinois_senate_district,latitude,longitude,location")


def _dirty(rnd: random.Random, share: float, date: str, kind: str, lat: float, lon: float
           ) -> tuple[str, str, float, float]:
    if rnd.random() >= share:
        return date, kind, lat, lon
    match rnd.randrange(3):
        case 0:
            return date, kind, lon, lat
        case 1:
            return "2019-02-30", kind, lat, lon
        case _:
            return date, "Helicopter", lat, lon


def _times(rnd: random.Random, n: int) -> Iterator[datetime]:
    start = datetime(2016, 1, 1)
    for _ in range(n):
        yield start + timedelta(seconds=rnd.randrange(0, 7 * 365 * 86400))


def make_dc(path: Path, rows: int, dirty: float, rnd: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("ID,Type,Date,Time,Source,Latitude,Longitude\r\n")
        for i, t in enumerate(_times(rnd, rows)):
            date, kind, lat, lon = _dirty(rnd, dirty, t.strftime("%Y-%m-%d"),
                                          rnd.choice(DC_TYPES), rnd.uniform(38.82, 38.98),
                                          rnd.uniform(-77.10, -76.92))
            f.write(f"{200000 + i},{kind},{date},{t:%H:%M:%S},WashingtonDC,"
                    f"{lat:.6f},{lon:.6f}\r\n")


def make_stl(path: Path, rows: int, dirty: float, rnd: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("Type,Date,Latitude,Longitude\n")
        for t in _times(rnd, rows):
            date, kind, lat, lon = _dirty(rnd, dirty, t.strftime("%m/%d/%Y %I:%M:%S %p"),
                                          rnd.choice(STL_TYPES), rnd.uniform(38.55, 38.75),
                                          rnd.uniform(-90.30, -90.18))
            f.write(f"{kind},{date},{lat:.6f},{lon:.6f}\n")


def make_chicago(path: Path, rows: int, dirty: float, rnd: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(CHI_HEADER + "\n")
        for i, t in enumerate(_times(rnd, rows)):
            date, kind, lat, lon = _dirty(rnd, dirty, t.strftime("%m/%d/%Y %I:%M:%S %p"),
                                          rnd.choice(CHI_TYPES), rnd.uniform(41.66, 42.0),
                                          rnd.uniform(-87.85, -87.55))
            district = rnd.randrange(1, 26)
            beat = district * 100 + rnd.randrange(11, 35)
            f.write(f'{date},"0{rnd.randrange(10, 99)}XX S HALSTED ST",606{rnd.randrange(10, 60)},'
                    f"{rnd.randrange(1, 51)},ENGLEWOOD,{rnd.randrange(1, 4)},{district},{beat},"
                    f"None,SST-{i},{t.month},{t.isoweekday()},{t.hour},{kind},"
                    f"{rnd.randrange(1, 12)},6,3,{lat:.6f},{lon:.6f},"
                    f'"POINT ({lon:.6f} {lat:.6f})"\n')


FORMATS: dict[str, tuple[str, Callable[[Path, int, float, random.Random], None]]] = {
    "washington_dc": ("dc", make_dc), "st_louis": ("st_louis", make_stl),
    "chicago": ("chicago", make_chicago),
}


@contextmanager
def pg_database(admin_url: str) -> Iterator[str]:
    name = f"mac_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def import_one(service: ImportService, label: str, fmt: str, path: Path) -> None:
    """Import one file and print its figures."""
    calls: list[float] = []
    marks: dict[str, float] = {}
    before = service.store.list_incidents(limit=1)
    t0, cpu0 = time.perf_counter(), time.process_time()

    def progress(done: int, total: int, text: str) -> None:
        calls.append(time.perf_counter())
        if text.startswith("Stored") and "write" not in marks:
            marks["write"] = calls[-2] - t0 if len(calls) > 1 else 0.0

    res = service.import_file(User("bench", Role.SUPERVISOR), path,
                              options=preset(FORMATS[fmt][0], now=NOW), progress=progress)
    total = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    gaps = [b - a for a, b in zip(calls, calls[1:], strict=False)] or [0.0]
    read = marks.get("write", 0.0)
    print(f"{label:22} {fmt:14} {res.rows:>7,} rows -> {res.imported:>7,} incidents "
          f"({res.rejected:,} rejected): {total:6.2f} s, {res.rows / total:>7,.0f} rows/s "
          f"(read+validate {read:.2f} s, write {total - read:.2f} s; CPU {cpu:.2f} s); "
          f"{len(calls)} progress calls, longest gap {max(gaps):.2f} s"
          + ("" if not before else " [store already held incidents]"))


def run_fresh(make_url: Callable[[str], AbstractContextManager[str]], label: str,
              files: dict[str, Path]) -> None:
    """Each file into an empty store (the target's case)."""
    for fmt, path in files.items():
        with make_url(fmt) as url:
            store = Store(url)
            try:
                import_one(ImportService(store), f"{label} (empty)", fmt, path)
            finally:
                store.close()


def run_cumulative(url: str, label: str, files: dict[str, Path]) -> None:
    """All files one after another into one store (a store that fills up)."""
    store = Store(url)
    try:
        service = ImportService(store)
        for fmt, path in files.items():
            import_one(service, f"{label} (filling)", fmt, path)
    finally:
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--dirty", type=float, default=0.02, help="share of dirty rows")
    ap.add_argument("--no-pg", action="store_true", help="SQLite only")
    ap.add_argument("--no-cumulative", action="store_true",
                    help="only import each file into an empty store")
    ap.add_argument("--db-dir", default=None,
                    help="folder of the SQLite file (e.g. /dev/shm to leave the disk out)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, \
            tempfile.TemporaryDirectory(dir=args.db_dir) as db_dir:
        folder = Path(tmp)
        files: dict[str, Path] = {}
        for fmt, (_city, make) in FORMATS.items():
            t0 = time.perf_counter()
            files[fmt] = folder / f"{fmt}.csv"
            make(files[fmt], args.rows, args.dirty, random.Random(7))
            print(f"generated {fmt}: {args.rows:,} rows, "
                  f"{files[fmt].stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.2f} s")

        @contextmanager
        def sqlite_url(name: str) -> Iterator[str]:
            yield f"sqlite+pysqlite:///{Path(db_dir) / f'{name}.sqlite3'}"

        run_fresh(sqlite_url, "SQLite", files)
        if not args.no_cumulative:
            run_cumulative(f"sqlite+pysqlite:///{Path(db_dir) / 'all.sqlite3'}", "SQLite",
                           files)
        pg = os.environ.get("MAC_TEST_PG_URL")
        if pg and not args.no_pg:
            run_fresh(lambda _name: pg_database(pg), "PostgreSQL", files)
            if not args.no_cumulative:
                with pg_database(pg) as url:
                    run_cumulative(url, "PostgreSQL", files)
        else:
            print("PostgreSQL: skipped (set MAC_TEST_PG_URL)")
    print(f"target: <= 15 s per 100,000 rows on SQLite (empty store); load average "
          f"{os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
