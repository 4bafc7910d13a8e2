"""Which of the portal's languages a page speaks: pure rules, no Flask.

The catalogs are named by script, `zh_Hans` and `zh_Hant` (Babel would map `zh_CN`/`zh_TW` onto
other locales silently). Choice order: the person's own setting, then the cookie of the language
switch, then the browser's Accept-Language matched by script, then English.
"""

from __future__ import annotations

from collections.abc import Iterable

LOCALES = ("en", "zh_Hans", "zh_Hant")
DEFAULT = "en"

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
