"""A request for IP in Debian's Chromium against the whole marketplace: a search that finds
nothing offers the request, the licensee's buyer sends it (their contact filled in), and the
vendors publishing cores in the category get it by e-mail in their language (the fixture's
notify writes each message to its mail directory, named by Message-ID)."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from tests.e2e.portal.pages import assert_accessible, close_all, page_opener, shot
from tests.support import wait_until

VENDOR_CONTACT = "chenjing@pengcheng-ip.example"  # Pengcheng publishes PCIe, USB and MIPI cores
NEEDED = "A UCIe 2.0 die-to-die PHY for 3 nm chiplets, 64 lanes, advanced package."


@pytest.fixture
def open_page(browser):
    contexts = []
    yield page_opener(browser, contexts)
    close_all(contexts)


def ip_requests_to(mail_dir: Path, address: str) -> list[email.message.EmailMessage]:
    found = []
    for path in mail_dir.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["X-Ipmarket-Event-Type"] == "ipmarket.ip_request.sent.v1" and address in str(
            message["To"]
        ):
            found.append(message)
    return found


def test_a_search_finding_nothing_sends_a_request_for_ip_to_the_categorys_vendors(
    marketplace, people, open_page
):
    page = open_page("zh-CN")
    page.expected_statuses.add(422)  # the short description's answer
    buyer = people.licensee_buyer
    marketplace.sign_in(page, buyer, "/search?q=UCIe+chiplet+teleporter")
    assert page.locator("#hits-heading").inner_text().startswith("找到 0")
    page.get_by_role("link", name="发送 IP 需求").click()
    page.wait_for_url("**/ip-requests?*")
    assert page.get_by_label("您的电子邮箱").input_value() == buyer.email
    page.get_by_label("类别").select_option("interface_controllers_phys")
    page.get_by_label("您需要什么？").fill("UCIe")  # too short: told beside the field
    page.get_by_role("button", name="提交申请").click()
    assert page.locator("#description-error").inner_text() == "请输入 20 至 2000 个字符。"
    assert_accessible(page)
    page.get_by_label("您需要什么？").fill(NEEDED)
    page.get_by_label("工艺节点（可选）").fill("3nm")
    shot(page, "ip-request-zh-Hans")
    page.get_by_role("button", name="提交申请").click()
    status = page.get_by_role("status")
    assert "已通知" in status.inner_text() and buyer.email in status.inner_text()
    assert_accessible(page)
    shot(page, "ip-request-sent-zh-Hans")

    marketplace.settle()
    mail_dir = Path(marketplace.env["IPMARKET_MAIL_DIR"])
    wait_until(lambda: ip_requests_to(mail_dir, VENDOR_CONTACT), timeout=60)
    [message] = ip_requests_to(mail_dir, VENDOR_CONTACT)
    text = message.get_body(("plain",)).get_content()
    assert message["Subject"] == "IP 需求：接口控制器与 PHY"
    assert NEEDED in text and buyer.email in text and "工艺节点: 3nm" in text
    assert f"{marketplace.portal}/vendor/" in text and "/v1/" not in text
