"""Rendered fragments kept by what they were rendered from (services/portal/rendered_fragments.py),
and the pages that keep parts there (a search's results, a core's details): a changed answer is
never shown stale, and nothing of one person reaches another."""

import re

import httpx

from services.portal.rendered_fragments import RenderedFragments
from tests.unit.services.portal.fake_catalog import ACCOUNT, CORE, FakeCatalog, portal
from tests.unit.services.portal.test_security import csrf_of


def test_a_fragment_is_rendered_once_per_key_and_the_least_recently_used_goes_first():
    kept, rendered = RenderedFragments(capacity=2), []

    def render(text):
        return lambda: rendered.append(text) or f"<p>{text}</p>"

    assert kept.get("a", render("a")) == "<p>a</p>"
    assert kept.get("a", render("again")) == "<p>a</p>"  # kept: not rendered again
    kept.get("b", render("b"))
    kept.get("a", render("a"))  # a is now the most recently used
    kept.get("c", render("c"))  # so b goes
    kept.get("b", render("b"))
    assert rendered == ["a", "b", "c", "b"]


def test_a_kept_fragment_is_markup_and_not_escaped_again():
    kept = RenderedFragments(capacity=1)
    assert str(kept.get("k", lambda: "<b>&amp;</b>")) == "<b>&amp;</b>"


def test_the_search_page_shows_the_catalogs_new_answer_to_the_same_search():
    fake = FakeCatalog()
    client = portal(fake).test_client()
    assert "UART controller" in client.get("/search?q=uart").text
    fake.found = [dict(CORE, title_en="UART controller with DMA")]
    assert "UART controller with DMA" in client.get("/search?q=uart").text


def test_the_same_answer_is_shown_in_each_pages_language():
    client = portal(FakeCatalog()).test_client()
    english = client.get("/search?q=uart", headers={"Accept-Language": "en"}).text
    chinese = client.get("/search?q=uart", headers={"Accept-Language": "zh-CN"}).text
    traditional = client.get("/search?q=uart", headers={"Accept-Language": "zh-HK"}).text
    assert "1 core found" in english and "UART controller" in english
    assert "串口控制器" in chinese and "1 core found" not in chinese
    assert chinese != traditional


def test_a_repeated_search_is_rendered_once_and_each_search_and_form_of_it_on_its_own():
    app = portal(FakeCatalog())  # (built once for the tier: what it keeps may be another test's)
    client, kept = app.test_client(), app.extensions["search_results"]._entries
    client.get("/search?q=kept+once")
    before = len(kept)
    client.get("/search?q=kept+once")
    assert len(kept) == before
    client.get("/search?q=kept+once&sort=newest")  # its links are its own
    client.get("/search?q=kept+once", headers={"HX-Request": "true"})  # the results alone
    assert len(kept) == before + 2


def test_the_core_page_shows_the_catalogs_new_answer():
    fake = FakeCatalog()
    client = portal(fake).test_client()
    assert "CN¥25,000.00" in client.get("/cores/core_1").text
    price = {"amount": "27500.00", "currency": "CNY"}
    fake.core = dict(CORE, offers=[dict(CORE["offers"][0], price=price)])
    page = client.get("/cores/core_1").text
    assert "CN¥27,500.00" in page and "CN¥25,000.00" not in page


def test_a_core_page_is_in_each_readers_time_zone_and_their_own_forms_are_their_own():
    fake = FakeCatalog()
    visitor = portal(fake).test_client()
    # published 2026-11-01 10:00 UTC; the visitor reads zh-Hans in UTC, as the person below
    seen = visitor.get("/cores/core_1", headers={"Accept-Language": "zh-CN"}).text
    assert "10:00:00" in seen and 'action="/licensee/watches"' not in seen
    person = portal(fake).test_client()
    token = csrf_of(person.get("/sign-in").text)
    data = {"csrf_token": token, "email": "li.wei@xinyuan.example", "password": fake.password}
    assert person.post("/sign-in", data=data).status_code == 303
    page = person.get("/cores/core_1").text  # in the person's zh-Hans and Asia/Shanghai
    assert "18:00:00" in page and 'action="/licensee/watches"' in page
    tokens = {csrf_of(seen), *re.findall(r'name="csrf_token" value="([^"]+)"', page)}
    assert len(tokens) == 2  # the visitor's and the person's: each page its own session's


def tokens_of(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


def test_visitors_are_shown_one_kept_page_each_with_their_own_token():
    app = portal(FakeCatalog())
    kept = app.extensions["visitor_pages"]._pages._entries
    first, second = app.test_client(), app.test_client()
    paths = ("/search?q=visitors", "/cores/core_1")
    seen = [first.get(path).text for path in paths]
    before = len(kept)
    seen += [second.get(path).text for path in paths]
    assert len(kept) == before  # rendered once (here or before), kept for every visitor
    assert all("csrf-stand-in" not in page for page in seen)
    for page in seen:
        assert len(tokens_of(page)) == 1
    assert tokens_of(seen[0]) == tokens_of(seen[1]) != tokens_of(seen[2]) == tokens_of(seen[3])
    # Each token is the one its visitor's session holds: a form sent with it is accepted.
    token = tokens_of(seen[3]).pop()
    assert second.post("/compare", data={"csrf_token": token, "core": "core_1"}).status_code == 303


def test_a_visitors_comparison_and_a_persons_name_are_never_in_anothers_page():
    fake = EnglishUtcCatalog()
    app = portal(fake)
    comparing, other, person = app.test_client(), app.test_client(), app.test_client()
    assert "li.wei@xinyuan.example" not in other.get("/search?q=everyone").text
    token = tokens_of(comparing.get("/cores/core_1").text).pop()
    comparing.post("/compare", data={"csrf_token": token, "core": "core_1"})
    assert "Compare (1)" in comparing.get("/cores/core_1").text
    assert "Compare (1)" not in other.get("/cores/core_1").text
    data = {"csrf_token": csrf_of(person.get("/sign-in").text), "password": fake.password}
    person.post("/sign-in", data=data | {"email": "li.wei@xinyuan.example"})
    # In the visitor's language and time zone: nothing but the person tells their pages apart.
    assert "li.wei@xinyuan.example" in person.get("/search?q=everyone").text
    assert "li.wei@xinyuan.example" not in other.get("/search?q=everyone").text


class EnglishUtcCatalog(FakeCatalog):
    """A person who reads English in UTC, as a visitor does."""

    def __call__(self, request):
        if request.url.path == "/v1/people/me":
            memberships = [m | {"timezone": "UTC"} for m in ACCOUNT["memberships"]]
            account = ACCOUNT | {"locale": "en", "timezone": "UTC", "memberships": memberships}
            return httpx.Response(200, json=account)
        return super().__call__(request)
