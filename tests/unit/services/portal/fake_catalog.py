"""A catalog API in memory for the portal's unit tests: httpx's MockTransport answers the
portal's calls (no sockets) and records them, so a test can tell that a refusal changed
nothing at the catalog."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx

from services.portal.catalog_api import CatalogApi
from tests.unit.services.portal.built_portal import portal_app

SECRET = "a portal secret for the unit tests only"
NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
ORGANISATION = "org_1"

CORE = {
    "id": "core_1",
    "vendor_id": "vendor_1",
    "vendor_region": "hong_kong",
    "vlnv": {"vendor": "acme.example", "library": "ip", "name": "uart", "version": "1.0"},
    "status": "published",
    "title_en": "UART controller",
    "title_zh": "串口控制器",
    "description_en": "A UART with FIFOs.",
    "description_zh": "带 FIFO 的串口。",
    "category": "interface_controllers_phys",
    "standards": ["AXI4"],
    "deliverable_kinds": ["soft_rtl"],
    "targets": [{"foundry": "SMIC", "node": "28nm", "maturity": "silicon_proven"}],
    "price_band": "10k_50k",
    "published_at": "2026-11-01T10:00:00+00:00",
    "offers": [
        {
            "offer_id": "o1",
            "kind": "single_project",
            "price": {"amount": "25000.00", "currency": "CNY"},
            "on_request": False,
            "term_months": 12,
            "seats": 5,
            "requires_approval": True,
            "royalty_percent": None,
        }
    ],
    "eccn": "EAR99",
    "territory_restrictions": [],
    "documents": [],
    "deliverables": [],
}


ACCOUNT = {
    "person_id": "person_1",
    "email": "li.wei@xinyuan.example",
    "name_en": "Li Wei",
    "name_zh": "李伟",
    "locale": "zh-Hans",
    "timezone": "Asia/Shanghai",
    "platform_roles": [],
    "memberships": [
        {
            "organisation_id": ORGANISATION,
            "legal_name_en": "Xinyuan",
            "legal_name_zh": "芯元",
            "kinds": ["vendor"],
            "roles": ["buyer"],
            "timezone": "Asia/Shanghai",
        }
    ],
}

SESSION = {
    "session_id": "session_1",
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156",
    "client_address": "192.0.2.10",
    "created_at": "2026-12-02T07:55:00+00:00",
    "last_seen_at": "2026-12-02T08:00:00+00:00",
    "current": True,
}


def access_token(person_id: str = "person_1", memberships=None) -> str:
    claims = {"sub": person_id, "memberships": memberships or {ORGANISATION: ["buyer"]}}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJFZERTQSJ9.{payload}.c2lnbmF0dXJl"


def signed_in(expires_at: datetime = NOW + timedelta(minutes=5)) -> dict:
    return {
        "status": "signed_in",
        "session_id": "session_1",
        "access_token": access_token(),
        "refresh_token": "refresh-1",
        "access_token_expires_at": expires_at.isoformat(),
    }


class FakeCatalog:
    def __init__(self):
        self.calls: list[httpx.Request] = []
        self.password = "correct horse battery staple"
        self.second_factor = False
        self.found = [CORE]  # what a search finds
        self.core = CORE  # what /v1/cores/core_1 answers

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        path = request.url.path
        if path == "/v1/cores/taxonomy":
            return httpx.Response(200, json={"categories": {"memories": "Memories"}})
        if path == "/v1/cores":
            if len(request.url.params.get("q", "")) > 200:
                return _problem(422, [{"field": "q", "message": "Longer than maximum length 200."}])
            facets = {"category": [{"value": "interface_controllers_phys", "count": 1}]}
            found = {"items": self.found, "total": len(self.found), "facets": facets, "next": None}
            return httpx.Response(200, json=found)
        if path == "/v1/cores/core_1":
            if request.url.params.get_list("include") == ["versions"]:
                return httpx.Response(200, json={**self.core, "versions": [self.core]})
            return httpx.Response(200, json=self.core)
        if path == "/v1/sessions":
            body = json.loads(request.content)
            if body["password"] != self.password:
                return _problem(401, [])
            if self.second_factor:
                return httpx.Response(
                    201, json={"status": "second_factor_needed", "second_factor_token": "sf-1"}
                )
            return httpx.Response(201, json=signed_in())
        if path == "/v1/sessions/second-factor":
            body = json.loads(request.content)
            if body["code"] != "123456":
                return _problem(401, [])
            return httpx.Response(201, json=signed_in())
        if path == "/v1/sessions/refresh":
            return httpx.Response(201, json=signed_in(NOW + timedelta(hours=1)))
        if path == "/v1/people/me":
            return httpx.Response(200, json=ACCOUNT)
        if path == "/v1/people/me/sessions":
            return httpx.Response(200, json={"items": [SESSION], "next": None})
        if path.startswith("/v1/people/me/sessions/") and request.method == "DELETE":
            return httpx.Response(200, json={"ended": 1})
        if path == f"/v1/organisations/{ORGANISATION}":
            return httpx.Response(200, json={"id": ORGANISATION, "legal_name_en": "Xinyuan"})
        return _problem(404, [])

    def paths(self) -> list[str]:
        return [request.url.path for request in self.calls]


def _problem(status: int, errors: list[dict]) -> httpx.Response:
    body = {"type": "about:blank", "title": "Refused", "status": status, "errors": errors}
    return httpx.Response(status, json=body, headers={"Content-Type": "application/problem+json"})


def portal(fake: FakeCatalog, portal_url: str = "http://127.0.0.1:8000", clock=lambda: NOW):
    environ = {"IPMARKET_PORTAL_SECRET_KEY": SECRET, "IPMARKET_PORTAL_URL": portal_url}
    catalog = CatalogApi("http://catalog.test", transport=httpx.MockTransport(fake))
    return portal_app(environ, catalog, clock)  # the other services: not in the unit tier
