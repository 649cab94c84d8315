"""Release workflow on SQLite and PostgreSQL: request -> captain decides -> outside copy.

Every step and every refusal (wrong role, own request, not approved, refused, produced
twice, locked session) must be in the audit log with the right outcome.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pypdf
import pytest
import soundfile as sf

from console.domain.audit import Outcome
from console.domain.permissions import PermissionDenied, Role, User
from console.domain.releases import ReleaseDenied, ReleaseStatus
from console.services.accounts import AccountService
from console.services.audit import AuditLog
from console.services.releases import ReleaseService
from console.services.sessions import SessionLocked, UserSession
from console.store import audit_store
from console.store.store import Store
from tests.accounts.clock import Clock
from tests.records.scenario import add_incident

OFFICER = User("olli", Role.OFFICER)
INVESTIGATOR = User("iida", Role.INVESTIGATOR)
CAPTAIN = User("kaisa", Role.CAPTAIN)
CAPTAIN2 = User("kalle", Role.CAPTAIN)
SUPERVISOR = User("sanna", Role.SUPERVISOR)
ADMIN = User("root", Role.ADMINISTRATOR)


@pytest.fixture
def svc(store: Store) -> ReleaseService:
    add_incident(store)
    return ReleaseService(store, AuditLog(store))


def _audit(store: Store, action: str) -> list:
    return [e for e in audit_store.entries(store) if e.action == action]


def _text(path: Path) -> list[str]:
    reader = pypdf.PdfReader(str(path))
    return [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split())
            for p in reader.pages]


def test_request_approve_produce_report_watermarked_on_every_page(
        svc: ReleaseService, store: Store, tmp_path: Path, qapp: object) -> None:
    req = svc.request(INVESTIGATOR, "HEL-2026-0042", "report", "District Attorney",
                      "Case 2026-113 prosecution")
    assert req.status is ReleaseStatus.PENDING and req.id.startswith("REL-")
    assert [r.id for r in svc.pending(CAPTAIN)] == [req.id]
    assert svc.pending(INVESTIGATOR) == []  # not a captain: no queue
    decided = svc.approve(CAPTAIN, req.id, "DA request letter on file")
    assert decided.status is ReleaseStatus.APPROVED and decided.decided_by == "kaisa"

    paths = svc.produce(INVESTIGATOR, req.id, tmp_path / "out")
    assert [p.name for p in paths] == [f"HEL-2026-0042-report-{req.id}.pdf"]
    pages = _text(paths[0])
    assert len(pages) >= 2
    for page in pages:
        assert f"RELEASE COPY {req.id}" in page and f"RELEASED {req.id}" in page
    assert (f"by iida; released under {req.id} to District Attorney, approved by kaisa"
            in pages[0])
    assert svc.get(req.id).status is ReleaseStatus.PRODUCED
    assert len(svc.get(req.id).outputs) == 1

    for action in ("request_release", "approve_release", "produce_release"):
        entries = _audit(store, action)
        assert [e.outcome for e in entries] == ["ok"], action
        assert entries[0].object_id == req.id
    produced = _audit(store, "produce_release")[0]
    assert produced.details["files"] == [paths[0].name]
    assert AuditLog(store).verify().ok


def test_audio_release_carries_the_request_id_in_metadata_and_name(
        svc: ReleaseService, tmp_path: Path) -> None:
    req = svc.request(OFFICER, "HEL-2026-0042", "audio", "Insurance adjuster", "Claim 77")
    svc.approve(CAPTAIN, req.id)
    (path,) = svc.produce(CAPTAIN2, req.id, tmp_path)  # a captain may produce it too
    assert req.id in path.name and path.suffix == ".wav"
    with sf.SoundFile(path) as f:
        meta = f.copy_metadata()
        assert f.samplerate == 16000 and f.frames == 32000
    assert req.id in meta["title"] and req.id in meta["comment"]
    raw = path.read_bytes()
    assert req.id.encode() in raw[:200]  # LIST/INFO before the samples


def _denied(store: Store, action: str) -> list:
    return [e for e in _audit(store, action) if e.outcome == Outcome.DENIED]


def test_wrong_roles_are_refused_and_audited(svc: ReleaseService, store: Store) -> None:
    for user in (SUPERVISOR, CAPTAIN, ADMIN):
        with pytest.raises(PermissionDenied):
            svc.request(user, "HEL-2026-0042", "report", "Press", "story")
    assert [e.user for e in _denied(store, "request_release")] == ["sanna", "kaisa", "root"]

    req = svc.request(OFFICER, "HEL-2026-0042", "report", "Press", "story")
    for user in (OFFICER, INVESTIGATOR, SUPERVISOR, ADMIN):
        with pytest.raises(ReleaseDenied, match="may not approve"):
            svc.approve(user, req.id)
    denied = _denied(store, "approve_release")
    assert [e.user for e in denied] == ["olli", "iida", "sanna", "root"]
    assert all(e.object_id == req.id for e in denied)
    assert svc.get(req.id).status is ReleaseStatus.PENDING


def test_a_captain_cannot_decide_a_request_of_their_own(svc: ReleaseService,
                                                        store: Store) -> None:
    # a captain cannot request at all; an investigator promoted later keeps the name
    req = svc.request(User("kaisa", Role.INVESTIGATOR), "HEL-2026-0042", "report", "DA", "x")
    with pytest.raises(ReleaseDenied, match="own release request"):
        svc.approve(CAPTAIN, req.id)
    assert _denied(store, "approve_release")[0].details["reason"].startswith("a requester")
    assert svc.approve(CAPTAIN2, req.id).status is ReleaseStatus.APPROVED


def test_no_copy_before_approval_after_refusal_or_twice(svc: ReleaseService, store: Store,
                                                        tmp_path: Path) -> None:
    pending = svc.request(OFFICER, "HEL-2026-0042", "audio", "DA", "case")
    with pytest.raises(ReleaseDenied, match="not approved"):
        svc.produce(OFFICER, pending.id, tmp_path)
    refused = svc.request(OFFICER, "HEL-2026-0042", "audio", "Blog", "curiosity")
    with pytest.raises(ValueError, match="note"):
        svc.refuse(CAPTAIN, refused.id, "  ")
    svc.refuse(CAPTAIN, refused.id, "No legal basis")
    with pytest.raises(ReleaseDenied, match="refused"):
        svc.produce(OFFICER, refused.id, tmp_path)
    with pytest.raises(ReleaseDenied, match="already refused"):
        svc.approve(CAPTAIN2, refused.id)
    svc.approve(CAPTAIN, pending.id)
    with pytest.raises(ReleaseDenied, match="only the requester or a captain"):
        svc.produce(INVESTIGATOR, pending.id, tmp_path)
    svc.produce(OFFICER, pending.id, tmp_path)
    with pytest.raises(ReleaseDenied, match="already produced"):
        svc.produce(OFFICER, pending.id, tmp_path)
    reasons = [e.details["reason"] for e in _denied(store, "produce_release")]
    assert reasons == ["the request is not approved yet", "the request was refused",
                       "only the requester or a captain may produce the outside copy, not iida",
                       "the outside copy was already produced (one copy per approval)"]
    assert [e.outcome for e in _audit(store, "refuse_release")] == ["ok"]
    assert len(list(tmp_path.glob("*.wav"))) == 1
    assert AuditLog(store).verify().ok


def test_a_locked_session_is_refused_and_audited(svc: ReleaseService, store: Store) -> None:
    clock = Clock()
    accounts = AccountService(store, clock=clock)
    accounts.create_account(ADMIN, "olli", "patrol-horse-42", Role.OFFICER)
    session = UserSession.sign_in(accounts, "olli", "patrol-horse-42")
    req = svc.request(session, "HEL-2026-0042", "report", "DA", "case")
    assert req.requested_by == "olli"
    session.lock()
    with pytest.raises(SessionLocked):
        svc.request(session, "HEL-2026-0042", "report", "DA", "again")
    with pytest.raises(SessionLocked):
        svc.produce(session, req.id, "/nonexistent")
    assert [e.details["reason"] for e in _denied(store, "request_release")] == ["session locked"]
    assert [e.details["reason"] for e in _denied(store, "produce_release")] == ["session locked"]


def test_bad_input_is_refused_with_a_clear_message(svc: ReleaseService, store: Store) -> None:
    with pytest.raises(ValueError, match="recipient"):
        svc.request(OFFICER, "HEL-2026-0042", "report", " ", "why")
    with pytest.raises(ValueError, match="purpose"):
        svc.request(OFFICER, "HEL-2026-0042", "report", "DA", "")
    with pytest.raises(KeyError, match="NOPE"):
        svc.request(OFFICER, "NOPE", "report", "DA", "why")
    add_incident(store, "HEL-2026-0043", seq=10, audio=False, canvass=False)
    with pytest.raises(ReleaseDenied, match="no audio cached"):
        svc.request(OFFICER, "HEL-2026-0043", "audio", "DA", "why")
    assert svc.mine(OFFICER) == []


def test_a_copy_that_cannot_be_written_is_audited_as_failed_and_stays_approved(
        svc: ReleaseService, store: Store, tmp_path: Path) -> None:
    req = svc.request(OFFICER, "HEL-2026-0042", "audio", "DA", "case")
    svc.approve(CAPTAIN, req.id)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError):
        svc.produce(OFFICER, req.id, blocker / "out")
    assert [e.outcome for e in _audit(store, "produce_release")] == ["failed"]
    assert svc.get(req.id).status is ReleaseStatus.APPROVED  # the one copy is still due
    assert len(svc.produce(OFFICER, req.id, tmp_path / "out")) == 1
