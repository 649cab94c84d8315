"""Any bytes or text: the importer returns a report or raises CsvImportError, nothing else."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.importer import CsvImportError, ImportOptions, plan, preset, preview

BUDGET = settings(max_examples=int(os.environ.get("MAC_FUZZ_EXAMPLES", "150")), deadline=None,
                  derandomize="MAC_FUZZ_EXAMPLES" not in os.environ,
                  suppress_health_check=[HealthCheck.too_slow])
HEADERS = ["ID,Type,Date,Time,Source,Latitude,Longitude", "Type,Date,Latitude,Longitude",
           "unique_id,date,block,district,beat,incident_type_description,rounds,location"]
CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["Single_Gunshot", "SHOTS FIRED", "1/1/2019 12:05:00 AM", "2019-11-03",
                     "01:30", "38.9", "-77.0", "0", "nan", "1e400", "POINT (-87.6 41.8)",
                     "(41.8, -87.6)", '"', "\r\n", "\x00", "\ufeff", "24:00", "99/99/9999"]))


def _run(content: bytes, opts: ImportOptions) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.csv"
        path.write_bytes(content)
        try:
            p = plan(path, opts)
            assert p.report.rows == p.report.accepted + p.report.rejected
            assert len(p.alerts) == (p.report.accepted if p.ok else 0)
            for a in p.alerts:
                assert -90 <= a.latitude <= 90 and -180 <= a.longitude <= 180
                assert a.occurred_at.utcoffset() is not None
            preview(path, 5, opts)
        except CsvImportError as exc:
            assert str(exc)


@BUDGET
@given(st.binary(max_size=600))
def test_any_bytes(content: bytes) -> None:
    _run(content, ImportOptions())


@BUDGET
@given(st.text(max_size=400))
def test_any_text(text: str) -> None:
    _run(text.encode("utf-8", "surrogatepass"), ImportOptions())


@BUDGET
@given(st.sampled_from(HEADERS), st.lists(st.lists(CELL, max_size=9), max_size=8),
       st.sampled_from([",", ";", "\t"]), st.booleans())
def test_known_header_random_rows(header: str, rows: list[list[str]], delim: str,
                                  swap: bool) -> None:
    lines = [header.replace(",", delim)] + [delim.join(r) for r in rows]
    opts = preset("dc", accept_swapped=swap, dst_ambiguous="later" if swap else "reject")
    _run("\n".join(lines).encode("utf-8", "surrogatepass"), opts)
