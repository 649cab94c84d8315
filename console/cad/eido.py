"""An incident as a NENA EIDO (Emergency Incident Data Object) JSON document, version 1.0.

The document holds the incident, its location with the uncertainty circle (PIDF-LO with
a GML ``Circle``), one dispatch with an emergency resource per unit and each unit's
status history, media references to the audio clips, and notes (the reviewer's notes,
dispatch supplements, unit notes, related incidents). It never carries sensor data:
the alert holds none, shot solutions and verifications are left out.

``incident_eido`` returns the dict; ``write_eido`` writes it as UTF-8 JSON.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from console.domain._checks import format_time
from console.domain.alert import Alert
from console.domain.dispatch import dispatch_summary
from console.domain.events import EventKind, IncidentStatus, UnitEvent
from console.domain.workflow import fold_status

__all__ = ["incident_eido", "write_eido"]

# the unit's own states as EIDO primary unit status registry values
_UNIT_STATUS = {
    IncidentStatus.DISPATCHED: "Dispatched", IncidentStatus.ACKNOWLEDGED: "Dispatched",
    IncidentStatus.EN_ROUTE: "Enroute", IncidentStatus.ON_SCENE: "OnScene",
    IncidentStatus.CLEAR: "Available"}


class _Doc:
    """Builds components that share the agency reference and a stamp."""

    def __init__(self, agency: str, stamp: str) -> None:
        self.agency, self.stamp = agency, stamp

    def prologue(self, id_: str, *, agent: str | None = None, stamp: str | None = None,
                 **fields: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"$id": id_, "lastUpdateTimeStamp": stamp or self.stamp,
                               "updatedByAgencyReference": {"$ref": self.agency}}
        if agent is not None:
            out["updatedByAgentReference"] = {"$ref": agent}
        out.update({k: v for k, v in fields.items() if v is not None})
        return out

    def uid(self, kind: str, local: str) -> str:
        return f"urn:emergency:uid:{kind}:{local}:{self.agency}"


def _pidf_lo(alert: Alert, entity: str) -> str:
    """PIDF-LO with the located position and its uncertainty as a GML circle (metres)."""
    loc = alert.location
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
        'xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" '
        'xmlns:gml="http://www.opengis.net/gml" '
        'xmlns:gs="http://www.opengis.net/pidflo/1.0" '
        f'entity="{html.escape(entity, quote=True)}"><tuple id="incident"><status>'
        '<gp:geopriv><gp:location-info>'
        '<gs:Circle srsName="urn:ogc:def:crs:EPSG::4326">'
        f'<gml:pos>{loc.lat:.6f} {loc.lon:.6f}</gml:pos>'
        f'<gs:radius uom="urn:ogc:def:uom:EPSG::9001">{loc.uncertainty_m:.1f}</gs:radius>'
        '</gs:Circle></gp:location-info><gp:method>Acoustic</gp:method>'
        '</gp:geopriv></status>'
        f'<timestamp>{format_time(alert.time)}</timestamp></tuple></presence>')


def _notes(doc: _Doc, alert: Alert, events: Sequence[UnitEvent],
           related: Iterable[str]) -> list[dict[str, Any]]:
    notes = []
    if alert.notes:
        notes.append(doc.prologue(doc.uid("noteid", f"{alert.id}-review"),
                                  notesActionComments=html.escape(alert.notes)))
    for n, sup in enumerate(alert.supplements):
        text = f"{str(sup.kind).replace('_', ' ')}: {sup.text}"
        notes.append(doc.prologue(doc.uid("noteid", f"{alert.id}-supplement-{n}"),
                                  stamp=format_time(sup.at),
                                  notesActionComments=html.escape(text)))
    for e in events:
        if e.kind is EventKind.NOTE:
            agent = doc.uid("agentid", e.unit)
            notes.append(doc.prologue(doc.uid("noteid", e.event_id), agent=agent,
                                      stamp=format_time(e.at), agentReference={"$ref": agent},
                                      notesActionComments=html.escape(str(e.data["text"]))))
    for rid in related:
        notes.append(doc.prologue(doc.uid("noteid", f"{alert.id}-related-{rid}"),
                                  notesActionComments=html.escape(f"Related incident {rid}")))
    return notes


def _resources(doc: _Doc, events: Sequence[UnitEvent]
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Agents, emergency resources (status history) and dispositions, one per unit."""
    state = fold_status(events)
    agents, resources, dispositions = [], [], []
    for unit in sorted(state.units):
        agent = doc.uid("agentid", unit)
        entries = [x for x in state.entries if x.event.unit == unit]
        history = [f"{format_time(x.event.at)} {x.status}"
                   + (f" ({x.disposition})" if x.disposition else "")
                   + (" [undone]" if x.undone else "") + (" [undo]" if x.undoes else "")
                   for x in entries]
        current = state.units[unit]
        stamp = format_time(current.since)
        agents.append(doc.prologue(agent, stamp=stamp, agentRoleRegistryText=["Responder"],
                                   agencyReference={"$ref": doc.agency}))
        resources.append(doc.prologue(
            doc.uid("resourceid", unit), agent=agent, stamp=stamp,
            emergencyResourceTypeCommonRegistryText="Law Enforcement",
            emergencyResourceTypeInternalText="patrol car",
            emergencyResourceName=unit, resourceAttributeRegistryText=["Patrol"],
            primaryUnitStatusRegistryText=_UNIT_STATUS[current.status],
            secondaryUnitStatusRegistryText=[], unitStatusInternal=history,
            agentReference=[{"$ref": agent}]))
        if current.status is IncidentStatus.CLEAR and current.disposition:
            dispositions.append(doc.prologue(
                doc.uid("dispositionid", unit), agent=agent, stamp=stamp,
                dispositionCommonRegistryCode=current.disposition,
                dispositionPrimaryIndicator=not dispositions,
                dispositionDescriptionText=f"cleared by {unit}"))
    return agents, resources, dispositions


def incident_eido(alert: Alert, events: Iterable[UnitEvent] = (), *,
                  agency: str = "police.example", feed_url: str | None = None,
                  related: Iterable[str] = (), now: datetime | None = None) -> dict[str, Any]:
    """The EIDO document of ``alert`` with the units' ``events`` (status and notes).

    ``feed_url`` makes the audio references absolute; ``related`` are linked incident ids.
    """
    events = [e for e in events if e.incident_id == alert.id]
    doc = _Doc(agency, format_time(now or datetime.now(UTC)))
    summary = dispatch_summary(alert)
    incident_id, location_id = doc.uid("incidentid", alert.id), doc.uid("locationid", alert.id)
    agents, resources, dispositions = _resources(doc, events)
    notes = _notes(doc, alert, events, list(related))
    media = [doc.prologue(doc.uid("mediaid", f"{alert.id}-{n}"),
                          uri=urljoin(feed_url + "/", a.href.lstrip("/")) if feed_url else a.href,
                          contentType=a.mime, label=f"Gunshot audio clip {n + 1}")
             for n, a in enumerate(alert.audio)]
    cleared = bool(dispositions) and len(dispositions) == len(resources)
    out = doc.prologue(incident_id, eidoVersion="1.0",
                       issuingElementIdentification=f"mobile-alert-console.{agency}")
    out["incidentComponent"] = doc.prologue(
        incident_id, stamp=format_time(alert.time),
        incidentTypeCommonRegistryText="Law-Shots Fired",
        incidentTypeInternalCode=summary.type_code, incidentTypeInternalText=summary.type_text,
        incidentStatusCommonRegistryText=["Closed" if cleared else "Active"],
        incidentStatusInternalText=[str(alert.review)], internalIncidentId=alert.id,
        incidentPriorityInternalText=f"P{summary.priority}",
        beatOrDispatchGroupText=alert.beat, locationReference=[{"$ref": location_id}],
        agentReference=[{"$ref": a["$id"]} for a in agents] or None,
        dispositionComponent=dispositions or None,
        notesReference=[{"$ref": n["$id"]} for n in notes] or None,
        mediaReferences=[{"$ref": m["$id"]} for m in media] or None)
    out["locationComponent"] = [doc.prologue(
        location_id, stamp=format_time(alert.time),
        locationTypeDescriptionRegistryText="IncidentLocation",
        locationByValue=_pidf_lo(alert, location_id),
        locationDescriptionText=_place(alert))]
    out["agencyComponent"] = [doc.prologue(agency, agencyRoleDescriptionRegistryText=[
        "Dispatch", "Responding"], agencyType=["law"])]
    if resources:
        out["dispatchComponent"] = [doc.prologue(
            doc.uid("dispatchid", alert.id), agencyReference={"$ref": agency},
            emergencyResourceReference=[{"$ref": r["$id"]} for r in resources])]
        out["emergencyResourceComponent"] = resources
        out["agentComponent"] = agents
    for key, items in (("notesComponent", notes), ("mediaComponent", media)):
        if items:
            out[key] = items
    return out


def _place(alert: Alert) -> str:
    parts = [alert.address, alert.district and f"district {alert.district}",
             alert.beat and f"beat {alert.beat}",
             f"uncertainty {alert.location.uncertainty_m:.0f} m"]
    return ", ".join(p for p in parts if p)


def write_eido(path: str | Path, document: dict[str, Any]) -> Path:
    """Write ``document`` as indented UTF-8 JSON (via a temporary file, then renamed)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
