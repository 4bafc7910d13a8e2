"""The pages around signing in against a catalog in memory: forgotten password, invitation,
setting up an authenticator app (from the account, and when signing in demands one), the
organisation's application, the sessions list, comparing cores. A refusal shows beside its
field in the page's language; a form the portal itself refuses reaches no service."""

from __future__ import annotations

import json
import re

import httpx

from tests.unit.services.portal.fake_catalog import CORE, FakeCatalog, portal, signed_in
from tests.unit.services.portal.test_security import csrf_of, session_of

URI = "otpauth://totp/ipmarket:li.wei%40xinyuan.example?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=ipmarket"
CODES = [f"code-{n:04d}" for n in range(10)]


def problem(status: int, field: str, message: str) -> httpx.Response:
    body = {"title": "Refused", "status": status, "errors": [{"field": field, "message": message}]}
    return httpx.Response(status, json=body)


class AccountCatalog(FakeCatalog):
    def __init__(self):
        super().__init__()
        self.setup_needed = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, body = request.url.path, json.loads(request.content or b"{}")
        if path == "/v1/sessions" and self.setup_needed:
            self.calls.append(request)
            return httpx.Response(
                201, json={"status": "second_factor_setup_needed", "second_factor_token": "sf-9"}
            )
        answer = self._answer(path, body)
        if answer is None:
            return super().__call__(request)
        self.calls.append(request)
        return answer

    def _answer(self, path: str, body: dict) -> httpx.Response | None:
        if path == "/v1/sessions/password-reset":
            return httpx.Response(202, json={"status": "requested"})
        if path == "/v1/sessions/password-reset/complete":
            if body["token"] != "good-token":
                return problem(422, "token", "the link has expired; ask for a new one")
            if len(body["password"]) < 15:
                return problem(422, "password", "a password needs at least 15 characters")
            return httpx.Response(200, json={"person_id": "person_1", "sessions_ended": True})
        if path == "/v1/invitations/accept":
            if body["token"] == "withdrawn":
                withdrawn = "the organisation has withdrawn this invitation; ask its owner"
                return problem(409, "token", withdrawn)
            if not body.get("name_en"):
                return problem(422, "name_en", "your name (in English) is required")
            return httpx.Response(201, json={"person_id": "person_2"})
        if path in ("/v1/people/me/second-factor", "/v1/sessions/second-factor/setup"):
            return httpx.Response(201, json={"otpauth_uri": URI})
        if path == "/v1/people/me/second-factor/confirm":
            if body["code"] != "123456":
                return problem(422, "code", "the code is wrong")
            return httpx.Response(200, json={"recovery_codes": CODES})
        if path == "/v1/sessions/second-factor/confirm":
            if body != {"second_factor_token": "sf-9", "code": "123456"}:
                return problem(401, "", "the code is wrong")
            return httpx.Response(201, json=signed_in() | {"recovery_codes": CODES})
        if path == "/v1/organisation-applications":
            return httpx.Response(201, json=body | {"id": "app_1", "status": "pending"})
        if path == "/v1/cores/core_2":
            return httpx.Response(200, json=CORE | {"id": "core_2", "title_en": "SPI master"})
        return None

    def bodies(self, path: str) -> list[dict]:
        return [json.loads(r.content or b"{}") for r in self.calls if r.url.path == path]


def _client(fake, locale: str | None = None):
    client = portal(fake).test_client()
    if locale:
        client.set_cookie("ipmarket_locale", locale)
    return client


def _signed_in(fake):
    client = _client(fake)
    token = csrf_of(client.get("/sign-in").text)
    data = {"csrf_token": token, "email": "li.wei@xinyuan.example", "password": fake.password}
    assert client.post("/sign-in", data=data).status_code == 303
    return client


def _error(html: str, field: str) -> str:
    return re.search(rf'id="{field}-error">([^<]*)<', html).group(1)


def _link_problem(html: str) -> str:
    """What the page says above its form about the link itself."""
    return re.search(r'<p class="error" role="alert">([^<]*)<', html).group(1)


def test_a_forgotten_password_is_asked_for_then_set_from_the_link():
    fake = AccountCatalog()
    client = _client(fake, "zh_Hans")
    token = csrf_of(client.get("/password-reset").text)
    bad = client.post("/password-reset", data={"csrf_token": token, "email": "nobody"})
    assert bad.status_code == 422 and "/v1/sessions/password-reset" not in fake.paths()
    sent = client.post("/password-reset", data={"csrf_token": token, "email": "a@b.example"})
    assert sent.status_code == 200 and "如果 a@b.example 有账户" in sent.text
    assert fake.bodies("/v1/sessions/password-reset") == [{"email": "a@b.example"}]

    page = client.get("/password-reset?token=good-token").text
    assert 'name="token" type="hidden" value="good-token"' in page
    form = {"csrf_token": csrf_of(page), "token": "good-token"}
    short = client.post("/password-reset", data=form | {"password": "short"})
    assert short.status_code == 422
    assert _error(short.text, "password") == "请至少使用 15 个字符：几个单词组合即可。"
    expired = client.post("/password-reset", data=form | {"token": "old", "password": "x" * 20})
    assert _link_problem(expired.text) == "此链接已过期：请重新申请。"
    assert 'id="password-error"' not in expired.text  # the password was not what failed
    done = client.post("/password-reset", data=form | {"password": "lantern meadow copper"})
    assert done.status_code == 303 and done.headers["Location"] == "/sign-in"
    assert "新密码已设置" in client.get("/sign-in").text


def test_an_invitation_is_accepted_with_a_name_and_password():
    fake = AccountCatalog()
    client = _client(fake)
    page = client.get("/invitations/accept?token=inv-1").text
    form = {"csrf_token": csrf_of(page), "token": "inv-1", "password": "lantern meadow copper"}
    nameless = client.post("/invitations/accept", data=form)
    assert nameless.status_code == 422
    assert _error(nameless.text, "name_en") == "Enter your name in English."
    joined = client.post("/invitations/accept", data=form | {"name_en": " Chen Jie "})
    assert joined.status_code == 303 and joined.headers["Location"] == "/sign-in"
    assert fake.bodies("/v1/invitations/accept")[-1] == {
        "token": "inv-1",
        "name_en": "Chen Jie",
        "name_zh": None,
        "password": "lantern meadow copper",
    }
    tokenless = client.post("/invitations/accept", data=form | {"token": ""})
    assert _link_problem(tokenless.text).startswith("This link is not complete")
    withdrawn = client.post("/invitations/accept", data=form | {"token": "withdrawn"})
    assert withdrawn.status_code == 422 and 'id="name_en-error"' not in withdrawn.text
    assert _link_problem(withdrawn.text) == (
        "The organisation has withdrawn this invitation: ask its owner for a new one."
    )


def test_an_authenticator_app_is_set_up_from_the_account_with_a_qr_code_drawn_here():
    fake = AccountCatalog()
    client = _signed_in(fake)
    start = client.get("/account/authenticator")
    assert "data:image" not in start.text
    started = client.post("/account/authenticator", data={"csrf_token": csrf_of(start.text)})
    assert started.status_code == 303
    page = client.get("/account/authenticator")
    assert page.headers["Cache-Control"] == "no-store"
    assert 'src="data:image/svg+xml' in page.text
    assert "JBSW Y3DP EHPK 3PXP JBSW Y3DP" in page.text
    form = {"csrf_token": csrf_of(page.text)}
    wrong = client.post("/account/authenticator/confirm", data=form | {"code": "654321"})
    assert wrong.status_code == 422 and "data:image/svg+xml" in wrong.text
    assert _error(wrong.text, "code") == "验证码不正确：请检查手机上的时间。"  # zh-Hans: theirs
    letters = client.post("/account/authenticator/confirm", data=form | {"code": "abc"})
    assert letters.status_code == 422 and len(fake.bodies(CONFIRM)) == 1
    right = client.post("/account/authenticator/confirm", data=form | {"code": " 123456 "})
    assert right.status_code == 200 and right.headers["Cache-Control"] == "no-store"
    assert all(code in right.text for code in CODES)
    assert "data:image" not in client.get("/account/authenticator").text  # shown once


CONFIRM = "/v1/people/me/second-factor/confirm"


def test_signing_in_where_the_organisation_demands_an_app_sets_one_up_then_opens_the_session():
    fake = AccountCatalog()
    fake.setup_needed = True
    app = portal(fake)
    client = app.test_client()
    token = csrf_of(client.get("/sign-in").text)
    data = {"csrf_token": token, "email": "li.wei@xinyuan.example", "password": fake.password}
    answer = client.post("/sign-in", data=data)
    assert answer.headers["Location"] == "/sign-in/authenticator?next=/account"
    page = client.get(answer.headers["Location"]).text
    assert "data:image/svg+xml" in page and "person" not in session_of(app, client)
    done = client.post(
        "/sign-in/authenticator",
        data={"csrf_token": csrf_of(page), "code": "123456", "next": "/account"},
    )
    assert done.status_code == 200 and CODES[0] in done.text
    assert session_of(app, client)["person"]["email"] == "li.wei@xinyuan.example"


def test_an_organisation_applies_with_a_country_from_the_list():
    fake = AccountCatalog()
    client = _client(fake, "zh_Hant")
    page = client.get("/apply").text
    assert '<option value="HK">中國香港特別行政區' in page  # CLDR's name, the page's language
    form = {
        "csrf_token": csrf_of(page),
        "legal_name_en": "Harbour Silicon Ltd",
        "country": "ZZ",
        "registration_number": "HK-1",
        "contact_name": "Wong Ka Ming",
        "contact_email": "ka.ming@harbour.example",
    }
    refused = client.post("/apply", data=form)
    assert refused.status_code == 422 and "/v1/organisation-applications" not in fake.paths()
    assert _error(refused.text, "roles") == "請選擇供應商、被授權方或兩者。"
    assert "country-error" in refused.text
    applied = client.post("/apply", data=form | {"country": "HK", "roles": ["vendor", "licensee"]})
    assert applied.status_code == 200 and "Harbour Silicon Ltd 的申請已交平台營運方" in applied.text
    [body] = fake.bodies("/v1/organisation-applications")
    assert body["roles"] == ["vendor", "licensee"] and body["locale"] == "zh-Hant"


def test_the_account_lists_the_sessions_and_ends_another():
    fake = AccountCatalog()
    client = _signed_in(fake)
    page = client.get("/account").text
    assert "192.0.2.10" in page
    ended = client.post("/account/sessions/session_9/end", data={"csrf_token": csrf_of(page)})
    assert ended.status_code == 303
    assert fake.calls[-1].method == "DELETE"
    assert fake.calls[-1].url.path == "/v1/people/me/sessions/session_9"


def test_up_to_four_cores_are_compared_side_by_side():
    fake = AccountCatalog()
    client = _client(fake)
    token = csrf_of(client.get("/search?q=uart").text)
    for core in ["core_1", "core_2", "core_1"]:  # the same one twice counts once
        added = client.post("/compare", data={"csrf_token": token, "core": core, "next": "/"})
        assert added.status_code == 303 and added.headers["Location"] == "/"
    page = client.get("/compare").text
    assert "UART controller" in page and "SPI master" in page
    assert "/compare?core=core_1&amp;core=core_2" in page
    for core in ["c3", "c4", "c5"]:
        client.post("/compare", data={"csrf_token": token, "core": core})
    assert "up to 4 cores" in client.get("/compare").text
    client.post("/compare/remove", data={"csrf_token": token, "core": "core_2"})
    assert "SPI master" not in client.get("/compare").text
    shared = _client(fake).get("/compare?core=core_2")
    assert shared.status_code == 200 and "SPI master" in shared.text
    assert client.post("/compare", data={"core": "core_2"}).status_code == 400  # no CSRF token
