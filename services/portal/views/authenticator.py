"""Setting up an authenticator app (TOTP) as second factor: from the account page whenever the
person chooses, or while signing in when their organisation requires one and they have none
(the catalog answered second_factor_setup_needed). Both show the app's QR code and secret
(authenticator_qr), take its first code, and show the ten recovery codes once."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request
from flask_babel import gettext as _

from services.portal import signed_in
from services.portal.authenticator_qr import qr_data_uri, secret_of
from services.portal.catalog_api import ApiProblem
from services.portal.forms import AuthenticatorCodeForm, SignOutForm
from services.portal.views.account import signed_in_account
from services.portal.views.common import catalog, client_of_request, credential, local_target

bp = Blueprint("authenticator", __name__)


@bp.get("/account/authenticator")
def account_setup():
    if credential() is None:
        return redirect(f"/sign-in?next={request.path}", 303)
    return _setup_page("/account/authenticator/confirm", AuthenticatorCodeForm(formdata=None))


@bp.post("/account/authenticator")
def account_start():
    token = credential()
    if token is None:
        return redirect(f"/sign-in?next={request.path}", 303)
    if not SignOutForm().validate_on_submit():  # its CSRF token only
        return redirect("/account/authenticator", 303)
    try:
        started = catalog().start_authenticator(token)
    except ApiProblem as refused:
        if refused.status != 409:
            raise
        return _setup_page("", None, already=True), 409
    signed_in.hold_authenticator_setup(started["otpauth_uri"])
    return redirect("/account/authenticator", 303)


@bp.post("/account/authenticator/confirm")
def account_confirm():
    token = credential()
    if token is None:
        return redirect("/sign-in?next=/account/authenticator", 303)
    form = AuthenticatorCodeForm()
    if signed_in.pending_authenticator_setup() is None:
        return redirect("/account/authenticator", 303)
    if form.validate_on_submit():
        try:
            confirmed = catalog().confirm_authenticator(form.code.data.strip(), token)
        except ApiProblem:
            form.code.errors = [_("The code is not right: check the time on your phone.")]
        else:
            signed_in.pending_authenticator_setup(clear=True)
            return _recovery_codes(confirmed["recovery_codes"], "/account")
    return _setup_page("/account/authenticator/confirm", form), 422


@bp.route("/sign-in/authenticator", methods=["GET", "POST"])
def sign_in_setup():
    pending = signed_in.pending_second_factor()
    if pending is None:
        return redirect("/sign-in", 303)
    form = AuthenticatorCodeForm()
    if request.method == "GET":
        form.next.data = local_target(request.args.get("next"), "/account")
        if signed_in.pending_authenticator_setup() is None:
            try:
                started = catalog().set_up_second_factor(pending["token"])
            except ApiProblem:  # the step after the password has expired
                signed_in.end_session()
                return redirect("/sign-in", 303)
            signed_in.hold_authenticator_setup(started["otpauth_uri"])
        return _setup_page("/sign-in/authenticator", form, signing_in=True)
    if form.validate_on_submit():
        try:
            outcome = catalog().confirm_second_factor(
                pending["token"], form.code.data.strip(), client_of_request()
            )
        except ApiProblem:
            form.code.errors = [_("The code is not right: check the time on your phone.")]
        else:
            signed_in.open_session(outcome, pending["email"], signed_in_account(outcome))
            return _recovery_codes(
                outcome["recovery_codes"], local_target(form.next.data, "/account")
            )
    return _setup_page("/sign-in/authenticator", form, signing_in=True), 422


def _setup_page(action: str, form, already: bool = False, signing_in: bool = False):
    uri = None if already else signed_in.pending_authenticator_setup()
    response = make_response(
        render_template(
            "authenticator.html",
            action=action,
            form=form,
            start_form=SignOutForm(),
            already=already,
            signing_in=signing_in,
            qr=qr_data_uri(uri) if uri else None,
            secret=secret_of(uri) if uri else None,
        )
    )
    response.headers["Cache-Control"] = "no-store"  # the secret is on the page
    return response


def _recovery_codes(codes: list[str], next_page: str):
    response = make_response(
        render_template("recovery_codes.html", codes=codes, next_page=next_page)
    )
    response.headers["Cache-Control"] = "no-store"  # shown once: not kept by the browser
    return response
