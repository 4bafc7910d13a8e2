"""Fixtures of the licensing tests: a real app on a fresh PostgreSQL database, with the directory
and cores fed through the service's own event handlers (as the consumer would)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from services.licensing import handlers
from services.licensing.app import create_app
from shared.db.schema import new_id, utcnow
from shared.directory import generate_api_key
from shared.events import new_event

SECRET = "correct horse battery staple, licensing"


def core_state(
    vendor_id: str,
    *,
    core_id: str | None = None,
    eccn: str = "EAR99",
    version: str = "1.2.0",
    territory_restrictions=(),
    requires_approval=True,
    kind: str = "single_project",
    term_months: int | None = 12,
    state_version: int = 1,
    status: str = "published",
    price: dict | None = None,
    on_request: bool = False,
) -> dict:
    """A core as the catalog publishes it (shared/events/catalog.py `Core`). The "std" offer
    is free unless given a `price` (then it is paid for first, see orders.py)."""
    core_id = core_id or new_id()
    return {
        "core_id": core_id,
        "vendor_id": vendor_id,
        "vlnv": {
            "vendor": "pearlriver.hk",
            "library": "interfaces",
            "name": "usb3_phy",
            "version": version,
        },
        "title_en": "USB 3.2 PHY",
        "title_zh": "USB 3.2 物理层",
        "category": "interface",
        "status": status,
        "eccn": eccn,
        "territory_restrictions": list(territory_restrictions),
        "standards": ["USB 3.2"],
        "deliverables": [
            {"kind": "rtl", "name": "usb3_phy_rtl.tar.gz", "sha256": "a" * 64},
            {"kind": "gds", "name": "usb3_phy.gds", "sha256": "b" * 64},
        ],
        "offers": [
            {
                "offer_id": "std",
                "kind": kind,
                "price": price,
                "on_request": on_request,
                "term_months": term_months,
                "seats": 5,
                "requires_approval": requires_approval,
                "royalty_percent": None,
            },
            {
                "offer_id": "eval",
                "kind": "evaluation",
                "price": None,
                "on_request": False,
                "term_months": 3,
                "seats": 1,
                "requires_approval": False,
                "royalty_percent": None,
            },
        ],
        "version": state_version,
    }


@dataclass
class Party:
    organisation_id: str
    key: str

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass
class Marketplace:
    """The licensing service's projections, fed with catalog events through its handlers."""

    context: object
    parties: dict[str, Party] = field(default_factory=dict)

    def apply(self, event_type: str, subject: str, data: dict) -> None:
        event = new_event(event_type, "/ipmarket/catalog", subject, data)
        with self.context.session_factory() as session, session.begin():
            handlers.event_handlers()[event.type](event, session)

    def organisation(
        self,
        name: str,
        roles: list[str],
        country: str = "HK",
        *,
        locale: str = "en",
        name_zh: str | None = None,
    ) -> Party:
        org_id = new_id()
        self.apply(
            "ipmarket.organisation.registered.v1",
            org_id,
            {
                "organisation_id": org_id,
                "legal_name_en": name,
                "legal_name_zh": name_zh,
                "country": country,
                "region": "hong_kong",
                "roles": roles,
                "locale": locale,
                "timezone": "Asia/Hong_Kong",
                "contacts": [],
                "version": 1,
            },
        )
        key, key_hash = generate_api_key()
        self.apply(
            "ipmarket.api_key.created.v1",
            org_id,
            {
                "key_id": new_id(),
                "organisation_id": org_id,
                "name": "test",
                "key_hash": key_hash,
                "created_at": utcnow().isoformat(),
            },
        )
        party = Party(org_id, key)
        self.parties[name] = party
        return party

    def core(self, vendor: Party, **options) -> dict:
        state = core_state(vendor.organisation_id, **options)
        self.apply("ipmarket.core.published.v1", state["core_id"], state)
        return state

    def count(self, table: str) -> int:
        with self.context.engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()

    def counts(self) -> dict:
        return {
            t: self.count(t)
            for t in (
                "license_request",
                "license",
                "audit_entry",
                "outbox",
                "screening_rule_set",
                "signing_key",
                "quote",
                "purchase_order",
                "invoice",
                "payment",
                "invoice_counter",
            )
        }


@pytest.fixture
def signing_secret(monkeypatch) -> str:
    monkeypatch.setenv("IPMARKET_SIGNING_KEY_SECRET", SECRET)
    return SECRET


@pytest.fixture
def app(platform_env, signing_secret):
    app = create_app()
    yield app
    app.extensions["ipmarket"].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def market(app) -> Marketplace:
    market = Marketplace(app.extensions["ipmarket"])
    market.organisation("vendor", ["vendor"])
    market.organisation("licensee", ["licensee"], country="CN")
    market.organisation("admin", ["admin"])
    market.organisation("other licensee", ["licensee"])
    market.organisation("other vendor", ["vendor"])
    return market


def request_body(core: dict, **overrides) -> dict:
    return {
        "core_id": core["core_id"],
        "offer_id": "std",
        "project_name": "Tianhe SoC",
        "intended_use": "USB 3.2 host controller in a consumer SoC",
        "end_use_country": "SG",
        **overrides,
    }


# --- purchasing ------------------------------------------------------------------------------

PROVIDER_SECRET = "whsec-test-provider-secret"
USD_PRICE = {"amount": "25000.00", "currency": "USD"}


@pytest.fixture
def provider_secret(monkeypatch) -> str:
    monkeypatch.setenv("IPMARKET_PAYMENT_PROVIDER_SECRET", PROVIDER_SECRET)
    return PROVIDER_SECRET


def approved_request(client, market, *, price=USD_PRICE, requires_approval=False) -> dict:
    """A license request for a priced offer that screening (and the vendor) cleared."""
    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(vendor, price=price, requires_approval=requires_approval)
    request = client.post(
        "/v1/license-requests", json=request_body(core), headers=licensee.headers
    ).json
    if requires_approval:
        request = client.post(
            f"/v1/license-requests/{request['id']}/approve", json={}, headers=vendor.headers
        ).json
    assert request["state"] == "approved", request
    return request


def place_order(client, market, **options) -> dict:
    request = approved_request(client, market, **options)
    response = client.post(
        "/v1/orders", json={"request_id": request["id"]}, headers=market.parties["licensee"].headers
    )
    assert response.status_code == 201, response.json
    return response.json


def callback_headers(
    body: bytes, *, secret: str = PROVIDER_SECRET, timestamp: int | None = None
) -> dict:
    from services.licensing.payments import signature

    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/json",
        "Payment-Timestamp": timestamp,
        "Payment-Signature": signature(secret, timestamp, body),
    }


def provider_callback(
    client, order: dict, *, payment_id: str = "pay_1", amount=None, currency=None, **signing
):
    body = json.dumps(
        {
            "payment_id": payment_id,
            "order_id": order["id"],
            "amount": amount or order["outstanding"]["amount"],
            "currency": currency or order["price"]["currency"],
        }
    ).encode()
    return client.post(
        "/v1/payments/callback", data=body, headers=callback_headers(body, **signing)
    )
