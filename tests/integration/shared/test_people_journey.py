"""Issue 15's journey of people, end to end on PostgreSQL and Kafka, through the services' HTTP
APIs: an organisation applies → an operator (password and TOTP) approves → its owner is invited
→ accepts with a password, sets up TOTP and signs in → invites an approver → the approver joins
and signs in → approves a licensee's request on the licensing service with their access token →
the licensing audit names them and the organisation they acted for.

The first operator is made by `ipmarket admin create` (the command line: the platform has no
operator to ask over HTTP yet). Every other step is an HTTP request; the licensing service
learns the vendor's people, memberships, token keys and core only by the catalog's events."""

from __future__ import annotations

import json
import time

import pyotp
import sqlalchemy as sa
from click.testing import CliRunner

from ipmarket.cli import main
from shared.events import people as events
from tests.support import wait_until

VENDOR_EN, VENDOR_ZH = "Shanghai Xinyuan Microelectronics", "上海芯源微电子"
OPERATOR_EMAIL, OPERATOR_PASSWORD = "ops@vip-platform.hk", "harbour lantern quiet 19"
OWNER_EMAIL, OWNER_PASSWORD = "zhang.min@xinyuan-micro.cn", "bamboo ferry copper 83"
APPROVER_EMAIL, APPROVER_PASSWORD = "li.wei@xinyuan-micro.cn", "plum kettle orbit 47"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(True))
    return response.json


def invitation_link(platform, email: str) -> str:
    """The link token of the e-mail inviting `email`: the MEMBER_INVITED event's."""
    outbox = platform.catalog.outbox_model.__table__
    with platform.catalog.engine.connect() as conn:
        payloads = conn.execute(
            sa.select(outbox.c.payload)
            .where(outbox.c.event_type == events.MEMBER_INVITED)
            .order_by(outbox.c.seq)
        ).scalars()
        [data] = [d for d in (json.loads(p)["data"] for p in payloads) if d["email"] == email]
    return data["link_token"]


def next_code(generator: pyotp.TOTP) -> str:
    """A code the catalog has not seen: each works once, and one step ahead is accepted."""
    return generator.at(time.time() + generator.interval)


def sign_in_with_totp(catalog, email: str, password: str, generator: pyotp.TOTP) -> dict:
    first = ok(catalog.post("/v1/sessions", json={"email": email, "password": password}), 201)
    assert first["status"] == "second_factor_needed", first
    body = {"second_factor_token": first["second_factor_token"], "code": next_code(generator)}
    signed_in = ok(catalog.post("/v1/sessions/second-factor", json=body), 201)
    assert signed_in["status"] == "signed_in"
    return signed_in


def set_up_totp(catalog, email: str, password: str) -> tuple[pyotp.TOTP, dict]:
    """A sign-in that must first set up a second factor: the secret, then its first code."""
    first = ok(catalog.post("/v1/sessions", json={"email": email, "password": password}), 201)
    assert first["status"] == "second_factor_setup_needed", first
    token = first["second_factor_token"]
    secret = ok(
        catalog.post("/v1/sessions/second-factor/setup", json={"second_factor_token": token}), 201
    )
    generator = pyotp.parse_uri(secret["otpauth_uri"])
    body = {"second_factor_token": token, "code": generator.now()}
    signed_in = ok(catalog.post("/v1/sessions/second-factor/confirm", json=body), 201)
    assert signed_in["status"] == "signed_in" and len(signed_in["recovery_codes"]) == 10
    return generator, signed_in


def test_an_approver_invited_by_the_owner_of_an_approved_applicant_is_named_in_the_audit(
    platform,
):
    catalog, licensing = platform.clients["catalog"], platform.clients["licensing"]

    # The platform's first operator: the command line (no HTTP endpoint makes one).
    made = CliRunner().invoke(
        main,
        [
            "admin",
            "create",
            "--name",
            "Virtual IP Platform",
            "--country",
            "HK",
            "--email",
            OPERATOR_EMAIL,
            "--operator-name",
            "Chan Tai Man",
        ],
        input=f"{OPERATOR_PASSWORD}\n{OPERATOR_PASSWORD}\n",
        catch_exceptions=False,
    )
    assert made.exit_code == 0, made.output
    # Operators always need a second factor: the first sign-in sets it up.
    _, operator_session = set_up_totp(catalog, OPERATOR_EMAIL, OPERATOR_PASSWORD)
    operator = bearer(operator_session["access_token"])

    # The vendor applies, anonymously; the operator approves.
    application = ok(
        catalog.post(
            "/v1/organisation-applications",
            json={
                "legal_name_en": VENDOR_EN,
                "legal_name_zh": VENDOR_ZH,
                "country": "CN",
                "registration_number": "91310115MA1K4QXX2L",
                "roles": ["vendor"],
                "contact_name": "Zhang Min",
                "contact_email": OWNER_EMAIL,
                "locale": "zh-Hans",
                "timezone": "Asia/Shanghai",
            },
        ),
        201,
    )
    assert application["status"] == "pending"
    approved = ok(
        catalog.post(
            f"/v1/organisation-applications/{application['id']}/approve",
            json={"reason": "registration checked"},
            headers=operator,
        )
    )
    assert approved["status"] == "approved"
    vendor_id = approved["organisation_id"]

    # The owner accepts the approval's invitation, signs in once with the password alone,
    # requires a second factor of the organisation's members, and then signs in with TOTP.
    joined = ok(
        catalog.post(
            "/v1/invitations/accept",
            json={
                "token": invitation_link(platform, OWNER_EMAIL),
                "name_en": "Zhang Min",
                "name_zh": "张敏",
                "password": OWNER_PASSWORD,
            },
        ),
        201,
    )
    assert (joined["organisation_id"], joined["roles"]) == (vendor_id, ["owner"])
    first = ok(
        catalog.post("/v1/sessions", json={"email": OWNER_EMAIL, "password": OWNER_PASSWORD}),
        201,
    )
    assert first["status"] == "signed_in"
    ok(
        catalog.put(
            f"/v1/organisations/{vendor_id}/second-factor-requirement",
            json={"required": True},
            headers=bearer(first["access_token"]),
        )
    )
    owner_totp, _ = set_up_totp(catalog, OWNER_EMAIL, OWNER_PASSWORD)
    owner = bearer(
        sign_in_with_totp(catalog, OWNER_EMAIL, OWNER_PASSWORD, owner_totp)["access_token"]
    )

    # The owner invites an approver, who joins and (the organisation requiring it) sets up TOTP.
    invitation = ok(
        catalog.post(
            f"/v1/organisations/{vendor_id}/invitations",
            json={"email": APPROVER_EMAIL, "roles": ["approver"]},
            headers=owner,
        ),
        201,
    )
    assert invitation["roles"] == ["approver"]
    member = ok(
        catalog.post(
            "/v1/invitations/accept",
            json={
                "token": invitation_link(platform, APPROVER_EMAIL),
                "name_en": "Li Wei",
                "name_zh": "李伟",
                "password": APPROVER_PASSWORD,
            },
        ),
        201,
    )
    _, approver_session = set_up_totp(catalog, APPROVER_EMAIL, APPROVER_PASSWORD)
    approver = bearer(approver_session["access_token"])

    # The vendor's core: its VLNV vendor name confirmed by the operator, published by the owner.
    claim = ok(
        catalog.post(
            f"/v1/organisations/{vendor_id}/vendor-name-claims",
            json={"name": "xinyuan-micro.cn"},
            headers=owner,
        ),
        201,
    )
    ok(catalog.post(f"/v1/vendor-name-claims/{claim['id']}/confirm", json={}, headers=operator))
    core = ok(catalog.post("/v1/cores", json=CORE, headers=owner), 201)
    core = ok(catalog.post(f"/v1/cores/{core['id']}/publish", headers=owner))
    [offer] = [o for o in core["offers"] if o["kind"] == "single_project"]

    # A licensee, registered by the operator, with an API key (a machine of theirs).
    licensee = ok(
        catalog.post(
            "/v1/organisations",
            json={"legal_name_en": "Pearl Delta Devices", "country": "HK", "roles": ["licensee"]},
            headers=operator,
        ),
        201,
    )
    licensee_key = ok(
        catalog.post(
            f"/v1/organisations/{licensee['id']}/api-keys",
            json={"name": "design flow"},
            headers=operator,
        ),
        201,
    )["api_key"]

    # Licensing learns the licensee's key, the approver (person, membership, token key) and
    # the core from the catalog's events alone: each is waited for, then used once.
    for credential in (licensee_key, approver_session["access_token"]):
        wait_until(
            lambda c=credential: platform.status("licensing", "/v1/license-requests", c) == 200,
            timeout=30,
            what="licensing accepting the credential",
        )
    request_body = {
        "core_id": core["id"],
        "offer_id": offer["offer_id"],
        "project_name": "Tianhe SoC",
        "intended_use": "USB 3.2 host controller in a consumer SoC",
        "end_use_country": "SG",
    }

    def submitted():
        response = licensing.post(
            "/v1/license-requests", json=request_body, headers=bearer(licensee_key)
        )
        if response.status_code == 201:
            return response.json
        # Only one refusal is worth waiting out: the core's event has not arrived yet.
        assert "core_id" in [e.get("field") for e in response.json.get("errors", [])], (
            response.status_code,
            response.json,
        )
        return None

    request = wait_until(submitted, timeout=30, what="licensing knowing the vendor's core")
    assert (request["state"], request["vendor_id"]) == ("pending_approval", vendor_id), request

    decision = ok(
        licensing.post(
            f"/v1/license-requests/{request['id']}/approve",
            json={"comment": "export checked"},
            headers=approver,
        )
    )
    assert decision["state"] == "approved", decision

    entries = ok(
        licensing.get("/v1/audit", query_string={"subject_id": request["id"]}, headers=approver)
    )["items"]
    [entry] = [e for e in entries if e["action"] == "request.approved"]
    assert entry["actor"] == {
        "kind": "person",
        "id": member["person_id"],
        "name": "李伟",
        "organisation_id": vendor_id,
        "organisation_name_en": VENDOR_EN,
        "organisation_name_zh": VENDOR_ZH,
    }


CORE = {
    "vlnv": {
        "vendor": "xinyuan-micro.cn",
        "library": "interfaces",
        "name": "usb3_phy",
        "version": "1.2.0",
    },
    "title_en": "USB 3.2 PHY",
    "title_zh": "USB 3.2 物理层",
    "description_en": "USB 3.2 Gen 2 PHY hard macro.",
    "category": "interface_controllers_phys",
    "deliverable_kinds": ["hard_macro_gdsii", "documentation"],
    "standards": ["USB 3.2"],
    "targets": [{"foundry": "SMIC", "node": "28nm", "maturity": "silicon_proven"}],
    "eccn": "EAR99",
    "territory_restrictions": [],
    "deliverables": [{"kind": "hard_macro_gdsii", "name": "usb3_phy.gds", "sha256": "ab" * 32}],
    "documents": [{"kind": "datasheet", "title": "Datasheet", "sha256": "cd" * 32}],
    "offers": [
        {
            "kind": "single_project",
            "price": {"amount": "120000", "currency": "CNY"},
            "requires_approval": True,
        },
        {"kind": "evaluation", "term_months": 3, "requires_approval": False},
    ],
}
