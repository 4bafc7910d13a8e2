"""Which language a page speaks, and values formatted for it by Babel from CLDR.

The catalogs are named by script, `zh_Hans` and `zh_Hant`: Babel would map `zh_CN`/`zh_TW`
onto other locales silently. Their compiled .mo files are committed beside the .po files (built
by `make portal-translations`), so that a wheel, a container and `make run` serve the same
words without a build step at install or start-up; a unit test fails when a committed .mo does
not say what its .po says.

Choice order: the person's own setting, then the cookie the language switch sets, then the
browser's Accept-Language matched by script, then English.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from decimal import Decimal
from functools import cache

from babel import Locale
from flask_babel import format_currency, format_datetime

from services.portal import page_translations
from services.portal.domain.languages import LOCALES, NAMES, choose_locale

__all__ = ["LOCALES", "choose_locale"]

COOKIE = "ipmarket_locale"
COOKIE_MAX_AGE = 365 * 24 * 3600


def html_lang(locale: str) -> str:
    """The BCP 47 tag of a locale for <html lang>: zh-Hans, zh-Hant, en."""
    return locale.replace("_", "-")


def current_locale() -> str:
    return page_translations.locale_name()


def is_chinese() -> bool:
    return current_locale().startswith("zh")


def money(amount: str | Decimal, currency: str) -> str:
    """A price as the page's locale writes it: US$25,000.00, ¥25,000.00, HK$25,000.00…"""
    return format_currency(Decimal(str(amount)), currency)


def when(value: str | datetime | None) -> str:
    """A moment from an API (ISO 8601) in the page's locale and time zone."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_datetime(value, "long")  # with its zone: the reader may be elsewhere


def language_name(locale: str) -> str:
    return NAMES.get(locale) or Locale.parse(locale).display_name


@cache
def time_zone_names() -> list[str]:
    """The IANA time zones a person may choose, sorted (the catalog accepts the same)."""
    return sorted(zoneinfo.available_timezones())
