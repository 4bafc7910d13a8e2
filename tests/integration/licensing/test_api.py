"""The licensing HTTP API in-process, on SQLite and on PostgreSQL: requests, screening,
decisions, licenses and their lifecycle, access rules, idempotency, rule changes."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pytest
import sqlalchemy as sa

from services.licensing.models import KnownApiKey
from shared.db.schema import utcnow
from shared.directory import Directory
from tests.integration.licensing.conftest import request_body
from tests.support import wait_until

pytestmark = pytest.mark.databases("sqlite", "postgresql")


def submit(client, party, body, key=None):
    headers = dict(party.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/v1/license-requests", json=body, headers=headers)


def events_of(market, event_type):
    with market.context.engine.connect() as conn:
        rows = (
            conn.execute(
                sa.text("SELECT payload FROM outbox WHERE event_type = :t ORDER BY seq"),
                {"t": event_type},
            )
            .scalars()
            .all()
        )
    return [json.loads(r)["data"] for r in rows]


def test_request_approved_by_the_vendor_issues_a_signed_license(client, market):
    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(vendor)
    response = submit(client, licensee, request_body(core), key="k-1")
    assert response.status_code == 201, response.json
    req = response.json
    assert req["state"] == "pending_approval"
    assert req["screening"] == {
        "outcome": "allow",
        "reason_code": "EAR99_NO_LICENSE_REQUIRED",
        "rule_id": "ear99",
        "rule_set_version": 1,
    }
    assert req["version_constraint"] == "==1.2.0"

    response = client.post(
        f"/v1/license-requests/{req['id']}/approve",
        json={"comment": "welcome aboard"},
        headers=vendor.headers,
    )
    assert response.status_code == 200, response.json
    assert response.json["state"] == "issued"
    license_id = response.json["license_id"]

    lic = client.get(f"/v1/licenses/{license_id}", headers=licensee.headers).json
    assert lic["state"] == "active"
    claims = lic["claims"]
    assert claims["jti"] == license_id
    assert claims["vendor"] == vendor.organisation_id
    assert claims["licensee"] == licensee.organisation_id
    assert claims["core"]["vlnv"]["name"] == "usb3_phy"
    assert claims["scope"] == {"kind": "project", "project": "Tianhe SoC"}
    assert claims["seats"] == 5 and claims["territory"] == ["SG"]
    assert [d["sha256"] for d in claims["deliverables"]] == ["a" * 64, "b" * 64]
    assert claims["exp"] > claims["nbf"]

    file = client.get(f"/v1/licenses/{license_id}/file", headers=licensee.headers)
    assert file.status_code == 200
    assert file.text.startswith("-----BEGIN IPMARKET LICENSE-----")
    verified = client.post("/v1/licenses/verify", json={"license": file.text}).json
    assert verified["result"] == "VALID" and verified["license_id"] == license_id

    assert [e["request_id"] for e in events_of(market, "ipmarket.license.requested.v1")] == [
        req["id"]
    ]
    assert events_of(market, "ipmarket.license.approved.v1")[0]["reason"] == "welcome aboard"
    issued = events_of(market, "ipmarket.license.issued.v1")
    assert [e["license_id"] for e in issued] == [license_id]
    assert issued[0]["vendor_id"] == vendor.organisation_id

    actions = [
        e["action"]
        for e in client.get("/v1/audit", headers=market.parties["admin"].headers).json["items"]
    ]
    assert actions == [
        "request.submitted",
        "request.screened",
        "request.approved",
        "license.issued",
    ]


def test_offer_without_approval_is_issued_at_once(client, market):
    core = market.core(market.parties["vendor"])
    response = submit(
        client,
        market.parties["licensee"],
        request_body(core, offer_id="eval", version_range=">=1.0,<2.0"),
    )
    assert response.status_code == 201
    assert response.json["state"] == "issued"
    assert response.json["version_constraint"] == ">=1.0,<2.0"
    lic = client.get(
        f"/v1/licenses/{response.json['license_id']}", headers=market.parties["licensee"].headers
    ).json
    assert lic["claims"]["scope"] == {"kind": "evaluation"}
    body = {"license": lic["token"]}
    assert (
        client.post(
            "/v1/licenses/verify", json={**body, "core": "pearlriver.hk:interfaces:usb3_phy:1.9"}
        ).json["result"]
        == "VALID"
    )
    assert (
        client.post(
            "/v1/licenses/verify", json={**body, "core": "pearlriver.hk:interfaces:usb3_phy:2.0"}
        ).json["result"]
        == "WRONG_CORE"
    )
    assert (
        client.post(
            "/v1/licenses/verify", json={**body, "core": "pearlriver.hk:interfaces:pcie_phy:1.2"}
        ).json["result"]
        == "WRONG_CORE"
    )


def test_screening_denial_is_recorded_with_its_reason_and_issues_nothing(client, market):
    core = market.core(market.parties["vendor"], eccn="3E001")
    response = submit(client, market.parties["licensee"], request_body(core, end_use_country="IR"))
    assert response.status_code == 201
    assert response.json["state"] == "denied"
    assert response.json["screening"]["reason_code"] == "EMBARGOED_DESTINATION"
    assert response.json["screening"]["rule_id"] == "embargo"
    assert events_of(market, "ipmarket.license.denied.v1")[0]["reason"] == "EMBARGOED_DESTINATION"
    assert market.count("license") == 0


def test_review_then_admin_allows_and_vendor_approves(client, market):
    vendor, admin = market.parties["vendor"], market.parties["admin"]
    core = market.core(vendor, eccn="3E001")
    req = submit(client, market.parties["licensee"], request_body(core, end_use_country="CN")).json
    assert (req["state"], req["screening"]["outcome"]) == ("screening", "review")
    # The vendor cannot approve before screening has cleared it.
    assert (
        client.post(
            f"/v1/license-requests/{req['id']}/approve", json={}, headers=vendor.headers
        ).status_code
        == 409
    )
    response = client.post(
        f"/v1/license-requests/{req['id']}/review",
        json={"outcome": "allow", "comment": "end user checked"},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.json
    assert response.json["state"] == "pending_approval"
    assert (
        client.post(
            f"/v1/license-requests/{req['id']}/reject",
            json={"comment": "no capacity"},
            headers=vendor.headers,
        ).json["state"]
        == "rejected"
    )
    assert events_of(market, "ipmarket.license.rejected.v1")[0]["reason"] == "no capacity"


def test_the_review_comment_and_the_vendors_comment_are_both_kept(client, market):
    vendor, admin = market.parties["vendor"], market.parties["admin"]
    licensee = market.parties["licensee"]
    core = market.core(vendor, eccn="3E001")
    req = submit(client, licensee, request_body(core, end_use_country="CN")).json
    assert req["comments"] == []
    before = utcnow()
    client.post(
        f"/v1/license-requests/{req['id']}/review",
        json={"outcome": "allow", "comment": "civil end use"},
        headers=admin.headers,
    )
    approved = client.post(
        f"/v1/license-requests/{req['id']}/approve",
        json={"comment": "welcome aboard"},
        headers=vendor.headers,
    )
    assert approved.status_code == 200, approved.json
    for who in (licensee, vendor, admin):
        comments = client.get(f"/v1/license-requests/{req['id']}", headers=who.headers).json[
            "comments"
        ]
        assert [
            (c["author_id"], c["author_role"], c["decision"], c["comment"]) for c in comments
        ] == [
            (admin.organisation_id, "admin", "review_allow", "civil end use"),
            (vendor.organisation_id, "vendor", "approved", "welcome aboard"),
        ]
        written = [datetime.fromisoformat(c["at"]) for c in comments]
        assert before <= written[0] <= written[1] <= utcnow()
    assert approved.json["comments"] == comments
    # An approval without a comment adds none (and keeps the review's).
    other = submit(client, licensee, request_body(core, end_use_country="CN")).json
    client.post(
        f"/v1/license-requests/{other['id']}/review",
        json={"outcome": "allow", "comment": "checked"},
        headers=admin.headers,
    )
    approved = client.post(
        f"/v1/license-requests/{other['id']}/approve", json={}, headers=vendor.headers
    ).json
    assert [c["comment"] for c in approved["comments"]] == ["checked"]


@pytest.mark.parametrize("country", ["ZZ", "XX", "AA", "QM", "UK", "C1", "ÄÖ"])
def test_a_country_that_does_not_exist_is_refused_on_every_country_field(client, market, country):
    vendor, licensee, admin = (market.parties[n] for n in ("vendor", "licensee", "admin"))
    core = market.core(vendor, eccn="3E001")
    rules = client.get("/v1/screening/rules", headers=admin.headers).json
    rule = {
        "rule_id": "r",
        "eccn": "EAR99",
        "destinations": ["SG", country],
        "outcome": "allow",
        "reason_code": "OK",
    }
    before = market.counts()
    for method, path, body, who, field in [
        (
            "post",
            "/v1/license-requests",
            request_body(core, end_use_country=country),
            licensee,
            "end_use_country",
        ),
        (
            "post",
            "/v1/quotes",
            {**request_body(core, end_use_country=country), "volume": 10},
            licensee,
            "end_use_country",
        ),
        (
            "put",
            "/v1/screening/rules",
            {"based_on": rules["version"], "rules": [rule], "embargoed": [], "comment": "c"},
            admin,
            "rules.0.destinations.1",
        ),
        (
            "put",
            "/v1/screening/rules",
            {
                "based_on": rules["version"],
                "rules": rules["rules"],
                "embargoed": ["IR", country],
                "comment": "c",
            },
            admin,
            "embargoed.1",
        ),
    ]:
        response = client.open(path, method=method.upper(), json=body, headers=who.headers)
        assert response.status_code == 422, (path, response.json)
        assert response.content_type == "application/problem+json"
        errors = {e["field"]: e["message"] for e in response.json["errors"]}
        assert "ISO 3166-1" in errors[field], response.json
    assert market.counts() == before


def test_a_country_code_in_lower_case_is_accepted_and_kept_upper_case(client, market):
    core = market.core(market.parties["vendor"])
    response = submit(client, market.parties["licensee"], request_body(core, end_use_country="sg"))
    assert response.status_code == 201, response.json
    assert response.json["end_use_country"] == "SG"


def test_access_rules(client, market):
    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    other_licensee, other_vendor = market.parties["other licensee"], market.parties["other vendor"]
    core = market.core(vendor)
    req = submit(client, licensee, request_body(core)).json
    path = f"/v1/license-requests/{req['id']}"
    assert client.get(path, headers=vendor.headers).status_code == 200
    assert client.get(path, headers=market.parties["admin"].headers).status_code == 200
    assert client.get(path, headers=other_licensee.headers).status_code == 404
    assert client.get(path, headers=other_vendor.headers).status_code == 404
    assert client.get("/v1/license-requests", headers=other_licensee.headers).json["items"] == []
    # Only the core's vendor decides; a licensee is no vendor.
    assert client.post(f"{path}/approve", json={}, headers=other_vendor.headers).status_code == 404
    assert client.post(f"{path}/approve", json={}, headers=licensee.headers).status_code == 403
    # Vendors do not request licenses; anonymous callers do nothing.
    assert submit(client, vendor, request_body(core)).status_code == 403
    assert client.get("/v1/licenses").status_code == 401
    license_id = client.post(f"{path}/approve", json={}, headers=vendor.headers).json["license_id"]
    lic_path = f"/v1/licenses/{license_id}"
    assert client.get(lic_path, headers=other_licensee.headers).status_code == 404
    assert client.get(f"{lic_path}/file", headers=other_vendor.headers).status_code == 404
    assert (
        client.post(
            f"{lic_path}/revoke", json={"reason": "x"}, headers=licensee.headers
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{lic_path}/revoke", json={"reason": "x"}, headers=other_vendor.headers
        ).status_code
        == 404
    )
    assert client.get("/v1/audit", headers=other_licensee.headers).json["items"] == []
    assert client.get("/v1/screening/rules", headers=licensee.headers).status_code == 403


def test_lifecycle_suspend_reinstate_renew_revoke(client, market):
    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(vendor, requires_approval=False)
    lic_id = submit(client, licensee, request_body(core)).json["license_id"]
    path = f"/v1/licenses/{lic_id}"
    token = client.get(path, headers=licensee.headers).json["token"]

    def verify(text=None):
        return client.post("/v1/licenses/verify", json={"license": text or token}).json["result"]

    assert (
        client.post(
            f"{path}/suspend", json={"reason": "unpaid invoice"}, headers=vendor.headers
        ).json["state"]
        == "suspended"
    )
    assert verify() == "SUSPENDED"
    assert (
        client.post(f"{path}/renew", json={"months": 1}, headers=vendor.headers).status_code == 409
    )
    assert (
        client.post(f"{path}/reinstate", json={}, headers=vendor.headers).json["state"] == "active"
    )
    assert verify() == "VALID"
    before = client.get(path, headers=licensee.headers).json
    renewed = client.post(f"{path}/renew", json={"months": 12}, headers=vendor.headers).json
    assert renewed["claims"]["revision"] == 2
    assert renewed["expires_at"] > before["expires_at"]
    assert verify(renewed["token"]) == "VALID"
    assert (
        client.post(
            f"{path}/revoke", json={"reason": "breach of contract"}, headers=vendor.headers
        ).json["state"]
        == "revoked"
    )
    assert verify() == "REVOKED" and verify(renewed["token"]) == "REVOKED"
    assert client.post(f"{path}/reinstate", json={}, headers=vendor.headers).status_code == 409
    kinds = [
        e["action"]
        for e in client.get(f"/v1/audit?subject_id={lic_id}", headers=vendor.headers).json["items"]
    ]
    assert kinds == [
        "license.issued",
        "license.suspended",
        "license.reinstated",
        "license.renewed",
        "license.revoked",
    ]
    for what in ("suspended", "reinstated", "renewed", "revoked"):
        assert len(events_of(market, f"ipmarket.license.{what}.v1")) == 1


def test_same_idempotency_key_returns_the_first_result(client, market):
    licensee = market.parties["licensee"]
    core = market.core(market.parties["vendor"], requires_approval=False)
    body = request_body(core)
    first = submit(client, licensee, body, key="order-42")
    again = submit(client, licensee, body, key="order-42")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    before = market.counts()
    other = submit(client, licensee, {**body, "project_name": "another"}, key="order-42")
    assert other.status_code == 422
    assert other.json["errors"][0]["field"] == "Idempotency-Key"
    assert market.counts() == before
    assert market.count("license") == 1
    # Keys are per licensee: another licensee's same key is its own request.
    assert submit(client, market.parties["other licensee"], body, key="order-42").status_code == 201


def test_admin_changes_the_screening_rules_as_a_new_version(client, market):
    admin, licensee = market.parties["admin"], market.parties["licensee"]
    current = client.get("/v1/screening/rules", headers=admin.headers).json
    assert current["version"] == 1 and "not legal advice" in current["comment"]
    rules = [
        {
            "rule_id": "no-ear99-sg",
            "eccn": "EAR99",
            "destinations": ["SG"],
            "outcome": "deny",
            "reason_code": "TEST_DENY",
        }
    ] + current["rules"]
    response = client.put(
        "/v1/screening/rules",
        headers=admin.headers,
        json={
            "based_on": 1,
            "rules": rules,
            "embargoed": current["embargoed"],
            "comment": "deny EAR99 to SG (test)",
        },
    )
    assert response.status_code == 201, response.json
    assert response.json["version"] == 2
    # Announced whole, for the services that screen again (deliverables, at every download).
    with market.context.engine.connect() as conn:
        [payload] = conn.execute(
            sa.text("SELECT payload FROM outbox WHERE event_type = :t"),
            {"t": "ipmarket.screening_rules.published.v1"},
        ).scalars()
    announced = json.loads(payload)["data"]
    assert (announced["version"], announced["rules"]) == (2, rules)
    assert announced["embargoed"] == sorted(current["embargoed"])
    stale = client.put(
        "/v1/screening/rules",
        headers=admin.headers,
        json={"based_on": 1, "rules": rules, "embargoed": [], "comment": "stale edit"},
    )
    assert stale.status_code == 409
    assert (
        client.get("/v1/screening/rules/1", headers=admin.headers).json["rules"] == current["rules"]
    )
    core = market.core(market.parties["vendor"])
    req = submit(client, licensee, request_body(core)).json
    assert req["screening"] == {
        "outcome": "deny",
        "reason_code": "TEST_DENY",
        "rule_id": "no-ear99-sg",
        "rule_set_version": 2,
    }


def test_jwks_and_status_list_are_public(client, market):
    jwks = client.get("/.well-known/jwks.json").json
    assert [k["kty"] for k in jwks["keys"]] == ["OKP"]
    assert jwks["keys"][0]["alg"] == "EdDSA" and "d" not in jwks["keys"][0]
    status = client.get("/v1/licenses/status-list")
    assert status.status_code == 200 and status.content_type == "application/jwt"
    assert status.text.count(".") == 2


def test_a_remembered_key_is_refused_soon_after_its_revocation_arrives(client, market):
    """The key was just used (so its principal is remembered) when its revocation reaches the
    projection: it is refused within Directory.REMEMBER_SECONDS, well inside the 2 s rule."""
    licensee = market.parties["licensee"]
    assert client.get("/v1/licenses", headers=licensee.headers).status_code == 200
    with market.context.engine.connect() as conn:
        key_id = conn.execute(
            sa.select(KnownApiKey.key_id).where(
                KnownApiKey.organisation_id == licensee.organisation_id
            )
        ).scalar_one()
    market.apply(
        "ipmarket.api_key.revoked.v1",
        licensee.organisation_id,
        {
            "key_id": key_id,
            "organisation_id": licensee.organisation_id,
            "revoked_at": utcnow().isoformat(),
        },
    )
    revoked_at = time.monotonic()
    wait_until(
        lambda: client.get("/v1/licenses", headers=licensee.headers).status_code == 401,
        timeout=2,
        interval=0.02,
        what="the revoked key to be refused",
    )
    assert time.monotonic() - revoked_at < Directory.REMEMBER_SECONDS + 0.25


def test_the_old_paths_answer_308_to_their_v1_form_keeping_the_query(client, market):
    licensee = market.parties["licensee"]
    response = client.get("/license-requests?state=issued&limit=2", headers=licensee.headers)
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/v1/license-requests?state=issued&limit=2")
    moved = client.post("/licenses/verify", json={"license": "x"})
    assert moved.status_code == 308 and moved.headers["Location"].endswith("/v1/licenses/verify")
    followed = client.post("/licenses/verify", json={"license": "x"}, follow_redirects=True)
    assert followed.status_code == 200 and followed.json["result"] == "MALFORMED"
    assert client.get("/.well-known/jwks.json").status_code == 200  # well-known: at the root
    assert client.get("/healthz").status_code == 200


def test_lists_come_in_pages_joined_by_their_next_cursor(client, market):
    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(vendor)
    made = {submit(client, licensee, request_body(core)).json["id"] for _ in range(3)}
    first = client.get("/v1/license-requests?limit=2", headers=licensee.headers).json
    assert len(first["items"]) == 2 and first["next"] is not None
    second = client.get(
        f"/v1/license-requests?limit=2&cursor={first['next']}", headers=licensee.headers
    ).json
    assert second["next"] is None
    assert {r["id"] for r in first["items"] + second["items"]} == made
    audit = client.get("/v1/audit?limit=1", headers=licensee.headers).json
    after = client.get(f"/v1/audit?limit=1&cursor={audit['next']}", headers=licensee.headers)
    assert after.json["items"][0]["seq"] > audit["items"][0]["seq"]


def test_issuing_a_license_reads_once_and_writes_once(client, market):
    """The hot path: a request issued at once reads the core's version, the rule set in force
    and the signing kid in one SELECT (request_reads.py); the rest comes from memory, and every
    row is written at commit (in one statement on PostgreSQL)."""
    vendor, licensee = market.parties["vendor"], market.parties["licensee"]
    core = market.core(vendor, requires_approval=False)
    assert submit(client, licensee, request_body(core)).json["state"] == "issued"  # warm
    statements = []
    engine = market.context.engine

    def note(_conn, _cursor, statement, *_):
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        assert submit(client, licensee, request_body(core)).json["state"] == "issued"
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    assert statements.count("SELECT") == 1, statements
    if engine.dialect.name == "postgresql":
        assert statements.count("INSERT") + statements.count("WITH") == 1, statements
