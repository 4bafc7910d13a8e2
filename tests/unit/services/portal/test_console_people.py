"""The console's people pages against a catalog in memory: the list found by e-mail address,
a person with their memberships and platform roles, the form that changes the roles (the last
operator's refusal beside the field, in the page's language)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import httpx

from tests.unit.services.portal.fake_catalog import ACCOUNT, NOW, FakeCatalog, portal
from tests.unit.services.portal.test_security import csrf_of

PERSON = {
    "person_id": "5b1f0e8e-0000-4000-8000-000000000001",
    "email": "zhang.min@xinyuan.example",
    "name_en": "Zhang Min",
    "name_zh": "张敏",
    "locale": None,
    "timezone": None,
    "platform_roles": ["operator"],
    "disabled": False,
    "second_factor": True,
    "created_at": "2026-12-01T08:00:00+00:00",
    "memberships": [
        {
            "organisation_id": "org_1",
            "legal_name_en": "Xinyuan",
            "legal_name_zh": "芯元",
            "kinds": ["vendor"],
            "roles": ["approver"],
        }
    ],
}


def operator_token() -> str:
    claims = {"sub": "operator_1", "memberships": {}, "platform_roles": ["operator"]}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJFZERTQSJ9.{payload}.c2lnbmF0dXJl"


class PeopleCatalog(FakeCatalog):
    def __init__(self):
        super().__init__()
        self.last_operator = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/sessions":
            self.calls.append(request)
            answer = {
                "status": "signed_in",
                "session_id": "session_1",
                "access_token": operator_token(),
                "refresh_token": "refresh-1",
                "access_token_expires_at": (NOW + timedelta(minutes=5)).isoformat(),
            }
            return httpx.Response(201, json=answer)
        if path == "/v1/people/me":  # no language of their own: the switch's cookie rules
            self.calls.append(request)
            return httpx.Response(200, json=ACCOUNT | {"locale": None, "memberships": []})
        if path == "/v1/people":
            self.calls.append(request)
            email = request.url.params.get("email", "")
            items = [PERSON] if email.casefold() in PERSON["email"] else []
            return httpx.Response(200, json={"items": items, "next": None})
        if path == f"/v1/people/{PERSON['person_id']}":
            self.calls.append(request)
            return httpx.Response(200, json=PERSON)
        if path == f"/v1/people/{PERSON['person_id']}/platform-roles":
            self.calls.append(request)
            roles = json.loads(request.content)["roles"]
            if self.last_operator and "operator" not in roles:
                problem = {"title": "Conflict", "status": 409, "detail": "the last operator"}
                return httpx.Response(409, json=problem)
            return httpx.Response(200, json=PERSON | {"platform_roles": roles})
        return super().__call__(request)


def operator_client(fake, locale="en"):
    client = portal(fake).test_client()
    client.set_cookie("ipmarket_locale", locale)
    token = csrf_of(client.get("/sign-in").text)
    data = {"csrf_token": token, "email": "ops@platform.example", "password": fake.password}
    assert client.post("/sign-in", data=data).status_code == 303
    return client


def test_an_operator_finds_people_by_e_mail_address_and_opens_one():
    fake = PeopleCatalog()
    client = operator_client(fake)
    listed = client.get("/console/people?email=ZHANG").text
    assert fake.calls[-1].url.params["email"] == "ZHANG"
    assert "zhang.min@xinyuan.example" in listed and 'href="/console/people/' in listed
    assert "Nobody matches." in client.get("/console/people?email=nobody").text
    page = client.get(f"/console/people/{PERSON['person_id']}").text
    assert "Zhang Min" in page and "Xinyuan" in page and "Approver" in page
    assert '<input checked id="operator" name="operator" type="checkbox"' in page


def test_an_operator_changes_the_platform_roles_with_csrf():
    fake = PeopleCatalog()
    client = operator_client(fake)
    path = f"/console/people/{PERSON['person_id']}"
    page = client.get(path).text
    saved = client.post(path, data={"csrf_token": csrf_of(page), "export_reviewer": "y"})
    assert saved.status_code == 303 and saved.headers["Location"] == path
    [put] = [c for c in fake.calls if c.method == "PUT"]
    assert json.loads(put.content) == {"roles": ["export_reviewer"]}
    refused = client.post(path, data={"export_reviewer": "y"})  # no CSRF token
    assert refused.status_code == 400
    assert len([c for c in fake.calls if c.method == "PUT"]) == 1


def test_the_last_operator_s_refusal_shows_beside_the_roles_in_the_page_s_language():
    fake = PeopleCatalog()
    fake.last_operator = True
    client = operator_client(fake, "zh_Hant")
    path = f"/console/people/{PERSON['person_id']}"
    refused = client.post(path, data={"csrf_token": csrf_of(client.get(path).text)})
    assert refused.status_code == 422
    assert (
        'id="operator-error">平台的最後一位營運人員必須保留：請先指定另一位營運人員。<'
        in refused.text
    )
