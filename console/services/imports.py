"""Importing published open-data alert tables (CSV) into the store's incidents.

:meth:`ImportService.import_file` checks the permission (audited when denied), reads and
validates the whole file first (no database lock held), then writes every kept row in
ONE transaction together with an ``import_batches`` row and the audit entry. A bad-row
policy refusal, a cancel or a crash at any point leaves the database as it was.

Decisions:

- Incident ids are ``imp:<namespace>:<id>``: the namespace is the city (``dc``,
  ``chicago``, ``st_louis``, or one given) or, for a file of no known city, ``f`` plus the
  start of the file's SHA-256. The id is the file's own id when it has a plain one, else
  ``h:<hash>`` of (time, type, position): the same published alert gets the same id from
  any later download of the city's table.
- Re-importing the same file (same SHA-256) is refused, naming the earlier import. A
  different file (a city's newer, cumulative download) adds only the rows whose ids are
  not stored yet; the rows already stored are counted as ``existing`` and left unchanged,
  and an incident from the feed is never overwritten.
- Imported incidents are ``reviewed`` (published tables hold reviewed alerts), revision 1,
  acknowledged at import (history, not a new alert for a car) with a nominal 25 m
  uncertainty (the tables give none). The revision's payload is the protocol alert plus
  an ``import`` member holding the row as published (type text, source, zip, ward…).

Progress goes to ``progress(done, total, text)`` with total :data:`PROGRESS_TOTAL`: the
first half while reading, the second while writing. An exception raised by the callback
(the desk's Cancel) rolls the write back and is re-raised.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from console.domain._checks import format_time
from console.domain.alert import Review
from console.domain.audit import Outcome
from console.domain.permissions import Action, User
from console.importer import (
    CsvImportError,
    Import,
    ImportedAlert,
    ImportOptions,
    ImportReport,
    Preview,
    preset,
    preview,
    validate,
)
from console.services.audit import AuditLog
from console.store import import_store
from console.store.import_store import ImportBatchRecord
from console.store.store import Store

__all__ = ["ACTION", "IMPORTED_UNCERTAINTY_M", "PROGRESS_TOTAL", "ImportRefused",
           "ImportResult", "ImportService", "detect", "incident_id", "namespace_for",
           "options_for"]

ProgressFn = Callable[[int, int, str], None]
PathLike = str | os.PathLike[str]

ACTION = str(Action.IMPORT_DATA)
PROGRESS_TOTAL = 1000
IMPORTED_UNCERTAINTY_M = 25.0
WRITE_BATCH = 2000
_FORMAT_NAMESPACE = {"washington_dc": "dc", "chicago": "chicago", "st_louis": "st_louis"}
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
_SAFE_NS = re.compile(r"[a-z0-9][a-z0-9_]{0,15}")
REVIEWED = str(Review.REVIEWED)


class ImportRefused(Exception):  # noqa: N818 - the user-facing outcome, not a fault
    """The file is not imported (nothing was written); the message says why."""

    def __init__(self, message: str, report: ImportReport | None = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class ImportResult:
    """What one import wrote: counts of rows read, imported, rejected and already stored."""

    batch_id: int
    file: str
    sha256: str
    format: str
    namespace: str
    policy: str
    rows: int
    imported: int
    rejected: int
    existing: int
    report: ImportReport


def namespace_for(fmt: str, sha256: str, city: str | None = None) -> str:
    """The id namespace of a file: the city given, the city of its layout, or the file."""
    if city:
        ns = city.lower().replace(" ", "_").replace(".", "")
        if not _SAFE_NS.fullmatch(ns):
            raise CsvImportError(f"a city key is 1-16 letters, digits or _, not {city!r}")
        return ns
    return _FORMAT_NAMESPACE.get(fmt) or f"f{sha256[:12]}"


def incident_id(namespace: str, alert: ImportedAlert) -> str:
    """``imp:<namespace>:<file id>`` or ``imp:<namespace>:h:<hash of time/type/place>``."""
    sid = alert.source_id
    if sid and _SAFE_ID.fullmatch(sid):
        return f"imp:{namespace}:{sid}"
    key = sid or (f"{alert.occurred_at.isoformat()}|{alert.alert_type}|"
                  f"{alert.latitude:.6f}|{alert.longitude:.6f}")
    return f"imp:{namespace}:h:{hashlib.sha256(key.encode()).hexdigest()[:24]}"


def _clip(text: str | None, n: int) -> str | None:
    return None if text is None else text[:n]


def _published(a: ImportedAlert, batch_id: int) -> dict[str, Any]:
    row = {"batch": batch_id, "line": a.line, "id": a.source_id, "type": a.type_text,
           "source": a.source, "zip_code": a.zip_code, "ward": a.ward,
           "community_area": a.community_area, "rounds": a.rounds}
    return {k: v for k, v in row.items() if v is not None}


class _Rows:
    """Turns parsed alerts into insert-ready incident and revision rows.

    The payload is the protocol alert (as ``alert_to_json`` writes it: ``parse_alert``
    reads it back; a test holds the two together), built directly because this runs
    100,000 times per file."""

    def __init__(self, batch_id: int, file_name: str, now: datetime) -> None:
        self.batch_id, self.now = batch_id, now
        self.feed_url = f"import:{file_name}"[:2048]
        self.with_source = import_store.has_incident_column("source")

    def build(self, a: ImportedAlert, iid: str) -> tuple[dict[str, Any], dict[str, Any]]:
        rounds = a.rounds if a.rounds is not None and a.rounds <= 1000 else None
        address, district = _clip(a.address, 200), _clip(a.district, 64)
        beat = _clip(a.beat, 32)
        payload: dict[str, Any] = {
            "seq": 1, "id": iid, "revision": 1, "review": REVIEWED, "type": a.alert_type,
            "time": format_time(a.occurred_at),
            "location": {"lat": a.latitude, "lon": a.longitude,
                         "uncertainty_m": IMPORTED_UNCERTAINTY_M}}
        for key, value in (("address", address), ("district", district), ("beat", beat),
                           ("rounds", rounds)):
            if value is not None:
                payload[key] = value
        payload.update(shots=[], audio=[], supplements=[], events=[])
        payload["import"] = _published(a, self.batch_id)
        incident = dict(
            id=iid, revision=1, seq=1, review=REVIEWED, type=a.alert_type,
            time=a.occurred_at, lat=a.latitude, lon=a.longitude,
            uncertainty_m=IMPORTED_UNCERTAINTY_M, address=address, district=district,
            beat=beat, rounds=rounds, shooters=None, mobile=None, payload=payload,
            received_at=self.now, acknowledged_at=self.now)
        if self.with_source:
            incident["source"] = "import"
        revision = dict(incident_id=iid, revision=1, seq=1, feed_url=self.feed_url,
                        payload=payload, received_at=self.now)
        return incident, revision


def options_for(city: str | None, timezone: str = "UTC",
                mapping: dict[str, str] | None = None) -> ImportOptions:
    """Reading options for a city preset (``dc``, ``chicago``, ``st_louis``) or, without
    one, local times in ``timezone``; ``mapping`` overrides the header detection."""
    if city:
        return preset(city, mapping=dict(mapping or {}))
    return ImportOptions(timezone=timezone, mapping=dict(mapping or {}))


def detect(path: PathLike, city: str | None = None, timezone: str = "UTC",
           mapping: dict[str, str] | None = None, n: int = 20) -> tuple[Preview, str | None]:
    """The preview of ``path`` and the city it is read as: ``city`` when given, else the
    city preset its coordinates point to (None: no known city, times in ``timezone``)."""
    first = preview(path, n, options_for(city, timezone, mapping))
    if city or not first.suggested_preset:
        return first, city or None
    found = first.suggested_preset
    return preview(path, n, options_for(found, timezone, mapping)), found


class ImportService:
    """Preview, validate and import open-data alert files into ``store``."""

    def __init__(self, store: Store, audit: AuditLog | None = None) -> None:
        self.store = store
        self.audit = audit or AuditLog(store)

    # -- reading only (no database) ---------------------------------------------------
    @staticmethod
    def preview(path: PathLike, options: ImportOptions | None = None, n: int = 20) -> Preview:
        return preview(path, n, options)

    @staticmethod
    def validate(path: PathLike, options: ImportOptions | None = None,
                 progress: ProgressFn | None = None) -> ImportReport:
        """The full row-level report; ``progress`` sees bytes read of the file's size."""
        def by_bytes(rows: int, done: int, total: int) -> None:
            if progress is not None:
                progress(done, max(total, 1), f"Checked {rows:,} rows")
        return validate(path, options, by_bytes)

    # -- history ------------------------------------------------------------------------
    def batches(self, limit: int = 100) -> list[ImportBatchRecord]:
        return import_store.batches(self.store, limit)

    # -- the import -----------------------------------------------------------------------
    def import_file(self, user: User | None, path: PathLike, *,
                    options: ImportOptions | None = None, policy: str = "reject_rows",
                    city: str | None = None, progress: ProgressFn | None = None,
                    now: datetime | None = None) -> ImportResult:
        """Import ``path`` under ``policy`` (``reject_rows`` keeps the valid rows,
        ``refuse_file`` imports nothing when a row has an error).

        Raises PermissionDenied, ImportRefused (nothing written, audited) or
        CsvImportError (unreadable file, audited); anything raised by ``progress``
        propagates after the write was rolled back (audited as failed)."""
        name = Path(path).name
        self.audit.authorize(user, Action.IMPORT_DATA, object_type="import_file",
                             object_id=name[:128])
        assert user is not None
        if policy not in ("reject_rows", "refuse_file"):
            raise ValueError(f"policy must be reject_rows or refuse_file, not {policy!r}")
        report_fn = progress or (lambda d, t, s: None)
        details: dict[str, Any] = {"file": name, "policy": policy}
        try:
            imp = Import(path, options)
        except CsvImportError as exc:
            self._refused(user, name, details, str(exc))
            raise
        details["sha256"] = imp.facts.sha256
        try:
            earlier = import_store.find_batch(self.store, imp.facts.sha256)
            if earlier is not None:
                imp.close()
                self._refuse(user, name, details, _already(earlier), None)
            alerts = self._read(imp, report_fn)
        except (ImportRefused, CsvImportError) as exc:
            if isinstance(exc, CsvImportError):
                self._refused(user, name, details, str(exc))
            raise
        except BaseException as exc:
            self._failed(user, name, details, exc)
            raise
        finally:
            imp.close()
        report = imp.report
        details.update(format=report.format, rows=report.rows, rejected=report.rejected)
        if policy == "refuse_file" and report.rejected:
            reasons = ", ".join(f"{c} ×{t.count}" for c, t in sorted(report.rejections.items()))
            self._refuse(user, name, details, f"{report.rejected} of {report.rows} rows have "
                         f"errors ({reasons}); the policy refuses the whole file", report)
        if not alerts:
            self._refuse(user, name, details, "no valid rows in the file", report)
        ns = namespace_for(report.format, report.sha256, city)
        try:
            return self._write(user, imp, alerts, ns, policy, report_fn,
                               now or datetime.now(UTC), details)
        except ImportRefused:
            raise
        except BaseException as exc:
            self._failed(user, name, details, exc)
            raise

    @staticmethod
    def _read(imp: Import, progress: ProgressFn) -> list[ImportedAlert]:
        half = PROGRESS_TOTAL // 2
        kept: list[ImportedAlert] = []
        for batch in imp.batches(WRITE_BATCH):
            kept.extend(r.alert for r in batch.results if r.ok and r.alert is not None)
            share = batch.bytes_done / max(batch.bytes_total, 1)
            progress(int(half * share), PROGRESS_TOTAL, f"Read {batch.rows_done:,} rows")
        return kept

    def _write(self, user: User, imp: Import, alerts: Sequence[ImportedAlert], ns: str,
               policy: str, progress: ProgressFn, now: datetime,
               details: dict[str, Any]) -> ImportResult:
        report = imp.report
        half = PROGRESS_TOTAL // 2
        imported = existing = 0
        seen: set[str] = set()
        try:
            with import_store.write_tx(self.store) as s, import_store.bulk_cache(s):
                earlier = import_store.find_batch(s, report.sha256)
                if earlier is not None:  # imported by someone else meanwhile
                    raise ImportRefused(_already(earlier), report)
                batch_id = import_store.add_batch(
                    s, file_name=report.file[:255], sha256=report.sha256, size=report.size,
                    format=report.format, namespace=ns, policy=policy,
                    rows_total=report.rows, rows_imported=0,
                    rows_rejected=report.rejected, rows_existing=0,
                    first_time=report.first, last_time=report.last,
                    rejections={c: t.count for c, t in report.rejections.items()},
                    username=user.name, imported_at=now)
                builder = _Rows(batch_id, report.file, now)
                for start in range(0, len(alerts), WRITE_BATCH):
                    chunk = alerts[start:start + WRITE_BATCH]
                    ids = [incident_id(ns, a) for a in chunk]
                    stored = import_store.existing_ids(s, ids)
                    incidents, revisions = [], []
                    for a, iid in zip(chunk, ids, strict=True):
                        if iid in stored or iid in seen:
                            existing += 1
                            continue
                        seen.add(iid)
                        inc, rev = builder.build(a, iid)
                        incidents.append(inc)
                        revisions.append(rev)
                    import_store.insert_incidents(s, incidents, revisions)
                    imported += len(incidents)
                    done = start + len(chunk)
                    progress(half + half * done // len(alerts), PROGRESS_TOTAL,
                             f"Stored {done:,} of {len(alerts):,} incidents")
                if imported == 0:
                    raise ImportRefused(f"all {existing:,} valid rows are already stored "
                                        "(imported earlier from another file)", report)
                import_store.finish_batch(s, batch_id, rows_imported=imported,
                                          rows_existing=existing)
                details.update(batch_id=batch_id, namespace=ns, imported=imported,
                               existing=existing)
                self.audit.record(user.name, ACTION, Outcome.OK, object_type="import_batch",
                                  object_id=str(batch_id), details=details, session=s)
        except ImportRefused as exc:
            details.update(imported=0, existing=existing)
            self._refuse(user, report.file, details, str(exc), report)
        except IntegrityError:
            if import_store.find_batch(self.store, report.sha256) is not None:
                self._refuse(user, report.file, details, "this file was imported meanwhile "
                             "by another user", report)
            raise
        progress(PROGRESS_TOTAL, PROGRESS_TOTAL, f"Imported {imported:,} incidents")
        return ImportResult(batch_id, report.file, report.sha256, report.format, ns, policy,
                            report.rows, imported, report.rejected, existing, report)

    # -- audit of what did not happen -------------------------------------------------------
    def _refuse(self, user: User, name: str, details: dict[str, Any], reason: str,
                report: ImportReport | None) -> None:
        self._refused(user, name, details, reason)
        raise ImportRefused(reason, report)

    def _refused(self, user: User, name: str, details: dict[str, Any], reason: str) -> None:
        self.audit.record(user.name, ACTION, Outcome.FAILED, object_type="import_file",
                          object_id=name[:128], details={**details, "refused": reason[:500]})

    def _failed(self, user: User, name: str, details: dict[str, Any],
                exc: BaseException) -> None:
        error = f"{type(exc).__name__}: {exc}"[:500]
        # when the store itself failed, the original error matters more than this entry
        with contextlib.suppress(Exception):
            self.audit.record(user.name, ACTION, Outcome.FAILED, object_type="import_file",
                              object_id=name[:128],
                              details={**details, "error": error, "written": 0})


def _already(earlier: ImportBatchRecord) -> str:
    return (f"this file was already imported on {earlier.imported_at:%Y-%m-%d %H:%M} UTC by "
            f"{earlier.username} as {earlier.file_name!r} ({earlier.rows_imported:,} "
            "incidents); importing it again is refused")
