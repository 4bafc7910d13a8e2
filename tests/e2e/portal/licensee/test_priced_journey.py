"""The priced journey from the licensee's side, in English: the MIPI CSI-2 receiver's
multi-project offer is priced on request, so the licensee's owner asks for a quote (a volume of
0 is refused beside its field), the vendor's approver prices it on the vendor workspace's quote
page (a malformed price refused beside its field first), the owner accepts, orders, reads the
invoice and pays through the payment provider (the simulator, which calls the licensing service
back); the license is then issued and shown, and the vendor sees the order paid. On the way
the owner watches the core and gives the watch up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.e2e.portal.licensee.journeys import core_of, licensing
from tests.e2e.portal.pages import assert_accessible, shot


def test_an_owner_gets_a_quote_accepts_orders_pays_and_holds_the_license(
    marketplace, people, open_page
):
    owner = people.licensee_owner
    core = core_of(marketplace, "pengcheng", "mipi_csi2_rx")
    on_request = next(o for o in core["offers"] if o.get("on_request"))
    page = open_page("en")
    marketplace.sign_in(page, owner, next_path=f"/cores/{core['id']}")
    shot(page, "core-signed-in-en")  # the person's own actions beside the comparison's
    # Watching the core (notify's /v1/watches): listed in the workspace, and given up there.
    page.get_by_role("button", name="Watch this core").click()
    page.wait_for_url("**/licensee/watches")
    name = "pengcheng-ip.cn:ip:mipi_csi2_rx"
    assert page.get_by_role("link", name=name).is_visible()
    assert_accessible(page)
    shot(page, "licensee-watches-en")
    page.get_by_role("button", name=f"Stop watching {name}").click()
    page.wait_for_url("**/licensee/watches")
    assert page.get_by_role("link", name=name).count() == 0

    page.goto(f"{marketplace.portal}/cores/{core['id']}")
    page.get_by_role("link", name="Request a license").click()
    page.wait_for_url("**/licensee/requests/new?core=*")

    page.get_by_label("Offer").select_option(on_request["offer_id"])
    page.get_by_label("Project").fill("Tianhe SoC family")
    page.get_by_label("Intended use").fill("USB device port of three SoCs")
    page.get_by_label("End-use country").select_option("HK")
    page.get_by_label("Details for the vendor").fill("Tape-out in Q3; three derivatives.")
    page.expected_statuses = {422}
    page.get_by_label("Expected volume (chips)").fill("0")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_load_state()
    assert page.locator("#volume-error").inner_text() == "A whole number from 1 to a trillion."
    assert licensing(marketplace, owner, "GET", "/v1/quotes")["items"] == []
    assert_accessible(page)
    shot(page, "licensee-quote-error-en")

    page.get_by_label("Expected volume (chips)").fill("500000")
    page.get_by_role("button", name="Send the request").click()
    page.wait_for_url("**/licensee/quotes/*")
    quote_id = page.url.rsplit("/", 1)[1]
    assert page.locator("#quote-state").inner_text() == "Waiting for the vendor's price"

    # The vendor's approver prices it in the vendor workspace (a bad price refused beside it).
    vendor = open_page("en")
    vendor.expected_statuses = {422}
    marketplace.sign_in(vendor, people.vendor_approver, "/vendor/quotes")
    listed = vendor.locator(f"#quote-{quote_id}")
    assert "Waiting for your price" in listed.inner_text()
    assert_accessible(vendor)
    shot(vendor, "vendor-quotes-en")
    listed.get_by_role("link").click()
    vendor.wait_for_url(f"**/vendor/quotes/{quote_id}")
    assert "500,000" in vendor.locator("main").inner_text()  # grouped as the page's locale does
    vendor.get_by_label("Price", exact=True).fill("88 000")
    vendor.get_by_label("Currency").select_option("CNY")
    vendor.get_by_label("Valid until (the end of that day)").fill(
        (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    )
    vendor.get_by_label("Terms").fill("Net 30; support for 12 months")
    vendor.get_by_role("button", name="Send the quote").click()
    assert vendor.get_by_label("Price", exact=True).get_attribute("aria-invalid") == "true"
    assert "Enter an amount such as 25000.00" in vendor.locator("#amount-error").inner_text()
    assert_accessible(vendor)
    vendor.get_by_label("Price", exact=True).fill("88000.00")
    vendor.get_by_role("button", name="Send the quote").click()
    vendor.get_by_role("status").get_by_text("The quote is sent to the licensee.").wait_for()
    assert "CN¥88,000.00" in vendor.locator("#quote-price").inner_text()
    assert_accessible(vendor)
    shot(vendor, "vendor-quote-sent-en")
    page.reload()
    assert page.locator("#quote-state").inner_text() == "Priced: waiting for your answer"
    assert "CN¥88,000.00" in page.locator("main").inner_text()
    assert_accessible(page)
    shot(page, "licensee-quote-en")
    page.get_by_role("button", name="Accept the quote").click()
    page.wait_for_url("**/licensee/requests/*")
    assert page.locator("#request-state").inner_text() == "Approved: waiting for your order"
    page.get_by_role("button", name="Place the order").click()
    page.wait_for_url("**/licensee/orders/*")
    order_id = page.url.rsplit("/", 1)[1]
    assert page.locator("#order-state").inner_text() == "Waiting for payment"
    invoice = page.get_by_role("heading", name="Invoice")
    assert invoice.is_visible()
    assert_accessible(page)
    shot(page, "licensee-order-en")
    answer = page.request.get(f"{marketplace.portal}/licensee/orders/{order_id}/invoice")
    assert answer.ok and "88,000.00" in answer.text()

    page.get_by_role("button", name="Pay CN¥88,000.00").click()
    page.wait_for_url("**?paying=1")
    # The provider's callback reaches the licensing service; the page (htmx) shows it paid.
    page.locator("#order-state", has_text="Paid; license issued").wait_for(timeout=60_000)
    assert_accessible(page)
    shot(page, "licensee-order-paid-en")
    page.get_by_role("link", name="See the license").click()
    page.wait_for_url("**/licensee/licenses/*")
    assert page.locator("#license-state").inner_text() == "Active"
    assert "Any project" in page.locator("main").inner_text()  # the multi-project scope
    assert_accessible(page)
    shot(page, "licensee-license-en")
    page.goto(f"{marketplace.portal}/licensee/orders")
    assert "Paid; license issued" in page.locator("table").inner_text()
    shot(page, "licensee-orders-en")

    # The vendor's side of it: the order with its payment and invoice.
    vendor.goto(f"{marketplace.portal}/vendor/orders/{order_id}")
    assert "Paid; license issued" in vendor.locator("main").inner_text()
    assert "CN¥88,000.00" in vendor.locator("h1").inner_text()
    assert vendor.get_by_role("heading", name="Invoice").is_visible()
    assert_accessible(vendor)
    shot(vendor, "vendor-order-en")
