"""Fixtures for the import tests: both store backends and small dirty files per format."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.permissions import Role, User
from console.services.audit import AuditLog
from console.services.imports import ImportService
from console.store import Store
from console.store.audit_store import entries
from console.store.models import AlertRevision, ImportBatch, Incident
from tests.store.backends import pg_admin_url, store, store_url  # noqa: F401

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SUPERVISOR = User("sam", Role.SUPERVISOR)

# Washington DC: a BOM, CRLF line ends, a blank line, a quoted comma; 7 rows, 3 good.
DC = ("\ufeffID,Type,Date,Time,Source,Latitude,Longitude\r\n"
      '1001,Single_Gunshot,2024-03-01,12:00:00,"WashingtonDC, ShotSpotter",38.9,-77.0\r\n'
      "1002,Multiple_Gunshots,07/04/2023,9:30 PM,WashingtonDC,38.85,-76.99\r\n"
      "\r\n"
      "1003,Probable Gunfire,2023-02-30,10:00:00,WashingtonDC,38.9,-77.0\r\n"
      "1004,Gunshot_or_Firecracker,2023-05-05,10:00:00,WashingtonDC,-77.01,38.91\r\n"
      "1005,Helicopter,2023-05-05,11:00:00,WashingtonDC,38.9,-77.0\r\n"
      "1006,Single_Gunshot,2023-05-05,12:00:00,WashingtonDC,38.9,-277.0\r\n"
      "1007,Gunshot_or_Firecracker,2023-06-01,00:00:30,WashingtonDC,38.95,-77.05\r\n")

CHICAGO_HEADER = ("date,block,zip_code,ward,community_area,area,district,beat,"
                  "street_outreach_organization,unique_id,month,day_of_week,hour,"
                  "incident_type_description,rounds,illinois_house_district,"
                  "illinois_senate_district,latitude,longitude,location\n")
# Chicago: quoted commas in the block, coordinates only in the location cell; 5 rows, 3 good.
CHICAGO = CHICAGO_HEADER + (
    '06/15/2023 11:45:00 PM,"001XX N STATE ST, REAR",60601,42,LOOP,1,1,111,None,SST-9001,'
    '6,5,23,MULTIPLE GUNSHOTS,4,5,3,41.8837,-87.6278,POINT (-87.6278 41.8837)\n'
    '01/10/2024 02:00:00 AM,064XX S HALSTED ST,60621,16,ENGLEWOOD,2,7,712,None,SST-9002,'
    '1,4,2,SINGLE GUNSHOT,1,6,3,41.75,-87.65,POINT (-87.65 41.75)\n'
    '13/45/2024 02:00:00 AM,064XX S HALSTED ST,60621,16,ENGLEWOOD,2,7,712,None,SST-9003,'
    '1,4,2,SINGLE GUNSHOT,1,6,3,41.75,-87.65,POINT (-87.65 41.75)\n'
    '01/11/2024 03:00:00 AM,064XX S HALSTED ST,60621,16,ENGLEWOOD,2,7,712,None,SST-9004,'
    '1,5,3,CAR BACKFIRE,,6,3,41.75,-87.65,POINT (-87.65 41.75)\n'
    '01/12/2024 04:00:00 AM,"002XX E 51ST ST",60615,3,GRAND BOULEVARD,1,2,221,None,SST-9005,'
    '1,6,4,GUNSHOT OR FIRECRACKER,,6,3,,,"(41.80, -87.60)"\n')

# St. Louis: no ids; 5 rows, 2 good.
STL = ("Type,Date,Latitude,Longitude\n"
       "Gunshot_or_firework,2022-07-04 23:15:00,38.6270,-90.1994\n"
       "Single_Gunshot,12/25/2022 08:00:00 PM,38.64,-90.25\n"
       "Multiple_Gunshots,2022-08-01 01:00:00,-90.26,38.65\n"
       "Probable Gunfire,not a date,38.6,-90.2\n"
       "Multiple_Gunshots,2022-08-02 01:00:00,38.66,-190.0\n")


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def dc_rows(n: int, start_id: int = 100000) -> str:
    """``n`` clean DC rows (for cancel/crash tests that need several write batches)."""
    lines = ["ID,Type,Date,Time,Source,Latitude,Longitude"]
    for i in range(n):
        lines.append(f"{start_id + i},Single_Gunshot,2023-01-{1 + i % 28:02d},"
                     f"{i % 24:02d}:{i % 60:02d}:00,WashingtonDC,"
                     f"{38.85 + (i % 100) * 0.001:.4f},{-77.0 + (i % 50) * 0.001:.4f}")
    return "\n".join(lines) + "\n"


def counts(db: Store) -> tuple[int, int, int]:
    """(incidents, revisions, import batches) in the store."""
    with Session(db.engine) as s:
        return tuple(s.scalar(select(func.count()).select_from(t))  # type: ignore[return-value]
                     for t in (Incident, AlertRevision, ImportBatch))


def import_entries(db: Store) -> list:
    return [e for e in entries(db) if e.action == "import_data"]


@pytest.fixture
def service(store: Store) -> Iterator[ImportService]:  # noqa: F811
    yield ImportService(store, AuditLog(store))
