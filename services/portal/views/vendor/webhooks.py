"""Webhook endpoints: create one (its secret shown once), rotate its secret, its delivery log
with each delivery's attempts (in place with htmx, as a page without), and replay a delivery.
Reading takes the owner's or the viewer's role, changing the owner's (shared/roles.py)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _

from services.portal.service_api import ApiProblem
from services.portal.vendor_forms import ActionForm, EndpointForm
from services.portal.views.common import notify
from services.portal.views.vendor import workspace

bp = Blueprint("vendor_webhooks", __name__, url_prefix="/vendor/webhooks")
bp.register_error_handler(workspace.NotAVendor, workspace.not_a_vendor)
bp.register_error_handler(ApiProblem, workspace.refused)


def _place(action: str) -> workspace.Workspace:
    place = workspace.current()
    if place is not None and not place.may(action):
        abort(404)  # the page is not for this person's roles
    return place


@bp.get("")
def endpoints():
    place = _place("webhooks.read")
    if place is None:
        return workspace.to_sign_in()
    return _list(place, EndpointForm(formdata=None))


@bp.post("")
def create():
    place = _place("webhooks.manage")
    if place is None:
        return workspace.to_sign_in()
    form = EndpointForm()
    if not form.validate_on_submit():
        return _list(place, form), 422
    body = {"url": form.url.data.strip(), "description": form.description.data or ""}
    try:
        created = notify().create_endpoint(place.token, place.organisation_id, body)
    except ApiProblem as refused:
        _beside(refused, form)
        return _list(place, form), 422
    return _secret(place, created, created["secret"], new=True)


@bp.get("/<endpoint_id>")
def endpoint(endpoint_id: str):
    place = _place("webhooks.read")
    if place is None:
        return workspace.to_sign_in()
    found = notify().endpoint(place.token, place.organisation_id, endpoint_id)
    deliveries = notify().endpoint_deliveries(place.token, place.organisation_id, endpoint_id)
    return render_template(
        "vendor/webhook.html",
        place=place,
        endpoint=found,
        deliveries=deliveries["items"],
        form=ActionForm(),
    )


@bp.post("/<endpoint_id>/rotate")
def rotate(endpoint_id: str):
    place = _place("webhooks.manage")
    if place is None:
        return workspace.to_sign_in()
    if not ActionForm().validate_on_submit():
        abort(400)
    rotated = notify().rotate_secret(place.token, place.organisation_id, endpoint_id)
    found = notify().endpoint(place.token, place.organisation_id, endpoint_id)
    return _secret(place, found, rotated["secret"], new=False)


@bp.post("/<endpoint_id>/test")
def test_event(endpoint_id: str):
    """Queue a test event to the endpoint: it shows in the delivery log like any other."""
    place = _place("webhooks.manage")
    if place is None:
        return workspace.to_sign_in()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        notify().send_test_event(place.token, place.organisation_id, endpoint_id)
    except ApiProblem as refused:
        flash(workspace.refusal(refused))
    else:
        flash(_("A test event is on its way: its delivery is at the top of the log."))
    return redirect(f"/vendor/webhooks/{endpoint_id}{place.query}", 303)


@bp.get("/<endpoint_id>/deliveries/<delivery_id>/attempts")
def attempts(endpoint_id: str, delivery_id: str):
    """The attempts of one delivery: the fragment alone for htmx, else a page."""
    place = _place("webhooks.read")
    if place is None:
        return workspace.to_sign_in()
    found = notify().delivery_attempts(place.token, place.organisation_id, delivery_id)
    only = bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )
    response = render_template(
        "vendor/_attempts.html" if only else "vendor/attempts.html",
        place=place,
        endpoint_id=endpoint_id,
        delivery_id=delivery_id,
        attempts=found,
    )
    return response, 200, {"Vary": "HX-Request"}


@bp.post("/<endpoint_id>/deliveries/<delivery_id>/replay")
def replay(endpoint_id: str, delivery_id: str):
    place = _place("webhooks.manage")
    if place is None:
        return workspace.to_sign_in()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        notify().replay_delivery(place.token, place.organisation_id, delivery_id)
    except ApiProblem as refused:
        flash(workspace.refusal(refused))
    else:
        flash(_("The delivery is sent again, with the same webhook-id."))
    return redirect(f"/vendor/webhooks/{endpoint_id}{place.query}", 303)


def _list(place: workspace.Workspace, form: EndpointForm):
    return render_template(
        "vendor/webhooks.html",
        place=place,
        endpoints=notify().endpoints(place.token, place.organisation_id),
        form=form,
    )


def _beside(refused: ApiProblem, form: EndpointForm) -> None:
    """The service's refusal beside the field it names (e.g. an address it will not reach)."""
    for name in ("url", "description"):
        if name in refused.errors:
            getattr(form, name).errors = [_("The marketplace does not accept this value.")]
            return
    form.url.errors = [workspace.refusal(refused)]


def _secret(place: workspace.Workspace, endpoint: dict, secret: str, new: bool):
    """The secret, this once: never cached, never shown again."""
    html = render_template(
        "vendor/webhook_secret.html", place=place, endpoint=endpoint, secret=secret, new=new
    )
    return html, 201 if new else 200, {"Cache-Control": "no-store"}
