"""The operator console in Debian's Chromium against the whole marketplace (every service,
relay and consumer as processes on PostgreSQL and Kafka: tests/e2e/portal/marketplace.py): an
export reviewer clears a request in the queue in Simplified Chinese, the operator approves an
organisation's application and publishes a new screening rule-set version after seeing its
diff. Bad input is shown beside its field in the page's language and changes nothing; every
page passes axe-core; screenshots in docs/screenshots/console-*.png."""

from __future__ import annotations

import uuid

import requests

from tests.e2e.portal.test_storefront import assert_accessible, shot


def api(marketplace, method: str, service: str, path: str, token: str, **kwargs) -> dict:
    answer = requests.request(
        method,
        f"{getattr(marketplace, service)}{path}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
        **kwargs,
    )
    assert answer.status_code < 300, (answer.status_code, answer.text)
    return answer.json()


def a_request_in_export_review(marketplace) -> dict:
    """Lakeside asks for Pengcheng's PCIe 5.0 controller (ECCN 3E001) for use in China:
    screening sends it to export review (ADVANCED_IC_TECHNOLOGY_REVIEW)."""
    found = requests.get(
        f"{marketplace.catalog}/v1/cores", params={"q": "PCIe 5.0 controller"}, timeout=10
    ).json()["items"]
    versions = [c for c in found if c["vlnv"]["name"] == "pcie5_ctrl"]  # one core a version
    latest = max(versions, key=lambda c: [int(n) for n in c["vlnv"]["version"].split(".")])
    core = requests.get(f"{marketplace.catalog}/v1/cores/{latest['id']}", timeout=10).json()
    offer = next(o for o in core["offers"] if o["kind"] == "evaluation")
    body = {
        "core_id": core["id"],
        "offer_id": offer["offer_id"],
        "project_name": f"Tianhe SoC {uuid.uuid4().hex[:6]}",
        "intended_use": "PCIe 5.0 root complex in a data-centre SoC",
        "end_use_country": "CN",
    }
    key = marketplace.organisations["lakeside"]["api_key"]
    request = api(marketplace, "POST", "licensing", "/v1/license-requests", key, json=body)
    assert request["screening"]["reason_code"] == "ADVANCED_IC_TECHNOLOGY_REVIEW", request
    return request


def test_an_export_reviewer_clears_a_request_in_simplified_chinese(marketplace, people, open_page):
    request = a_request_in_export_review(marketplace)
    page = open_page("zh-CN")
    page.expected_statuses.add(422)  # the bad input's answer
    marketplace.sign_in(page, people.export_reviewer, "/console/")
    assert page.get_by_role("link", name="筛查规则").count() == 0  # operators' pages only

    page.get_by_role("link", name="出口审查").first.click()
    row = page.locator("tbody tr", has_text=request["project_name"])
    assert row.count() == 1
    assert "先进集成电路技术：需要出口审查" in row.inner_text() and "中国" in row.inner_text()
    assert "ADVANCED_IC_TECHNOLOGY_REVIEW" not in page.content()
    assert_accessible(page)
    shot(page, "console-reviews-zh-Hans")

    row.get_by_role("link", name=request["project_name"]).click()
    page.get_by_label("放行：可以出口").check()
    page.get_by_role("button", name="记录决定").click()  # no comment
    comment = page.get_by_label("意见（被授权方和供应商可见）")
    assert comment.get_attribute("aria-invalid") == "true"
    assert page.locator("#comment-error").inner_text() == "请填写意见：它会与决定一起保存。"
    assert_accessible(page)
    shot(page, "console-review-error-zh-Hans")
    token = marketplace.token(people.operator)
    path = f"/v1/license-requests/{request['id']}"
    assert api(marketplace, "GET", "licensing", path, token)["state"] == "screening"

    comment.fill("最终用途已核实：数据中心芯片。")
    page.get_by_role("button", name="记录决定").click()
    page.wait_for_url("**/console/reviews")
    assert page.get_by_role("status").inner_text() == "已放行：申请转交供应商。"
    assert page.locator("tbody tr", has_text=request["project_name"]).count() == 0
    decided = api(marketplace, "GET", "licensing", path, token)
    assert decided["state"] != "screening"
    assert decided["comments"][-1]["decision"] == "review_allow"


def test_the_operator_approves_an_application(marketplace, people, open_page):
    name = f"Shanghai Xinyuan Microelectronics {uuid.uuid4().hex[:6]}"
    answer = requests.post(
        f"{marketplace.catalog}/v1/organisation-applications",
        json={
            "legal_name_en": name,
            "legal_name_zh": "上海芯源微电子",
            "country": "CN",
            "registration_number": "91310115MA1K4QXX2L",
            "roles": ["vendor"],
            "contact_name": "Zhang Min",
            "contact_email": f"zhang.min.{uuid.uuid4().hex[:6]}@xinyuan-micro.example",
        },
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    application = answer.json()
    page = open_page("en")
    page.expected_statuses.add(422)  # the bad input's answer
    marketplace.sign_in(page, people.operator, "/console/")
    assert_accessible(page)
    shot(page, "console-en")
    page.get_by_role("link", name="Applications").first.click()
    assert page.locator("tbody tr", has_text=name).count() == 1  # listed: waiting
    page.get_by_role("link", name=f"Decide on {name}").click()
    assert page.get_by_label("Application id").input_value() == application["id"]
    page.get_by_label("Decline").check()
    page.get_by_role("button", name="Record the decision").click()
    assert page.locator("#reason-error").inner_text() == (
        "Give the applicant the reason for declining."
    )
    assert_accessible(page)

    page.get_by_label("Approve").check()
    page.get_by_label("Reason (the applicant is told it)").fill("Registration checked.")
    page.get_by_role("button", name="Record the decision").click()
    assert f"{name} (上海芯源微电子): Approved." in page.get_by_role("status").inner_text()
    assert_accessible(page)
    shot(page, "console-application-approved-en")

    page.get_by_role("link", name="Organisations").first.click()
    assert page.locator("tbody tr", has_text=name).count() == 1  # the demo fits one page
    assert_accessible(page)
    shot(page, "console-organisations-en")


def test_the_operator_publishes_a_new_rule_set_version_with_its_diff(
    marketplace, people, open_page
):
    page = open_page("en")
    page.expected_statuses.add(422)  # the bad input's answer
    marketplace.sign_in(page, people.operator, "/console/")
    page.get_by_role("link", name="Screening rules").first.click()
    token = marketplace.token(people.operator)
    version = api(marketplace, "GET", "licensing", "/v1/screening/rules", token)["version"]
    assert page.get_by_role("heading", name=f"Screening rules, version {version}").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Write a new version").click()

    rules = page.locator("#rules")
    original = rules.input_value()
    rules.fill("ve-3e001 3E001 VE review\n" + original)  # a column short
    page.get_by_label("What changes and why").fill("Review 3E001 to Venezuela first")
    page.get_by_role("button", name="Publish this version").click()
    assert "Line 1 has 4 columns" in page.locator("#rules-error").inner_text()
    assert rules.get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    shot(page, "console-rules-error-en")

    # The same screening as before (3e001-review covers VE already): other tests unaffected.
    new_line = f"ve-3e001-{uuid.uuid4().hex[:6]} 3E001 VE review ADVANCED_IC_TECHNOLOGY_REVIEW"
    rules.fill(new_line + "\n" + original)
    page.get_by_role("button", name="Show the changes").click()
    added = page.locator("ol.diff-lines li.added")
    assert added.count() == 1 and new_line in added.inner_text()
    assert_accessible(page)
    shot(page, "console-rules-diff-en")
    assert api(marketplace, "GET", "licensing", "/v1/screening/rules", token)["version"] == version

    page.get_by_role("button", name="Publish this version").click()
    page.wait_for_url(f"**/console/rules/{version + 1}")
    assert page.get_by_role("heading", name=f"Changes from version {version}").is_visible()
    assert page.locator("ol.diff-lines li.added").count() == 1
    assert_accessible(page)
    shot(page, "console-rules-version-en")

    phone = open_page("zh-CN", width=375)
    marketplace.sign_in(phone, people.operator, "/console/rules")
    assert phone.get_by_role("heading", name=f"筛查规则第 {version + 1} 版").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(phone)
    shot(phone, "console-rules-375px-zh-Hans")
