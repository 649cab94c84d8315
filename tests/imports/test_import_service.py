"""Importing open-data files into incidents: each format, dirty rows per policy, refusals,
re-imports, audit entries and permissions (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.domain.permissions import PermissionDenied, Role, User
from console.importer import CsvImportError, preset
from console.services.imports import ImportRefused, ImportService
from console.store import Store
from tests.imports.conftest import (
    CHICAGO,
    DC,
    NOW,
    STL,
    SUPERVISOR,
    counts,
    dc_rows,
    import_entries,
    write,
)


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_dc_file_imports_the_good_rows(service: ImportService, store: Store,
                                       tmp_path: Path) -> None:
    path = write(tmp_path, "dc.csv", DC)
    res = service.import_file(SUPERVISOR, path, options=preset("dc", now=NOW))
    assert (res.rows, res.imported, res.rejected, res.existing) == (7, 3, 4, 0)
    assert {c: t.count for c, t in res.report.rejections.items()} == {
        "bad_date": 1, "swapped_coordinates": 1, "unknown_type": 1,
        "coordinates_out_of_range": 1}
    assert counts(store) == (3, 3, 1)
    first = store.get_incident("imp:dc:1001")
    assert first is not None
    a = first.alert
    assert (str(a.type), str(a.review), a.revision) == ("single_gunshot", "reviewed", 1)
    assert a.time == _utc(2024, 3, 1, 17, 0)  # 12:00 EST
    assert (a.location.lat, a.location.lon) == (38.9, -77.0)
    summer = store.get_incident("imp:dc:1002")
    assert summer is not None and summer.alert.time == _utc(2023, 7, 5, 1, 30)  # 21:30 EDT
    assert str(summer.alert.type) == "multiple_gunshots"
    assert store.get_incident("imp:dc:1004") is None
    revs = store.revisions("imp:dc:1007")
    assert len(revs) == 1 and str(revs[0].type) == "gunshot_or_firecracker"


def test_chicago_file_keeps_areas_rounds_and_blocks(service: ImportService, store: Store,
                                                     tmp_path: Path) -> None:
    path = write(tmp_path, "chicago.csv", CHICAGO)
    res = service.import_file(SUPERVISOR, path, options=preset("chicago", now=NOW))
    assert (res.rows, res.imported, res.rejected) == (5, 3, 2)
    assert {c: t.count for c, t in res.report.rejections.items()} == {
        "bad_date": 1, "unknown_type": 1}
    a = store.get_incident("imp:chicago:SST-9001").alert  # type: ignore[union-attr]
    assert a.time == _utc(2023, 6, 16, 4, 45)  # 11:45 PM CDT
    assert (a.district, a.beat, a.rounds) == ("1", "111", 4)
    assert a.address == "001XX N STATE ST, REAR"
    b = store.get_incident("imp:chicago:SST-9002").alert  # type: ignore[union-attr]
    assert b.time == _utc(2024, 1, 10, 8, 0) and (b.district, b.beat) == ("7", "712")
    c = store.get_incident("imp:chicago:SST-9005").alert  # type: ignore[union-attr]
    assert (c.location.lat, c.location.lon) == (41.80, -87.60)  # from the location cell
    assert str(c.type) == "gunshot_or_firecracker" and c.rounds is None


def test_st_louis_file_without_ids(service: ImportService, store: Store,
                                   tmp_path: Path) -> None:
    path = write(tmp_path, "stl.csv", STL)
    res = service.import_file(SUPERVISOR, path, options=preset("st_louis", now=NOW))
    assert (res.rows, res.imported, res.rejected) == (5, 2, 3)
    assert {c: t.count for c, t in res.report.rejections.items()} == {
        "swapped_coordinates": 1, "bad_date": 1, "coordinates_out_of_range": 1}
    alerts = sorted((r.alert for r in store.list_incidents()), key=lambda a: a.time)
    assert [a.time for a in alerts] == [_utc(2022, 7, 5, 4, 15), _utc(2022, 12, 26, 2, 0)]
    assert [str(a.type) for a in alerts] == ["gunshot_or_firecracker", "single_gunshot"]
    assert all(a.id.startswith("imp:st_louis:h:") for a in alerts)


def test_accepting_swapped_coordinates_swaps_them_back(service: ImportService,
                                                       store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "stl.csv", STL)
    res = service.import_file(SUPERVISOR, path,
                              options=preset("st_louis", now=NOW, accept_swapped=True))
    assert (res.imported, res.rejected) == (3, 2)
    lats = sorted(r.alert.location.lat for r in store.list_incidents())
    assert lats == [38.627, 38.64, 38.65]


def test_refuse_file_policy_writes_nothing(service: ImportService, store: Store,
                                           tmp_path: Path) -> None:
    path = write(tmp_path, "dc.csv", DC)
    with pytest.raises(ImportRefused, match="4 of 7 rows have errors") as err:
        service.import_file(SUPERVISOR, path, options=preset("dc", now=NOW),
                            policy="refuse_file")
    assert err.value.report is not None and err.value.report.rejected == 4
    assert counts(store) == (0, 0, 0)
    [entry] = import_entries(store)
    assert entry.outcome == "failed" and "4 of 7" in entry.details["refused"]
    # refused files are not remembered: the same file imports under the other policy
    res = service.import_file(SUPERVISOR, path, options=preset("dc", now=NOW))
    assert res.imported == 3


def test_refuse_file_policy_on_a_clean_file(service: ImportService, store: Store,
                                            tmp_path: Path) -> None:
    path = write(tmp_path, "clean.csv", dc_rows(50))
    res = service.import_file(SUPERVISOR, path, options=preset("dc", now=NOW),
                              policy="refuse_file")
    assert (res.imported, res.rejected) == (50, 0)
    assert counts(store) == (50, 50, 1)


def test_same_file_again_is_refused_and_audited(service: ImportService, store: Store,
                                                tmp_path: Path) -> None:
    path = write(tmp_path, "dc.csv", DC)
    service.import_file(SUPERVISOR, path, options=preset("dc", now=NOW))
    copy = write(tmp_path, "renamed.csv", DC)
    with pytest.raises(ImportRefused, match="already imported .* by sam as 'dc.csv'"):
        service.import_file(User("ivy", Role.INVESTIGATOR), copy,
                            options=preset("dc", now=NOW))
    assert counts(store) == (3, 3, 1)
    ok, refused = import_entries(store)
    assert ok.outcome == "ok" and ok.user == "sam"
    assert ok.details["imported"] == 3 and ok.details["rejected"] == 4
    assert ok.details["rows"] == 7 and ok.details["file"] == "dc.csv"
    assert refused.outcome == "failed" and refused.user == "ivy"
    assert refused.details["sha256"] == ok.details["sha256"]
    assert refused.details["file"] == "renamed.csv"


def test_a_newer_cumulative_file_adds_only_new_rows(service: ImportService, store: Store,
                                                    tmp_path: Path) -> None:
    older = write(tmp_path, "stl-2022.csv", STL)
    service.import_file(SUPERVISOR, older, options=preset("st_louis", now=NOW))
    newer = write(tmp_path, "stl-2023.csv",
                  STL + "Single_Gunshot,2023-01-02 10:00:00,38.61,-90.21\n")
    res = service.import_file(SUPERVISOR, newer, options=preset("st_louis", now=NOW))
    assert (res.imported, res.existing, res.rejected) == (1, 2, 3)
    assert counts(store) == (3, 3, 2)
    with pytest.raises(ImportRefused, match="already stored"):
        again = write(tmp_path, "stl-copy.csv", STL + "\n")  # other bytes, same rows
        service.import_file(SUPERVISOR, again, options=preset("st_louis", now=NOW))
    assert counts(store) == (3, 3, 2)


def test_feed_ids_and_imported_ids_never_collide(service: ImportService, store: Store,
                                                 tmp_path: Path) -> None:
    from console.domain.alert import parse_alert
    feed = parse_alert({"seq": 5, "id": "1001", "revision": 1, "review": "machine",
                        "type": "single_gunshot", "time": "2024-03-01T17:00:00Z",
                        "location": {"lat": 60.17, "lon": 24.94, "uncertainty_m": 10}})
    store.ingest([feed], "http://feed", 5)
    service.import_file(SUPERVISOR, write(tmp_path, "dc.csv", DC),
                        options=preset("dc", now=NOW))
    kept = store.get_incident("1001")
    assert kept is not None and kept.alert.location.lat == 60.17
    assert store.get_incident("imp:dc:1001") is not None


def test_cancel_midway_leaves_nothing(service: ImportService, store: Store,
                                      tmp_path: Path) -> None:
    path = write(tmp_path, "big.csv", dc_rows(5000))
    seen: list[int] = []

    class Stop(Exception):
        pass

    def progress(done: int, total: int, text: str) -> None:
        seen.append(done)
        if text.startswith("Stored") and done > 700:  # two write batches are in
            raise Stop("cancelled")

    with pytest.raises(Stop):
        service.import_file(SUPERVISOR, path, options=preset("dc", now=NOW),
                            progress=progress)
    assert counts(store) == (0, 0, 0)
    [entry] = import_entries(store)
    assert entry.outcome == "failed" and entry.details["error"] == "Stop: cancelled"
    res = service.import_file(SUPERVISOR, path, options=preset("dc", now=NOW))
    assert res.imported == 5000 and counts(store) == (5000, 5000, 1)


def test_officer_is_denied_and_audited(service: ImportService, store: Store,
                                       tmp_path: Path) -> None:
    path = write(tmp_path, "dc.csv", DC)
    with pytest.raises(PermissionDenied):
        service.import_file(User("otto", Role.OFFICER), path, options=preset("dc", now=NOW))
    assert counts(store) == (0, 0, 0)
    [entry] = import_entries(store)
    assert (entry.user, entry.outcome, entry.object_id) == ("otto", "denied", "dc.csv")


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.INVESTIGATOR, Role.CAPTAIN,
                                  Role.ADMINISTRATOR])
def test_desk_roles_may_import(role: Role, service: ImportService, tmp_path: Path) -> None:
    res = service.import_file(User("u", role), write(tmp_path, "dc.csv", DC),
                              options=preset("dc", now=NOW))
    assert res.imported == 3


@pytest.mark.parametrize(("content", "message"), [
    (b"", "is empty"),
    (b"\x00\x01\x02\xff\xfe binary \x00\x00" * 50, "header not recognised"),
    ("Name,Colour,Size\nball,red,3\n", "header not recognised"),
    ("ID,Type,Date,Time,Source,Latitude,Longitude\n", "no valid rows"),
])
def test_bad_files_get_a_clear_message(content: str | bytes, message: str,
                                       service: ImportService, store: Store,
                                       tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", content)
    with pytest.raises((CsvImportError, ImportRefused), match=message):
        service.import_file(SUPERVISOR, path, options=preset("dc", now=NOW))
    assert counts(store) == (0, 0, 0)
    [entry] = import_entries(store)
    assert entry.outcome == "failed" and message in entry.details["refused"]


def test_latin1_file_imports_with_a_note(service: ImportService, store: Store,
                                         tmp_path: Path) -> None:
    text = CHICAGO.replace("GRAND BOULEVARD", "GRAND BOULEVARD \xe9")
    path = write(tmp_path, "latin1.csv", text.encode("latin-1"))
    res = service.import_file(SUPERVISOR, path, options=preset("chicago", now=NOW))
    assert res.imported == 3
    assert any("Latin-1" in n for n in res.report.notes)


def test_batches_are_listed(service: ImportService, tmp_path: Path) -> None:
    service.import_file(SUPERVISOR, write(tmp_path, "dc.csv", DC),
                        options=preset("dc", now=NOW))
    [batch] = service.batches()
    assert (batch.file_name, batch.format, batch.namespace) == ("dc.csv", "washington_dc", "dc")
    assert (batch.rows_total, batch.rows_imported, batch.rows_rejected) == (7, 3, 4)
    assert batch.rejections["bad_date"] == 1 and batch.username == "sam"
    assert batch.first_time == _utc(2023, 6, 1, 4, 0, 30)


def test_imported_times_compare_like_feed_times_in_sql(service: ImportService, store: Store,
                                                       tmp_path: Path) -> None:
    """The bulk path stores times exactly as the ORM does (range queries, ordering)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from console.domain.alert import parse_alert
    from console.store.models import Incident
    feed = parse_alert({"seq": 1, "id": "F-1", "revision": 1, "review": "machine",
                        "type": "single_gunshot", "time": "2023-06-01T04:00:30.5Z",
                        "location": {"lat": 38.9, "lon": -77.0, "uncertainty_m": 10}})
    store.ingest([feed], "http://feed", 1)
    service.import_file(SUPERVISOR, write(tmp_path, "dc.csv", DC),
                        options=preset("dc", now=NOW))
    with Session(store.engine) as s:
        ids = s.scalars(select(Incident.id).where(Incident.time >= _utc(2023, 6, 1, 4, 0, 30))
                        .order_by(Incident.time)).all()
        assert ids == ["imp:dc:1007", "F-1", "imp:dc:1002", "imp:dc:1001"]
        assert s.get(Incident, "imp:dc:1007").time == _utc(2023, 6, 1, 4, 0, 30)


def test_imported_incidents_are_found_by_the_history_search(service: ImportService,
                                                            store: Store,
                                                            tmp_path: Path) -> None:
    from console.services.history import HistoryQuery, search
    service.import_file(SUPERVISOR, write(tmp_path, "chicago.csv", CHICAGO),
                        options=preset("chicago", now=NOW))
    found = search(store, HistoryQuery(text="state st rear"))
    assert [r.id for r in found.rows] == ["imp:chicago:SST-9001"]
    row = found.rows[0]
    assert (row.source, row.review, row.district, row.beat) == ("import", "reviewed", "1", "111")
    by_area = search(store, HistoryQuery(districts=("7",), start=_utc(2024, 1, 1)))
    assert [r.id for r in by_area.rows] == ["imp:chicago:SST-9002"]


def test_payload_is_the_protocol_alert_plus_the_published_row(service: ImportService,
                                                              store: Store,
                                                              tmp_path: Path) -> None:
    from sqlalchemy.orm import Session

    from console.domain.alert import alert_to_json, parse_alert
    from console.store.models import Incident
    res = service.import_file(SUPERVISOR, write(tmp_path, "chicago.csv", CHICAGO),
                              options=preset("chicago", now=NOW))
    with Session(store.engine) as s:
        payload = dict(s.get(Incident, "imp:chicago:SST-9001").payload)  # type: ignore[union-attr]
    published = payload.pop("import")
    assert alert_to_json(parse_alert(payload)) == payload
    assert published == {"batch": res.batch_id, "line": 2, "id": "SST-9001",
                         "type": "MULTIPLE GUNSHOTS", "zip_code": "60601", "ward": "42",
                         "community_area": "LOOP", "rounds": 4}
