"""Whole files: the dirty DC, St. Louis and Chicago samples, policies, progress, encodings."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.importer import (
    BBox,
    CsvImportError,
    ImportOptions,
    iter_batches,
    plan,
    preset,
    preview,
    validate,
)
from console.importer import options as o
from tests.importer.conftest import NOW, write

DC_HEADER = "ID,Type,Date,Time,Source,Latitude,Longitude\n"


def test_dc_dirty_report(data: Path) -> None:
    rep = validate(data / "dc_dirty.csv", preset("dc", now=NOW))
    assert rep.format == "washington_dc" and rep.encoding == "utf-8-sig"
    assert (rep.rows, rep.accepted, rep.rejected) == (17, 4, 13)
    assert rep.mapping["type"] == "Type"  # the BOM is not part of the first header
    assert rep.by_type == {"single_gunshot": 1, "multiple_gunshots": 2,
                           "gunshot_or_firecracker": 1}
    lines = {code: t.lines for code, t in rep.rejections.items()}
    assert lines == {o.DST_NONEXISTENT: [5], o.DST_AMBIGUOUS: [6], o.BAD_DATE: [7, 12],
                     o.SWAPPED: [8], o.MISSING_COORDS: [9], o.UNKNOWN_TYPE: [10],
                     o.DUPLICATE_ID: [11], o.ZERO_COORDS: [13], o.BAD_COORDS: [14],
                     o.FUTURE_DATE: [15], o.TOO_OLD: [16], o.OUT_OF_RANGE: [18]}
    assert rep.warnings[o.OUTSIDE_AREA].lines == [17]
    assert rep.swapped == 1 and rep.duplicate_ids == 1
    sample = rep.rejections[o.UNKNOWN_TYPE].samples[0]
    assert sample.text == "1009,Helicopter,2019-05-08,03:00:00,WashingtonDC,38.8700,-76.9700"
    # 2019-01-01 00:05:03 in Washington is 05:05:03 UTC
    assert rep.first == datetime(2019, 1, 1, 5, 5, 3, tzinfo=UTC)
    assert "rejected unknown_type: 1 (lines 10)" in rep.summary()


def test_dc_policies(data: Path) -> None:
    opts = preset("dc", now=NOW, accept_swapped=True, dst_ambiguous="earlier",
                  outside_area="reject")
    p = plan(data / "dc_dirty.csv", opts)
    # 4 clean + the swapped + the ambiguous - the one outside the city
    assert p.ok and len(p.alerts) == 5 == p.report.accepted
    swapped = next(a for a in p.alerts if a.source_id == "1007")
    assert (swapped.latitude, swapped.longitude) == (38.8611, -76.9912)
    assert p.report.warnings[o.SWAPPED].count == 1 and p.report.swapped == 1
    assert o.OUTSIDE_AREA in p.report.rejections
    refused = plan(data / "dc_dirty.csv", opts, policy="refuse_file")
    assert not refused.ok and refused.alerts == () and "rows have errors" in (refused.refusal or "")


def test_st_louis(data: Path) -> None:
    p = plan(data / "stl_dirty.csv", preset("st_louis", now=NOW))
    assert p.report.format == "st_louis" and p.ok
    assert [a.alert_type for a in p.alerts] == ["gunshot_or_firecracker", "single_gunshot",
                                                "multiple_gunshots", "gunshot_or_firecracker"]
    # 12:05:00 AM local (CDT) -> 05:05 UTC
    assert p.alerts[1].occurred_at == datetime(2020, 7, 5, 5, 5, tzinfo=UTC)
    assert p.report.rejections[o.SWAPPED].lines == [8, 9]
    both = plan(data / "stl_dirty.csv", preset("st_louis", now=NOW, accept_swapped=True))
    assert both.report.rejections[o.DUPLICATE_ROW].lines == [9]  # same row twice, no ids


def test_chicago(data: Path) -> None:
    p = plan(data / "chicago_dirty.csv", preset("chicago", now=NOW))
    assert p.report.format == "chicago"
    a = {x.source_id: x for x in p.alerts}
    assert a["SST-1"].rounds == 5 and a["SST-1"].district == "1" and a["SST-1"].beat == "111"
    assert a["SST-2"].address == "012XX S MICHIGAN AVE\nUNIT REAR"  # quoted newline
    assert (a["SST-3"].latitude, a["SST-3"].longitude) == (41.7775, -87.6444)  # from location
    assert a["SST-4"].alert_type == "probable_gunfire" and a["SST-4"].rounds is None
    assert p.report.warnings[o.BAD_ROUNDS].lines == [6]
    assert p.report.rejections[o.UNKNOWN_TYPE].lines == [7]
    assert p.report.rejections[o.DST_AMBIGUOUS].lines == [8]


def test_preview(data: Path) -> None:
    pv = preview(data / "chicago_dirty.csv", n=3, options=preset("chicago", now=NOW))
    assert pv.format == "chicago" and len(pv.rows) == 3 and pv.delimiter == ","
    assert pv.mapping["date"] == "date" and all(r.ok for r in pv.rows)
    pv = preview(data / "dc_dirty.csv", n=50, options=preset("dc", now=NOW))
    assert len(pv.rows) == 17 and not pv.rows[4].ok


def test_batches_and_progress(tmp_path: Path) -> None:
    body = "".join(f"{i},Single_Gunshot,2020-01-01,00:{i % 60:02d}:00,X,38.9,-77.0\n"
                   for i in range(1050))
    path = write(tmp_path, "dc.csv", DC_HEADER + body)
    seen: list[tuple[int, int, int]] = []
    batches = list(iter_batches(path, ImportOptions(now=NOW), size=500,
                                progress=lambda r, b, t: seen.append((r, b, t))))
    assert [len(b.results) for b in batches] == [500, 500, 50]
    assert [r.number for b in batches for r in b.results] == list(range(1, 1051))
    assert seen[-1] == (1050, path.stat().st_size, path.stat().st_size)
    assert [s[0] for s in seen] == [500, 1000, 1050]
    assert all(a[1] <= b[1] for a, b in zip(seen, seen[1:], strict=False))


def test_semicolon_latin1_and_title_line(tmp_path: Path) -> None:
    text = ("Shots report 2019\n" "Type;Date;Latitude;Longitude;Block\n"
            "Single Gunshot;2019-05-01 10:00;38.6;-90.2;RUE CAFÉ\n")
    path = write(tmp_path, "x.csv", text.encode("latin-1"))
    rep = validate(path, ImportOptions(now=NOW))
    assert rep.delimiter == ";" and rep.encoding == "latin-1" and rep.accepted == 1
    assert any("Latin-1" in n for n in rep.notes) and any("above the header" in n for n in rep.notes)
    p = plan(path, ImportOptions(now=NOW))
    assert p.alerts[0].address == "RUE CAFÉ"


def test_tab_delimited_utf16(tmp_path: Path) -> None:
    text = "Type\tDate\tLatitude\tLongitude\r\nProbable Gunfire\t2019-05-01\t38.6\t-90.2\r\n"
    path = write(tmp_path, "x.tsv", text.encode("utf-16"))
    rep = validate(path, ImportOptions(now=NOW))
    assert rep.delimiter == "\t" and rep.accepted == 1


def test_swap_without_bbox_only_when_impossible(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "Type,Date,Latitude,Longitude\n"
                 "Single Gunshot,2019-05-01,-90.2,38.6\nSingle Gunshot,2019-05-01,-77.0,38.9\n")
    rep = validate(path, ImportOptions(now=NOW))
    assert rep.rejections[o.SWAPPED].lines == [2]
    boxed = validate(path, ImportOptions(now=NOW, bbox=BBox(38.79, -77.12, 39.0, -76.9)))
    assert boxed.rejections[o.SWAPPED].lines == [2, 3]


def test_short_and_long_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "Type,Date,Latitude,Longitude\n"
                 "Single Gunshot,2019-05-01,38.6\nSingle Gunshot,2019-05-01,38.6,-90.2,extra\n")
    rep = validate(path, ImportOptions(now=NOW))
    assert rep.rejections[o.WRONG_FIELD_COUNT].lines == [2]
    assert rep.warnings[o.WRONG_FIELD_COUNT].lines == [3] and rep.accepted == 1


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"\n\n\n", "no header"),
    (b"name,colour\nbob,red\n", "header not recognised"),
    (b"\x00\x01\x02\xff\xfe garbage", "header not recognised|unreadable"),
    (b"Type,Date,Latitude,Longitude\n\"" + b"x" * (2 << 20), "record starting at line 2"),
])
def test_unimportable_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = write(tmp_path, "bad.csv", content)
    with pytest.raises(CsvImportError, match=message):
        plan(path, ImportOptions(now=NOW))


def test_nul_in_a_cell_is_a_row_error(tmp_path: Path) -> None:
    path = write(tmp_path, "n.csv", b"Type,Date,Latitude,Longitude\nSingle Gunshot,2019\x00-01-01,1,2\n")
    assert validate(path, ImportOptions(now=NOW)).rejections[o.BAD_DATE].lines == [2]


def test_missing_file_and_bad_options(tmp_path: Path) -> None:
    with pytest.raises(CsvImportError, match="cannot read"):
        validate(tmp_path / "nope.csv")
    with pytest.raises(CsvImportError, match="not a file"):
        validate(tmp_path)
    path = write(tmp_path, "ok.csv", "Type,Date,Latitude,Longitude\n")
    with pytest.raises(CsvImportError, match="time zone"):
        validate(path, ImportOptions(timezone="Mars/Olympus"))
    with pytest.raises(CsvImportError, match="preset"):
        preset("atlantis")
    assert not plan(path, ImportOptions(now=NOW)).ok  # header only: nothing to import


def test_swap_recognised_from_the_files_own_area(tmp_path: Path) -> None:
    """No area configured: lat -77.0 / lon 38.9 is only 'swapped' because the rest is in DC."""
    good = "".join(f"{i},Single_Gunshot,2019-05-01,10:0{i}:00,DC,38.9{i},-77.0{i}\n"
                   for i in range(6))
    path = write(tmp_path, "dc.csv", DC_HEADER + good
                 + "9,Single_Gunshot,2019-05-01,11:00:00,DC,-77.01,38.91\n"
                 + "10,Single_Gunshot,2019-05-01,11:00:00,DC,39.29,-76.61\n")
    rep = validate(path, ImportOptions(now=NOW))
    assert rep.rejections[o.SWAPPED].lines == [8]
    assert o.OUTSIDE_AREA not in rep.warnings  # an inferred area flags nothing else
    assert any("swapped" in n for n in rep.notes)
    pv = preview(path, n=2)
    assert pv.suggested_preset == "dc"
    fixed = plan(path, ImportOptions(now=NOW, accept_swapped=True))
    assert next(a for a in fixed.alerts if a.source_id == "9").latitude == 38.91


def test_suggested_preset_for_the_samples(data: Path) -> None:
    assert preview(data / "chicago_dirty.csv").suggested_preset == "chicago"
    assert preview(data / "stl_dirty.csv").suggested_preset == "st_louis"


def test_mapping_override_on_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "Alerts exported 2020-01-02\n"
                 "Ref,Kind,When,North,East\n"
                 "A1,Multiple Gunshots,2019-05-01 10:00,38.9,-77.0\n")
    opts = ImportOptions(now=NOW, mapping={"id": "Ref", "type": "Kind", "date": "When",
                                           "latitude": "North", "longitude": "East"})
    p = plan(path, opts)
    assert p.ok and p.alerts[0].source_id == "A1" and p.report.format == "generic"
    with pytest.raises(CsvImportError, match="no column 'Wann'"):
        validate(path, opts.with_(mapping={"date": "Wann"}))
    with pytest.raises(CsvImportError, match="header not recognised"):
        validate(path, ImportOptions(now=NOW))


def test_explicit_delimiter(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "Type|Date|Latitude|Longitude\nSingle Gunshot|2019-05-01|38.9|-77\n")
    assert validate(path, ImportOptions(now=NOW)).delimiter == "|"
    assert validate(path, ImportOptions(now=NOW, delimiter="|")).accepted == 1
    with pytest.raises(CsvImportError, match="header not recognised"):
        validate(path, ImportOptions(now=NOW, delimiter=";"))
    with pytest.raises(CsvImportError, match="one character"):
        validate(path, ImportOptions(now=NOW, delimiter="||"))


def test_refuse_file_policy_on_a_clean_file(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", DC_HEADER + "1,Single_Gunshot,2019-05-01,10:00:00,DC,38.9,-77\n"
                 "2,Probable Gunfire,2019-05-01,10:01:00,DC,38.91,-77\n")
    p = plan(path, preset("dc", now=NOW), policy="refuse_file")
    assert p.ok and len(p.alerts) == 2 and p.refusal is None
    assert p.report.sha256 and p.report.size == path.stat().st_size
    with pytest.raises(CsvImportError, match="policy"):
        plan(path, policy="sometimes")  # type: ignore[arg-type]
