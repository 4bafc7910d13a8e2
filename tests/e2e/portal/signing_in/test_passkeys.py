"""Passkeys end to end in Debian's Chromium with its virtual authenticator (CDP WebAuthn domain:
CTAP2, internal transport, resident keys, user verification): the buyer signs in with password
and TOTP, adds a passkey on the account page, signs out, signs in with the passkey alone, and
uses it as the second step after the password. Each page passes axe-core; screenshots saved."""

from __future__ import annotations

import time

import pytest

from tests.e2e.portal.signing_in.catalog_site import EMAIL, PASSWORD
from tests.e2e.portal.signing_in.conftest import reach
from tests.e2e.portal.test_storefront import assert_accessible, open_page, shot

__all__ = ["open_page"]  # the fixture, for the tests here
BUYER_EMAIL = EMAIL  # this module's buyer, who adds a passkey


@pytest.fixture
def authenticated_page(open_page):
    """A page whose browser has a platform authenticator that verifies its user (as a
    fingerprint or screen lock would)."""
    page = open_page("en")
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
    page.credentials = lambda: cdp.send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator["authenticatorId"]}
    )["credentials"]
    return page


def sign_in_with_password(page, site) -> None:
    page.goto(f"{site.portal}/sign-in")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    reach(page, "/sign-in/code")


def sign_out(page) -> None:
    page.goto(page.url.split("/account")[0] + "/account")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(lambda url: not url.endswith("/account"))


def test_add_a_passkey_then_sign_in_with_it_alone_and_as_second_factor(
    localhost_site, authenticated_page
):
    site, page = localhost_site, authenticated_page
    sign_in_with_password(page, site)
    page.get_by_label("Code from your authenticator app").fill(site.totp.at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    reach(page, "/account")

    page.get_by_label("Name of the passkey").fill("Test laptop")
    page.get_by_role("button", name="Add a passkey").click()
    page.get_by_text("Your passkey is added").wait_for()
    [credential] = page.credentials()
    assert credential["isResidentCredential"]
    enrolled_count = credential["signCount"]
    assert_accessible(page)
    shot(page, "account-passkey-added")

    sign_out(page)
    page.goto(f"{site.portal}/sign-in?next=/search%3Fq%3Duart")
    passkey = page.get_by_role("button", name="Sign in with a passkey")
    passkey.wait_for()  # shown by the script once it finds WebAuthn
    assert_accessible(page)
    shot(page, "sign-in-with-passkey")
    passkey.click()
    reach(page, "/search")
    page.goto(f"{site.portal}/account")
    assert "Signed in as Li Wei (li.wei@lakeside.example)." in page.locator("main").inner_text()
    assert page.credentials()[0]["signCount"] == enrolled_count + 1  # it signed

    sign_out(page)
    sign_in_with_password(page, site)
    use_passkey = page.get_by_role("button", name="Use a passkey")
    use_passkey.wait_for()
    assert_accessible(page)
    shot(page, "second-factor-passkey")
    use_passkey.click()
    reach(page, "/account")
    assert page.get_by_role("button", name="Sign out", exact=True).is_visible()
    assert page.credentials()[0]["signCount"] == enrolled_count + 2

    # Removed at the catalog, the passkey the browser still holds signs no one in
    page.get_by_role("button", name="Remove Test laptop").click()
    page.get_by_text("The passkey is removed").wait_for()
    sign_out(page)
    page.goto(f"{site.portal}/sign-in")
    page.expected_statuses.add(422)
    page.get_by_role("button", name="Sign in with a passkey").click()
    error = page.locator("#passkey-sign-in-error")
    error.wait_for()
    assert "not accepted" in error.inner_text()
    assert page.get_by_role("link", name=EMAIL).count() == 0  # nobody signed in
