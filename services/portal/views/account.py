"""Signing in (password, then a second-factor code where the person has one), signing out, and
the signed-in person's home. The catalog decides; the portal keeps the outcome in its session."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import refresh

from services.portal import refusals, signed_in
from services.portal.catalog_api import ApiProblem
from services.portal.forms import (
    PasskeyAnswerForm,
    PasskeyEnrolForm,
    SecondFactorForm,
    SettingsForm,
    SignInForm,
    SignOutForm,
)
from services.portal.i18n import is_chinese
from services.portal.views.common import catalog, client_of_request, credential, local_target

bp = Blueprint("account", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    if request.method == "GET":
        form.next.data = local_target(request.args.get("next"), "/account")
    if not form.validate_on_submit():
        return page("sign_in.html", form, status=422 if request.method == "POST" else 200)
    try:
        outcome = catalog().sign_in(form.email.data, form.password.data, client_of_request())
    except ApiProblem as refused:
        _refusal(refused, form.password)
        return page("sign_in.html", form, status=422)
    return _signed_in_or_second_factor(outcome, form.email.data, form.next.data)


@bp.route("/sign-in/code", methods=["GET", "POST"])
def second_factor():
    pending = signed_in.pending_second_factor()
    if pending is None:
        return redirect("/sign-in", 303)
    form = SecondFactorForm()
    if request.method == "GET":
        form.next.data = local_target(request.args.get("next"), "/account")
    if not form.validate_on_submit():
        return page("second_factor.html", form, status=422 if request.method == "POST" else 200)
    try:
        outcome = catalog().second_factor(
            pending["token"], form.code.data.strip(), client_of_request()
        )
    except ApiProblem as refused:
        _refusal(refused, form.code)
        return page("second_factor.html", form, status=422)
    signed_in.open_session(outcome, pending["email"], signed_in_account(outcome))
    return redirect(local_target(form.next.data, "/account"), 303)


@bp.post("/sign-out")
def sign_out():
    if SignOutForm().validate_on_submit():
        person, token = signed_in.person(), credential()
        if person and token:  # end it at the catalog too: its tokens stop working everywhere
            try:
                catalog().end_session(person["catalog_session_id"], token)
            except ApiProblem:
                pass  # already ended there
        signed_in.end_session()
    return redirect("/", 303)


@bp.get("/account")
def home():
    if credential() is None:
        return redirect(f"/sign-in?next={request.path}", 303)
    return account_page()


def account_page(
    enrol_form: PasskeyEnrolForm | None = None, settings_form: SettingsForm | None = None
) -> str:
    """The signed-in person's account page; `enrol_form` the passkey form as submitted,
    `settings_form` the language and time zone as submitted."""
    token, person = credential(), signed_in.person()
    if settings_form is None:
        held = {"locale": person.get("locale") or "", "timezone": person.get("timezone") or ""}
        settings_form = SettingsForm(formdata=None, data=held)
        settings_form.offer_choices()
    organisations = [
        {"id": org_id, "name": _organisation_name(person, org_id, token), "roles": roles}
        for org_id, roles in person["memberships"].items()
    ]
    return render_template(
        "account.html",
        organisations=organisations,
        sessions=catalog().sessions(token),
        passkeys=_passkeys(token),
        form=SignOutForm(),
        enrol_form=enrol_form or PasskeyEnrolForm(formdata=None),
        settings_form=settings_form,
    )


@bp.post("/account/settings")
def change_settings():
    """The person's own language and time zone: the catalog keeps them (and tells notify);
    the pages speak and date in them from the next one on."""
    token = credential()
    if token is None:
        return redirect("/sign-in?next=/account", 303)
    form = SettingsForm()
    form.offer_choices()
    if not form.validate_on_submit():
        return account_page(settings_form=form), 422
    chosen = {"locale": form.locale.data or None, "timezone": form.timezone.data or None}
    try:
        changed = catalog().change_settings(chosen, token)
    except ApiProblem as refused:
        refusals.place(refused, form, "locale")
        return account_page(settings_form=form), 422
    signed_in.remember_settings(changed["locale"], changed["timezone"])
    g.pop("locale", None)  # (the choice app._locale made for this request)
    refresh()  # the message below already in the language just chosen
    flash(_("Your language and time zone are saved."))
    return redirect("/account#settings", 303)


@bp.post("/account/sessions/<session_id>/end")
def end_other_session(session_id: str):
    """Sign out one of the person's other browsers or devices."""
    token = credential()
    if token is None:
        return redirect("/sign-in?next=/account", 303)
    if SignOutForm().validate_on_submit():
        try:
            catalog().end_session(session_id, token)
        except ApiProblem:
            pass  # ended already, or not theirs: the list shows what is open
    return redirect("/account#sessions", 303)


def _passkeys(token: str) -> list[dict]:
    try:
        return catalog().passkeys(token)
    except ApiProblem:  # a catalog without the list yet: the page shows none
        return []


def signed_in_account(outcome: dict) -> dict | None:
    """The signed-in person's own account from the catalog (None if it could not say)."""
    try:
        return catalog().me(outcome["access_token"])
    except ApiProblem:
        return None


def _organisation_name(person: dict, organisation_id: str, token: str) -> str | None:
    """The organisation's name as the person's account named it at sign-in, else from the
    catalog where it lets the person read it."""
    known = person.get("organisations", {}).get(organisation_id)
    if known:
        return (is_chinese() and known["name_zh"]) or known["name_en"]
    try:
        org = catalog().organisation(organisation_id, token)
    except ApiProblem:
        return None
    if is_chinese() and org.get("legal_name_zh"):
        return org["legal_name_zh"]
    return org.get("legal_name_en") or org.get("name")


def _signed_in_or_second_factor(outcome: dict, email: str, next_page: str):
    target = local_target(next_page, "/account")
    if outcome["status"] == "signed_in":
        signed_in.open_session(outcome, email, signed_in_account(outcome))
        return redirect(target, 303)
    if outcome["status"] == "second_factor_needed":
        signed_in.hold_second_factor(outcome["second_factor_token"], email)
        return redirect(f"/sign-in/code?next={target}", 303)
    # second_factor_setup_needed: the organisation requires one and the person has none yet
    signed_in.hold_second_factor(outcome["second_factor_token"], email)
    return redirect(f"/sign-in/authenticator?next={target}", 303)


def _refusal(refused: ApiProblem, field) -> None:
    if refused.status == 429:
        field.errors = [
            _("Too many attempts. Try again in %(seconds)d seconds.", seconds=refused.retry_after)
            if refused.retry_after
            else _("Too many attempts. Try again later.")
        ]
    elif refused.status == 401:
        field.errors = [
            _("The e-mail address or password is not right.")
            if field.name == "password"
            else _("The code is not right, or it has been used already.")
        ]
    else:
        field.errors = [_("This value is not accepted.")]


def page(template: str, form=None, passkey_form=None, status: int = 200):
    """A sign-in page: its own form and the passkey one (either as submitted, else empty)."""
    if form is None:
        form = (SignInForm if template == "sign_in.html" else SecondFactorForm)(formdata=None)
    if passkey_form is None:
        passkey_form = PasskeyAnswerForm(formdata=None)
    if form.next.data is None or passkey_form.next.data is None:
        target = form.next.data or passkey_form.next.data or request.args.get("next")
        form.next.data = passkey_form.next.data = local_target(target, "/account")
    return render_template(template, form=form, passkey_form=passkey_form), status
