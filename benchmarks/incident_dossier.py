"""The incident page's read at city scale: one dossier out of 350,000 incidents and a long
audit log, on SQLite.

Builds the database once (``desk_data.generate`` for the incidents and their unit events,
then ``--audit`` chained audit entries about random incidents, written in bulk) or reuses
the file given by --db. Prints: ``load_dossier`` (one read transaction: revisions,
timeline, response times, canvass, verifications, audio, audit trail) median / p90 / max
over random incidents; ``open_dossier`` (permission check + audited view + load); and with
--page the desk's IncidentPage from construction to "ready" (the read runs off the GUI
thread), median / max. Target: the page ready within 0.5 s. Prints, never fails.

    .venv/bin/python benchmarks/incident_dossier.py [--db PATH] [--n 350000]
        [--audit 300000] [--loads 200] [--page 20]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from benchmarks.desk_data import generate  # noqa: E402
from console.domain.audit import GENESIS, AuditEntry, canonical_json, entry_hash  # noqa: E402
from console.domain.permissions import Role, User  # noqa: E402
from console.services.audit import AuditLog  # noqa: E402
from console.services.dossier import load_dossier, open_dossier  # noqa: E402
from console.store import Store  # noqa: E402
from console.store.models import AuditLogRow, Incident  # noqa: E402

_ACTIONS = ("view_incident", "view_incident", "view_incident", "export_report",
            "search_history", "sign_in")


def _audit(store: Store, ids: list[str], n: int, seed: int = 1) -> float:
    """Append ``n`` chained entries (mostly views of random incidents) in bulk; seconds."""
    rng = random.Random(seed)
    t0 = time.perf_counter()
    at = datetime(2019, 1, 1, tzinfo=UTC)
    step = timedelta(days=7 * 365.25) / max(1, n)
    with store._read() as s:
        last = s.execute(select(AuditLogRow.seq, AuditLogRow.hash)
                         .order_by(AuditLogRow.seq.desc()).limit(1)).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    batch: list[dict] = []
    for i in range(n):
        seq += 1
        action = rng.choice(_ACTIONS)
        obj = ("incident", rng.choice(ids)) if action in ("view_incident", "export_report") \
            else ("search", None) if action == "search_history" else ("account", "demo")
        details = {"role": rng.choice(tuple(str(r) for r in Role))}
        entry = AuditEntry(seq, at + step * i, f"user{rng.randrange(40)}", action, obj[0],
                           obj[1], "ok", details, prev)
        prev = entry_hash(entry)
        batch.append(dict(seq=seq, at=entry.at, username=entry.user, action=action,
                          object_type=obj[0], object_id=obj[1], outcome="ok",
                          details=canonical_json(details).decode(), prev_hash=entry.prev_hash,
                          hash=prev))
        if len(batch) >= 10_000 or i == n - 1:
            with store._tx() as s:
                s.execute(insert(AuditLogRow), batch)
            batch = []
    return time.perf_counter() - t0


def _open(path: Path, n: int, n_audit: int) -> Store:
    store = Store(f"sqlite+pysqlite:///{path}")
    with store._read() as s:
        have = s.scalar(select(func.count()).select_from(Incident)) or 0
        logged = s.scalar(select(func.count()).select_from(AuditLogRow)) or 0
    if have < n:
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        store = Store(f"sqlite+pysqlite:///{path}")
        t0 = time.perf_counter()
        generate(store, n, years=7, seed=0)
        print(f"generated {n:,} incidents in {time.perf_counter() - t0:.1f} s", flush=True)
        logged = 0
    if logged < n_audit:
        with store._read() as s:
            ids = list(s.scalars(select(Incident.id)))
        took = _audit(store, ids, n_audit - logged)
        print(f"appended {n_audit - logged:,} audit entries in {took:.1f} s", flush=True)
    return store


def _figures(label: str, seconds: list[float]) -> None:
    ms = sorted(1000 * s for s in seconds)
    p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    print(f"{label:<34} median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms   "
          f"max {ms[-1]:7.1f} ms   (n={len(ms)})")


def _page_times(store: Store, ids: list[str], runs: int) -> list[float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from console.ui.app_scheme import register_app_scheme

    register_app_scheme()
    from PySide6.QtWidgets import QApplication

    from console.services.accounts import AccountService, ensure_demo_accounts
    from console.services.sessions import UserSession
    from console.ui.desk.context import DeskContext
    from console.ui.desk.incident_page import IncidentPage

    app = QApplication.instance() or QApplication([])
    ensure_demo_accounts(store)
    accounts = AccountService(store)
    session = UserSession.sign_in(accounts, "demo-investigator", "demo-investigator-pass")
    ctx = DeskContext(store, session, accounts.audit, accounts)
    out = []
    for incident_id in ids[:runs]:
        t0 = time.perf_counter()
        page = IncidentPage(ctx, incident_id)
        page.show()
        while page.state == "loading":
            app.processEvents()
            time.sleep(0.001)
        out.append(time.perf_counter() - t0)
        page.shutdown()
        page.close()
        page.deleteLater()
        app.processEvents()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=Path("/tmp/mac_incident_dossier.sqlite3"))
    ap.add_argument("--n", type=int, default=350_000)
    ap.add_argument("--audit", type=int, default=300_000)
    ap.add_argument("--loads", type=int, default=200)
    ap.add_argument("--page", type=int, default=20, help="page opens to time (0: none)")
    args = ap.parse_args()
    store = _open(args.db, args.n, args.audit)
    with store._read() as s:
        ids = list(s.scalars(select(Incident.id)))
        n_audit = s.scalar(select(func.count()).select_from(AuditLogRow)) or 0
    print(f"store: {len(ids):,} incidents, {n_audit:,} audit entries "
          f"({args.db.stat().st_size / 1e6:.0f} MB); load average "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    rng = random.Random(7)
    sample = rng.sample(ids, min(args.loads, len(ids)))
    load_dossier(store, sample[0])  # warm the caches and imports once
    times, trail = [], []
    for incident_id in sample:
        t0 = time.perf_counter()
        d = load_dossier(store, incident_id)
        times.append(time.perf_counter() - t0)
        trail.append(len(d.audit))
    _figures("load_dossier", times)
    _figures("  of which the audit trail query", [_timed(_trail_only, store, i)
                                                  for i in sample[:50]])
    print(f"{'':<34} audit trail per incident: mean {statistics.mean(trail):.1f} entries")
    audit = AuditLog(store)
    user = User("bench-investigator", Role.INVESTIGATOR)
    _figures("open_dossier (check + audit + load)",
             [_timed(open_dossier, store, audit, user, i) for i in sample[:50]])
    if args.page:
        _figures("IncidentPage: new -> ready", _page_times(store, sample, args.page))
    store.close()


def _trail_only(store: Store, incident_id: str) -> None:
    # audit_log has no index on object_id yet: this is the part that scans the log
    from console.services.dossier import _audit_trail, _snapshot

    with _snapshot(store) as s:
        _audit_trail(s, incident_id)


def _timed(fn, *args) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
