"""Verification records: stored with the incident and read back, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.domain import parse_alert
from console.store import Store
from console.verify import VerificationRecord, export_json, run_verification
from tests.domain.factories import alert_dict


@pytest.fixture(scope="module")
def pgh_run(pittsburgh: Path):
    return run_verification(pittsburgh / "FP1" / "test_001")


def _record(run, incident_id: str | None, user: str = "inv1") -> VerificationRecord:
    return VerificationRecord(
        incident_id=incident_id, user=user, role="investigator",
        at=datetime(2026, 11, 26, 12, 0, 1, 250000, tzinfo=UTC), data_path=run.path,
        data_sha256=run.sha256, source=run.result.solution.source,
        verdict=None if run.result.verdict is None else str(run.result.verdict),
        result=export_json(run.result))


def test_round_trip_with_and_without_incident(store: Store, pgh_run) -> None:
    store.ingest([parse_alert(alert_dict("PGH-7", 1, seq=1))], "http://feed", 1)
    first = store.add_verification(_record(pgh_run, "PGH-7"))
    second = store.add_verification(_record(pgh_run, "PGH-7", user="inv2"))
    loose = store.add_verification(_record(pgh_run, None))
    assert len({first, second, loose}) == 3
    got = store.verifications("PGH-7")
    assert [(r.id, r.user) for r in got] == [(first, "inv1"), (second, "inv2")]
    rec = got[0]
    expected = _record(pgh_run, "PGH-7")
    assert (rec.incident_id, rec.role, rec.at, rec.data_path, rec.data_sha256, rec.source,
            rec.verdict) == (expected.incident_id, "investigator", expected.at,
                             expected.data_path, expected.data_sha256, "pulses", None)
    assert rec.result == expected.result
    assert [r.id for r in store.verifications(None)] == [loose]
    assert store.verifications("UNKNOWN") == []


def test_verification_needs_a_known_incident(store: Store, pgh_run) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        store.add_verification(_record(pgh_run, "NOT-THERE"))
    assert store.verifications("NOT-THERE") == []
