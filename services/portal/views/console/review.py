"""The export review queue: the license requests screening sent to review, each with its
reason, and the reviewer's decision (clear or deny, with a comment) on one of them."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request
from flask_babel import gettext as _

from services.portal.console_forms import ReviewForm
from services.portal.service_api import ApiProblem
from services.portal.views.common import catalog, licensing
from services.portal.views.console import bp
from services.portal.views.console.access import EXPORT_REVIEWER, OPERATOR, console_page

REVIEWERS = (EXPORT_REVIEWER, OPERATOR)


@bp.get("/")
@console_page(EXPORT_REVIEWER, OPERATOR)
def home():
    return render_template("console/home.html")


@bp.get("/reviews")
@console_page(*REVIEWERS)
def review_queue():
    cursor = request.args.get("cursor") or None
    page = licensing().review_queue(g.token, state="screening", cursor=cursor)
    # A request in screening waits for a reviewer only when screening said review.
    waiting = [r for r in page["items"] if (r.get("screening") or {}).get("outcome") == "review"]
    names = _organisation_names({r["licensee_id"] for r in waiting} | _vendors(waiting))
    return render_template(
        "console/reviews.html", requests=waiting, names=names, next=page.get("next")
    )


@bp.route("/reviews/<request_id>", methods=["GET", "POST"])
@console_page(*REVIEWERS)
def review(request_id: str):
    try:
        license_request = licensing().reviewed_request(request_id, g.token)
    except ApiProblem as refused:
        if refused.status == 403:
            return render_template("console/forbidden.html"), 403
        abort(404)
    form = ReviewForm()
    submitted = request.method == "POST"
    if form.validate_on_submit():
        try:
            licensing().review(request_id, form.outcome.data, form.comment.data.strip(), g.token)
        except ApiProblem as refused:
            _place(refused, form)
        else:
            flash(
                _("Cleared: the request goes on to the vendor.")
                if form.outcome.data == "allow"
                else _("Denied: the licensee is told.")
            )
            return redirect("/console/reviews", 303)
    names = _organisation_names({license_request["licensee_id"], license_request["vendor_id"]})
    status = 422 if submitted else 200
    return render_template(
        "console/review.html", request_=license_request, names=names, form=form
    ), status


def _place(refused: ApiProblem, form: ReviewForm) -> None:
    """The service's refusal beside the field it is about, in the page's language."""
    if refused.status == 409:
        form.outcome.errors = [_("This request has been decided already: reload the queue.")]
    elif refused.status == 403:
        form.outcome.errors = [_("Your role may not decide export reviews.")]
    elif "comment" in refused.errors:
        form.comment.errors = [_("The licensing service did not accept this comment.")]
    else:
        form.outcome.errors = [_("The licensing service did not accept this decision.")]


def _vendors(requests: list[dict]) -> set[str]:
    return {r["vendor_id"] for r in requests}


def _organisation_names(ids: set[str]) -> dict[str, str]:
    """Names of the organisations the page shows, where the catalog lets this person read
    them (operators may; an export reviewer sees ids)."""
    names = {}
    for organisation_id in ids:
        try:
            org = catalog().organisation(organisation_id, g.token)
        except ApiProblem:
            continue
        names[organisation_id] = org.get("legal_name_en") or organisation_id
        if org.get("legal_name_zh"):
            names[organisation_id] += f" ({org['legal_name_zh']})"
    return names
