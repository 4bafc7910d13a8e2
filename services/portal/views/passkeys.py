"""Passkeys in the portal: enrol one from the account page, then sign in with it alone or as the
second step after the password. The browser's side is static/passkeys.js: it asks this server
for the catalog's ceremony options (JSON; the CSRF token in a header), runs
navigator.credentials, and submits the answer in an ordinary form to the routes here, which
hand it to the catalog to verify. Without JavaScript the passkey forms stay hidden."""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect
from flask_babel import gettext as _

from services.portal import signed_in
from services.portal.catalog_api import ApiProblem
from services.portal.forms import PasskeyAnswerForm, PasskeyEnrolForm, SignOutForm
from services.portal.views.account import account_page, page, signed_in_account
from services.portal.views.common import catalog, client_of_request, credential, local_target

bp = Blueprint("passkeys", __name__)


@bp.post("/account/passkeys/options")
def registration_options():
    token = credential()
    if token is None:
        return {"error": _("Sign in again to add a passkey.")}, 401
    return _options(lambda: catalog().passkey_registration_options(token))


@bp.post("/account/passkeys")
def enrol():
    token = credential()
    if token is None:
        return redirect("/sign-in?next=/account", 303)
    form = PasskeyEnrolForm()
    answer = _answer(form)
    if answer is not None:
        try:
            catalog().enrol_passkey(form.ceremony_id.data, answer, form.name.data.strip(), token)
        except ApiProblem as refused:
            target = form.name if "name" in refused.errors else form.credential
            target.errors = [_refused(refused)]
        else:
            flash(_("Your passkey is added: you can sign in with it now."), "done")
            return redirect("/account", 303)
    return account_page(form), 422


@bp.post("/account/passkeys/<passkey_id>/remove")
def remove(passkey_id: str):
    token = credential()
    if token is None:
        return redirect("/sign-in?next=/account", 303)
    if SignOutForm().validate_on_submit():  # its CSRF token only
        try:
            catalog().remove_passkey(passkey_id, token)
        except ApiProblem:
            pass  # removed already: the list shows what is left
        else:
            flash(_("The passkey is removed: it no longer signs you in."), "done")
    return redirect("/account#passkeys", 303)


@bp.post("/sign-in/passkey/options")
def sign_in_options():
    return _options(lambda: catalog().passkey_options())


@bp.post("/sign-in/code/passkey/options")
def second_factor_options():
    pending = signed_in.pending_second_factor()
    if pending is None:
        return {"error": _("Start again with your e-mail address and password.")}, 401
    return _options(lambda: catalog().passkey_options(pending["token"]))


@bp.post("/sign-in/passkey")
def sign_in():
    return _sign_in("sign_in.html")


@bp.post("/sign-in/code/passkey")
def second_factor():
    if signed_in.pending_second_factor() is None:
        return redirect("/sign-in", 303)
    return _sign_in("second_factor.html")


def _sign_in(template: str):
    form = PasskeyAnswerForm()
    answer = _answer(form)
    if answer is not None:
        try:
            outcome = catalog().passkey_sign_in(form.ceremony_id.data, answer, client_of_request())
        except ApiProblem as refused:
            form.credential.errors = [_refused(refused)]
        else:
            account = signed_in_account(outcome)
            signed_in.open_session(outcome, (account or {}).get("email", ""), account)
            return redirect(local_target(form.next.data, "/account"), 303)
    return page(template, passkey_form=form, status=422)


def _answer(form: PasskeyAnswerForm) -> dict | None:
    """The browser's credential, or None with the reason beside the form."""
    if not form.validate_on_submit():
        if not form.credential.errors and not form.ceremony_id.errors:
            return None  # another field's own message says why
        form.credential.errors = [_("The passkey did not answer. Try again.")]
        return None
    try:
        answer = json.loads(form.credential.data)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        form.credential.errors = [_("The passkey did not answer. Try again.")]
        return None
    return answer


def _options(ask):
    try:
        return ask(), 201
    except ApiProblem as refused:
        return {"error": _refused(refused)}, refused.status


def _refused(refused: ApiProblem) -> str:
    if refused.status == 429:
        return _("Too many attempts. Try again later.")
    if refused.status in (401, 403):
        return _("The passkey was not accepted, or the step took too long. Try again.")
    if refused.status == 422 and "name" in refused.errors:
        return _("Use at most %(max)d characters.", max=100)
    return _("This passkey is not accepted here, or it is added already.")
