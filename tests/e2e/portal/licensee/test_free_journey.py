"""The free journey from the licensee's side, in Simplified Chinese, in Debian's Chromium
against the whole marketplace: search 控制器, open the PCIe 5.0 controller (ECCN 3E001, so an
end use in China goes to export review), ask for its free evaluation license — a bad version
range is refused beside its field and changes nothing — then, once the platform's export
reviewer has cleared it in the console's review queue and the vendor's approver approved it in
the vendor inbox (each in a browser context of their own, in Chinese), download the license
file, which `ipmarket license verify` finds VALID. Every page passes axe-core and is saved to
docs/screenshots/."""

from __future__ import annotations

import requests

from tests.e2e.portal.licensee.journeys import core_of, licensing, verify_offline
from tests.e2e.portal.pages import assert_accessible, shot


def test_a_buyer_searches_requests_and_downloads_a_license_that_verifies_offline(
    marketplace, people, open_page, tmp_path
):
    buyer = people.licensee_buyer
    core = core_of(marketplace, "pengcheng", "pcie5_ctrl")
    evaluation = next(o for o in core["offers"] if o["kind"] == "evaluation")
    page = open_page("zh-CN")
    marketplace.sign_in(page, buyer, next_path="/")

    page.get_by_label("搜索 IP 核").fill("控制器")
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_url("**/search?q=*")
    page.locator(f"ol.cores h3 a[href='/cores/{core['id']}']").click()
    page.wait_for_url(f"**/cores/{core['id']}")
    page.get_by_role("link", name="申请授权").click()
    page.wait_for_url("**/licensee/requests/new?core=*")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert_accessible(page)

    page.get_by_label("授权方案").select_option(evaluation["offer_id"])
    page.get_by_label("项目").fill("边缘 AI SoC")
    page.get_by_label("预期用途").fill("在 FPGA 开发板上评估")
    page.get_by_label("最终使用国家/地区").select_option("CN")
    # A range the service cannot read: its refusal beside the field, in Chinese; nothing made.
    page.expected_statuses = {422}
    page.get_by_label("涵盖的版本").fill("1.0 到 2.0")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    version_range = page.get_by_label("涵盖的版本")
    assert version_range.get_attribute("aria-invalid") == "true"
    assert (
        page.locator("#version_range-error").inner_text()
        == "不是有效的版本范围，请按 >=1.0,<2.0 这样的格式填写。"
    )
    assert page.get_by_label("项目").input_value() == "边缘 AI SoC"  # kept, to correct
    # (the organisation's other requests, such as the priced journey's, are not this one)
    made = licensing(marketplace, buyer, "GET", "/v1/license-requests")["items"]
    assert [r for r in made if r["project_name"] == "边缘 AI SoC"] == []
    assert_accessible(page)
    shot(page, "licensee-request-error-zh-Hans")

    version_range.fill(">=1.0,<2.0")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/licensee/requests/*-*")
    request_id = page.url.rsplit("/", 1)[1]
    assert page.locator("#request-state").inner_text() == "出口筛查"
    assert "等待平台出口审查" in page.locator("main").inner_text()
    assert_accessible(page)
    shot(page, "licensee-request-zh-Hans")

    # The other side acts in its own pages: the platform's export reviewer clears the request
    # in the console's review queue, then the vendor's approver approves it in the inbox.
    reviewer = open_page("zh-CN")
    marketplace.sign_in(reviewer, people.export_reviewer, f"/console/reviews/{request_id}")
    reviewer.get_by_label("放行：可以出口").check()
    reviewer.get_by_label("意见（被授权方和供应商可见）").fill("民用终端，准许")
    reviewer.get_by_role("button", name="记录决定").click()
    reviewer.wait_for_url("**/console/reviews")
    assert reviewer.get_by_role("status").inner_text() == "已放行：申请转交供应商。"

    approver = open_page("zh-CN")
    marketplace.sign_in(approver, people.vendor_approver, "/vendor/requests")
    card = approver.locator(f"#request-{request_id}")
    card.get_by_label("备注（可选）").fill("欢迎试用")
    card.get_by_role("button", name="批准").click()
    approver.get_by_role("status").get_by_text("已批准。").wait_for()
    assert approver.locator(f"#request-{request_id}").count() == 0
    approved = licensing(marketplace, buyer, "GET", f"/v1/license-requests/{request_id}")
    assert approved["license_id"]

    page.goto(f"{marketplace.portal}/licensee/requests")
    assert "已签发授权" in page.locator("table").inner_text()  # the merged wording
    assert_accessible(page)
    shot(page, "licensee-requests-zh-Hans")
    page.goto(f"{marketplace.portal}/licensee/requests/{request_id}")
    assert "民用终端，准许" in page.locator("main").inner_text()
    page.get_by_role("link", name="查看授权").click()
    page.wait_for_url(f"**/licensee/licenses/{approved['license_id']}")
    assert page.locator("#license-state").inner_text() == "有效"
    assert "ipmarket license verify" in page.locator("pre").inner_text()
    assert_accessible(page)
    shot(page, "licensee-license-zh-Hans")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载授权文件").click()
    license_file = tmp_path / "license.txt"
    download.value.save_as(license_file)
    assert "-----BEGIN IPMARKET LICENSE-----" in license_file.read_text()
    verified = verify_offline(marketplace, license_file)
    assert verified["result"] == "VALID", verified
    assert verified["license_id"] == approved["license_id"]

    page.goto(f"{marketplace.portal}/licensee/licenses")
    assert "有效" in page.locator("table").inner_text()
    assert_accessible(page)
    shot(page, "licensee-licenses-zh-Hans")
    # The file is the signed-in person's only: a visitor is sent to sign in.
    visitor = requests.get(
        f"{marketplace.portal}/licensee/licenses/{approved['license_id']}/file",
        allow_redirects=False,
        timeout=10,
    )
    assert visitor.status_code == 303 and "/sign-in" in visitor.headers["Location"]
