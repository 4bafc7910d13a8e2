"""A notify API in memory for the webhook pages' unit tests (httpx MockTransport, no sockets)."""

from __future__ import annotations

import json

import httpx

from tests.unit.services.portal.fake_catalog import ORGANISATION, _problem

ENDPOINT = {
    "id": "ep_1",
    "organisation_id": ORGANISATION,
    "url": "https://hooks.acme.example/ipmarket",
    "description": "ERP",
    "event_types": [],
    "schemes": ["v1"],
    "created_at": "2026-12-01T09:00:00+00:00",
    "failing_since": None,
    "disabled_at": None,
    "disabled_reason": None,
    "previous_secret_expires_at": None,
}
DELIVERY = {
    "id": "dl_1",
    "event_id": "ev_1",
    "channel": "webhook",
    "endpoint_id": "ep_1",
    "address": None,
    "message_id": "msg_1",
    "state": "failed",
    "attempts": 2,
    "next_attempt_at": "2026-12-01T09:05:00+00:00",
    "last_error": "HTTP 500",
    "created_at": "2026-12-01T09:00:00+00:00",
    "delivered_at": None,
}
ATTEMPT = {
    "id": "at_1",
    "delivery_id": "dl_1",
    "message_id": "msg_1",
    "attempted_at": "2026-12-01T09:00:01+00:00",
    "succeeded": False,
    "status_code": 500,
    "latency_ms": 12,
    "response": "oops",
    "error": None,
}


class FakeNotify:
    def __init__(self):
        self.calls: list[httpx.Request] = []
        self.endpoints = {"ep_1": dict(ENDPOINT)}
        self.preferences = {
            "ipmarket.license.requested.v1": {"email": True, "webhook": True},
            "ipmarket.order.paid.v1": {"email": True, "webhook": False},
        }

    def changes(self) -> list[httpx.Request]:
        return [c for c in self.calls if c.method in ("POST", "PUT")]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        assert request.headers["Ipmarket-Organisation"] == ORGANISATION
        path = request.url.path
        if path == "/v1/endpoints" and request.method == "GET":
            return httpx.Response(200, json={"items": list(self.endpoints.values()), "next": None})
        if path == "/v1/endpoints":
            body = json.loads(request.content)
            if "localhost" in body["url"]:
                return _problem(422, [{"field": "url", "message": "not a public address"}])
            created = {**ENDPOINT, "id": "ep_2", "url": body["url"], "secret": "whsec_new"}
            self.endpoints["ep_2"] = created
            return httpx.Response(201, json=created)
        if path == "/v1/endpoints/ep_1":
            return httpx.Response(200, json=self.endpoints["ep_1"])
        if path == "/v1/endpoints/ep_1/deliveries":
            return httpx.Response(200, json={"items": [DELIVERY], "next": None})
        if path == "/v1/endpoints/ep_1/secret/rotate":
            expires = "2026-12-03T08:00:00+00:00"
            self.endpoints["ep_1"]["previous_secret_expires_at"] = expires
            return httpx.Response(
                200, json={"secret": "whsec_rotated", "previous_secret_expires_at": expires}
            )
        if path == "/v1/endpoints/ep_1/test" and request.method == "POST":
            return httpx.Response(202, json={**DELIVERY, "id": "dl_test", "state": "pending"})
        if path == "/v1/preferences":
            return httpx.Response(200, json=self.preferences)
        if path.startswith("/v1/preferences/") and request.method == "PUT":
            self.preferences[path.rsplit("/", 1)[1]] = json.loads(request.content)
            return httpx.Response(200, json=json.loads(request.content))
        if path == "/v1/deliveries/dl_1/attempts":
            return httpx.Response(200, json={"items": [ATTEMPT], "next": None})
        if path == "/v1/deliveries/dl_1/replay":
            return httpx.Response(202, json=DELIVERY)
        return _problem(404, [])
