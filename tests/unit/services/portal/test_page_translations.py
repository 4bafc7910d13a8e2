"""The request's words found once (services/portal/page_translations.py) say what Flask-Babel's
own look-ups say, in each of the portal's languages."""

from __future__ import annotations

import jinja2
import pytest
from flask_babel import format_number, gettext, ngettext

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
        for count in (0, 7, 999, 1000, -1000, 1234, 1234567):
            assert page_translations.number(count) == format_number(count)
        rendered = app.jinja_env.from_string("{{ _('Search') }} {{ 1234|numberformat }}").render()
        assert rendered == f"{gettext('Search')} {format_number(1234)}"
    if locale != "en":
        with app.test_request_context(headers={"Accept-Language": ACCEPT[locale]}):
            assert gettext("Search") != "Search"  # translated: the comparison above means something


@pytest.mark.parametrize("locale", ACCEPT)
def test_page_words_and_templates_gettext_say_what_label_and_jinjas_own_say(locale):
    app = portal_app({"IPMARKET_PORTAL_SECRET_KEY": "unit test session secret, long enough"})
    with app.test_request_context(headers={"Accept-Language": ACCEPT[locale]}):
        words = labels.page_words()
        for kind, code in (("maturity", "silicon_proven"), ("facet", "node"), ("foundry", "SMIC")):
            assert words[kind][code] == labels.label(kind, code)
        assert words["price"][None] == labels.label("price", None) == ""
        assert words.chinese == (locale != "en")
        source = (
            "{{ _('More from %(vendor)s', vendor=v) }}|{{ _('Compare') }}|{{ _('100%% <i>') }}|"
            "{{ ngettext('%(num)s core found', '%(num)s cores found', n) }}"
        )
        jinjas_own = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
        jinjas_own.install_gettext_callables(gettext, ngettext, newstyle=True)
        for n in (1, 2):
            expected = jinjas_own.from_string(source).render(v="<b>", n=n)
            assert app.jinja_env.from_string(source).render(v="<b>", n=n) == expected
        assert "&lt;b&gt;" in expected and "100% <i>" in expected  # a msgid is trusted
