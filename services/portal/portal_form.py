"""The portal's base form: Flask-WTF's, with WTForms' own few messages ("Not a valid choice.",
"Not a valid integer value.") in the page's script.

WTForms ships its catalogs as `zh` (Simplified) and `zh_TW` (Traditional). Flask-WTF looks them
up by the page's locale, and for `zh_Hant` gettext falls back to `zh`: a Traditional page said
不是有效的选择. The portal's own messages are in its own catalogs (i18n.py)."""

from __future__ import annotations

import functools

from babel import support
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path

from services.portal.page_translations import locale_name

# The portal's locales as WTForms' catalogs are named.
WTFORMS_LOCALES = {"en": "en", "zh_Hans": "zh", "zh_Hant": "zh_TW"}


@functools.lru_cache(maxsize=8)
def _wtforms_catalog(locale: str) -> support.NullTranslations:
    return support.Translations.load(
        messages_path(), [WTFORMS_LOCALES.get(locale, locale)], domain="wtforms"
    )


class WtformsWords:
    """What WTForms asks its translations for, in the request's language."""

    def gettext(self, string: str) -> str:
        return _wtforms_catalog(locale_name()).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalog(locale_name()).ungettext(singular, plural, n)


WORDS = WtformsWords()


class PortalForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return WORDS
