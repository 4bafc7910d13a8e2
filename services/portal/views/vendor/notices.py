"""Notification preferences: per notice, whether the organisation gets it by e-mail and by
webhook. Everyone in it reads them; the owner changes them (only the ones changed are sent)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template
from flask import request as http_request
from flask_babel import gettext as _

from services.portal.service_api import ApiProblem
from services.portal.vendor_forms import ActionForm
from services.portal.views.common import notify
from services.portal.views.vendor import workspace

bp = Blueprint("vendor_notices", __name__, url_prefix="/vendor/notices")
bp.register_error_handler(workspace.NotAVendor, workspace.not_a_vendor)
bp.register_error_handler(ApiProblem, workspace.refused)
CHANNELS = ("email", "webhook")


@bp.get("")
def preferences():
    place = workspace.current()
    if place is None:
        return workspace.to_sign_in()
    if not place.may("notices.read_preferences"):
        abort(404)
    return _page(place, notify().preferences(place.token, place.organisation_id))


@bp.post("")
def change():
    place = workspace.current()
    if place is None:
        return workspace.to_sign_in()
    if not place.may("notices.preferences"):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    current = notify().preferences(place.token, place.organisation_id)
    changed = 0
    for notice_type, channels in current.items():
        wanted = {c: f"{c}:{notice_type}" in http_request.form for c in CHANNELS}
        if wanted != {c: channels[c] for c in CHANNELS}:
            notify().set_preference(
                place.token, place.organisation_id, notice_type, wanted["email"], wanted["webhook"]
            )
            changed += 1
    flash(_("Saved: %(count)d notices changed.", count=changed))
    return redirect(f"/vendor/notices{place.query}", 303)


def _page(place: workspace.Workspace, current: dict):
    return render_template(
        "vendor/notices.html", place=place, preferences=current, form=ActionForm()
    )
