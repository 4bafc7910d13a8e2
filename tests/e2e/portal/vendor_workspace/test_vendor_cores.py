"""A vendor's cores in Debian's Chromium against the whole marketplace: a publisher uploads an
IP-XACT file (bad XML first: refused beside the file field, nothing stored), sees what would
be imported, imports it, gives it a category, an export classification and two offers, changes
one (a bad price first), publishes it, removes an offer (the last one stays), and finds it in
the storefront's search; the owner sees the team, invites someone and withdraws the invitation,
whose e-mailed link then refuses in the reader's language. The offer and team pages again
in Traditional Chinese. Each page passes the axe-core scan; screenshots go to
docs/screenshots/vendor-*.png."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import requests

from tests.e2e.portal.pages import switch_language
from tests.e2e.portal.test_storefront import assert_accessible, open_page, shot  # noqa: F401
from tests.support import wait_until

COMPONENT = b"""<?xml version="1.0" encoding="UTF-8"?>
<ipxact:component xmlns:ipxact="http://www.accellera.org/XMLSchema/IPXACT/1685-2022">
  <ipxact:vendor>pengcheng-ip.cn</ipxact:vendor>
  <ipxact:library>ip</ipxact:library>
  <ipxact:name>crc32_engine</ipxact:name>
  <ipxact:version>1.0</ipxact:version>
  <ipxact:displayName>CRC-32 checksum engine</ipxact:displayName>
  <ipxact:description>A streaming CRC-32 engine, one 64-bit word a cycle.</ipxact:description>
  <ipxact:fileSets>
    <ipxact:fileSet>
      <ipxact:name>rtl</ipxact:name>
      <ipxact:file><ipxact:name>rtl/crc32_engine.v</ipxact:name>
        <ipxact:fileType>verilogSource</ipxact:fileType></ipxact:file>
      <ipxact:file><ipxact:name>rtl/crc32_table.v</ipxact:name>
        <ipxact:fileType>verilogSource</ipxact:fileType></ipxact:file>
    </ipxact:fileSet>
  </ipxact:fileSets>
</ipxact:component>
"""


def _cores_of(marketplace, person) -> list[dict]:
    vendor_id = marketplace.organisations["pengcheng"]["id"]
    return requests.get(
        f"{marketplace.catalog}/v1/cores",
        params={"vendor": vendor_id, "limit": 100, "status": "draft"},
        headers={"Authorization": f"Bearer {marketplace.token(person)}"},
        timeout=10,
    ).json()["items"]


def _offers(marketplace, people, core_id: str) -> list[dict]:
    return requests.get(
        f"{marketplace.catalog}/v1/cores/{core_id}",
        headers={"Authorization": f"Bearer {marketplace.token(people.vendor_publisher)}"},
        timeout=10,
    ).json()["offers"]


def test_a_publisher_imports_an_ip_xact_file_and_publishes_the_core(
    marketplace,
    people,
    open_page,  # noqa: F811
    tmp_path,
):
    bad, good = tmp_path / "broken.xml", tmp_path / "crc32_engine.xml"
    bad.write_bytes(b'<?xml version="1.0"?>\n<ipxact:component>\n<unclosed>\n')
    good.write_bytes(COMPONENT)
    drafts_before = _cores_of(marketplace, people.vendor_publisher)

    page = open_page("en")
    marketplace.sign_in(page, people.vendor_publisher, "/vendor/cores")
    page.get_by_role("heading", name="Cores").wait_for()
    assert_accessible(page)
    shot(page, "vendor-cores-list")

    page.get_by_role("link", name="Import an IP-XACT file").click()
    page.expected_statuses.add(422)
    page.get_by_label("IP-XACT component file (.xml)").set_input_files(bad)
    page.get_by_role("button", name="Preview the import").click()
    error = page.locator("#component-error")
    assert "not well-formed XML" in error.inner_text() and "line" in error.inner_text()
    field = page.locator("#component")
    assert "component-error" in field.get_attribute("aria-describedby")
    assert_accessible(page)
    shot(page, "vendor-cores-import-error")
    assert _cores_of(marketplace, people.vendor_publisher) == drafts_before

    page.get_by_label("IP-XACT component file (.xml)").set_input_files(good)
    page.get_by_role("button", name="Preview the import").click()
    page.get_by_role("heading", name="What will be imported").wait_for()
    preview = page.locator("main").inner_text()
    assert "pengcheng-ip.cn:ip:crc32_engine:1.0" in preview
    assert "rtl/crc32_engine.v" in preview and "CRC-32 checksum engine" in preview
    assert _cores_of(marketplace, people.vendor_publisher) == drafts_before  # nothing yet
    assert_accessible(page)
    shot(page, "vendor-cores-import-preview")

    page.get_by_role("button", name="Import as a draft").click()
    page.get_by_role("status").get_by_text("Imported as a draft").wait_for()
    core_url = page.url
    core_id = core_url.rsplit("/", 1)[-1].split("?")[0]
    assert any(c["id"] == core_id for c in _cores_of(marketplace, people.vendor_publisher))

    # Publishing needs a category, an ECCN and an offer: the catalog says what is missing.
    page.get_by_role("button", name="Publish").click()
    assert "before publishing" in page.locator("#refusal").inner_text()

    page.goto(core_url)
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Category").select_option("interface_controllers_phys")
    page.get_by_label("Export-control classification (ECCN)").fill("EAR99")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("status").get_by_text("Saved.").wait_for()

    page.get_by_label("Kind of license").select_option("evaluation")
    page.get_by_role("button", name="Add the offer").click()
    page.get_by_role("status").get_by_text("The offer is added.").wait_for()
    page.get_by_label("Kind of license").select_option("single_project")
    page.get_by_label("Price (leave empty", exact=False).fill("25000.00")
    page.get_by_role("button", name="Add the offer").click()
    page.get_by_role("status").get_by_text("The offer is added.").wait_for()
    assert_accessible(page)
    shot(page, "vendor-cores-core")

    # Editing an offer keeps its id; bad input is refused beside the field and changes nothing.
    single = next(o for o in _offers(marketplace, people, core_id) if o["kind"] != "evaluation")
    page.get_by_role("link", name="Edit the offer: Single project").click()
    page.get_by_label("Price (leave empty", exact=False).fill("thirty thousand")
    page.get_by_role("button", name="Save the offer").click()
    assert "25000.00" in page.locator("#amount-error").inner_text()
    assert_accessible(page)
    shot(page, "vendor-cores-offer")
    page.get_by_label("Price (leave empty", exact=False).fill("30000.00")
    page.get_by_role("button", name="Save the offer").click()
    page.get_by_role("status").get_by_text("The offer is changed.").wait_for()
    changed = next(o for o in _offers(marketplace, people, core_id) if o["kind"] != "evaluation")
    assert changed["offer_id"] == single["offer_id"]
    assert changed["price"] == {"amount": "30000.00", "currency": "USD"}

    page.get_by_role("button", name="Publish").click()
    page.get_by_role("status").get_by_text("Published").wait_for()
    assert "Published" in page.locator(".subtitle").inner_text()
    assert page.get_by_role("button", name="Deprecate").count() == 1

    # Removing: one of two goes; the last offer of a published core stays, the catalog says why.
    page.get_by_role("button", name="Remove the offer: Single project").click()
    page.get_by_role("status").get_by_text("The offer is removed.").wait_for()
    assert [o["kind"] for o in _offers(marketplace, people, core_id)] == ["evaluation"]
    page.get_by_role("button", name="Remove the offer: Evaluation").click()
    assert "at least one offer" in page.locator("#refusal").inner_text()
    assert [o["kind"] for o in _offers(marketplace, people, core_id)] == ["evaluation"]

    page.goto(f"{marketplace.portal}/search?q=crc32_engine")
    page.locator(f"a[href*='{core_id}']").first.wait_for()
    assert "CRC-32 checksum engine" in page.locator("main").inner_text()

    # The same pages in Simplified Chinese, switched on the page (each scanned and shot).
    page.goto(f"{marketplace.portal}/vendor/cores")
    switch_language(page, "zh_Hans")
    next_version = tmp_path / "crc32_engine_1_1.xml"
    next_version.write_bytes(COMPONENT.replace(b"version>1.0<", b"version>1.1<"))
    [kept] = _offers(marketplace, people, core_id)
    tour = [
        ("/vendor/cores", "vendor-cores-list-zh-Hans"),
        (f"/vendor/cores/{core_id}", "vendor-cores-core-zh-Hans"),
        (f"/vendor/cores/{core_id}/edit", "vendor-cores-edit-zh-Hans"),
        (f"/vendor/cores/{core_id}/offers/{kept['offer_id']}", "vendor-cores-offer-zh-Hans"),
        ("/vendor/cores/import", "vendor-cores-import-preview-zh-Hans"),
        ("/vendor/quotes?state=all", "vendor-quotes-zh-Hans"),
        ("/vendor/orders", "vendor-orders-zh-Hans"),
    ]
    for path, name in tour:
        page.goto(marketplace.portal + path)
        assert page.locator("html").get_attribute("lang") == "zh-Hans", path
        if path == "/vendor/cores/import":
            page.locator("#component").set_input_files(next_version)
            page.locator("main form button[type=submit]").click()
            page.get_by_text("pengcheng-ip.cn:ip:crc32_engine:1.1").first.wait_for()
        assert_accessible(page)
        shot(page, name)

    # Changing and removing an offer in Traditional Chinese, switched on the page: a bad price
    # refused beside its field, the last offer kept with the reason, nothing changed.
    switch_language(page, "zh_Hant")
    page.goto(f"{marketplace.portal}/vendor/cores/{core_id}/offers/{kept['offer_id']}")
    page.locator("#amount").fill("三萬")
    page.get_by_role("button", name="儲存此方案").click()
    assert page.locator("#amount-error").inner_text() == "請輸入金額，例如 25000.00。"
    assert_accessible(page)
    shot(page, "vendor-cores-offer-zh-Hant")
    page.goto(f"{marketplace.portal}/vendor/cores/{core_id}")
    page.get_by_role("button", name=re.compile("移除")).click()
    assert "至少保留一個授權方案" in page.locator("#refusal").inner_text()
    assert _offers(marketplace, people, core_id) == [kept]
    assert_accessible(page)
    shot(page, "vendor-cores-core-zh-Hant")

    owner = open_page("en")
    marketplace.sign_in(owner, people.vendor_owner, "/vendor/team")
    members = owner.locator("table.members").inner_text()
    assert people.vendor_publisher.email in members and people.vendor_approver.email in members
    assert owner.get_by_role("button", name="Send the invitation").count() == 1

    # An invitation sent and withdrawn: it leaves the list, and its e-mailed link refuses.
    invitee = "new.hire@pengcheng-ip.cn"
    owner.locator("#invite-email").fill(invitee)
    owner.locator("input[name='invite-roles'][value='viewer']").check()
    owner.get_by_role("button", name="Send the invitation").click()
    owner.get_by_role("status").get_by_text(f"The invitation is sent to {invitee}.").wait_for()
    assert_accessible(owner)
    shot(owner, "vendor-team")
    link = wait_until(
        lambda: _invitation_link(marketplace, invitee),
        timeout=60,
        interval=0.5,
        what="the invitation e-mail",
    )
    owner.get_by_role("button", name=f"Withdraw the invitation of {invitee}").click()
    owner.get_by_role("status").get_by_text("The invitation is withdrawn").wait_for()
    assert invitee not in owner.locator("main").inner_text()

    stranger = _accepting(open_page("zh-CN"), link)
    assert "该机构已撤回此邀请" in stranger.locator("main").inner_text()

    switch_language(owner, "zh_Hans")
    assert_accessible(owner)
    shot(owner, "vendor-team-zh-Hans")

    # Inviting and withdrawing in Traditional Chinese; the withdrawn link refuses in zh-HK.
    switch_language(owner, "zh_Hant")
    second = "second.hire@pengcheng-ip.cn"
    owner.locator("#invite-email").fill(second)
    owner.locator("input[name='invite-roles'][value='viewer']").check()
    owner.get_by_role("button", name="發送邀請").click()
    owner.get_by_role("status").get_by_text(f"邀請已發送至 {second}。").wait_for()
    assert_accessible(owner)
    shot(owner, "vendor-team-zh-Hant")
    owner.get_by_role("button", name=f"撤回發給 {second} 的邀請").click()
    owner.get_by_role("status").get_by_text("邀請已撤回：其連結不再有效。").wait_for()
    assert second not in owner.locator("main").inner_text()
    shot(owner, "vendor-team-withdrawn-zh-Hant")
    reader = _accepting(open_page("zh-HK"), link)
    assert "該機構已撤回此邀請" in reader.locator("main").inner_text()
    assert_accessible(reader)
    shot(reader, "invitation-withdrawn-zh-Hant")


def _accepting(page, link: str):
    """`page` after opening the invitation `link` and accepting it as a new person (refused)."""
    page.expected_statuses.add(422)
    page.goto(link)
    page.locator("#name_en").fill("New Hire")
    page.locator("#password").fill("plum kettle orbit 47")
    page.locator("main form button[type=submit]").click()
    return page


def _invitation_link(marketplace, address: str) -> str | None:
    """The accept link of the invitation e-mail to `address` (notify writes .eml files here)."""
    for path in Path(marketplace.env["IPMARKET_MAIL_DIR"]).glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] and address in str(message["To"]):
            text = message.get_body(("plain",)).get_content()
            found = re.search(r"https?://\S+/invitations/accept\?token=\S+", text)
            if found:
                return found.group(0)
    return None
