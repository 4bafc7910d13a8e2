"""The operator console against the real services (catalog, licensing, notify in this process on
PostgreSQL and Kafka, the portal calling them over httpx's WSGI transport): an operator signs in
with password and TOTP, clears a request in the export review queue (zh-Hans), decides an
organisation's application, and publishes a new screening rule-set version after seeing its
diff. Every bad input is answered beside its field in the page's language and changes nothing
at the service."""

from __future__ import annotations

import re

import httpx
import pytest
from click.testing import CliRunner

from ipmarket.cli import main
from services.portal.app import create_app
from services.portal.catalog_api import CatalogApi
from services.portal.licensing_api import LicensingApi
from services.portal.notify_api import NotifyApi
from tests.integration.shared.conftest import Platform
from tests.integration.shared.test_people_journey import (
    CORE,
    bearer,
    next_code,
    ok,
    set_up_totp,
)
from tests.support import wait_until

OPERATOR_EMAIL, OPERATOR_PASSWORD = "ops@vip-platform.hk", "harbour lantern quiet 19"


@pytest.fixture
def platform(platform_env, tmp_path):
    platform = Platform(tmp_path / "store")
    yield platform
    platform.close()


def portal_of(platform: Platform):
    def api(kind, name):
        return kind(f"http://{name}.test", transport=httpx.WSGITransport(app=platform.apps[name]))

    environ = {"IPMARKET_PORTAL_SECRET_KEY": "console integration test secret"}
    return create_app(
        environ,
        api(CatalogApi, "catalog"),
        licensing_api=api(LicensingApi, "licensing"),
        notify_api=api(NotifyApi, "notify"),
    ).test_client()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def post(portal, path: str, data: dict):
    return portal.post(path, data={"csrf_token": csrf_of(portal.get(path).text), **data})


def an_operator_signed_in_to_the_portal(platform: Platform, portal) -> dict:
    """The first operator (`ipmarket admin create`), who is sent to set up a second factor before
    the portal lets them in; then their session in the portal and their bearer header."""
    made = CliRunner().invoke(
        main,
        ["admin", "create", "--name", "Virtual IP Platform", "--country", "HK"]
        + ["--email", OPERATOR_EMAIL, "--operator-name", "Chan Tai Man"],
        input=f"{OPERATOR_PASSWORD}\n{OPERATOR_PASSWORD}\n",
        catch_exceptions=False,
    )
    assert made.exit_code == 0, made.output
    credentials = {"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD, "next": "/console/"}
    held = post(portal, "/sign-in", credentials)
    # A second factor to set up first: sent to set one up, and no session until then.
    assert held.status_code == 303, held.status_code
    assert held.headers["Location"].startswith("/sign-in/authenticator")
    assert portal.get("/console/reviews").headers["Location"].startswith("/sign-in")

    generator, session = set_up_totp(platform.clients["catalog"], OPERATOR_EMAIL, OPERATOR_PASSWORD)
    answer = post(portal, "/sign-in", credentials)
    assert answer.headers["Location"].startswith("/sign-in/code"), answer.status_code
    code = {"code": next_code(generator), "next": "/console/"}
    answer = post(portal, answer.headers["Location"], code)
    assert answer.headers["Location"] == "/console/", answer.text
    return bearer(session["access_token"])


def a_request_in_export_review(platform: Platform, operator: dict) -> dict:
    """A vendor's 3E001 core requested for China: screening sends it to export review."""
    catalog, licensing = platform.clients["catalog"], platform.clients["licensing"]

    def organisation_with_key(name: str, kind: str) -> tuple[dict, str]:
        body = {"legal_name_en": name, "country": "HK", "roles": [kind]}
        org = ok(catalog.post("/v1/organisations", json=body, headers=operator), 201)
        path = f"/v1/organisations/{org['id']}/api-keys"
        key = ok(catalog.post(path, json={"name": "tests"}, headers=operator), 201)["api_key"]
        return org, key

    vendor, vendor_key = organisation_with_key("Xinyuan Micro", "vendor")
    _, licensee_key = organisation_with_key("Pearl Delta Devices", "licensee")
    claim = ok(
        catalog.post(
            f"/v1/organisations/{vendor['id']}/vendor-name-claims",
            json={"name": CORE["vlnv"]["vendor"]},
            headers=bearer(vendor_key),
        ),
        201,
    )
    ok(catalog.post(f"/v1/vendor-name-claims/{claim['id']}/confirm", json={}, headers=operator))
    core = ok(
        catalog.post("/v1/cores", json={**CORE, "eccn": "3E001"}, headers=bearer(vendor_key)), 201
    )
    core = ok(catalog.post(f"/v1/cores/{core['id']}/publish", headers=bearer(vendor_key)))
    [offer] = [o for o in core["offers"] if o["kind"] == "evaluation"]
    body = {
        "core_id": core["id"],
        "offer_id": offer["offer_id"],
        "project_name": "Tianhe SoC",
        "intended_use": "USB 3.2 PHY in a consumer SoC",
        "end_use_country": "CN",
    }

    def submitted():
        answer = licensing.post("/v1/license-requests", json=body, headers=bearer(licensee_key))
        return answer.json if answer.status_code == 201 else None

    request = wait_until(submitted, timeout=30, what="licensing knowing the core and the key")
    assert request["state"] == "screening", request
    assert request["screening"]["reason_code"] == "ADVANCED_IC_TECHNOLOGY_REVIEW"
    return request


def test_an_operator_clears_a_request_in_the_export_review_queue_in_simplified_chinese(platform):
    portal = portal_of(platform)
    operator = an_operator_signed_in_to_the_portal(platform, portal)
    request = a_request_in_export_review(platform, operator)
    portal.set_cookie("ipmarket_locale", "zh_Hans")
    wait_until(
        lambda: (
            platform.status("licensing", "/v1/license-requests", operator["Authorization"][7:])
            == 200
        ),
        timeout=30,
        what="licensing knowing the operator",
    )

    queue = portal.get("/console/reviews").text
    assert "Tianhe SoC" in queue and "先进集成电路技术：需要出口审查" in queue
    assert "ADVANCED_IC_TECHNOLOGY_REVIEW" not in queue  # the code reaches no one raw
    assert "中国" in queue  # the end-use country, named in the page's language

    path = f"/console/reviews/{request['id']}"
    refused = post(portal, path, {"outcome": "allow", "comment": "  "})
    assert refused.status_code == 422
    assert 'id="comment-error"' in refused.text and "请填写意见" in refused.text
    still = ok(
        platform.clients["licensing"].get(f"/v1/license-requests/{request['id']}", headers=operator)
    )
    assert still["state"] == "screening"

    cleared = post(portal, path, {"outcome": "allow", "comment": "最终用途已核实"})
    assert (cleared.status_code, cleared.headers["Location"]) == (303, "/console/reviews")
    decided = ok(
        platform.clients["licensing"].get(f"/v1/license-requests/{request['id']}", headers=operator)
    )
    assert decided["state"] != "screening" and decided["decision_comment"] == "最终用途已核实"
    after = portal.get("/console/reviews").text
    assert "Tianhe SoC" not in after and "已放行" in after

    again = post(portal, path, {"outcome": "deny", "comment": "too late"})
    assert again.status_code == 422 and "不再等待出口审查" in again.text


def test_an_operator_decides_an_application_and_sees_the_organisations(platform):
    portal = portal_of(platform)
    an_operator_signed_in_to_the_portal(platform, portal)
    catalog = platform.clients["catalog"]
    application = ok(
        catalog.post(
            "/v1/organisation-applications",
            json={
                "legal_name_en": "Shanghai Xinyuan Microelectronics",
                "legal_name_zh": "上海芯源微电子",
                "country": "CN",
                "registration_number": "91310115MA1K4QXX2L",
                "roles": ["vendor"],
                "contact_name": "Zhang Min",
                "contact_email": "zhang.min@xinyuan-micro.cn",
            },
        ),
        201,
    )

    unknown = post(
        portal,
        "/console/applications",
        {"application_id": "00000000-0000-4000-8000-000000000000", "decision": "approve"},
    )
    assert unknown.status_code == 422 and "No application has this id." in unknown.text
    portal.set_cookie("ipmarket_locale", "zh_Hant")
    no_reason = post(
        portal,
        "/console/applications",
        {"application_id": application["id"], "decision": "decline"},
    )
    assert no_reason.status_code == 422
    assert 'id="reason-error"' in no_reason.text and "拒絕的原因" in no_reason.text
    portal.set_cookie("ipmarket_locale", "en")

    approved = post(
        portal,
        "/console/applications",
        {"application_id": application["id"], "decision": "approve", "reason": "checked"},
    )
    assert approved.status_code == 200, approved.text
    assert "Shanghai Xinyuan Microelectronics (上海芯源微电子): Approved." in approved.text
    twice = post(
        portal,
        "/console/applications",
        {"application_id": application["id"], "decision": "approve"},
    )
    assert twice.status_code == 422 and "decided already" in twice.text

    organisations = portal.get("/console/organisations").text
    assert "Shanghai Xinyuan Microelectronics" in organisations and "Vendor" in organisations
    dead_letters = portal.get("/console/dead-letters")
    assert dead_letters.status_code == 200 and "every event was handled" in dead_letters.text


def test_an_operator_publishes_a_new_rule_set_version_after_seeing_its_diff(platform):
    portal = portal_of(platform)
    operator = an_operator_signed_in_to_the_portal(platform, portal)
    token = operator["Authorization"][7:]
    wait_until(
        lambda: platform.status("licensing", "/v1/screening/rules", token) == 200,
        timeout=30,
        what="licensing knowing the operator",
    )
    form = portal.get("/console/rules/new").text
    rules = re.search(r'<textarea[^>]*id="rules"[^>]*>\n?(.*?)</textarea>', form, re.S).group(1)
    rules = rules.replace("&#34;", '"').strip()
    assert rules.splitlines()[0].startswith("ear99-ru-by EAR99 RU,BY review")

    def send(action: str, text: str, comment: str = "Review RISC-V cores to Venezuela"):
        body = {"rules": text, "embargoed": "CU, IR, KP, SY", "comment": comment}
        return post(portal, "/console/rules/new", {**body, "based_on": "1", "action": action})

    short = send("publish", rules + "\nriscv-ve 3E001 VE review")
    assert short.status_code == 422 and "Line 9 has 4 columns" in short.text
    bad_eccn = send("publish", rules + "\nriscv-ve 3X9 VE review RISCV_REVIEW")
    assert bad_eccn.status_code == 422 and "Line 9: the ECCN is not accepted." in bad_eccn.text
    assert (
        ok(platform.clients["licensing"].get("/v1/screening/rules", headers=operator))["version"]
        == 1
    )

    new_line = "riscv-ve 3E001 VE review ADVANCED_IC_TECHNOLOGY_REVIEW"
    preview = send("preview", new_line + "\n" + rules)
    assert preview.status_code == 200
    assert '<ins><span class="sign">+</span>' in preview.text and new_line in preview.text

    published = send("publish", new_line + "\n" + rules)
    assert (published.status_code, published.headers["Location"]) == (303, "/console/rules/2")
    version = portal.get("/console/rules/2").text
    assert "Changes from version 1" in version and new_line in version
    current = portal.get("/console/rules").text
    assert "Screening rules, version 2" in current and "/console/rules/1" in current
    stale = send("publish", rules)
    assert stale.status_code == 422 and "changed since this page was opened" in stale.text
