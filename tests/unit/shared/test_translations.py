"""The shared catalogs (shared/translations): every message id the notify service and the shared
vocabulary mark is in both Chinese catalogs, translated, with the same {placeholders}; the
committed .mo says what its .po says; and the portal and notify name a code in the same words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from shared import translations, vocabulary

ROOT = Path(__file__).resolve().parents[3]
LOCALES = ("zh_Hans", "zh_Hant")
PLACEHOLDER = re.compile(r"\{(\w*)(?::[^}]*)?\}")
# A date's format may use any part of a date: a language orders and names them its own way.
DATE_PARTS = {"weekday", "day", "month", "month_name", "year", "hour", "minute"}


def catalog(locale: str, kind: str = "po"):
    path = translations.DIRECTORY / locale / "LC_MESSAGES" / f"messages.{kind}"
    with path.open("rb") as file:
        return read_po(file) if kind == "po" else read_mo(file)


def marked() -> set[str]:
    found = set()
    for folder in (ROOT / "services" / "notify", ROOT / "shared"):
        for _, _, message, _, _ in extract_from_dir(
            str(folder), [("**.py", "python")], keywords=DEFAULT_KEYWORDS
        ):
            found.add(message)
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_with_its_placeholders(locale):
    po = catalog(locale)
    missing = marked() - {m.id for m in po if m.id}
    assert not missing, f"not in {locale} (make portal-translations): {missing}"
    for message in po:
        if message.id:
            assert message.string and "fuzzy" not in message.flags, message.id
            filled = set(PLACEHOLDER.findall(message.id))
            filled |= DATE_PARTS if "month_name" in filled else set()
            assert set(PLACEHOLDER.findall(message.string)) <= filled, message.id


@pytest.mark.parametrize("locale", LOCALES)
def test_the_committed_mo_says_what_the_po_says(locale):
    po, mo = catalog(locale), catalog(locale, "mo")
    assert {m.id: m.string for m in po if m.id} == {m.id: m.string for m in mo if m.id}


def test_codes_that_reach_people_read_differently_in_each_script():
    words = vocabulary.OFFER["evaluation"]
    assert translations.gettext("zh-Hans", words) == "评估授权"
    assert translations.gettext("zh-Hant", words) == "評估授權"
    assert translations.gettext("en", words) == "Evaluation"
    reason = vocabulary.REASON["ADVANCED_IC_TECHNOLOGY_REVIEW"]
    assert translations.gettext("zh-Hans", reason).startswith("先进集成电路")
