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


def asked_quote(quote_id: str, state: str = "requested", price=None):
    return {
        "id": quote_id,
        "state": state,
        "licensee_id": LICENSEE,
        "vendor_id": ORGANISATION,
        "core_id": "core_1",
        "vlnv": VLNV,
        "offer_id": "o1",
        "project_name": "Kunlun NPU",
        "intended_use": "A UART in an AI accelerator",
        "end_use_country": "CN",
        "version_range": None,
        "volume": 200000,
        "details": "tape-out Q3",
        "price": price,
        "terms": "Net 30" if price else None,
        "valid_until": "2027-01-31T23:59:59+08:00" if price else None,
        "request_id": None,
        "created_at": "2026-12-01T09:00:00+00:00",
        "updated_at": "2026-12-01T09:00:00+00:00",
    }


def placed_order(order_id: str, state: str = "fulfilled"):
    price = {"amount": "180000.00", "currency": "CNY"}
    paid = price if state in ("paid", "fulfilled") else {"amount": "0.00", "currency": "CNY"}
    return {
        "id": order_id,
        "state": state,
        "state_reason": None,
        "request_id": "req_2",
        "quote_id": "q_2",
        "licensee_id": LICENSEE,
        "vendor_id": ORGANISATION,
        "core_id": "core_1",
        "vlnv": VLNV,
        "offer_id": "o1",
        "price": price,
        "paid": paid,
        "outstanding": {"amount": "0.00", "currency": "CNY"},
        "license_id": "lic_1" if state == "fulfilled" else None,
        "created_at": "2026-12-01T09:00:00+00:00",
        "paid_at": None,
        "updated_at": "2026-12-01T09:00:00+00:00",
        "invoice": {
            "id": "inv_1",
            "number": "INV-2026-000042",
            "state": "paid",
            "language": "zh-Hans",
            "parties": {},
            "lines": [],
            "total": price,
            "payment_instructions": None,
            "issued_at": "2026-12-01T09:00:00+00:00",
            "due_at": "2026-12-31T09:00:00+00:00",
        },
        "payments": [
            {
                "id": "pay_1",
                "method": "bank_transfer",
                **price,
                "paid_on": "2026-12-02",
                "reference": "BOC-7781",
                "provider_payment_id": None,
                "recorded_by": None,
                "created_at": "2026-12-02T09:00:00+00:00",
            }
        ],
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
        self.quotes = {
            "q_1": asked_quote("q_1"),
            "q_2": asked_quote("q_2", "accepted", {"amount": "180000.00", "currency": "CNY"}),
        }
        self.orders = {"ord_1": placed_order("ord_1"), "ord_2": placed_order("ord_2", "paid")}
        self.refuse_reads = False  # as licensing does a person it has not heard of yet

    def changes(self) -> list[httpx.Request]:
        return [c for c in self.calls if c.method == "POST"]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        assert request.headers["Ipmarket-Organisation"] == ORGANISATION
        path, state = request.url.path, request.url.params.get("state")
        if self.refuse_reads:
            return _problem(403, [])
        parts = path.split("/")  # '', v1, kind, id, action
        rows = {
            "license-requests": self.requests,
            "licenses": self.licenses,
            "quotes": self.quotes,
            "orders": self.orders,
        }.get(parts[2])
        if rows is not None and len(parts) == 3:
            vendor = request.url.params.get("vendor_id")  # as licensing filters (one side)
            items = [
                r
                for r in rows.values()
                if state in (None, r["state"]) and vendor in (None, r["vendor_id"])
            ]
            return httpx.Response(200, json={"items": items, "next": None})
        if rows is not None and len(parts) == 4 and request.method == "GET":
            found = rows.get(parts[3])
            return httpx.Response(200, json=found) if found else _problem(404, [])
        if request.method == "POST" and len(parts) == 5:
            return self._act(parts[2], parts[3], parts[4], json.loads(request.content or b"{}"))
        return _problem(404, [])

    def _act(self, kind: str, row_id: str, action: str, body: dict) -> httpx.Response:
        rows = {"license-requests": self.requests, "quotes": self.quotes, "orders": self.orders}
        row = rows.get(kind, self.licenses).get(row_id)
        if row is None:
            return _problem(404, [])
        if kind == "quotes":
            if row["state"] not in ("requested", "sent"):
                return _problem(409, [])
            if action == "reject":
                row.update(state="rejected", rejection_reason=body["reason"])
                return httpx.Response(200, json=row)
            if body["terms"] == "refused by the service":
                return _problem(422, [{"field": "terms", "message": "Not accepted."}])
            price = {"amount": body["amount"], "currency": body["currency"]}
            row.update(state="sent", price=price, terms=body["terms"])
            row["valid_until"] = body["valid_until"]
            return httpx.Response(200, json=row)
        if kind == "orders":
            if row["state"] != "fulfilled":
                return _problem(409, [])
            row.update(state="refunded", state_reason=body["reason"])
            return httpx.Response(200, json=row)
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
