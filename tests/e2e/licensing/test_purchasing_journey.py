"""Buying across real processes and the real broker: the catalog publishes (its domain code and
outbox → relay → Kafka) → the licensing consumer projects → the licensing API (gunicorn) takes
requests, quotes and orders → the payment simulator (its own process) calls back, signed → the
license is issued and verifies. One journey for a fixed-price offer, one for an offer priced on
request (part paid by bank transfer, the rest through the simulator); every purchasing event is
on the `<prefix>.licensing` topic, naming both parties, and the notify consumer and delivery
worker tell both sides by e-mail, each in its own language."""

from __future__ import annotations

import email
import email.policy

import pytest
import requests

from ipmarket.broker import free_port
from services.catalog.app import build_context as catalog_context
from services.catalog.organisations import create_api_key, register_organisation
from shared.db.schema import new_id, utcnow
from shared.events.envelope import parse_event
from shared.messaging.kafka_io import make_consumer, topic
from tests.integration.licensing.conftest import PROVIDER_SECRET, core_state, request_body
from tests.support import wait_until

pytestmark = pytest.mark.databases("sqlite", "postgresql")

FIXED = {"amount": "25000.00", "currency": "USD"}


def publish_marketplace():
    """Two organisations with keys and a core with a fixed-price and an on-request offer, all
    through the catalog's own domain code and outbox."""
    catalog = catalog_context()
    with catalog.unit_of_work() as uow:
        vendor = register_organisation(
            uow,
            legal_name_en="Pearl River Silicon",
            country="HK",
            roles=["vendor"],
            legal_name_zh="珠江硅科技",
            timezone="Asia/Hong_Kong",
            contacts=[
                {"name": "Mandy Chan", "email": "sales@pearlriver.example", "notices": ["all"]}
            ],
        )
        licensee = register_organisation(
            uow,
            legal_name_en="Tianhe Chips",
            country="CN",
            roles=["licensee"],
            locale="zh-Hans",
            timezone="Asia/Shanghai",
            contacts=[{"name": "赵丽", "email": "buyer@tianhe.example", "notices": ["all"]}],
        )
        _, vendor_key = create_api_key(uow, vendor.id, "vendor key")
        _, licensee_key = create_api_key(uow, licensee.id, "licensee key")
        core = core_state(vendor.id, price=FIXED)
        core["offers"].append(
            {**core["offers"][0], "offer_id": "custom", "price": None, "on_request": True}
        )
        uow.publish("ipmarket.core.published.v1", core["core_id"], core)
        uow.commit()
    catalog.engine.dispose()
    return (
        {"Authorization": f"Bearer {vendor_key}"},
        {"Authorization": f"Bearer {licensee_key}"},
        core,
    )


def pay_through_simulator(simulator: str, order: dict) -> dict:
    payment = requests.post(
        f"{simulator}/payments", json={"order_id": order["id"], **order["outstanding"]}, timeout=10
    )
    assert payment.status_code == 202, payment.text
    payment_id = payment.json()["payment_id"]

    def delivered():
        state = requests.get(f"{simulator}/payments/{payment_id}", timeout=5).json()
        return state if state["status"] in ("delivered", "refused") else None

    state = wait_until(delivered, timeout=30, interval=0.1, what="the simulator's callback")
    assert (state["status"], state["response_status"]) == ("delivered", 201), state
    return state


def assert_license_verifies(url: str, order: dict, as_licensee: dict) -> None:
    assert order["state"] == "fulfilled" and order["license_id"]
    file = requests.get(
        f"{url}/v1/licenses/{order['license_id']}/file", headers=as_licensee, timeout=10
    ).text
    verified = requests.post(
        f"{url}/v1/licenses/verify",
        json={"license": file, "core": "pearlriver.hk:interfaces:usb3_phy:1.2.0"},
        timeout=10,
    ).json()
    assert verified["result"] == "VALID", verified


def test_fixed_price_and_on_request_journeys_end_in_verified_licenses(
    signing_secret, platform_env, processes, tmp_path
):
    as_vendor, as_licensee, core = publish_marketplace()
    processes.env["IPMARKET_PAYMENT_PROVIDER_SECRET"] = PROVIDER_SECRET
    processes.env["IPMARKET_MAIL_DIR"] = str(tmp_path / "mail")
    for name, args in [
        ("catalog-relay", ("relay", "catalog")),
        ("licensing-consumer", ("consume", "licensing")),
        ("licensing-relay", ("relay", "licensing")),
        ("notify-consumer", ("consume", "notify")),
        ("notify-deliver", ("deliver",)),
    ]:
        processes.start(name, *args)
    url = processes.serve("licensing")
    processes.env["IPMARKET_LICENSING_URL"] = url  # where the simulator calls back
    simulator_port = free_port()
    processes.start(
        "payment-simulator", "payment-simulator", "--bind", f"127.0.0.1:{simulator_port}"
    )
    simulator = f"http://127.0.0.1:{simulator_port}"

    def post(path, body, headers, expect=(200, 201)):
        response = requests.post(f"{url}{path}", json=body, headers=headers, timeout=10)
        assert response.status_code in expect, f"{path}: {response.text}"
        return response.json()

    # 1. Fixed price: request → vendor approves → order (+ invoice) → provider pays → license.
    def submitted():
        response = requests.post(
            f"{url}/v1/license-requests",
            json=request_body(core),
            headers={**as_licensee, "Idempotency-Key": "buy-1"},
            timeout=10,
        )
        return response.json() if response.status_code == 201 else None

    request = wait_until(
        submitted, timeout=60, interval=0.2, what="the core and keys to reach licensing"
    )
    assert request["state"] == "pending_approval"
    assert (
        post(f"/v1/license-requests/{request['id']}/approve", {}, as_vendor)["state"] == "approved"
    )
    order = post(
        "/v1/orders", {"request_id": request["id"]}, {**as_licensee, "Idempotency-Key": "order-1"}
    )
    assert order["price"] == FIXED and order["invoice"]["number"] == "INV-000001"
    invoice = requests.get(
        f"{url}/v1/orders/{order['id']}/invoice.html", headers=as_licensee, timeout=10
    )
    assert "发票" in invoice.text and "珠江硅科技" in invoice.text  # the licensee's language
    wait_until(lambda: simulator_ready(simulator), timeout=30, what="the payment simulator")
    pay_through_simulator(simulator, order)
    fixed = requests.get(f"{url}/v1/orders/{order['id']}", headers=as_licensee, timeout=10).json()
    assert_license_verifies(url, fixed, as_licensee)

    # 2. On request: quote → vendor's price → accepted (screened) → order → part paid by bank
    # transfer, the rest through the provider → license.
    quote = post(
        "/v1/quotes",
        {
            "core_id": core["core_id"],
            "offer_id": "custom",
            "project_name": "Kunlun NPU",
            "intended_use": "AI accelerator",
            "end_use_country": "CN",
            "volume": 500000,
        },
        as_licensee,
    )
    post(
        f"/v1/quotes/{quote['id']}/send",
        {
            "amount": "888888.88",
            "currency": "CNY",
            "terms": "Net 30",
            "valid_until": utcnow().replace(year=utcnow().year + 1).isoformat(),
        },
        as_vendor,
    )
    accepted = post(f"/v1/quotes/{quote['id']}/accept", {}, as_licensee)
    assert accepted["request"]["state"] == "approved"
    order2 = post(
        "/v1/orders",
        {"request_id": accepted["request_id"]},
        {**as_licensee, "Idempotency-Key": "order-2"},
    )
    assert order2["price"] == {"amount": "888888.88", "currency": "CNY"}
    partial = post(
        f"/v1/orders/{order2['id']}/payments",
        {
            "amount": "88888.88",
            "currency": "CNY",
            "paid_on": utcnow().date().isoformat(),
            "reference": "ICBC-7788",
        },
        as_vendor,
    )
    assert partial["state"] == "pending_payment"
    assert partial["outstanding"] == {"amount": "800000.00", "currency": "CNY"}
    pay_through_simulator(simulator, partial)
    on_request = requests.get(
        f"{url}/v1/orders/{order2['id']}", headers=as_licensee, timeout=10
    ).json()
    assert_license_verifies(url, on_request, as_licensee)

    # Every change reached the broker, naming both parties (what notify needs to tell both).
    wanted = {
        "ipmarket.quote.requested.v1": 1,
        "ipmarket.quote.sent.v1": 1,
        "ipmarket.quote.accepted.v1": 1,
        "ipmarket.order.created.v1": 2,
        "ipmarket.invoice.issued.v1": 2,
        "ipmarket.order.paid.v1": 2,
        "ipmarket.license.issued.v1": 2,
    }
    seen = read_topic(topic("licensing", platform_env["IPMARKET_TOPIC_PREFIX"]), wanted)
    vendor_id, licensee_id = core["vendor_id"], fixed["licensee_id"]
    for event_type, count in wanted.items():
        assert len(seen[event_type]) == count, event_type
        for data in seen[event_type]:
            assert (data["vendor_id"], data["licensee_id"]) == (vendor_id, licensee_id)
    assert {e["license_id"] for e in seen["ipmarket.order.paid.v1"]} == {
        fixed["license_id"],
        on_request["license_id"],
    }

    # Both sides are told, each in its own language: two paid orders, two issued licenses.
    def subjects_to(address: str) -> list[str]:
        return [m["Subject"] for m in mail_in(tmp_path / "mail") if address in m["To"]]

    wait_until(
        lambda: (
            len([s for s in subjects_to("buyer@tianhe.example") if s.startswith("订单已付款")]) == 2
            and len(
                [s for s in subjects_to("sales@pearlriver.example") if s.startswith("Order paid")]
            )
            == 2
        ),
        timeout=30,
        what="both sides to be told of both payments",
    )
    assert sum(s.startswith("授权已签发") for s in subjects_to("buyer@tianhe.example")) == 2
    assert sum(s.startswith("License issued") for s in subjects_to("sales@pearlriver.example")) == 2


def mail_in(folder) -> list:
    return (
        [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in folder.glob("*.eml")
        ]
        if folder.exists()
        else []
    )


def simulator_ready(simulator: str) -> bool:
    try:
        return requests.get(f"{simulator}/healthz", timeout=1).ok
    except requests.RequestException:
        return False


def read_topic(name: str, wanted: dict) -> dict:
    consumer = make_consumer(f"journey-{new_id()}", [name], consumer_timeout_ms=1000)
    seen: dict[str, list] = {}
    try:

        def all_seen():
            for message in consumer:
                event = parse_event(message.value)
                seen.setdefault(event.type, []).append(event.data)
            return all(len(seen.get(t, ())) >= n for t, n in wanted.items())

        wait_until(all_seen, timeout=30, interval=0, what=f"the events on {name}")
    finally:
        consumer.close()
    return seen
