"""Money and moments as each locale writes them (Babel's CLDR data), in the person's zone."""

import pytest
from flask import session

from services.portal import i18n
from tests.unit.services.portal.fake_catalog import FakeCatalog, portal


@pytest.mark.parametrize(
    ("language", "usd", "cny", "hkd"),
    [
        ("en", "$25,000.00", "CN¥25,000.00", "HK$25,000.00"),
        ("zh-CN", "US$25,000.00", "¥25,000.00", "HK$25,000.00"),
        ("zh-HK", "US$25,000.00", "CN¥25,000.00", "HK$25,000.00"),
    ],
)
def test_money_in_the_pages_locale(language, usd, cny, hkd):
    app = portal(FakeCatalog())
    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert [i18n.money("25000.00", c) for c in ("USD", "CNY", "HKD")] == [usd, cny, hkd]


def test_a_moment_in_the_locale_and_the_persons_time_zone():
    app = portal(FakeCatalog())
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        session["person"] = {"id": "p", "memberships": {}, "timezone": "Asia/Shanghai"}
        assert i18n.when("2026-11-01T10:00:00+00:00") == "2026年11月1日 +0800 18:00:00"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert i18n.when("2026-11-01T10:00:00+00:00") == "November 1, 2026, 10:00:00\u202fAM UTC"
