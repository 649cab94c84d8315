"""Retention purge: dry-run counts, exact deletion, tombstones, audit, holds, refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.permissions import PermissionDenied, Role, User
from console.services import retention
from console.services.audit import AuditLog, verify_store
from console.services.retention import RetentionError
from console.store import audit_store, retention_store
from console.store.models import IncidentLink
from console.store.store import Store
from tests.governance.seed import NOW, add_incident, link, years_ago

ADMIN = User("ada", Role.ADMINISTRATOR)
INVESTIGATOR = User("ivy", Role.INVESTIGATOR)
PER_INCIDENT = {"alert_revisions": 2, "audio_cache": 1, "unit_events": 1, "outbox": 1,
                "canvass_visits": 1, "evidence_items": 1, "verifications": 1,
                "canvass_areas": 1}


def _clock() -> datetime:
    return NOW


@pytest.fixture
def seeded(store: Store) -> Store:
    for i, age in enumerate([10, 8.5, 7.2]):
        add_incident(store, f"OLD-{i}", years_ago(age))
    add_incident(store, "NEW-0", years_ago(6.9))
    add_incident(store, "NEW-1", years_ago(0.1))
    link(store, "NEW-0", "OLD-1")  # a link pointing at a purged incident goes too
    link(store, "OLD-0", "NEW-1")
    return store


def _count(store: Store, table: str) -> int:
    t = retention_store.Base.metadata.tables[table]  # type: ignore[attr-defined]
    with Session(store.engine) as s:
        return s.scalar(select(func.count()).select_from(t)) or 0


def _all_counts(store: Store) -> dict[str, int]:
    names = ["incidents", *(t.name for t in retention_store.dependent_tables())]
    return {n: _count(store, n) for n in names}


def test_cutoff_is_seven_calendar_years() -> None:
    assert retention.cutoff_for(NOW) == datetime(2019, 11, 26, 12, 0, tzinfo=UTC)
    leap = datetime(2028, 2, 29, 9, 0, tzinfo=UTC)
    assert retention.cutoff_for(leap) == datetime(2021, 2, 28, 9, 0, tzinfo=UTC)
    with pytest.raises(RetentionError, match="at least 1 year"):
        retention.cutoff_for(NOW, 0)


def test_dry_run_counts_exactly_and_changes_nothing(seeded: Store) -> None:
    before = _all_counts(seeded)
    plan = retention.plan_purge(seeded, NOW)
    assert plan.incident_ids == ("OLD-0", "OLD-1", "OLD-2")
    expected = {k: 3 * v for k, v in PER_INCIDENT.items()}
    expected |= {"incidents": 3, "incident_links": 2}
    assert {k: v for k, v in plan.counts.items() if v} == expected
    assert plan.held == () and plan.confirmation == "PURGE 3 INCIDENTS"
    assert _all_counts(seeded) == before


def test_purge_removes_exactly_the_old_incidents_and_their_rows(seeded: Store) -> None:
    before = _all_counts(seeded)
    plan = retention.plan_purge(seeded, NOW)
    seen: list[tuple[int, int]] = []
    result = retention.purge(seeded, ADMIN, plan, "PURGE 3 INCIDENTS", batch=2, clock=_clock,
                             progress=lambda d, t, _text: seen.append((d, t)))
    assert result.purged == ("OLD-0", "OLD-1", "OLD-2") and result.skipped == ()
    assert result.batches == 2 and seen == [(0, 3), (2, 3), (3, 3)]
    after = _all_counts(seeded)
    assert {k: before[k] - after[k] for k in before if before[k] != after[k]} == {
        k: v for k, v in plan.counts.items() if v}
    assert {i.alert.id for i in seeded.list_incidents()} == {"NEW-0", "NEW-1"}
    assert len(seeded.revisions("NEW-0")) == 2 and seeded.revisions("OLD-0") == []
    with Session(seeded.engine) as s:
        assert s.scalar(select(func.count()).select_from(IncidentLink)) == 0
    # a tombstone per purged incident
    stones = {t.incident_id: t for t in retention_store.tombstones(seeded)}
    assert set(stones) == {"OLD-0", "OLD-1", "OLD-2"}
    stone = stones["OLD-1"]
    assert (stone.purged_by, stone.purged_at, stone.type) == ("ada", NOW, "multiple_gunshots")
    assert abs((stone.original_time - years_ago(8.5)).total_seconds()) < 0.001
    assert stone.reason == retention.DEFAULT_REASON and stone.removed == PER_INCIDENT
    # one audit entry per batch, naming the incidents; the chain still holds
    entries = [e for e in audit_store.entries(seeded) if e.action == "purge_records"]
    assert [e.details["incidents"] for e in entries] == [["OLD-0", "OLD-1"], ["OLD-2"]]
    assert all(e.user == "ada" and e.outcome == "ok" for e in entries)
    assert verify_store(seeded).ok
    # purging again finds nothing
    assert retention.plan_purge(seeded, NOW).incident_ids == ()


def test_legal_hold_blocks_the_purge_until_released(seeded: Store) -> None:
    hold = retention.place_hold(seeded, INVESTIGATOR, "OLD-1", "DA request 2026-17",
                                clock=_clock)
    plan = retention.plan_purge(seeded, NOW)
    assert plan.incident_ids == ("OLD-0", "OLD-2")
    assert [(h.incident_id, h.reasons) for h in plan.held] == [
        ("OLD-1", ("DA request 2026-17",))]
    assert plan.counts["alert_revisions"] == 4 and plan.counts["incident_links"] == 1
    # a hold placed after the preview is honoured too
    late = retention.place_hold(seeded, ADMIN, "OLD-2", "court order", clock=_clock)
    result = retention.purge(seeded, ADMIN, plan, plan.confirmation, clock=_clock)
    assert result.purged == ("OLD-0",) and result.skipped == ("OLD-2",)
    assert {i.alert.id for i in seeded.list_incidents()} >= {"OLD-1", "OLD-2"}
    assert seeded.get_incident("OLD-0") is None
    retention.release_hold(seeded, ADMIN, hold.id, "case closed", clock=_clock)
    retention.release_hold(seeded, ADMIN, late.id, "order lifted", clock=_clock)
    assert retention.list_holds(seeded) == []
    released = retention.list_holds(seeded, include_released=True)
    assert {(h.incident_id, h.released_by, h.release_reason) for h in released} == {
        ("OLD-1", "ada", "case closed"), ("OLD-2", "ada", "order lifted")}
    assert retention.plan_purge(seeded, NOW).incident_ids == ("OLD-1", "OLD-2")
    actions = [(e.action, e.object_id) for e in audit_store.entries(seeded)
               if "legal_hold" in e.action]
    assert actions == [("place_legal_hold", "OLD-1"), ("place_legal_hold", "OLD-2"),
                       ("release_legal_hold", "OLD-1"), ("release_legal_hold", "OLD-2")]


def test_hold_needs_a_reason_a_known_incident_and_the_right_role(seeded: Store) -> None:
    with pytest.raises(RetentionError, match="needs a reason"):
        retention.place_hold(seeded, ADMIN, "OLD-1", "  ")
    with pytest.raises(RetentionError, match="no incident 'NOPE'"):
        retention.place_hold(seeded, ADMIN, "NOPE", "why")
    with pytest.raises(PermissionDenied):
        retention.place_hold(seeded, User("otto", Role.OFFICER), "OLD-1", "why")
    denied = audit_store.head(seeded)
    assert denied is not None and (denied.user, denied.action, denied.outcome) == (
        "otto", "manage_legal_holds", "denied")
    assert retention.list_holds(seeded) == []


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
def test_non_administrator_is_refused_and_audited(seeded: Store, role: Role) -> None:
    plan = retention.plan_purge(seeded, NOW)
    before = _all_counts(seeded)
    with pytest.raises(PermissionDenied, match="may not purge records"):
        retention.purge(seeded, User("sam", role), plan, plan.confirmation)
    assert _all_counts(seeded) == before
    last = audit_store.head(seeded)
    assert last is not None and (last.user, last.action, last.outcome) == (
        "sam", "purge_records", "denied")


@pytest.mark.parametrize("typed", ["", "purge 3 incidents", "PURGE 2 INCIDENTS", "yes"])
def test_wrong_confirmation_is_refused_and_nothing_deleted(seeded: Store, typed: str) -> None:
    plan = retention.plan_purge(seeded, NOW)
    before = _all_counts(seeded)
    with pytest.raises(RetentionError, match="type 'PURGE 3 INCIDENTS' to purge"):
        retention.purge(seeded, ADMIN, plan, typed)
    assert _all_counts(seeded) == before and retention_store.tombstones(seeded) == []
    last = audit_store.head(seeded)
    assert last is not None and (last.action, last.outcome) == ("purge_records", "failed")


def test_audit_log_is_never_purged(seeded: Store) -> None:
    log = AuditLog(seeded, clock=lambda: years_ago(9))
    log.record("ann", "view_incident", "allowed", object_type="incident", object_id="OLD-0")
    n = audit_store.count(seeded)
    plan = retention.plan_purge(seeded, NOW)
    retention.purge(seeded, ADMIN, plan, plan.confirmation, clock=_clock)
    assert audit_store.count(seeded) == n + 1  # the purge's own entry added, none removed
    assert verify_store(seeded).ok


def test_an_incident_received_again_after_its_purge_can_be_purged_again(
        seeded: Store) -> None:
    plan = retention.plan_purge(seeded, NOW)
    retention.purge(seeded, ADMIN, plan, plan.confirmation, clock=_clock)
    add_incident(seeded, "OLD-1", years_ago(8.5), revisions=1, extras=0)  # a feed replay
    again = retention.plan_purge(seeded, NOW)
    assert again.incident_ids == ("OLD-1",)
    result = retention.purge(seeded, ADMIN, again, again.confirmation, clock=_clock)
    assert result.purged == ("OLD-1",)
    stones = [t for t in retention_store.tombstones(seeded) if t.incident_id == "OLD-1"]
    assert len(stones) == 1 and stones[0].removed == {"alert_revisions": 1, "canvass_areas": 1}
