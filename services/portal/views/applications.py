"""An organisation applies to join the marketplace (POST /v1/organisation-applications, open to
anyone): the platform operator decides, and the contact is invited as its owner by e-mail."""

from __future__ import annotations

import pycountry
from babel import Locale
from flask import Blueprint, render_template, request
from flask_babel import get_locale

from services.portal import refusals
from services.portal.catalog_api import ApiProblem
from services.portal.forms import ApplicationForm
from services.portal.i18n import current_locale
from services.portal.views.common import catalog

bp = Blueprint("applications", __name__)


@bp.route("/apply", methods=["GET", "POST"])
def apply():
    form = ApplicationForm()
    form.country.choices = [("", "—")] + countries()
    if not form.validate_on_submit():
        return _shown(form)
    application = {
        "legal_name_en": form.legal_name_en.data.strip(),
        "legal_name_zh": (form.legal_name_zh.data or "").strip() or None,
        "country": form.country.data,
        "registration_number": form.registration_number.data.strip(),
        "roles": form.roles.data,
        "contact_name": form.contact_name.data.strip(),
        "contact_email": form.contact_email.data.strip(),
        "locale": current_locale().replace("_", "-"),
    }
    try:
        applied = catalog().apply(application)
    except ApiProblem as refused:
        refusals.place(refused, form, "legal_name_en")
        return _shown(form)
    return render_template("apply.html", form=None, applied=applied)


def countries() -> list[tuple[str, str]]:
    """Every assigned ISO 3166-1 code, named in the page's language (CLDR) and sorted so."""
    names = Locale.parse(str(get_locale())).territories
    choices = [(c.alpha_2, names.get(c.alpha_2, c.name)) for c in pycountry.countries]
    return sorted(choices, key=lambda choice: choice[1])


def _shown(form):
    return render_template("apply.html", form=form), 422 if request.method == "POST" else 200
