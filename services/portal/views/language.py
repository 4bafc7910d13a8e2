"""The language switch on every page: a small form that works without JavaScript."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect

from services.portal import i18n
from services.portal.forms import LanguageForm
from services.portal.views.common import local_target

bp = Blueprint("language", __name__)


@bp.post("/language")
def switch():
    form = LanguageForm()
    response = redirect(local_target(form.next.data), 303)
    if form.validate():
        response.set_cookie(
            i18n.COOKIE,
            form.locale.data,
            max_age=i18n.COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response
