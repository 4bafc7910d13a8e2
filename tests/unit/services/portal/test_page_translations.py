"""The request's words found once (services/portal/page_translations.py) say what Flask-Babel's
own look-ups say, in each of the portal's languages."""

from __future__ import annotations

import pytest
from flask_babel import format_number, gettext

from services.portal import labels, page_translations
from tests.unit.services.portal.built_portal import portal_app

ACCEPT = {"en": "en", "zh_Hans": "zh-CN", "zh_Hant": "zh-HK"}


@pytest.mark.parametrize("locale", ACCEPT)
def test_words_labels_and_counts_are_flask_babels_own(locale):
    app = portal_app({"IPMARKET_PORTAL_SECRET_KEY": "unit test session secret, long enough"})
    with app.test_request_context(headers={"Accept-Language": ACCEPT[locale]}):
        assert page_translations.locale_name() == locale
        assert page_translations.translations().ugettext("Search") == gettext("Search")
        assert labels.label("maturity", "silicon_proven") == str(
            labels.LABELS["maturity"]["silicon_proven"]
        )
        for count in (0, 7, 999, 1234, 1234567):
            assert page_translations.number(count) == format_number(count)
        rendered = app.jinja_env.from_string("{{ _('Search') }} {{ 1234|numberformat }}").render()
        assert rendered == f"{gettext('Search')} {format_number(1234)}"
    if locale != "en":
        with app.test_request_context(headers={"Accept-Language": ACCEPT[locale]}):
            assert gettext("Search") != "Search"  # translated: the comparison above means something
