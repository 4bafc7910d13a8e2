"""Which language a page speaks, and values formatted for it by Babel from CLDR.

The catalogs are named by script, `zh_Hans` and `zh_Hant`: Babel would map `zh_CN`/`zh_TW`
onto other locales silently. Their compiled .mo files are committed beside the .po files (built
by `make portal-translations`), so that a wheel, a container and `make run` serve the same
words without a build step at install or start-up; a unit test fails when a .mo is older than
its .po.

Choice order: the person's own setting, then the cookie the language switch sets, then the
browser's Accept-Language matched by script, then English.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from babel import Locale
from flask_babel import format_currency, format_datetime, get_locale

LOCALES = ("en", "zh_Hans", "zh_Hant")
DEFAULT = "en"
COOKIE = "ipmarket_locale"
COOKIE_MAX_AGE = 365 * 24 * 3600

# A region says which script a Chinese reader expects when the tag names none.
TRADITIONAL_REGIONS = {"tw", "hk", "mo"}
# The names each language is offered under in the switch, in its own script.
NAMES = {"en": "English", "zh_Hans": "简体中文", "zh_Hant": "繁體中文"}


def known(value: str | None) -> str | None:
    """One of LOCALES for a stored choice: ours ("zh_Hant") or the services' ("zh-Hant")."""
    if not value:
        return None
    value = value.replace("-", "_")
    return value if value in LOCALES else None


def by_script(tag: str) -> str | None:
    """A locale of ours for one Accept-Language tag, or None for a language we do not speak:
    zh-Hant, zh-TW, zh-HK, zh-MO → Traditional; zh, zh-Hans, zh-CN, zh-SG → Simplified."""
    parts = tag.strip().lower().replace("_", "-").split("-")
    if parts[0] == "en":
        return "en"
    if parts[0] != "zh":
        return None
    subtags = set(parts[1:])
    if "hant" in subtags:
        return "zh_Hant"
    if "hans" in subtags:
        return "zh_Hans"
    return "zh_Hant" if subtags & TRADITIONAL_REGIONS else "zh_Hans"


def choose_locale(person_setting: str | None, cookie: str | None, accepted: Iterable[str]) -> str:
    """`accepted`: the Accept-Language tags, most wanted first."""
    for choice in (known(person_setting), known(cookie)):
        if choice:
            return choice
    for tag in accepted:
        choice = by_script(tag)
        if choice:
            return choice
    return DEFAULT


def html_lang(locale: str) -> str:
    """The BCP 47 tag of a locale for <html lang>: zh-Hans, zh-Hant, en."""
    return locale.replace("_", "-")


def current_locale() -> str:
    return str(get_locale())


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
    return format_datetime(value, "medium")


def language_name(locale: str) -> str:
    return NAMES.get(locale) or Locale.parse(locale).display_name
