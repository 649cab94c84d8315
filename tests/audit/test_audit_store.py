"""The stored audit log on SQLite and PostgreSQL: append-only triggers, chain, concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from console.domain.audit import GENESIS, Outcome
from console.services.audit import AuditLog, verify_store
from console.store import audit_store
from console.store.store import Store


def _fill(store: Store, n: int) -> AuditLog:
    log = AuditLog(store)
    for i in range(n):
        log.record(f"user{i}", "view_incident", Outcome.ALLOWED, object_type="incident",
                   object_id=f"INC-{i}", details={"i": i, "name": "Zoë", "at": datetime.now(UTC)})
    return log


def test_entries_chain_from_genesis_and_read_back_exactly(store: Store) -> None:
    _fill(store, 5)
    entries = list(audit_store.entries(store, batch=2))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert entries[2].details["name"] == "Zoë"
    report = verify_store(store)
    assert report.ok and report.entries == 5 and report.head == entries[-1].hash
    assert report.message() == f"audit log OK: 5 entries, head {entries[-1].hash[:12]}"


def test_empty_log_verifies(store: Store) -> None:
    assert verify_store(store).message() == "audit log OK: 0 entries, head -"


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET username = 'mallory' WHERE seq = 2",
    "UPDATE audit_log SET details = '{}'",
    "DELETE FROM audit_log WHERE seq = 3",
    "DELETE FROM audit_log",
])
def test_database_refuses_update_and_delete(store: Store, statement: str) -> None:
    _fill(store, 3)
    with pytest.raises(DBAPIError, match="audit log is append-only"), \
            store.engine.begin() as conn:
        conn.execute(text(statement))
    assert audit_store.count(store) == 3 and verify_store(store).ok


def test_postgresql_refuses_truncate(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    _fill(store, 2)
    with pytest.raises(DBAPIError, match="audit log is append-only"), \
            store.engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_log"))
    assert audit_store.count(store) == 2


def test_an_action_and_its_entry_commit_together(store: Store) -> None:
    _fill(store, 1)
    log = AuditLog(store)
    with pytest.raises(RuntimeError), audit_store.write_tx(store) as s:
        log.record("ann", "export_report", Outcome.OK, session=s)
        raise RuntimeError("the export failed")
    assert audit_store.count(store) == 1
    assert log.record("ann", "export_report", Outcome.FAILED).seq == 2


def test_two_threads_appending_never_share_a_prev_hash(store_url: str) -> None:
    stores = [Store(store_url), Store(store_url)]  # two engines: two independent writers
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def append(store: Store, who: str) -> None:
        try:
            log = AuditLog(store)
            start.wait()
            for i in range(200):
                log.record(who, "view_incident", Outcome.ALLOWED, object_id=str(i))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(s, f"writer{k}"))
               for k, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        entries = list(audit_store.entries(stores[0]))
        assert [e.seq for e in entries] == list(range(1, 401))
        assert len({e.prev_hash for e in entries}) == 400
        assert {e.user for e in entries} == {"writer0", "writer1"}
        report = verify_store(stores[0])
        assert report.ok and report.entries == 400
    finally:
        for s in stores:
            s.close()


def test_denied_permission_is_audited_before_raising(store: Store) -> None:
    from console.domain.permissions import Action, PermissionDenied, Role, User

    log = AuditLog(store)
    with pytest.raises(PermissionDenied):
        log.authorize(User("olly", Role.OFFICER), Action.APPROVE_RELEASE,
                      object_type="release", object_id="R-9")
    log.authorize(User("cap", Role.CAPTAIN), Action.APPROVE_RELEASE)  # allowed: not logged
    [entry] = list(audit_store.entries(store))
    assert (entry.user, entry.action, entry.outcome, entry.object_id, entry.details) == (
        "olly", "approve_release", "denied", "R-9", {"role": "officer"})
