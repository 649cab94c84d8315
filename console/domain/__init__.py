"""Console domain rules: alert schema, unit events and dispatch wording (no Qt)."""

from __future__ import annotations

from console.domain._checks import AlertValidationError
from console.domain.alert import (
    Alert,
    AlertType,
    AudioRef,
    Location,
    Mobile,
    Review,
    Shot,
    Supplement,
    SupplementKind,
    alert_to_json,
    parse_alert,
)
from console.domain.dispatch import DispatchSummary, dispatch_summary
from console.domain.events import (
    EventKind,
    IncidentStatus,
    UnitEvent,
    event_to_json,
    new_event,
    parse_event,
)

__all__ = [
    "Alert", "AlertType", "AlertValidationError", "AudioRef", "DispatchSummary", "EventKind",
    "IncidentStatus", "Location", "Mobile", "Review", "Shot", "Supplement", "SupplementKind",
    "UnitEvent", "alert_to_json", "dispatch_summary", "event_to_json", "new_event",
    "parse_alert", "parse_event",
]
