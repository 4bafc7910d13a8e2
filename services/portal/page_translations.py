"""The request's language and message catalog, found once per request and kept on `g`.

Flask-Babel finds them again for every string it translates (three or four context-local
look-ups each time: flask_babel._get_current_context, get_locale, get_translations). A search
page translates about 150 strings — facet labels, buttons, counts, each card's words — and
those look-ups were a fifth of the portal's server CPU per search page (bench/portal.py). The
words are the same: Flask-Babel keeps the locale and catalog for the whole request too, this
only skips its way of finding them again.
"""

from __future__ import annotations

import functools

from babel.numbers import get_group_symbol
from flask import Flask, g
from flask_babel import format_number, get_locale, get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup


def translations():
    """The request's catalog (a babel Translations); outside a request, Flask-Babel's answer."""
    try:
        found = g.get("_page_translations")
    except RuntimeError:  # no application context: Flask-Babel answers NullTranslations
        return get_translations()
    if found is None:
        found = g._page_translations = get_translations()
    return found


def locale_name() -> str:
    """The request's locale as a string: en, zh_Hans, zh_Hant."""
    try:
        found = g.get("_page_locale")
    except RuntimeError:
        return str(get_locale())
    if found is None:
        found = g._page_locale = str(get_locale())
    return found


def number(value) -> str:
    """Flask-Babel's numberformat, for a whole number without its pattern engine: a facet's
    count, forty on a search page, where Babel's formatting was a tenth of the page's CPU.
    The portal's locales (en, zh_Hans, zh_Hant) all group by three."""
    if isinstance(value, int) and not isinstance(value, bool):
        if -1000 < value < 1000:  # most counts: no group to separate, no language to find
            return str(value)
        return f"{value:,}".replace(",", _group_symbol(locale_name()))
    return format_number(value)


@functools.lru_cache(maxsize=16)
def _group_symbol(locale: str) -> str:
    return get_group_symbol(locale)


def install(app: Flask) -> None:
    """Templates' _(), gettext and ngettext through `translations()` (after Babel(app), whose
    callables these replace with the same behaviour), and numberformat through `number`."""
    app.jinja_env.filters["numberformat"] = number
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    # _() and ngettext() straight to the catalog: Jinja's own (installed above, and still what
    # {% trans %} compiles for) reach it through three Context.call each, some 60 on a page.
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)


@pass_eval_context
def gettext(eval_ctx, string: str, **variables) -> str:
    """Jinja's newstyle gettext: escaped in an autoescaped template, and always a format string
    (so that "%%" is written "%" whether or not there are variables)."""
    found = translations().ugettext(string)
    if eval_ctx.autoescape:
        found = Markup(found)
    return found % variables


@pass_eval_context
def ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
    """Jinja's newstyle ngettext: as gettext, with the number as `num` unless named."""
    variables.setdefault("num", num)
    found = translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        found = Markup(found)
    return found % variables
