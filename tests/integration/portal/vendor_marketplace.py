"""What the vendor workspace's integration tests share: a vendor with a published core, a member
of it with the roles a test names, a licensee with an API key, and the portal in front of the
real services (in-process apps reached over httpx's WSGI transport: the same HTTP APIs an
integrator calls), signed in as that member."""

from __future__ import annotations

import re

import httpx

from ipmarket.devtools.demo import DEMO_OPERATOR, offers_for
from services.catalog import cores, invitations, organisations, vendor_names
from services.catalog.domain.people import Actor
from services.portal.app import create_app
from services.portal.catalog_api import CatalogApi
from services.portal.licensing_api import LicensingApi
from services.portal.notify_api import NotifyApi
from shared.directory import Principal
from tests.support import wait_until

EMAIL, PASSWORD = "li.wei@xinyuan-micro.cn", "plum kettle orbit 47"
OPERATOR = Actor(platform_roles=frozenset({"operator"}), person_id="operator")
VLNV = {"vendor": "xinyuan-micro.cn", "library": "ip", "name": "uart16550", "version": "1.0.0"}


def csrf(html: str, prefix: str = "") -> str:
    pattern = rf'name="{re.escape(prefix)}csrf_token" (?:type="hidden" )?value="([^"]+)"'
    return re.search(pattern, html).group(1)


def vendor_with_a_core(uow) -> tuple[str, str, str]:
    """(vendor id, core id, the id of its evaluation offer, which needs approval)."""
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


def set_up(platform, member_roles: list[str]) -> dict:
    with platform.catalog.unit_of_work() as uow:
        vendor_id, core_id, offer_id = vendor_with_a_core(uow)
        _, link = invitations.invite_member(uow, OPERATOR, vendor_id, EMAIL, member_roles)
        invitations.accept_invitation(
            uow, link, name_en="Li Wei", name_zh="李伟", password=PASSWORD
        )
        licensee = organisations.register_organisation(
            uow, legal_name_en="Pearl Delta Devices", country="HK", roles=["licensee"]
        )
        _, licensee_key = organisations.create_api_key(uow, licensee.id, "design flow")
        uow.commit()
    return {"vendor_id": vendor_id, "core_id": core_id, "offer_id": offer_id, "key": licensee_key}


def submit_request(platform, marketplace: dict) -> dict:
    """The licensee's request for the vendor's core, once licensing knows both."""
    body = {
        "core_id": marketplace["core_id"],
        "offer_id": marketplace["offer_id"],
        "project_name": "Tianhe SoC",
        "intended_use": "A UART in a consumer SoC",
        "end_use_country": "SG",
    }
    headers = {"Authorization": f"Bearer {marketplace['key']}"}

    def submitted():
        answer = platform.clients["licensing"].post(
            "/v1/license-requests", json=body, headers=headers
        )
        return answer.json if answer.status_code == 201 else None

    return wait_until(submitted, timeout=30, what="licensing knowing the key and the core")


def signed_in_portal(platform, first_page: str):
    """A test client of the portal signed in as the member, once `first_page` answers 200 (the
    services know the person from the catalog's events)."""

    def over_http(name: str) -> httpx.WSGITransport:
        return httpx.WSGITransport(app=platform.apps[name])

    portal = create_app(
        {"IPMARKET_PORTAL_SECRET_KEY": "integration test secret of the portal"},
        CatalogApi("http://catalog", transport=over_http("catalog")),
        licensing_api=LicensingApi("http://licensing", transport=over_http("licensing")),
        notify_api=NotifyApi("http://notify", transport=over_http("notify")),
    )
    client = portal.test_client()
    token = csrf(client.get("/sign-in").text)
    answer = client.post(
        "/sign-in", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD}
    )
    assert answer.status_code == 303, answer.text
    wait_until(
        lambda: client.get(first_page).status_code == 200,
        timeout=30,
        what="the services accepting the member's token",
    )
    return client
