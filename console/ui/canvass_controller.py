"""``CanvassController``: the canvass of one incident, worked on a single background thread.

The state joins this car's visits and evidence with those of other units that the feed
relayed, so two cars canvassing one area do not knock on the same doors twice.

Every store call and map-pack query runs on one worker (never the GUI thread); each
operation ends by reading the whole canvass state back and emitting it through
:attr:`CanvassController.state_changed` (queued to the GUI thread). Views hold no data
of their own beyond the last state they were given.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from sqlalchemy.exc import StatementError

from console.domain.canvass import (
    DEFAULT_RADIUS_M,
    CanvassArea,
    CanvassVisit,
    EvidenceItem,
    EvidenceKind,
    HeardShots,
    Outcome,
    Progress,
    Witness,
    address_label,
    addresses_in_area,
    latest_outcomes,
)
from console.mappack import Address, MapPack
from console.store import canvass_store as cs

__all__ = ["CanvassController", "CanvassState", "FALLBACK_UNIT"]

log = logging.getLogger(__name__)
FALLBACK_UNIT = "car"  # until the shift's call sign is set


def _safe_reason(exc: BaseException) -> str:
    if isinstance(exc, StatementError):
        return f"store error: {type(exc.orig).__name__}: {exc.orig}".splitlines()[0]
    return f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True, slots=True)
class CanvassState:
    """Everything the canvass views show for one incident."""

    incident_id: str
    area: CanvassArea
    addresses: tuple[Address, ...]
    visits: tuple[CanvassVisit, ...]
    evidence: tuple[EvidenceItem, ...]
    unit: str
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    @property
    def progress(self) -> Progress:
        keys = {a.id for a in self.addresses}
        return Progress(len(keys & set(self.outcomes)), len(keys))

    def last_visit(self, key: str) -> CanvassVisit | None:
        mine = [v for v in self.visits if v.address_key == key]
        return mine[-1] if mine else None


class CanvassController(QObject):
    """Opens an incident's canvass, changes its area, records visits and evidence."""

    state_changed = Signal(object)  # CanvassState
    failed = Signal(str)

    def __init__(self, store: Any, pack_path: str | Path, parent: QObject | None = None, *,
                 wake: Callable[[], None] | None = None) -> None:
        """``wake`` is called (on the worker) after a record is queued, e.g. to wake the
        outbox sender at once instead of at its next periodic look."""
        super().__init__(parent)
        self.store = store
        self._wake = wake
        self._pack_path = Path(pack_path)
        self._pack: MapPack | None = None  # opened on the worker, used only there
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="canvass-db")
        self.incident_id: str | None = None

    # -- operations (all return at once; the result comes as state_changed) -------------
    def open(self, incident_id: str, lat: float, lon: float) -> None:
        """Show the incident's canvass; a first opening sets the default 150 m circle."""
        self.incident_id = incident_id
        self._submit(self._open, incident_id, lat, lon)

    def set_radius(self, radius_m: float) -> None:
        self._change_area(lambda a: CanvassArea.circle(
            a.incident_id, a.center_lat, a.center_lon, radius_m=radius_m))

    def set_polygon(self, points: Sequence[tuple[float, float]]) -> None:
        self._change_area(lambda a: CanvassArea.drawn(
            a.incident_id, a.center_lat, a.center_lon, points))

    def record(self, address: Address, outcome: Outcome, *, heard: HeardShots | None = None,
               note: str | None = None, witness: Witness | None = None) -> None:
        incident_id = self._current()

        def work() -> CanvassState:
            visit = CanvassVisit(incident_id, address.id, outcome, self._unit(), heard=heard,
                                 note=note or None, witness=witness or Witness())
            if cs.record_visit(self.store, visit, address_label(address)) and self._wake:
                self._wake()
            return self._state(incident_id)

        self._submit(work)

    def add_evidence(self, kind: EvidenceKind, lat: float, lon: float, *,
                     count: int | None = None, note: str | None = None) -> None:
        incident_id = self._current()

        def work() -> CanvassState:
            item = EvidenceItem(incident_id, kind, lat, lon, self._unit(), count=count,
                                note=note or None)
            if cs.record_evidence(self.store, item) and self._wake:
                self._wake()
            return self._state(incident_id)

        self._submit(work)

    def shutdown(self) -> None:
        self._db.shutdown(wait=True, cancel_futures=True)
        if self._pack is not None:
            self._pack.close()
            self._pack = None

    # -- worker side ----------------------------------------------------------------------
    def _current(self) -> str:
        if self.incident_id is None:
            raise RuntimeError("no canvass open")
        return self.incident_id

    def _change_area(self, make: Callable[[CanvassArea], CanvassArea]) -> None:
        incident_id = self._current()

        def work() -> CanvassState:
            old = cs.get_area(self.store, incident_id)
            if old is None:
                raise RuntimeError(f"canvass of {incident_id} was never opened")
            cs.set_area(self.store, make(old))
            return self._state(incident_id)

        self._submit(work)

    def _open(self, incident_id: str, lat: float, lon: float) -> CanvassState:
        if cs.get_area(self.store, incident_id) is None:
            cs.set_area(self.store, CanvassArea.circle(incident_id, lat, lon,
                                                       radius_m=DEFAULT_RADIUS_M))
        return self._state(incident_id)

    def _unit(self) -> str:
        identity = getattr(self.store, "unit_identity", lambda: None)()
        return identity.call_sign if identity is not None else FALLBACK_UNIT

    def _state(self, incident_id: str) -> CanvassState:
        if self._pack is None:
            self._pack = MapPack(self._pack_path)
        area = cs.get_area(self.store, incident_id)
        assert area is not None
        other_visits, other_items = cs.relayed(self.store, incident_id)
        visits = tuple(sorted([*cs.list_visits(self.store, incident_id), *other_visits],
                              key=lambda v: v.at))
        evidence = tuple(sorted([*cs.list_evidence(self.store, incident_id), *other_items],
                                key=lambda e: e.at))
        return CanvassState(
            incident_id, area, tuple(addresses_in_area(self._pack, area)), visits, evidence,
            self._unit(), latest_outcomes(visits))

    def _submit(self, fn: Callable[..., CanvassState], *args: Any) -> None:
        def finished(fut: Future) -> None:
            try:
                state = fut.result()
            except Exception as exc:
                # a database error's text lists the statement's parameters, which may hold
                # a witness's name: log and show the driver's own error only
                reason = _safe_reason(exc)
                log.error("canvass operation failed: %s", reason)
                self.failed.emit(reason)
                return
            self.state_changed.emit(state)

        with contextlib.suppress(RuntimeError):  # executor shut down while closing
            self._db.submit(fn, *args).add_done_callback(finished)
