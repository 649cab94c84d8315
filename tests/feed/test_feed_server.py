"""Reference feed server speaks protocol v1 as documented (raw HTTP, no client code)."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from console.feed import FeedServer
from tests.domain.factories import alert_dict
from tests.feed.conftest import TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _get(server: FeedServer, path: str, **params: object) -> requests.Response:
    return requests.get(server.url + path, params=params, headers=AUTH, timeout=10)


def test_health_needs_no_token(server: FeedServer) -> None:
    resp = requests.get(server.url + "/v1/health", timeout=5)
    assert resp.status_code == 200 and resp.json() == {"status": "ok", "protocol": 1}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"},
                                     {"Authorization": TOKEN}])
def test_missing_or_wrong_token_is_401(server: FeedServer, headers: dict[str, str]) -> None:
    resp = requests.get(server.url + "/v1/alerts", headers=headers, timeout=5)
    assert resp.status_code == 401
    assert resp.json()["error"] == "unauthorized"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_batches_respect_limit_and_last_seq(server: FeedServer) -> None:
    for i in range(5):
        server.publish(alert_dict(f"PGH-{i}"))
    body = _get(server, "/v1/alerts", after=1, limit=2).json()
    assert [a["seq"] for a in body["alerts"]] == [2, 3] and body["last_seq"] == 3
    assert body["epoch"] == server.epoch


def test_empty_answer_after_wait_reports_head(server: FeedServer) -> None:
    server.publish(alert_dict("PGH-1"))
    started = time.monotonic()
    body = _get(server, "/v1/alerts", after=1, wait=0.3).json()
    assert 0.25 < time.monotonic() - started < 3
    assert body["alerts"] == [] and body["last_seq"] == 1


@pytest.mark.parametrize("params", [{"after": -1}, {"after": "x"}, {"limit": 0},
                                    {"limit": 501}, {"wait": "nan"}])
def test_bad_parameters_are_400(server: FeedServer, params: dict[str, object]) -> None:
    resp = _get(server, "/v1/alerts", **params)
    assert resp.status_code == 400 and resp.json()["error"] == "bad_request"


def test_unknown_route_and_clip_are_404(server: FeedServer) -> None:
    assert _get(server, "/v1/nothing").status_code == 404
    assert _get(server, "/v1/alerts/PGH-1/audio/0").status_code == 404


def _event(incident: str = "PGH-1", text: str = "Casings found") -> dict[str, object]:
    return {"event_id": str(uuid.uuid4()), "incident_id": incident, "kind": "note",
            "at": "2024-05-01T02:30:00Z", "unit": "2A12", "data": {"text": text}}


def _post(server: FeedServer, event: dict[str, object], incident: str = "PGH-1"
          ) -> requests.Response:
    return requests.post(f"{server.url}/v1/incidents/{incident}/events", json=event,
                         headers=AUTH, timeout=5)


def test_event_post_is_idempotent(server: FeedServer) -> None:
    event = _event()
    first, again = _post(server, event), _post(server, event)
    assert first.status_code == 201 and first.json() == {
        "event_id": event["event_id"], "duplicate": False}
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert len(server.events) == 1


def test_event_conflict_and_validation(server: FeedServer) -> None:
    event = _event()
    _post(server, event)
    assert _post(server, {**event, "data": {"text": "other"}}).status_code == 409
    assert _post(server, {**_event(), "kind": "gossip"}).status_code == 400
    assert _post(server, _event("PGH-2")).status_code == 400  # URL names PGH-1
    assert len(server.events) == 1


def test_injected_failure_then_normal(server: FeedServer) -> None:
    server.faults.fail_next(1, status=503)
    assert _get(server, "/v1/alerts").status_code == 503
    assert _get(server, "/v1/alerts").status_code == 200
