"""Comparing cores in Debian's Chromium against the demo catalog, without JavaScript doing it:
"Compare" on search results adds each to the comparison, the header counts them, /compare
shows them side by side (axe-core clean, screenshot), and one is removed."""

from __future__ import annotations

from tests.e2e.portal.signing_in.conftest import reach
from tests.e2e.portal.test_storefront import assert_accessible, open_page, shot

__all__ = ["open_page"]  # the fixture, for the tests here


def test_two_search_results_compared_side_by_side_then_one_removed(localhost_site, open_page):
    site, page = localhost_site, open_page("en")
    page.goto(f"{site.portal}/search?q=controller")
    titles = page.locator("ol.cores h3 a").all_inner_texts()[:2]
    for n in range(2):
        with page.expect_navigation():  # the POST, then back on the same results
            page.locator("ol.cores article").nth(n).get_by_role("button", name="Compare").click()
        page.get_by_role("link", name=f"Compare ({n + 1})").wait_for()
    page.get_by_role("link", name="Compare (2)").click()
    reach(page, "/compare")
    headers = page.locator("table.compare thead th").all_inner_texts()
    assert headers == titles
    assert page.locator("table.compare tbody th").first.inner_text() == "VLNV"
    assert_accessible(page)
    shot(page, "compare")
    with page.expect_navigation():
        page.locator("table.compare tbody tr").last.get_by_role("button").first.click()
    assert page.locator("table.compare thead th").all_inner_texts() == titles[1:]
