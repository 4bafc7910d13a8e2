"""The account's "Language and time zone" form against a catalog in memory: the choices
offered, a refusal beside its field in the page's language, and after saving the pages speak
the chosen language and show dates in the chosen time zone."""

from __future__ import annotations

import json
import re

import httpx

from services.portal.i18n import time_zone_names
from tests.unit.services.portal.fake_catalog import ACCOUNT, FakeCatalog, portal
from tests.unit.services.portal.test_security import csrf_of


class SettingsCatalog(FakeCatalog):
    """Keeps the person's settings; refuses a time zone it does not know, as the catalog
    does (services/catalog/domain/people.settings_problem)."""

    def __init__(self):
        super().__init__()
        self.settings = {"locale": None, "timezone": None}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/people/me" and request.method == "PATCH":
            self.calls.append(request)
            body = json.loads(request.content)
            if body["timezone"] is not None and body["timezone"] not in time_zone_names():
                message = "not an IANA time zone (such as Asia/Shanghai), or null"
                errors = [{"field": "timezone", "message": message}]
                problem = {"title": "Refused", "status": 422, "errors": errors}
                return httpx.Response(422, json=problem)
            self.settings = body
            return httpx.Response(200, json=ACCOUNT | body)
        if request.url.path == "/v1/people/me":
            self.calls.append(request)
            return httpx.Response(200, json=ACCOUNT | self.settings)
        return super().__call__(request)


def signed_in_client(fake, locale: str = "en"):
    client = portal(fake).test_client()
    client.set_cookie("ipmarket_locale", locale)
    token = csrf_of(client.get("/sign-in").text)
    data = {"csrf_token": token, "email": "li.wei@xinyuan.example", "password": fake.password}
    assert client.post("/sign-in", data=data).status_code == 303
    return client


def test_the_form_offers_the_three_languages_the_organisation_s_and_every_time_zone():
    page = signed_in_client(SettingsCatalog()).get("/account").text
    assert "Language and time zone" in page
    languages = re.search(r'<select[^>]*id="locale".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="([^"]*)"', languages) == ["", "en", "zh-Hans", "zh-Hant"]
    zones = re.search(r'<select[^>]*id="timezone".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="([^"]*)"', zones) == ["", *time_zone_names()]
    assert 'value="Asia/Hong_Kong"' in zones and "selected" in zones.split("<option")[1]


def test_a_refused_time_zone_shows_beside_its_field_in_the_page_s_language():
    fake = SettingsCatalog()
    client = signed_in_client(fake, "zh_Hant")
    page = client.get("/account").text
    data = {"csrf_token": csrf_of(page), "locale": "en", "timezone": "Mars/Olympus_Mons"}
    refused = client.post("/account/settings", data=data)
    assert refused.status_code == 422
    error = re.search(r'id="timezone-error">([^<]*)<', refused.text).group(1)
    assert error == "請從清單中選擇時區。"
    assert fake.settings == {"locale": None, "timezone": None}


def test_without_its_csrf_token_nothing_reaches_the_catalog():
    fake = SettingsCatalog()
    client = signed_in_client(fake)
    refused = client.post("/account/settings", data={"locale": "zh-Hant", "timezone": ""})
    assert refused.status_code == 400  # the portal's answer to a form without its token
    assert not [c for c in fake.calls if c.method == "PATCH"]


def test_after_saving_the_pages_speak_the_language_and_show_dates_in_the_time_zone():
    fake = SettingsCatalog()
    client = signed_in_client(fake, "en")  # the switch said English: the person's choice rules
    page = client.get("/account").text
    data = {"csrf_token": csrf_of(page), "locale": "zh-Hant", "timezone": "Asia/Hong_Kong"}
    saved = client.post("/account/settings", data=data)
    assert saved.status_code == 303 and saved.headers["Location"] == "/account#settings"
    patched = [json.loads(c.content) for c in fake.calls if c.method == "PATCH"]
    assert patched == [{"locale": "zh-Hant", "timezone": "Asia/Hong_Kong"}]
    page = client.get("/account").text
    assert '<html lang="zh-Hant"' in page
    assert "已儲存您的語言和時區。" in page  # said in the language just chosen
    assert "下午3:55:00 [+0800]" in page  # the session's start (07:55 UTC) in Hong Kong time
    # "" is the organisation's again
    data = {"csrf_token": csrf_of(page), "locale": "", "timezone": ""}
    assert client.post("/account/settings", data=data).status_code == 303
    assert fake.settings == {"locale": None, "timezone": None}
    page = client.get("/account").text  # the organisation's: Asia/Shanghai, not UTC
    assert "3:55:00\u202fPM +0800" in page and "7:55:00\u202fAM" not in page
