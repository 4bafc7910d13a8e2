"""The operator console in Debian's Chromium against the real services (on PostgreSQL and
Kafka): an export reviewer clears a request in the queue in Simplified Chinese, an operator
(password and TOTP) approves an organisation's application and publishes a new screening
rule-set version after seeing its diff. Bad input is shown beside its field in the page's
language and changes nothing; every page passes axe-core; screenshots in docs/screenshots/."""

from __future__ import annotations

import time

from tests.e2e.portal.console.conftest import (
    OPERATOR_EMAIL,
    OPERATOR_PASSWORD,
    REVIEWER_EMAIL,
    REVIEWER_PASSWORD,
)
from tests.e2e.portal.test_storefront import assert_accessible, shot
from tests.integration.portal.test_console import a_request_in_export_review
from tests.integration.shared.test_people_journey import ok
from tests.support import wait_until


def sign_in(page, marketplace, email: str, password: str, totp=None) -> None:
    page.goto(f"{marketplace.portal}/sign-in?next=/console/")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form.narrow button[type=submit]").click()
    if totp is not None:
        page.locator("#code").fill(totp.at(time.time() + totp.interval))
        page.locator("form.narrow button[type=submit]").click()
    page.wait_for_url("**/console/")


def licensing_knows(marketplace, token: str, path: str = "/v1/license-requests") -> None:
    wait_until(
        lambda: marketplace.platform.status("licensing", path, token) == 200,
        timeout=30,
        what="licensing knowing the person",
    )


def test_an_export_reviewer_clears_a_request_in_simplified_chinese(marketplace, open_page):
    request = a_request_in_export_review(marketplace.platform, marketplace.operator)
    page = open_page("zh-CN")
    page.expected_statuses.add(422)  # the bad input's answer
    sign_in(page, marketplace, REVIEWER_EMAIL, REVIEWER_PASSWORD)
    assert page.get_by_role("link", name="出口审查").first.is_visible()
    assert page.get_by_role("link", name="筛查规则").count() == 0  # operators' pages only

    page.get_by_role("link", name="出口审查").first.click()
    row = page.locator("tbody tr", has_text="Tianhe SoC")
    wait_until(lambda: row.count() == 1 or page.reload() and False, timeout=30, what="queue")
    assert "先进集成电路技术：需要出口审查" in row.inner_text()
    assert "ADVANCED_IC_TECHNOLOGY_REVIEW" not in page.content()
    assert_accessible(page)
    shot(page, "console-reviews-zh-Hans")

    row.get_by_role("link", name="Tianhe SoC").click()
    page.get_by_label("放行：可以出口").check()
    page.get_by_role("button", name="记录决定").click()  # no comment
    comment = page.get_by_label("意见（被授权方和供应商可见）")
    assert comment.get_attribute("aria-invalid") == "true"
    assert page.locator("#comment-error").inner_text() == "请填写意见：它会与决定一起保存。"
    assert_accessible(page)
    shot(page, "console-review-error-zh-Hans")
    licensing = marketplace.platform.clients["licensing"]
    path = f"/v1/license-requests/{request['id']}"
    assert ok(licensing.get(path, headers=marketplace.operator))["state"] == "screening"

    comment.fill("最终用途已核实：消费类芯片。")
    page.get_by_role("button", name="记录决定").click()
    page.wait_for_url("**/console/reviews")
    assert page.get_by_role("status").inner_text() == "已放行：申请转交供应商。"
    assert page.locator("tbody tr", has_text="Tianhe SoC").count() == 0
    decided = ok(licensing.get(path, headers=marketplace.operator))
    assert decided["state"] != "screening"
    assert decided["comments"][-1]["decision"] == "review_allow"


def test_an_operator_approves_an_application(marketplace, open_page):
    catalog = marketplace.platform.clients["catalog"]
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
    page = open_page("en")
    page.expected_statuses.add(422)  # the bad input's answer
    sign_in(page, marketplace, OPERATOR_EMAIL, OPERATOR_PASSWORD, marketplace.operator_totp)
    assert_accessible(page)
    shot(page, "console-en")
    page.get_by_role("link", name="Applications").first.click()
    page.get_by_label("Application id").fill(application["id"])
    page.get_by_label("Decline").check()
    page.get_by_role("button", name="Record the decision").click()
    assert page.locator("#reason-error").inner_text() == (
        "Give the applicant the reason for declining."
    )
    assert_accessible(page)

    page.get_by_label("Approve").check()
    page.get_by_label("Reason (the applicant is told it)").fill("Registration checked.")
    page.get_by_role("button", name="Record the decision").click()
    status = page.get_by_role("status").inner_text()
    assert "Shanghai Xinyuan Microelectronics (上海芯源微电子): Approved." in status
    assert_accessible(page)
    shot(page, "console-application-approved-en")

    page.get_by_role("link", name="Organisations").first.click()
    assert page.locator("tbody tr", has_text="Shanghai Xinyuan Microelectronics").count() == 1
    assert_accessible(page)
    shot(page, "console-organisations-en")


def test_an_operator_publishes_a_new_rule_set_version_with_its_diff(marketplace, open_page):
    licensing_knows(marketplace, marketplace.operator["Authorization"][7:], "/v1/screening/rules")
    page = open_page("en")
    page.expected_statuses.add(422)  # the bad input's answer
    sign_in(page, marketplace, OPERATOR_EMAIL, OPERATOR_PASSWORD, marketplace.operator_totp)
    page.get_by_role("link", name="Screening rules").first.click()
    assert page.get_by_role("heading", name="Screening rules, version 1").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Write a new version").click()

    rules = page.locator("#rules")
    original = rules.input_value()
    rules.fill("riscv-ve 3E001 VE review\n" + original)  # a column short
    page.get_by_label("What changes and why").fill("Review 3E001 to Venezuela first")
    page.get_by_role("button", name="Publish this version").click()
    assert "Line 1 has 4 columns" in page.locator("#rules-error").inner_text()
    assert rules.get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    shot(page, "console-rules-error-en")

    new_line = "riscv-ve 3E001 VE review ADVANCED_IC_TECHNOLOGY_REVIEW"
    rules.fill(new_line + "\n" + original)
    page.get_by_role("button", name="Show the changes").click()
    added = page.locator("ol.diff-lines li.added")
    assert added.count() == 1 and new_line in added.inner_text()
    assert_accessible(page)
    shot(page, "console-rules-diff-en")
    current = marketplace.platform.clients["licensing"].get(
        "/v1/screening/rules", headers=marketplace.operator
    )
    assert current.json["version"] == 1  # shown, not yet published

    page.get_by_role("button", name="Publish this version").click()
    page.wait_for_url("**/console/rules/2")
    assert page.get_by_role("heading", name="Changes from version 1").is_visible()
    assert page.locator("ol.diff-lines li.added").count() == 1
    assert_accessible(page)
    shot(page, "console-rules-version-en")

    phone = open_page("zh-CN", width=375)
    sign_in(phone, marketplace, OPERATOR_EMAIL, OPERATOR_PASSWORD, marketplace.operator_totp)
    phone.goto(f"{marketplace.portal}/console/rules")
    assert phone.get_by_role("heading", name="筛查规则第 2 版").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(phone)
    shot(phone, "console-rules-375px-zh-Hans")
