"""The platform's directory for operators: organisations' applications to decide, the
organisations, and the messages a consumer could not handle (dead letters).

What the services offer over HTTP decides what is here: the pending applications are listed
(GET /v1/organisation-applications?status=pending), each opening the decision form filled in
with its id; only notify keeps its dead letters behind an API."""

from __future__ import annotations

from flask import g, render_template, request
from flask_babel import gettext as _

from services.portal.console_forms import ApplicationDecisionForm
from services.portal.service_api import ApiProblem
from services.portal.views.common import catalog, notify
from services.portal.views.console import bp
from services.portal.views.console.access import OPERATOR, console_page


@bp.route("/applications", methods=["GET", "POST"])
@console_page(OPERATOR)
def applications():
    form = ApplicationDecisionForm()
    decided = None
    if form.validate_on_submit():
        reason = (form.reason.data or "").strip() or None
        try:
            decided = catalog().decide_application(
                form.application_id.data.strip(), form.decision.data, reason, g.token
            )
        except ApiProblem as refused:
            _place(refused, form)
        else:
            form = ApplicationDecisionForm(formdata=None)
    if request.method == "GET" and request.args.get("application"):
        form.application_id.data = request.args["application"][:64]  # the row chosen
    pending = catalog().applications(g.token, "pending", request.args.get("cursor") or None)
    status = 422 if request.method == "POST" and decided is None else 200
    page = render_template(
        "console/applications.html",
        form=form,
        decided=decided,
        pending=pending["items"],
        next=pending.get("next"),
    )
    return page, status


def _place(refused: ApiProblem, form: ApplicationDecisionForm) -> None:
    if refused.status == 404:
        form.application_id.errors = [_("No application has this id.")]
    elif refused.status == 409:
        form.application_id.errors = [_("This application has been decided already.")]
    elif refused.status == 403:
        form.decision.errors = [_("Your role may not decide applications.")]
    elif "reason" in refused.errors:
        form.reason.errors = [_("The catalog did not accept this reason.")]
    else:
        form.application_id.errors = [_("The catalog did not accept this decision.")]


@bp.get("/organisations")
@console_page(OPERATOR)
def organisations():
    page = catalog().organisations(g.token, cursor=request.args.get("cursor") or None)
    return render_template(
        "console/organisations.html", organisations=page["items"], next=page.get("next")
    )


@bp.get("/dead-letters")
@console_page(OPERATOR)
def dead_letters():
    page = notify().dead_letters(g.token, cursor=request.args.get("cursor") or None)
    return render_template(
        "console/dead_letters.html", dead_letters=page["items"], next=page.get("next")
    )
