"""The portal's guarantees at the HTTP level, through Flask's test client against a catalog in
memory: CSP and the other headers, CSRF on every form, the session cookie's flags, a new
session at sign-in, the catalog's tokens sealed."""

from __future__ import annotations

import re

import httpx
import pytest

from services.portal.catalog_api import CatalogApi
from tests.unit.services.portal.fake_catalog import FakeCatalog, access_token, portal

PAGES = ["/", "/search?q=uart", "/cores/core_1", "/vendors/vendor_1", "/sign-in", "/nowhere"]


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def session_of(app, client) -> dict:
    cookie = client.get_cookie("ipmarket_session")
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_csp_without_inline_code_and_cannot_be_framed(path):
    response = portal(FakeCatalog()).test_client().get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    html = response.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert "<style" not in html and " style=" not in html, "inline style"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert {"Cookie", "Accept-Language"} <= set(response.vary)


def test_a_form_without_its_csrf_token_is_refused_and_reaches_no_service():
    fake = FakeCatalog()
    client = portal(fake).test_client()
    answer = client.post("/sign-in", data={"email": "a@b.example", "password": fake.password})
    assert answer.status_code == 400
    assert "/v1/sessions" not in fake.paths()
    assert client.post("/language", data={"locale": "zh_Hant"}).status_code == 400
    assert client.get_cookie("ipmarket_locale") is None


def test_every_form_on_a_page_carries_a_csrf_token():
    client = portal(FakeCatalog()).test_client()
    for path in ["/", "/sign-in", "/cores/core_1"]:
        html = client.get(path).text
        for form in re.findall(r'<form[^>]*method="post".*?</form>', html, re.S):
            assert 'name="csrf_token"' in form, (path, form[:80])


def _sign_in(client, fake, password=None) -> object:
    token = csrf_of(client.get("/sign-in").text)
    return client.post(
        "/sign-in",
        data={
            "csrf_token": token,
            "email": "li.wei@xinyuan.example",
            "password": password or fake.password,
        },
    )


def test_signing_in_opens_a_new_session_with_the_tokens_sealed():
    fake = FakeCatalog()
    app = portal(fake)
    client = app.test_client()
    anonymous_csrf = csrf_of(client.get("/sign-in").text)
    before = session_of(app, client)
    answer = _sign_in(client, fake)
    assert answer.status_code == 303 and answer.headers["Location"] == "/account"
    after = session_of(app, client)
    assert after["id"] and after.get("csrf_token") != before.get("csrf_token")
    assert "csrf_token" not in after  # nothing of the anonymous session carries over
    assert csrf_of(client.get("/account").text) != anonymous_csrf
    cookie = client.get_cookie("ipmarket_session")
    assert access_token() not in cookie.value and "refresh-1" not in str(after)
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    home = client.get("/account").text  # in the person's own language, from their account
    assert "李伟" in home and "芯元" in home
    [account_call] = [call for call in fake.calls if call.url.path == "/v1/people/me"]
    assert account_call.headers["Authorization"] == f"Bearer {access_token()}"


def test_over_tls_the_session_cookie_is_secure():
    fake = FakeCatalog()
    client = portal(fake, portal_url="https://portal.example").test_client()
    _sign_in(client, fake)
    assert client.get_cookie("ipmarket_session").secure


def test_a_wrong_password_is_shown_beside_the_field_and_opens_no_session():
    fake = FakeCatalog()
    app = portal(fake)
    client = app.test_client()
    answer = _sign_in(client, fake, password="wrong")
    assert answer.status_code == 422
    assert re.search(
        r'id="password-error">The e-mail address or password is not right', answer.text
    )
    assert 'aria-invalid="true"' in answer.text
    assert "person" not in session_of(app, client)
    assert client.get("/account").headers["Location"].startswith("/sign-in")


def test_bad_input_is_refused_beside_its_field_in_the_pages_language_before_any_call():
    fake = FakeCatalog()
    client = portal(fake).test_client()
    token = csrf_of(client.get("/sign-in").text)
    answer = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": "not an address", "password": ""},
        headers={"Accept-Language": "zh-HK"},
    )
    assert answer.status_code == 422
    assert 'id="email-error">請輸入有效的電郵地址' in answer.text
    assert 'id="password-error">請輸入密碼。' in answer.text
    assert "/v1/sessions" not in fake.paths()


def test_the_second_factor_step_then_signing_out():
    fake = FakeCatalog()
    fake.second_factor = True
    app = portal(fake)
    client = app.test_client()
    answer = _sign_in(client, fake)
    assert answer.headers["Location"].startswith("/sign-in/code")
    assert "person" not in session_of(app, client)
    page = client.get(answer.headers["Location"])
    wrong = client.post("/sign-in/code", data={"csrf_token": csrf_of(page.text), "code": "000000"})
    assert wrong.status_code == 422 and 'id="code-error"' in wrong.text
    right = client.post("/sign-in/code", data={"csrf_token": csrf_of(page.text), "code": "123456"})
    assert right.status_code == 303
    assert session_of(app, client)["person"]["email"] == "li.wei@xinyuan.example"
    home = client.get("/account").text
    client.post("/sign-out", data={"csrf_token": csrf_of(home)})
    assert client.get_cookie("ipmarket_session") is None  # the whole session is gone
    ended = [call for call in fake.calls if call.method == "DELETE"]
    assert [call.url.path for call in ended] == ["/v1/people/me/sessions/session_1"]
    assert client.get("/account").headers["Location"].startswith("/sign-in")


def test_an_expiring_access_token_is_refreshed_through_the_catalog():
    from datetime import timedelta

    from tests.unit.services.portal.fake_catalog import NOW

    fake = FakeCatalog()
    clock = [NOW]
    client = portal(fake, clock=lambda: clock[0]).test_client()
    _sign_in(client, fake)
    client.get("/account")
    assert "/v1/sessions/refresh" not in fake.paths()
    clock[0] = NOW + timedelta(minutes=4, seconds=45)  # within the refresh margin
    client.get("/account")
    assert fake.paths().count("/v1/sessions/refresh") == 1


def test_a_link_after_signing_in_cannot_lead_to_another_site():
    fake = FakeCatalog()
    client = portal(fake).test_client()
    page = client.get("/sign-in?next=//evil.example/phish").text
    assert 'value="/account"' in page


def test_a_catalog_that_does_not_answer_gets_a_page_saying_so_in_the_pages_language():
    def down(request):
        raise httpx.ConnectError("connection refused", request=request)

    app = portal(FakeCatalog())
    app.extensions["catalog_api"] = CatalogApi("http://catalog.test", httpx.MockTransport(down))
    answer = app.test_client().get("/search?q=uart", headers={"Accept-Language": "zh-TW"})
    assert answer.status_code == 503 and "平台暫時無法回應" in answer.text


def test_htmx_gets_the_results_alone_but_a_history_restore_the_whole_page():
    client = portal(FakeCatalog()).test_client()
    whole = client.get("/search?q=uart")
    part = client.get("/search?q=uart", headers={"HX-Request": "true"})
    restored = client.get(
        "/search?q=uart", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in whole.text and "<html" in restored.text
    assert "<html" not in part.text and 'id="results"' in part.text and "UART" in part.text
    assert "HX-Request" in part.vary and "HX-Request" in whole.vary
    too_long = client.get("/search?q=" + "x" * 201, headers={"HX-Request": "true"})
    assert "Use at most 200 characters." in too_long.text
