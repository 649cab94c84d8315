"""Release of incident reports and audio to outside parties: the rules, without storage.

The department's order: a report or audio leaves only with a captain's authorization.
An officer or investigator asks (recipient, purpose); a captain approves or refuses
with a note, never on a request of their own; only an APPROVED request produces the
outside copy, watermarked with the request id.

Policy on copies: ONE outside copy per approval. Producing moves the request to
``produced``; another copy for the same party needs a new request and a new approval,
so every copy that left the building has its own decision on record.

Contents: :class:`ReleaseKind`, :class:`ReleaseStatus`, :class:`ReleaseDenied`,
:func:`new_request_id`, :func:`check_request_text`, :func:`decision_refusal`,
:func:`production_refusal`, :func:`outside_file_name`.
"""

from __future__ import annotations

import re
import uuid
from enum import StrEnum

from console.domain.permissions import Action, User, allowed

__all__ = [
    "MAX_PURPOSE", "MAX_RECIPIENT", "ReleaseDenied", "ReleaseKind", "ReleaseStatus",
    "check_request_text", "decision_refusal", "new_request_id", "outside_file_name",
    "production_refusal",
]

MAX_RECIPIENT = 200
MAX_PURPOSE = 2000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class ReleaseKind(StrEnum):
    REPORT = "report"
    AUDIO = "audio"


class ReleaseStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    PRODUCED = "produced"


class ReleaseDenied(Exception):  # noqa: N818 - a refusal the user reads, not a fault
    """A release step the rules refuse; the message says why in one sentence."""


def new_request_id() -> str:
    """A fresh request id such as ``REL-3F9A2C71B0``: the watermark on outside copies."""
    return "REL-" + uuid.uuid4().hex[:10].upper()


def check_request_text(recipient: str, purpose: str) -> tuple[str, str]:
    """``recipient`` and ``purpose`` stripped; ValueError naming what is wrong."""
    recipient, purpose = (recipient or "").strip(), (purpose or "").strip()
    if not recipient:
        raise ValueError("name the outside party the copy is for (recipient)")
    if not purpose:
        raise ValueError("say why the copy is released (purpose)")
    if len(recipient) > MAX_RECIPIENT:
        raise ValueError(f"recipient is {len(recipient)} characters; at most {MAX_RECIPIENT}")
    if len(purpose) > MAX_PURPOSE:
        raise ValueError(f"purpose is {len(purpose)} characters; at most {MAX_PURPOSE}")
    return recipient, purpose


def decision_refusal(status: str, requested_by: str, decider: User) -> str | None:
    """Why ``decider`` may not decide a request (None: they may)."""
    if not allowed(decider, Action.APPROVE_RELEASE):
        return f"{decider.name} ({decider.role}) may not approve or refuse releases"
    if decider.name == requested_by:
        return "a requester cannot decide their own release request"
    if status != ReleaseStatus.PENDING:
        return f"the request is already {status}"
    return None


def production_refusal(status: str, requested_by: str, user: User) -> str | None:
    """Why ``user`` may not produce the outside copy (None: they may).

    The requester or a captain produces the copy, and only from an approved request.
    """
    if user.name != requested_by and not allowed(user, Action.APPROVE_RELEASE):
        return f"only the requester or a captain may produce the outside copy, not {user.name}"
    if status == ReleaseStatus.PENDING:
        return "the request is not approved yet"
    if status == ReleaseStatus.REFUSED:
        return "the request was refused"
    if status == ReleaseStatus.PRODUCED:
        return "the outside copy was already produced (one copy per approval)"
    if status != ReleaseStatus.APPROVED:
        return f"the request is {status}"
    return None


def outside_file_name(incident_id: str, request_id: str, kind: str, clip: int | None = None,
                      suffix: str = ".pdf") -> str:
    """File name of an outside copy; it always carries the request id."""
    safe = _UNSAFE.sub("_", incident_id).strip("_") or "incident"
    part = f"audio{clip}" if clip is not None else str(kind)
    return f"{safe}-{part}-{request_id}{suffix}"
