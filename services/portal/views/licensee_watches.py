"""The licensee's watches (notify's /v1/watches): cores and vendors the organisation follows,
to hear of their new versions and changes. Watched from a core's page; listed and given up
here."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template
from wtforms import HiddenField

from services.portal.licensee_problems import page_message
from services.portal.portal_form import PortalForm
from services.portal.service_api import ApiProblem
from services.portal.views.common import catalog, notify
from services.portal.views.licensee import signed_in_only

bp = Blueprint("licensee_watches", __name__, url_prefix="/licensee")


class WatchForm(PortalForm):
    kind = HiddenField()
    target_id = HiddenField()


@bp.get("/watches")
@signed_in_only
def watches_list(problem: str | None = None, status: int = 200):
    try:
        watches = [_named(w) for w in notify().watches(g.token)]
    except ApiProblem as refused:
        watches, problem, status = None, page_message(refused), refused.status
    return render_template("licensee/watches.html", watches=watches, problem=problem), status


@bp.post("/watches")
@signed_in_only
def watch():
    form = WatchForm()
    if not form.validate_on_submit() or form.kind.data not in ("core", "vendor"):
        abort(400)
    try:
        notify().watch(form.kind.data, form.target_id.data, g.token)
    except ApiProblem as refused:
        if refused.status != 409:  # 409: watched already, which is what was asked
            return watches_list(problem=page_message(refused), status=refused.status)
    return redirect("/licensee/watches", 303)


@bp.post("/watches/<watch_id>/remove")
@signed_in_only
def unwatch(watch_id: str):
    if not PortalForm().validate_on_submit():
        abort(400)
    try:
        notify().unwatch(watch_id, g.token)
    except ApiProblem as refused:
        if refused.status != 404:  # 404: gone already
            return watches_list(problem=page_message(refused), status=refused.status)
    return redirect("/licensee/watches", 303)


def _named(found: dict) -> dict:
    """A watch with what the catalog calls its target (the id alone if it cannot say)."""
    name = found["target_id"]
    try:
        if found["kind"] == "core":
            core = catalog().core(found["target_id"], g.token)
            name = ":".join(core["vlnv"][k] for k in ("vendor", "library", "name"))
        else:
            result = catalog().search([("vendor", found["target_id"]), ("limit", "1")], g.token)
            name = next((c["vlnv"]["vendor"] for c in result["items"]), name)
    except ApiProblem:
        pass
    return {**found, "name": name}
