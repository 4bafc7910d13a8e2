"""A licensing API in memory for the vendor workspace's unit tests (httpx MockTransport, no
sockets), beside a catalog that signs in a member of a vendor with the roles a test names."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx

from services.portal.catalog_api import CatalogApi
from services.portal.licensing_api import LicensingApi
from services.portal.notify_api import NotifyApi
from tests.unit.services.portal.built_portal import portal_app
from tests.unit.services.portal.fake_catalog import (
    ACCOUNT,
    NOW,
    ORGANISATION,
    SECRET,
    FakeCatalog,
    _problem,
    access_token,
)
from tests.unit.services.portal.test_security import csrf_of
from tests.unit.services.portal.vendor.fake_notify import FakeNotify

__all__ = ["NOW", "ORGANISATION", "csrf_of"]
LICENSEE = "org_licensee"
VLNV = {"vendor": "acme.example", "library": "ip", "name": "uart", "version": "1.0"}


def license_request(request_id: str, state: str = "pending_approval", vendor=ORGANISATION):
    return {
        "id": request_id,
        "state": state,
        "licensee_id": LICENSEE,
        "vendor_id": vendor,
        "core_id": "core_1",
        "vlnv": VLNV,
        "version_constraint": ">=1.0",
        "offer_id": "o1",
        "offer_kind": "evaluation",
        "project_name": "Tianhe SoC",
        "intended_use": "A UART in a consumer SoC",
        "end_use_country": "SG",
        "screening": {"outcome": "allow", "reason_code": None},
        "decision_comment": None,
        "comments": [],
        "license_id": None,
        "created_at": "2026-12-01T09:00:00+00:00",
        "expires_at": None,
        "updated_at": "2026-12-01T09:00:00+00:00",
    }


def issued_license(license_id: str, state: str = "active", expires="2027-12-01T00:00:00+00:00"):
    return {
        "id": license_id,
        "state": state,
        "state_reason": None,
        "request_id": "req_1",
        "licensee_id": LICENSEE,
        "vendor_id": ORGANISATION,
        "core_id": "core_1",
        "claims": {"core": {"vlnv": VLNV}, "offer_kind": "single_project"},
        "issued_at": "2026-12-01T09:00:00+00:00",
        "expires_at": expires,
    }


class VendorCatalog(FakeCatalog):
    """Signs in a member of ORGANISATION (a vendor) with `roles`."""

    def __init__(self, roles: list[str], locale: str | None = None, kinds=("vendor",)):
        super().__init__()
        self.roles, self.locale, self.kinds = roles, locale, list(kinds)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/sessions":
            self.calls.append(request)
            token = access_token(memberships={ORGANISATION: self.roles})
            return httpx.Response(
                201,
                json={
                    "status": "signed_in",
                    "session_id": "session_1",
                    "access_token": token,
                    "refresh_token": "refresh-1",
                    "access_token_expires_at": (NOW + timedelta(hours=1)).isoformat(),
                },
            )
        if request.url.path == "/v1/people/me":
            self.calls.append(request)
            membership = {**ACCOUNT["memberships"][0], "roles": self.roles, "kinds": self.kinds}
            account = {**ACCOUNT, "locale": self.locale, "memberships": [membership]}
            return httpx.Response(200, json=account)
        return super().__call__(request)


class FakeLicensing:
    def __init__(self):
        self.calls: list[httpx.Request] = []
        self.requests = {
            "req_1": license_request("req_1"),
            "req_2": license_request("req_2", "approved"),
            # the organisation's own request as a licensee of another vendor: not in its inbox
            "req_3": license_request("req_3", vendor="org_other"),
        }
        self.licenses = {
            "lic_1": issued_license("lic_1"),
            "lic_2": issued_license("lic_2", "suspended"),
            "lic_3": issued_license("lic_3", expires=None),
        }

        self.refuse_reads = False  # as licensing does a person it has not heard of yet

    def changes(self) -> list[httpx.Request]:
        return [c for c in self.calls if c.method == "POST"]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        assert request.headers["Ipmarket-Organisation"] == ORGANISATION
        path, state = request.url.path, request.url.params.get("state")
        if self.refuse_reads:
            return _problem(403, [])
        if path == "/v1/license-requests":
            items = [r for r in self.requests.values() if state in (None, r["state"])]
            return httpx.Response(200, json={"items": items, "next": None})
        if path == "/v1/licenses":
            items = [lic for lic in self.licenses.values() if state in (None, lic["state"])]
            return httpx.Response(200, json={"items": items, "next": None})
        parts = path.split("/")  # '', v1, kind, id, action
        if request.method == "POST" and len(parts) == 5:
            return self._act(parts[2], parts[3], parts[4], json.loads(request.content or b"{}"))
        return _problem(404, [])

    def _act(self, kind: str, row_id: str, action: str, body: dict) -> httpx.Response:
        rows = self.requests if kind == "license-requests" else self.licenses
        row = rows.get(row_id)
        if row is None:
            return _problem(404, [])
        if body.get("comment") == "refused by the service":
            return _problem(422, [{"field": "comment", "message": "Not accepted."}])
        if kind == "license-requests":
            if row["state"] != "pending_approval":
                return _problem(409, [])
            row["state"] = {"approve": "approved", "reject": "rejected"}[action]
        else:
            row["state"] = {
                "suspend": "suspended",
                "reinstate": "active",
                "revoke": "revoked",
                "renew": "active",
            }[action]
        return httpx.Response(200, json=row)


def workspace(roles: list[str], locale: str | None = None, kinds=("vendor",)):
    """The portal on both fakes, with a test client signed in as a member having `roles` and
    their own language setting `locale` (None: English)."""
    catalog, licensing = VendorCatalog(roles, locale, kinds), FakeLicensing()
    notify = FakeNotify()
    app = portal_app(
        {"IPMARKET_PORTAL_SECRET_KEY": SECRET, "IPMARKET_PORTAL_URL": "http://127.0.0.1:8000"},
        CatalogApi("http://catalog.test", transport=httpx.MockTransport(catalog)),
        lambda: NOW,
        licensing_api=LicensingApi(
            "http://licensing.test", transport=httpx.MockTransport(licensing)
        ),
        notify_api=NotifyApi("http://notify.test", transport=httpx.MockTransport(notify)),
    )
    client = app.test_client()
    answer = client.post(
        "/sign-in",
        data={
            "csrf_token": csrf_of(client.get("/sign-in").text),
            "email": "li.wei@xinyuan.example",
            "password": catalog.password,
        },
    )
    assert answer.status_code == 303, answer.text
    client.notify = notify  # the webhook pages' service
    return client, licensing
