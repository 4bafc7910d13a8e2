"""The vendor's request inbox in the portal against the real catalog and licensing services on
PostgreSQL and Kafka (in-process apps; the portal reaches them over httpx's WSGI transport, the
same HTTP APIs an integrator calls): an approver signed in through the portal sees a licensee's
request for the vendor's core and approves it; a rejection without its reason is refused
beside the field and changes nothing at the service."""

from __future__ import annotations

import re

import httpx
import pytest

from ipmarket.devtools.demo import DEMO_OPERATOR, offers_for
from services.catalog import cores, invitations, organisations, vendor_names
from services.catalog.domain.people import Actor
from services.portal.app import create_app
from services.portal.catalog_api import CatalogApi
from services.portal.licensing_api import LicensingApi
from shared.directory import Principal
from tests.integration.shared.conftest import Platform
from tests.support import wait_until

EMAIL, PASSWORD = "li.wei@xinyuan-micro.cn", "plum kettle orbit 47"
OPERATOR = Actor(platform_roles=frozenset({"operator"}), person_id="operator")
VLNV = {"vendor": "xinyuan-micro.cn", "library": "ip", "name": "uart16550", "version": "1.0.0"}


@pytest.fixture
def platform(platform_env):
    platform = Platform()
    yield platform
    platform.close()


def _vendor_with_a_core(uow) -> tuple[str, str, str]:
    vendor = organisations.register_organisation(
        uow,
        legal_name_en="Shanghai Xinyuan Microelectronics",
        legal_name_zh="上海芯源微电子",
        country="CN",
        roles=["vendor"],
    )
    claim = vendor_names.claim_name(uow, DEMO_OPERATOR, vendor.id, VLNV["vendor"])
    vendor_names.decide(uow, DEMO_OPERATOR, claim.id, "confirmed")
    principal = Principal(organisation_id=vendor.id, roles=frozenset({"vendor"}), key_id="test")
    core = cores.create_draft(
        uow,
        principal,
        vlnv=VLNV,
        title_en="16550 UART",
        title_zh="16550 串口",
        description_en="A UART with FIFOs.",
        category="interface_controllers_phys",
        standards=[],
        deliverable_kinds=["soft_rtl"],
        hdl_languages=["verilog"],
        eccn="EAR99",
        targets=[{"foundry": "SMIC", "node": "28nm", "maturity": "silicon_proven"}],
        deliverables=[],
        documents=[],
        offers=offers_for(1000, "USD"),
    )
    cores.change_status(uow, principal, core.id, "publish")
    evaluation = next(o for o in core.offers if o["kind"] == "evaluation")
    return vendor.id, core.id, evaluation["offer_id"]


@pytest.fixture
def marketplace(platform):
    """A vendor with a published core and an approver; a licensee's request for that core,
    awaiting approval; the portal in front of both services, signed in as the approver."""
    with platform.catalog.unit_of_work() as uow:
        vendor_id, core_id, offer_id = _vendor_with_a_core(uow)
        _, link = invitations.invite_member(uow, OPERATOR, vendor_id, EMAIL, ["approver"])
        invitations.accept_invitation(
            uow, link, name_en="Li Wei", name_zh="李伟", password=PASSWORD
        )
        licensee = organisations.register_organisation(
            uow, legal_name_en="Pearl Delta Devices", country="HK", roles=["licensee"]
        )
        _, licensee_key = organisations.create_api_key(uow, licensee.id, "design flow")
        uow.commit()
    licensing = platform.clients["licensing"]
    body = {
        "core_id": core_id,
        "offer_id": offer_id,
        "project_name": "Tianhe SoC",
        "intended_use": "A UART in a consumer SoC",
        "end_use_country": "SG",
    }

    def submitted():
        answer = licensing.post(
            "/v1/license-requests", json=body, headers={"Authorization": f"Bearer {licensee_key}"}
        )
        return answer.json if answer.status_code == 201 else None

    request = wait_until(submitted, timeout=30, what="licensing knowing the key and the core")
    assert request["state"] == "pending_approval", request

    portal = create_app(
        {"IPMARKET_PORTAL_SECRET_KEY": "integration test secret of the portal"},
        CatalogApi("http://catalog", transport=httpx.WSGITransport(app=platform.apps["catalog"])),
        licensing_api=LicensingApi(
            "http://licensing", transport=httpx.WSGITransport(app=platform.apps["licensing"])
        ),
    )
    client = portal.test_client()
    token = _csrf(client.get("/sign-in").text)
    signed_in = client.post(
        "/sign-in", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD}
    )
    assert signed_in.status_code == 303, signed_in.text
    # Licensing knows the approver once the catalog's events about them have arrived.
    wait_until(
        lambda: client.get("/vendor/requests").status_code == 200,
        timeout=30,
        what="licensing accepting the approver's token",
    )
    return client, request, licensing, licensee_key


def _csrf(html: str, prefix: str = "") -> str:
    pattern = rf'name="{re.escape(prefix)}csrf_token" (?:type="hidden" )?value="([^"]+)"'
    return re.search(pattern, html).group(1)


def _state(licensing, key: str, request_id: str) -> str:
    answer = licensing.get(
        f"/v1/license-requests/{request_id}", headers={"Authorization": f"Bearer {key}"}
    )
    return answer.json["state"]


def test_an_approver_approves_a_request_in_the_inbox(marketplace):
    client, request, licensing, licensee_key = marketplace
    page = client.get("/vendor/requests").text
    assert f'id="request-{request["id"]}"' in page and "xinyuan-micro.cn:ip:uart16550" in page

    prefix = f"approve-{request['id']}-"
    answer = client.post(
        f"/vendor/requests/{request['id']}/approve",
        data={f"{prefix}csrf_token": _csrf(page, prefix), f"{prefix}comment": "export checked"},
    )
    assert answer.status_code == 303, answer.text
    # An evaluation is free: approval issues its license.
    assert _state(licensing, licensee_key, request["id"]) in ("approved", "issued")
    assert f'id="request-{request["id"]}"' not in client.get("/vendor/requests").text


def test_a_rejection_without_its_reason_is_refused_beside_the_field_and_changes_nothing(
    marketplace,
):
    client, request, licensing, licensee_key = marketplace
    page = client.get("/vendor/requests").text
    prefix = f"reject-{request['id']}-"
    answer = client.post(
        f"/vendor/requests/{request['id']}/reject",
        data={f"{prefix}csrf_token": _csrf(page, prefix), f"{prefix}comment": ""},
    )
    assert answer.status_code == 422
    assert f'id="{prefix}comment-error">Say why: the licensee reads it.' in answer.text
    assert _state(licensing, licensee_key, request["id"]) == "pending_approval"
