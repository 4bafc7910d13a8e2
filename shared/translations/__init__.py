"""The shared message catalogs: the notify service's wording and the marketplace's vocabulary
(shared.vocabulary), in zh_Hans and zh_Hant. The portal loads them beside its own catalogs
(its pages name the same codes); the notify service reads them here, outside any request.

Built with the portal's by `make portal-translations` (extract, update, compile); the compiled
.mo files are committed beside the .po files.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

DIRECTORY = Path(__file__).parent


@cache
def for_locale(locale: str) -> NullTranslations:
    """The catalog of a BCP 47 tag as notify spells it (en, zh-Hans, zh-Hant); English is the
    message ids themselves."""
    if locale == "en":
        return NullTranslations()
    return Translations.load(str(DIRECTORY), [locale.replace("-", "_")])


def gettext(locale: str, message: str) -> str:
    return for_locale(locale).gettext(message)
