"""The pages the catalog's e-mails link to (notify: IPMARKET_PORTAL_URL + /password-reset or
/invitations/accept, the token in the query): ask for a password reset, set the new password,
accept an invitation. The token rides along in a hidden field; the catalog checks it. A link the
catalog refuses (expired, used, withdrawn) is said above the form, as the page's own problem: no
field the person can change would mend it."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _

from services.portal import refusals
from services.portal.catalog_api import ApiProblem
from services.portal.forms import AcceptInvitationForm, NewPasswordForm, PasswordResetRequestForm
from services.portal.views.common import catalog

bp = Blueprint("account_links", __name__)


@bp.route("/password-reset", methods=["GET", "POST"])
def password_reset():
    """Without a token: ask for a link. With one (the e-mailed link): set the new password."""
    if request.values.get("token"):
        return _new_password()
    form = PasswordResetRequestForm()
    if not form.validate_on_submit():
        return _shown("password_reset.html", form)
    try:
        catalog().request_password_reset(form.email.data.strip())
    except ApiProblem as refused:
        refusals.place(refused, form, "email")
        return _shown("password_reset.html", form)
    return render_template("password_reset.html", form=None, sent_to=form.email.data.strip())


def _new_password():
    form = NewPasswordForm()
    if request.method == "GET":
        form.token.data = request.args["token"]
    if not form.validate_on_submit():
        return _shown("new_password.html", form)
    try:
        catalog().reset_password(form.token.data, form.password.data)
    except ApiProblem as refused:
        return _refused("new_password.html", form, refused, "password")
    flash(_("Your new password is set, and you are signed out everywhere. Sign in."), "done")
    return redirect("/sign-in", 303)


@bp.route("/invitations/accept", methods=["GET", "POST"])
def accept_invitation():
    form = AcceptInvitationForm()
    if request.method == "GET":
        form.token.data = request.args.get("token", "")
    if not form.validate_on_submit():
        if form.token.errors:  # no token at all: not a link the platform sent
            link = _("This link is not complete: open the one in the e-mail.")
            return _shown("accept_invitation.html", form, link)
        return _shown("accept_invitation.html", form)
    try:
        catalog().accept_invitation(
            form.token.data,
            (form.name_en.data or "").strip() or None,
            (form.name_zh.data or "").strip() or None,
            form.password.data or None,
        )
    except ApiProblem as refused:
        return _refused("accept_invitation.html", form, refused, "name_en")
    flash(_("You have joined the organisation. Sign in to continue."), "done")
    return redirect("/sign-in", 303)


def _refused(template: str, form, refused: ApiProblem, fallback: str):
    """The page again with the catalog's reasons: about the link above the form, the others
    beside their fields (`fallback` for a reason that names none)."""
    link = " ".join(refusals.reason(m) for m in refused.errors.get("token", ()))
    others = {name: why for name, why in refused.errors.items() if name != "token"}
    if others or not link:
        refusals.place(replace(refused, errors=others), form, fallback)
    return _shown(template, form, link or None)


def _shown(template: str, form, link_problem: str | None = None):
    """The page with the form as submitted: 422 when it was refused."""
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, link_problem=link_problem), status
