"""Every word of the portal in both Chinese scripts: each string the code and templates mark is
in both catalogs, translated, with the same placeholders, and the committed .mo says what its
.po says. The pages then speak the language chosen."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.unit.services.portal.fake_catalog import FakeCatalog, portal
from tests.unit.services.portal.test_security import PAGES, csrf_of

PORTAL = Path(__file__).resolve().parents[4] / "services" / "portal"
LOCALES = ("zh_Hans", "zh_Hant")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def catalog(locale: str, kind: str = "po"):
    path = PORTAL / "translations" / locale / "LC_MESSAGES" / f"messages.{kind}"
    with path.open("rb") as file:
        return read_po(file) if kind == "po" else read_mo(file)


@cache  # both locales' tests ask: every source file and template read once
def marked_strings() -> frozenset:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    found = extract_from_dir(str(PORTAL), method_map, keywords={**DEFAULT_KEYWORDS, "_l": None})
    return frozenset(message for _, _, message, _, _ in found)


def _texts(catalog) -> dict:
    def key(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {key(m.id): key(m.string) for m in catalog if m.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_marked_string_is_translated_with_its_placeholders(locale):
    po = catalog(locale)
    ids = {m.id for m in po if m.id}
    missing = {m if isinstance(m, str) else m[0] for m in marked_strings()} - {
        i if isinstance(i, str) else i[0] for i in ids
    }
    assert not missing, f"not in {locale}'s catalog (make portal-translations): {missing}"
    for message in po:
        if not message.id:
            continue
        assert "fuzzy" not in message.flags, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{locale}: {message.id!r} is not translated"
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(source)), source


@pytest.mark.parametrize("locale", LOCALES)
def test_the_committed_mo_says_what_the_po_says(locale):
    po, mo = catalog(locale), catalog(locale, "mo")
    assert _texts(po) == _texts(mo)


@pytest.mark.parametrize("path", PAGES)
def test_zh_hk_gets_traditional_and_zh_cn_simplified_on_every_page(path):
    client = portal(FakeCatalog()).test_client()
    hant = client.get(path, headers={"Accept-Language": "zh-HK,en;q=0.5"}).text
    hans = client.get(path, headers={"Accept-Language": "zh-CN"}).text
    assert '<html lang="zh-Hant">' in hant and ("搜尋" in hant or "登入" in hant)
    assert '<html lang="zh-Hans">' in hans and ("搜索" in hans or "登录" in hans)
    assert "搜索" not in hant and "登录" not in hant  # no Simplified on a Traditional page


def test_the_language_switch_outranks_the_browser_and_goes_back_where_it_was():
    client = portal(FakeCatalog()).test_client()
    page = client.get("/cores/core_1", headers={"Accept-Language": "zh-CN"}).text
    answer = client.post(
        "/language",
        data={"csrf_token": csrf_of(page), "locale": "zh_Hant", "next": "/cores/core_1"},
    )
    assert answer.status_code == 303 and answer.headers["Location"] == "/cores/core_1"
    assert client.get_cookie("ipmarket_locale").http_only
    again = client.get("/cores/core_1", headers={"Accept-Language": "zh-CN"}).text
    assert '<html lang="zh-Hant">' in again and "授權方案" in again and "CN¥25,000.00" in again


def test_a_language_we_do_not_speak_changes_nothing():
    client = portal(FakeCatalog()).test_client()
    page = client.get("/").text
    client.post("/language", data={"csrf_token": csrf_of(page), "locale": "fr", "next": "/"})
    assert client.get_cookie("ipmarket_locale") is None


def test_wtforms_own_messages_are_in_the_pages_script():
    # WTForms' catalogs are zh and zh_TW: a zh_Hant page once fell back to the Simplified one.
    client = portal(FakeCatalog()).test_client()
    page = {
        language: client.get("/search?q=uart&sort=bogus", headers={"Accept-Language": language})
        for language in ("zh-HK", "zh-CN", "en")
    }
    assert "不是有效的選擇" in page["zh-HK"].text and "选择" not in page["zh-HK"].text
    assert "不是有效的选择" in page["zh-CN"].text
    assert "Not a valid choice." in page["en"].text
