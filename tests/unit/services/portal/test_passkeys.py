"""Passkeys in the portal against a catalog in memory: the forms appear only where WebAuthn can
work (a host name, not an IP address), the ceremony's options pass through with the CSRF token
in a header, the browser's answer goes to the catalog as JSON, and a refusal shows beside the
form in the page's language and opens no session."""

from __future__ import annotations

import json

import httpx

from tests.unit.services.portal.fake_catalog import FakeCatalog, portal, signed_in
from tests.unit.services.portal.test_security import csrf_of, session_of

URL = "http://localhost:8000"
OPTIONS = {"challenge": "Y2hhbGxlbmdl", "rpId": "localhost", "userVerification": "required"}
CREDENTIAL = {"id": "cred-1", "rawId": "cred-1", "type": "public-key", "response": {}}


class PasskeyCatalog(FakeCatalog):
    """The catalog's passkey ceremonies: one right answer, `CREDENTIAL` for ceremony c-1."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path in ("/v1/sessions/passkey/options", "/v1/people/me/passkeys/options"):
            self.calls.append(request)
            return httpx.Response(201, json={"ceremony_id": "c-1", "options": OPTIONS})
        if path in ("/v1/sessions/passkey", "/v1/people/me/passkeys") and request.method == "POST":
            self.calls.append(request)
            body = json.loads(request.content)
            if body["ceremony_id"] != "c-1" or body["credential"] != CREDENTIAL:
                status = 401 if path == "/v1/sessions/passkey" else 422
                errors = [{"field": "credential", "message": "not a passkey"}] * (status == 422)
                return httpx.Response(
                    status, json={"title": "Refused", "status": status, "errors": errors}
                )
            if path == "/v1/sessions/passkey":
                return httpx.Response(201, json=signed_in())
            return httpx.Response(201, json={"id": "pk-1", "name": body["name"]})
        if path == "/v1/people/me/passkeys" and request.method == "GET":
            self.calls.append(request)
            return httpx.Response(200, json={"items": self.enrolled, "next": None})
        if path.startswith("/v1/people/me/passkeys/") and request.method == "DELETE":
            self.calls.append(request)
            passkey_id = path.rsplit("/", 1)[1]
            self.enrolled = [p for p in self.enrolled if p["id"] != passkey_id]
            return httpx.Response(200, json={"id": passkey_id, "removed": True})
        return super().__call__(request)

    enrolled = [
        {
            "id": "pk-1",
            "name": "Old laptop",
            "created_at": "2026-11-01T08:00:00+00:00",
            "last_used_at": None,
        }
    ]

    def bodies(self, path: str) -> list[dict]:
        return [json.loads(r.content or b"{}") for r in self.calls if r.url.path == path]


def test_passkeys_are_offered_only_on_a_portal_with_a_host_name():
    on_ip = portal(FakeCatalog(), "http://127.0.0.1:8000").test_client().get("/sign-in").text
    assert "data-passkey" not in on_ip and "passkeys.js" not in on_ip
    elsewhere = portal(FakeCatalog(), URL).test_client()
    assert "data-passkey" not in elsewhere.get("/sign-in", base_url="http://127.0.0.1:8000").text
    html = portal(FakeCatalog(), URL).test_client().get("/sign-in?next=/search").text
    assert 'data-passkey="get"' in html and "/static/passkeys.js" in html
    form = html[html.index('id="passkey-sign-in"') :]
    assert " hidden" in form[: form.index(">")]  # until the script finds WebAuthn
    assert 'name="next" type="hidden" value="/search"' in form


def test_the_options_need_the_csrf_token_in_a_header_and_pass_through():
    fake = PasskeyCatalog()
    client = portal(fake, URL).test_client()
    token = csrf_of(client.get("/sign-in").text)
    assert client.post("/sign-in/passkey/options").status_code == 400
    assert "/v1/sessions/passkey/options" not in fake.paths()
    answer = client.post("/sign-in/passkey/options", headers={"X-CSRFToken": token})
    assert answer.status_code == 201
    assert answer.json == {"ceremony_id": "c-1", "options": OPTIONS}
    assert fake.bodies("/v1/sessions/passkey/options") == [{}]  # a passkey alone


def test_a_passkey_alone_signs_in_as_the_person_the_catalog_names():
    fake = PasskeyCatalog()
    app = portal(fake, URL)
    client = app.test_client()
    token = csrf_of(client.get("/sign-in").text)
    answer = client.post(
        "/sign-in/passkey",
        data={
            "csrf_token": token,
            "ceremony_id": "c-1",
            "credential": json.dumps(CREDENTIAL),
            "next": "/search?q=uart",
        },
    )
    assert answer.status_code == 303 and answer.headers["Location"] == "/search?q=uart"
    assert fake.bodies("/v1/sessions/passkey") == [{"ceremony_id": "c-1", "credential": CREDENTIAL}]
    person = session_of(app, client)["person"]
    assert person["email"] == "li.wei@xinyuan.example" and person["id"] == "person_1"


def test_a_refused_passkey_is_said_beside_its_form_in_the_pages_language_and_signs_no_one_in():
    fake = PasskeyCatalog()
    app = portal(fake, URL)
    client = app.test_client()
    client.set_cookie("ipmarket_locale", "zh_Hans")
    token = csrf_of(client.get("/sign-in").text)
    wrong = dict(CREDENTIAL, id="someone-else")
    answer = client.post(
        "/sign-in/passkey",
        data={"csrf_token": token, "ceremony_id": "c-1", "credential": json.dumps(wrong)},
    )
    assert answer.status_code == 422
    error = answer.text[answer.text.index('id="passkey-sign-in-error"') :]
    assert "通行密钥未被接受" in error[: error.index("</p>")]
    assert "person" not in session_of(app, client)
    # Not JSON: refused here, the catalog never asked
    calls = len(fake.calls)
    answer = client.post(
        "/sign-in/passkey", data={"csrf_token": token, "ceremony_id": "c-1", "credential": "{x"}
    )
    assert answer.status_code == 422 and len(fake.calls) == calls


def test_after_a_right_password_the_passkey_is_the_second_factor():
    fake = PasskeyCatalog()
    fake.second_factor = True
    client = portal(fake, URL).test_client()
    token = csrf_of(client.get("/sign-in").text)
    data = {"csrf_token": token, "email": "li.wei@xinyuan.example", "password": fake.password}
    assert client.post("/sign-in", data=data).status_code == 303
    html = client.get("/sign-in/code").text
    assert 'data-options="/sign-in/code/passkey/options"' in html
    token = csrf_of(html)
    answer = client.post("/sign-in/code/passkey/options", headers={"X-CSRFToken": token})
    assert answer.status_code == 201
    assert fake.bodies("/v1/sessions/passkey/options") == [{"second_factor_token": "sf-1"}]


def test_a_signed_in_person_adds_a_passkey_with_a_name():
    fake = PasskeyCatalog()
    client = portal(fake, URL).test_client()
    token = csrf_of(client.get("/sign-in").text)
    data = {"csrf_token": token, "email": "li.wei@xinyuan.example", "password": fake.password}
    client.post("/sign-in", data=data)
    account = client.get("/account").text
    assert 'data-passkey="create"' in account
    token = csrf_of(account)
    options = client.post("/account/passkeys/options", headers={"X-CSRFToken": token})
    assert options.status_code == 201
    assert options_authorised(fake, "/v1/people/me/passkeys/options")
    enrol = {"csrf_token": token, "ceremony_id": "c-1", "name": " laptop "}
    refused = client.post("/account/passkeys", data=enrol | {"credential": json.dumps({})})
    assert refused.status_code == 422 and "passkey-enrol-error" in refused.text
    assert "laptop" in refused.text  # the name as typed stays
    added = client.post("/account/passkeys", data=enrol | {"credential": json.dumps(CREDENTIAL)})
    assert added.status_code == 303 and added.headers["Location"] == "/account"
    assert fake.bodies("/v1/people/me/passkeys")[-1]["name"] == "laptop"
    assert "通行密钥已添加" in client.get("/account").text  # the person speaks zh-Hans


def test_a_visitor_cannot_ask_to_add_a_passkey():
    fake = PasskeyCatalog()
    client = portal(fake, URL).test_client()
    token = csrf_of(client.get("/sign-in").text)
    answer = client.post("/account/passkeys/options", headers={"X-CSRFToken": token})
    assert answer.status_code == 401 and "error" in answer.json
    assert "/v1/people/me/passkeys/options" not in fake.paths()


def options_authorised(fake: PasskeyCatalog, path: str) -> bool:
    return any(
        r.url.path == path and r.headers.get("Authorization", "").startswith("Bearer ")
        for r in fake.calls
    )


def test_the_account_lists_the_passkeys_and_removes_one():
    fake = PasskeyCatalog()
    client = portal(fake, URL).test_client()
    token = csrf_of(client.get("/sign-in").text)
    data = {"csrf_token": token, "email": "li.wei@xinyuan.example", "password": fake.password}
    client.post("/sign-in", data=data)
    page = client.get("/account").text
    assert "Old laptop" in page and 'action="/account/passkeys/pk-1/remove"' in page
    assert client.post("/account/passkeys/pk-1/remove").status_code == 400  # no CSRF token
    assert "Old laptop" in client.get("/account").text
    removed = client.post("/account/passkeys/pk-1/remove", data={"csrf_token": csrf_of(page)})
    assert removed.status_code == 303
    assert [r.method for r in fake.calls if r.url.path == "/v1/people/me/passkeys/pk-1"] == [
        "DELETE"
    ]
    assert "Old laptop" not in client.get("/account").text
