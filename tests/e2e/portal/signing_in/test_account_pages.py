"""The pages the catalog's e-mails open and the sign-in pages around them, in Debian's Chromium
against the real catalog: forgotten password (ask, then set a new one from the link), accepting
an invitation, setting up an authenticator app (QR code, first code, recovery codes once), the
organisation's application. Bad input is refused beside its field in the page's language and
changes nothing; every page passes axe-core and is saved to docs/screenshots/."""

from __future__ import annotations

import json
import re

import pyotp
import sqlalchemy as sa

from tests.e2e.portal.signing_in.catalog_site import PASSWORD
from tests.e2e.portal.signing_in.conftest import reach
from tests.e2e.portal.test_storefront import assert_accessible, open_page, shot

__all__ = ["open_page"]  # the fixture, for the tests here
NEW_PASSWORD = "lantern meadow copper 93"
BUYER_EMAIL = "wang.fang@lakeside.example"  # this module's buyer, whose password is reset


def link_token(database_url: str, event_type: str) -> str:
    """The token of the latest e-mail link of that kind, from the catalog's outbox (the event
    notify turns into the e-mail)."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            payload = conn.execute(
                sa.text("SELECT payload FROM outbox WHERE event_type = :t ORDER BY seq DESC"),
                {"t": event_type},
            ).scalar()
    finally:
        engine.dispose()
    return json.loads(payload)["data"]["link_token"]


def test_a_forgotten_password_is_reset_from_the_link_in_simplified_chinese(
    localhost_site, open_page
):
    from shared.events.people import PASSWORD_RESET_REQUESTED

    site, page = localhost_site, open_page("zh-CN")
    page.goto(f"{site.portal}/sign-in")
    page.get_by_role("link", name="忘记密码？").click()
    reach(page, "/password-reset")
    assert_accessible(page)
    page.get_by_label("电子邮箱").fill(BUYER_EMAIL)
    page.get_by_role("button", name="给我发送链接").click()
    page.get_by_text(f"如果 {BUYER_EMAIL} 有账户").wait_for()

    token = link_token(site.database_url, PASSWORD_RESET_REQUESTED)
    page.goto(f"{site.portal}/password-reset?token={token}")
    page.get_by_label("新密码").fill("short")
    page.expected_statuses.add(422)
    page.get_by_role("button", name="设置密码").click()
    error = page.locator("#password-error")
    assert "至少使用 15 个字符" in error.inner_text()
    assert page.get_by_label("新密码").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    shot(page, "new-password-error-zh-Hans")

    page.get_by_label("新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="设置密码").click()
    reach(page, "/sign-in")
    assert "新密码已设置" in page.locator("main").inner_text()
    page.get_by_label("电子邮箱").fill(BUYER_EMAIL)
    page.get_by_label("密码", exact=True).fill(PASSWORD)  # the old one no longer works
    page.get_by_role("button", name="登录", exact=True).click()
    assert "邮箱或密码不正确" in page.locator("main").inner_text()
    page.get_by_label("密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    reach(page, "/sign-in/code")


def test_an_invited_person_joins_then_sets_up_an_authenticator_app(localhost_site, open_page):
    from services.catalog import invitations
    from services.catalog.app import build_context
    from services.catalog.domain.people import Actor

    site, page = localhost_site, open_page("en")
    context = build_context(site.database_url)
    operator = Actor(platform_roles=frozenset({"operator"}), person_id="operator")
    with context.unit_of_work() as uow:
        organisation_id = next(iter(_organisations(site.database_url)))
        _, token = invitations.invite_member(
            uow, operator, organisation_id, "chen.jie@lakeside.example", ["viewer"]
        )
        uow.commit()
    context.engine.dispose()

    page.goto(f"{site.portal}/invitations/accept?token={token}")
    assert_accessible(page)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.expected_statuses.add(422)
    page.get_by_role("button", name="Accept and join").click()
    assert page.locator("#name_en-error").inner_text() == "Enter your name in English."
    assert_accessible(page)
    shot(page, "accept-invitation-error")
    page.get_by_label("Your name in English").fill("Chen Jie")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Accept and join").click()
    reach(page, "/sign-in")
    assert "You have joined the organisation" in page.locator("main").inner_text()

    page.get_by_label("E-mail address").fill("chen.jie@lakeside.example")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    reach(page, "/account")
    page.get_by_role("link", name="Set up an authenticator app").click()
    page.get_by_role("button", name="Set up an authenticator app").click()
    reach(page, "/account/authenticator")
    qr = page.get_by_role("img", name="QR code for ipmarket in your authenticator app")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    assert_accessible(page)
    shot(page, "authenticator-set-up")
    page.get_by_label("The 6-digit code the app shows now").fill("000000")
    page.get_by_role("button", name="Confirm").click()
    assert "not right" in page.locator("#code-error").inner_text()
    page.get_by_label("The 6-digit code the app shows now").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    codes = page.locator("ul.codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[\w-]{8,16}", c) for c in codes)
    assert_accessible(page)
    shot(page, "recovery-codes")

    # From now on signing in asks for a code: a recovery code does it once
    page.goto(f"{site.portal}/account")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.goto(f"{site.portal}/sign-in")
    page.get_by_label("E-mail address").fill("chen.jie@lakeside.example")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    reach(page, "/sign-in/code")
    page.get_by_label("Code from your authenticator app").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    reach(page, "/account")


def test_an_organisation_applies_to_join_in_traditional_chinese(localhost_site, open_page):
    site, page = localhost_site, open_page("zh-TW")
    page.goto(f"{site.portal}/sign-in")
    page.get_by_role("link", name="申請加入").click()
    reach(page, "/apply")
    assert page.get_by_label("註冊所在國家或地區").locator("option", has_text="香港").count() == 1
    assert_accessible(page)
    page.get_by_label("英文法定名稱").fill("Harbour Silicon Ltd")
    page.expected_statuses.add(422)
    page.get_by_role("button", name="送出申請").click()
    assert page.locator("#registration_number-error").is_visible()
    assert page.locator("#roles-error").is_visible()
    assert_accessible(page)
    shot(page, "apply-error-zh-Hant")
    page.get_by_label("註冊所在國家或地區").select_option("HK")
    page.get_by_label("商業登記號碼").fill("HK-12345678")
    page.get_by_label("供應商：出售 IP 核").check()
    page.get_by_label("您的姓名").fill("Wong Ka Ming")
    page.get_by_label("您的電郵地址").fill("ka.ming@harbour.example")
    page.get_by_role("button", name="送出申請").click()
    page.get_by_text("Harbour Silicon Ltd 的申請已交平台營運方").wait_for()
    shot(page, "apply-done-zh-Hant")


def _organisations(database_url: str) -> list[str]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    sa.text("SELECT id FROM organisation WHERE legal_name_en LIKE '%Lakeside%'")
                ).scalars()
            )
    finally:
        engine.dispose()
